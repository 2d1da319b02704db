"""Hours held, by the category of the local day they fall on, and the turns they came from."""

from __future__ import annotations

import datetime as dt
import functools

from astreinte_cli.compile import rotation_turns
from astreinte_cli.intervals import Interval, Intervals, clip
from astreinte_cli.report.month import CATEGORIES, Category, TeamMonth


def hours_by_category(team_month: TeamMonth, held: Intervals) -> dict[Category, dt.timedelta]:
    """The part of ``held`` in the month, by day category (a holiday wins over a Sunday, which
    wins over a Saturday)."""
    in_month = clip(held, team_month.start, team_month.end)
    per_category: dict[Category, dt.timedelta] = dict.fromkeys(CATEGORIES, dt.timedelta(0))
    for day, start, end in team_month.by_day(in_month):
        per_category[team_month.category(day)] += end - start
    return per_category


class Turns:
    """Counts each person's turns in a team's month: the distinct rotation turns (one per
    rotation and handoff) and overrides through which they were on call."""

    def __init__(self, team_month: TeamMonth) -> None:
        self.team_month = team_month

    @functools.cached_property
    def turn_spans(self) -> dict[tuple[int, str], list[Interval]]:
        """(level, rotation name) → its turns over the compiled range: the same for everyone."""
        month = self.team_month
        return {
            (level.level.number, rotation.name): [
                (t.start, t.end)
                for t in rotation_turns(rotation, month.calendar, month.wide_start, month.wide_end)
            ]
            for level in month.timeline.levels
            for rotation in level.level.rotations
        }

    def count(self, person: str) -> int:
        month = self.team_month
        keys: set[tuple[int, str, dt.datetime | None]] = set()
        for level in month.timeline.levels:
            for stretch in level.stretches:
                if person not in stretch.who or stretch.source is None:
                    continue
                if stretch.end <= month.start or stretch.start >= month.end:
                    continue
                kind, _colon, name = stretch.source.partition(":")
                if kind == "override":
                    keys.add((level.level.number, stretch.source, None))
                    continue
                instant = max(stretch.start, month.start)
                for turn_start, turn_end in self.turn_spans.get((level.level.number, name), []):
                    if turn_start <= instant < turn_end:
                        keys.add((level.level.number, stretch.source, turn_start))
                        break
                else:
                    keys.add((level.level.number, stretch.source, None))
        return len(keys)
