"""The validated roster: frozen values, each keeping the :class:`Span` it was read from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
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
    """One of the windows the format names (``business hours``, ``holidays``…)."""

    name: WindowName
    span: Span


@dataclass(frozen=True, slots=True)
class UnionWindow:
    """Every instant of any of ``parts``."""

    parts: tuple[Window, ...]


@dataclass(frozen=True, slots=True)
class ExceptWindow:
    """The instants of ``base`` that are not in ``minus``."""

    base: Window
    minus: Window


Window = WeeklyMap | NamedWindow | UnionWindow | ExceptWindow


# --------------------------------------------------------------------------- people


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who can be on call, or a service (a switchboard, a contractor) that can."""

    id: str
    name: str
    kind: Literal["person", "service"]
    phone: str | None  # E.164
    email: str | None
    span: Span
    # Their own working hours (part-time, or on call for a team they do not work in), read in
    # the zone of each team that asks; None: the working hours of that team.
    work_hours: Window | None = None

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


@dataclass(frozen=True, slots=True)
class Leave:
    """A person away over ``period``: what the team's ``on_leave`` does with their turns."""

    person: str
    period: Period
    span: Span


# Person → their leave entries, each with its position in the roster's ``leave``, in that order.
LeaveIndex = Mapping[str, tuple[tuple[int, Leave], ...]]


def index_leave(leave: Iterable[Leave]) -> LeaveIndex:
    """The :data:`LeaveIndex` of ``leave`` (the roster's, in file order)."""
    found: dict[str, list[tuple[int, Leave]]] = {}
    for position, item in enumerate(leave):
        found.setdefault(item.person, []).append((position, item))
    return MappingProxyType({person: tuple(entries) for person, entries in found.items()})


# --------------------------------------------------------------------------- teams


@dataclass(frozen=True, slots=True)
class MemberChange:
    """From the first handoff at or after ``start``, the rotation goes on with ``members``."""

    start: WallTime
    members: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Rotation:
    """Members taking turns of length ``every``, ``per_turn`` at a time, within ``only``."""

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
    """One escalation level of a team: its rotations, layered, and how long to wait before
    calling the next level.

    ``escalate_after`` is how long the level has to deal with a call before the next level is
    called; ``ring`` is how long a phone system lets one of its phones ring before it tries
    the next step of the dial plan (`astreinte route`): seconds, not minutes."""

    number: int  # 1-based
    name: str
    escalate_after: dt.timedelta
    instructions: str | None
    coverage: Window | None  # None: the team's coverage
    rotations: tuple[Rotation, ...]
    span: Span
    ring: dt.timedelta = dt.timedelta(seconds=20)


@dataclass(frozen=True, slots=True)
class Override:
    """``who`` on call at ``level`` over ``period``; with ``replaces``, only where that person is
    on call, and in their place alone."""

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
    """Whose public holidays count: a country (and subdivision), with days added or removed."""

    country: str
    subdiv: str | None
    add: tuple[dt.date, ...]
    remove: tuple[dt.date, ...]
    # Days the ``holidays`` package lists that are local customs rather than legal holidays
    # (overseas: Mi-Carême, Good Friday, 21 July…): left out unless asked for.
    local_customs: bool = False


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """The team's business hours: weekly ranges, less the ``closed`` periods."""

    weekly: WeeklyMap
    closed: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class MaxShare:
    """Fairness limits: the largest allowed spread between the most and the least loaded
    members of a rotation over the checked horizon. None: that measure is not checked."""

    hours: float | None = None
    nights: int | None = None
    weekends: int | None = None
    holidays: int | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    """The team's limits that ``check`` enforces (``rules:``); None turns a rule off.

    ``notice_days`` defaults to 15 (Code du travail L3121-12), read from git or from the
    publication log (``notice_from``); ``min_rest_hours`` is the daily rest, 11 hours by
    default (L3131-1), the weekly rest being 24 hours more (L3132-2); the others are off unless
    set. ``spans`` locates each key that the roster wrote, for findings to point at.
    """

    notice_days: int | None = 15
    max_consecutive_turns: int | None = None
    min_rest_hours: float | None = 11.0
    max_share: MaxShare | None = None
    spans: Mapping[str, Span] = field(default_factory=_empty_spans)
    notice_from: Literal["git", "publication"] = "git"


# --------------------------------------------------------------------------- compensation


PortionKind = Literal["weeknight", "saturday", "sunday", "holiday"]
BundleKind = Literal["week", "weekend"]


@dataclass(frozen=True, slots=True)
class Uplifts:
    """Fractions added to an hourly rate (0.25 for +25 %) on night, Sunday, holiday, 1 May."""

    night: Decimal = Decimal(0)
    sunday: Decimal = Decimal(0)
    holiday: Decimal = Decimal(0)
    may_1: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class HourlyRate:
    """An hourly rate with its uplifts: intervention pay, or the price billed to a client."""

    hourly: Decimal
    uplifts: Uplifts


@dataclass(frozen=True, slots=True)
class RateSet:
    """The amounts in force from ``start`` (a local date; None: from the beginning)."""

    start: dt.date | None
    portions: Mapping[str, Decimal]  # PortionKind → flat amount per held portion
    bundles: Mapping[str, Decimal]  # BundleKind → flat amount per wholly held bundle
    per_hour: Decimal | None
    intervention: HourlyRate | None
    billing: HourlyRate | None
    span: Span


@dataclass(frozen=True, slots=True)
class Compensation:
    """A team's ``compensation:``: how astreinte and interventions are compensated.

    ``rest_share`` is the part of every amount given as rest (0 for ``money``, 1 for ``rest``);
    ``rest_hour_value`` converts an amount into hours of rest."""

    mode: Literal["money", "rest", "mixed"]
    rest_share: Decimal
    rest_hour_value: Decimal | None
    night: TimeRange
    stack: bool
    min_billed: dt.timedelta
    travel_counts: bool
    rates: tuple[RateSet, ...]  # in increasing order of start
    span: Span

    def rates_on(self, day: dt.date) -> RateSet | None:
        """The rate set in force on the local date ``day``, or None before the first."""
        found = None
        for rates in self.rates:
            if rates.start is None or rates.start <= day:
                found = rates
        return found


# --------------------------------------------------------------------------- interventions


@dataclass(frozen=True, slots=True)
class Intervention:
    """A call-out from the ``interventions:`` log; instants in UTC, read in the team's zone."""

    person: str
    team: str
    start: dt.datetime
    end: dt.datetime
    travel: dt.timedelta
    client: str | None
    note: str | None
    span: Span

    @property
    def worked(self) -> dt.timedelta:
        """Working time: the call-out itself, travel excluded."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Team:
    """A team: its zone, coverage, levels, overrides, rules and compensation; ``path`` is the
    file it was read from."""

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
    rules: Rules = field(default_factory=Rules)
    compensation: Compensation | None = None
    # The working hours of the team's staff (None: its business hours): the work that rest is
    # measured from, with interventions.
    work_hours: Window | None = None
    # "shifts": its rotations are on-site working shifts (working time), not astreinte: the
    # shifts are the staff's work, and the monthly astreinte document leaves the team out.
    kind: Literal["astreinte", "shifts"] = "astreinte"
    organisation: str | None = None  # the employer, named on the monthly document

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def level(self, number: int) -> Level:
        return self.levels[number - 1]


@dataclass(frozen=True, slots=True)
class Roster:
    """Everything the roster files say: people, leave, teams and the interventions log.

    ``leave_by_person`` is ``leave`` indexed by person, made with the roster: compiling a
    level, or checking a team, looks at the leave of its own people, where a scan of the whole
    roster's leave for each would make the time grow with the square of the organisation's
    size. It is derived, never passed: the roster cache stores the fields that are, and the
    index is made again as the roster is, which costs less than reading it back would."""

    people: Mapping[str, Person]
    leave: tuple[Leave, ...]
    teams: tuple[Team, ...]
    files: tuple[str, ...]
    interventions: tuple[Intervention, ...] = ()
    leave_by_person: LeaveIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "leave_by_person", index_leave(self.leave))

    def names(self, who: Iterable[str]) -> str:
        """``Alice Martin, Bob Lefèvre``: the display names of ``who``, in that order."""
        return ", ".join(self.people[p].name for p in who)

    def team(self, team_id: str) -> Team:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)
