"""The dial plan of a team at an instant: whom a phone system rings, in order, for how long each.

The plan takes the levels that have someone on call at the instant, each person in the order
at the instant (the order a caller should ring, SPEC §8), and ends with the team's fallback. A
level that is off (outside its coverage) or empty (a gap) is skipped, as a switchboard skips a
level it cannot ring. Each step rings for its level's ``ring`` (the fallback for
:data:`FALLBACK_RING`): a ring time in seconds, not the level's ``escalate_after``, which is
how long the level has to deal with a call it answered.

Someone on call at two levels (or on call and the fallback) is rung once, at the first of
them. Phone numbers come from the people files and ``*.local.yaml`` only (the roster), never
from a published document. Someone the plan would ring who has no number is left out and listed in
:attr:`DialPlan.skipped`. Pure: the instant and the clock are arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from astreinte_cli.compile import compile_level
from astreinte_cli.model import Level, Roster, Team
from astreinte_cli.windows import TeamCalendar

FALLBACK_RING = dt.timedelta(seconds=20)  # the fallback has no level: the default ring time
HORIZON = dt.timedelta(days=400)  # as `now`'s until (SPEC §7): no change within it is None
_FIRST_REACH = dt.timedelta(days=3)


@dataclass(frozen=True, slots=True)
class LevelAt:
    """One level at an instant: inside its coverage or not, who is on call in the order a
    caller rings them, and the next instant either changes (None: not within 400 days)."""

    level: Level
    active: bool
    who: tuple[str, ...]
    until: dt.datetime | None

    @property
    def is_gap(self) -> bool:
        return self.active and not self.who


def levels_at(roster: Roster, team: Team, at: dt.datetime) -> list[LevelAt]:
    """Each level of ``team`` at ``at``: the one place the dial plan learns who is on call.

    Each level is compiled from ``at`` on, so that its first stretch starts at the instant and
    gives the order at the instant (a stretch keeps the order of its start). The compiled
    range widens until the state (coverage, or who in order) changes, up to 400 days."""
    calendar = TeamCalendar(team)
    return [_level_at(roster, team, level, at, calendar) for level in team.levels]


def _level_at(
    roster: Roster, team: Team, level: Level, at: dt.datetime, calendar: TeamCalendar
) -> LevelAt:
    reach = _FIRST_REACH
    while True:
        end = at + min(reach, HORIZON) + dt.timedelta(seconds=1)
        timeline = compile_level(roster, team, level, at, end, calendar)
        first = timeline.stretches[0]
        for stretch in timeline.stretches[1:]:
            if (stretch.active, stretch.who) != (first.active, first.who):
                return LevelAt(level, first.active, first.who, stretch.start)
        if reach >= HORIZON:
            return LevelAt(level, first.active, first.who, None)
        reach *= 4


@dataclass(frozen=True, slots=True)
class DialStep:
    """Ring ``number`` (E.164) for ``ring``; ``level`` is None for the team's fallback."""

    level: int | None
    who: str
    name: str
    number: str
    ring: dt.timedelta

    @property
    def ring_seconds(self) -> int:
        return int(self.ring.total_seconds())


@dataclass(frozen=True, slots=True)
class Skipped:
    """Someone the plan would ring, left out because no phone number is on file."""

    level: int | None
    who: str
    name: str


@dataclass(frozen=True, slots=True)
class DialPlan:
    """The steps a phone system rings in order for a call arriving at ``at``.

    ``valid_until`` is the next instant the plan changes (None: not within 400 days); ``gaps``
    the levels inside their coverage with nobody on call; ``unreached`` the levels inside their
    coverage that no step rings (a gap, or nobody with a number)."""

    team: Team
    at: dt.datetime
    steps: tuple[DialStep, ...]
    skipped: tuple[Skipped, ...]
    gaps: tuple[int, ...]
    unreached: tuple[int, ...]
    valid_until: dt.datetime | None

    @property
    def has_fallback_step(self) -> bool:
        return any(step.level is None for step in self.steps)

    @property
    def can_go_unanswered(self) -> bool:
        """Nobody to ring at all, or a level that should answer and no fallback after it: the
        phone system's own fixed fallback must take the call (README, exit code 3)."""
        return not self.steps or (bool(self.unreached) and not self.has_fallback_step)


def dial_plan(roster: Roster, team: Team, at: dt.datetime) -> DialPlan:
    """The dial plan of ``team`` for a call arriving at ``at``."""
    return plan_from_levels(roster, team, at, levels_at(roster, team, at))


def plan_from_levels(
    roster: Roster, team: Team, at: dt.datetime, levels: Sequence[LevelAt]
) -> DialPlan:
    """The dial plan from each level's state at ``at`` (:func:`levels_at`)."""
    steps: list[DialStep] = []
    skipped: list[Skipped] = []
    unreached: list[int] = []

    def add(level: int | None, person_id: str, ring: dt.timedelta) -> bool:
        person = roster.people[person_id]
        if any(step.who == person_id for step in steps):
            return True  # already rung by an earlier step: once is enough
        if person.phone is None:
            skipped.append(Skipped(level, person.id, person.name))
            return False
        steps.append(DialStep(level, person.id, person.name, person.phone, ring))
        return True

    for state in levels:
        rung = [add(state.level.number, who, state.level.ring) for who in state.who]
        if state.active and not any(rung):
            unreached.append(state.level.number)
    if team.fallback is not None:
        add(None, team.fallback, FALLBACK_RING)
    changes = [state.until for state in levels if state.until is not None]
    return DialPlan(
        team=team,
        at=at,
        steps=tuple(steps),
        skipped=tuple(skipped),
        gaps=tuple(state.level.number for state in levels if state.is_gap),
        unreached=tuple(unreached),
        valid_until=min(changes) if changes else None,
    )
