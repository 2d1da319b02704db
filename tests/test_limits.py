"""Bounded time and memory on extreme input: the limits are located errors or usage errors, and
what stays allowed is computed in time proportional to its size (the figures are in
``benchmarks/``; no test here times anything).

- ``every`` is at least 15 minutes; one command compiles at most 3660 days;
- a file's YAML aliases may add at most 100,000 values (a large file without aliases is fine);
- overrides are applied in one sweep, which gives what applying them one by one gives (who,
  the source, and why each is there: `now`'s detailed compilation);
- a blob of git history larger than a roster file may be is never read.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from gitrepo import ROSTER, Repo
from hypothesis import given
from hypothesis import strategies as st

from astreinte_cli.compile import Segment, Why, _apply_overrides, _overridden
from astreinte_cli.diagnostics import Collector, RosterError, Span
from astreinte_cli.history import find_repository
from astreinte_cli.load import load_roster
from astreinte_cli.load.yamlfile import MAX_FILE_BYTES, read_yaml
from astreinte_cli.model import Override
from astreinte_cli.timeline import PLAIN
from astreinte_cli.times import Period, WallTime

if TYPE_CHECKING:
    from conftest import Cli

TEAM = """\
people:
  alice: {name: Alice}
  bob: {name: Bob}
team: support
timezone: Europe/Paris
coverage: always
levels:
  - rotations:
      - members: [alice, bob]
        start: 2026-01-05 09:00
        every: %s
"""


@pytest.mark.parametrize("every", ["PT1S", "1m", "14m", "PT14M59S"])
def test_a_turn_shorter_than_15_minutes_is_refused(tmp_path: Path, every: str) -> None:
    path = tmp_path / "support.yaml"
    path.write_text(TEAM % every, encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        load_roster(path)
    [diagnostic] = refused.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (11, 16)
    assert diagnostic.message == "'every' is shorter than 15 minutes"
    assert diagnostic.hint == "a rotation hands over at most every 15 minutes"


def test_a_turn_of_15_minutes_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "support.yaml"
    path.write_text(TEAM % "15m", encoding="utf-8")
    assert load_roster(path).teams[0].levels[0].rotations[0].every == dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    "command",
    [["check"], ["show"], ["show", "--grid"], ["show", "--json"], ["export", "ics", "-o", "-"],
     ["export", "json", "-o", "-"], ["export", "csv", "-o", "-"]],
)  # fmt: skip
def test_a_range_longer_than_ten_years_is_a_usage_error(
    tmp_path: Path, cli: Cli, command: list[str]
) -> None:
    path = tmp_path / "support.yaml"
    path.write_text(TEAM % "1w", encoding="utf-8")
    result = cli(*command, "--rosters", str(path), "--from", "1900-01-01", "--to", "2999-12-31")
    assert result.code == 2
    assert result.stderr == (
        "error: the range from --from to --to is longer than 3660 days (10 years)\n"
        "hint: split it into several runs of at most 10 years\n"
    )


def test_ten_years_are_allowed(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "support.yaml"
    path.write_text(TEAM % "1w", encoding="utf-8")
    result = cli(
        "show", "--json", "--rosters", str(path), "--from", "2026-01-01", "--to", "2036-01-08"
    )
    assert result.code == 0, result.stderr
    assert len(result.json()["shifts"]) == 523  # weekly turns over 3659 days


def test_a_large_file_without_aliases_is_no_alias_bomb(tmp_path: Path) -> None:
    """Twelve thousand overrides (about 130,000 YAML values, under 1 MiB): no alias adds
    anything, so nothing is refused as an alias bomb."""
    entries = [
        f"  - {{level: 1, who: bob, from: 2026-02-{1 + i % 28:02d} 08:00, "
        f"to: 2026-02-{1 + i % 28:02d} 09:00, reason: r{i}}}"
        for i in range(12_000)
    ]
    text = TEAM % "1w" + "overrides:\n" + "\n".join(entries) + "\n"
    assert len(text.encode()) < MAX_FILE_BYTES
    path = tmp_path / "support.yaml"
    path.write_text(text, encoding="utf-8")
    collector = Collector()
    root = read_yaml(path, collector)
    assert collector.diagnostics == []
    assert root is not None
    assert len(root.value[-1][1].value) == 12_000


def test_what_aliases_add_is_counted(tmp_path: Path) -> None:
    lol = '["' + '","'.join(["lol"] * 9) + '"]'
    lines = [f"a: &a {lol}"]
    for level, name in enumerate("bcdef"):
        previous = "abcdef"[level]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    collector = Collector()
    assert read_yaml(path, collector) is None
    assert collector.diagnostics[0].message == (
        "YAML aliases add more than 100,000 values to this file"
    )


# --------------------------------------------------------------------------- overrides

BASE = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
PEOPLE = ("a", "b", "c", "d")


def _one_by_one(
    parts: list[Segment], overrides: list[tuple[Override, dt.datetime, dt.datetime]]
) -> list[Segment]:
    """The rule as SPEC §5.7 says it: each override, in file order, on the result of the ones
    before, cutting the parts at its bounds (what compile.py did before the sweep)."""
    for override, start, end in overrides:
        replaced: list[Segment] = []
        for part_start, part_end, who, source, why in parts:
            inside_start, inside_end = max(part_start, start), min(part_end, end)
            if inside_start >= inside_end:
                replaced.append((part_start, part_end, who, source, why))
                continue
            if part_start < inside_start:
                replaced.append((part_start, inside_start, who, source, why))
            replaced.append((inside_start, inside_end, *_overridden(override, who, source, why)))
            if inside_end < part_end:
                replaced.append((inside_end, part_end, who, source, why))
        parts = replaced
    return parts


def _states(parts: list[Segment]) -> list[tuple[dt.datetime, tuple[str, ...], str | None, Why]]:
    """The state at each hour: what a reader sees (who, the source, and why each is there, as
    `now` tells it), however the parts are cut."""
    hours = int((parts[-1][1] - parts[0][0]).total_seconds() // 3600)
    found = []
    for hour in range(hours):
        instant = parts[0][0] + dt.timedelta(hours=hour)
        part = next(p for p in parts if p[0] <= instant < p[1])
        found.append((instant, part[2], part[3], part[4]))
    return found


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[Segment], list[tuple[Override, dt.datetime, dt.datetime]]]:
    cuts = sorted(set(draw(st.lists(st.integers(1, 47), max_size=8))))
    parts: list[Segment] = []
    for first, last in itertools.pairwise([0, *cuts, 48]):
        who = tuple(draw(st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True)))
        # Why each is there, as a detailed compilation says it: in their own turn, standing
        # in for someone on leave, or on call despite their own leave.
        placement = st.sampled_from([PLAIN, ("d", None, False), (None, None, True)])
        why = draw(st.none() | st.tuples(*(placement for _ in who))) if who else None
        parts.append((BASE + dt.timedelta(hours=first), BASE + dt.timedelta(hours=last), who,
                      "rotation:r" if who else None, why))  # fmt: skip
    overrides = []
    for index in range(1, draw(st.integers(0, 8)) + 1):
        first = draw(st.integers(-4, 50))
        last = draw(st.integers(first + 1, 54))
        start, end = BASE + dt.timedelta(hours=first), BASE + dt.timedelta(hours=last)
        period = Period(WallTime(start.replace(tzinfo=None), dt.UTC),
                        WallTime(end.replace(tzinfo=None), dt.UTC))  # fmt: skip
        override = Override(
            index=index, level=1,
            who=tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2, unique=True))),
            period=period, replaces=draw(st.none() | st.sampled_from(PEOPLE)), reason=None,
            exceptional=False, span=Span("support.yaml", 1, 1),
        )  # fmt: skip
        overrides.append((override, max(start, BASE), min(end, BASE + dt.timedelta(hours=48))))
    return parts, [o for o in overrides if o[1] < o[2]]


@given(_case())
def test_the_sweep_applies_overrides_as_one_by_one_does(
    case: tuple[list[Segment], list[tuple[Override, dt.datetime, dt.datetime]]],
) -> None:
    parts, overrides = case
    assert _states(_apply_overrides(parts, overrides)) == _states(_one_by_one(parts, overrides))


# --------------------------------------------------------------------------- git history


def test_a_large_blob_in_history_is_never_read(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit(ROSTER, "2026-10-01T10:00:00+02:00")
    (repo.rosters / "blob.yaml").write_bytes(b"# " + b"x" * (3 << 20) + b"\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "a large file", date="2026-10-02T10:00:00+02:00")
    (repo.rosters / "blob.yaml").unlink()
    monkeypatch.chdir(repo.root)
    read: list[tuple[str, ...]] = []
    repository = find_repository(repo.rosters)
    assert repository is not None
    original = type(repository).git

    def recording(self: object, *args: str) -> bytes:
        data = original(self, *args)  # type: ignore[arg-type]
        if args[0] in ("cat-file", "show") and len(data) > MAX_FILE_BYTES:
            read.append(args)
        return data

    monkeypatch.setattr(type(repository), "git", recording)
    result = cli("diff", "HEAD", "--rosters", "rosters", "--at", "2026-12-11 12:00")
    assert result.code == 1
    assert "blob.yaml:1:1: error: the file is larger than 1024 KiB" in result.stderr
    assert read == []
