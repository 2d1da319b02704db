"""What the monthly report finds: per person, hours, turns, compensated items and
interventions; per client, the billable interventions. Amounts stay exact (fractions) until
each person's total is rounded once, to the cent (:func:`cents`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from astreinte_cli.model import Intervention, Team
from astreinte_cli.report.month import Category, Month

CENT = Decimal("0.01")


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
    return rounded(value, CENT)


def rounded(value: Fraction, quantum: Decimal) -> Decimal:
    """Exact value → a decimal of ``quantum``, rounded half up."""
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if value.denominator != 1
        else (Decimal(value.numerator))
    )
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def hours(delta: dt.timedelta) -> Fraction:
    return Fraction(int(delta.total_seconds()), 3600)
