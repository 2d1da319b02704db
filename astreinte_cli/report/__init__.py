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
- **Interventions are working time**, always paid (L3121-9): on 1 May at least double
  (L3133-6), whatever the rates say.
- **Amounts** are exact until the end: each person's total is rounded once, to the cent,
  half up, and the lines shown are that total shared out by largest remainder, so that they
  add up to it. ``rest_share`` of the astreinte compensation (never of the interventions) is
  given as rest, at ``rest_hour_value`` per hour.
- Teams of ``kind: shifts`` (on-site working shifts, not astreinte) are left out.

The package: ``month`` (a month, and a team's month: timeline, days, who is on call),
``hours`` (hours by day category, turns), ``compensation`` (portions, bundles, per hour, the
total and the rest), ``interventions`` (pricing, billing), ``results`` (what the report finds);
:func:`month_report` puts them together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from astreinte_cli.intervals import clip
from astreinte_cli.model import Roster, Team
from astreinte_cli.report.compensation import astreinte_lines, settle
from astreinte_cli.report.hours import Turns, hours_by_category
from astreinte_cli.report.interventions import InterventionPricing
from astreinte_cli.report.month import CATEGORIES, Month, TeamMonth
from astreinte_cli.report.results import (
    BillingLine,
    InterventionLine,
    Line,
    MonthReport,
    PersonReport,
    cents,
    hours,
)


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
        if team.kind == "shifts":
            continue  # working shifts, not astreinte: not in the astreinte document
        team_month = TeamMonth(roster, team, month)
        turns = Turns(team_month)
        pricing = InterventionPricing(team_month)
        for someone in team_month.everyone():
            if person is not None and someone != person:
                continue
            found = _person_report(team_month, turns, pricing, someone)
            (services if found.service else people).append(found)
        billing += [
            b for b in pricing.billing_lines() if person is None or b.intervention.person == person
        ]
    billing.sort(key=lambda b: (b.client, b.intervention.start))
    astreinte_teams = tuple(t for t in teams if t.kind != "shifts")
    return MonthReport(month, astreinte_teams, tuple(people), tuple(services), tuple(billing))


def _person_report(
    team_month: TeamMonth, turns: Turns, pricing: InterventionPricing, person: str
) -> PersonReport:
    info = team_month.roster.people[person]
    held = team_month.on_call(person)
    compensation = None if info.is_service else team_month.compensation  # services: none
    lines: list[Line] = []
    interventions: list[InterventionLine] = []
    if not info.is_service:
        interventions = pricing.person_lines(person)
    if compensation is not None:
        lines = astreinte_lines(team_month, person, held, compensation)
    settlement = settle(
        [line.amount for line in lines], [i.amount for i in interventions], compensation
    )
    return PersonReport(
        team=team_month.team.id,
        person=person,
        name=info.name,
        service=info.is_service,
        hours=hours_by_category(team_month, held),
        turns=turns.count(person),
        lines=tuple(
            dataclasses.replace(line, shown=shown)
            for line, shown in zip(lines, settlement.lines, strict=True)
        ),
        interventions=tuple(
            dataclasses.replace(item, shown=shown)
            for item, shown in zip(interventions, settlement.interventions, strict=True)
        ),
        compensated=compensation is not None,
        total=settlement.total,
        money=settlement.money,
        rest_hours=settlement.rest_hours,
        astreinte=settlement.astreinte,
        intervention_pay=settlement.intervention_pay,
        rest_amount=settlement.rest_amount,
        stretches=tuple(clip(held, team_month.start, team_month.end)),
    )


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
