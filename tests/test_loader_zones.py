"""Loader checks that need the team's zone: mixed local/absolute periods, local starts in a gap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from astreinte_cli.compile import compile_level
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load import load_roster

UTC = dt.UTC


def _team(tmp_path: Path, zone: str, body: str) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(
        f"people: {{a: {{name: A}}, b: {{name: B}}}}\nteam: t\ntimezone: {zone}\n" + body,
        encoding="utf-8",
    )
    return path


def test_a_local_start_and_an_offset_end_compare_in_the_team_zone(tmp_path: Path) -> None:
    # 10:30+02:00 is after 10:00 in Paris (UTC+2 that day), though not if 10:00 were UTC.
    path = _team(
        tmp_path,
        "Europe/Paris",
        "levels: [{rotations: [{members: [a]}]}]\n"
        "overrides: [{level: 1, who: b, from: 2026-03-30 10:00, to: '2026-03-30T10:30+02:00'}]\n",
    )
    roster = load_roster(path)
    team = roster.teams[0]
    start = dt.datetime(2026, 3, 30, 8, tzinfo=UTC)
    timeline = compile_level(roster, team, team.levels[0], start, start + dt.timedelta(hours=1))
    assert timeline.at(dt.datetime(2026, 3, 30, 8, 10, tzinfo=UTC)).who == ("b",)


def test_an_offset_end_before_a_local_start_is_an_error(tmp_path: Path) -> None:
    # In New York 10:00 local is 14:00Z, so 10:30Z ends before it starts.
    path = _team(
        tmp_path,
        "America/New_York",
        "levels: [{rotations: [{members: [a]}]}]\n"
        "overrides: [{level: 1, who: b, from: 2026-03-30 10:00, to: '2026-03-30T10:30Z'}]\n",
    )
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    (diagnostic,) = caught.value.diagnostics
    assert "is not after its start" in diagnostic.message


def test_a_local_start_in_the_spring_gap_gives_an_empty_first_turn(tmp_path: Path) -> None:
    # SPEC §8 refuses only a start *with an offset* whose next handoff is not after it.
    path = _team(
        tmp_path,
        "Europe/Paris",
        "levels: [{rotations: [{members: [a, b], start: 2026-03-29 02:00, every: 1h}]}]\n",
    )
    roster = load_roster(path)
    team = roster.teams[0]
    start = dt.datetime(2026, 3, 29, 0, tzinfo=UTC)
    timeline = compile_level(roster, team, team.levels[0], start, start + dt.timedelta(hours=3))
    # 02:00 and 03:00 are both placed at the jump (01:00Z): a's turn is empty, b holds 03:00.
    assert timeline.at(dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)).who == ("b",)
    assert timeline.at(dt.datetime(2026, 3, 29, 2, 0, tzinfo=UTC)).who == ("a",)


def test_a_rotation_ending_where_it_starts_is_an_error(tmp_path: Path) -> None:
    # 02:15 does not exist on 29 March in Paris: it is placed at the jump, 01:00Z, which is the
    # very instant of the offset start; the rotation would hold nothing.
    path = _team(
        tmp_path,
        "Europe/Paris",
        "levels: [{rotations: [{members: [a, b], start: '2026-03-29T02:00+01:00', every: 1h,"
        " end: 2026-03-29 02:15}]}]\n",
    )
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    (diagnostic,) = caught.value.diagnostics
    assert "is not after start" in diagnostic.message
