"""`route` and `now` agree: at any instant, the dial plan rings each level's people in the order
`now --json` gives them (SPEC §8: the order at the asked instant), on the numbers it gives, and
the plan's `valid_until` sees a change of the order alone.

Both commands run as a user runs them (the CLI, the roster cache and `now`'s precompiled window
on), at handoffs, on both 2026 DST change days, in gaps, outside coverage, across the example
roster's Christmas overrides and leave, and through the current week (where `now` looks its
answer up in the window rather than compiling it)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import Cli

DATA = Path(__file__).parent / "data" / "route"
EXAMPLE = Path(__file__).parent.parent / "rosters"
PARIS = ZoneInfo("Europe/Paris")

# An order-only change: the same two people every day, in the other order every other day.
ORDER = """\
people:
  ana: {name: Ana Lopez, phone: "+33 6 00 00 00 01"}
  ben: {name: Ben Morel, phone: "+33 6 00 00 00 02"}
  boss: {name: Sophie Klein, phone: "+33 3 87 00 00 09"}
team: pair
timezone: Europe/Paris
fallback: boss
levels:
  - rotations:
      - members: [ana, ben, ben, ana]
        per_turn: 2
        start: 2026-01-01 02:30
        every: 1d
"""


def _local(day: str, times: tuple[str, ...]) -> list[dt.datetime]:
    """Each local time of ``day`` in Paris; a time that occurs twice (25 October) at both
    offsets; one that does not exist (29 March) as the instant the clocks jump."""
    found = []
    for time in times:
        naive = dt.datetime.fromisoformat(f"{day}T{time}")
        for fold in (0, 1):
            instant = naive.replace(tzinfo=PARIS, fold=fold).astimezone(dt.UTC)
            back = instant.astimezone(PARIS).replace(tzinfo=None)
            if back == naive and instant not in found:
                found.append(instant)
    return found


EDGES = (
    "00:00", "01:59", "02:00", "02:29", "02:30", "02:31", "02:59", "03:00", "07:59", "08:00",
    "09:00", "12:00", "17:59", "18:00", "19:59", "20:00", "23:59",
)  # fmt: skip
DAYS = (
    "2026-03-29",  # 02:00-03:00 does not exist in Paris
    "2026-10-25",  # 02:00-03:00 occurs twice
    "2026-06-13",  # a Saturday: level 2 of the hotline is a gap
    "2026-06-15",  # a Monday: level 2's weekly handoff, to someone without a number
)
ROUTE_INSTANTS = [instant for day in DAYS for instant in _local(day, EDGES)]
EXAMPLE_INSTANTS = [
    instant
    for day in ("2026-12-24", "2026-12-25", "2026-12-31", "2027-01-04")
    for instant in _local(day, ("00:00", "08:00", "08:30", "12:00", "14:00", "18:00", "20:00"))
]


def _this_week() -> list[dt.datetime]:
    """Every 7 hours from yesterday to a week ahead: inside `now`'s precompiled window."""
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return [start + dt.timedelta(hours=7 * n) for n in range(-3, 24)]


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    """The instants `now` answered by a lookup in a precompiled window, not by compiling."""
    from astreinte_cli.window import TeamWindow

    found: list[dt.datetime] = []
    answer = TeamWindow.answer

    def counted(self: TeamWindow, at: dt.datetime) -> Any:
        result = answer(self, at)
        if result is not None:
            found.append(at)
        return result

    monkeypatch.setattr(TeamWindow, "answer", counted)
    return found


def _iso(instant: dt.datetime) -> str:
    return instant.isoformat()


def expected_plan(team: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The steps and the people left out that `now --json`'s answer for ``team`` makes: the
    levels in order, each one's people in `now`'s order, someone already rung not rung again,
    someone without a number left out; then the fallback."""
    steps: list[Any] = []
    skipped: list[Any] = []

    def add(level: int | None, person: dict[str, Any]) -> None:
        if any(step[1] == person["id"] for step in steps):
            return
        if person["phone"] is None:
            skipped.append((level, person["id"]))
        else:
            steps.append((level, person["id"], person["phone"]))

    for level in team["levels"]:
        for person in level["on_call"]:
            add(level["level"], person)
    if team["fallback"] is not None:
        add(None, team["fallback"])
    return steps, skipped


def check_agreement(cli: Cli, rosters: Path, instants: list[dt.datetime]) -> int:
    """For every team at every instant, the route plan is `now`'s answer; returns how many
    plans were compared."""
    compared = 0
    for instant in instants:
        at = _iso(instant)
        now = cli("now", "--rosters", str(rosters), "--at", at, "--json")
        assert now.code in (0, 3), now.stderr
        for team in now.json()["teams"]:
            route = cli("route", "--rosters", str(rosters), "--team", team["team"], "--at", at,
                        "--json")  # fmt: skip
            assert route.code in (0, 3), route.stderr
            plan = route.json()
            steps = [(s["level"], s["who"], s["number"]) for s in plan["steps"]]
            skipped = [(s["level"], s["who"]) for s in plan["skipped"]]
            assert (steps, skipped) == expected_plan(team), (team["team"], at)
            assert plan["gaps"] == [
                level["level"]
                for level in team["levels"]
                if level["active"] and not level["on_call"]
            ], (team["team"], at)
            # The plan changes no later than any level's state does.
            untils = [level["until"] for level in team["levels"] if level["until"] is not None]
            if untils:
                earliest = min(dt.datetime.fromisoformat(u) for u in untils)
                assert plan["valid_until"] is not None
                assert dt.datetime.fromisoformat(plan["valid_until"]) <= earliest
            compared += 1
    return compared


@pytest.mark.parametrize(
    ("rosters", "instants", "teams"),
    [
        pytest.param(DATA / "roster", ROUTE_INSTANTS, 2, id="route roster"),
        pytest.param(DATA / "sip" / "roster", ROUTE_INSTANTS[::3], 1, id="SIP roster"),
    ],
)
def test_route_rings_whom_now_names_in_its_order(
    cli: Cli, rosters: Path, instants: list[dt.datetime], teams: int
) -> None:
    assert len(instants) > 10
    assert check_agreement(cli, rosters, instants) == teams * len(instants)


def test_route_and_now_agree_on_the_example_roster(
    cli: Cli, tmp_path: Path, lookups: list[dt.datetime]
) -> None:
    """Overrides (several people, `replaces`), `on_leave: next` standing in, numbers from a
    local file, at Christmas and in the current week (`now`'s window)."""
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    for path in EXAMPLE.glob("*.yaml"):
        shutil.copy(path, rosters / path.name)
    shutil.copy(EXAMPLE / "contacts.local.yaml.example", rosters / "contacts.local.yaml")
    instants = EXAMPLE_INSTANTS + _this_week()
    assert check_agreement(cli, rosters, instants) == 2 * len(instants)
    assert len(lookups) > 20  # `now`'s window answered, and route agreed with it


def test_route_and_now_agree_where_only_the_order_changes(
    cli: Cli, tmp_path: Path, lookups: list[dt.datetime]
) -> None:
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    (rosters / "pair.yaml").write_text(ORDER, encoding="utf-8")
    instants = _local("2026-06-10", EDGES) + _local("2026-10-25", EDGES) + _this_week()
    assert check_agreement(cli, rosters, instants) == len(instants)
    assert len(lookups) > 10


# --------------------------------------------------------------------------- the order alone


def test_valid_until_sees_a_change_of_the_order_alone(cli: Cli, tmp_path: Path) -> None:
    """[ana, ben, ben, ana] two per turn: the same two people every day, ana first one day and
    ben first the next. The plan rings them in the day's order and holds until the next
    handoff, where the order turns round, although `now`'s level keeps the same people (its
    `until` is that of the set of people, SPEC §7)."""
    rosters = tmp_path / "rosters"
    rosters.mkdir()
    (rosters / "pair.yaml").write_text(ORDER, encoding="utf-8")

    def plan(at: str) -> Any:
        run = cli("route", "--rosters", str(rosters), "--team", "pair", "--at", at, "--json")
        assert run.code == 0, run.stderr
        return run.json()

    first = plan("2026-06-10 10:00")
    second = plan(first["valid_until"])
    assert first["valid_until"] == "2026-06-11T02:30:00+02:00"
    assert [s["who"] for s in first["steps"]] == ["ana", "ben", "boss"]
    assert [s["who"] for s in second["steps"]] == ["ben", "ana", "boss"]
    assert second["valid_until"] == "2026-06-12T02:30:00+02:00"
    # The minute before the handoff still has the first order.
    assert [s["who"] for s in plan("2026-06-11 02:29")["steps"]] == ["ana", "ben", "boss"]
    # Across the October change of time: the handoff at 02:30 CEST, the first of the two.
    october = plan("2026-10-24 12:00")
    assert october["valid_until"] == "2026-10-25T02:30:00+02:00"
    assert [s["who"] for s in plan(october["valid_until"])["steps"]] != [
        s["who"] for s in october["steps"]
    ]

    now = cli("now", "--rosters", str(rosters), "--at", "2026-06-10 10:00", "--json").json()
    (level,) = now["teams"][0]["levels"]
    assert [p["id"] for p in level["on_call"]] == ["ana", "ben"]
    assert level["until"] is None  # the same two people for more than 400 days
