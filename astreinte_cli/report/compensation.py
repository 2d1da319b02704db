"""The compensation of astreinte time: portions of coverage by day, held pro rata; the week and
weekend bundles that replace them when held whole; the per-hour rate; and each person's total,
rounded once, split between money and rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from astreinte_cli.intervals import Interval, Intervals, clip, intersect, union
from astreinte_cli.model import Compensation
from astreinte_cli.report.month import TeamMonth
from astreinte_cli.report.results import CENT, Line, apportion, cents, hours, rounded

PORTIONS = ("weeknight", "saturday", "sunday", "holiday")
BUNDLES = ("week", "weekend")


@dataclass(frozen=True, slots=True)
class Portion:
    kind: str  # weeknight, saturday, sunday, holiday
    day: dt.date
    intervals: Intervals

    @property
    def length(self) -> dt.timedelta:
        return sum((e - s for s, e in self.intervals), dt.timedelta(0))


@dataclass(frozen=True, slots=True)
class Settlement:
    """A person's amounts as shown: each astreinte line and intervention to the cent, adding up
    to the total (the exact sum rounded once); the part of the astreinte compensation given as
    rest, and what is paid. Interventions are working time: always paid (L3121-9)."""

    lines: tuple[Decimal, ...]  # the astreinte lines, in order
    interventions: tuple[Decimal | None, ...]  # each intervention (None: no rate in force)
    astreinte: Decimal
    intervention_pay: Decimal
    total: Decimal
    rest_amount: Decimal
    money: Decimal
    rest_hours: Decimal


def portions(team_month: TeamMonth, coverage: Intervals) -> list[Portion]:
    found: dict[tuple[dt.date, str], list[Interval]] = {}
    last_key: tuple[dt.date, str] | None = None
    last_end: dt.datetime | None = None
    for day, start, end in team_month.by_day(coverage):
        day_start, day_end = team_month.calendar.day_bounds(day)
        category: str = team_month.category(day)
        key: tuple[dt.date, str]
        if category != "weekday":
            key = (day, category)
        elif start == day_start and last_end == start and end < day_end and last_key is not None:
            key = last_key  # the end of the previous day's night
        else:
            key = (day, "weeknight")
        found.setdefault(key, []).append((start, end))
        last_key, last_end = key, end
    return [Portion(kind, day, union(parts)) for (day, kind), parts in found.items()]


def month_share(team_month: TeamMonth, portions: Sequence[Portion]) -> Fraction:
    """The part of a bundle that falls in the month: its portions' time, by their day."""
    total = sum((p.length for p in portions), dt.timedelta(0))
    inside = sum((p.length for p in portions if p.day in team_month.month), dt.timedelta(0))
    return Fraction(int(inside.total_seconds()), int(total.total_seconds()))


def astreinte_lines(
    team_month: TeamMonth, person: str, held: Intervals, compensation: Compensation
) -> list[Line]:
    found = portions(team_month, team_month.coverage_of(person))
    fraction: dict[tuple[dt.date, str], Fraction] = {}
    for portion in found:
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
        starts = sorted({p.day - dt.timedelta(days=(p.day.weekday() - weekday) % 7) for p in found})
        for first in starts:
            members = [
                (p.day, p.kind)
                for p in found
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
            share = month_share(team_month, [p for p in found if (p.day, p.kind) in members])
            if share:
                add(kind, share, share * Fraction(rates.bundles[kind]))
    for portion in found:
        key = (portion.day, portion.kind)
        if key in bundled or portion.day not in team_month.month or not fraction[key]:
            continue
        rates = compensation.rates_on(portion.day)
        if rates is None or rates.per_hour is not None:
            continue
        amount = rates.portions.get(portion.kind)
        add(portion.kind, fraction[key], fraction[key] * Fraction(amount or 0))
    for day, start, end in team_month.by_day(clip(held, team_month.start, team_month.end)):
        rates = compensation.rates_on(day)
        if rates is not None and rates.per_hour is not None:
            count = hours(end - start)
            add("per_hour", count, count * Fraction(rates.per_hour))
    order = (*PORTIONS, *BUNDLES, "per_hour")
    return [Line(k, counts[k], amounts[k]) for k in order if k in counts]


def settle(
    lines: Sequence[Fraction],
    interventions: Sequence[Fraction | None],
    compensation: Compensation | None,
) -> Settlement:
    """The exact amounts shown to the cent (:func:`apportion`); ``rest_share`` of the astreinte
    compensation given as rest, at ``rest_hour_value`` per hour; everything else paid."""
    priced = [a for a in interventions if a is not None]
    shown = apportion([*lines, *priced])
    line_cents = tuple(shown[: len(lines)])
    priced_cents = iter(shown[len(lines) :])
    intervention_cents = tuple(next(priced_cents) if a is not None else None for a in interventions)
    astreinte = sum(line_cents, Decimal("0.00"))
    intervention_pay = sum((c for c in intervention_cents if c is not None), Decimal("0.00"))
    total = astreinte + intervention_pay
    rest_amount, rest_hours = Decimal("0.00"), Decimal("0.00")
    if compensation is not None and compensation.rest_share:
        rest_amount = cents(Fraction(astreinte) * Fraction(compensation.rest_share))
        value = compensation.rest_hour_value
        if value is not None:
            rest_hours = rounded(Fraction(rest_amount) / Fraction(value), CENT)
    return Settlement(
        line_cents,
        intervention_cents,
        astreinte,
        intervention_pay,
        total,
        rest_amount,
        total - rest_amount,
        rest_hours,
    )
