"""What `now` answers about a team at an instant, as plain values: who is on call at each level
and why, since and until when, what comes next, and whom to call in turn.

Two ways lead here and give the same values: compiling the roster around the instant
(:func:`astreinte_cli.query.team_answer`) and looking the instant up in a team's precompiled
window (:mod:`astreinte_cli.window`). The views (`now`'s text and its JSON document) read only
these values. This module imports nothing of the model: a looked-up answer is made and shown
without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from astreinte_cli.i18n import _


class Contact(NamedTuple):
    """A person (or a service) as `now` shows them."""

    id: str
    name: str
    phone: str | None  # E.164


class OnCall(NamedTuple):
    """Someone on call at a level, and why they are there (SPEC §7: ``standing_in_for``,
    ``on_leave``, ``reason``)."""

    id: str
    name: str
    phone: str | None
    standing_in_for: Contact | None = None  # on leave, their place taken (§6 `next`)
    on_leave: bool = False  # on call while on leave (§6 `flag`, or put there by an override)
    override: int | None = None  # the override that put them there (its number, from 1)
    reason: str | None = None  # that override's reason


class Next(NamedTuple):
    """The state a level enters at ``until``: active or not, and who."""

    active: bool
    who: tuple[Contact, ...]

    @property
    def is_gap(self) -> bool:
        return self.active and not self.who


class LevelAnswer(NamedTuple):
    number: int  # from 1
    name: str
    escalate_after: dt.timedelta
    instructions: str | None
    active: bool  # inside the level's coverage
    on_call: tuple[OnCall, ...]  # in the order at the instant: the order a caller rings
    source: str | None
    since: dt.datetime | None  # start of the stretch of unchanged state; None past 400 days
    until: dt.datetime | None  # its end; None past 400 days
    next: Next | None  # the state from ``until`` (None when ``until`` is)

    @property
    def is_gap(self) -> bool:
        return self.active and not self.on_call


class TeamAnswer(NamedTuple):
    id: str
    name: str
    timezone: str
    instructions: str | None
    fallback: Contact | None
    business_hours: bool  # the instant is inside the team's business hours
    levels: tuple[LevelAnswer, ...]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def off(self) -> bool:
        """No level is in its coverage: astreinte does not apply at the instant."""
        return not any(level.active for level in self.levels)

    @property
    def resumes(self) -> dt.datetime | None:
        """When the first level comes back into its coverage, while all are off (None: not
        within 400 days)."""
        ends = [level.until for level in self.levels if level.until is not None]
        return min(ends) if ends else None

    @property
    def has_gap(self) -> bool:
        return any(level.is_gap for level in self.levels)


class Step(NamedTuple):
    """One step of the escalation chain: whom to call, and how long after the first call."""

    label: str
    who: tuple[Contact, ...]
    after: dt.timedelta


Who = TypeVar("Who")


def chain_steps(
    levels: Iterable[tuple[int, dt.timedelta, tuple[Who, ...]]], fallback: Who | None
) -> Iterator[tuple[int | None, tuple[Who, ...], dt.timedelta]]:
    """The escalation chain as (level number, or None for the fallback; who; delay after the
    first call): the levels that have someone on call, each with its level's number, delay and
    people, then the fallback.

    A level that is off or empty is skipped, as a switchboard would skip it; its delay does
    not count."""
    elapsed = dt.timedelta(0)
    for number, escalate_after, who in levels:
        if who:
            yield number, who, elapsed
            elapsed += escalate_after
    if fallback is not None:
        yield None, (fallback,), elapsed


def escalation(team: TeamAnswer) -> list[Step]:
    """The escalation chain of ``team`` at the instant of its answer."""
    levels = (
        (level.number, level.escalate_after, tuple(Contact(*p[:3]) for p in level.on_call))
        for level in team.levels
    )
    return [
        Step(step_label(number), who, after)
        for number, who, after in chain_steps(levels, team.fallback)
    ]


def step_label(number: int | None) -> str:
    """``level 2``, or ``fallback`` for None."""
    return _("fallback") if number is None else _("level {number}").format(number=number)
