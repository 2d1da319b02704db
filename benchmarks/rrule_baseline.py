"""The yardstick for `astreinte export ics`: the same year of shifts built the way Grafana OnCall
builds a schedule's calendar — rotations as recurring events, expanded by an RRULE engine.

    python benchmarks/rrule_baseline.py ROSTER_DIR FROM TO -o FILE

What it does, exactly:

1. reads the roster's YAML files with PyYAML (``CSafeLoader``);
2. for each rotation of each level of each team, writes one VEVENT per member: member i starts
   at ``start + i × every`` (in the team's zone), lasts ``every``, and recurs every
   ``n × every`` for n members — ``FREQ=WEEKLY;INTERVAL=n`` for a weekly rotation,
   ``FREQ=DAILY`` or ``FREQ=HOURLY`` with the matching interval for the other cadences (with
   ``per_turn: 2``, each event names the two members of its turn); a rotation without
   ``start`` is one event without RRULE;
3. writes each override as a single VEVENT;
4. expands the calendar over ``[FROM, TO)`` with ``recurring_ical_events.of(...).between``;
5. serialises every expanded occurrence into one VCALENDAR and writes it.

It does less than astreinte: no coverage, business hours, public holidays, ``only``
restrictions, leave, member changes, layering or override replacement; a turn is one event
even where coverage would cut it. So the comparison flatters the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
import yaml
from icalendar import Calendar, Event

_UNITS = {"w": 7 * 24, "d": 24, "h": 1}


def _hours(every: str) -> int:
    match = re.fullmatch(r"(\d+)([wdh])", every)
    if match is None:
        raise SystemExit(f"rrule_baseline: cadence '{every}' not handled")
    return int(match[1]) * _UNITS[match[2]]


def _rrule(hours: int, members: int) -> dict[str, Any]:
    period = hours * members
    if period % (7 * 24) == 0:
        return {"freq": "WEEKLY", "interval": period // (7 * 24)}
    if period % 24 == 0:
        return {"freq": "DAILY", "interval": period // 24}
    return {"freq": "HOURLY", "interval": period}


def _local(text: object, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text)).replace(tzinfo=zone)


def recurring_calendar(roster: Path) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//astreinte benchmarks//rrule baseline//EN")
    calendar.add("version", "2.0")
    for path in sorted(roster.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        if not isinstance(data, dict) or "team" not in data:
            continue
        team, zone = data["team"], ZoneInfo(data["timezone"])
        for number, level in enumerate(data["levels"], start=1):
            for rotation in level["rotations"]:
                members = rotation["members"]
                per_turn = rotation.get("per_turn", 1)
                if "start" not in rotation:
                    event = Event()
                    event.add("uid", f"{team}-{number}-{rotation.get('name')}@baseline")
                    event.add("summary", f"{team} N{number} {members[0]}")
                    event.add("dtstart", dt.datetime(2000, 1, 1, tzinfo=zone))
                    calendar.add_component(event)
                    continue
                hours = _hours(rotation.get("every", "1w"))
                first = _local(rotation["start"], zone)
                turns = len(members)  # turn i + n gives the same people as turn i
                for index in range(turns):
                    who = [members[(index * per_turn + j) % turns] for j in range(per_turn)]
                    event = Event()
                    event.add("uid", f"{team}-{number}-{rotation['name']}-{index}@baseline")
                    event.add("summary", f"{team} N{number} {', '.join(who)}")
                    start = first + dt.timedelta(hours=index * hours)
                    event.add("dtstart", start)
                    event.add("dtend", start + dt.timedelta(hours=hours))
                    event.add("rrule", _rrule(hours, turns))
                    calendar.add_component(event)
        for index, override in enumerate(data.get("overrides") or [], start=1):
            event = Event()
            event.add("uid", f"{team}-override-{index}@baseline")
            event.add("summary", f"{team} N{override['level']} {override['who']}")
            event.add("dtstart", _local(override["from"], zone))
            event.add("dtend", _local(override["to"], zone))
            calendar.add_component(event)
    return calendar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roster", type=Path)
    parser.add_argument("start", type=dt.date.fromisoformat)
    parser.add_argument("end", type=dt.date.fromisoformat)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    expanded = Calendar()
    expanded.add("prodid", "-//astreinte benchmarks//rrule baseline//EN")
    expanded.add("version", "2.0")
    for occurrence in recurring_ical_events.of(recurring_calendar(args.roster)).between(
        args.start, args.end
    ):
        expanded.add_component(occurrence)
    args.output.write_bytes(expanded.to_ical())


if __name__ == "__main__":
    main()
