"""`astreinte route`: the dial plan at fixed instants (a handoff minute, both 2026 DST change
days in Europe/Paris, a gap, outside coverage), its three formats, its exit codes, and the
plan from the last valid roster when the roster breaks after a good load."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli

ROSTER = Path(__file__).parent / "data" / "route" / "roster"
ANA, BEN, CAM, BOSS = "+33600000001", "+33600000002", "+33600000003", "+33387000009"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The last valid rosters of these tests' runs stay in the test's own folder."""
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def route_schema() -> Any:
    from conftest import _validator

    return _validator("route.schema.json")


def plan(cli: Cli, at: str, team: str = "hotline", rosters: Path = ROSTER) -> tuple[int, Any, str]:
    run = cli("route", "--rosters", str(rosters), "--team", team, "--at", at, "--json")
    return run.code, run.json(), run.stderr


def steps(document: Any) -> list[tuple[int | None, str, int]]:
    return [(s["level"], s["number"], s["ring_seconds"]) for s in document["steps"]]


@pytest.mark.parametrize(
    ("at", "expected_at", "expected", "valid_until"),
    [
        # The minute before the daily 02:30 handoff, and the handoff itself: the incoming one.
        (
            "2026-06-10 02:29",
            "2026-06-10T02:29:00+02:00",
            [(1, BEN, 15), (None, BOSS, 20)],
            "2026-06-10T02:30:00+02:00",
        ),
        (
            "2026-06-10 02:30",
            "2026-06-10T02:30:00+02:00",
            [(1, ANA, 15), (None, BOSS, 20)],
            "2026-06-10T08:00:00+02:00",  # level 2's hours begin
        ),
        # 29 March 2026: 02:30 does not exist; the handoff is at 03:00 CEST, the instant the
        # clocks jump, and WHEN "02:30" is that instant too.
        (
            "2026-03-29T01:59:00+01:00",
            "2026-03-29T01:59:00+01:00",
            [(1, ANA, 15), (None, BOSS, 20)],
            "2026-03-29T03:00:00+02:00",
        ),
        (
            "2026-03-29 02:30",
            "2026-03-29T03:00:00+02:00",
            [(1, BEN, 15), (None, BOSS, 20)],
            "2026-03-29T08:00:00+02:00",
        ),
        # 25 October 2026: 02:30 occurs twice; the handoff is at the first (CEST), and the
        # second 02:45 (CET) belongs to the incoming one.
        (
            "2026-10-25T02:29:00+02:00",
            "2026-10-25T02:29:00+02:00",
            [(1, ANA, 15), (None, BOSS, 20)],
            "2026-10-25T02:30:00+02:00",
        ),
        (
            "2026-10-25T02:45:00+01:00",
            "2026-10-25T02:45:00+01:00",
            [(1, BEN, 15), (None, BOSS, 20)],
            "2026-10-25T08:00:00+01:00",
        ),
        # A weekday within level 2's hours: both levels, then the fallback; level 2's hours end
        # before level 1's next handoff.
        (
            "2026-06-10 10:00",
            "2026-06-10T10:00:00+02:00",
            [(1, ANA, 15), (2, CAM, 25), (None, BOSS, 20)],
            "2026-06-10T20:00:00+02:00",
        ),
        # Outside level 2's coverage: level 2 is off, not a gap.
        (
            "2026-06-10 22:00",
            "2026-06-10T22:00:00+02:00",
            [(1, ANA, 15), (None, BOSS, 20)],
            "2026-06-11T02:30:00+02:00",
        ),
    ],
)
def test_plan_at_fixed_instants(
    cli: Cli, route_schema: Any, at: str, expected_at: str, expected: Any, valid_until: str
) -> None:
    code, document, stderr = plan(cli, at)
    assert code == 0, stderr
    route_schema.validate(document)
    assert document["at"] == expected_at
    assert steps(document) == expected
    assert document["valid_until"] == valid_until
    assert document["gaps"] == []
    assert document["unreached"] == []
    assert document["complete"] is True
    assert "stale" not in document
    assert stderr == ""


def test_a_gap_is_skipped_and_reported(cli: Cli, route_schema: Any) -> None:
    """Saturday 10:00: level 2 is inside its coverage with nobody on call. The plan goes from
    level 1 to the fallback, which catches the call: exit 0, with a warning."""
    code, document, stderr = plan(cli, "2026-06-13 10:00")
    route_schema.validate(document)
    assert code == 0
    assert steps(document) == [(1, BEN, 15), (None, BOSS, 20)]
    assert document["gaps"] == [2]
    assert document["unreached"] == [2]
    assert document["complete"] is True
    assert document["valid_until"] == "2026-06-13T20:00:00+02:00"
    assert stderr == "warning: level 2 is inside its coverage with nobody to ring\n"


def test_someone_without_a_number_is_left_out(cli: Cli, route_schema: Any) -> None:
    """Dan is on call at level 2 the week of 15 June but has no number on file."""
    code, document, stderr = plan(cli, "2026-06-15 10:00")
    route_schema.validate(document)
    assert code == 0
    assert steps(document) == [(1, BEN, 15), (None, BOSS, 20)]
    assert document["skipped"] == [
        {"level": 2, "who": "dan", "name": "Dan Roux", "reason": "no phone number"}
    ]
    assert document["gaps"] == []
    assert document["unreached"] == [2]
    assert stderr.splitlines() == [
        "warning: Dan Roux (dan), on call at level 2, has no phone number: left out",
        "warning: level 2 is inside its coverage with nobody to ring",
    ]


def test_a_number_from_a_local_file_is_used(cli: Cli, tmp_path: Path) -> None:
    """Personal numbers live in *.local.yaml: Dan's, given there, is rung."""
    rosters = tmp_path / "rosters"
    shutil.copytree(ROSTER, rosters)
    (rosters / "contacts.local.yaml").write_text(
        'people:\n  dan: {phone: "07 60 00 00 04"}\n', encoding="utf-8"
    )
    code, document, _stderr = plan(cli, "2026-06-15 10:00", rosters=rosters)
    assert code == 0
    assert steps(document) == [(1, BEN, 15), (2, "+33760000004", 25), (None, BOSS, 20)]
    assert document["skipped"] == []


def test_outside_coverage_without_fallback_nobody_is_rung(cli: Cli, route_schema: Any) -> None:
    """The office team covers weekdays 09:00-18:00 and has no fallback: on Saturday the plan
    is empty, and exit code 3 tells the phone system to use its own fallback."""
    code, document, stderr = plan(cli, "2026-06-13 10:00", team="office")
    route_schema.validate(document)
    assert code == 3
    assert document["steps"] == []
    assert document["gaps"] == []
    assert document["complete"] is False
    assert document["valid_until"] == "2026-06-15T09:00:00+02:00"
    assert "can leave a call unanswered" in stderr


def test_a_level_nobody_can_ring_without_fallback_exits_3(cli: Cli, route_schema: Any) -> None:
    """Level 1 answers, but level 2 (Dan, no number) cannot be rung and nothing follows it."""
    code, document, _stderr = plan(cli, "2026-06-10 10:00", team="office")
    route_schema.validate(document)
    assert code == 3
    assert steps(document) == [(1, CAM, 20)]
    assert document["unreached"] == [2]
    assert document["complete"] is False


def test_dial_format(cli: Cli) -> None:
    run = cli(
        "route", "--rosters", str(ROSTER), "--team", "hotline", "--at", "2026-06-10 10:00",
        "--format", "dial",
    )  # fmt: skip
    assert run.code == 0
    assert run.stdout == f"{ANA},15\n{CAM},25\n{BOSS},20\n"
    assert run.stderr == ""


def test_text_format(cli: Cli) -> None:
    run = cli("route", "--rosters", str(ROSTER), "--team", "hotline", "--at", "2026-06-10 10:00")
    assert run.code == 0
    assert run.stdout == (
        "Hotline  (hotline) · call at Wed 10 Jun 2026 10:00 CEST\n"
        "  1. level 1   Ana Lopez     +33 6 00 00 00 01  ring 15 s\n"
        "  2. level 2   Cam Petit     +33 6 00 00 00 03  ring 25 s\n"
        "  3. fallback  Sophie Klein  +33 3 87 00 00 09  ring 20 s\n"
        "Valid until Wed 10 Jun 2026 20:00.\n"
    )


def test_text_format_in_french(cli: Cli) -> None:
    run = cli(
        "--lang", "fr", "route", "--rosters", str(ROSTER), "--team", "office",
        "--at", "2026-06-13 10:00",
    )  # fmt: skip
    assert run.code == 3
    assert "personne à appeler" in run.stdout
    assert "warning: ce plan peut laisser un appel sans réponse" in run.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "error: route needs --team"),
        (("--team", "hotlin"), "error: no team 'hotlin' in the roster"),
        (("--team", "hotline", "--at", "yesterday-ish"), "error: --at:"),
        (("--team", "hotline", "--format", "xml"), "error: unknown --format 'xml'"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, arguments: tuple[str, ...], message: str) -> None:
    run = cli("route", "--rosters", str(ROSTER), *arguments)
    assert run.code == 2
    assert run.stderr.startswith(message)
    assert run.stdout == ""


# --------------------------------------------------------------------------- the last valid roster


def break_roster(rosters: Path) -> None:
    (rosters / "hotline.yaml").write_text(
        (ROSTER / "hotline.yaml").read_text(encoding="utf-8").replace("[ana, ben]", "[ana, bne]"),
        encoding="utf-8",
    )


def test_a_broken_roster_after_a_good_load_gives_the_last_valid_plan(
    cli: Cli, route_schema: Any, tmp_path: Path
) -> None:
    rosters = tmp_path / "rosters"
    shutil.copytree(ROSTER, rosters)
    code, good, _stderr = plan(cli, "2026-06-10 10:00", rosters=rosters)
    assert code == 0
    break_roster(rosters)
    code, document, stderr = plan(cli, "2026-06-10 10:00", rosters=rosters)
    route_schema.validate(document)
    assert code == 4
    assert steps(document) == steps(good)
    assert document["stale"]["errors"] == 1
    assert document["stale"]["roster_loaded"] <= document["generated_at"]
    assert "hotline.yaml:" in stderr
    assert "unknown person 'bne'" in stderr
    assert "the plan comes from the last valid roster" in stderr


def test_stale_and_a_hole_exit_3(cli: Cli, tmp_path: Path) -> None:
    """3 wins over 4, as for `now`."""
    rosters = tmp_path / "rosters"
    shutil.copytree(ROSTER, rosters)
    assert plan(cli, "2026-06-13 10:00", team="office", rosters=rosters)[0] == 3
    break_roster(rosters)
    code, document, _stderr = plan(cli, "2026-06-13 10:00", team="office", rosters=rosters)
    assert code == 3
    assert "stale" in document


def test_a_broken_roster_never_loaded_is_an_error(cli: Cli, tmp_path: Path) -> None:
    rosters = tmp_path / "rosters"
    shutil.copytree(ROSTER, rosters)
    break_roster(rosters)
    run = cli("route", "--rosters", str(rosters), "--team", "hotline", "--json")
    assert run.code == 1
    assert run.stdout == ""
    assert "unknown person 'bne'" in run.stderr


def test_the_text_of_a_stale_plan_opens_with_nows_banner(cli: Cli, tmp_path: Path) -> None:
    rosters = tmp_path / "rosters"
    shutil.copytree(ROSTER, rosters)
    assert plan(cli, "2026-06-10 10:00", rosters=rosters)[0] == 0
    break_roster(rosters)
    arguments = ("--rosters", str(rosters), "--team", "hotline", "--at", "2026-06-10 10:00")
    route = cli("route", *arguments)
    now = cli("now", *arguments)
    assert (route.code, now.code) == (4, 4)
    banner = route.stdout.splitlines()[:3]
    assert banner[0].startswith("⚠  the roster has 1 error since ")
    assert banner[1].startswith("   answering from the version loaded ")
    assert banner[2] == ""
    assert now.stdout.splitlines()[:2] == banner[:2]
    assert route.stdout.splitlines()[3].startswith("Hotline  (hotline) · call at ")


# --------------------------------------------------------------------------- hostile input


def test_a_roster_with_control_characters_in_names_is_refused(cli: Cli, tmp_path: Path) -> None:
    """The loader refuses them (issue of hostile input): `route` answers nothing from such a
    roster, and the errors quote the names escaped."""
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    shutil.copy(
        Path(__file__).parent / "data" / "invalid" / "control_in_names.yaml", rosters / "r.yaml"
    )
    run = cli("route", "--rosters", str(rosters), "--team", "support", "--json")
    assert run.code == 1
    assert run.stdout == ""
    assert "name contains a control character (U+001B)" in run.stderr
    assert "\x1b" not in run.stderr
    assert "\r" not in run.stderr


def test_the_text_shows_control_characters_escaped() -> None:
    """A second line of defence, as for `now`: should a name with a control character reach
    the text view (a roster kept by an older version), it is shown, never acted on."""
    import dataclasses
    import datetime as dt

    from astreinte_cli.load.roster import load_roster
    from astreinte_cli.render.route import plan_text
    from astreinte_cli.route.plan import dial_plan

    roster = load_roster(ROSTER)
    team = dataclasses.replace(roster.team("hotline"), name="Hot\x1b]0;pwned\x07line")
    plan = dial_plan(roster, team, dt.datetime(2026, 6, 10, 8, tzinfo=dt.UTC))
    first = dataclasses.replace(plan.steps[0], name="Ana\x1b[2J\nLopez")
    text = plan_text(dataclasses.replace(plan, steps=(first, *plan.steps[1:])), None)
    assert "\x1b" not in text
    assert "\x07" not in text
    assert text.startswith("Hot\\x1b]0;pwned\\x07line  (hotline)")
    assert "  1. level 1   Ana\\x1b[2J\\nLopez  +33 6 00 00 00 01  ring 15 s" in text
