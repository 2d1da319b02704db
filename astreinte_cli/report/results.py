"""What the monthly report finds: per person, hours, turns, compensated items and
interventions; per client, the billable interventions. Amounts stay exact (fractions) until
each person's total is rounded once, to the cent (:func:`cents`); the amounts shown on each
line are that total shared out by largest remainder (:func:`apportion`), so that the lines
shown add up to the total shown."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from astreinte_cli.model import Intervention, Team
from astreinte_cli.report.month import Category, Month

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Line:
    """One compensated item: ``count`` portions or bundles (pro rata: a fraction) of a kind."""

    kind: str  # weeknight, saturday, sunday, holiday, week, weekend, per_hour
    count: Fraction  # portions held, or hours for per_hour
    amount: Fraction
    shown: Decimal = Decimal("0.00")  # its share of the person's rounded total


@dataclass(frozen=True, slots=True)
class InterventionLine:
    intervention: Intervention
    billed: dt.timedelta  # worked + travel (when it counts), at least the minimum
    categories: tuple[str, ...]  # night, sunday, holiday, may_1: where some minute falls
    amount: Fraction | None  # None: no intervention rate in force
    resume_at: dt.datetime | None  # earliest return to work, when the rest was interrupted
    rest: Literal["daily", "weekly"] | None = None  # which rest it interrupted
    on_call: bool = True  # whether its person was on call in its team when it started
    shown: Decimal | None = None  # its share of the person's rounded total


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
    stretches: tuple[tuple[dt.datetime, dt.datetime], ...] = ()  # on call in the month
    astreinte: Decimal = Decimal("0.00")  # the astreinte lines shown, added up
    intervention_pay: Decimal = Decimal("0.00")  # the interventions shown, added up
    rest_amount: Decimal = Decimal("0.00")  # the part of the astreinte compensation given as rest

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
    return rounded(value, CENT)


def rounded(value: Fraction, quantum: Decimal) -> Decimal:
    """Exact value → a decimal of ``quantum``, rounded half up."""
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if value.denominator != 1
        else (Decimal(value.numerator))
    )
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def apportion(amounts: Sequence[Fraction]) -> list[Decimal]:
    """Each exact amount to the cent, such that they add up to their exact sum rounded once
    (half up): each is rounded down, then the cents left go one by one to the amounts with the
    largest remainders (the earlier first among equals). Amounts are not negative."""
    total = int(cents(sum(amounts, Fraction(0))) * 100)
    floors = [math.floor(a * 100) for a in amounts]
    left = total - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (-(amounts[i] * 100 - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [Decimal(f).scaleb(-2) for f in floors]


def hours(delta: dt.timedelta) -> Fraction:
    return Fraction(int(delta.total_seconds()), 3600)
