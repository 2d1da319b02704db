"""The roster cache (load/cache.py) and the plain `now` command line (cli/fastpath.py): faster,
never different. A changed file is never answered from the cache, and `now` parsed without Typer
says exactly what it says through Typer."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from astreinte_cli.cli.fastpath import plain_arguments
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load import cache, load_roster
from astreinte_cli.model import index_leave

EXAMPLE = Path(__file__).parent.parent / "rosters"
CLI_DATA = Path(__file__).parent / "data" / "cli"
TODAY = dt.date(2026, 12, 24)


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    folder = tmp_path / "rosters"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _refuse(location: Path) -> Any:
    raise AssertionError(f"load_roster({location}) called: the cache should have answered")


def test_second_load_comes_from_the_cache(roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cache.load_roster_cached(roster, "en", TODAY)
    monkeypatch.setattr("astreinte_cli.load.load_roster", _refuse)
    assert cache.load_roster_cached(roster, "en", TODAY) == first == load_roster(roster)


def test_a_cached_roster_carries_its_leave_index(
    roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is made again as the cached roster is read back, from its leave."""
    cache.load_roster_cached(roster, "en", TODAY)
    monkeypatch.setattr("astreinte_cli.load.load_roster", _refuse)
    cached = cache.load_roster_cached(roster, "en", TODAY)
    assert cached.leave_by_person
    assert cached.leave_by_person == index_leave(cached.leave)


def test_a_changed_file_is_never_answered_from_the_cache(roster: Path) -> None:
    cache.load_roster_cached(roster, "en", TODAY)
    path = roster / "people.yaml"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    # Same size, same modification time: only the content tells the change.
    path.write_text(text.replace("Alice Martin", "Alice Marton"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.load_roster_cached(roster, "en", TODAY).people["alice"].name == "Alice Marton"


def test_an_added_file_changes_the_key(roster: Path) -> None:
    before = cache.load_roster_cached(roster, "en", TODAY)
    (roster / "zz.yaml").write_text("leave:\n  alice: [2027-02-01 .. 2027-02-03]\n")
    after = cache.load_roster_cached(roster, "en", TODAY)
    assert len(after.leave) == len(before.leave) + 1


def test_a_roster_validated_by_other_code_is_loaded_again(
    roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.load_roster_cached(roster, "en", TODAY)
    monkeypatch.setattr(cache, "_source_stamp", lambda: "an edited working copy")
    monkeypatch.setattr("astreinte_cli.load.load_roster", _refuse)
    with pytest.raises(AssertionError, match="cache should have answered"):
        cache.load_roster_cached(roster, "en", TODAY)


def test_corrupt_or_foreign_entries_are_ignored(roster: Path) -> None:
    expected = cache.load_roster_cached(roster, "en", TODAY)
    entries = list(cache.cache_dir().glob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    assert cache.load_roster_cached(roster, "en", TODAY) == expected


def test_an_invalid_roster_is_reported_and_not_cached(roster: Path) -> None:
    (roster / "people.yaml").write_text("people:\n  alice: {phone: '12'}\n", encoding="utf-8")
    for _attempt in range(2):  # the second run reports it again: nothing was stored
        with pytest.raises(RosterError) as raised:
            cache.load_roster_cached(roster, "en", TODAY)
        assert any(d.span.path == str(roster / "people.yaml") for d in raised.value.diagnostics)


def test_the_cache_can_be_turned_off(roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTREINTE_CACHE", "off")
    cache.load_roster_cached(roster, "en", TODAY)
    monkeypatch.setattr("astreinte_cli.load.load_roster", _refuse)
    with pytest.raises(AssertionError, match="cache should have answered"):
        cache.load_roster_cached(roster, "en", TODAY)


def test_an_unwritable_cache_is_no_error(roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = roster.parent / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cache.load_roster_cached(roster, "en", TODAY) == load_roster(roster)


# --------------------------------------------------------------------------- plain `now`


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["now"], {"rosters": Path("rosters"), "team": None}),
        (
            ["now", "--rosters", "r", "--team", "a", "--team=b", "--at=+2h", "--tz", "UTC"],
            {"rosters": Path("r"), "team": ["a", "b"], "at": "+2h", "tz": "UTC"},
        ),
        (["now", "--json"], {"rosters": Path("rosters"), "team": None, "as_json": True}),
        (["show"], None),
        (["--lang", "fr", "now"], None),
        (["now", "--help"], None),
        (["now", "--at"], None),  # missing value: Typer says so
        (["now", "--at", "-30m"], None),  # a value like an option: Typer decides
        (["now", "--rosters="], None),
        (["now", "--jsn"], None),
        (["now", "extra"], None),
    ],
)
def test_plain_now_command_lines(argv: list[str], expected: dict[str, Any] | None) -> None:
    assert plain_arguments(argv) == expected


def _astreinte(
    *args: str, cache_home: Path, language: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("ASTREINTE_ROSTERS", "ASTREINTE_CACHE")
    }
    environment |= {"XDG_CACHE_HOME": str(cache_home), "COLUMNS": "100"}
    if language is not None:
        environment["LANG"] = language
    return subprocess.run(
        [sys.executable, "-m", "astreinte_cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--rosters", str(EXAMPLE), "--at", "2026-12-24 20:00"],
        ["--rosters", str(EXAMPLE), "--at=2026-12-26T03:00+01:00", "--team", "support", "--json"],
        ["--rosters", str(EXAMPLE), "--at", "2026-12-24 20:00", "--team", "nope"],
        ["--rosters", str(EXAMPLE), "--at", "never"],
        ["--rosters", str(EXAMPLE / "missing")],
        ["--rosters", str(CLI_DATA / "gap"), "--at", "2026-06-13 22:00"],  # exit 3
        ["--rosters", str(CLI_DATA / "gap"), "--at", "2026-06-11 22:00", "--json"],
        ["--rosters", str(CLI_DATA / "invalid")],
        ["--rosters", str(EXAMPLE), "--tz", "Europe/Pariss"],
    ],
)
@pytest.mark.parametrize(("language", "lang"), [(None, "en"), ("fr_FR.UTF-8", "fr")])
def test_plain_now_says_what_typer_says(
    args: list[str], language: str | None, lang: str, tmp_path: Path
) -> None:
    plain = _astreinte("now", *args, cache_home=tmp_path, language=language)
    plain_cached = _astreinte("now", *args, cache_home=tmp_path, language=language)
    through_typer = _astreinte("--lang", lang, "now", *args, cache_home=tmp_path / "other")
    for run in (plain, plain_cached):
        assert (run.returncode, run.stdout, run.stderr) == (
            through_typer.returncode,
            through_typer.stdout,
            through_typer.stderr,
        )


def test_a_cache_hit_imports_neither_yaml_nor_the_libraries(tmp_path: Path) -> None:
    """Nor what other commands need: Typer and Click (their command lines), multiprocessing
    (show, export), Rich's console (a terminal; here stdout is a pipe)."""
    code = (
        "import sys; from astreinte_cli.cli.entry import main; sys.argv = ['astreinte', 'now', "
        f"'--rosters', {str(EXAMPLE)!r}, '--at', '2026-12-26 03:00'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({'yaml', 'holidays', 'phonenumbers', 'pydantic', 'multiprocessing',"
        " 'rich.console', 'icalendar', 'typer', 'click'} & set(sys.modules)))"
    )
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    first = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    second = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    assert "holidays" in first.stdout.splitlines()[-1]
    assert "typer" not in first.stdout.splitlines()[-1]  # nor when the roster is read anew
    assert "click" not in first.stdout.splitlines()[-1]
    assert second.stdout.splitlines()[-1] == "[]"
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]
