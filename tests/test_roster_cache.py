"""The roster cache (load/cache.py, load/parts.py) and the plain `now` command line
(cli/fastpath.py): faster, never different. A changed file is never answered from the cache,
only what changed is read again, and `now` parsed without Typer says exactly what it says
through Typer."""

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
from astreinte_cli.load import cache, load_roster, parts
from astreinte_cli.model import index_leave
from astreinte_cli.safe_read import MAX_FILE_BYTES, UnreadableFile, read_roster_file

EXAMPLE = Path(__file__).parent.parent / "rosters"
TODAY = dt.date(2026, 12, 24)
CLI_DATA = Path(__file__).parent / "data" / "cli"
DATA = Path(__file__).parent / "data"
BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    folder = tmp_path / "rosters"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _refuse(*_args: object) -> Any:
    raise AssertionError("a roster file was read: the cache should have answered")


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("astreinte_cli.load.roster.load_roster", _refuse)
    monkeypatch.setattr(parts, "read_part", _refuse)


def test_second_load_comes_from_the_cache(roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cache.load_roster_cached(roster, TODAY)
    expected = load_roster(roster)
    _no_reading(monkeypatch)
    assert cache.load_roster_cached(roster, TODAY) == first == expected


def test_a_cached_roster_carries_its_leave_index(
    roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is made again as the cached roster is read back, from its leave."""
    cache.load_roster_cached(roster, TODAY)
    _no_reading(monkeypatch)
    cached = cache.load_roster_cached(roster, TODAY)
    assert cached.leave_by_person
    assert cached.leave_by_person == index_leave(cached.leave)


def test_a_changed_file_is_never_answered_from_the_cache(roster: Path) -> None:
    cache.load_roster_cached(roster, TODAY)
    path = roster / "people.yaml"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    # Same size, same modification time: only the content tells the change.
    path.write_text(text.replace("Alice Martin", "Alice Marton"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.load_roster_cached(roster, TODAY).people["alice"].name == "Alice Marton"


def test_an_added_file_changes_the_key(roster: Path) -> None:
    before = cache.load_roster_cached(roster, TODAY)
    (roster / "zz.yaml").write_text("leave:\n  alice: [2027-02-01 .. 2027-02-03]\n")
    after = cache.load_roster_cached(roster, TODAY)
    assert len(after.leave) == len(before.leave) + 1


def test_a_roster_validated_by_other_code_is_loaded_again(
    roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.load_roster_cached(roster, TODAY)
    monkeypatch.setattr(cache, "_source_stamp", lambda: "an edited working copy")
    cache.context.cache_clear()
    _no_reading(monkeypatch)
    try:
        with pytest.raises(AssertionError, match="cache should have answered"):
            cache.load_roster_cached(roster, TODAY)
    finally:
        cache.context.cache_clear()


def test_corrupt_or_foreign_entries_are_ignored(roster: Path) -> None:
    expected = cache.load_roster_cached(roster, TODAY)
    folder = cache.open_store().cache
    assert folder is not None
    entries = [name for name in folder.names() if name.startswith(("part-", "roster-"))]
    assert entries
    for name in entries:
        (folder.path / name).write_bytes(b"not an entry")
    assert cache.load_roster_cached(roster, TODAY) == expected


def test_an_invalid_roster_is_reported_and_not_cached(roster: Path) -> None:
    (roster / "people.yaml").write_text("people:\n  alice: {phone: '12'}\n", encoding="utf-8")
    for _attempt in range(2):  # the second run reports it again: nothing was stored
        with pytest.raises(RosterError) as raised:
            cache.load_roster_cached(roster, TODAY)
        assert any(d.span.path == str(roster / "people.yaml") for d in raised.value.diagnostics)


def test_the_cache_can_be_turned_off(roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTREINTE_CACHE", "off")
    cache.load_roster_cached(roster, TODAY)
    _no_reading(monkeypatch)
    with pytest.raises(AssertionError, match="cache should have answered"):
        cache.load_roster_cached(roster, TODAY)


def test_an_unwritable_cache_is_no_error(roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = roster.parent / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cache.load_roster_cached(roster, TODAY) == load_roster(roster)


# --------------------------------------------------------------------------- file by file


@pytest.mark.parametrize(
    "location",
    [
        EXAMPLE,
        CLI_DATA / "world",
        CLI_DATA / "gap",
        DATA / "feeds",
        DATA / "valid" / "split",
        DATA / "valid" / "single_file.yaml",
        DATA / "valid" / "bom.yaml",
        DATA / "report",
    ],
    ids=lambda p: p.name,
)
def test_reading_file_by_file_gives_the_roster_the_loader_gives(location: Path) -> None:
    from astreinte_cli.load.files import roster_files

    assert parts.load_by_parts(roster_files(location)) == load_roster(location)


def test_with_contacts_and_interventions_too(roster: Path) -> None:
    from astreinte_cli.load.files import roster_files

    shutil.copy(roster / "contacts.local.yaml.example", roster / "contacts.local.yaml")
    assert parts.load_by_parts(roster_files(roster)) == load_roster(roster)
    assert load_roster(roster).people["alice"].phone is not None
    assert load_roster(roster).interventions


@pytest.mark.parametrize(
    ("file", "edit"),
    [
        ("people.yaml", ("  bob: {", "  bobby: {")),  # a person a team names disappears
        ("people.yaml", ("  emma: {", "  alice: {")),  # a person defined twice
        ("exploitation.yaml", ("team: exploitation", "team: support")),  # a team twice
        ("interventions.yaml", ("team: support", "team: suport")),  # an unknown team
    ],
)
def test_parts_that_do_not_link_are_judged_by_the_loader(
    roster: Path, file: str, edit: tuple[str, str]
) -> None:
    """Each file is right alone, not together: the loader says what is wrong, as always."""
    cache.load_roster_cached(roster, TODAY)
    path = roster / file
    path.write_text(path.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    with pytest.raises(RosterError) as raised:
        cache.load_roster_cached(roster, TODAY)
    with pytest.raises(RosterError) as expected:
        load_roster(roster)
    assert raised.value.diagnostics == expected.value.diagnostics


def _generated(tmp_path: Path, teams: int = 6) -> Path:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    folder = tmp_path / "org"
    generate(folder, teams=teams, years=1)
    return folder


def test_only_the_changed_file_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One team's file edited: that file alone is read and validated again, the other teams
    come from the cache, and only that team's window is compiled again."""
    org = _generated(tmp_path)
    today = dt.date(2026, 6, 10)
    at = dt.datetime(2026, 6, 10, 22, tzinfo=dt.UTC)
    store = cache.open_store()
    # Read from scratch, the answers are compiled; the next run makes the week's windows.
    for _run in range(2):
        index = cache.open_index(org, store)
        before = {team: index.answer(team, at, today) for team, _zone in index.teams}
    edited = org / "team-003.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("name: Équipe 3", "name: Équipe trois"),
        encoding="utf-8",
    )
    read: list[Path] = []
    built: list[str] = []
    real_read, real_build = parts.read_part, cache.RosterIndex.team_roster
    monkeypatch.setattr(
        parts, "read_part", lambda path, *args: read.append(path) or real_read(path, *args)
    )

    def build(self: cache.RosterIndex, team: str) -> Any:
        built.append(team)
        return real_build(self, team)

    monkeypatch.setattr(cache.RosterIndex, "team_roster", build)
    index = cache.open_index(org, store)
    after = {team: index.answer(team, at, today) for team, _zone in index.teams}
    assert read == [edited]
    assert built == ["t003"]
    assert after["t003"].name == "Équipe trois"
    assert {t: a for t, a in after.items() if t != "t003"} == {
        t: a for t, a in before.items() if t != "t003"
    }
    assert index.roster() == load_roster(org)
    store.close()


def test_an_edited_file_imports_neither_library_when_it_needs_nothing_new(
    roster: Path, tmp_path: Path
) -> None:
    """Phone numbers and holiday calendars already seen are not judged again: reading one
    edited file imports neither ``phonenumbers`` nor ``holidays``."""
    code = (
        "import sys; from astreinte_cli.cli.entry import main; sys.argv = ['astreinte', 'now', "
        f"'--rosters', {str(roster)!r}, '--at', '+1h'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({'yaml', 'holidays', 'phonenumbers'} & set(sys.modules)))"
    )
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    first = _run(code, environment)
    assert "holidays" in first
    support = roster / "support.yaml"
    support.write_text(
        support.read_text(encoding="utf-8").replace("échange avec Chloé", "échange, Chloé"),
        encoding="utf-8",
    )
    assert _run(code, environment) == "['yaml']"  # the edited file, and nothing else


def _run(code: str, environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    return done.stdout.splitlines()[-1]


# --------------------------------------------------------------------------- hostile files


def test_the_size_is_checked_before_a_file_is_read_or_hashed(tmp_path: Path) -> None:
    """A sparse file of gigabytes is refused from its size: neither read nor hashed."""
    big = tmp_path / "rosters" / "big.yaml"
    big.parent.mkdir()
    with big.open("wb") as stream:
        stream.truncate(3 << 30)
    # The peak of this process's own memory (VmHWM), not ru_maxrss: that one survives exec and
    # reports the parent's size when the child was forked from a large pytest process.
    code = (
        "import sys; from pathlib import Path\n"
        "def peak_kib():\n"
        "    status = Path('/proc/self/status').read_text()\n"
        "    return int(status.split('VmHWM:')[1].split()[0])\n"
        "from astreinte_cli.load import cache\n"
        "from astreinte_cli.diagnostics import RosterError\n"
        f"assert cache.file_digest(Path({str(big)!r})) is None\n"
        "try:\n"
        "    import datetime\n"
        f"    cache.load_roster_cached(Path({str(big.parent)!r}), datetime.date(2026, 12, 24))\n"
        "except RosterError as error:\n"
        "    from astreinte_cli.diagnostics import format_diagnostic\n"
        "    print(format_diagnostic(error.diagnostics[0]), file=sys.stderr)\n"
        "print(peak_kib())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert int(done.stdout) < 300_000  # KiB: far from the 3 GiB of the file
    assert "is larger than 1024 KiB" in done.stderr
    with pytest.raises(UnreadableFile) as refused:
        read_roster_file(big)
    assert refused.value.reason == "too-large"


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "rosters.yaml"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFile) as refused:
        read_roster_file(fifo)
    assert refused.value.reason == "special"
    assert cache.file_digest(fifo) is None
    done = subprocess.run(
        [sys.executable, "-m", "astreinte_cli", "now", "--rosters", str(fifo)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert "not a roster: this is neither a folder nor a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"#" * MAX_FILE_BYTES)
    assert len(read_roster_file(path)) == MAX_FILE_BYTES


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


LIBRARIES = {"yaml", "holidays", "phonenumbers", "pydantic", "multiprocessing", "rich.console"}
LIBRARIES |= {"icalendar", "typer", "click"}
COMPILER = {"astreinte_cli.model", "astreinte_cli.compile", "astreinte_cli.query"}


@pytest.mark.parametrize(
    ("at", "unused"),
    [
        ("2026-12-26 03:00", LIBRARIES),  # outside this week's window: compiled
        ("+2h", LIBRARIES | COMPILER),  # inside: looked up, without the model
    ],
)
def test_a_cache_hit_imports_neither_yaml_nor_the_libraries(
    tmp_path: Path, at: str, unused: set[str]
) -> None:
    """Nor what other commands need: Typer and Click (their command lines), multiprocessing
    (show, export), Rich's console (a terminal; here stdout is a pipe); and an instant of the
    week's window not even the model or the compiler."""
    code = (
        "import sys; from astreinte_cli.cli.entry import main; sys.argv = ['astreinte', 'now', "
        f"'--rosters', {str(EXAMPLE)!r}, '--at', {at!r}];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(set({sorted(unused)!r}) & set(sys.modules)))"
    )
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    first = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    # A roster read from scratch compiles its answers; the next run makes the windows; from
    # then on the week is looked up.
    for _run in range(1 if at.startswith("+") else 0):
        subprocess.run(
            [sys.executable, "-c", code], env=environment, check=True, capture_output=True
        )
    second = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    assert "holidays" in first.stdout.splitlines()[-1]
    assert "typer" not in first.stdout.splitlines()[-1]  # nor when the roster is read anew
    assert "click" not in first.stdout.splitlines()[-1]
    assert second.stdout.splitlines()[-1] == "[]"
    if at.startswith("+"):  # relative to the clock: the runs differ by their instant
        return
    assert second.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]


def test_other_commands_read_the_whole_roster_and_its_holidays_from_the_cache(
    tmp_path: Path,
) -> None:
    """`show` on a cache hit reads the roster whole, with the holidays of the years around
    today: neither YAML nor the libraries."""
    code = (
        "import sys; from astreinte_cli.cli.entry import main; sys.argv = ['astreinte', 'show', "
        f"'--rosters', {str(EXAMPLE)!r}, '--json'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({'yaml', 'holidays', 'phonenumbers'} & set(sys.modules)))"
    )
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    assert "holidays" in _run(code, environment)
    assert _run(code, environment) == "[]"
