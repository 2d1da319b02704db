"""`astreinte show`: shifts and gaps (SPEC §7), options, exit codes, the day and grid views."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

if TYPE_CHECKING:
    from conftest import Cli

RANGES = [
    ("2026-12-20", "2026-12-31"),  # Christmas: closure, override, Moselle holidays
    ("2026-03-27", "2026-03-31"),  # spring forward
    ("2026-10-23", "2026-10-27"),  # fall back
    ("2026-08-01", "2026-09-01"),  # Chloé on leave, David stands in; 15 August
    ("2026-12-24 20:00", "2026-12-25 06:00"),
]


def show_json(cli: Cli, rosters: Path, *args: str) -> dict[str, Any]:
    run = cli("show", "--rosters", str(rosters), "--json", *args)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    document: dict[str, Any] = run.json()
    return document


def rows(items: list[dict[str, Any]], team: str, level: int) -> list[tuple[Any, ...]]:
    """(start, end, who, source) of shifts, or (start, end) of gaps, of one level."""
    return [
        tuple(item[key] for key in ("start", "end", "who", "source") if key in item)
        for item in items
        if item["team"] == team and item["level"] == level
    ]


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize(("start", "end"), RANGES)
@pytest.mark.parametrize("extra", [(), ("--tz", "UTC"), ("--person", "alice")])
def test_json_follows_the_schema(
    cli: Cli,
    example_rosters: Path,
    show_schema: Any,
    start: str,
    end: str,
    extra: tuple[str, ...],
) -> None:
    document = show_json(cli, example_rosters, "--from", start, "--to", end, *extra)
    show_schema.validate(document)
    assert document["shifts"] or extra
    order = {"exploitation": 0, "support": 1}
    keys = [(order[s["team"]], s["level"], s["start"]) for s in document["shifts"]]
    assert keys == sorted(keys, key=lambda k: (k[0], k[1], dt.datetime.fromisoformat(k[2])))


BROKEN: dict[str, Callable[[dict[str, Any]], object]] = {
    "extra top-level key": lambda d: d.update(teams=[]),
    "missing gaps": lambda d: d.pop("gaps"),
    "from without offset": lambda d: d.update({"from": "2026-06-10T00:00:00"}),
    "extra shift key": lambda d: d["shifts"][0].update(reason="renfort"),
    "missing source": lambda d: d["shifts"][0].pop("source"),
    "null source": lambda d: d["shifts"][0].update(source=None),
    "nobody in a shift": lambda d: d["shifts"][0].update(who=[]),
    "someone twice": lambda d: d["shifts"][0].update(who=["ana", "ana"]),
    "level 0": lambda d: d["shifts"][0].update(level=0),
    "end as a date": lambda d: d["shifts"][0].update(end="2026-06-10"),
    "gap with who": lambda d: d["gaps"][0].update(who=[]),
    "gap without end": lambda d: d["gaps"][0].pop("end"),
}


@pytest.mark.parametrize("broken", BROKEN)
def test_the_schema_rejects(cli: Cli, cli_data: Path, show_schema: Any, broken: str) -> None:
    document = show_json(cli, cli_data / "gap", "--from", "2026-06-10", "--to", "2026-06-14")
    show_schema.validate(document)
    damaged = copy.deepcopy(document)
    BROKEN[broken](damaged)
    assert list(show_schema.iter_errors(damaged)), broken


def test_christmas_shifts(cli: Cli, example_rosters: Path) -> None:
    document = show_json(
        cli, example_rosters, "--from", "2026-12-24", "--to", "2026-12-29", "--team", "support"
    )
    assert (document["from"], document["to"]) == (
        "2026-12-24T00:00:00+01:00",
        "2026-12-29T00:00:00+01:00",
    )
    # Level 1: one shift from the Christmas Eve closure to Monday 09:00, across the holidays
    # (same person, same source); cut at the range's bounds and at business hours.
    thelem = (["thelem"], "rotation:rotation 1")
    assert rows(document["shifts"], "support", 1) == [
        ("2026-12-24T00:00:00+01:00", "2026-12-24T09:00:00+01:00", *thelem),
        ("2026-12-24T14:00:00+01:00", "2026-12-28T09:00:00+01:00", *thelem),
        ("2026-12-28T18:00:00+01:00", "2026-12-29T00:00:00+01:00", *thelem),
    ]
    assert rows(document["shifts"], "support", 2) == [
        ("2026-12-24T00:00:00+01:00", "2026-12-24T09:00:00+01:00", ["chloe"], "rotation:semaine"),
        ("2026-12-24T14:00:00+01:00", "2026-12-25T00:00:00+01:00", ["bob"], "override:1"),
        ("2026-12-25T00:00:00+01:00", "2026-12-26T00:00:00+01:00", ["david"], "rotation:fériés"),
        ("2026-12-26T00:00:00+01:00", "2026-12-27T00:00:00+01:00", ["alice"], "rotation:fériés"),
        ("2026-12-27T00:00:00+01:00", "2026-12-28T09:00:00+01:00", ["bob"], "override:1"),
        # David is on leave from the 28th: Alice stands in, under the rotation's source.
        ("2026-12-28T18:00:00+01:00", "2026-12-29T00:00:00+01:00", ["alice"], "rotation:semaine"),
    ]  # fmt: skip
    assert document["gaps"] == []


def test_same_people_different_source_are_two_shifts(cli: Cli, example_rosters: Path) -> None:
    document = show_json(
        cli,
        example_rosters,
        "--from",
        "2026-08-14 12:00",
        "--to",
        "2026-08-17",
        "--team",
        "support",
    )
    assert rows(document["shifts"], "support", 2) == [
        ("2026-08-14T18:00:00+02:00", "2026-08-15T00:00:00+02:00", ["david"], "rotation:semaine"),
        ("2026-08-15T00:00:00+02:00", "2026-08-16T00:00:00+02:00", ["david"], "rotation:fériés"),
        ("2026-08-16T00:00:00+02:00", "2026-08-17T00:00:00+02:00", ["david"], "rotation:semaine"),
    ]  # fmt: skip


def test_range_bounds_cut_shifts(cli: Cli, example_rosters: Path) -> None:
    document = show_json(
        cli,
        example_rosters,
        "--from",
        "2026-12-24 20:00",
        "--to",
        "2026-12-25 06:00",
        "--team",
        "support",
    )
    assert (document["from"], document["to"]) == (
        "2026-12-24T20:00:00+01:00",
        "2026-12-25T06:00:00+01:00",
    )
    assert rows(document["shifts"], "support", 2) == [
        ("2026-12-24T20:00:00+01:00", "2026-12-25T00:00:00+01:00", ["bob"], "override:1"),
        ("2026-12-25T00:00:00+01:00", "2026-12-25T06:00:00+01:00", ["david"], "rotation:fériés"),
    ]


def test_dst_nights_keep_their_offsets(cli: Cli, example_rosters: Path) -> None:
    spring = show_json(
        cli, example_rosters, "--from", "2026-03-28 12:00", "--to", "2026-03-29 12:00"
    )
    assert spring["to"] == "2026-03-29T12:00:00+02:00"
    assert rows(spring["shifts"], "exploitation", 1) == [
        ("2026-03-28T12:00:00+01:00", "2026-03-28T20:00:00+01:00", ["emma"], "rotation:12 heures"),
        ("2026-03-28T20:00:00+01:00", "2026-03-29T08:00:00+02:00", ["farid"], "rotation:12 heures"),
        ("2026-03-29T08:00:00+02:00", "2026-03-29T12:00:00+02:00", ["gael"], "rotation:12 heures"),
    ]  # fmt: skip
    autumn = show_json(
        cli, example_rosters, "--from", "2026-10-25 02:30", "--to", "2026-10-25T02:30+01:00"
    )
    # From the first 02:30 to the second: one hour.
    assert (autumn["from"], autumn["to"]) == (
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
    )
    assert rows(autumn["shifts"], "exploitation", 1) == [
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", ["farid"], "rotation:12 heures")
    ]


def test_gaps_are_maximal_stretches_in_coverage(cli: Cli, cli_data: Path) -> None:
    document = show_json(cli, cli_data / "gap", "--from", "2026-06-10", "--to", "2026-06-14")
    assert rows(document["gaps"], "ops", 1) == [
        ("2026-06-10T00:00:00+02:00", "2026-06-10T08:00:00+02:00"),
        ("2026-06-11T20:00:00+02:00", "2026-06-12T08:00:00+02:00"),
        ("2026-06-12T20:00:00+02:00", "2026-06-14T00:00:00+02:00"),
    ]
    # Level 2 is outside its coverage on weekdays: off, not a gap.
    assert rows(document["gaps"], "ops", 2) == []
    assert rows(document["shifts"], "ops", 1) == [
        ("2026-06-10T08:00:00+02:00", "2026-06-10T12:00:00+02:00", ["ana"], "rotation:jour"),
        ("2026-06-10T12:00:00+02:00", "2026-06-10T14:00:00+02:00", ["ana"], "override:1"),
        ("2026-06-10T14:00:00+02:00", "2026-06-10T20:00:00+02:00", ["ana"], "rotation:jour"),
        ("2026-06-10T20:00:00+02:00", "2026-06-11T08:00:00+02:00", ["ben"], "override:2"),
        ("2026-06-11T08:00:00+02:00", "2026-06-11T20:00:00+02:00", ["ana"], "rotation:jour"),
        ("2026-06-12T08:00:00+02:00", "2026-06-12T20:00:00+02:00", ["ana"], "rotation:jour"),
    ]
    assert rows(document["shifts"], "ops", 2) == [
        ("2026-06-13T00:00:00+02:00", "2026-06-14T00:00:00+02:00", ["ben"], "rotation:rotation 1")
    ]


def test_person_keeps_only_that_persons_shifts(cli: Cli, cli_data: Path) -> None:
    document = show_json(
        cli, cli_data / "gap", "--from", "2026-06-10", "--to", "2026-06-14", "--person", "ben"
    )
    assert [(s["level"], s["start"], s["who"]) for s in document["shifts"]] == [
        (1, "2026-06-10T20:00:00+02:00", ["ben"]),
        (2, "2026-06-13T00:00:00+02:00", ["ben"]),
    ]
    assert document["gaps"] == []


def test_person_on_the_example(cli: Cli, example_rosters: Path) -> None:
    document = show_json(
        cli, example_rosters, "--from", "2026-12-20", "--to", "2027-01-04", "--person", "bob"
    )
    assert [(s["start"], s["end"], s["source"]) for s in document["shifts"]] == [
        ("2026-12-20T00:00:00+01:00", "2026-12-21T09:00:00+01:00", "rotation:semaine"),
        ("2026-12-24T14:00:00+01:00", "2026-12-25T00:00:00+01:00", "override:1"),
        ("2026-12-27T00:00:00+01:00", "2026-12-28T09:00:00+01:00", "override:1"),
    ]
    assert all(s["who"] == ["bob"] and s["level"] == 2 for s in document["shifts"])


def test_tz_moves_the_range_not_the_team_offsets(cli: Cli, example_rosters: Path) -> None:
    document = show_json(
        cli,
        example_rosters,
        "--from",
        "2026-12-24",
        "--to",
        "2026-12-25",
        "--tz",
        "America/New_York",
        "--team",
        "support",
    )
    assert (document["from"], document["to"]) == (
        "2026-12-24T00:00:00-05:00",
        "2026-12-25T00:00:00-05:00",
    )
    assert rows(document["shifts"], "support", 2) == [
        ("2026-12-24T06:00:00+01:00", "2026-12-24T09:00:00+01:00", ["chloe"], "rotation:semaine"),
        ("2026-12-24T14:00:00+01:00", "2026-12-25T00:00:00+01:00", ["bob"], "override:1"),
        ("2026-12-25T00:00:00+01:00", "2026-12-25T06:00:00+01:00", ["david"], "rotation:fériés"),
    ]


def test_teams_in_file_name_order_in_their_own_zones(cli: Cli, cli_data: Path) -> None:
    document = show_json(cli, cli_data / "world", "--from", "2026-06-10", "--to", "2026-06-11")
    assert [s["team"] for s in document["shifts"]] == ["paris", "montreal", "montreal"]
    assert document["from"] == "2026-06-10T00:00:00+02:00"
    assert rows(document["shifts"], "montreal", 1) == [
        ("2026-06-09T18:00:00-04:00", "2026-06-10T08:00:00-04:00", ["marc"], "rotation:rotation 1"),
        ("2026-06-10T08:00:00-04:00", "2026-06-10T18:00:00-04:00", ["lea"], "rotation:rotation 1"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- default range


def test_default_range_is_today_and_the_next_14_days(
    cli: Cli, cli_data: Path, show_schema: Any
) -> None:
    paris = ZoneInfo("Europe/Paris")
    before = dt.datetime.now(paris).date()
    document = show_json(cli, cli_data / "world")
    after = dt.datetime.now(paris).date()
    show_schema.validate(document)
    start = dt.datetime.fromisoformat(document["from"])
    end = dt.datetime.fromisoformat(document["to"])
    assert start.date() in {before, after}
    assert start.time() == end.time() == dt.time(0)
    assert end.date() - start.date() == dt.timedelta(days=14)
    assert start.utcoffset() == start.astimezone(paris).utcoffset()


def test_to_defaults_to_14_days_of_wall_clock_after_from(cli: Cli, example_rosters: Path) -> None:
    document = show_json(cli, example_rosters, "--from", "2026-03-20")
    assert (document["from"], document["to"]) == (
        "2026-03-20T00:00:00+01:00",
        "2026-04-03T00:00:00+02:00",
    )


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (("--from", "2026-06-10", "--to", "2026-06-09"), "error: --to must be after --from", ""),
        (("--from", "2026-06-10", "--to", "2026-06-10"), "error: --to must be after --from", ""),
        (("--from", "someday"), "error: --from: 'someday' is not a time", "hint: use ISO 8601"),
        (("--to", "2026-06-31"), "error: --to: '2026-06-31' is not a valid date", "hint:"),
        (("--person", "alicee"), "error: no person 'alicee' in the roster", "'alice'?"),
        (("--team", "suport"), "error: no team 'suport' in the roster", "'support'?"),
        (("--tz", "Pacific/Nowhere"), "error: unknown timezone 'Pacific/Nowhere'", "hint:"),
    ],
)
def test_usage_errors_exit_2(
    cli: Cli, example_rosters: Path, args: tuple[str, ...], message: str, hint: str
) -> None:
    for output in ((), ("--json",), ("--grid",)):
        run = cli("show", "--rosters", str(example_rosters), *output, *args)
        assert run.code == 2
        assert run.stdout == ""
        assert message in run.stderr
        assert hint in run.stderr
        assert "Traceback" not in run.stderr
        assert run.exception is None or isinstance(run.exception, SystemExit)


# --------------------------------------------------------------------------- terminal


def terminal(cli: Cli, rosters: Path, *args: str) -> list[str]:
    run = cli("show", "--rosters", str(rosters), *args)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert "\x1b[" not in run.stdout
    lines = run.stdout.rstrip("\n").splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    return lines


def test_days_name_holidays_and_overrides(cli: Cli, example_rosters: Path) -> None:
    lines = terminal(
        cli, example_rosters, "--from", "2026-12-23", "--to", "2026-12-29", "--team", "support"
    )
    assert lines[0] == "Support client (support) · Europe/Paris"
    assert "Thu 24 Dec 2026" in lines
    assert "Fri 25 Dec 2026  férié: Noël" in lines
    assert "Sat 26 Dec 2026  férié: Saint-Étienne" in lines
    assert "Sun 27 Dec 2026" in lines
    day = lines[lines.index("Thu 24 Dec 2026") + 1 : lines.index("Fri 25 Dec 2026  férié: Noël")]
    assert day == [
        "  N1  00:00–09:00  THELEM permanence",
        "  N1  14:00–24:00  THELEM permanence",
        "  N2  00:00–09:00  Chloé Bernard",
        "  N2  14:00–24:00  Bob Lefèvre  (override:1)",
    ]


def test_gaps_are_marked(cli: Cli, cli_data: Path) -> None:
    lines = terminal(cli, cli_data / "gap", "--from", "2026-06-11", "--to", "2026-06-12")
    assert lines[1:] == [
        "Thu 11 Jun 2026",
        "  N1  00:00–08:00  Ben Faure  (override:2)",
        "  N1  08:00–20:00  Ana Roux",
        "  N1  20:00–24:00  GAP: nobody on call",
    ]


def test_person_view_lists_only_their_days(cli: Cli, cli_data: Path) -> None:
    lines = terminal(
        cli, cli_data / "gap", "--from", "2026-06-10", "--to", "2026-06-14", "--person", "ben"
    )
    assert lines[1:] == [
        "Wed 10 Jun 2026",
        "  N1  20:00–24:00  Ben Faure  (override:2)",
        "Thu 11 Jun 2026",
        "  N1  00:00–08:00  Ben Faure  (override:2)",
        "Sat 13 Jun 2026",
        "  N2  00:00–24:00  Ben Faure",
    ]


def test_grid_fits_and_has_a_legend(cli: Cli, cli_data: Path) -> None:
    lines = terminal(cli, cli_data / "gap", "--from", "2026-06-10", "--to", "2026-06-14", "--grid")
    assert lines[0] == "Opérations (ops) · Europe/Paris · 10 Jun 2026 – 13 Jun 2026"
    thursday = next(line for line in lines if line.startswith("Thu 11"))
    assert thursday.split()[2:] == ["BF"] * 8 + ["AR"] * 12 + ["!!"] * 4
    saturday = [line for line in lines if line.startswith("Sat 13")]
    assert [line.split()[2:] for line in saturday] == [["!!"] * 24, ["BF"] * 24]
    legend = next(line for line in lines if line.startswith("Legend:"))
    for entry in ("AR  Ana Roux", "BF  Ben Faure", "··  off", "!!  gap"):
        assert entry in legend


def test_grid_of_the_example_fits_in_80_columns(cli: Cli, example_rosters: Path) -> None:
    lines = terminal(cli, example_rosters, "--from", "2026-12-21", "--to", "2026-12-28", "--grid")
    assert any(line.startswith("Legend:") for line in lines)
    assert "THELEM permanence" in "\n".join(lines)
