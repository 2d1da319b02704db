"""Windows (SPEC §4) evaluated to instants: weekly maps on local weekdays and clock readings,
public holidays as whole local days, business hours minus holidays minus closures."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from astreinte_cli import holiday_calendar
from astreinte_cli.intervals import (
    Interval,
    Intervals,
    clip,
    complement,
    intersect,
    subtract,
    union,
)
from astreinte_cli.model import (
    ExceptWindow,
    NamedWindow,
    Team,
    UnionWindow,
    WeeklyMap,
    Window,
)
from astreinte_cli.times import TimeRange, local_reading, midnight, place

_WHOLE_DAY = TimeRange(0, 24 * 60)
_WEEK = dt.timedelta(weeks=1)
WEEKENDS = WeeklyMap(((5, _WHOLE_DAY), (6, _WHOLE_DAY)))
WEEKDAYS = WeeklyMap(tuple((day, _WHOLE_DAY) for day in range(5)))


_KEPT_RANGES = 8  # evaluations kept per window (see TeamCalendar.evaluate)


class TeamCalendar:
    """Evaluates a team's windows over ranges of instants."""

    def __init__(self, team: Team) -> None:
        self.team = team
        self.zone = team.zone
        self._holidays: dict[int, dict[dt.date, str]] = {}
        # Evaluations by window, with their ranges: a team's levels and rotations often share
        # a window (coverage, `only`) over the same or a narrower range, and evaluating one
        # over a long range is not free.
        self._evaluated: dict[Window, list[tuple[dt.datetime, dt.datetime, Intervals]]] = {}

    # ------------------------------------------------------------------ days

    def local_dates(self, start: dt.datetime, end: dt.datetime) -> Iterator[dt.date]:
        """Every local date that a range starting on it (even crossing midnight) may reach
        ``[start, end)`` from: one day of margin on each side."""
        day, last = self.date_span(start, end)
        while day <= last:
            yield day
            day += dt.timedelta(days=1)

    def date_span(self, start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
        """The first and last of :meth:`local_dates`."""
        return _date_span(start, end, self.zone)

    def holiday_names(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Public holidays from ``first`` to ``last`` inclusive: date → name."""
        calendar = self.team.holidays
        if calendar is None:
            return {}
        found: dict[dt.date, str] = {}
        for year in range(first.year, last.year + 1):
            if year not in self._holidays:
                self._holidays[year] = holiday_calendar.holidays_in(calendar, range(year, year + 1))
            found.update(
                (day, name) for day, name in self._holidays[year].items() if first <= day <= last
            )
        return found

    def day_bounds(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """A local calendar day as instants: 00:00 to 24:00, 23 or 25 hours on DST days."""
        return place(midnight(day), self.zone), place(
            midnight(day + dt.timedelta(days=1)), self.zone
        )

    # ------------------------------------------------------------------ windows

    def evaluate(self, window: Window, start: dt.datetime, end: dt.datetime) -> Intervals:
        """The instants of ``window`` within ``[start, end)`` (a new list: callers may keep
        or change it)."""
        if start >= end:
            return []
        # A window is a set of instants and its evaluation that set cut to the range, in the
        # one normalised form: an evaluation over a range that holds this one, clipped, is
        # exactly what evaluating again would give.
        known = self._evaluated.setdefault(window, [])
        for known_start, known_end, found in known:
            if known_start <= start and end <= known_end:
                return clip(found, start, end)
        found = self._evaluate(window, start, end)
        # A few ranges per window: the horizon and the ranges around it that hold the others.
        # Checking each override compiles a level over its own short period; keeping every
        # one of those made each lookup scan them all (10,000 overrides: quadratic).
        if len(known) < _KEPT_RANGES:
            known.append((start, end, found))
        return list(found)

    def _evaluate(self, window: Window, start: dt.datetime, end: dt.datetime) -> Intervals:
        if isinstance(window, WeeklyMap):
            return self.weekly(window, start, end)
        if isinstance(window, UnionWindow):
            return union(i for part in window.parts for i in self.evaluate(part, start, end))
        if isinstance(window, ExceptWindow):
            return subtract(
                self.evaluate(window.base, start, end), self.evaluate(window.minus, start, end)
            )
        return self.named(window, start, end)

    def named(self, window: NamedWindow, start: dt.datetime, end: dt.datetime) -> Intervals:
        name = window.name
        if name == "always":
            return [(start, end)]
        if name == "holidays":
            return self.holidays(start, end)
        if name == "weekends":
            return self.weekly(WEEKENDS, start, end)
        if name == "weekdays":
            return self.weekly(WEEKDAYS, start, end)
        if name == "business hours":
            return self.business_hours(start, end)
        return complement(self.business_hours(start, end), start, end)

    def weekly(self, weekly: WeeklyMap, start: dt.datetime, end: dt.datetime) -> Intervals:
        return list(_weekly(weekly, self.zone, start, end))

    def holidays(self, start: dt.datetime, end: dt.datetime) -> Intervals:
        names = self.holiday_names(*self.date_span(start, end))
        return intersect(union(self.day_bounds(day) for day in names), [(start, end)])

    def business_hours(self, start: dt.datetime, end: dt.datetime) -> Intervals:
        hours = self.team.business_hours
        if hours is None:
            return []
        closed = union(period.instants(self.zone) for period in hours.closed)
        open_hours = subtract(self.weekly(hours.weekly, start, end), self.holidays(start, end))
        return subtract(open_hours, closed)

    def coverage(self, window: Window | None, start: dt.datetime, end: dt.datetime) -> Intervals:
        return self.evaluate(window if window is not None else self.team.coverage, start, end)


# Cached (README, "Caches"): a weekly map's instants depend on nothing of a team but its zone,
# so teams that share one (the same business hours or nights, in the same zone) share its
# evaluation, most of what the windows of a team cost. Tuples, so that no caller can change
# what the cache holds.
@functools.lru_cache(maxsize=256)
def _weekly(
    weekly: WeeklyMap, zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    by_day: dict[int, list[tuple[dt.timedelta, dt.timedelta]]] = {}
    for weekday, time_range in weekly.days:
        by_day.setdefault(weekday, []).append(time_range.after_midnight())
    found: Intervals = []
    first_day, last_day = _date_span(start, end, zone)
    last_midnight = midnight(last_day)
    # Week by week for each weekday the map names, rather than every date of the range: a
    # weekday-only `only` over a year would otherwise look at twice as many days. The readings
    # are the midnight of each such day plus each range's start and end.
    for weekday, ranges in by_day.items():
        day = midnight(first_day + dt.timedelta(days=(weekday - first_day.weekday()) % 7))
        while day <= last_midnight:
            for after, until in ranges:
                found.append((place(day + after, zone), place(day + until, zone)))
            day += _WEEK
    return tuple(intersect(union(found), [(start, end)]))


def _date_span(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    return (
        local_reading(start, zone).date() - dt.timedelta(days=1),
        local_reading(end, zone).date() + dt.timedelta(days=1),
    )
