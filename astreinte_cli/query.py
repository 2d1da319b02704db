"""Questions asked of the timeline: who is on call at an instant, since and until when, and who
comes next. Compiles only the range the answer needs, widening it while the answer is unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from astreinte_cli.compile import compile_level
from astreinte_cli.i18n import _
from astreinte_cli.model import Level, Roster, Team
from astreinte_cli.timeline import LevelTimeline, Stretch
from astreinte_cli.windows import TeamCalendar

HORIZON = dt.timedelta(days=400)  # SPEC §7: since/until are null past 400 days
_FIRST_REACH = dt.timedelta(days=3)


@dataclass(frozen=True, slots=True)
class LevelNow:
    """The state of one level at an instant, with the stretch of constant state around it."""

    team: Team
    level: Level
    at: dt.datetime
    current: Stretch  # who and source at the instant
    since: dt.datetime | None
    until: dt.datetime | None
    next: Stretch | None  # the state that begins at ``until``

    @property
    def active(self) -> bool:
        return self.current.active

    @property
    def is_gap(self) -> bool:
        return self.current.is_gap


def level_now(
    roster: Roster,
    team: Team,
    level: Level,
    at: dt.datetime,
    calendar: TeamCalendar | None = None,
) -> LevelNow:
    calendar = calendar or TeamCalendar(team)
    reach = _FIRST_REACH
    while True:
        # A second past the reach on both sides: a change exactly 400 days away still counts.
        margin = min(reach, HORIZON) + dt.timedelta(seconds=1)
        start, end = at - margin, at + margin
        timeline = compile_level(roster, team, level, start, end, calendar)
        answer = _answer(timeline, at, start, end, final=reach >= HORIZON)
        if answer is not None:
            return answer
        reach *= 4


def _answer(
    timeline: LevelTimeline, at: dt.datetime, start: dt.datetime, end: dt.datetime, *, final: bool
) -> LevelNow | None:
    runs = list(timeline.merged(lambda s: s.state))
    index = next(i for i, run in enumerate(runs) if run.start <= at < run.end)
    run = runs[index]
    since: dt.datetime | None = run.start
    until: dt.datetime | None = run.end
    if run.start <= start:
        if not final:
            return None
        since = None
    if run.end >= end:
        if not final:
            return None
        until = None
    following = runs[index + 1] if index + 1 < len(runs) else None
    return LevelNow(timeline.team, timeline.level, at, timeline.at(at), since, until, following)


def team_now(roster: Roster, team: Team, at: dt.datetime) -> list[LevelNow]:
    calendar = TeamCalendar(team)
    return [level_now(roster, team, level, at, calendar) for level in team.levels]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the escalation chain: whom to call, and how long after the first call."""

    label: str
    who: tuple[str, ...]
    after: dt.timedelta


def escalation_chain(team: Team, levels: Iterable[tuple[Level, tuple[str, ...]]]) -> list[Step]:
    """The levels that have someone on call, then the fallback, with cumulative delays;
    ``levels`` gives each level with who it has on call at the instant.

    A level that is off or empty at the instant is skipped, as a switchboard would skip it;
    its delay does not count.
    """
    return [
        Step(step_label(number), who, after) for number, who, after in chain_steps(team, levels)
    ]


def chain_steps(
    team: Team, levels: Iterable[tuple[Level, tuple[str, ...]]]
) -> Iterator[tuple[int | None, tuple[str, ...], dt.timedelta]]:
    """The steps of :func:`escalation_chain` as (level number, or None for the fallback; who;
    delay): what a feed, which meets tens of thousands of chains, keeps its texts by."""
    elapsed = dt.timedelta(0)
    for level, who in levels:
        if who:
            yield level.number, who, elapsed
            elapsed += level.escalate_after
    if team.fallback is not None:
        yield None, (team.fallback,), elapsed


def step_label(number: int | None) -> str:
    """``level 2``, or ``fallback`` for None."""
    return _("fallback") if number is None else _("level {number}").format(number=number)
