"""A month, and one team's month: its timeline compiled with a margin, its local days and
their categories, and who is on call when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from astreinte_cli.compile import TeamTimeline, compile_team
from astreinte_cli.intervals import Interval, Intervals, union
from astreinte_cli.model import Compensation, Roster, Team
from astreinte_cli.times import midnight, place
from astreinte_cli.windows import TeamCalendar

Category = Literal["weekday", "saturday", "sunday", "holiday"]
CATEGORIES: tuple[Category, ...] = ("weekday", "saturday", "sunday", "holiday")
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


class TeamMonth:
    """One team over one month: what hours, compensation and interventions are computed from.

    ``start``/``end`` are the month's local midnights; the timeline is compiled ``MARGIN``
    wider (``wide_start``/``wide_end``), so that a week or weekend that crosses the month's
    bounds can be judged whole."""

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
        """Who the month's report names: on call in the month, or with an intervention."""
        seen: dict[str, None] = {}
        for level in self.timeline.levels:
            for stretch in level.stretches:
                if stretch.end > self.start and stretch.start < self.end:
                    seen.update(dict.fromkeys(stretch.who))
        for item in self.interventions:
            if self.local_day(item.start) in self.month:
                seen.setdefault(item.person, None)
        return sorted(seen)
