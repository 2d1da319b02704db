"""Rest, measured between periods of work (Code du travail L3121-10, L3131-1, L3132-2). Pure.

**Work** is a person's working hours (their own ``work_hours``, else their team's, else the
team's business hours; their shifts in a ``kind: shifts`` team), less their leave, and their
interventions, travel included (an intervention is working time, L3121-9). Astreinte without
intervention is rest (L3121-10): on-call time never shortens a rest.

**Daily rest** is ``daily`` consecutive hours (11 h, L3131-1); **weekly rest** is 24 hours
more (35 h, L3132-2). Which scheduled rest is the weekly one: in each civil week (Monday 00:00
to Sunday 24:00, local), the longest rest between two periods of scheduled work that lasts at
least the weekly rest and takes in some of the Sunday (the day L3132-3 gives it on); failing
that, the longest such rest that overlaps the week. A person without scheduled work on both
sides of a rest has no weekly rest astreinte can place: only the daily rest is checked.

**An intervention interrupts a rest** that is not yet complete: when it starts less than the
daily rest (inside the weekly rest: less than the weekly rest) after the person's last work,
the whole rest is due again from its end, travel included; work may not resume before. When
the rest was already complete before the intervention began, the intervention has no effect on
it (circular of the Direction des relations du travail of 14 April 2003: the whole rest is due
from the end of the intervention, unless the employee had already had the whole minimum rest
before it began). Travel is taken as the way back, after the call-out, which errs on the safe
side.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from astreinte_cli.intervals import Interval, Intervals, clip, subtract, union
from astreinte_cli.model import Intervention, Roster, Team
from astreinte_cli.times import midnight, place
from astreinte_cli.windows import TeamCalendar

DAILY_REST = dt.timedelta(hours=11)
WEEKLY_EXTRA = dt.timedelta(hours=24)  # L3132-2: 24 hours, and the daily rest on top
# How far around an intervention scheduled work is looked at: enough to see the rests of the
# week before and after it.
LOOK_AROUND = dt.timedelta(days=16)

RestKind = Literal["daily", "weekly"]


@dataclass(frozen=True, slots=True)
class RestRule:
    """How long the rests last (``rules: {min_rest_hours}``)."""

    daily: dt.timedelta = DAILY_REST

    @property
    def weekly(self) -> dt.timedelta:
        return self.daily + WEEKLY_EXTRA

    @classmethod
    def of(cls, team: Team) -> RestRule | None:
        """The team's rule; None when it turned the rest rules off."""
        hours = team.rules.min_rest_hours
        return None if hours is None else cls(dt.timedelta(hours=hours))


@dataclass(frozen=True, slots=True)
class RestDue:
    """The rest an intervention interrupted: which, since when, and when work may resume."""

    intervention: Intervention
    kind: RestKind
    previous_work_end: dt.datetime  # the last work before the intervention
    resume_at: dt.datetime  # the earliest instant work may resume


def work_of(intervention: Intervention) -> Interval:
    """The intervention as work: from its start to its end plus travel."""
    return intervention.start, intervention.end + intervention.travel


# --------------------------------------------------------------------------- scheduled work


def working_hours(
    roster: Roster,
    team: Team,
    person: str,
    calendar: TeamCalendar,
    start: dt.datetime,
    end: dt.datetime,
    shifts: Intervals | None = None,
) -> Intervals:
    """The person's scheduled work over ``[start, end)``, read in ``team``'s zone, less their
    leave. ``shifts`` are their shifts in ``team`` when it is a ``kind: shifts`` team."""
    info = roster.people.get(person)
    window = info.work_hours if info is not None and info.work_hours is not None else None
    if window is None:
        window = team.work_hours
    hours: Intervals
    if window is not None:
        hours = calendar.evaluate(window, start, end)
    elif team.kind == "shifts":
        hours = []
    else:
        hours = calendar.business_hours(start, end)
    if shifts:
        hours = union([*hours, *clip(shifts, start, end)])
    away = roster.leave_by_person.get(person, ())
    leave = [entry.period.instants(team.zone) for _position, entry in away]
    return subtract(hours, union(leave)) if leave else hours


def rests(work: Intervals) -> Intervals:
    """The rests between consecutive periods of ``work`` (none before the first or after the
    last: their length is unknown)."""
    return [(e, s) for (_s0, e), (s, _e1) in itertools.pairwise(work) if e < s]


def weekly_rests(scheduled: Intervals, zone: ZoneInfo, rule: RestRule) -> Intervals:
    """The scheduled rests that are weekly rests (see the module's docstring)."""
    gaps = [g for g in rests(scheduled) if g[1] - g[0] >= rule.weekly]
    if not gaps:
        return []
    chosen: set[Interval] = set()
    first = gaps[0][0].astimezone(zone).date()
    monday = first - dt.timedelta(days=first.weekday())
    last = gaps[-1][1].astimezone(zone).date()
    while monday <= last:
        week = (place(midnight(monday), zone), place(midnight(monday + dt.timedelta(7)), zone))
        sunday = (place(midnight(monday + dt.timedelta(6)), zone), week[1])
        candidates = [g for g in gaps if g[0] < week[1] and week[0] < g[1]]
        on_sunday = [g for g in candidates if g[0] < sunday[1] and sunday[0] < g[1]]
        pick = max(on_sunday or candidates, key=lambda g: (g[1] - g[0], g[0]), default=None)
        if pick is not None:
            chosen.add(pick)
        monday += dt.timedelta(days=7)
    return sorted(chosen)


# --------------------------------------------------------------------------- interventions


def rest_due(
    intervention: Intervention,
    scheduled: Intervals,
    others: Iterable[Intervention],
    rule: RestRule,
    zone: ZoneInfo,
) -> RestDue | None:
    """The rest due after ``intervention``, given the person's ``scheduled`` work and their
    ``others`` interventions; None when the rest it fell in was already complete (or no work
    before it is known, so no rest can be said to be running)."""
    start, end = work_of(intervention)
    work = union([*scheduled, *(work_of(i) for i in others if i is not intervention)])
    before = [e for s, e in work if s < start]
    if not before:
        return None
    last = max(before)
    rested = max(start - last, dt.timedelta(0))
    weekly = any(s <= start < e for s, e in weekly_rests(scheduled, zone, rule))
    if weekly and rested < rule.weekly:
        return RestDue(intervention, "weekly", min(last, start), end + rule.weekly)
    if rested < rule.daily:
        return RestDue(intervention, "daily", min(last, start), end + rule.daily)
    return None


def first_work_before(due: RestDue, scheduled: Intervals) -> Interval | None:
    """The first period of scheduled work that the rest due cuts into: it runs after the
    intervention ends and starts before work may resume (from the intervention's end when it
    was already running)."""
    _start, finished = work_of(due.intervention)
    for s, e in scheduled:
        if e > finished and s < due.resume_at:
            return max(s, finished), e
    return None


def interrupted_again(due: RestDue, later: Sequence[Intervention]) -> bool:
    """Whether another intervention starts during the rest due: that one is the one to
    judge, its own rest running from its end."""
    _start, finished = work_of(due.intervention)
    return any(finished <= i.start < due.resume_at for i in later if i is not due.intervention)


# --------------------------------------------------------------------------- schedules


@dataclass(frozen=True, slots=True)
class ShortRest:
    """Scheduled work that leaves too little rest: the first instance and how many."""

    kind: RestKind
    start: dt.datetime  # the rest's start (daily), or the week's Monday 00:00 (weekly)
    end: dt.datetime
    longest: dt.timedelta  # the longest rest there
    count: int


SCHEDULE_MARGIN = dt.timedelta(days=3)


def short_rests(
    scheduled: Intervals,
    zone: ZoneInfo,
    rule: RestRule,
    start: dt.datetime,
    end: dt.datetime,
) -> list[ShortRest]:
    """Where ``scheduled`` work itself breaks the rest rules over ``[start, end)``: a period of
    24 hours from the start of a period of work without ``rule.daily`` consecutive hours of
    rest (L3131-1), and a civil week without a rest of ``rule.weekly`` (L3132-2). Only windows
    that lie wholly inside the range are judged; ``scheduled`` must cover
    :data:`SCHEDULE_MARGIN` on each side, for the rests that run past its edges."""
    found: list[ShortRest] = []
    daily: list[tuple[dt.datetime, dt.datetime, dt.timedelta]] = []
    day = dt.timedelta(hours=24)
    for index, (work_start, _work_end) in enumerate(scheduled):
        if work_start < start or work_start + day > end:
            continue
        window_end = work_start + day
        # The rests inside the window: after each period of work that starts in it, up to the
        # next one or the window's end. A few periods a day: linear in the schedule.
        longest = dt.timedelta(0)
        for position in range(index, len(scheduled)):
            if scheduled[position][0] >= window_end:
                break
            free_from = scheduled[position][1]
            following = scheduled[position + 1][0] if position + 1 < len(scheduled) else window_end
            if free_from < window_end:
                longest = max(longest, min(following, window_end) - free_from)
        if longest < rule.daily:
            daily.append((work_start, window_end, longest))
    if daily:
        first = daily[0]
        found.append(ShortRest("daily", first[0], first[1], first[2], len(daily)))
    weekly: list[tuple[dt.datetime, dt.datetime, dt.timedelta]] = []
    gaps = subtract([(start - SCHEDULE_MARGIN, end + SCHEDULE_MARGIN)], scheduled)
    first_day = start.astimezone(zone).date()
    monday = first_day + dt.timedelta(days=(7 - first_day.weekday()) % 7)
    while True:
        week = (place(midnight(monday), zone), place(midnight(monday + dt.timedelta(7)), zone))
        if week[0] < start:
            monday += dt.timedelta(days=7)
            continue
        if week[1] > end:
            break
        touching = [g for g in gaps if g[0] < week[1] and week[0] < g[1]]
        longest = max((e - s for s, e in touching), default=dt.timedelta(0))
        if longest < rule.weekly and any(s < week[1] and week[0] < e for s, e in scheduled):
            weekly.append((week[0], week[1], longest))
        monday += dt.timedelta(days=7)
    if weekly:
        first = weekly[0]
        found.append(ShortRest("weekly", first[0], first[1], first[2], len(weekly)))
    return found
