"""Questions asked of the timeline: who is on call at an instant, since and until when, and who
comes next. Compiles only the range the answer needs, widening it while the answer is unknown."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from astreinte_cli import answers
from astreinte_cli.answers import Contact, LevelAnswer, Next, OnCall, TeamAnswer
from astreinte_cli.compile import compile_level
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
    current: Stretch  # who (in order at the instant), source and why, at the instant
    since: dt.datetime | None
    until: dt.datetime | None
    next: Stretch | None  # the state that begins at ``until``
    # The next instant a caller meets another state: coverage, or who in order. ``until``, or
    # earlier where only the order changes (SPEC §8: the order at the instant is the order a
    # caller rings); None when nothing changes within the compiled range.
    next_change: dt.datetime | None = None

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
        timeline = compile_level(roster, team, level, start, end, calendar, detailed=True)
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
    current = timeline.at(at)
    return LevelNow(
        timeline.team,
        timeline.level,
        at,
        current,
        since,
        until,
        following,
        _next_change(timeline, current, at),
    )


def _next_change(timeline: LevelTimeline, current: Stretch, at: dt.datetime) -> dt.datetime | None:
    """The start of the first stretch after ``at`` that is covered or not, or has other people
    or the same people in another order, than ``current``. A detailed compilation cuts its
    stretches where only the order changes, so this is found within the run that ``until``
    ends (whose end is such a change too)."""
    after = bisect.bisect_right(timeline.starts, at)
    for stretch in itertools.islice(timeline.stretches, after, None):
        if stretch.active != current.active or stretch.who != current.who:
            return stretch.start
    return None


def team_now(roster: Roster, team: Team, at: dt.datetime) -> list[LevelNow]:
    calendar = TeamCalendar(team)
    return [level_now(roster, team, level, at, calendar) for level in team.levels]


def team_answer(roster: Roster, team: Team, at: dt.datetime) -> TeamAnswer:
    """`now`'s answer for ``team`` at ``at``, compiled around the instant."""
    calendar = TeamCalendar(team)
    levels = [level_now(roster, team, level, at, calendar) for level in team.levels]
    open_hours = calendar.business_hours(at, at + dt.timedelta(microseconds=1))
    return TeamAnswer(
        id=team.id,
        name=team.name,
        timezone=team.timezone,
        instructions=team.instructions,
        fallback=contact(roster, team.fallback) if team.fallback else None,
        business_hours=bool(open_hours),
        levels=tuple(level_answer(roster, team, state) for state in levels),
    )


def level_answer(roster: Roster, team: Team, state: LevelNow) -> LevelAnswer:
    current = state.current
    on_call = tuple(
        on_call_entry(roster, team, person, current.placement(position))
        for position, person in enumerate(current.who)
    )
    following = None
    if state.next is not None and state.until is not None:
        following = Next(state.next.active, tuple(contact(roster, p) for p in state.next.who))
    level = state.level
    return LevelAnswer(
        number=level.number,
        name=level.name,
        escalate_after=level.escalate_after,
        instructions=level.instructions,
        active=current.active,
        on_call=on_call,
        source=current.source,
        since=state.since,
        until=state.until,
        next=following,
    )


def contact(roster: Roster, person_id: str) -> Contact:
    person = roster.people[person_id]
    return Contact(person.id, person.name, person.phone)


def on_call_entry(
    roster: Roster,
    team: Team,
    person_id: str,
    placement: tuple[str | None, int | None, bool],
) -> OnCall:
    """Someone on call, with why they are there (a :data:`timeline.Placement`)."""
    standing_in_for, override, on_leave = placement
    person = roster.people[person_id]
    return OnCall(
        person.id,
        person.name,
        person.phone,
        standing_in_for=contact(roster, standing_in_for) if standing_in_for else None,
        on_leave=on_leave,
        override=override,
        reason=team.overrides[override - 1].reason if override is not None else None,
    )


def chain_steps(
    team: Team, levels: Iterable[tuple[Level, tuple[str, ...]]]
) -> Iterator[tuple[int | None, tuple[str, ...], dt.timedelta]]:
    """The escalation chain of ``team`` as (level number, or None for the fallback; who;
    delay), ``levels`` giving each level with who it has on call at the instant (see
    :func:`answers.chain_steps`): what a feed, which meets tens of thousands of chains, keeps
    its texts by."""
    return answers.chain_steps(
        ((level.number, level.escalate_after, who) for level, who in levels), team.fallback
    )


step_label = answers.step_label
