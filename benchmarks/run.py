"""Every astreinte benchmark, in one command, with its figures in one table.

    .venv/bin/python benchmarks/run.py            # a few minutes on a 2-core machine
    .venv/bin/python benchmarks/run.py --quick    # seconds: small sizes, one run (a smoke test)
    .venv/bin/python benchmarks/run.py --only now # the `now` rows alone

Each figure is the median of several runs of a whole process (start-up included), timed from
outside with ``time.perf_counter``; peak memory is the child's own maximum resident set size,
from ``os.wait4``. Where two commands are compared, they run in turn (A B A B …) and the ratio
is taken pair by pair, so that a machine whose speed drifts during the run still gives a fair
ratio; the table quotes the median ratio.

Benchmarks:

1. ``astreinte now`` on the example roster (``rosters/``) against ``python -c "import typer,
   yaml"`` and ``python -c pass`` in the same environment. Its cache lives in a temporary
   ``XDG_CACHE_HOME`` (and its last valid roster in a temporary ``XDG_STATE_HOME``); the
   warm-up run fills it, as a user's first call does. Then the same `now` cold: every run
   with an empty cache and state of its own, as on a machine that never ran astreinte.
   ``now`` on the largest generated organisation against the same yardstick: for one team
   (``--team t000``), for every team (``--json``), and for every team after one team's file
   changed (before each run, outside the timing, one team's file is edited: its name
   changes, a different team each time).
2. ``astreinte show --json`` over a year for a generated organisation (``generate.py``: 200
   teams × 3 levels × 2 rotations × 8 members), and its scaling: 50, 100, 200 teams over one
   year, and 200 teams (leave and overrides generated over 4 years) over 1, 2 and 4 years.
   "Normalised" is the time per team (or per year) divided by that of the largest size: 1.00
   is exactly proportional. A fast command is dominated at small sizes by what it pays once
   (Python, Typer, loading the roster, and setting up each of the organisation's zones), so
   each size also gives what a team (or a year) costs from the size before:
   (t(n) - t(m)) / (n - m). Linear means those are equal; "normalised" divides them by the
   last. The size before 50 teams is the same generated organisation with 16 teams (every
   zone and cadence of the generator, and large enough to be shared among processes, as the
   larger ones are); the size before 1 year is the 4-year roster over one day.
3. ``astreinte check --json`` of that organisation over a year (findings exit 1: expected).
4. ``astreinte export ics`` of that organisation over a year against ``rrule_baseline.py``
   (the same shifts as RRULE events expanded by ``recurring-ical-events``, as Grafana OnCall
   does; see its docstring).
5. ``astreinte check`` in a git repository of the example roster with 100 and 600 commits of
   a busy branch (200 a day) and 600 commits at 4 a day (``history.py``): the notice rule's
   walk is bounded by the days it looks back, so the three should take about the same time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from astreinte_cli import parallel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402 - the generator sits beside this script
from history import make_history, time_check  # noqa: E402 - beside this script too

PYTHON = sys.executable
YEAR = ("2026-01-01", "2027-01-01")


@dataclass(frozen=True, slots=True)
class Run:
    wall: float  # seconds
    peak_mb: float  # the child's maximum resident set size


def astreinte(*args: str) -> list[str]:
    """The installed console script beside this Python, as a user runs it."""
    script = Path(PYTHON).with_name("astreinte")
    if script.exists():
        return [str(script), *args]
    return [PYTHON, "-m", "astreinte_cli", *args]


def run_once(command: Sequence[str], env: dict[str, str], codes: Sequence[int] = (0,)) -> Run:
    # stderr to a file, not a pipe: a command that says much there would block on a full pipe.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        with subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=errors
        ) as process:
            # wait4 gives this child's own resource usage, peak memory included.
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in codes:
            errors.seek(0)
            raise SystemExit(
                f"benchmark command failed ({process.returncode}): {' '.join(command)}\n"
                + errors.read(4000).decode(errors="replace")
            )
    return Run(wall, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def measure(
    commands: Sequence[Sequence[str]],
    runs: int,
    env: dict[str, str],
    warmup: int = 1,
    codes: Sequence[int] = (0,),
) -> list[list[Run]]:
    """``runs`` runs of each command, interleaved, after ``warmup`` unrecorded rounds; an exit
    code outside ``codes`` stops the benchmark."""
    results: list[list[Run]] = [[] for _ in commands]
    for round_number in range(warmup + runs):
        for index, command in enumerate(commands):
            run = run_once(command, env, codes)
            if round_number >= warmup:
                results[index].append(run)
    return results


def median_wall(runs: list[Run]) -> float:
    return statistics.median(r.wall for r in runs)


def median_ratio(a: list[Run], b: list[Run]) -> float:
    return statistics.median(x.wall / y.wall for x, y in zip(a, b, strict=True))


def machine() -> str:
    """The machine, and how many processes astreinte shares large jobs among."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    jobs = f"{parallel.jobs()}" + ("" if os.environ.get("ASTREINTE_JOBS") else " (all cores)")
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; astreinte processes: {jobs}"
    )


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []

    def add(self, what: str, figure: str, note: str = "") -> None:
        self.rows.append((what, figure, note))
        print(f"  {what}: {figure}  {note}", file=sys.stderr, flush=True)

    def print(self) -> None:
        widths = [max(len(row[i]) for row in self.rows) for i in range(3)]
        print(f"| {'benchmark':<{widths[0]}} | {'figure':<{widths[1]}} | {'note':<{widths[2]}} |")
        print(f"| {'-' * widths[0]} | {'-' * widths[1]} | {'-' * widths[2]} |")
        for row in self.rows:
            cells = " | ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(row))
            print(f"| {cells} |")


YARDSTICK = [PYTHON, "-c", "import typer, yaml"]
NOW_CODES = (0, 3)  # a generated organisation may have a gap at the instant: exit 3


def bench_now(table: Table, runs: int, env: dict[str, str], work: Path) -> None:
    now, typer_yaml, bare = measure(
        [astreinte("now", "--rosters", str(REPO / "rosters")), YARDSTICK, [PYTHON, "-c", "pass"]],
        runs,
        env,
        warmup=2,
    )
    table.add("now (example roster)", f"{median_wall(now) * 1000:.0f} ms", f"{runs} runs")
    table.add("python -c 'import typer, yaml'", f"{median_wall(typer_yaml) * 1000:.0f} ms")
    table.add("python -c pass", f"{median_wall(bare) * 1000:.0f} ms")
    table.add("now / import typer, yaml", f"{median_ratio(now, typer_yaml):.2f}×", "target ≤ 1.3×")
    table.add("now / python -c pass", f"{median_ratio(now, bare):.2f}×")
    # Cold: a cache and a state folder of its own for each run, empty.
    cold, yardstick = [], []
    for round_number in range(1 + runs):
        fresh = work / f"cold-{round_number}"
        own = dict(env, XDG_CACHE_HOME=str(fresh / "cache"), XDG_STATE_HOME=str(fresh / "state"))
        pair = run_once(astreinte("now", "--rosters", str(REPO / "rosters")), own)
        base = run_once(YARDSTICK, env)
        if round_number:
            cold.append(pair)
            yardstick.append(base)
    table.add(
        "now (example roster), cold: no cache, no state",
        f"{median_wall(cold) * 1000:.0f} ms",
        f"{median_ratio(cold, yardstick):.2f}× import typer, yaml; target ≤ 3×",
    )


def bench_now_organisation(
    table: Table, runs: int, env: dict[str, str], roster: Path, teams: int
) -> None:
    """`now` on the largest organisation: one team, every team, every team after an edit."""
    one = astreinte("now", "--rosters", str(roster), "--team", "t000")
    every = astreinte("now", "--rosters", str(roster), "--json")
    one_runs, every_runs, yardstick = measure(
        [one, every, YARDSTICK], runs, env, warmup=2, codes=NOW_CODES
    )
    table.add(
        f"now --team t000, {teams} teams",
        f"{median_wall(one_runs) * 1000:.0f} ms",
        f"{median_ratio(one_runs, yardstick):.2f}× import typer, yaml "
        f"({median_wall(yardstick) * 1000:.0f} ms); target ≤ 1.3×",
    )
    table.add(
        f"now --json, all {teams} teams",
        f"{median_wall(every_runs) * 1000:.0f} ms",
        f"{median_ratio(every_runs, yardstick):.2f}× import typer, yaml; target ≤ 2×",
    )
    edited, yardstick = [], []
    for round_number in range(1 + runs):
        path = roster / f"team-{round_number % teams:03d}.yaml"
        text = path.read_text(encoding="utf-8")
        first, _, rest = text.partition("\nname: ")
        name, _, after = rest.partition("\n")
        path.write_text(f"{first}\nname: {name} ({round_number})\n{after}", encoding="utf-8")
        pair = run_once(every, env, NOW_CODES)
        base = run_once(YARDSTICK, env)
        if round_number:  # the first edit pays what the runs before left to do
            edited.append(pair)
            yardstick.append(base)
    table.add(
        f"now --json, all {teams} teams, after one team's file changed",
        f"{median_wall(edited) * 1000:.0f} ms",
        f"{median_ratio(edited, yardstick):.2f}× import typer, yaml; target ≤ 3×",
    )


ONE_DAY = "2026-01-02"


def show(roster: Path, end: str) -> list[str]:
    """`show --json` from the start of 2026 to ``end``."""
    return astreinte("show", "--rosters", str(roster), "--json", "--from", YEAR[0], "--to", end)


def years_from_2026(years: int) -> str:
    return f"{2026 + years}-01-01"


def bench_show(
    table: Table,
    runs: int,
    env: dict[str, str],
    rosters: dict[str, Path],
    sizes: Sequence[int],
    base: int,
) -> None:
    largest = sizes[-1]
    # Start-up: the same command on the two-team example roster over one day (Python, Typer,
    # loading a small roster): what every size pays once.
    start_up = show(REPO / "rosters", ONE_DAY)
    every = (base, *sizes)
    *sized, start_up_runs = measure(
        [*(show(rosters[f"teams-{n}"], YEAR[1]) for n in every), start_up], runs, env
    )
    by_size = dict(zip(every, sized, strict=True))
    fixed = median_wall(start_up_runs)
    main = by_size[largest]
    table.add(
        f"show --json, {largest} teams, 1 year",
        f"{median_wall(main):.2f} s",
        f"peak {max(r.peak_mb for r in main):.0f} MB; target < 2 s, < 200 MB",
    )
    table.add("show, example roster, one day", f"{fixed:.2f} s", "start-up, paid once by any size")
    table.add(
        f"show, {base} team{'s' * (base > 1)}, 1 year",
        f"{median_wall(by_size[base]):.2f} s",
        "the size before the first: the same generated organisation, smaller",
    )
    per_team_largest = median_wall(by_size[largest]) / largest
    marginal = _marginal(every, [median_wall(by_size[n]) for n in every])
    for index, n in enumerate(sizes):
        per_team = median_wall(by_size[n]) / n
        table.add(
            f"show, {n} teams, 1 year",
            f"{median_wall(by_size[n]):.2f} s",
            f"{per_team * 1000:.1f} ms/team, normalised {per_team / per_team_largest:.2f}; "
            f"each team since the size before: {marginal[index] * 1000:.1f} ms, "
            f"normalised {marginal[index] / marginal[-1]:.2f}",
        )
    # The organisation over 1, 2 and 4 years, and over one day: what start-up and loading the
    # roster cost whatever the range. No warm-up round (it would cost a minute): the first run
    # of the 1-year command fills the roster cache, and the median leaves it out.
    years = (1, 2, 4)
    commands = [show(rosters["years"], years_from_2026(y)) for y in years]
    *spans, one_day = measure([*commands, show(rosters["years"], ONE_DAY)], runs, env, warmup=0)
    by_years = dict(zip(years, spans, strict=True))
    fixed = median_wall(one_day)
    table.add(
        f"show, {largest} teams (4-year roster), one day",
        f"{fixed:.2f} s",
        "start-up and loading: what any range costs",
    )
    per_year_largest = median_wall(by_years[4]) / 4
    # The size before the first is the one-day run (0 years).
    marginal = _marginal([0, *years], [fixed, *(median_wall(by_years[y]) for y in years)])
    for index, y in enumerate(years):
        per_year = median_wall(by_years[y]) / y
        table.add(
            f"show, {largest} teams (4-year roster), {y} year{'s' * (y > 1)}",
            f"{median_wall(by_years[y]):.2f} s",
            f"{per_year:.2f} s/year, normalised {per_year / per_year_largest:.2f}; each year "
            f"since the size before: {marginal[index]:.2f} s, normalised "
            f"{marginal[index] / marginal[-1]:.2f}; peak "
            f"{max(r.peak_mb for r in by_years[y]):.0f} MB",
        )


def _marginal(sizes: Sequence[int], walls: Sequence[float]) -> list[float]:
    """What each unit costs from one size to the next: (t(n) - t(m)) / (n - m), for every size
    but the first. Linear means these are equal."""
    return [(walls[i] - walls[i - 1]) / (sizes[i] - sizes[i - 1]) for i in range(1, len(sizes))]


def bench_check(table: Table, runs: int, env: dict[str, str], roster: Path, teams: int) -> None:
    """`check` over a year of the organisation: not a target of its own, but what CI runs on
    every pull request (it once grew with the square of the organisation's size)."""
    command = astreinte(
        "check", "--rosters", str(roster), "--json", "--from", YEAR[0], "--to", YEAR[1],
        "--at", YEAR[0],
    )  # fmt: skip
    (runs_of_check,) = measure([command], runs, env, warmup=0, codes=(0, 1))
    table.add(
        f"check --json, {teams} teams, 1 year",
        f"{median_wall(runs_of_check):.2f} s",
        f"peak {max(r.peak_mb for r in runs_of_check):.0f} MB",
    )


def bench_ics(table: Table, runs: int, env: dict[str, str], roster: Path, out: Path) -> None:
    export = ["export", "ics", "--rosters", str(roster), "--from", YEAR[0], "--to", YEAR[1]]
    ours, baseline = measure(
        [
            astreinte(*export, "-o", str(out / "astreinte.ics")),
            [PYTHON, str(HERE / "rrule_baseline.py"), str(roster), *YEAR, "-o", str(out / "b.ics")],
        ],
        runs,
        env,
        warmup=0,  # the show runs before filled the roster cache and the bytecode caches
    )
    events = (out / "astreinte.ics").read_bytes().count(b"BEGIN:VEVENT")
    baseline_events = (out / "b.ics").read_bytes().count(b"BEGIN:VEVENT")
    table.add(
        "export ics, 1 year",
        f"{median_wall(ours):.2f} s",
        f"{events} events; peak {max(r.peak_mb for r in ours):.0f} MB",
    )
    table.add(
        "RRULE + recurring-ical-events baseline",
        f"{median_wall(baseline):.2f} s",
        f"{baseline_events} events; peak {max(r.peak_mb for r in baseline):.0f} MB",
    )
    table.add("baseline / export ics", f"{1 / median_ratio(ours, baseline):.1f}×", "target ≥ 20×")


def bench_history(table: Table, runs: int, work: Path, quick: bool) -> None:
    """`check` in git: the notice rule's walk through a long history."""
    cases = [(20, 200), (60, 200)] if quick else [(100, 200), (600, 200), (600, 4)]
    for commits, per_day in cases:
        root = make_history(work / f"history-{commits}-{per_day}", commits, per_day)
        wall, code = time_check(root, runs)
        table.add(
            f"check in git, {commits} commits ({per_day} a day)",
            f"{wall:.2f} s",
            f"exit {code}; bounded by days, not commits",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run: a smoke test")
    parser.add_argument("--runs", type=int, help="runs per command (default 21 for now, 5 else)")
    parser.add_argument(
        "--only",
        choices=("now", "show", "check", "ics", "history"),
        action="append",
        help="run only these benchmarks (repeatable; default: all)",
    )
    args = parser.parse_args()
    chosen = set(args.only or ("now", "show", "check", "ics", "history"))
    if find_spec("recurring_ical_events") is None:
        raise SystemExit("benchmarks/run.py needs the test extra: pip install -e '.[test]'")
    now_runs = args.runs or (1 if args.quick else 21)
    runs = args.runs or (1 if args.quick else 5)
    sizes = (2, 4, 8) if args.quick else (50, 100, 200)
    base = 1 if args.quick else 16  # the size before the first: see bench_show
    table = Table()
    print(f"machine: {machine()}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="astreinte-bench-") as folder:
        work = Path(folder)
        env = dict(
            os.environ, XDG_CACHE_HOME=str(work / "cache"), XDG_STATE_HOME=str(work / "state")
        )
        # Measured as installed: with the bytecode caches that pip and first runs write.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        rosters = {f"teams-{n}": work / f"teams-{n}" for n in (base, *sizes)}
        rosters["years"] = work / "years"
        for n in (base, *sizes) if "show" in chosen else sizes[-1:]:
            generate(rosters[f"teams-{n}"], teams=n, years=1)
        if "show" in chosen:
            generate(rosters["years"], teams=sizes[-1], years=4)
        largest = rosters[f"teams-{sizes[-1]}"]
        if "now" in chosen:
            bench_now(table, now_runs, env, work)
            bench_now_organisation(table, now_runs, env, largest, sizes[-1])
        if "show" in chosen:
            bench_show(table, runs, env, rosters, sizes, base)
        if "check" in chosen:
            bench_check(table, runs, env, largest, sizes[-1])
        if "ics" in chosen:
            bench_ics(table, runs, env, largest, work)
        if "history" in chosen:
            bench_history(table, runs, work, args.quick)
    print(f"\nMachine: {machine()}\n")
    table.print()


if __name__ == "__main__":
    main()
