"""The validated roster: frozen values, each keeping the :class:`Span` it was read from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

from astreinte_cli.diagnostics import Span
from astreinte_cli.times import Period, TimeRange, WallTime

Weekday = int  # 0 = Monday … 6 = Sunday, as datetime.date.weekday()


def _empty_spans() -> Mapping[str, Span]:
    return MappingProxyType({})


# --------------------------------------------------------------------------- windows (§4)


@dataclass(frozen=True, slots=True)
class WeeklyMap:
    """Time ranges per local weekday; a range belongs to the day it starts on."""

    days: tuple[tuple[Weekday, TimeRange], ...]


WindowName = Literal[
    "always", "business hours", "outside business hours", "holidays", "weekends", "weekdays"
]


@dataclass(frozen=True, slots=True)
class NamedWindow:
    name: WindowName
    span: Span


@dataclass(frozen=True, slots=True)
class UnionWindow:
    parts: tuple[Window, ...]


@dataclass(frozen=True, slots=True)
class ExceptWindow:
    base: Window
    minus: Window


Window = WeeklyMap | NamedWindow | UnionWindow | ExceptWindow


# --------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    kind: Literal["person", "service"]
    phone: str | None  # E.164
    email: str | None
    span: Span

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


@dataclass(frozen=True, slots=True)
class Leave:
    person: str
    period: Period
    span: Span


# --------------------------------------------------------------------------- teams


@dataclass(frozen=True, slots=True)
class MemberChange:
    start: WallTime
    members: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Rotation:
    name: str
    members: tuple[str, ...]
    start: WallTime | None
    every: dt.timedelta
    per_turn: int
    only: Window
    count: Literal["calendar", "active"]
    changes: tuple[MemberChange, ...]
    end: WallTime | None
    span: Span
    spans: Mapping[str, Span] = field(default_factory=_empty_spans)

    @property
    def everyone(self) -> tuple[str, ...]:
        """Every member the rotation names, in first-appearance order."""
        seen = dict.fromkeys(self.members)
        for change in self.changes:
            seen.update(dict.fromkeys(change.members))
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Level:
    number: int  # 1-based
    name: str
    escalate_after: dt.timedelta
    instructions: str | None
    coverage: Window | None  # None: the team's coverage
    rotations: tuple[Rotation, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Override:
    index: int  # 1-based position in the team's overrides
    level: int
    who: tuple[str, ...]
    period: Period
    replaces: str | None
    reason: str | None
    exceptional: bool
    span: Span

    @property
    def source(self) -> str:
        return f"override:{self.index}"


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    country: str
    subdiv: str | None
    add: tuple[dt.date, ...]
    remove: tuple[dt.date, ...]


@dataclass(frozen=True, slots=True)
class BusinessHours:
    weekly: WeeklyMap
    closed: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    timezone: str
    holidays: HolidayCalendar | None
    business_hours: BusinessHours | None
    coverage: Window
    on_leave: Literal["flag", "next"]
    fallback: str | None
    instructions: str | None
    levels: tuple[Level, ...]
    overrides: tuple[Override, ...]
    path: str
    span: Span
    spans: Mapping[str, Span] = field(default_factory=_empty_spans)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def level(self, number: int) -> Level:
        return self.levels[number - 1]


@dataclass(frozen=True, slots=True)
class Roster:
    people: Mapping[str, Person]
    leave: tuple[Leave, ...]
    teams: tuple[Team, ...]
    files: tuple[str, ...]

    def team(self, team_id: str) -> Team:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)

    def leave_of(self, person: str) -> tuple[Leave, ...]:
        return tuple(item for item in self.leave if item.person == person)
