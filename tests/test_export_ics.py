"""`astreinte export ics|json|csv`: feeds checked with independent parsers and real clients.

Every instant is absolute and every run passes --at: nothing depends on the machine's TZ or
today's date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from astreinte_cli.cli.app import app

ROSTER = Path(__file__).parent / "data" / "feeds"
AT = "2026-12-24T20:00+01:00"
FROM, TO = "2026-12-01T00:00+01:00", "2027-01-20T00:00+01:00"
PHONES = [
    "+33612345678", "+33623456789", "+33634567890", "+33645678901", "+33387550000",
    "+33387750000", "+15148721111", "06 12 34 56 78", "0612345678", "+33 6 12 34 56 78",
    "612345678", "514 872 1111", "5148721111",
]  # fmt: skip

runner = CliRunner()


def run(*args: str, roster: Path = ROSTER) -> bytes:
    result = runner.invoke(app, [*args, "--rosters", str(roster)])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def ics(*args: str, roster: Path = ROSTER) -> bytes:
    return run("export", "ics", "--at", AT, "--from", FROM, "--to", TO, *args, "-o", "-",
               roster=roster)  # fmt: skip


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def show_shifts(*args: str) -> set[tuple[str, int, tuple[str, ...], dt.datetime, dt.datetime]]:
    document = json.loads(run("show", "--json", "--from", FROM, "--to", TO, *args))
    return {
        (s["team"], s["level"], tuple(s["who"]), utc(dt.datetime.fromisoformat(s["start"])),
         utc(dt.datetime.fromisoformat(s["end"])))
        for s in document["shifts"]
    }  # fmt: skip


def expanded(feed: bytes) -> set[tuple[str, int, tuple[str, ...], dt.datetime, dt.datetime]]:
    """The feed's events over [FROM, TO) by recurring-ical-events, cut at the window's bounds
    (the feed gives shifts whole; `show` cuts them at its range)."""
    low, high = dt.datetime.fromisoformat(FROM), dt.datetime.fromisoformat(TO)
    calendar = icalendar.Calendar.from_ical(feed)
    found = set()
    for event in recurring_ical_events.of(calendar).between(low, high):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        found.add(
            (
                str(event["x-astreinte-team"]),
                int(str(event["x-astreinte-level"])),
                tuple(str(event["x-astreinte-who"]).split(",")),
                utc(max(start, low)),
                utc(min(end, high)),
            )
        )
    return found


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "args",
    [["--team", "support"], ["--team", "support", "--level", "2"], ["--person", "alice"], []],
    ids=["team", "level", "person", "all-teams"],
)
def test_feed_parses_with_icalendar_and_vobject(args: list[str]) -> None:
    feed = ics(*args)
    calendar = icalendar.Calendar.from_ical(feed)
    assert calendar["version"] == "2.0"
    assert str(calendar["x-wr-calname"]).startswith("Astreinte")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.decode()
    assert "X-PUBLISHED-TTL:PT1H" in feed.decode()
    events = list(calendar.walk("VEVENT"))
    assert events
    zones = {str(event["dtstart"].params["TZID"]) for event in events}
    assert zones == {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
    assert calendar.get_missing_tzids() == set()
    for event in events:
        for name in ("uid", "dtstamp", "sequence", "summary", "description", "dtstart", "dtend"):
            assert name in event, name
        assert event["transp"] == "TRANSPARENT"
        assert event["x-microsoft-cdo-busystatus"] == "FREE"
        assert event.decoded("dtstamp") == dt.datetime(2026, 12, 24, 19, 0, tzinfo=dt.UTC)
        assert str(event["summary"]).startswith("Astreinte N")
        assert "Escalation chain" in str(event["description"])
    assert len({str(e["uid"]) for e in events}) == len(events)

    # vobject reads the VTIMEZONEs itself: the instants must agree with icalendar's (zoneinfo).
    parsed = vobject.readOne(feed.decode())
    assert len(parsed.vevent_list) == len(events)
    by_uid = {str(e["uid"]): e for e in events}
    for vevent in parsed.vevent_list:
        mine = by_uid[vevent.uid.value]
        assert utc(vevent.dtstart.value) == utc(mine.decoded("dtstart"))
        assert utc(vevent.dtend.value) == utc(mine.decoded("dtend"))
        assert vevent.summary.value == str(mine["summary"])


def test_person_feed_spanning_two_zones_has_both_vtimezones() -> None:
    calendar = icalendar.Calendar.from_ical(ics("--person", "alice"))
    assert sorted(str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")) == [
        "America/Montreal",
        "Europe/Paris",
    ]


def test_summary_and_description_name_level_team_people_and_instructions() -> None:
    calendar = icalendar.Calendar.from_ical(ics("--team", "support", "--level", "2"))
    christmas = [
        e
        for e in calendar.walk("VEVENT")
        if e.decoded("dtstart") == dt.datetime.fromisoformat("2026-12-24T14:00+01:00")
    ]
    assert [str(e["summary"]) for e in christmas] == ["Astreinte N2 · Support client · Bob Lefèvre"]
    text = str(christmas[0]["description"])
    assert "1. level 1: THELEM permanence (at once)" in text
    assert "2. level 2: Bob Lefèvre (after 10 min)" in text
    assert "3. fallback: Sophie Klein (after 40 min)" in text
    assert "Qualifier l'appel" in text
    assert "Rappeler le client sous 30 minutes." in text
    assert christmas[0]["dtstart"].to_ical() == b"20261224T140000"
    assert christmas[0]["dtstart"].params["TZID"] == "Europe/Paris"


# --------------------------------------------------------------------------- content


@pytest.mark.parametrize(
    ("args", "show_args"),
    [
        (["--team", "support"], ["--team", "support"]),
        (["--team", "noc"], ["--team", "noc"]),
        (["--person", "alice"], ["--person", "alice"]),
    ],
    ids=["team", "other-zone", "person"],
)
def test_expanding_the_feed_gives_the_shifts_of_show_json(
    args: list[str], show_args: list[str]
) -> None:
    assert expanded(ics(*args)) == show_shifts(*show_args)


def test_level_feed_holds_that_level_only() -> None:
    expected = {s for s in show_shifts("--team", "support") if s[1] == 2}
    assert expanded(ics("--team", "support", "--level", "2")) == expected


def test_no_phone_number_in_any_feed() -> None:
    for args in (["--team", "support"], ["--team", "noc", "--level", "1"], ["--person", "emma"],
                 ["--person", "thelem"], []):  # fmt: skip
        text = ics(*args).decode()
        unfolded = text.replace("\r\n ", "")
        for phone in PHONES:
            assert phone not in unfolded, (args, phone)


def test_same_input_gives_the_same_bytes() -> None:
    assert ics("--team", "support") == ics("--team", "support")


def test_uids_survive_an_unrelated_override(tmp_path: Path) -> None:
    roster = tmp_path / "roster"
    shutil.copytree(ROSTER, roster)
    before = icalendar.Calendar.from_ical(ics(roster=roster))
    # A new override, first in the list so that every override index (source) shifts by one.
    support = roster / "support.yaml"
    support.write_text(
        support.read_text(encoding="utf-8").replace(
            "overrides:\n",
            "overrides:\n"
            "  - {level: 2, who: david, from: 2027-01-12 18:00, to: 2027-01-13 09:00}\n",
        ),
        encoding="utf-8",
    )
    after = icalendar.Calendar.from_ical(ics(roster=roster))

    def uids(calendar: icalendar.Calendar) -> dict[str, str]:
        return {str(e["uid"]): str(e["x-astreinte-source"]) for e in calendar.walk("VEVENT")}

    old, new = uids(before), uids(after)
    changed = {u: s for u, s in new.items() if u not in old}
    assert sorted(changed.values()) == ["override:1"]
    assert len(set(old) - set(new)) == 1  # the night of 12 January, now David's
    kept = set(old) & set(new)
    assert {new[u] for u in kept if old[u] == "override:1"} == {"override:2"}


def test_shifts_overlapping_the_range_are_given_whole() -> None:
    feed = run("export", "ics", "--at", AT, "--team", "support", "--level", "2", "-o", "-",
               "--from", "2026-12-24T20:00+01:00", "--to", "2026-12-24T21:00+01:00")  # fmt: skip
    events = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    assert [(e["dtstart"].to_ical(), e["dtend"].to_ical()) for e in events] == [
        (b"20261224T140000", b"20261225T000000")
    ]


def test_private_and_reminder() -> None:
    calendar = icalendar.Calendar.from_ical(ics("--team", "noc", "--private", "--remind", "1h30m"))
    for event in calendar.walk("VEVENT"):
        assert event["class"] == "PRIVATE"
        (alarm,) = event.walk("VALARM")
        assert alarm["action"] == "DISPLAY"
        assert alarm.decoded("trigger") == -dt.timedelta(hours=1, minutes=30)


def test_whole_turns_join_a_turns_nights() -> None:
    calendar = icalendar.Calendar.from_ical(
        ics("--team", "support", "--level", "2", "--whole-turns")
    )
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    spans = [
        (
            str(e["x-astreinte-who"]),
            e.decoded("dtstart").isoformat(),
            e.decoded("dtend").isoformat(),
        )
        for e in events
        if "2026-12-07" <= e.decoded("dtstart").isoformat()[:10] < "2026-12-21"
    ]
    assert spans == [
        ("alice", "2026-12-07T18:00:00+01:00", "2026-12-14T09:00:00+01:00"),
        ("bob", "2026-12-14T18:00:00+01:00", "2026-12-21T09:00:00+01:00"),
    ]
    # Every shift of `show` lies inside exactly one event with the same people.
    for team, level, who, start, end in show_shifts("--team", "support"):
        if level != 2:
            continue
        holders = [
            e
            for e in events
            if utc(e.decoded("dtstart")) <= start
            and end <= utc(e.decoded("dtend"))
            and tuple(str(e["x-astreinte-who"]).split(",")) == who
        ]
        assert len(holders) == 1, (team, who, start)


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "2"], "--level needs exactly one team"),
        (["--team", "noc", "--level", "2"], "team 'noc' has 1 level(s), not 2"),
        (["--person", "alise"], "no person 'alise' in the roster"),
        (["--remind", "soon"], "--remind: 'soon' is not a duration"),
        (["--from", "2027-01-01", "--to", "2026-01-01"], "--to must be after --from"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = runner.invoke(
        app, ["export", "ics", "--rosters", str(ROSTER), "--at", AT, *args, "-o", "-"]
    )
    assert result.exit_code == 2
    assert message in result.stderr
    assert not result.stdout


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "support.ics"
    run("export", "ics", "--at", AT, "--team", "support", "-o", str(target))
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert [p.name for p in tmp_path.iterdir()] == ["support.ics"]


def test_a_device_or_a_pipe_is_written_to_never_replaced(tmp_path: Path) -> None:
    """Replacing the output atomically is for files: run as root, a rename over /dev/null once
    made it a plain file, and every later write to it (git's config, for one) read back."""
    import stat
    import threading

    run("export", "ics", "--at", AT, "--team", "support", "-o", os.devnull)
    replaced = not stat.S_ISCHR(os.stat(os.devnull).st_mode)
    if replaced:  # put it back, or every later test that writes there reads it back
        os.remove(os.devnull)
        os.mknod(os.devnull, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        os.chmod(os.devnull, 0o666)  # past the umask
    assert not replaced
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    run("export", "ics", "--at", AT, "--team", "support", "-o", str(fifo))
    reader.join(timeout=30)
    assert received[0].startswith(b"BEGIN:VCALENDAR\r\n")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.fifo"]


def test_a_symlinked_output_keeps_its_link(tmp_path: Path) -> None:
    target = tmp_path / "real.ics"
    target.write_text("old")
    link = tmp_path / "link.ics"
    link.symlink_to(target)
    run("export", "ics", "--at", AT, "--team", "support", "-o", str(link))
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


# --------------------------------------------------------------------------- json and csv


def test_export_json_is_the_show_document() -> None:
    exported = json.loads(run("export", "json", "--at", AT, "--from", FROM, "--to", TO, "-o", "-"))
    shown = json.loads(run("show", "--json", "--from", FROM, "--to", TO))
    assert exported == shown


def test_export_csv_rows_and_formula_neutralisation() -> None:
    text = run("export", "csv", "--at", AT, "--team", "noc", "--from", "2026-12-24T08:00-05:00",
               "--to", "2026-12-24T20:00-05:00", "-o", "-").decode()  # fmt: skip
    rows = list(csv.reader(io.StringIO(text)))
    formula = '\'=HYPERLINK("https://evil.example/x";"Emma Tremblay")'
    assert rows == [
        ["team", "level", "level_name", "who", "names", "start", "end", "source"],
        ["noc", "1", "Opérateur", "emma", formula, "2026-12-24T08:00:00-05:00",
         "2026-12-24T20:00:00-05:00", "rotation:jour-nuit"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\t=x", "'\t=x"), ("Alice", "Alice"), ("", "")],
)  # fmt: skip
def test_neutralise(cell: str, expected: str) -> None:
    from astreinte_cli.export.table import neutralise

    assert neutralise(cell) == expected


# --------------------------------------------------------------------------- real clients


def test_khal_imports_the_feed_and_lists_the_shift(tmp_path: Path) -> None:
    khal = Path(sys.executable).with_name("khal")
    if not khal.exists():
        pytest.fail("khal is a test dependency (pip install -e .[test])")
    feed = tmp_path / "support.ics"
    feed.write_bytes(
        run("export", "ics", "--at", AT, "--team", "support", "--level", "2",
            "--from", "2026-12-21T00:00+01:00", "--to", "2027-01-11T00:00+01:00", "-o", "-")
    )  # fmt: skip
    (tmp_path / "cal").mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        f"""[calendars]
[[astreinte]]
path = {tmp_path / "cal"}
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/Paris
default_timezone = Europe/Paris
[sqlite]
path = {tmp_path / "khal.db"}
""",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "XDG_DATA_HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}  # fmt: skip

    def khal_run(*args: str) -> str:
        done = subprocess.run(
            [str(khal), "-c", str(config), *args],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    def events_at(day: str, hour: str) -> list[str]:  # khal prints a day heading first
        listed = khal_run("at", "--format", "{start}|{end}|{title}", day, hour)
        return [line for line in listed.splitlines() if "|" in line]

    khal_run("import", "--batch", "-a", "astreinte", str(feed))
    assert events_at("2026-12-24", "20:00") == [
        "2026-12-24 14:00|2026-12-25 00:00|Astreinte N2 · Support client · Bob Lefèvre"
    ]
    assert events_at("2027-01-05", "07:00") == [
        "2027-01-04 18:00|2027-01-05 09:00|Astreinte N2 · Support client · Alice Martin"
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(tmp_path / "collections"), "--auth-type", "none",
         "--logging-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("radicale did not start")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _properties(event: Any) -> dict[str, bytes]:
    return {name: event[name].to_ical() if hasattr(event[name], "to_ical")
            else str(event[name]).encode() for name in event}  # fmt: skip


def test_caldav_server_accepts_the_events_and_returns_them_unchanged(radicale: str) -> None:
    import caldav

    feed = icalendar.Calendar.from_ical(
        run("export", "ics", "--at", AT, "--person", "alice", "--remind", "1h", "--private",
            "--from", "2026-12-21T00:00+01:00", "--to", "2027-01-04T00:00+01:00", "-o", "-")
    )  # fmt: skip
    zones = list(feed.walk("VTIMEZONE"))
    sent = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    assert sent
    with caldav.DAVClient(radicale, username="astreinte", password="unused") as client:
        calendar = client.principal().make_calendar(name="Astreinte", cal_id="astreinte")
        for event in sent.values():
            one = icalendar.Calendar()
            one.add("prodid", "-//tests//EN")
            one.add("version", "2.0")
            for zone in zones:
                one.add_component(zone)
            one.add_component(event)
            # As a calendar app importing a feed would: the feed's SEQUENCE stays as it is.
            calendar.add_event(one.to_ical().decode(), increase_seqno=False)
        stored = [icalendar.Calendar.from_ical(item.data) for item in calendar.events()]
    received = {str(e["uid"]): e for c in stored for e in c.walk("VEVENT")}
    assert received.keys() == sent.keys()
    for uid, event in sent.items():
        back = received[uid]
        assert _properties(back) == _properties(event)
        assert [_properties(a) for a in back.walk("VALARM")] == [
            _properties(a) for a in event.walk("VALARM")
        ]
        assert utc(back.decoded("dtstart")) == utc(event.decoded("dtstart"))


@pytest.mark.parametrize(
    "location",
    [ROSTER, ROSTER.parent / "cli" / "world", ROSTER.parent.parent.parent / "rosters"],
    ids=["feeds", "world", "example"],
)
@given(
    first=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 6, 1)),
    days=st.integers(0, 70),
    hours=st.integers(1, 23),
)
@settings(max_examples=40, deadline=None)
def test_shifts_followed_past_the_range_step_by_step_end_where_a_wide_compile_ends_them(
    location: Path, first: dt.datetime, days: int, hours: int
) -> None:
    """compile_for_feeds compiles a little beyond the range and further only where a shift runs
    on: its events are those of a compile EXTENT beyond both bounds."""
    from astreinte_cli.compile import compile_team
    from astreinte_cli.export.events import EXTENT, compile_for_feeds, feed_events
    from astreinte_cli.load import load_roster

    roster = load_roster(location)
    start = first.replace(tzinfo=dt.UTC)
    end = start + dt.timedelta(days=days, hours=hours)
    wide = [compile_team(roster, team, start - EXTENT, end + EXTENT) for team in roster.teams]
    followed = compile_for_feeds(roster, roster.teams, start, end)
    assert feed_events(followed, start, end) == feed_events(wide, start, end)
