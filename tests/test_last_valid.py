"""`now` never blind (load/last_valid.py): when the roster does not load, `now` answers from the
last valid roster loaded from the same path — a red banner, the errors on stderr, ``stale`` in
JSON, exit 4 (3 when that answer has a gap) — and every other command stays strict."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load.last_valid import MAX_PACKS, load_or_last_valid
from astreinte_cli.store import Store

if TYPE_CHECKING:
    from conftest import Cli

EXAMPLE = Path(__file__).parent.parent / "rosters"
CLI_DATA = Path(__file__).parent / "data" / "cli"
AT = ("--at", "2026-12-24 20:00")

# (file, what the typo replaces, by what, how many errors it makes)
TYPOS = {
    "interventions log": ("interventions.yaml", "travel: 30", "travl: 30", 1),
    "contacts.local.yaml": ("contacts.local.yaml", '"06 23 45 67 89"', '"06 23"', 1),
    "another team's file": ("exploitation.yaml", "Europe/Paris", "Europe/Pariss", 1),
    "the asked team's file": ("support.yaml", "who: bob", "who: bobb", 1),
}


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    """The example roster, with its contacts file."""
    folder = tmp_path / "rosters"
    folder.mkdir()
    for path in EXAMPLE.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    shutil.copy(EXAMPLE / "contacts.local.yaml.example", folder / "contacts.local.yaml")
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("typo", TYPOS)
def test_a_typo_anywhere_answers_from_the_last_valid_roster(
    cli: Cli, roster: Path, now_schema: Any, typo: str
) -> None:
    file, old, new, count = TYPOS[typo]
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    fresh = cli("now", "--rosters", str(roster), "--team", "support", "--json", *AT)
    fresh_text = cli("now", "--rosters", str(roster), "--team", "support", *AT)
    after = dt.datetime.now(dt.UTC)
    assert (fresh.code, fresh_text.code) == (0, 0), fresh.stderr
    assert "stale" not in fresh.json()

    _edit(roster / file, old, new)
    stale = cli("now", "--rosters", str(roster), "--team", "support", "--json", *AT)
    assert stale.code == 4
    document = stale.json()
    now_schema.validate(document)
    assert document.pop("stale")["errors"] == count
    assert document == fresh.json()  # the right people: those of the last valid roster
    loaded = dt.datetime.fromisoformat(stale.json()["stale"]["roster_loaded"])
    assert before <= loaded <= after
    # The errors, located as always, on stderr; a last line that says what was done.
    assert re.search(rf"{re.escape(file)}:\d+:\d+: error: ", stale.stderr)
    assert stale.stderr.rstrip().endswith(f"{count} error: answering from the last valid roster")

    text = cli("now", "--rosters", str(roster), "--team", "support", *AT)
    assert text.code == 4
    first, second, blank, *rest = text.stdout.splitlines()
    assert re.fullmatch(rf"⚠  the roster has {count} error since \w+ \d\d \w+ \d\d:\d\d:", first)
    assert re.fullmatch(
        r"   answering from the version loaded \w+ \d\d \w+ \d\d:\d\d; run `astreinte check`",
        second,
    )
    assert blank == ""
    assert rest == fresh_text.stdout.splitlines()

    # Every other command stays strict.
    for command in (("show", "--json"), ("check",), ("report", "--month", "2026-12")):
        assert cli(*command, "--rosters", str(roster)).code == 1, command

    _edit(roster / file, new, old)
    fixed = cli("now", "--rosters", str(roster), "--team", "support", "--json", *AT)
    assert fixed.code == 0, fixed.stderr
    assert fixed.stderr == ""
    assert fixed.json() == fresh.json()


@pytest.mark.parametrize("cache", ["on", "off"])
@pytest.mark.parametrize("hostile", ["a link out of the folder", "a sparse file of 3 GB"])
def test_a_hostile_file_is_refused_and_now_answers_from_the_last_valid_roster(
    cli: Cli, roster: Path, tmp_path: Path, hostile: str, cache: str
) -> None:
    """A file the loader refuses unread (a link to a file outside the roster folder, a file
    over the size limit) is a roster error like any other: located on stderr, never quoted,
    and `now` answers from the last valid roster, the cache on or off."""
    environment = {"ASTREINTE_CACHE": cache}
    fresh = cli(
        "now", "--rosters", str(roster), "--team", "support", "--json", *AT, env=environment
    )
    assert fresh.code == 0, fresh.stderr
    if hostile == "a link out of the folder":
        # A valid roster file: were the link followed, the roster would load (exit 0).
        secret = tmp_path / "secret.yaml"
        secret.write_text("people:\n  eve: {name: SECRET-MUST-NOT-LEAK}\n", encoding="utf-8")
        (roster / "leak.yaml").symlink_to(secret)
        later = dt.datetime(2030, 1, 2, tzinfo=dt.UTC).timestamp()
        os.utime(secret, (later, later))  # the target's time is not when the roster broke
        expected = "leak.yaml:1:1: error: this file is a symbolic link to a file outside"
    else:
        with (roster / "big.yaml").open("wb") as stream:
            stream.truncate(3 << 30)
        expected = "big.yaml:1:1: error: the file is larger than 1024 KiB"
    for form in (("--json",), ()):
        run = cli("now", "--rosters", str(roster), "--team", "support", *form, *AT, env=environment)
        assert run.code == 4, run.stderr
        assert expected in run.stderr
        assert "SECRET" not in run.stdout + run.stderr
        assert "2030" not in run.stdout
    stale = cli(
        "now", "--rosters", str(roster), "--team", "support", "--json", *AT, env=environment
    )
    document = stale.json()
    assert document.pop("stale")["errors"] == 1
    assert document == fresh.json()


def test_a_roster_folder_linked_from_elsewhere_is_refused_even_with_a_warm_cache(
    cli: Cli, roster: Path, tmp_path: Path
) -> None:
    """The cache answers only for what the loader reads: the same files, now behind a link to
    a folder outside the one that holds it, are refused (exit 4 from the last valid roster)."""
    here = tmp_path / "here"
    here.mkdir()
    roster.rename(here / "rosters")
    roster = here / "rosters"
    assert cli("now", "--rosters", str(roster), "--json", *AT).code == 0
    assert cli("now", "--rosters", str(roster), "--json", *AT).code == 0  # from the cache
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    roster.rename(elsewhere / "rosters")
    roster.symlink_to(elsewhere / "rosters")  # outside `here`, the folder that holds the link
    run = cli("now", "--rosters", str(roster), "--json", *AT)
    assert run.code == 4, run.stderr
    assert "error: the roster folder is a symbolic link to a folder outside" in run.stderr


def test_the_banner_says_since_when_and_from_which_version(cli: Cli, roster: Path) -> None:
    assert cli("now", "--rosters", str(roster), *AT).code == 0
    support = roster / "support.yaml"
    _edit(support, "who: bob", "who: bobb")
    edited = dt.datetime(2030, 1, 2, 17, 45, tzinfo=dt.UTC).timestamp()  # after the load
    os.utime(support, (edited, edited))
    run = cli("now", "--rosters", str(roster), "--team", "support", *AT)
    assert run.code == 4
    first = run.stdout.splitlines()[0]
    assert first == "⚠  the roster has 1 error since Wed 02 Jan 2030 18:45:"  # another year


def test_a_gap_in_the_stale_answer_still_exits_3(cli: Cli, tmp_path: Path) -> None:
    gap = tmp_path / "gap"
    shutil.copytree(CLI_DATA / "gap", gap)
    at = ("--at", "2026-06-11 22:00")
    assert cli("now", "--rosters", str(gap), "--json", *at).code == 3
    _edit(gap / "ops.yaml", "timezone: Europe/Paris", "timezone: Europe/Parris")
    run = cli("now", "--rosters", str(gap), "--json", *at)
    assert run.code == 3
    assert run.json()["stale"]["errors"] == 1


def test_without_a_last_valid_roster_the_errors_stand(cli: Cli, roster: Path) -> None:
    _edit(roster / "support.yaml", "who: bob", "who: bobb")
    run = cli("now", "--rosters", str(roster), "--json", *AT)
    assert run.code == 1
    assert run.stdout == ""
    assert "1 error: the roster was not used" in run.stderr


def test_the_last_valid_roster_is_that_of_the_same_path(
    cli: Cli, roster: Path, tmp_path: Path
) -> None:
    assert cli("now", "--rosters", str(roster), *AT).code == 0
    other = tmp_path / "other"
    shutil.copytree(roster, other)
    _edit(other / "support.yaml", "who: bob", "who: bobb")
    assert cli("now", "--rosters", str(other), *AT).code == 1
    _edit(roster / "support.yaml", "who: bob", "who: bobb")
    assert cli("now", "--rosters", str(roster), *AT).code == 4


def test_a_newer_valid_roster_replaces_the_last_one(cli: Cli, roster: Path) -> None:
    assert cli("now", "--rosters", str(roster), *AT).code == 0
    _edit(roster / "support.yaml", "who: bob", "who: alice")  # valid: Alice takes Christmas
    newer = cli("now", "--rosters", str(roster), "--team", "support", "--json", *AT)
    assert newer.code == 0
    _edit(roster / "support.yaml", "who: alice", "who: alicia")
    stale = cli("now", "--rosters", str(roster), "--team", "support", "--json", *AT)
    assert stale.code == 4
    assert [p["id"] for p in stale.json()["teams"][0]["levels"][1]["on_call"]] == ["alice"]


@pytest.mark.parametrize("cache", ["on", "off"])
def test_in_a_real_process_and_with_the_cache_off(roster: Path, cache: str) -> None:
    """The last valid roster is not a cache: ``ASTREINTE_CACHE=off`` keeps it."""
    environment = dict(os.environ, ASTREINTE_CACHE=cache)
    environment.pop("ASTREINTE_ROSTERS", None)
    command = [sys.executable, "-m", "astreinte_cli", "now", "--rosters", str(roster), "--json"]
    fresh = subprocess.run(
        [*command, *AT], capture_output=True, text=True, env=environment, check=False
    )
    assert fresh.returncode == 0, fresh.stderr
    _edit(roster / "interventions.yaml", "travel: 30", "travl: 30")
    stale = subprocess.run(
        [*command, *AT], capture_output=True, text=True, env=environment, check=False
    )
    assert stale.returncode == 4, stale.stderr
    document = json.loads(stale.stdout)
    assert document.pop("stale")["errors"] == 1
    assert document == json.loads(fresh.stdout)


def test_the_function_other_commands_use(roster: Path) -> None:
    """``load_or_last_valid``: the roster and None, or the last valid roster and why."""
    fresh, stale = load_or_last_valid(roster)
    assert stale is None
    _edit(roster / "people.yaml", "  bob: {", "  bobby: {")
    again, stale = load_or_last_valid(roster)
    assert stale is not None
    assert again == fresh
    assert stale.errors == len(stale.error.diagnostics) > 0
    assert stale.roster_loaded <= stale.broken_since <= dt.datetime.now(dt.UTC)
    empty = roster.parent / "never-valid"
    empty.mkdir()
    (empty / "a.yaml").write_text("team: [\n", encoding="utf-8")
    with pytest.raises(RosterError):
        load_or_last_valid(empty)


def test_a_last_valid_roster_whose_entries_went_missing_is_none(
    cli: Cli, roster: Path, tmp_path: Path
) -> None:
    assert cli("now", "--rosters", str(roster), *AT).code == 0
    state = Path(os.environ["XDG_STATE_HOME"]) / "astreinte"
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "astreinte"
    _edit(roster / "support.yaml", "who: bob", "who: bobb")
    assert cli("now", "--rosters", str(roster), *AT).code == 4
    for folder, kept in ((state, "valid-*"), (cache, "part-*")):
        for entry in folder.glob(kept):
            entry.unlink()
    run = cli("now", "--rosters", str(roster), *AT)
    assert run.code == 1  # the errors stand, told as always
    assert run.stdout == ""
    assert "unknown person 'bobb'" in run.stderr
    assert "Traceback" not in run.stderr


def test_entries_that_go_missing_are_read_again(cli: Cli, roster: Path) -> None:
    first = cli("now", "--rosters", str(roster), "--json", *AT)
    assert cli("now", "--rosters", str(roster), "--json", *AT).json() == first.json()
    for folder in (os.environ["XDG_STATE_HOME"], os.environ["XDG_CACHE_HOME"]):
        for entry in (Path(folder) / "astreinte").glob("part-*"):
            entry.unlink()
    again = cli("now", "--rosters", str(roster), "--json", *AT)
    assert (again.code, again.stderr) == (0, "")
    assert again.json() == first.json()


def test_edit_after_edit_the_last_valid_roster_stays_whole(cli: Cli, tmp_path: Path) -> None:
    """Each valid roster keeps only the parts the one before did not hold; after many edits
    of different files, they are gathered again. Broken at the end, `now` still answers with
    the last valid roster, whole."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    org = tmp_path / "org"
    generate(org, teams=12, years=1)
    args = ("now", "--rosters", str(org), "--json", "--at", "2026-06-10 22:00")
    for team in range(11):
        path = org / f"team-{team:03d}.yaml"
        _edit(path, f"name: Équipe {team}\n", f"name: Équipe {team} bis\n")
        fresh = cli(*args)
        assert fresh.code in (0, 3), fresh.stderr
    state = Path(os.environ["XDG_STATE_HOME"]) / "astreinte"
    assert len(list(state.glob("valid-*"))) > 1  # one file per edit, each holding one part
    store = Store.open()
    packs = [store.read(store.state, path.name, limit=1 << 30) for path in state.glob("valid-*")]
    store.close()
    assert max(len(set(pack["elsewhere"].values())) for pack in packs) <= MAX_PACKS
    assert any(len(pack["parts"]) == 1 for pack in packs)  # an edit kept one part
    assert sum(len(pack["parts"]) == 12 for pack in packs) >= 2  # the first, and a gathering
    _edit(org / "team-011.yaml", "timezone: ", "timezone: Mars/")
    stale = cli(*args)
    document = stale.json()
    assert document.pop("stale")["errors"] == 1
    assert document == fresh.json()
