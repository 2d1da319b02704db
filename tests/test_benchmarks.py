"""The benchmarks' pieces work (no timing is asserted here: see benchmarks/run.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys
from pathlib import Path

from astreinte_cli.compile import compile_team
from astreinte_cli.load import load_roster

# The benchmarks are scripts, not a package: their folder goes on the path.
sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

import generate
import history
import run


def test_generated_organisation_loads_and_compiles(tmp_path: Path) -> None:
    files = generate.generate(tmp_path / "org", teams=3, levels=3, rotations=2, members=8)
    assert len(files) == 3
    roster = load_roster(tmp_path / "org")
    assert len(roster.teams) == 3
    assert all(len(team.levels) == 3 for team in roster.teams)
    assert all(len(level.rotations) == 2 for team in roster.teams for level in team.levels)
    assert {len(r.members) for t in roster.teams for lv in t.levels for r in lv.rotations} == {8}
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    timeline = compile_team(roster, roster.teams[0], start, start + dt.timedelta(days=60))
    assert all(level.stretches for level in timeline.levels)


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate.generate(tmp_path / "a", teams=2, seed=7)
    second = generate.generate(tmp_path / "b", teams=2, seed=7)
    assert [p.read_text() for p in first] == [p.read_text() for p in second]


def test_a_measured_run_has_a_time_and_a_peak() -> None:
    (runs,) = run.measure([[sys.executable, "-c", "pass"]], 2, dict(os.environ), warmup=0)
    assert len(runs) == 2
    assert all(r.wall > 0 and r.peak_mb > 1 for r in runs)


def test_a_history_of_commits_for_the_notice_walk(tmp_path: Path) -> None:
    """benchmarks/history.py: N commits, D a day, each moving one swap; check runs there."""
    import subprocess

    root = history.make_history(tmp_path / "repo", 5, 2)
    log = subprocess.run(
        ["git", "log", "--format=%cI"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(log) == 5
    assert len({date[:10] for date in log}) == 3  # two a day, the last the evening before --at
    wall, code = history.time_check(root, 1)
    assert wall > 0
    assert code in (0, 1)


def test_the_limits_benchmark_builds_valid_rosters(tmp_path: Path) -> None:
    import limits

    roster = load_roster(limits.overrides_roster(tmp_path / "o.yaml", 50))
    zone = roster.teams[0].zone
    periods = sorted(o.period.instants(zone) for o in roster.teams[0].overrides)
    assert len(periods) == 50
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(periods))  # disjoint
