"""Synthetic rosters for the benchmarks: an organisation of TEAMS teams × LEVELS levels ×
ROTATIONS rotations × MEMBERS members, deterministic from a seed.

Every feature that costs the compiler something appears: several timezones, public holidays
(France with Moselle and Alsace, Belgium, Germany, the United States), business hours with
closures, coverage windows, `only:` restrictions (holidays, weekends, weekly maps with
`except:`), `count: active`, `per_turn: 2`, member changes, `end:`, overrides with and without
`replaces`, leave under both `on_leave` policies, and phone numbers to validate.

    python benchmarks/generate.py --teams 200 --out /tmp/org

writes one ``team-NNN.yaml`` per team: its people (half of them with a phone), their leave,
and the team. Leave and overrides are spread over ``--years`` years from ``--first-year``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

ZONES = (
    ("Europe/Paris", "FR"),
    ("Europe/Paris", '{country: FR, subdiv: "57"}'),
    ("Europe/Paris", '{country: FR, subdiv: "6AE"}'),
    ("Europe/Brussels", "BE"),
    ("Europe/Berlin", "DE"),
    ("America/New_York", "US"),
    ("America/Sao_Paulo", "none"),
    ("Asia/Tokyo", "none"),
)
CADENCES = ("1w", "1w", "2w", "1w", "1d", "1w", "12h", "1w")
RESTRICTIONS = (
    "holidays",
    "weekends",
    "{mon-fri: 18:00-08:00, except: holidays}",
    '{"sat,sun": 08:00-20:00}',
)


def _when(day: dt.date, hour: int) -> str:
    return f"{day.isoformat()} {hour:02d}:00"


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _phone(rng: random.Random) -> str:
    return "06 12 " + " ".join(f"{rng.randrange(100):02d}" for _ in range(3))


def team_file(
    rng: random.Random,
    index: int,
    people: list[str],
    pool: int,
    *,
    levels: int,
    rotations: int,
    members: int,
    first_year: int,
    years: int,
) -> str:
    """One team: its levels, rotations and overrides, as YAML text."""
    zone, holidays = ZONES[index % len(ZONES)]
    start = dt.date(first_year, 1, 1)
    days = 365 * years
    lines = [
        f"team: t{index:03d}",
        f"name: Équipe {index}",
        f"timezone: {zone}",
        f"holidays: {holidays}",
    ]
    business = index % 4 == 0
    if business:
        closed = start + dt.timedelta(days=rng.randrange(days))
        lines += [
            "business_hours:",
            "  mon-fri: 08:30-18:00",
            "  sat: 09:00-12:00",
            f"  closed: [{_when(closed, 14)} .. {_when(closed, 18)}]",
            "coverage: outside business hours",
        ]
    else:
        lines.append("coverage: always")
    lines += [
        f"on_leave: {'next' if index % 3 == 0 else 'flag'}",
        f"fallback: {people[0]}",
        "levels:",
    ]
    # people[0] is the team's manager (the fallback); each level draws from its own pool, so
    # that nobody is both a level and its escalation.
    pools = [people[1 + level * pool : 1 + (level + 1) * pool] for level in range(levels)]
    in_level: list[list[str]] = []
    for level in range(levels):
        in_level.append([])
        lines += [f"  - name: Niveau {level + 1}", f"    escalate_after: {10 + 5 * level}m"]
        if level > 0 and business:
            lines.append("    coverage: always")
        lines.append("    rotations:")
        for rotation in range(rotations):
            chosen = rng.sample(pools[level], members)
            in_level[-1].extend(chosen)
            every = CADENCES[(index + level + rotation) % len(CADENCES)]
            first = _monday_on_or_after(start) if every.endswith("w") else start
            lines += [
                f"      - name: r{rotation + 1}",
                f"        members: [{', '.join(chosen)}]",
                f"        start: {_when(first, 9)}",
                f"        every: {every}",
            ]
            if rotation > 0:
                lines.append(f"        only: {RESTRICTIONS[(index + level) % len(RESTRICTIONS)]}")
                if (index + level) % 2 == 0:
                    lines.append("        count: active")
            if members >= 4 and (index + rotation) % 5 == 0:
                lines.append("        per_turn: 2")
            if rotation == 0 and (index + level) % 4 == 0:
                change = start + dt.timedelta(days=rng.randrange(30, days))
                rng.shuffle(chosen)
                lines += [
                    "        changes:",
                    f"          - {{from: {_when(change, 9)}, members: [{', '.join(chosen)}]}}",
                ]
            if rotation > 0 and index % 7 == 0:
                lines.append(f"        end: {start.year + years}-01-01")
    lines.append("overrides:")
    for _ in range(4 * years):
        level = rng.randrange(levels) + 1  # `replaces` must be in one of the level's rotations
        first = dt.datetime.combine(start, dt.time()) + dt.timedelta(
            days=rng.randrange(days), hours=rng.randrange(24)
        )
        last = first + dt.timedelta(hours=rng.randrange(2, 72))
        who = rng.choice(pools[level - 1])
        item = (
            f"  - {{level: {level}, who: {who}, from: {first:%Y-%m-%d %H:%M}, "
            f"to: {last:%Y-%m-%d %H:%M}"
        )
        if rng.random() < 0.5:
            item += f", replaces: {rng.choice(in_level[level - 1])}"
        lines.append(item + "}")
    return "\n".join(lines) + "\n"


def generate(
    out: Path,
    *,
    teams: int = 200,
    levels: int = 3,
    rotations: int = 2,
    members: int = 8,
    years: int = 1,
    first_year: int = 2026,
    seed: int = 1,
) -> list[Path]:
    """Writes the roster into ``out`` (emptied first) and returns the files written."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # Per level, two people more than a rotation needs, so that its rotations differ.
    pool = members + 2
    size = 1 + levels * pool
    start = dt.date(first_year, 1, 1)
    written = []
    for index in range(teams):
        people = [f"p{index:03d}x{n:02d}" for n in range(size)]
        # A team's people and their leave live in its file (SPEC §1 allows any file): one
        # people.yaml for a large organisation would pass the loader's file-size limit.
        people_lines = ["phone_region: FR", "people:"]
        leave_lines = ["leave:"]
        for n, person in enumerate(people):
            phone = f', phone: "{_phone(rng)}"' if n % 2 == 0 else ""
            people_lines.append(f"  {person}: {{name: Personne {index}-{n}{phone}}}")
            periods = []
            for _ in range(2 * years):
                first = start + dt.timedelta(days=rng.randrange(365 * years))
                periods.append(f"{first} .. {first + dt.timedelta(days=rng.randrange(1, 10))}")
            leave_lines.append(f"  {person}: [{', '.join(periods)}]")
        text = team_file(
            rng,
            index,
            people,
            pool,
            levels=levels,
            rotations=rotations,
            members=members,
            first_year=first_year,
            years=years,
        )
        path = out / f"team-{index:03d}.yaml"
        path.write_text("\n".join(people_lines + leave_lines) + "\n" + text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--levels", type=int, default=3)
    parser.add_argument("--rotations", type=int, default=2, help="per level")
    parser.add_argument("--members", type=int, default=8, help="per rotation")
    parser.add_argument("--years", type=int, default=1, help="span of leave and overrides")
    parser.add_argument("--first-year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = generate(
        args.out,
        teams=args.teams,
        levels=args.levels,
        rotations=args.rotations,
        members=args.members,
        years=args.years,
        first_year=args.first_year,
        seed=args.seed,
    )
    print(f"{len(files)} files in {args.out}")


if __name__ == "__main__":
    main()
