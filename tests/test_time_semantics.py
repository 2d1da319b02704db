"""SPEC §2 and §4, example by example: placing local times, time ranges, periods, durations,
offsets, ``end:``. Rosters are written as YAML and read by the real loader."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from reference import Clock, Reference, local_minutes, utc_minutes
from typer.testing import CliRunner

from astreinte_cli.cli.app import app
from astreinte_cli.compile import compile_level
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster
from astreinte_cli.times import parse_duration, place
from astreinte_cli.windows import TeamCalendar

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
PEOPLE = """\
people:
  alice: {name: Alice Martin}
  bob: {name: Bob Lefèvre}
  chloe: {name: Chloé Bernard}
"""


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """The UTC instant of a Paris clock reading that exists and is not repeated (in UTC, so
    that adding a timedelta adds elapsed time)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def load(tmp_path: Path, text: str) -> Roster:
    path = tmp_path / "roster.yaml"
    path.write_text(PEOPLE + text, encoding="utf-8")
    return load_roster(path)


def team_yaml(only: str = "always", extra: str = "") -> str:
    """A Paris team whose one rotation gives alice all the time within ``only``."""
    return f"""\
team: t
timezone: Europe/Paris
{extra}levels:
  - rotations:
      - members: [alice]
        only: {only}
"""


def window_of(roster: Roster, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str]]:
    """The level-1 rotation's ``only`` window over a range, as local ISO texts."""
    team = roster.teams[0]
    window = team.levels[0].rotations[0].only
    found = TeamCalendar(team).evaluate(window, start, end)
    return [(a.astimezone(PARIS).isoformat(), b.astimezone(PARIS).isoformat()) for a, b in found]


# --------------------------------------------------------------------------- placement


def test_a_reading_in_the_spring_gap_is_the_instant_the_clocks_jump() -> None:
    instant = place(dt.datetime(2026, 3, 29, 2, 30), PARIS)
    assert instant.astimezone(PARIS).isoformat() == "2026-03-29T03:00:00+02:00"
    assert instant == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_a_repeated_reading_is_its_first_occurrence() -> None:
    instant = place(dt.datetime(2026, 10, 25, 2, 30), PARIS)
    assert instant.astimezone(PARIS).isoformat() == "2026-10-25T02:30:00+02:00"
    assert instant == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Paris", dt.date(2026, 3, 29)),
        ("Europe/Paris", dt.date(2026, 10, 25)),
        ("America/New_York", dt.date(2026, 3, 8)),
        ("America/New_York", dt.date(2026, 11, 1)),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5)),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4)),
        ("Pacific/Chatham", dt.date(2026, 4, 5)),
        ("Pacific/Chatham", dt.date(2026, 9, 27)),
    ],
)
def test_placement_agrees_with_the_reference_clock_on_dst_days(zone: str, day: dt.date) -> None:
    """Every minute of a DST day, placed by ``times.place`` and by the reference's scan."""
    tz = ZoneInfo(zone)
    clock = Clock(tz)
    reading = dt.datetime.combine(day, dt.time())
    for _ in range(24 * 60):
        expected = clock.place(local_minutes(reading))
        assert utc_minutes(place(reading, tz)) == expected, reading
        reading += dt.timedelta(minutes=1)


def test_when_on_the_command_line_is_placed_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "roster.yaml").write_text(PEOPLE + team_yaml(), encoding="utf-8")
    for written, shown in [
        ("2026-03-29 02:30", "2026-03-29T03:00:00+02:00"),
        ("2026-10-25T02:30", "2026-10-25T02:30:00+02:00"),
        ("2026-10-25T02:30+01:00", "2026-10-25T02:30:00+01:00"),
    ]:
        result = CliRunner().invoke(
            app, ["now", "--rosters", str(tmp_path), "--at", written, "--json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["at"] == shown


def test_a_start_in_the_spring_gap_is_the_jump_instant(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
team: t
timezone: Europe/Paris
levels:
  - rotations:
      - members: [alice, bob]
        start: 2026-03-29 02:30
        every: 1d
""",
    )
    team = roster.teams[0]
    start, end = paris(2026, 3, 29, 0, 0), paris(2026, 3, 30, 12, 0)
    timeline = compile_level(roster, team, team.levels[0], start, end)
    shifts = [(s.start.astimezone(PARIS).isoformat(), s.who) for s in timeline.shifts()]
    assert shifts == [
        ("2026-03-29T03:00:00+02:00", ("alice",)),
        ("2026-03-30T02:30:00+02:00", ("bob",)),
    ]


# --------------------------------------------------------------------------- time ranges (§2, §4)


def test_a_range_whose_end_is_not_after_its_start_crosses_midnight(tmp_path: Path) -> None:
    roster = load(tmp_path, team_yaml("{fri: 18:00-09:00}"))
    assert window_of(roster, paris(2026, 1, 5), paris(2026, 1, 12)) == [
        ("2026-01-09T18:00:00+01:00", "2026-01-10T09:00:00+01:00")
    ]


def test_a_range_from_a_time_to_itself_is_24_hours(tmp_path: Path) -> None:
    roster = load(tmp_path, team_yaml("{wed: 08:00-08:00}"))
    assert window_of(roster, paris(2026, 1, 5), paris(2026, 1, 12)) == [
        ("2026-01-07T08:00:00+01:00", "2026-01-08T08:00:00+01:00")
    ]


def test_24_00_is_the_end_of_the_day(tmp_path: Path) -> None:
    roster = load(tmp_path, team_yaml("{sat: 18:00-24:00, sun: 00:00-24:00}"))
    # Ranges that touch merge: no edge remains at Sunday 00:00. Sunday 29 March has 23 hours.
    assert window_of(roster, paris(2026, 3, 23), paris(2026, 4, 1)) == [
        ("2026-03-28T18:00:00+01:00", "2026-03-30T00:00:00+02:00")
    ]


def test_daily_ranges_that_touch_leave_no_edge(tmp_path: Path) -> None:
    roster = load(tmp_path, team_yaml("{daily: 08:00-08:00}"))
    start, end = paris(2026, 1, 5), paris(2026, 1, 12)
    assert window_of(roster, start, end) == [
        (start.astimezone(PARIS).isoformat(), end.astimezone(PARIS).isoformat())
    ]


def test_unquoted_yaml_times_are_read_as_written(tmp_path: Path) -> None:
    roster = load(tmp_path, team_yaml("{mon-fri: 09:00-18:00, sat: [09:00-12:00, 14:00-17:30]}"))
    found = window_of(roster, paris(2026, 1, 9), paris(2026, 1, 11))
    assert found == [
        ("2026-01-09T09:00:00+01:00", "2026-01-09T18:00:00+01:00"),
        ("2026-01-10T09:00:00+01:00", "2026-01-10T12:00:00+01:00"),
        ("2026-01-10T14:00:00+01:00", "2026-01-10T17:30:00+01:00"),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Spring forward: 02:30 does not exist and is placed at 03:00, the jump.
        (
            "2026-03-29",
            [("2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00")],
        ),
        # Fall back: 02:30 is its first occurrence, 03:30 comes after the repeated hour.
        (
            "2026-10-25",
            [("2026-10-25T02:30:00+02:00", "2026-10-25T03:30:00+01:00")],
        ),
    ],
)
def test_window_edges_are_placed_by_the_dst_rule(
    tmp_path: Path, day: str, expected: list[tuple[str, str]]
) -> None:
    roster = load(tmp_path, team_yaml("{sun: 02:30-03:30}"))
    date = dt.date.fromisoformat(day)
    start = paris(date.year, date.month, date.day - 1)
    assert window_of(roster, start, start + dt.timedelta(days=2)) == expected


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("written", "first", "last"),
    [
        ("2026-08-03 .. 2026-08-23", "2026-08-03T00:00:00+02:00", "2026-08-24T00:00:00+02:00"),
        (
            "2026-08-03 .. 2026-08-05 12:00",
            "2026-08-03T00:00:00+02:00",
            "2026-08-05T12:00:00+02:00",
        ),
        (
            "{from: 2026-08-03, to: 2026-08-05}",
            "2026-08-03T00:00:00+02:00",
            "2026-08-06T00:00:00+02:00",
        ),
        ("2026-08-03 .. 2026-08-03", "2026-08-03T00:00:00+02:00", "2026-08-04T00:00:00+02:00"),
        # A period across the spring change: its end is a clock reading, so a local day ends at
        # local midnight, 23 hours after it began.
        ("2026-03-29 .. 2026-03-29", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00"),
        (
            "2026-12-31 18:00 .. 2027-01-02 09:00",
            "2026-12-31T18:00:00+01:00",
            "2027-01-02T09:00:00+01:00",
        ),
    ],
)
def test_a_bare_date_as_end_means_the_end_of_that_day(
    tmp_path: Path, written: str, first: str, last: str
) -> None:
    roster = load(tmp_path, team_yaml() + f"leave:\n  alice: [{written}]\n")
    (leave,) = roster.leave
    start, end = leave.period.instants(PARIS)
    assert (start.astimezone(PARIS).isoformat(), end.astimezone(PARIS).isoformat()) == (
        first,
        last,
    )


def test_a_period_is_half_open(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        team_yaml()
        + "overrides:\n  - {level: 1, who: bob, from: 2026-08-03 09:00, to: 2026-08-03 10:00}\n",
    )
    team = roster.teams[0]
    timeline = compile_level(roster, team, team.levels[0], paris(2026, 8, 3), paris(2026, 8, 4))
    assert timeline.at(paris(2026, 8, 3, 8, 59)).who == ("alice",)
    assert timeline.at(paris(2026, 8, 3, 9, 0)).who == ("bob",)
    assert timeline.at(paris(2026, 8, 3, 9, 59)).who == ("bob",)
    assert timeline.at(paris(2026, 8, 3, 10, 0)).who == ("alice",)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("30m", dt.timedelta(minutes=30)),
        ("12h", dt.timedelta(hours=12)),
        ("1d", dt.timedelta(days=1)),
        ("1w", dt.timedelta(weeks=1)),
        ("2w", dt.timedelta(weeks=2)),
        ("1d12h", dt.timedelta(days=1, hours=12)),
        ("P1W", dt.timedelta(weeks=1)),
        ("PT12H", dt.timedelta(hours=12)),
    ],
)
def test_durations(text: str, value: dt.timedelta) -> None:
    assert parse_duration(text) == value


# --------------------------------------------------------------------------- starts and ends


def rotation_team(rotation: str) -> str:
    return f"""\
team: t
timezone: Europe/Paris
levels:
  - rotations:
      - {rotation}
"""


def test_a_start_with_an_offset_is_that_very_instant(tmp_path: Path) -> None:
    # 02:30+01:00 on 25 October is the second 02:30: H(0) is there, H(1) at 03:30+01:00.
    roster = load(
        tmp_path,
        rotation_team("{members: [alice, bob], start: 2026-10-25T02:30+01:00, every: 1h}"),
    )
    team = roster.teams[0]
    start = dt.datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    timeline = compile_level(roster, team, team.levels[0], start, start + dt.timedelta(hours=4))
    shifts = [(s.start.astimezone(PARIS).isoformat(), s.who) for s in timeline.shifts()]
    assert shifts == [
        ("2026-10-25T02:30:00+01:00", ("alice",)),
        ("2026-10-25T03:30:00+01:00", ("bob",)),
        ("2026-10-25T04:30:00+01:00", ("alice",)),
    ]


def test_an_offset_start_whose_next_handoff_is_not_after_it_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError) as caught:
        load(
            tmp_path,
            rotation_team("{members: [alice, bob], start: 2026-10-25T02:00+01:00, every: 30m}"),
        )
    (diagnostic,) = caught.value.diagnostics
    line = (tmp_path / "roster.yaml").read_text(encoding="utf-8").splitlines()[8]
    assert (diagnostic.span.line, diagnostic.span.column) == (9, line.index("2026-10-25") + 1)
    assert "start" in diagnostic.message
    assert "not" in diagnostic.message


def test_end_as_a_bare_date_is_midnight_of_that_date(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        rotation_team(
            "{members: [alice, bob], start: 2026-12-01 00:00, every: 1d, end: 2027-01-01}"
        ),
    )
    team = roster.teams[0]
    timeline = compile_level(roster, team, team.levels[0], paris(2026, 12, 31), paris(2027, 1, 2))
    assert timeline.at(paris(2026, 12, 31, 23, 59)).who == ("alice",)  # turn 30
    assert timeline.at(paris(2027, 1, 1, 0, 0)).who == ()
    assert timeline.at(paris(2027, 1, 1, 0, 0)).is_gap


def test_a_handoff_instant_belongs_to_the_incoming_person(tmp_path: Path) -> None:
    roster = load(
        tmp_path, rotation_team("{members: [alice, bob], start: 2026-01-05 09:00, every: 1w}")
    )
    team = roster.teams[0]
    timeline = compile_level(roster, team, team.levels[0], paris(2026, 1, 5), paris(2026, 1, 20))
    assert timeline.at(paris(2026, 1, 5, 8, 59)).who == ()
    assert timeline.at(paris(2026, 1, 5, 9, 0)).who == ("alice",)
    assert timeline.at(paris(2026, 1, 12, 8, 59)).who == ("alice",)
    assert timeline.at(paris(2026, 1, 12, 9, 0)).who == ("bob",)


def test_the_reference_agrees_on_these_rosters(tmp_path: Path) -> None:
    """The examples above, minute by minute against the brute-force reference."""
    texts = [
        team_yaml("{fri: 18:00-09:00, wed: 08:00-08:00, sun: [02:30-03:30, 18:00-24:00]}"),
        rotation_team("{members: [alice, bob], start: 2026-03-29 02:30, every: 1d}"),
        rotation_team("{members: [alice, bob], start: 2026-10-25T02:30+01:00, every: 1h}"),
        rotation_team(
            "{members: [alice, bob], start: 2026-12-01 00:00, every: 1d, end: 2027-01-01}"
        ),
    ]
    for number, text in enumerate(texts):
        folder = tmp_path / str(number)
        folder.mkdir()
        roster = load(folder, text)
        team = roster.teams[0]
        reference = Reference(roster, team)
        for start in (paris(2026, 3, 27), paris(2026, 10, 23), paris(2026, 12, 30)):
            end = start + dt.timedelta(days=3)
            timeline = compile_level(roster, team, team.levels[0], start, end)
            expected = reference.states(team.levels[0], start, end)
            minute = dt.timedelta(minutes=1)
            for offset, state in enumerate(expected):
                got = timeline.at(start + offset * minute)
                assert (got.active, got.who, got.source) == state, (text, start + offset * minute)
