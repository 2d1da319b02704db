"""Interventions priced: the categories each minute falls in (night, Sunday, holiday, 1 May),
the time billed, the uplifts; the person's intervention lines, with the rest they interrupted
and whether the person was on call, and the billing lines per client.

Intervention time is working time, always paid as such (L3121-9); on 1 May it is paid at least
double (L3133-6: the pay for the work, and as much again), whatever the rates say."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from fractions import Fraction

from astreinte_cli.intervals import Intervals
from astreinte_cli.model import HourlyRate, Intervention, RateSet, WeeklyMap
from astreinte_cli.report.month import TeamMonth
from astreinte_cli.report.results import BillingLine, InterventionLine, hours
from astreinte_cli.rest import LOOK_AROUND, RestDue, RestRule, rest_due, working_hours

MAY_1_AT_LEAST = Fraction(1)  # L3133-6: 1 May's hours paid double, so an uplift of 100 % at least


class InterventionPricing:
    """Prices the interventions of one team's month, at the rates of its ``compensation``."""

    def __init__(self, team_month: TeamMonth) -> None:
        self.team_month = team_month
        self.compensation = team_month.compensation

    @functools.cached_property
    def night(self) -> Intervals:
        night = self.compensation.night if self.compensation else None
        if night is None:
            return []
        month = self.team_month
        weekly = WeeklyMap(tuple((day, night) for day in range(7)))
        return month.calendar.weekly(weekly, month.wide_start, month.wide_end)

    def pieces(self, item: Intervention) -> list[tuple[dt.timedelta, tuple[str, ...]]]:
        """The intervention cut where its categories change: (length, categories)."""
        night = self.night
        edges = {item.start, item.end}
        for s, e in night:
            edges.update(t for t in (s, e) if item.start < t < item.end)
        result = []
        for start, end in itertools.pairwise(sorted(edges)):
            for day, piece_start, piece_end in self.team_month.by_day([(start, end)]):
                tags = []
                if any(s <= piece_start < e for s, e in night):
                    tags.append("night")
                if day.weekday() == 6:
                    tags.append("sunday")
                if day in self.team_month.holidays:
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

    def priced(
        self, item: Intervention, rate: HourlyRate, *, pay: bool = True
    ) -> tuple[Fraction, Fraction]:
        """(base, uplift part) of an intervention at ``rate``: the person's ``pay`` (1 May at
        least double), or what the client is billed."""
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
            if pay and "may_1" in tags:
                factor = max(factor, MAY_1_AT_LEAST)
            base += hours(length) * hourly
            uplift += hours(length) * hourly * factor
        return base, uplift

    def rates_for(self, item: Intervention) -> RateSet | None:
        if self.compensation is None:
            return None
        return self.compensation.rates_on(self.team_month.local_day(item.start))

    def categories(self, item: Intervention) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for _piece, tags in self.pieces(item) for t in tags))

    def person_lines(self, person: str) -> list[InterventionLine]:
        """The person's interventions for the team in the month, priced, with the time they may
        resume work when one interrupted a rest, and whether they were on call."""
        month = self.team_month
        mine = [i for i in month.roster.interventions if i.person == person]
        result = []
        for item in mine:
            if item.team != month.team.id or month.local_day(item.start) not in month.month:
                continue
            due = self.rest_due(item, mine)
            rates = self.rates_for(item)
            amount = None
            if rates is not None and rates.intervention is not None:
                amount = sum(self.priced(item, rates.intervention), Fraction(0))
            result.append(
                InterventionLine(
                    item,
                    self.billed(item),
                    self.categories(item),
                    amount,
                    due.resume_at if due is not None else None,
                    due.kind if due is not None else None,
                    self.on_call(item),
                )
            )
        return result

    def rest_due(self, item: Intervention, theirs: list[Intervention]) -> RestDue | None:
        """The rest ``item`` interrupted (:mod:`astreinte_cli.rest`), or None."""
        month = self.team_month
        rule = RestRule.of(month.team)
        if rule is None:
            return None
        scheduled = working_hours(
            month.roster,
            month.team,
            item.person,
            month.calendar,
            item.start - LOOK_AROUND,
            item.end + LOOK_AROUND,
        )
        return rest_due(item, scheduled, theirs, rule, month.team.zone)

    def on_call(self, item: Intervention) -> bool:
        """Whether the person was on call in the team, at any level, when ``item`` started."""
        return any(
            item.person in s.who and s.start <= item.start < s.end
            for level in self.team_month.timeline.levels
            for s in level.stretches
        )

    def billing_lines(self) -> list[BillingLine]:
        """The month's interventions for a client, at the billing rate in force."""
        month = self.team_month
        result = []
        for item in month.interventions:
            if item.client is None or month.local_day(item.start) not in month.month:
                continue
            rates = self.rates_for(item)
            base = surcharge = None
            if rates is not None and rates.billing is not None:
                base, surcharge = self.priced(item, rates.billing, pay=False)
            result.append(
                BillingLine(
                    item.client, item, self.billed(item), self.categories(item), base, surcharge
                )
            )
        return result
