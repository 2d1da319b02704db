"""The writers that skip a library for speed write what the library writes, byte for byte:
VEVENTs (export/ical.py, against ``icalendar``) and `show --json` written team by team
(export/documents.py, against ``json.dumps`` of the whole document)."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astreinte_cli.compile import compile_team
from astreinte_cli.export.documents import show_document, write_show_json
from astreinte_cli.export.event_text import description, summary
from astreinte_cli.export.events import FeedEvent, compile_for_feeds, event_zones, feed_events
from astreinte_cli.export.feeds import write_feed
from astreinte_cli.export.ical import EventWriter, FeedOptions, escape_text, event_uid, fold
from astreinte_cli.load import load_roster

DATA = Path(__file__).parent / "data"
UTC = dt.UTC


def icalendar_vevent(roster: object, item: FeedEvent, options: FeedOptions) -> bytes:
    """The event as ``icalendar`` builds it: what ``EventWriter.vevents`` must reproduce."""
    from icalendar import Alarm, Event, vText

    assert isinstance(roster, type(load_roster(DATA / "feeds")))
    event = Event()
    event.add("uid", event_uid(item.team.id, item.level.number, item.who, item.start, item.end))
    event.add("dtstamp", options.stamp.astimezone(dt.UTC).replace(microsecond=0))
    event.add("sequence", 0)
    event.add("dtstart", item.start.astimezone(item.team.zone))
    event.add("dtend", item.end.astimezone(item.team.zone))
    event.add("summary", summary(roster, item))
    event.add("description", description(roster, item))
    event.add("categories", ["Astreinte", f"N{item.level.number}"])
    event.add("transp", "TRANSPARENT")
    event.add("x-microsoft-cdo-busystatus", vText("FREE"))
    if options.private:
        event.add("class", "PRIVATE")
    event.add("x-astreinte-team", item.team.id)
    event.add("x-astreinte-level", str(item.level.number))
    event.add("x-astreinte-who", ",".join(item.who))
    event.add("x-astreinte-source", item.source)
    if options.remind is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary(roster, item))
        alarm.add("trigger", -options.remind)
        event.add_component(alarm)
    return bytes(event.to_ical())


def _awkward_copy(tmp_path: Path, zone: str) -> Path:
    """The feeds roster with names and instructions full of what escaping and folding meet."""
    folder = tmp_path / "feeds"
    shutil.copytree(DATA / "feeds", folder)
    noc = folder / "zz-noc.yaml"
    text = noc.read_text(encoding="utf-8").replace("America/Montreal", zone)
    text = text.replace(
        "name: NOC Montréal",
        'name: "NOC ; Montréal, \\\\ back\\\\Nslash ^caret é€😀 ' + "é" * 40 + '"',
    )
    # Two people per turn (``who`` with a comma), and a rotation name with separators.
    text = text.replace(
        "      - name: jour-nuit\n",
        "      - per_turn: 2\n        name: " + ('"jour,nuit;x\\\\y:z ' + "é" * 50 + '"\n'),
    )
    noc.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("zone", ["America/Montreal", "UTC", "Etc/UTC", "Asia/Kolkata"])
@pytest.mark.parametrize(
    ("private", "remind"),
    [(False, None), (True, dt.timedelta(hours=1, minutes=30)), (False, dt.timedelta(days=1))],
)
def test_vevents_are_what_icalendar_writes(
    tmp_path: Path, zone: str, private: bool, remind: dt.timedelta | None
) -> None:
    folder = _awkward_copy(tmp_path, zone)
    roster = load_roster(folder)
    assert any("^caret" in team.name for team in roster.teams)
    rotations = [r for team in roster.teams for level in team.levels for r in level.rotations]
    assert any(r.per_turn == 2 and "jour,nuit;" in r.name for r in rotations)
    start = dt.datetime(2026, 12, 1, tzinfo=UTC)
    end = dt.datetime(2027, 1, 20, tzinfo=UTC)
    options = FeedOptions(
        "feed", dt.datetime(2026, 12, 24, 19, 0, 7, 123, tzinfo=UTC), None, private, remind
    )
    # One writer for every event, as a feed has: its frames, made once and reused, are
    # compared too, not only freshly made ones.
    writer = EventWriter(roster, options)
    for whole_turns in (False, True):
        timelines = compile_for_feeds(roster, roster.teams, start, end, whole_turns=whole_turns)
        found = feed_events(timelines, start, end, whole_turns=whole_turns)
        compared = 0
        for level_events in found:
            written = writer.vevents(level_events)
            for event, vevent in zip(level_events.events(), written, strict=True):
                assert vevent == icalendar_vevent(roster, event, options)
                compared += 1
        assert compared > 10
        joined = sum(len(event.pieces) > 1 for events in found for event in events.events())
        assert bool(joined) == whole_turns
    out = io.BytesIO()
    write_feed(out, roster, options, start, end, [found], zones=event_zones(found))
    assert len(icalendar.Calendar.from_ical(out.getvalue()).walk("VEVENT")) == compared


@pytest.mark.parametrize("roster_name", ["feeds", "cli/gap", "cli/world", "valid"])
@pytest.mark.parametrize("person", [None, "alice", "nobody-on-call"])
@pytest.mark.parametrize("days", [0, 45])
def test_show_json_written_team_by_team_is_the_whole_document(
    roster_name: str, person: str | None, days: int
) -> None:
    location = DATA / roster_name
    if roster_name == "valid":
        location = sorted(location.glob("*.yaml"))[0]
    roster = load_roster(location)
    start = dt.datetime(2026, 12, 1, tzinfo=UTC)
    end = start + dt.timedelta(days=days, hours=1)
    zone = roster.teams[0].zone
    timelines = [compile_team(roster, team, start, end) for team in roster.teams]
    expected = json.dumps(
        show_document(timelines, start, end, zone, person), ensure_ascii=False, indent=2
    )
    for jobs in ("1", "2"):  # in one process, and shared out (forced, however small)
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("ASTREINTE_JOBS", jobs)
            write_show_json(
                out, roster.teams, lambda t: compile_team(roster, t, start, end),
                start, end, zone, person, share=jobs != "1",
            )  # fmt: skip
        out.flush()
        assert out.buffer.getvalue().decode() == expected + "\n"  # type: ignore[attr-defined]


# Text without control characters (line feeds and tabs apart): those are removed before
# escaping (see the next test), where icalendar writes them as they are.
_TEXT = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Zl", "Zp"), include_characters="\n\t"
)


@given(st.text(_TEXT, max_size=400))
@settings(max_examples=300)
def test_long_text_is_escaped_and_folded_as_icalendar_does(text: str) -> None:
    event = icalendar.Event()
    event.add("description", text)
    expected = bytes(event.to_ical()).decode().split("\r\n", 1)[1].rsplit("\r\nEND:VEVENT", 1)[0]
    assert fold(f"DESCRIPTION:{escape_text(text)}") == expected


@pytest.mark.parametrize("roster_name", ["feeds", "cli/world", "cli/gap"])
@pytest.mark.parametrize("whole_turns", [False, True])
def test_a_level_or_person_feed_holds_those_events_of_the_whole_feed(
    roster_name: str, whole_turns: bool
) -> None:
    """``feed_events`` with ``level`` or ``person`` keeps what the whole feed's events have of
    that level or that person, in the same order."""
    roster = load_roster(DATA / roster_name)
    start = dt.datetime(2026, 10, 20, tzinfo=UTC)
    end = dt.datetime(2027, 1, 20, tzinfo=UTC)
    timelines = compile_for_feeds(roster, roster.teams, start, end, whole_turns=whole_turns)

    def events(level: int | None = None, person: str | None = None) -> list[FeedEvent]:
        found = feed_events(
            timelines, start, end, level=level, person=person, whole_turns=whole_turns
        )
        return [event for level_events in found for event in level_events.events()]

    every = events()
    assert len(every) > 10
    for level in (1, 2):
        assert events(level=level) == [e for e in every if e.level.number == level]
    for person in ("alice", "nobody-on-call"):
        theirs = [e for e in every if person in e.who]
        assert events(person=person) == theirs
        whole = feed_events(timelines, start, end, whole_turns=whole_turns)
        of = [e for level_events in whole for e in level_events.of(person).events()]
        assert of == theirs
    if roster_name == "feeds":
        assert any("alice" in e.who for e in every)  # something was kept
