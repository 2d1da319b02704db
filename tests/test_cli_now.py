"""`astreinte now`: the JSON document of SPEC §7, exit codes, options, and the terminal view."""

from __future__ import annotations

import copy
import datetime as dt
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

if TYPE_CHECKING:
    from conftest import Cli, CliRun

# Instants on the example roster (support: Mon–Fri 09–18 and Sat 09–12 are business hours,
# Moselle holidays; exploitation: 12-hour turns at 08:00 and 20:00, always covered).
INSTANTS = [
    "2026-12-22 10:00",  # Tuesday, business hours: support is off
    "2026-12-22 23:00",  # weeknight
    "2026-12-19 10:00",  # Saturday morning, business hours
    "2026-12-19 15:00",  # Saturday afternoon
    "2026-12-26 10:00",  # Saturday 26 December: Saint-Étienne, a holiday in Moselle
    "2026-12-24 20:00",  # Christmas Eve, closed from 14:00, override 1
    "2026-03-29 02:30",  # spring forward: 03:00+02:00
    "2026-03-29 03:30",
    "2026-10-25 02:30",  # fall back: first occurrence, +02:00
    "2026-10-25T02:30+01:00",  # second occurrence
    "2026-08-10 22:00",  # Chloé on leave, on_leave: next
]


def now_json(cli: Cli, rosters: Path, *args: str) -> dict[str, Any]:
    run = cli("now", "--rosters", str(rosters), "--json", *args)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    document: dict[str, Any] = run.json()
    return document


def levels(document: dict[str, Any], team: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = next(t for t in document["teams"] if t["team"] == team)["levels"]
    return found


def summary(level: dict[str, Any]) -> tuple[Any, ...]:
    """(active, who, since, until, source) of a level object."""
    who = [person["id"] for person in level["on_call"]]
    return level["active"], who, level["since"], level["until"], level["source"]


def assert_no_traceback(run: CliRun) -> None:
    assert "Traceback" not in run.stdout + run.stderr
    assert run.exception is None or isinstance(run.exception, SystemExit)


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("at", INSTANTS)
def test_json_follows_the_schema(cli: Cli, example_rosters: Path, now_schema: Any, at: str) -> None:
    document = now_json(cli, example_rosters, "--at", at)
    now_schema.validate(document)
    assert [t["team"] for t in document["teams"]] == ["exploitation", "support"]


def _level(document: dict[str, Any]) -> dict[str, Any]:
    level: dict[str, Any] = document["teams"][0]["levels"][0]
    return level


BROKEN: dict[str, Callable[[dict[str, Any]], object]] = {
    "extra top-level key": lambda d: d.update(extra=1),
    "missing teams": lambda d: d.pop("teams"),
    "at without offset": lambda d: d.update(at="2026-12-24T20:00:00"),
    "at as a bare date": lambda d: d.update(at="2026-12-24"),
    "extra team key": lambda d: d["teams"][0].update(zone="Europe/Paris"),
    "missing fallback": lambda d: d["teams"][0].pop("fallback"),
    "missing team instructions": lambda d: d["teams"][0].pop("instructions"),
    "extra level key": lambda d: _level(d).update(note=""),
    "missing until": lambda d: _level(d).pop("until"),
    "level 0": lambda d: _level(d).update(level=0),
    "level as text": lambda d: _level(d).update(level="1"),
    "minutes as text": lambda d: _level(d).update(escalate_after_minutes="10"),
    "since without seconds": lambda d: _level(d).update(since="2026-12-24T14:00+01:00"),
    "unknown source": lambda d: _level(d).update(source="manual"),
    "override without number": lambda d: _level(d).update(source="override:first"),
    "someone and no source": lambda d: _level(d).update(source=None),
    "off with someone": lambda d: _level(d).update(active=False),
    "phone not E.164": lambda d: _level(d)["on_call"][0].update(phone="03 87 75 00 00"),
    "person without phone key": lambda d: _level(d)["on_call"][0].pop("phone"),
    "extra person key": lambda d: _level(d)["on_call"][0].update(email="a@example.fr"),
}


@pytest.mark.parametrize("broken", BROKEN)
def test_the_schema_rejects(cli: Cli, example_rosters: Path, now_schema: Any, broken: str) -> None:
    document = now_json(cli, example_rosters, "--at", "2026-12-24 20:00", "--team", "support")
    now_schema.validate(document)
    damaged = copy.deepcopy(document)
    BROKEN[broken](damaged)
    assert list(now_schema.iter_errors(damaged)), broken


def test_the_spec_example(cli: Cli, example_rosters: Path) -> None:
    document = now_json(cli, example_rosters, "--at", "2026-12-24 20:00", "--team", "support")
    assert document["at"] == "2026-12-24T20:00:00+01:00"
    (team,) = document["teams"]
    assert (team["team"], team["name"], team["timezone"]) == (
        "support",
        "Support client",
        "Europe/Paris",
    )
    assert team["instructions"].startswith("Qualifier l'appel")
    assert team["fallback"] == {"id": "manager", "name": "Sophie Klein", "phone": "+33387550000"}
    first, second = team["levels"]
    assert first == {
        "level": 1,
        "name": "Niveau 1 — accueil téléphonique",
        "active": True,
        "on_call": [{"id": "thelem", "name": "THELEM permanence", "phone": "+33387750000"}],
        "since": "2026-12-24T14:00:00+01:00",
        "until": "2026-12-28T09:00:00+01:00",
        "escalate_after_minutes": 10,
        "source": "rotation:rotation 1",
        "instructions": "https://wiki.example.fr/astreinte/niveau-1",
    }
    # Bob replaces Chloé (override 1); at midnight the holiday layer gives David (Noël).
    assert second["level"] == 2
    assert second["escalate_after_minutes"] == 30
    # An override's reason travels with whom it put on call (SPEC §7).
    reason = "échange avec Chloé (Noël en famille), Chloé reprend la semaine du 4 janvier"
    assert second["on_call"] == [
        {"id": "bob", "name": "Bob Lefèvre", "phone": None, "reason": reason}
    ]
    assert summary(second) == (
        True,
        ["bob"],
        "2026-12-24T14:00:00+01:00",
        "2026-12-25T00:00:00+01:00",
        "override:1",
    )


@pytest.mark.parametrize(
    ("at", "first", "second"),
    [
        pytest.param(
            "2026-12-22 10:00",
            (False, [], "2026-12-22T09:00:00+01:00", "2026-12-22T18:00:00+01:00", None),
            (False, [], "2026-12-22T09:00:00+01:00", "2026-12-22T18:00:00+01:00", None),
            id="business-hours",
        ),
        pytest.param(
            "2026-12-22 23:00",
            (
                True,
                ["thelem"],
                "2026-12-22T18:00:00+01:00",
                "2026-12-23T09:00:00+01:00",
                "rotation:rotation 1",
            ),
            (
                True,
                ["chloe"],
                "2026-12-22T18:00:00+01:00",
                "2026-12-23T09:00:00+01:00",
                "rotation:semaine",
            ),
            id="night",
        ),
        pytest.param(
            "2026-12-19 15:00",
            (
                True,
                ["thelem"],
                "2026-12-19T12:00:00+01:00",
                "2026-12-21T09:00:00+01:00",
                "rotation:rotation 1",
            ),
            (
                True,
                ["bob"],
                "2026-12-19T12:00:00+01:00",
                "2026-12-21T09:00:00+01:00",
                "rotation:semaine",
            ),
            id="weekend",
        ),
        pytest.param(
            "2026-12-26 10:00",
            (
                True,
                ["thelem"],
                "2026-12-24T14:00:00+01:00",
                "2026-12-28T09:00:00+01:00",
                "rotation:rotation 1",
            ),
            (
                True,
                ["alice"],
                "2026-12-26T00:00:00+01:00",
                "2026-12-27T00:00:00+01:00",
                "rotation:fériés",
            ),
            id="holiday-saint-etienne",
        ),
        pytest.param(
            "2026-03-29 02:30",
            (
                True,
                ["thelem"],
                "2026-03-28T12:00:00+01:00",
                "2026-03-30T09:00:00+02:00",
                "rotation:rotation 1",
            ),
            (
                True,
                ["david"],
                "2026-03-28T12:00:00+01:00",
                "2026-03-30T09:00:00+02:00",
                "rotation:semaine",
            ),
            id="dst-spring",
        ),
        pytest.param(
            "2026-10-25 02:30",
            (
                True,
                ["thelem"],
                "2026-10-24T12:00:00+02:00",
                "2026-10-26T09:00:00+01:00",
                "rotation:rotation 1",
            ),
            (
                True,
                ["bob"],
                "2026-10-24T12:00:00+02:00",
                "2026-10-26T09:00:00+01:00",
                "rotation:semaine",
            ),
            id="dst-autumn",
        ),
    ],
)
def test_support_levels(
    cli: Cli, example_rosters: Path, at: str, first: tuple[Any, ...], second: tuple[Any, ...]
) -> None:
    document = now_json(cli, example_rosters, "--at", at, "--team", "support")
    assert [summary(level) for level in levels(document, "support")] == [first, second]


def test_saturday_morning_is_business_hours_but_not_on_a_holiday(
    cli: Cli, example_rosters: Path
) -> None:
    ordinary = levels(now_json(cli, example_rosters, "--at", "2026-12-19 10:00"), "support")
    assert [level["active"] for level in ordinary] == [False, False]
    assert ordinary[0]["until"] == "2026-12-19T12:00:00+01:00"
    holiday = levels(now_json(cli, example_rosters, "--at", "2026-12-26 10:00"), "support")
    assert [level["active"] for level in holiday] == [True, True]


@pytest.mark.parametrize(
    ("at", "expected_at"),
    [
        ("2026-03-29 02:30", "2026-03-29T03:00:00+02:00"),  # in the gap: the jump
        ("2026-10-25 02:30", "2026-10-25T02:30:00+02:00"),  # twice: the first
        ("2026-10-25T02:30+01:00", "2026-10-25T02:30:00+01:00"),  # an offset picks the second
    ],
)
def test_dst_nights(cli: Cli, example_rosters: Path, at: str, expected_at: str) -> None:
    document = now_json(cli, example_rosters, "--at", at, "--team", "exploitation")
    assert document["at"] == expected_at
    (level,) = levels(document, "exploitation")
    # The 20:00 → 08:00 turn lasts 11 hours in spring and 13 in autumn; offsets change inside.
    if at.startswith("2026-03"):
        assert (level["since"], level["until"]) == (
            "2026-03-28T20:00:00+01:00",
            "2026-03-29T08:00:00+02:00",
        )
    else:
        assert (level["since"], level["until"]) == (
            "2026-10-24T20:00:00+02:00",
            "2026-10-25T08:00:00+01:00",
        )
    assert [p["id"] for p in level["on_call"]] == ["farid"]
    assert level["source"] == "rotation:12 heures"
    assert level["escalate_after_minutes"] == 15


def test_since_and_until_are_null_past_400_days(cli: Cli, cli_data: Path) -> None:
    document = now_json(cli, cli_data / "world", "--at", "2026-06-10", "--team", "paris")
    (level,) = levels(document, "paris")
    assert (level["since"], level["until"], level["source"]) == (None, None, "rotation:rotation 1")
    assert document["teams"][0]["fallback"] is None
    assert document["teams"][0]["instructions"] is None


# --------------------------------------------------------------------------- zones and teams


def test_tz_reads_when_and_shows_at_but_leaves_team_offsets(
    cli: Cli, example_rosters: Path
) -> None:
    # 14:00 in New York is 20:00 in Paris: the same answer as the SPEC example.
    document = now_json(
        cli, example_rosters, "--at", "2026-12-24 14:00", "--tz", "America/New_York"
    )
    assert document["at"] == "2026-12-24T14:00:00-05:00"
    first, second = levels(document, "support")
    assert (first["since"], first["until"]) == (
        "2026-12-24T14:00:00+01:00",
        "2026-12-28T09:00:00+01:00",
    )
    assert second["source"] == "override:1"


def test_at_is_shown_in_the_reading_zone_whatever_offset_when_carried(
    cli: Cli, example_rosters: Path
) -> None:
    document = now_json(cli, example_rosters, "--at", "2026-12-24T14:00-05:00")
    assert document["at"] == "2026-12-24T20:00:00+01:00"
    document = now_json(cli, example_rosters, "--at", "2026-12-24T20:00+01:00", "--tz", "UTC")
    assert document["at"] == "2026-12-24T19:00:00+00:00"
    assert levels(document, "support")[0]["since"] == "2026-12-24T14:00:00+01:00"


def test_when_is_read_in_the_first_selected_team_zone(cli: Cli, cli_data: Path) -> None:
    world = cli_data / "world"
    everyone = now_json(cli, world, "--at", "2026-06-10")
    # Teams come in file-name order (q-paris.yaml, r-montreal.yaml), not in id order.
    assert [t["team"] for t in everyone["teams"]] == ["paris", "montreal"]
    assert everyone["at"] == "2026-06-10T00:00:00+02:00"
    montreal = now_json(cli, world, "--at", "2026-06-10", "--team", "montreal")
    assert montreal["at"] == "2026-06-10T00:00:00-04:00"
    (level,) = levels(montreal, "montreal")
    assert level["since"] == "2026-06-09T08:00:00-04:00"
    assert level["on_call"][0]["phone"] == "+15145550134"


def test_team_filter_keeps_file_order(cli: Cli, example_rosters: Path) -> None:
    at = ("--at", "2026-12-24 20:00")
    one = now_json(cli, example_rosters, *at, "--team", "support")
    assert [t["team"] for t in one["teams"]] == ["support"]
    both = now_json(cli, example_rosters, *at, "--team", "support", "--team", "exploitation")
    assert [t["team"] for t in both["teams"]] == ["exploitation", "support"]


def test_rosters_from_the_environment_and_as_one_file(cli: Cli, cli_data: Path) -> None:
    gap = cli_data / "gap"
    by_env = cli("now", "--json", "--at", "2026-06-10 10:00", env={"ASTREINTE_ROSTERS": str(gap)})
    assert by_env.code == 0, by_env.stderr
    assert [t["team"] for t in by_env.json()["teams"]] == ["ops"]
    one_file = cli("now", "--json", "--at", "2026-06-10 10:00", "--rosters", str(gap / "ops.yaml"))
    assert one_file.code == 0, one_file.stderr
    assert one_file.json() == by_env.json()
    # --rosters wins over the environment.
    both = cli(
        "now",
        "--json",
        "--at",
        "2026-06-10",
        "--rosters",
        str(cli_data / "world"),
        env={"ASTREINTE_ROSTERS": str(gap)},
    )
    assert [t["team"] for t in both.json()["teams"]] == ["paris", "montreal"]


def test_now_without_at_is_the_clock(cli: Cli, cli_data: Path, now_schema: Any) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    run = cli("now", "--rosters", str(cli_data / "world"), "--json")
    after = dt.datetime.now(dt.UTC)
    assert run.code == 0, run.stderr
    document = run.json()
    now_schema.validate(document)
    at = dt.datetime.fromisoformat(document["at"])
    assert before <= at <= after
    assert at.utcoffset() == at.astimezone(ZoneInfo("Europe/Paris")).utcoffset()


# --------------------------------------------------------------------------- exit codes


def test_exit_3_when_a_level_in_coverage_has_nobody(
    cli: Cli, cli_data: Path, now_schema: Any
) -> None:
    run = cli("now", "--rosters", str(cli_data / "gap"), "--json", "--at", "2026-06-11 22:00")
    assert run.code == 3
    assert run.stderr == ""
    document = run.json()
    now_schema.validate(document)
    first, second = levels(document, "ops")
    assert summary(first) == (
        True,
        [],
        "2026-06-11T20:00:00+02:00",
        "2026-06-12T08:00:00+02:00",
        None,
    )
    # Level 2 is outside its coverage: off, which is not a gap.
    assert summary(second) == (
        False,
        [],
        "2026-06-08T00:00:00+02:00",
        "2026-06-13T00:00:00+02:00",
        None,
    )


@pytest.mark.parametrize(
    ("at", "code"),
    [
        ("2026-06-10 10:00", 0),  # level 1 staffed, level 2 off
        ("2026-06-10 22:00", 0),  # override 2 staffs the night
        ("2026-06-11 22:00", 3),
        ("2026-06-13 22:00", 3),  # level 2 staffed but level 1 empty
    ],
)
def test_exit_code_follows_gaps(cli: Cli, cli_data: Path, at: str, code: int) -> None:
    for output in ((), ("--json",)):
        run = cli("now", "--rosters", str(cli_data / "gap"), "--at", at, *output)
        assert run.code == code, run.stderr
        assert_no_traceback(run)


@pytest.mark.parametrize("command", [("now",), ("now", "--json"), ("show", "--json"), ("show",)])
def test_an_invalid_roster_exits_1_with_located_errors(
    cli: Cli, cli_data: Path, command: tuple[str, ...]
) -> None:
    run = cli(*command, "--rosters", str(cli_data / "invalid"))
    assert run.code == 1
    assert run.stdout == ""
    assert_no_traceback(run)
    located = re.findall(r"^(.+):(\d+):(\d+): error: (.+)$", run.stderr, re.MULTILINE)
    assert [
        (Path(path).name, line, column, message) for path, line, column, message in located
    ] == [
        ("team.yaml", "6", "11", "unknown timezone 'Europe/Pariss'"),
        ("team.yaml", "9", "24", "unknown person 'bbo' in members"),
    ]
    assert "hint: did you mean 'Europe/Paris'?" in run.stderr
    assert "hint: did you mean 'bob'?" in run.stderr
    assert "      - members: [ana, bbo]" in run.stderr


def test_an_invalid_roster_in_a_real_process(cli_data: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "astreinte_cli", "now", "--rosters", str(cli_data / "invalid")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert process.returncode == 1
    assert process.stdout == ""
    assert "Traceback" not in process.stderr
    assert re.search(r"team\.yaml:6:11: error: unknown timezone", process.stderr)


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (("--at", "soon"), "error: --at: 'soon' is not a time", "hint: use ISO 8601"),
        (("--at", "2026-02-30"), "'2026-02-30' is not a valid date", "hint: "),
        (("--at", "9999-12-31"), "is out of range", "hint: years go from 1900 to 2999"),
        (("--team", "suport"), "error: no team 'suport' in the roster", "did you mean 'support'?"),
        (("--tz", "Europe/Pariss"), "error: unknown timezone 'Europe/Pariss'", "'Europe/Paris'?"),
        (("--tz", "Mars/Olympus"), "error: unknown timezone 'Mars/Olympus'", "hint: use an IANA"),
        (("--frobnicate",), "No such option", "--frobnicate"),
    ],
)
def test_usage_errors_exit_2(
    cli: Cli, example_rosters: Path, args: tuple[str, ...], message: str, hint: str
) -> None:
    for output in ((), ("--json",)):
        run = cli("now", "--rosters", str(example_rosters), *output, *args)
        assert run.code == 2
        assert run.stdout == ""
        assert message in run.stderr
        assert hint in run.stderr
        assert_no_traceback(run)


def test_an_internal_error_is_one_line_and_exit_70(
    cli: Cli, example_rosters: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise ValueError("broken")

    monkeypatch.setattr("astreinte_cli.render.now.now_lines", broken)
    run = cli("now", "--rosters", str(example_rosters))
    assert run.code == 70
    assert run.stdout == ""
    assert run.stderr.startswith("astreinte: internal error (ValueError: broken); this is a bug")
    assert_no_traceback(run)
    debug = cli("now", "--rosters", str(example_rosters), env={"ASTREINTE_DEBUG": "1"})
    assert isinstance(debug.exception, ValueError)  # raised for the traceback


@pytest.mark.parametrize("ending", ["exit", "abort", "system exit"])
def test_a_command_that_ends_itself_passes_the_boundary(ending: str) -> None:
    """``toolkit.boundary`` turns errors into messages and exit codes; a Typer command that ends
    on purpose (``typer.Exit``, ``typer.Abort``, ``SystemExit``) ends as it said."""
    import typer

    from astreinte_cli.cli.toolkit import boundary

    raised = {"exit": typer.Exit(4), "abort": typer.Abort(), "system exit": SystemExit(5)}[ending]
    with pytest.raises(type(raised)) as caught, boundary():
        raise raised
    assert caught.value is raised


# --------------------------------------------------------------------------- terminal


def terminal(cli: Cli, rosters: Path, *args: str) -> list[str]:
    run = cli("now", "--rosters", str(rosters), *args)
    assert run.code in (0, 3), run.stderr
    assert run.stderr == ""
    assert "\x1b[" not in run.stdout
    lines = run.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    return lines


def test_terminal_shows_who_phone_times_chain_and_instructions(
    cli: Cli, example_rosters: Path
) -> None:
    lines = terminal(cli, example_rosters, "--at", "2026-12-24 20:00", "--team", "support")
    text = "\n".join(lines)
    assert lines[0].startswith("Support client  (support) · Europe/Paris · Thu 24 Dec 2026 20:00")
    assert "  ● THELEM permanence  +33 3 87 75 00 00" in lines
    assert "  since Thu 24 Dec 14:00 · until Mon 28 Dec 09:00 (in 3 d 13 h)" in lines
    assert "  ● Bob Lefèvre  (no phone on file)" in lines
    assert "  since Thu 24 Dec 14:00 · until Fri 25 Dec 00:00 (in 4 h)" in lines
    assert "  source: override:1" in lines
    assert "  next: David Nguyen" in lines
    assert "  instructions: https://wiki.example.fr/astreinte/niveau-1" in lines
    assert "Qualifier l'appel (client, site, urgence)" in text
    # The escalation chain: one step per line, delays cumulative (10, then 10 + 30).
    chain = lines[lines.index("Escalation:") + 1 :][:3]
    assert chain == [
        "  first         level 1: THELEM permanence  +33 3 87 75 00 00",
        "  after 10 min  level 2: Bob Lefèvre  (no phone on file)",
        "  after 40 min  fallback: Sophie Klein  +33 3 87 55 00 00",
    ]


def test_terminal_phones_are_international(cli: Cli, cli_data: Path) -> None:
    lines = terminal(cli, cli_data / "gap", "--at", "2026-06-10 10:00")
    assert "  ● Ana Roux  +33 6 11 22 33 44" in lines
    assert "  off (outside this level's coverage); astreinte resumes Sat 13 Jun 00:00" in lines
    assert "  first         level 1: Ana Roux  +33 6 11 22 33 44" in lines
    assert "  after 20 min  fallback: Carla Petit  +33 3 87 00 00 01" in lines
    lines = terminal(cli, cli_data / "gap", "--at", "2026-06-13 22:00")
    assert "  ● Ben Faure  +44 20 7946 0000" in lines


def test_terminal_warns_loudly_on_a_gap(cli: Cli, cli_data: Path) -> None:
    run = cli("now", "--rosters", str(cli_data / "gap"), "--at", "2026-06-13 22:00")
    assert run.code == 3
    lines = run.stdout.splitlines()
    assert "  ⚠  NOBODY ON CALL — this level is in its coverage and empty" in lines
    assert "  gap since Fri 12 Jun 20:00 · until Mon 15 Jun 08:00 (in 1 d 10 h)" in lines
    # The empty level is skipped in the chain; its delay does not count.
    chain = lines[lines.index("Escalation:") + 1 :][:2]
    assert chain == [
        "  first      level 2: Ben Faure  +44 20 7946 0000",
        "  after 1 h  fallback: Carla Petit  +33 3 87 00 00 01",
    ]


def test_terminal_is_read_in_the_team_zone(cli: Cli, example_rosters: Path) -> None:
    lines = terminal(
        cli,
        example_rosters,
        "--at",
        "2026-12-24 14:00",
        "--tz",
        "America/New_York",
        "--team",
        "support",
    )
    assert "Thu 24 Dec 2026 20:00 CET" in lines[0]


# --------------------------------------------------------------------------- the plain command line


def test_the_plain_command_line_knows_every_option_of_now() -> None:
    """A plain `now` is read by hand (cli/fastpath.py) from a table of its options: an option
    added to the Typer command and not to the table would be refused by the fast path (Typer
    would then parse it, slowly), or worse, taken for another."""
    from typer.main import get_command

    from astreinte_cli.cli.app import app
    from astreinte_cli.cli.fastpath import NOW_SWITCHES, NOW_VALUES
    from astreinte_cli.cli.toolkit import ROSTERS_ENV

    now = get_command(app).commands["now"]  # type: ignore[attr-defined]
    options = {flag: parameter for parameter in now.params for flag in parameter.opts}
    assert {flag: options[flag].name for flag in options} == NOW_VALUES | NOW_SWITCHES
    assert all(not options[flag].is_flag for flag in NOW_VALUES)
    assert all(options[flag].is_flag for flag in NOW_SWITCHES)
    assert options["--team"].multiple
    assert options["--rosters"].envvar == ROSTERS_ENV


# --------------------------------------------------------------------------- why, and when


def test_who_stands_in_for_whom(cli: Cli, example_rosters: Path, now_schema: Any) -> None:
    """Chloé is on leave in August (`on_leave: next`): David takes her week, and says so."""
    at = ("--at", "2026-08-05 22:00", "--team", "support")
    document = now_json(cli, example_rosters, *at)
    now_schema.validate(document)
    (david,) = levels(document, "support")[1]["on_call"]
    assert david == {
        "id": "david",
        "name": "David Nguyen",
        "phone": None,
        "standing_in_for": "chloe",
    }
    lines = terminal(cli, example_rosters, *at)
    assert lines[lines.index("  ● David Nguyen  (no phone on file)") + 1] == (
        "    in place of Chloé Bernard, on leave"
    )


LEAVE_FLAG = """\
people: {ana: {name: Ana Roux}, ben: {name: Ben Faure}, cy: {name: Cy Morel}}
leave: {ana: [2026-06-08 .. 2026-06-09]}
team: ops
timezone: Europe/Paris
levels:
  - rotations:
      - {members: [ana, ben], start: 2026-06-08 09:00, every: 1w}
overrides:
  - {level: 1, who: cy, replaces: ben, from: 2026-06-15 09:00, to: 2026-06-16 09:00}
  - {level: 1, who: [ana, cy], from: 2026-06-22 09:00, to: 2026-06-23 09:00, reason: audit}
"""


def test_on_call_despite_leave_and_by_an_override(
    cli: Cli, tmp_path: Path, now_schema: Any
) -> None:
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    (rosters / "ops.yaml").write_text(LEAVE_FLAG, encoding="utf-8")
    on_leave = now_json(cli, rosters, "--at", "2026-06-08 12:00")
    now_schema.validate(on_leave)
    assert levels(on_leave, "ops")[0]["on_call"] == [
        {"id": "ana", "name": "Ana Roux", "phone": None, "on_leave": True}
    ]
    lines = terminal(cli, rosters, "--at", "2026-06-08 12:00")
    assert "    ⚠ on call despite being on leave" in lines
    # Her leave ends at midnight, not her turn (until: the state is who, not why).
    assert levels(on_leave, "ops")[0]["until"] == "2026-06-15T09:00:00+02:00"
    after = now_json(cli, rosters, "--at", "2026-06-10 12:00")
    assert levels(after, "ops")[0]["on_call"] == [{"id": "ana", "name": "Ana Roux", "phone": None}]
    # An override without a reason puts Cy there, and says nothing more than its source.
    quiet = levels(now_json(cli, rosters, "--at", "2026-06-15 12:00"), "ops")[0]
    assert quiet["on_call"] == [{"id": "cy", "name": "Cy Morel", "phone": None}]
    assert quiet["source"] == "override:1"
    audit = levels(now_json(cli, rosters, "--at", "2026-06-22 12:00"), "ops")[0]
    assert audit["on_call"] == [
        {"id": "ana", "name": "Ana Roux", "phone": None, "reason": "audit"},
        {"id": "cy", "name": "Cy Morel", "phone": None, "reason": "audit"},
    ]
    assert "    override 2: audit" in terminal(cli, rosters, "--at", "2026-06-22 12:00")


ORDER = """\
people: {ana: {name: Ana Roux}, ben: {name: Ben Faure}}
team: pair
timezone: Europe/Paris
levels:
  - rotations:
      - members: [ana, ben]
        per_turn: 2
        start: 2026-01-05 09:00
        every: 1w
        changes: [{from: 2026-01-12 09:00, members: [ben, ana]}]
"""


def test_on_call_is_in_the_order_at_the_instant(cli: Cli, tmp_path: Path) -> None:
    """SPEC §8: the same two people all along, but from 12 January Ben comes first: `now`
    gives the order to ring at the instant, `show` the order at the shift's start."""
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    (rosters / "pair.yaml").write_text(ORDER, encoding="utf-8")
    first = levels(now_json(cli, rosters, "--at", "2026-01-06 12:00"), "pair")[0]
    later = levels(now_json(cli, rosters, "--at", "2026-01-13 12:00"), "pair")[0]
    assert [p["id"] for p in first["on_call"]] == ["ana", "ben"]
    assert [p["id"] for p in later["on_call"]] == ["ben", "ana"]
    assert later["since"] == first["since"] == "2026-01-05T09:00:00+01:00"  # one stretch
    lines = terminal(cli, rosters, "--at", "2026-01-13 12:00")
    assert lines[2:4] == ["  ● Ben Faure  (no phone on file)", "  ● Ana Roux  (no phone on file)"]
    chain = lines[lines.index("Escalation:") + 1]
    assert chain.startswith("  first  level 1: Ben Faure  (no phone on file), Ana Roux")
    shown = cli(
        "show", "--rosters", str(rosters), "--json", "--from", "2026-01-06", "--to", "2026-01-14"
    )
    assert [shift["who"] for shift in shown.json()["shifts"]] == [["ana", "ben"]]


def test_business_hours_say_call_the_team(cli: Cli, example_rosters: Path) -> None:
    """Both support levels are off in business hours: no chain that starts with the manager."""
    lines = terminal(cli, example_rosters, "--at", "2026-12-22 10:00", "--team", "support")
    assert "Business hours: call the team; astreinte resumes Tue 22 Dec 18:00 (in 8 h)" in lines
    assert "Escalation:" not in lines
    assert not [line for line in lines if "fallback:" in line]
    # JSON stays as SPEC §7 has it: every level inactive, the team's fallback.
    document = now_json(cli, example_rosters, "--at", "2026-12-22 10:00", "--team", "support")
    assert [level["active"] for level in levels(document, "support")] == [False, False]
    assert document["teams"][0]["fallback"]["id"] == "manager"


WEEKENDS = """\
people: {ana: {name: Ana Roux, phone: "06 11 22 33 44"}, boss: {name: Carla Petit}}
team: weekend
timezone: Europe/Paris
coverage: weekends
fallback: boss
levels:
  - rotations: [{members: [ana]}]
"""


def test_outside_every_coverage_the_fallback_is_for_emergencies(cli: Cli, tmp_path: Path) -> None:
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    (rosters / "weekend.yaml").write_text(WEEKENDS, encoding="utf-8")
    lines = terminal(cli, rosters, "--at", "2026-06-10 10:00")
    chain = lines[lines.index(next(line for line in lines if line.startswith("Escalation:"))) :]
    assert chain[:2] == [
        "Escalation: no level on call; astreinte resumes Sat 13 Jun 00:00 (in 2 d 14 h)",
        "  if urgent  fallback: Carla Petit  (no phone on file)",
    ]


# --------------------------------------------------------------------------- looked up


@pytest.mark.parametrize("roster", ["example", "world", "gap"])
@pytest.mark.parametrize("hours", [0, 5, 30, 100])
def test_looked_up_answers_are_compiled_answers(
    cli: Cli, example_rosters: Path, cli_data: Path, roster: str, hours: int
) -> None:
    """Within this week's window `now` looks its answer up (load/cache.py, window.py); without
    the cache it compiles it: the same document, text and exit code."""
    rosters = example_rosters if roster == "example" else cli_data / roster
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).replace(microsecond=0)
    args = ("now", "--rosters", str(rosters), "--at", at.isoformat())
    for output in ((), ("--json",)):
        cli(*args, *output)  # fills the cache and the week's windows
        looked_up = cli(*args, *output)
        compiled = cli(*args, *output, env={"ASTREINTE_CACHE": "off"})
        assert (looked_up.code, looked_up.stdout, looked_up.stderr) == (
            compiled.code,
            compiled.stdout,
            compiled.stderr,
        )
