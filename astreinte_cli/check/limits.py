"""The team's own limits (``rules:``): turns in a row and fair shares (rest is ``rest.py``).

Services (``kind: service``) are never subject to them. Definitions used for fairness, in the
team's timezone:

- a **night** is 21:00 to 06:00 the next morning (the default night period of Code du travail
  L3122-20); a person *holds* a night when on call for at least half of it (4 h 30);
- a **weekend** is Saturday 00:00 to Monday 00:00, held when on call for at least half of it;
- a **holiday** is a public holiday of the team's calendar, 00:00 to 24:00, held when on call
  for at least half of it.

Only nights, weekends and holidays that lie wholly inside the horizon are counted.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from astreinte_cli.check.findings import (
    Finding,
    is_service,
    local_range,
    on_call,
    overlap,
)
from astreinte_cli.compile import TeamTimeline, rotation_turns
from astreinte_cli.handoffs import Grid
from astreinte_cli.i18n import _, ngettext
from astreinte_cli.intervals import Interval, Intervals
from astreinte_cli.model import MaxShare, Roster, Rotation
from astreinte_cli.timeline import LevelTimeline
from astreinte_cli.times import WallTime, local_reading, midnight, place
from astreinte_cli.windows import TeamCalendar

NIGHT_START = dt.timedelta(hours=21)
NIGHT_END = dt.timedelta(hours=30)  # 06:00 the next day


# --------------------------------------------------------------------------- turns in a row


def consecutive_findings(
    roster: Roster, timeline: TeamTimeline, start: dt.datetime, end: dt.datetime
) -> list[Finding]:
    team = timeline.team
    limit = team.rules.max_consecutive_turns
    if limit is None:
        return []
    calendar = TeamCalendar(team)
    findings = []
    for level in timeline.levels:
        for rotation in level.level.rotations:
            source = f"rotation:{rotation.name}"
            spans = _turn_spans(rotation, calendar, start, end)
            held = [(s, e, _holders(level, source, s, e)) for s, e in spans]
            runs: dict[str, list[tuple[dt.datetime, dt.datetime, int]]] = {}
            previous_end: dt.datetime | None = None
            for turn_start, turn_end, holders in held:
                for person in holders:
                    if is_service(roster, person):
                        continue
                    run = runs.setdefault(person, [])
                    if run and run[-1][1] == turn_start and previous_end == turn_start:
                        first, _last, count = run[-1]
                        run[-1] = (first, turn_end, count + 1)
                    else:
                        run.append((turn_start, turn_end, 1))
                previous_end = turn_end
            for person, items in runs.items():
                for first, last, count in items:
                    if count <= limit:
                        continue
                    findings.append(
                        Finding(
                            "max-consecutive-turns",
                            "error",
                            rotation.span,
                            _(
                                "{person} holds {count} turns of rotation '{name}' in a row "
                                "({team} level {number}, {range}); the team allows {limit}"
                            ).format(
                                person=person,
                                count=count,
                                name=rotation.name,
                                team=team.id,
                                number=level.level.number,
                                range=local_range(first, last, team.zone),
                                limit=limit,
                            ),
                            _("swap one of these turns with an override, or reorder the members")
                            if rotation.start is not None
                            else _(
                                "give the rotation more members and a 'start', so that its "
                                "turns change hands, or cover some of them with overrides"
                            ),
                            team.id,
                            start=first,
                        )
                    )
    return findings


def _turn_spans(
    rotation: Rotation, calendar: TeamCalendar, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """The turns the rule counts. A rotation of one member without ``start`` has no handoffs:
    its member holds it all the time, so what they hold is counted in lengths of ``every``
    (default a week) from the start of the horizon, on the local clock: one technician on call
    every night for 90 days holds 13 weekly turns in a row."""
    if rotation.start is not None:
        return [(t.start, t.end) for t in rotation_turns(rotation, calendar, start, end)]
    held = rotation_turns(rotation, calendar, start, end)
    if not held:
        return []
    first, last = held[0].start, held[-1].end
    grid = Grid(WallTime(local_reading(first, calendar.zone)), rotation.every, calendar.zone)
    spans = []
    for turn_start, turn_end in itertools.pairwise(grid.handoffs(0)):
        if turn_start >= last:
            break
        spans.append((turn_start, min(turn_end, last)))
    return spans


def _holders(level: LevelTimeline, source: str, start: dt.datetime, end: dt.datetime) -> set[str]:
    """Who holds a turn: on call inside it through the rotation itself or an override."""
    found: set[str] = set()
    for stretch in level.stretches:
        if stretch.end <= start or stretch.start >= end or stretch.source is None:
            continue
        if stretch.source == source or stretch.source.startswith("override:"):
            found.update(stretch.who)
    return found


# --------------------------------------------------------------------------- fairness


def _amount(value: float, measure: str) -> str:
    """``12 h``, ``1 night``, ``2.5 weekends``: a count of ``measure`` for a finding."""
    number = f"{value:g}"
    if measure == "hours":
        return _("{hours} h").format(hours=number)
    count = int(value) if float(value).is_integer() else 2  # gettext plurals take integers
    if measure == "nights":
        text = ngettext("{count} night", "{count} nights", count)
    elif measure == "weekends":
        text = ngettext("{count} weekend", "{count} weekends", count)
    else:
        text = ngettext("{count} holiday", "{count} holidays", count)
    return text.format(count=number)


def share_findings(
    roster: Roster, timeline: TeamTimeline, start: dt.datetime, end: dt.datetime
) -> list[Finding]:
    team = timeline.team
    limits = team.rules.max_share
    if limits is None:
        return []
    calendar = TeamCalendar(team)
    nights, weekends, holidays = _periods(calendar, start, end)
    findings = []
    for level in timeline.levels:
        for rotation in level.level.rotations:
            members = _members(roster, rotation, calendar, start, end)
            if len(members) < 2:
                continue
            loads = {m: on_call(level, m) for m in members}
            measures: list[tuple[str, float | None, Callable[[Intervals], float]]] = [
                ("hours", limits.hours, _hours),
                ("nights", _limit(limits, "nights"), lambda i: _held(i, nights)),
                ("weekends", _limit(limits, "weekends"), lambda i: _held(i, weekends)),
                ("holidays", _limit(limits, "holidays"), lambda i: _held(i, holidays)),
            ]
            for name, limit, measure in measures:
                if limit is None:
                    continue
                values = {m: measure(load) for m, load in loads.items()}
                most = max(values, key=lambda m: (values[m], m))
                least = min(values, key=lambda m: (values[m], m))
                spread = values[most] - values[least]
                if spread <= limit:
                    continue

                def amount(value: float, name: str = name) -> str:
                    return _amount(value, name)

                findings.append(
                    Finding(
                        "max-share",
                        "error",
                        rotation.span,
                        _(
                            "rotation '{name}' of {team} level {number} is unevenly shared "
                            "{range}: {most} holds {most_amount}, {least} {least_amount} (spread "
                            "{spread}, the team allows {limit})"
                        ).format(
                            name=rotation.name,
                            team=team.id,
                            number=level.level.number,
                            range=local_range(start, end, team.zone),
                            most=most,
                            most_amount=amount(values[most]),
                            least=least,
                            least_amount=amount(values[least]),
                            spread=amount(spread),
                            limit=amount(limit),
                        ),
                        _("rebalance with overrides or member changes, or raise 'max_share'"),
                        team.id,
                    )
                )
    return findings


def _limit(limits: MaxShare, name: str) -> float | None:
    value: int | None = getattr(limits, name)
    return float(value) if value is not None else None


def _members(
    roster: Roster,
    rotation: Rotation,
    calendar: TeamCalendar,
    start: dt.datetime,
    end: dt.datetime,
) -> list[str]:
    """The members of the lists in force over the horizon, services left out."""
    turns = rotation_turns(rotation, calendar, start, end)
    found = dict.fromkeys(m for t in turns for m in t.members)
    return [m for m in found if not is_service(roster, m)]


def _hours(intervals: Intervals) -> float:
    return sum((e - s).total_seconds() for s, e in intervals) / 3600


def _held(intervals: Intervals, periods: list[Interval]) -> float:
    return float(sum(1 for p in periods if 2 * overlap(intervals, p) >= p[1] - p[0]))


def _periods(
    calendar: TeamCalendar, start: dt.datetime, end: dt.datetime
) -> tuple[list[Interval], list[Interval], list[Interval]]:
    """Nights, weekends and holidays wholly inside ``[start, end)``."""
    zone = calendar.zone
    nights: list[Interval] = []
    weekends: list[Interval] = []
    days = list(calendar.local_dates(start, end))
    for day in days:
        base = midnight(day)
        night = (place(base + NIGHT_START, zone), place(base + NIGHT_END, zone))
        nights.append(night)
        if day.weekday() == 5:
            weekends.append((place(base, zone), place(base + dt.timedelta(days=2), zone)))
    holidays = [calendar.day_bounds(d) for d in calendar.holiday_names(days[0], days[-1])]

    def inside(items: list[Interval]) -> list[Interval]:
        return [(s, e) for s, e in items if start <= s and e <= end]

    return inside(nights), inside(weekends), inside(sorted(holidays))
