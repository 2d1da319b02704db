"""The JSON documents of SPEC §7 (`now --json`, `show --json`) and of `check --json` and
`diff --json`, as plain dicts; each has its JSON Schema in ``astreinte_cli/schemas/``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO
from zoneinfo import ZoneInfo

from astreinte_cli.answers import Contact, OnCall, TeamAnswer

if TYPE_CHECKING:  # `now --json` imports this module: the compiler, check and diff stay unloaded
    from astreinte_cli.check import Finding
    from astreinte_cli.compile import TeamTimeline
    from astreinte_cli.diff import TeamChanges
    from astreinte_cli.load.last_valid import StaleRoster
    from astreinte_cli.model import Roster, Team

JSON = dict[str, Any]


def iso(instant: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).isoformat()


def person_entry(roster: Roster, person_id: str) -> JSON:
    person = roster.people[person_id]
    return {"id": person.id, "name": person.name, "phone": person.phone}


def now_document(
    at: dt.datetime,
    zone: ZoneInfo,
    teams: Sequence[TeamAnswer],
    stale: StaleRoster | None = None,
) -> JSON:
    """`now --json` (SPEC §7); ``stale`` when the answer comes from the last valid roster."""
    document: JSON = {"at": iso(at, zone)}
    if stale is not None:
        document["stale"] = {
            "errors": stale.errors,
            "roster_loaded": iso(stale.roster_loaded, zone),
        }
    document["teams"] = [_team_now(team) for team in teams]
    return document


def _contact(person: Contact) -> JSON:
    return {"id": person.id, "name": person.name, "phone": person.phone}


def _on_call(person: OnCall) -> JSON:
    """An ``on_call`` entry: ``standing_in_for``, ``on_leave`` and ``reason`` only where they
    apply (SPEC §7)."""
    entry: JSON = {"id": person.id, "name": person.name, "phone": person.phone}
    if person.standing_in_for is not None:
        entry["standing_in_for"] = person.standing_in_for.id
    if person.on_leave:
        entry["on_leave"] = True
    if person.reason is not None:
        entry["reason"] = person.reason
    return entry


def _team_now(team: TeamAnswer) -> JSON:
    zone = team.zone
    return {
        "team": team.id,
        "name": team.name,
        "timezone": team.timezone,
        "instructions": team.instructions,
        "levels": [
            {
                "level": level.number,
                "name": level.name,
                "active": level.active,
                "on_call": [_on_call(person) for person in level.on_call],
                "since": iso(level.since, zone),
                "until": iso(level.until, zone),
                "escalate_after_minutes": int(level.escalate_after.total_seconds() // 60),
                "source": level.source,
                "instructions": level.instructions,
            }
            for level in team.levels
        ],
        "fallback": _contact(team.fallback) if team.fallback else None,
    }


def show_document(
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    person: str | None = None,
) -> JSON:
    shifts: list[JSON] = []
    gaps: list[JSON] = []
    for timeline in timelines:
        shifts.extend(_shift_entries(timeline, person))
        if person is None:
            gaps.extend(_gap_entries(timeline))
    return {"from": iso(start, zone), "to": iso(end, zone), "shifts": shifts, "gaps": gaps}


def _shift_entries(timeline: TeamTimeline, person: str | None) -> Iterator[JSON]:
    team_zone = timeline.team.zone
    for level in timeline.levels:
        for shift in level.shifts():
            if person is not None and person not in shift.who:
                continue
            yield {
                "team": timeline.team.id,
                "level": level.level.number,
                "who": list(shift.who),
                "start": iso(shift.start, team_zone),
                "end": iso(shift.end, team_zone),
                "source": shift.source,
            }


def _gap_entries(timeline: TeamTimeline) -> Iterator[JSON]:
    team_zone = timeline.team.zone
    for level in timeline.levels:
        for gap in level.gaps():
            yield {
                "team": timeline.team.id,
                "level": level.level.number,
                "start": iso(gap.start, team_zone),
                "end": iso(gap.end, team_zone),
            }


def check_document(
    roster: Roster,
    teams: Sequence[Team],
    findings: Sequence[Finding],
    at: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
) -> JSON:
    """`check --json`: every finding with the roster line it points at, and the counts."""
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "note")}
    zones = {t.id: t.zone for t in teams}
    return {
        "at": iso(at, zone),
        "from": iso(start, zone),
        "to": iso(end, zone),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "team": f.team,
                "file": f.span.path,
                "line": f.span.line,
                "column": f.span.column,
                "message": f.message,
                "hint": f.hint,
                "start": iso(f.start, zones.get(f.team or "", zone)),
            }
            for f in findings
        ],
        "errors": counts["error"],
        "warnings": counts["warning"],
        "notes": counts["note"],
        "files": len(roster.files),
        "teams": [t.id for t in teams],
    }


def diff_document(
    teams: Sequence[TeamChanges],
    revisions: tuple[str, str | None],
    at: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    summary: str,
) -> JSON:
    """`diff --json`: each team's changes between ``revisions`` (the second None for the
    working tree), with the text summary."""
    changes = [c for t in teams for c in t.changes]
    return {
        "from_revision": revisions[0],
        "to_revision": revisions[1],
        "at": iso(at, zone),
        "from": iso(start, zone),
        "to": iso(end, zone),
        "teams": [
            {
                "team": t.team.id,
                "name": t.team.name,
                "timezone": t.team.timezone,
                "added": t.added,
                "removed": t.removed,
                "notice_days": t.team.rules.notice_days,
                "changes": [
                    {
                        "person": c.person,
                        "change": c.kind,
                        "level": c.level,
                        "level_name": c.level_name,
                        "start": iso(c.start, t.team.zone),
                        "end": iso(c.end, t.team.zone),
                        "others": list(c.others),
                        "source": c.source,
                        "within_notice": c.within_notice,
                        "breaks_notice": c.breaks_notice,
                    }
                    for c in t.changes
                ],
            }
            for t in teams
        ],
        "changes": len(changes),
        "within_notice": sum(1 for c in changes if c.within_notice),
        "breaks_notice": sum(1 for c in changes if c.breaks_notice),
        "summary": summary,
    }


def write_show_json(
    out: TextIO,
    teams: Sequence[Team],
    compiled: Callable[[Team], TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    person: str | None = None,
    *,
    share: bool = False,
) -> None:
    """Writes ``json.dumps(show_document(...), ensure_ascii=False, indent=2)`` and a newline,
    byte for byte, each team written as soon as ``compiled`` gives its timeline: a year of a
    large organisation is hundreds of thousands of shifts, and that document built whole held
    them all in memory at once. With ``share``, the teams are shared among processes
    (``parallel.write_in_parts``: this one writes to ``out``, the others to files copied after
    it). ``out`` is a text stream over a binary one, as stdout is."""
    from astreinte_cli import parallel

    def part(chunk: Sequence[Team], stream: BinaryIO) -> ShowPart:
        return write_shift_items(
            lambda text: stream.write(text.encode()), map(compiled, chunk), person
        )

    out.write(show_json_head(start, end, zone))
    out.flush()  # the text so far, before the bytes written after it
    binary: BinaryIO = out.buffer  # stdout's, or a TextIOWrapper's
    parts = parallel.write_in_parts(part, teams, binary, share=share, joint=part_joint)
    binary.flush()
    out.write(show_json_tail(parts))


def show_json_head(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """`show --json` up to its first shift. The document is this, each part's shift items (a
    comma between two parts that have some: :func:`part_joint`), and :func:`show_json_tail`."""
    return (
        f'{{\n  "from": {_encode(iso(start, zone))},\n  "to": {_encode(iso(end, zone))},'
        '\n  "shifts": ['
    )


@dataclass(frozen=True, slots=True)
class ShowPart:
    """What some teams' share of `show --json` leaves to be written after every team's shifts:
    how many shifts it wrote, and its gaps. Parts are made where the teams are compiled, in
    worker processes for a large organisation (see ``astreinte_cli.parallel``)."""

    shifts: int
    gaps: list[JSON]


def write_shift_items(
    write: Callable[[str], object], timelines: Iterable[TeamTimeline], person: str | None
) -> ShowPart:
    """Writes the items of the ``shifts`` list for ``timelines`` with ``write``, one team after
    the other, each after a line break, with the commas between them."""
    count = 0
    gaps: list[JSON] = []
    for timeline in timelines:
        for item in _shift_items(timeline, person):
            write(",\n" if count else "\n")
            write(item)
            count += 1
        if person is None:
            gaps.extend(_gap_entries(timeline))
    return ShowPart(count, gaps)


def part_joint(before: Sequence[ShowPart], part: ShowPart) -> bytes:
    """What goes between the parts before and ``part``: a comma if both have shifts."""
    return b"," if part.shifts and any(earlier.shifts for earlier in before) else b""


def show_json_tail(parts: Iterable[ShowPart]) -> str:
    """`show --json` after the parts' shift items: the end of the list, the gaps, the end."""
    parts = list(parts)
    gaps = [gap for part in parts for gap in part.gaps]
    text = "\n  ]" if any(part.shifts for part in parts) else "]"
    text += ',\n  "gaps": '
    text += "[\n" + ",\n".join(map(_list_item, gaps)) + "\n  ]" if gaps else "[]"
    return text + "\n}\n"


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _shift_items(timeline: TeamTimeline, person: str | None) -> Iterator[str]:
    """``map(_list_item, _shift_entries(timeline, person))``, the same text, written from a
    template: a year of a large organisation is hundreds of thousands of shifts, and encoding
    every key and value of each through ``json`` was most of the work of `show --json`. What repeats
    (the team, a level's head, a set of people, a source) is encoded once."""
    team_zone = timeline.team.zone
    team = _encode(timeline.team.id)
    encoded: dict[object, str] = {}  # who tuples and sources, as JSON

    def who_json(who: tuple[str, ...]) -> str:
        if who not in encoded:
            items = ",\n".join(f"        {_encode(p)}" for p in who)
            encoded[who] = f"[\n{items}\n      ]" if who else "[]"
        return encoded[who]

    def source_json(source: str | None) -> str:
        if source not in encoded:
            encoded[source] = _encode(source)
        return encoded[source]

    for level in timeline.levels:
        head = f'    {{\n      "team": {team},\n      "level": {_encode(level.level.number)},\n'
        previous_end, previous_end_text = None, ""
        for shift in level.shifts():
            if person is not None and person not in shift.who:
                continue
            # A shift mostly starts where the one before ended: that instant is written once.
            # An ISO date-time has nothing JSON escapes: quoting it is encoding it.
            if shift.start == previous_end:
                start_text = previous_end_text
            else:
                start_text = shift.start.astimezone(team_zone).isoformat()
            previous_end, previous_end_text = shift.end, shift.end.astimezone(team_zone).isoformat()
            yield (
                f'{head}      "who": {who_json(shift.who)},\n'
                f'      "start": "{start_text}",\n'
                f'      "end": "{previous_end_text}",\n'
                f'      "source": {source_json(shift.source)}\n    }}'
            )


def _list_item(entry: JSON) -> str:
    """``entry`` as ``indent=2`` lays out an item of a top-level list; its values are strings,
    numbers, null or lists of strings."""
    lines = []
    for key, value in entry.items():
        if isinstance(value, list):
            text = "[\n" + ",\n".join(f"        {_encode(v)}" for v in value) + "\n      ]"
            lines.append(f"      {_encode(key)}: {text if value else '[]'}")
        else:
            lines.append(f"      {_encode(key)}: {_encode(value)}")
    return "    {\n" + ",\n".join(lines) + "\n    }"
