"""The monthly astreinte document (Code du travail R3124-4): hours and compensation. Pure.

Everything is computed on UTC instants and cut at the team's local midnights, so the 23- and
25-hour days of a DST change count for what they last. Definitions (also in the README):

- **Hours held**: time in which the person is in ``who`` of an active stretch of any level of
  the team, split by the local calendar day it falls on: ``holiday`` (a public holiday of the
  team's calendar) wins over ``sunday``, which wins over ``saturday``; else ``weekday``.
- **Turns**: the distinct rotation turns (one per rotation and handoff) and overrides through
  which the person was on call at some time in the month.
- **Portions** (flat amounts): the coverage of the levels the person is on is cut at local
  midnights. Coverage on a Saturday, a Sunday or a holiday forms that day's portion
  (``saturday``, ``sunday``, ``holiday``). Coverage on a working day forms the ``weeknight``
  portion of that day, except a piece that starts at midnight, continues the previous day's
  coverage and ends before the next midnight: that is the end of the previous night, and
  belongs to the previous day's portion (Tuesday 00:00-09:00 to Monday's night, Monday
  00:00-09:00 to Sunday's portion). A portion belongs to the month of its day.
- **Held**: a portion is paid pro rata of the time held: a night split by a swap at 02:00
  pays each person their share, so no swap loses or creates money.
- **Bundles**: the ``week`` (the portions of Monday to Sunday) and the ``weekend`` (the
  portions of Friday, Saturday and Sunday) are paid as one amount when the person holds every
  one of their portions wholly; the bundle then replaces those portions, holidays included. A
  week wins over a weekend, a weekend over portions. A bundle that spans two months is shared
  between them pro rata of its portions' time (each portion by its day), so the monthly
  documents of a year add up to the bundles held.
- **Per hour**: when the rate set in force on a day gives ``per_hour``, that day's hours are
  paid at that rate instead of portions.
- **Interventions**: worked time plus travel (``travel_counts``), at least ``min_billed``, at
  the hourly rate in force on the day it starts, each minute with its uplift (night, Sunday,
  holiday, 1 May: the largest, or their sum with ``stack: true``); travel and the top-up to the
  minimum take the uplift of the first minute. An intervention belongs to the month it starts.
- **Amounts** are exact until the end: each person's total is rounded once, to the cent,
  half up. ``rest_share`` of it is given as rest, at ``rest_hour_value`` per hour.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from astreinte_cli.compile import TeamTimeline, compile_team, rotation_turns
from astreinte_cli.intervals import Interval, Intervals, clip, intersect, union
from astreinte_cli.model import (
    Compensation,
    HourlyRate,
    Intervention,
    RateSet,
    Roster,
    Team,
    WeeklyMap,
)
from astreinte_cli.rest import DAILY_REST, person_work, rest_due
from astreinte_cli.times import midnight, place
from astreinte_cli.windows import TeamCalendar

Category = Literal["weekday", "saturday", "sunday", "holiday"]
CATEGORIES: tuple[Category, ...] = ("weekday", "saturday", "sunday", "holiday")
PORTIONS = ("weeknight", "saturday", "sunday", "holiday")
BUNDLES = ("week", "weekend")
CENT = Decimal("0.01")
MARGIN = dt.timedelta(days=9)  # compiled around the month, so that bundles can be decided


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``YYYY-MM``; ValueError otherwise."""
        year, _dash, month = text.strip().partition("-")
        if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
            raise ValueError(f"'{text}' is not a month")
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12 or not 1900 <= value.year < 3000:
            raise ValueError(f"'{text}' is not a month")
        return value

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next_first(self) -> dt.date:
        return dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)

    def days(self) -> list[dt.date]:
        count = (self.next_first - self.first).days
        return [self.first + dt.timedelta(days=n) for n in range(count)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day < self.next_first

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Line:
    """One compensated item: ``count`` portions or bundles (pro rata: a fraction) of a kind."""

    kind: str  # weeknight, saturday, sunday, holiday, week, weekend, per_hour
    count: Fraction  # portions held, or hours for per_hour
    amount: Fraction


@dataclass(frozen=True, slots=True)
class InterventionLine:
    intervention: Intervention
    billed: dt.timedelta  # worked + travel (when it counts), at least the minimum
    categories: tuple[str, ...]  # night, sunday, holiday, may_1: where some minute falls
    amount: Fraction | None  # None: no intervention rate in force
    resume_at: dt.datetime | None  # earliest return to work, when the rest was interrupted


@dataclass(frozen=True, slots=True)
class PersonReport:
    team: str
    person: str
    name: str
    service: bool
    hours: dict[Category, dt.timedelta]
    turns: int
    lines: tuple[Line, ...]
    interventions: tuple[InterventionLine, ...]
    compensated: bool  # the team defines compensation (and the person is not a service)
    total: Decimal  # rounded once, to the cent
    money: Decimal
    rest_hours: Decimal  # hours of rest earned, to the hundredth

    @property
    def held(self) -> dt.timedelta:
        return sum(self.hours.values(), dt.timedelta(0))

    @property
    def intervention_time(self) -> dt.timedelta:
        return sum((i.intervention.worked for i in self.interventions), dt.timedelta(0))

    @property
    def travel(self) -> dt.timedelta:
        return sum((i.intervention.travel for i in self.interventions), dt.timedelta(0))


@dataclass(frozen=True, slots=True)
class BillingLine:
    client: str
    intervention: Intervention
    billed: dt.timedelta
    categories: tuple[str, ...]
    base: Fraction | None  # billed hours × hourly rate
    surcharge: Fraction | None  # the uplifts' part


@dataclass(frozen=True, slots=True)
class MonthReport:
    month: Month
    teams: tuple[Team, ...]
    people: tuple[PersonReport, ...]
    services: tuple[PersonReport, ...]
    billing: tuple[BillingLine, ...] = field(default=())


def cents(value: Fraction) -> Decimal:
    """Exact value → euros, rounded half up to the cent."""
    return _round(value, CENT)


def _round(value: Fraction, quantum: Decimal) -> Decimal:
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if value.denominator != 1
        else (Decimal(value.numerator))
    )
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def hours(delta: dt.timedelta) -> Fraction:
    return Fraction(int(delta.total_seconds()), 3600)


# --------------------------------------------------------------------------- the report


def month_report(
    roster: Roster,
    teams: Sequence[Team],
    month: Month,
    person: str | None = None,
) -> MonthReport:
    people: list[PersonReport] = []
    services: list[PersonReport] = []
    billing: list[BillingLine] = []
    for team in teams:
        team_report = _TeamMonth(roster, team, month)
        for found in team_report.people():
            if person is not None and found.person != person:
                continue
            (services if found.service else people).append(found)
        billing += [
            b for b in team_report.billing() if person is None or b.intervention.person == person
        ]
    billing.sort(key=lambda b: (b.client, b.intervention.start))
    return MonthReport(month, tuple(teams), tuple(people), tuple(services), tuple(billing))


@dataclass(frozen=True, slots=True)
class Portion:
    kind: str  # weeknight, saturday, sunday, holiday
    day: dt.date
    intervals: Intervals

    @property
    def length(self) -> dt.timedelta:
        return sum((e - s for s, e in self.intervals), dt.timedelta(0))


class _TeamMonth:
    def __init__(self, roster: Roster, team: Team, month: Month) -> None:
        self.roster = roster
        self.team = team
        self.month = month
        self.calendar = TeamCalendar(team)
        zone = team.zone
        self.start = place(midnight(month.first), zone)
        self.end = place(midnight(month.next_first), zone)
        self.wide_start, self.wide_end = self.start - MARGIN, self.end + MARGIN
        self.timeline: TeamTimeline = compile_team(roster, team, self.wide_start, self.wide_end)
        first = month.first - dt.timedelta(days=12)
        last = month.next_first + dt.timedelta(days=12)
        self.holidays = self.calendar.holiday_names(first, last)
        self.compensation: Compensation | None = team.compensation
        self.interventions = [i for i in roster.interventions if i.team == team.id]

    # ------------------------------------------------------------------ days

    def category(self, day: dt.date) -> Category:
        if day in self.holidays:
            return "holiday"
        if day.weekday() == 6:
            return "sunday"
        if day.weekday() == 5:
            return "saturday"
        return "weekday"

    def local_day(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.team.zone).date()

    def by_day(self, intervals: Intervals) -> Iterable[tuple[dt.date, dt.datetime, dt.datetime]]:
        """Each interval cut at local midnights, with the local date of each piece."""
        for start, end in intervals:
            cursor = start
            while cursor < end:
                day = self.local_day(cursor)
                _day_start, day_end = self.calendar.day_bounds(day)
                piece_end = min(end, day_end)
                yield day, cursor, piece_end
                cursor = piece_end

    # ------------------------------------------------------------------ people

    def on_call(self, person: str) -> Intervals:
        return union(
            (s.start, s.end) for lv in self.timeline.levels for s in lv.stretches if person in s.who
        )

    def coverage_of(self, person: str) -> Intervals:
        """The coverage of the levels on which the person is on call in the compiled range."""
        found: list[Interval] = []
        for level in self.timeline.levels:
            if any(person in s.who for s in level.stretches):
                found += [(s.start, s.end) for s in level.stretches if s.active]
        return union(found)

    def everyone(self) -> list[str]:
        seen: dict[str, None] = {}
        for level in self.timeline.levels:
            for stretch in level.stretches:
                if stretch.end > self.start and stretch.start < self.end:
                    seen.update(dict.fromkeys(stretch.who))
        for item in self.interventions:
            if self.local_day(item.start) in self.month:
                seen.setdefault(item.person, None)
        return sorted(seen)

    def people(self) -> list[PersonReport]:
        return [self.person(p) for p in self.everyone()]

    def person(self, person: str) -> PersonReport:
        info = self.roster.people[person]
        held = self.on_call(person)
        in_month = clip(held, self.start, self.end)
        per_category: dict[Category, dt.timedelta] = dict.fromkeys(CATEGORIES, dt.timedelta(0))
        for day, start, end in self.by_day(in_month):
            per_category[self.category(day)] += end - start
        turns = self.turns(person)
        compensation = None if info.is_service else self.compensation  # services: none
        compensated = compensation is not None
        lines: list[Line] = []
        interventions: list[InterventionLine] = []
        if not info.is_service:
            interventions = self.intervention_lines(person)
        if compensation is not None:
            lines = self.astreinte_lines(person, held, compensation)
        exact = sum((line.amount for line in lines), Fraction(0)) + sum(
            (i.amount for i in interventions if i.amount is not None), Fraction(0)
        )
        total = cents(exact)
        money, rest = total, Decimal("0.00")
        if compensation is not None:
            share = Fraction(compensation.rest_share)
            money = cents(exact * (1 - share))
            value = compensation.rest_hour_value
            if value is not None and share:
                rest = _round(exact * share / Fraction(value), CENT)
        return PersonReport(
            team=self.team.id,
            person=person,
            name=info.name,
            service=info.is_service,
            hours=per_category,
            turns=turns,
            lines=tuple(lines),
            interventions=tuple(interventions),
            compensated=compensated,
            total=total,
            money=money,
            rest_hours=rest,
        )

    @functools.cached_property
    def turn_spans(self) -> dict[tuple[int, str], list[Interval]]:
        """(level, rotation name) → its turns over the compiled range: the same for everyone."""
        return {
            (level.level.number, rotation.name): [
                (t.start, t.end)
                for t in rotation_turns(rotation, self.calendar, self.wide_start, self.wide_end)
            ]
            for level in self.timeline.levels
            for rotation in level.level.rotations
        }

    def turns(self, person: str) -> int:
        keys: set[tuple[int, str, dt.datetime | None]] = set()
        for level in self.timeline.levels:
            for stretch in level.stretches:
                if person not in stretch.who or stretch.source is None:
                    continue
                if stretch.end <= self.start or stretch.start >= self.end:
                    continue
                kind, _colon, name = stretch.source.partition(":")
                if kind == "override":
                    keys.add((level.level.number, stretch.source, None))
                    continue
                instant = max(stretch.start, self.start)
                for turn_start, turn_end in self.turn_spans.get((level.level.number, name), []):
                    if turn_start <= instant < turn_end:
                        keys.add((level.level.number, stretch.source, turn_start))
                        break
                else:
                    keys.add((level.level.number, stretch.source, None))
        return len(keys)

    # ------------------------------------------------------------------ astreinte amounts

    def portions(self, coverage: Intervals) -> list[Portion]:
        found: dict[tuple[dt.date, str], list[Interval]] = {}
        last_key: tuple[dt.date, str] | None = None
        last_end: dt.datetime | None = None
        for day, start, end in self.by_day(coverage):
            day_start, day_end = self.calendar.day_bounds(day)
            category: str = self.category(day)
            key: tuple[dt.date, str]
            if category != "weekday":
                key = (day, category)
            elif (
                start == day_start and last_end == start and end < day_end and last_key is not None
            ):
                key = last_key  # the end of the previous day's night
            else:
                key = (day, "weeknight")
            found.setdefault(key, []).append((start, end))
            last_key, last_end = key, end
        return [Portion(kind, day, union(parts)) for (day, kind), parts in found.items()]

    def month_share(self, portions: Sequence[Portion]) -> Fraction:
        """The part of a bundle that falls in the month: its portions' time, by their day."""
        total = sum((p.length for p in portions), dt.timedelta(0))
        inside = sum((p.length for p in portions if p.day in self.month), dt.timedelta(0))
        return Fraction(int(inside.total_seconds()), int(total.total_seconds()))

    def astreinte_lines(
        self, person: str, held: Intervals, compensation: Compensation
    ) -> list[Line]:
        portions = self.portions(self.coverage_of(person))
        fraction: dict[tuple[dt.date, str], Fraction] = {}
        for portion in portions:
            length = portion.length.total_seconds()
            part = sum(
                (e - s for s, e in intersect(held, portion.intervals)), dt.timedelta(0)
            ).total_seconds()
            fraction[(portion.day, portion.kind)] = Fraction(int(part), int(length))
        counts: dict[str, Fraction] = {}
        amounts: dict[str, Fraction] = {}

        def add(kind: str, count: Fraction, amount: Fraction) -> None:
            counts[kind] = counts.get(kind, Fraction(0)) + count
            amounts[kind] = amounts.get(kind, Fraction(0)) + amount

        bundled: set[tuple[dt.date, str]] = set()
        for kind, length_days, weekday in (("week", 7, 0), ("weekend", 3, 4)):
            starts = sorted(
                {p.day - dt.timedelta(days=(p.day.weekday() - weekday) % 7) for p in portions}
            )
            for first in starts:
                members = [
                    (p.day, p.kind)
                    for p in portions
                    if first <= p.day < first + dt.timedelta(days=length_days)
                ]
                rates = compensation.rates_on(first)
                if (
                    not members
                    or rates is None
                    or kind not in rates.bundles
                    or rates.per_hour is not None
                    or any(m in bundled for m in members)
                    or any(fraction[m] != 1 for m in members)
                ):
                    continue
                if kind == "weekend" and not any(d.weekday() >= 5 for d, _hours in members):
                    continue
                bundled.update(members)
                share = self.month_share([p for p in portions if (p.day, p.kind) in members])
                if share:
                    add(kind, share, share * Fraction(rates.bundles[kind]))
        for portion in portions:
            key = (portion.day, portion.kind)
            if key in bundled or portion.day not in self.month or not fraction[key]:
                continue
            rates = compensation.rates_on(portion.day)
            if rates is None or rates.per_hour is not None:
                continue
            amount = rates.portions.get(portion.kind)
            add(portion.kind, fraction[key], fraction[key] * Fraction(amount or 0))
        for day, start, end in self.by_day(clip(held, self.start, self.end)):
            rates = compensation.rates_on(day)
            if rates is not None and rates.per_hour is not None:
                count = hours(end - start)
                add("per_hour", count, count * Fraction(rates.per_hour))
        order = (*PORTIONS, *BUNDLES, "per_hour")
        return [Line(k, counts[k], amounts[k]) for k in order if k in counts]

    # ------------------------------------------------------------------ interventions

    @functools.cached_property
    def night(self) -> Intervals:
        night = self.compensation.night if self.compensation else None
        if night is None:
            return []
        weekly = WeeklyMap(tuple((day, night) for day in range(7)))
        return self.calendar.weekly(weekly, self.wide_start, self.wide_end)

    def pieces(self, item: Intervention) -> list[tuple[dt.timedelta, tuple[str, ...]]]:
        """The intervention cut where its categories change: (length, categories)."""
        night = self.night
        edges = {item.start, item.end}
        for s, e in night:
            edges.update(t for t in (s, e) if item.start < t < item.end)
        result = []
        for start, end in itertools.pairwise(sorted(edges)):
            for day, piece_start, piece_end in self.by_day([(start, end)]):
                tags = []
                if any(s <= piece_start < e for s, e in night):
                    tags.append("night")
                if day.weekday() == 6:
                    tags.append("sunday")
                if day in self.holidays:
                    tags.append("holiday")
                if day.month == 5 and day.day == 1:
                    tags.append("may_1")
                result.append((piece_end - piece_start, tuple(tags)))
        return result

    def billed(self, item: Intervention) -> dt.timedelta:
        compensation = self.compensation
        counted = item.worked
        if compensation is None or compensation.travel_counts:
            counted += item.travel
        if compensation is not None:
            counted = max(counted, compensation.min_billed)
        return counted

    def priced(self, item: Intervention, rate: HourlyRate) -> tuple[Fraction, Fraction]:
        """(base, uplift part) of an intervention at ``rate``."""
        stack = self.compensation is not None and self.compensation.stack
        pieces = self.pieces(item)
        extra = self.billed(item) - item.worked
        if pieces:
            pieces.append((extra, pieces[0][1]))
        hourly = Fraction(rate.hourly)
        base = uplift = Fraction(0)
        for length, tags in pieces:
            values = [Fraction(getattr(rate.uplifts, tag)) for tag in tags]
            factor = sum(values, Fraction(0)) if stack else max(values, default=Fraction(0))
            base += hours(length) * hourly
            uplift += hours(length) * hourly * factor
        return base, uplift

    def intervention_lines(self, person: str) -> list[InterventionLine]:
        mine = [i for i in self.roster.interventions if i.person == person]
        declared = self.declared_hours
        result = []
        for item in mine:
            if item.team != self.team.id or self.local_day(item.start) not in self.month:
                continue
            others = person_work(declared, [i for i in mine if i is not item])
            due = rest_due(item, others, DAILY_REST)
            rates = self.rates_for(item)
            amount = None
            if rates is not None and rates.intervention is not None:
                amount = sum(self.priced(item, rates.intervention), Fraction(0))
            categories = tuple(dict.fromkeys(t for _piece, tags in self.pieces(item) for t in tags))
            result.append(
                InterventionLine(
                    item,
                    self.billed(item),
                    categories,
                    amount,
                    due.resume_at if due is not None else None,
                )
            )
        return result

    def rates_for(self, item: Intervention) -> RateSet | None:
        if self.compensation is None:
            return None
        return self.compensation.rates_on(self.local_day(item.start))

    @functools.cached_property
    def declared_hours(self) -> Intervals:
        return self.calendar.business_hours(self.wide_start, self.wide_end)

    def billing(self) -> list[BillingLine]:
        result = []
        for item in self.interventions:
            if item.client is None or self.local_day(item.start) not in self.month:
                continue
            rates = self.rates_for(item)
            base = surcharge = None
            if rates is not None and rates.billing is not None:
                base, surcharge = self.priced(item, rates.billing)
            categories = tuple(dict.fromkeys(t for _piece, tags in self.pieces(item) for t in tags))
            result.append(
                BillingLine(item.client, item, self.billed(item), categories, base, surcharge)
            )
        return result


__all__ = [
    "CATEGORIES",
    "BillingLine",
    "InterventionLine",
    "Line",
    "Month",
    "MonthReport",
    "PersonReport",
    "cents",
    "hours",
    "month_report",
]
