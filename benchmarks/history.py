"""A long git history of the example roster, for the notice rule's walk (`check` in git).

    .venv/bin/python benchmarks/history.py [--commits 600] [--per-day 200] [--runs 5]

Builds a repository whose roster (a copy of ``rosters/``) is committed ``--commits`` times,
``--per-day`` commits a day ending the day before ``--at``, each commit moving the support
team's one swap to another day (the roster keeps its size: what grows is the history), then
times ``astreinte check --at …`` there. The notice rule reads the
roster as it stood at the end of each day (and the oldest commit), and only as far back as the
rule needs (``notice_days`` before the horizon): its cost is bounded by the days it looks at,
not by the number of commits. ``run.py`` runs it for 100 and 600 commits of a busy branch
(200 a day) and 600 commits at 4 a day, so that the figures can be compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AT = "2026-12-01"


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date is not None:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org",
         "-c", "commit.gpgsign=false", *args],
        cwd=root, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def make_history(root: Path, commits: int, per_day: int) -> Path:
    """A repository at ``root`` with ``commits`` commits of the example roster (without its
    ``*.local.yaml``), ``per_day`` a day, the last one the evening before :data:`AT`."""
    if root.exists():
        shutil.rmtree(root)
    rosters = root / "rosters"
    rosters.mkdir(parents=True)
    for path in sorted((REPO / "rosters").glob("*.yaml")):
        if not path.name.endswith(".local.yaml"):
            shutil.copy(path, rosters / path.name)
    _git(root, "init", "-q", "-b", "main")
    team = rosters / "support.yaml"
    base = team.read_text(encoding="utf-8")
    last = dt.datetime.fromisoformat(AT) - dt.timedelta(hours=3)
    step = dt.timedelta(days=1) / per_day
    for k in range(commits):
        when = last - step * (commits - 1 - k)
        day = dt.date(2027, 1, 4) + dt.timedelta(days=k % 90)
        swap = (
            f"  - {{level: 2, who: david, replaces: alice, from: {day} 18:00, to: {day} 20:00}}\n"
        )
        team.write_text(base.replace("overrides:\n", "overrides:\n" + swap), "utf-8")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"swap {k}", date=when.isoformat() + "+01:00")
    return root


def time_check(root: Path, runs: int) -> tuple[float, int]:
    """Median seconds of ``astreinte check --at AT`` in ``root``, and its exit code."""
    script = Path(sys.executable).with_name("astreinte")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "astreinte_cli"]
    walls, code = [], 0
    for _ in range(runs + 1):  # the first run warms the caches, unrecorded
        start = time.perf_counter()
        done = subprocess.run(
            [*command, "check", "--at", AT], cwd=root, capture_output=True, check=False
        )
        walls.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(walls[1:]), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=600)
    parser.add_argument("--per-day", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="astreinte-history-") as folder:
        root = make_history(Path(folder) / "repo", args.commits, args.per_day)
        wall, code = time_check(root, args.runs)
    print(f"check, {args.commits} commits ({args.per_day} a day): {wall:.2f} s (exit {code})")


if __name__ == "__main__":
    main()
