"""The limits on hostile and extreme input, measured: each either refused at once, in little
memory, or computed in time proportional to its size. Figures only: nothing is asserted here.

    .venv/bin/python benchmarks/limits.py            # about two minutes on a 2-core machine
    .venv/bin/python benchmarks/limits.py --quick    # seconds: small sizes, one run

Timing and peak memory are those of ``run.py`` (whole processes, ``os.wait4``; medians).

1. ``show`` (the text view) of the example roster over 1, 2, 4 and 8 years, and what each
   year costs from the size before: equal costs are linear (8 years took 46 s when the view
   rescanned every stretch for every day).
2. Rotations of ``every: PT1S`` and ``every: 1m``: refused by the loader (`check` went past
   1 GB, and a 196-byte roster made a 316 MB feed).
3. A range of 1900-2999 for `check`, `show --grid` and `export ics`: refused before anything
   is compiled (minutes and gigabytes before).
4. `check` over 90 days of a team with 1,000 to 8,000 disjoint overrides, and what each
   thousand costs from the size before (10,000 took more than 300 s before the sweep).
5. A file of 12,000 overrides and no alias (under 1 MiB): loaded, not refused as an alias
   bomb; and a billion-laughs file refused.
6. A 3 GB sparse roster file: refused from its size (``fstat``), without reading it (the
   roster cache is off here: it is measured with the `now` benchmarks).
7. `diff HEAD~1` when HEAD~1 holds a 64 MB blob in the roster folder: git is asked its size,
   the blob is never read (a 300 MB blob made `diff` take 608 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402 - the benchmarks are scripts beside each other
    REPO,
    Run,
    Table,
    astreinte,
    machine,
    measure,
    median_wall,
)

TEAM = """\
people:
  alice: {name: Alice}
  bob: {name: Bob}
  carl: {name: Carl}
team: support
timezone: Europe/Paris
coverage: always
levels:
  - rotations:
      - members: [alice, bob]
        start: 2026-01-05 09:00
        every: %s
"""


def peak(runs: list[Run]) -> str:
    return f"peak {max(r.peak_mb for r in runs):.0f} MB"


def figure(runs: list[Run]) -> str:
    wall = median_wall(runs)
    return f"{wall * 1000:.0f} ms" if wall < 1 else f"{wall:.2f} s"


def marginal(sizes: Sequence[float], walls: Sequence[float]) -> list[float]:
    """What each unit costs from one size to the next: (t(n) - t(m)) / (n - m)."""
    return [(walls[i] - walls[i - 1]) / (sizes[i] - sizes[i - 1]) for i in range(1, len(sizes))]


def bench_show_years(table: Table, runs: int, env: dict[str, str], years: Sequence[int]) -> None:
    rosters = str(REPO / "rosters")
    commands = [
        astreinte("show", "--rosters", rosters, "--from", "2026-01-01", "--to", f"{2026 + y}-01-01")
        for y in years
    ]
    one_day = astreinte("show", "--rosters", rosters, "--from", "2026-01-01", "--to", "2026-01-02")
    *spans, day = measure([*commands, one_day], runs, env)
    walls = [median_wall(day), *(median_wall(s) for s in spans)]
    costs = marginal([0, *years], walls)
    table.add("show (text), example roster, one day", figure(day), "start-up: paid by any range")
    for index, y in enumerate(years):
        table.add(
            f"show (text), example roster, {y} year{'s' * (y > 1)}",
            figure(spans[index]),
            f"each year since the size before: {costs[index]:.2f} s, normalised "
            f"{costs[index] / costs[-1]:.2f}; {peak(spans[index])}",
        )


def bench_refusals(table: Table, runs: int, env: dict[str, str], work: Path) -> None:
    for every in ("PT1S", "1m"):
        path = work / f"every-{every}.yaml"
        path.write_text(TEAM % every, encoding="utf-8")
        (found,) = measure([astreinte("check", "--rosters", str(path))], runs, env, codes=(1,))
        table.add(f"check, every: {every}", figure(found), f"refused (exit 1); {peak(found)}")
    roster = work / "every-1w.yaml"
    roster.write_text(TEAM % "1w", encoding="utf-8")
    wide = ("--from", "1900-01-01", "--to", "2999-12-31")
    for command in (["check"], ["show", "--grid"], ["export", "ics", "-o", "-"]):
        (found,) = measure(
            [astreinte(*command, "--rosters", str(roster), *wide)], runs, env, codes=(2,)
        )
        table.add(
            f"{' '.join(command[:2])}, 1900-2999", figure(found), f"refused (exit 2); {peak(found)}"
        )


def overrides_roster(path: Path, count: int) -> Path:
    lines = [TEAM % "1w" + "overrides:"]
    start = dt.datetime(2026, 1, 20, 8, tzinfo=dt.UTC)  # written as a local reading
    step = dt.timedelta(days=90) / count  # disjoint, spread over the horizon
    for index in range(count):
        first = start + index * step
        last = first + step / 2
        who = ("alice", "bob", "carl")[index % 3]
        lines.append(
            f"  - {{level: 1, who: {who}, from: {first:%Y-%m-%d %H:%M}, to: {last:%Y-%m-%d %H:%M}}}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_overrides(
    table: Table, runs: int, env: dict[str, str], work: Path, sizes: Sequence[int]
) -> None:
    commands = [
        astreinte("check", "--rosters", str(overrides_roster(work / f"o{n}.yaml", n)),
                  "--at", "2026-01-20", "--json")
        for n in sizes
    ]  # fmt: skip
    found = measure(commands, runs, env, warmup=0, codes=(0, 1))
    walls = [median_wall(f) for f in found]
    costs = marginal([0, *sizes], [0.0, *walls])[1:]  # per override, from the size before
    for index, n in enumerate(sizes):
        note = peak(found[index])
        if index:
            cost = costs[index - 1] * 1000
            note = (
                f"each 1,000 since the size before: {cost:.2f} s, normalised "
                f"{costs[index - 1] / costs[-1]:.2f}; " + note
            )
        table.add(f"check, {n:,} disjoint overrides, 90 days", figure(found[index]), note)


def bench_aliases(table: Table, runs: int, env: dict[str, str], work: Path) -> None:
    entries = [
        f"  - {{level: 1, who: bob, from: 2026-02-{1 + i % 28:02d} 08:00, "
        f"to: 2026-02-{1 + i % 28:02d} 09:00, reason: r{i}}}"
        for i in range(12_000)
    ]
    large = work / "large.yaml"
    large.write_text(TEAM % "1w" + "overrides:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    lol = '["' + '","'.join(["lol"] * 9) + '"]'
    lines = [f"a: &a {lol}"]
    for level, name in enumerate("bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{'abcdefghi'[level]}"] * 10) + "]")
    bomb = work / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = large.stat().st_size / 1024
    (found,) = measure(
        [astreinte("now", "--rosters", str(large), "--at", "2026-02-03 08:30")],
        runs, {**env, "ASTREINTE_CACHE": "off"},
    )  # fmt: skip
    table.add(
        f"now, 12,000 overrides, no alias ({size:.0f} KiB)",
        figure(found),
        f"loaded (the roster cache off); {peak(found)}",
    )
    (found,) = measure([astreinte("check", "--rosters", str(bomb))], runs, env, codes=(1,))
    table.add("check, a billion-laughs file", figure(found), f"refused (exit 1); {peak(found)}")


def bench_large_files(
    table: Table, runs: int, env: dict[str, str], work: Path, blob_mb: int
) -> None:
    big = work / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(3 << 30)  # sparse: 3 GiB that take no room
    (found,) = measure(
        [astreinte("now", "--rosters", str(big))], runs, {**env, "ASTREINTE_CACHE": "off"},
        codes=(1,),
    )  # fmt: skip
    table.add("now, a 3 GiB sparse roster file", figure(found), f"refused (exit 1); {peak(found)}")
    repo = work / "repo"
    (repo / "rosters").mkdir(parents=True)
    (repo / "rosters" / "support.yaml").write_text(TEAM % "1w", encoding="utf-8")

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@example.org",
             "-c", "commit.gpgsign=false", *args],
            cwd=repo, check=True, capture_output=True,
        )  # fmt: skip

    git("init", "-q")
    with (repo / "rosters" / "blob.yaml").open("wb") as stream:
        # Written a megabyte at a time: a child's peak memory (wait4) counts the memory of
        # this process when it forked the child, which must stay small.
        for _megabyte in range(blob_mb):
            stream.write(b"#" * (1 << 20))
    git("add", "-A")
    git("commit", "-q", "-m", "blob")
    (repo / "rosters" / "blob.yaml").unlink()
    git("commit", "-q", "-am", "no blob")
    command = astreinte("diff", "HEAD~1", "--rosters", str(repo / "rosters"))
    (found,) = measure([command], runs, env, codes=(1,))
    table.add(
        f"diff HEAD~1, a {blob_mb} MB blob in the roster at HEAD~1",
        figure(found),
        f"the blob is refused by its size (exit 1); {peak(found)}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run: a smoke test")
    parser.add_argument("--runs", type=int, help="runs per command (default 5)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    years = (1, 2) if args.quick else (1, 2, 4, 8)
    overrides = (250, 500) if args.quick else (1_000, 2_000, 4_000, 8_000)
    table = Table()
    print(f"machine: {machine()}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="astreinte-limits-") as folder:
        work = Path(folder)
        env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bench_show_years(table, runs, env, years)
        bench_refusals(table, runs, env, work)
        bench_overrides(table, runs, env, work, overrides)
        bench_aliases(table, runs, env, work)
        bench_large_files(table, runs, env, work, blob_mb=4 if args.quick else 64)
    print(f"\nMachine: {machine()}\n")
    table.print()


if __name__ == "__main__":
    main()
