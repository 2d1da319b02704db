"""The timeline compiler on named cases: SPEC §5 (turns, who, changes, restriction, layers,
leave, overrides, coverage, sources), §6, §7 (`now`), §8, and the DST cases of §2.

Every roster here is also checked minute by minute against the brute-force reference
(``tests/reference.py``) over the range the test looks at.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from reference import Reference
from typer.testing import CliRunner

from astreinte_cli.cli.app import app
from astreinte_cli.compile import compile_level
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster
from astreinte_cli.query import level_now
from astreinte_cli.timeline import LevelTimeline

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
SPEC_ROSTER = Path(__file__).parent / "data" / "spec"
PEOPLE = """\
people:
  a: {name: A}
  b: {name: B}
  c: {name: C}
  d: {name: D}
"""


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """The UTC instant of a Paris clock reading that exists and is not repeated."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def local(instant: dt.datetime) -> str:
    return instant.astimezone(PARIS).isoformat()


def load(tmp_path: Path, text: str, people: str = PEOPLE) -> Roster:
    path = tmp_path / "roster.yaml"
    path.write_text(people + "team: t\ntimezone: Europe/Paris\n" + text, encoding="utf-8")
    return load_roster(path)


def timeline(roster: Roster, start: dt.datetime, end: dt.datetime, level: int = 1) -> LevelTimeline:
    """The compiled level, after checking it against the reference at every minute."""
    team = roster.teams[0]
    compiled = compile_level(roster, team, team.level(level), start, end)
    expected = Reference(roster, team).states(team.level(level), start, end)
    minute = dt.timedelta(minutes=1)
    for offset, state in enumerate(expected):
        got = compiled.at(start + offset * minute)
        assert (got.active, set(got.who), got.source) == (
            state.active,
            set(state.who),
            state.source,
        ), local(start + offset * minute)
    return compiled


def shifts(compiled: LevelTimeline) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    return [(local(s.start), local(s.end), s.who, s.source) for s in compiled.shifts()]


def hours(start: str, end: str) -> float:
    elapsed = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
    return elapsed / dt.timedelta(hours=1)


# --------------------------------------------------------------------------- DST (§2)


def test_a_weekly_handoff_stays_on_monday_0900_across_both_changes(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b], start: 2026-01-05 09:00, every: 1w}
""",
    )
    spring = shifts(timeline(roster, paris(2026, 3, 23), paris(2026, 4, 7)))
    assert [s[0] for s in spring] == [
        "2026-03-23T00:00:00+01:00",
        "2026-03-23T09:00:00+01:00",
        "2026-03-30T09:00:00+02:00",
        "2026-04-06T09:00:00+02:00",
    ]
    assert hours(spring[1][0], spring[1][1]) == 167  # the turn that holds the change
    autumn = shifts(timeline(roster, paris(2026, 10, 19), paris(2026, 11, 3)))
    assert [s[0] for s in autumn] == [
        "2026-10-19T00:00:00+02:00",
        "2026-10-19T09:00:00+02:00",
        "2026-10-26T09:00:00+01:00",
        "2026-11-02T09:00:00+01:00",
    ]
    assert hours(autumn[1][0], autumn[1][1]) == 169


def test_a_daily_0230_handoff_on_the_spring_forward_day(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b, c], start: 2026-03-27 02:30, every: 1d}
""",
    )
    found = shifts(timeline(roster, paris(2026, 3, 27, 2, 30), paris(2026, 3, 30, 2, 30)))
    assert found == [
        ("2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", ("a",), "rotation:rotation 1"),
        # 02:30 does not exist on the 29th: the handoff is at the jump, 03:00.
        ("2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", ("b",), "rotation:rotation 1"),
        ("2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00", ("c",), "rotation:rotation 1"),
    ]
    assert [hours(s[0], s[1]) for s in found] == [24, 23.5, 23.5]


def test_a_daily_0230_handoff_on_the_fall_back_day(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b, c], start: 2026-10-24 02:30, every: 1d}
""",
    )
    found = shifts(timeline(roster, paris(2026, 10, 24, 2, 30), paris(2026, 10, 27, 2, 30)))
    assert [(s[0], s[2]) for s in found] == [
        ("2026-10-24T02:30:00+02:00", ("a",)),
        # 02:30 occurs twice on the 25th: the handoff is at the first.
        ("2026-10-25T02:30:00+02:00", ("b",)),
        ("2026-10-26T02:30:00+01:00", ("c",)),
    ]
    assert [hours(s[0], s[1]) for s in found] == [24, 25, 24]


def test_a_12_hour_rotation_keeps_0800_and_2000_across_dst(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b], start: 2026-01-01 08:00, every: 12h}
""",
    )
    spring = shifts(timeline(roster, paris(2026, 3, 28, 8), paris(2026, 3, 29, 20)))
    assert [(s[0], s[1]) for s in spring] == [
        ("2026-03-28T08:00:00+01:00", "2026-03-28T20:00:00+01:00"),
        ("2026-03-28T20:00:00+01:00", "2026-03-29T08:00:00+02:00"),
        ("2026-03-29T08:00:00+02:00", "2026-03-29T20:00:00+02:00"),
    ]
    assert [hours(s[0], s[1]) for s in spring] == [12, 11, 12]
    autumn = shifts(timeline(roster, paris(2026, 10, 24, 8), paris(2026, 10, 25, 20)))
    assert [hours(s[0], s[1]) for s in autumn] == [12, 13, 12]
    assert autumn[1][:2] == ("2026-10-24T20:00:00+02:00", "2026-10-25T08:00:00+01:00")


@pytest.mark.parametrize(
    ("count", "after_the_gap"),
    [
        # Turn 2 (02:00) is empty: it uses up c's turn, so a takes 03:00 (turn 3).
        ("calendar", ["a", "b"]),
        # With count: active, the empty turn uses up no one's turn: c takes 03:00.
        ("active", ["c", "a"]),
    ],
)
def test_an_hourly_turn_inside_the_spring_gap_is_empty(
    tmp_path: Path, count: str, after_the_gap: list[str]
) -> None:
    roster = load(
        tmp_path,
        f"""\
levels:
  - rotations:
      - {{members: [a, b, c], start: 2026-03-29 00:00, every: 1h, count: {count}}}
""",
    )
    found = shifts(timeline(roster, paris(2026, 3, 29), paris(2026, 3, 29, 5)))
    assert found == [
        ("2026-03-29T00:00:00+01:00", "2026-03-29T01:00:00+01:00", ("a",), "rotation:rotation 1"),
        ("2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", ("b",), "rotation:rotation 1"),
        (
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T04:00:00+02:00",
            (after_the_gap[0],),
            "rotation:rotation 1",
        ),
        (
            "2026-03-29T04:00:00+02:00",
            "2026-03-29T05:00:00+02:00",
            (after_the_gap[1],),
            "rotation:rotation 1",
        ),
    ]


# --------------------------------------------------------------------------- fairness (§5.2)

FOURTEEN = "people:\n" + "".join(f"  m{i:02d}: {{name: M{i:02d}}}\n" for i in range(14))


@pytest.mark.parametrize("only", ["weekdays", "{mon-fri: 00:00-24:00}"])
@pytest.mark.parametrize("count", ["active", "calendar"])
def test_a_weekday_only_daily_rotation_is_fair_only_with_count_active(
    tmp_path: Path, only: str, count: str
) -> None:
    members = ", ".join(f"m{i:02d}" for i in range(14))
    roster = load(
        tmp_path,
        f"""\
levels:
  - rotations:
      - members: [{members}]
        start: 2026-01-05 00:00     # a Monday
        every: 1d
        only: {only}
        count: {count}
""",
        people=FOURTEEN,
    )
    team = roster.teams[0]
    start = paris(2026, 1, 5)
    end = paris(2026, 4, 13)  # 14 weeks later, across the spring change
    turns = collections.Counter(
        s.who[0] for s in compile_level(roster, team, team.levels[0], start, end).shifts()
    )
    everyone = [f"m{i:02d}" for i in range(14)]
    if count == "active":
        assert [turns[p] for p in everyone] == [5] * 14
    else:
        # The weekend turns are lost: turn k goes to member k mod 14, and the members whose
        # turns always fall on a Saturday or a Sunday (5, 6, 12, 13) never get one.
        assert [turns[p] for p in everyone] == [7] * 5 + [0] * 2 + [7] * 5 + [0] * 2
    assert sum(turns.values()) == 70


# --------------------------------------------------------------------------- who (§5.2, §8)


def test_a_person_is_on_call_once_in_a_set(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, a, b], per_turn: 2, start: 2026-01-05 09:00, every: 1d}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 8, 9)))
    # Turn 0 gives members 0 and 1: a and a, so just a. Turns 1 and 2 give (b, a) and (a, b):
    # the same set, so one shift, shown in the order at its start (§8).
    assert found == [
        ("2026-01-05T09:00:00+01:00", "2026-01-06T09:00:00+01:00", ("a",), "rotation:rotation 1"),
        (
            "2026-01-06T09:00:00+01:00",
            "2026-01-08T09:00:00+01:00",
            ("b", "a"),
            "rotation:rotation 1",
        ),
    ]


def test_per_turn_takes_consecutive_members(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b, c], per_turn: 2, start: 2026-01-05 09:00, every: 1d}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 8, 9)))
    assert [s[2] for s in found] == [("a", "b"), ("c", "a"), ("b", "c")]


# --------------------------------------------------------------------------- changes (§5.3)


def test_a_member_change_takes_effect_at_the_first_handoff_from_then(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - members: [a, b]
        start: 2026-01-05 09:00
        every: 1d
        changes:
          - {from: 2026-01-06 12:00, members: [c, d]}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 9, 9)))
    # The change waits for the 7th 09:00 handoff, and the count restarts there with c.
    assert [(s[0][:16], s[2]) for s in found] == [
        ("2026-01-05T09:00", ("a",)),
        ("2026-01-06T09:00", ("b",)),
        ("2026-01-07T09:00", ("c",)),
        ("2026-01-08T09:00", ("d",)),
    ]


def test_with_count_active_a_change_starts_at_the_first_active_turn(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - members: [a, b]
        start: 2026-01-05 09:00     # a Monday
        every: 1d
        only: weekdays
        count: active
        changes:
          - {from: 2026-01-10 09:00, members: [c, d]}   # a Saturday
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 8, 9), paris(2026, 1, 14, 9)))
    assert [(s[0][:16], s[2]) for s in found] == [
        ("2026-01-08T09:00", ("b",)),
        ("2026-01-09T09:00", ("a",)),
        ("2026-01-12T00:00", ("c",)),  # Monday: the Sunday 09:00 turn reaches into it
        ("2026-01-12T09:00", ("d",)),
        ("2026-01-13T09:00", ("c",)),
    ]


# -------------------------------------------------------------------- layers, only (§5.4-5)


def test_a_later_rotation_wins_where_it_gives_someone(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {name: semaine, members: [a, b], start: 2026-01-05 09:00, every: 1w}
      - {name: nuits, members: [c], only: {daily: 20:00-08:00}}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 6, 9)))
    assert found == [
        ("2026-01-05T09:00:00+01:00", "2026-01-05T20:00:00+01:00", ("a",), "rotation:semaine"),
        ("2026-01-05T20:00:00+01:00", "2026-01-06T08:00:00+01:00", ("c",), "rotation:nuits"),
        ("2026-01-06T08:00:00+01:00", "2026-01-06T09:00:00+01:00", ("a",), "rotation:semaine"),
    ]


# --------------------------------------------------------------------------- leave (§6)

LEAVE_ROSTER = """\
on_leave: {on_leave}
levels:
  - rotations:
      - {{name: semaine, members: [a, b, c], start: 2026-01-05 09:00, every: 1w}}
leave:
  a: [2026-01-06 .. 2026-01-07 12:00]
  b: [2026-01-07 .. 2026-01-07]
"""


def test_on_leave_flag_keeps_the_assignment(tmp_path: Path) -> None:
    roster = load(tmp_path, LEAVE_ROSTER.format(on_leave="flag"))
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 12, 9)))
    assert [s[2] for s in found] == [("a",)]


def test_on_leave_next_gives_the_place_to_the_next_present_member(tmp_path: Path) -> None:
    roster = load(tmp_path, LEAVE_ROSTER.format(on_leave="next"))
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 12, 9)))
    # a is away from the 6th to the 7th noon: b stands in, but b is away on the 7th, so c.
    # A substitute keeps the rotation's source.
    assert found == [
        ("2026-01-05T09:00:00+01:00", "2026-01-06T00:00:00+01:00", ("a",), "rotation:semaine"),
        ("2026-01-06T00:00:00+01:00", "2026-01-07T00:00:00+01:00", ("b",), "rotation:semaine"),
        ("2026-01-07T00:00:00+01:00", "2026-01-07T12:00:00+01:00", ("c",), "rotation:semaine"),
        ("2026-01-07T12:00:00+01:00", "2026-01-12T09:00:00+01:00", ("a",), "rotation:semaine"),
    ]


def test_on_leave_next_with_nobody_left_shows_the_lower_layer(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
on_leave: next
levels:
  - rotations:
      - {name: base, members: [d]}
      - {name: duo, members: [a, b], start: 2026-01-05 09:00, every: 1w}
leave:
  a: [2026-01-06 .. 2026-01-06]
  b: [2026-01-06 .. 2026-01-06 12:00]
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 7)))
    assert [(s[0][:16], s[2], s[3]) for s in found] == [
        ("2026-01-05T09:00", ("a",), "rotation:duo"),
        ("2026-01-06T00:00", ("d",), "rotation:base"),
        ("2026-01-06T12:00", ("b",), "rotation:duo"),  # b is back: b stands in for a
    ]


def test_on_leave_next_skips_who_the_turn_already_gives(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
on_leave: next
levels:
  - rotations:
      - {members: [a, b, c, d], per_turn: 2, start: 2026-01-05 09:00, every: 1w}
leave:
  a: [2026-01-06 .. 2026-01-06]
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 7)))
    # a's place goes to c: b is already on call. The substitute takes a's place in the order.
    assert [(s[0][:16], s[2]) for s in found] == [
        ("2026-01-05T09:00", ("a", "b")),
        ("2026-01-06T00:00", ("c", "b")),
    ]


# --------------------------------------------------------------------------- overrides (§5.7)


def test_overrides_apply_in_file_order_and_name_their_source(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a], start: 2026-01-05 09:00, every: 1w}
overrides:
  - {level: 1, who: b, from: 2026-01-06 00:00, to: 2026-01-08 00:00}
  - {level: 1, who: [c, d], from: 2026-01-07 00:00, to: 2026-01-09 00:00}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 10)))
    assert [(s[0][:16], s[2], s[3]) for s in found] == [
        ("2026-01-05T09:00", ("a",), "rotation:rotation 1"),
        ("2026-01-06T00:00", ("b",), "override:1"),
        ("2026-01-07T00:00", ("c", "d"), "override:2"),
        ("2026-01-09T00:00", ("a",), "rotation:rotation 1"),
    ]


def test_replaces_applies_only_where_that_person_is_on_call(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b], start: 2026-01-05 09:00, every: 1d}
overrides:
  - {level: 1, who: c, replaces: b, from: 2026-01-05 00:00, to: 2026-01-09 00:00}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 9)))
    assert [(s[0][:16], s[2], s[3]) for s in found] == [
        ("2026-01-05T09:00", ("a",), "rotation:rotation 1"),
        ("2026-01-06T09:00", ("c",), "override:1"),
        ("2026-01-07T09:00", ("a",), "rotation:rotation 1"),
        ("2026-01-08T09:00", ("c",), "override:1"),
    ]


def test_replaces_with_a_who_already_on_call_leaves_them_where_they_are(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b, c], per_turn: 3, start: 2026-01-05 09:00, every: 1w}
overrides:
  - {level: 1, who: [d, c], replaces: a, from: 2026-01-06 00:00, to: 2026-01-07 00:00}
  - {level: 1, who: c, replaces: a, from: 2026-01-07 00:00, to: 2026-01-08 00:00}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 9)))
    assert [(s[0][:16], s[2], s[3]) for s in found] == [
        ("2026-01-05T09:00", ("a", "b", "c"), "rotation:rotation 1"),
        ("2026-01-06T00:00", ("d", "b", "c"), "override:1"),  # c stays where c was
        ("2026-01-07T00:00", ("b", "c"), "override:2"),  # a goes; c, on call, stays
        ("2026-01-08T00:00", ("a", "b", "c"), "rotation:rotation 1"),
    ]


def test_replaces_x_by_x_keeps_x(tmp_path: Path) -> None:
    """Regression: an override that replaces someone by themselves used to drop them."""
    roster = load(
        tmp_path,
        """\
levels:
  - rotations:
      - {members: [a, b], per_turn: 2, start: 2026-01-05 09:00, every: 1w}
overrides:
  - {level: 1, who: [a, c], replaces: a, from: 2026-01-06 00:00, to: 2026-01-07 00:00}
  - {level: 1, who: b, replaces: b, from: 2026-01-07 00:00, to: 2026-01-08 00:00}
""",
    )
    found = shifts(timeline(roster, paris(2026, 1, 5, 9), paris(2026, 1, 9)))
    assert [(s[0][:16], s[2], s[3]) for s in found] == [
        ("2026-01-05T09:00", ("a", "b"), "rotation:rotation 1"),
        ("2026-01-06T00:00", ("a", "c", "b"), "override:1"),
        ("2026-01-07T00:00", ("a", "b"), "override:2"),
        ("2026-01-08T00:00", ("a", "b"), "rotation:rotation 1"),
    ]


def test_an_override_does_not_extend_coverage(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
coverage: {daily: 18:00-08:00}
levels:
  - rotations:
      - {members: [a], start: 2026-01-05 09:00, every: 1w}
overrides:
  - {level: 1, who: b, from: 2026-01-06 12:00, to: 2026-01-06 20:00}
""",
    )
    compiled = timeline(roster, paris(2026, 1, 6), paris(2026, 1, 7))
    assert not compiled.at(paris(2026, 1, 6, 13)).active
    assert compiled.at(paris(2026, 1, 6, 13)).who == ()
    assert compiled.at(paris(2026, 1, 6, 19)).who == ("b",)
    assert compiled.at(paris(2026, 1, 6, 21)).who == ("a",)


# ------------------------------------------------------------------- coverage, gaps (§5.8)


def test_inside_coverage_and_nobody_on_call_is_a_gap(tmp_path: Path) -> None:
    roster = load(
        tmp_path,
        """\
levels:
  - coverage: {mon-fri: 00:00-24:00}
    rotations:
      - {members: [a], start: 2026-01-05 09:00, every: 1w, only: {mon-fri: 08:00-18:00}}
""",
    )
    compiled = timeline(roster, paris(2026, 1, 5), paris(2026, 1, 12))
    gaps = [(local(g.start)[:16], local(g.end)[:16]) for g in compiled.gaps()]
    assert gaps[:2] == [
        ("2026-01-05T00:00", "2026-01-05T09:00"),
        ("2026-01-05T18:00", "2026-01-06T08:00"),
    ]
    assert gaps[-1] == ("2026-01-09T18:00", "2026-01-10T00:00")  # the weekend is off, not a gap


# ------------------------------------------------------------------ the SPEC's team (§3, §7)


def test_the_spec_example_team_at_christmas_eve() -> None:
    roster = load_roster(SPEC_ROSTER)
    team = roster.team("support")
    at = paris(2026, 12, 24, 20)
    first = level_now(roster, team, team.level(1), at)
    assert first.current.who == ("thelem",)
    assert first.current.source == "rotation:rotation 1"
    assert first.since is not None
    assert first.until is not None
    assert local(first.since) == "2026-12-24T14:00:00+01:00"  # the closed afternoon
    assert local(first.until) == "2026-12-28T09:00:00+01:00"  # 25 and 26 (Moselle) are holidays
    second = level_now(roster, team, team.level(2), at)
    assert second.current.who == ("chloe",)  # week 50 of the rotation: members[50 % 3]
    assert second.current.source == "rotation:semaine"


def test_the_spec_example_team_over_christmas() -> None:
    roster = load_roster(SPEC_ROSTER)
    team = roster.team("support")
    start, end = paris(2026, 12, 24, 12), paris(2026, 12, 28, 12)
    compiled = compile_level(roster, team, team.level(2), start, end)
    assert [(s[0][:16], s[2], s[3]) for s in shifts(compiled)] == [
        ("2026-12-24T14:00", ("chloe",), "rotation:semaine"),
        ("2026-12-25T00:00", ("david",), "rotation:fériés"),
        # The override replaces alice only where alice is on call: the holiday layer's turn.
        ("2026-12-26T00:00", ("bob",), "override:1"),
        ("2026-12-26T09:00", ("alice",), "rotation:fériés"),
        ("2026-12-27T00:00", ("chloe",), "rotation:semaine"),
    ]
    reference = Reference(roster, team).states(team.level(2), start, end)
    minute = dt.timedelta(minutes=1)
    for offset, state in enumerate(reference):
        got = compiled.at(start + offset * minute)
        assert (got.active, got.who, got.source) == state


def test_now_json_for_the_spec_example() -> None:
    result = CliRunner().invoke(
        app, ["now", "--rosters", str(SPEC_ROSTER), "--at", "2026-12-24T20:00", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["at"] == "2026-12-24T20:00:00+01:00"
    (team,) = document["teams"]
    assert (team["team"], team["name"], team["timezone"]) == (
        "support",
        "Support client",
        "Europe/Paris",
    )
    level = team["levels"][0]
    assert {key: level[key] for key in ("level", "name", "active", "since", "until")} == {
        "level": 1,
        "name": "Niveau 1 — accueil téléphonique",
        "active": True,
        "since": "2026-12-24T14:00:00+01:00",
        "until": "2026-12-28T09:00:00+01:00",
    }
    assert level["on_call"] == [
        {"id": "thelem", "name": "THELEM permanence", "phone": "+33243000000"}
    ]
    assert level["escalate_after_minutes"] == 10
    assert level["source"] == "rotation:rotation 1"
    assert team["fallback"]["id"] == "manager"


# --------------------------------------------------------------------------- level_now (§7)


def now_roster(tmp_path: Path, rotation: str) -> Roster:
    return load(tmp_path, f"levels:\n  - rotations:\n      - {rotation}\n")


def test_since_and_until_bound_the_state_around_the_instant(tmp_path: Path) -> None:
    roster = now_roster(tmp_path, "{members: [a, b], start: 2026-01-05 09:00, every: 1w}")
    team = roster.teams[0]
    state = level_now(roster, team, team.level(1), paris(2026, 1, 7, 12))
    assert state.current.who == ("a",)
    assert state.since == paris(2026, 1, 5, 9)
    assert state.until == paris(2026, 1, 12, 9)
    assert state.next is not None
    assert state.next.who == ("b",)


def test_since_and_until_are_null_when_nothing_ever_changes(tmp_path: Path) -> None:
    roster = now_roster(tmp_path, "{members: [a]}")
    team = roster.teams[0]
    state = level_now(roster, team, team.level(1), paris(2026, 6, 1))
    assert state.current.who == ("a",)
    assert (state.since, state.until) == (None, None)


def test_since_and_until_look_400_days_each_way(tmp_path: Path) -> None:
    # One member whose handoffs change nothing: the state changes at start and at end only.
    roster = now_roster(
        tmp_path, "{members: [a], start: 2026-01-01 00:00, every: 1d, end: 2027-06-01}"
    )
    team = roster.teams[0]
    level = team.level(1)
    start, end = paris(2026, 1, 1), paris(2027, 6, 1)

    within = level_now(roster, team, level, paris(2026, 6, 1))
    assert (within.since, within.until) == (start, end)

    late = level_now(roster, team, level, paris(2027, 3, 1))  # 424 days after start
    assert (late.since, late.until) == (None, end)

    early = level_now(roster, team, level, paris(2026, 1, 15))  # 502 days before end
    assert (early.since, early.until) == (start, None)

    # Exactly 400 days (elapsed time) on either side still counts.
    horizon = dt.timedelta(days=400)
    assert level_now(roster, team, level, start + horizon).since == start
    assert level_now(roster, team, level, end - horizon).until == end
    past = level_now(roster, team, level, start + horizon + dt.timedelta(minutes=1))
    assert past.since is None
    before = level_now(roster, team, level, end - horizon - dt.timedelta(minutes=1))
    assert before.until is None
