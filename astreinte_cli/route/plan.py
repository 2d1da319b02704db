"""The dial plan of a team at an instant: whom a phone system rings, in order, for how long each.

The plan takes the levels that have someone on call at the instant, each person in the order
at the instant (the order a caller should ring, SPEC §8), and ends with the team's fallback. A
level that is off (outside its coverage) or empty (a gap) is skipped, as a switchboard skips a
level it cannot ring. Each step rings for its level's ``ring`` (the fallback for
:data:`FALLBACK_RING`): a ring time in seconds, not the level's ``escalate_after``, which is
how long the level has to deal with a call it answered.

Who is on call at each level, in which order and on which number, is `now`'s answer
(:func:`levels_at`): `route` and `now` cannot disagree. Someone on call at two levels (or on
call and the fallback) is rung once, at the first of them. Phone numbers come from the people
files and ``*.local.yaml`` only (the roster), never from a published document. Someone the
plan would ring who has no number is left out and listed in :attr:`DialPlan.skipped`. Pure:
the instant and the clock are arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from astreinte_cli.answers import Contact, LevelAnswer, OnCall
from astreinte_cli.model import Level, Roster, Team
from astreinte_cli.query import contact, level_answer, team_now

FALLBACK_RING = dt.timedelta(seconds=20)  # the fallback has no level: the default ring time


@dataclass(frozen=True, slots=True)
class LevelAt:
    """One level at an instant: `now`'s answer for it (who is on call in the order at the
    instant, their numbers, why they are there) and the next instant a caller would meet
    another state (None: not within 400 days)."""

    level: Level
    answer: LevelAnswer
    until: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.answer.active

    @property
    def who(self) -> tuple[str, ...]:
        return tuple(person.id for person in self.answer.on_call)

    @property
    def is_gap(self) -> bool:
        return self.answer.is_gap


def levels_at(roster: Roster, team: Team, at: dt.datetime) -> list[LevelAt]:
    """Each level of ``team`` at ``at``: the one place the dial plan learns who is on call.

    It is `now`'s answer, made by the same code (:func:`astreinte_cli.query.team_answer`,
    which `now` uses outside its precompiled window and which the window is checked against):
    the detailed compilation around the instant, so that `now` and the dial plan never differ
    on who is on call nor on their order. ``until`` is the level's next change of coverage or
    of who in order (:attr:`~astreinte_cli.query.LevelNow.next_change`): a change of the
    order alone changes the plan."""
    return [
        LevelAt(state.level, level_answer(roster, team, state), state.next_change)
        for state in team_now(roster, team, at)
    ]


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

    def add(level: int | None, person: Contact | OnCall, ring: dt.timedelta) -> bool:
        if any(step.who == person.id for step in steps):
            return True  # already rung by an earlier step: once is enough
        if person.phone is None:
            skipped.append(Skipped(level, person.id, person.name))
            return False
        steps.append(DialStep(level, person.id, person.name, person.phone, ring))
        return True

    for state in levels:
        rung = [add(state.level.number, p, state.level.ring) for p in state.answer.on_call]
        if state.active and not any(rung):
            unreached.append(state.level.number)
    if team.fallback is not None:
        add(None, contact(roster, team.fallback), FALLBACK_RING)
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
