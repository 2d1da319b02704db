"""The store of the roster cache and the last valid roster (store.py): an entry never runs code
when it is read, only this user's own signed entries are used, and a folder that cannot be
used (someone else's, writable by others, a symlink, read-only, missing, full) is refused
without failing the command."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from astreinte_cli import store
from astreinte_cli.load import cache
from astreinte_cli.store import Folder, Store

EXAMPLE = Path(__file__).parent.parent / "rosters"
TODAY = dt.date(2026, 12, 24)
AT = "2026-12-24 20:00"


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A cache and a state folder of this test alone."""
    cache_home, state_home = tmp_path / "cache-home", tmp_path / "state-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.setenv("XDG_STATE_HOME", str(state_home))
    monkeypatch.delenv("ASTREINTE_CACHE", raising=False)
    return cache_home / "astreinte", state_home / "astreinte"


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    folder = tmp_path / "rosters"
    folder.mkdir()
    for path in EXAMPLE.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder


class _Planted:
    """A pickle that, if it were ever loaded, would create a file (and prove it ran)."""

    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.proof,))


def _now(roster: Path, *args: str, environment: dict[str, str] | None = None) -> Any:
    env = dict(os.environ) | (environment or {})
    env.pop("ASTREINTE_ROSTERS", None)
    return subprocess.run(
        [sys.executable, "-m", "astreinte_cli", "now", "--rosters", str(roster), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def _answer(roster: Path) -> Any:
    run = _now(roster, "--json", "--at", AT)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _plant_everywhere(folder: Path, proof: Path, *, sign: bytes | None = None) -> list[Path]:
    """Replaces every entry of ``folder`` with a planted pickle (signed with ``sign``, or
    with a wrong MAC), and adds one under a name the key of a part could have."""
    payload = pickle.dumps(_Planted(proof))
    planted = []
    names = [p.name for p in folder.iterdir() if p.name.startswith(("part-", "roster-", "facts-"))]
    for name in [*names, "part-" + "0" * 64]:
        if sign is not None:
            data = store.seal(sign, name, payload)
        else:
            data = store.MAGIC + b"\0" * 32 + payload
        (folder / name).write_bytes(data)
        planted.append(folder / name)
    return planted


# --------------------------------------------------------------------------- planted entries


def test_a_planted_entry_in_a_world_writable_cache_never_runs(
    homes: tuple[Path, Path], roster: Path, tmp_path: Path
) -> None:
    cache_dir, _state = homes
    expected = _answer(roster)
    proof = tmp_path / "ran"
    os.chmod(cache_dir, 0o777)  # a shared XDG_CACHE_HOME: others could write
    _plant_everywhere(cache_dir, proof)
    for entry in list(cache_dir.iterdir()):  # even one carrying this user's own MAC
        if entry.name.startswith("part-"):
            key = (homes[1] / "key").read_bytes()
            entry.write_bytes(store.seal(key, entry.name, pickle.dumps(_Planted(proof))))
    assert _answer(roster) == expected
    assert not proof.exists()
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o777  # refused, not taken over


@pytest.mark.parametrize("mac", ["wrong", "none"])
def test_a_planted_entry_in_the_users_own_cache_never_runs(
    homes: tuple[Path, Path], roster: Path, tmp_path: Path, mac: str
) -> None:
    cache_dir, _state = homes
    expected = _answer(roster)
    proof = tmp_path / "ran"
    planted = _plant_everywhere(cache_dir, proof)
    if mac == "none":  # a bare pickle, as the cache once stored them
        for path in planted:
            path.write_bytes(pickle.dumps(_Planted(proof)))
    assert _answer(roster) == expected
    assert not proof.exists()


def test_even_a_correctly_signed_entry_cannot_reach_code(
    homes: tuple[Path, Path], roster: Path, tmp_path: Path
) -> None:
    """With the key stolen, a forged entry still cannot run anything: the unpickler builds
    only the model's values."""
    cache_dir, state_dir = homes
    expected = _answer(roster)
    proof = tmp_path / "ran"
    _plant_everywhere(cache_dir, proof, sign=(state_dir / "key").read_bytes())
    assert _answer(roster) == expected
    assert not proof.exists()
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        store.loads(pickle.dumps(_Planted(proof)), cache.ALLOWED)


def test_what_entries_hold_is_what_the_unpickler_allows(roster: Path, homes: Any) -> None:
    """Every global the cache's pickles use is on the allow-list (else entries would never be
    read back), and nothing on the list runs code of an attacker's choosing."""
    from astreinte_cli.load.parts import read_part

    used: set[tuple[str, str]] = set()

    class Recording(set[tuple[str, str]]):
        def __contains__(self, item: object) -> bool:
            used.add(item)  # type: ignore[arg-type]
            return True

    for path in [*sorted(roster.glob("*.yaml")), Path(__file__).parent / "data/feeds/support.yaml"]:
        part = read_part(path)
        assert part is not None
        _interface, body = store.loads(cache.part_content(part), Recording())
        store.loads(body, Recording())
    assert used <= cache.ALLOWED
    modules = {module for module, _name in cache.ALLOWED}
    assert modules <= {
        "astreinte_cli.model", "astreinte_cli.times", "astreinte_cli.diagnostics",
        "astreinte_cli.load.parts", "astreinte_cli.load.interventions", "astreinte_cli.load.cache",
        "datetime", "decimal",
    }  # fmt: skip


def test_entries_of_another_user_are_ignored(homes: tuple[Path, Path], roster: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("changing a file's owner needs root")
    cache_dir, _state = homes
    expected = _answer(roster)
    assert _count_reads(roster) == 0  # the cache answers
    for entry in cache_dir.iterdir():
        os.chown(entry, 4242, 4242)
    assert _count_reads(roster) == len(list(roster.glob("*.yaml")))  # nothing of theirs used
    assert _answer(roster) == expected
    os.chown(cache_dir, 4242, 4242)  # their folder: refused whole
    assert Folder.open(cache_dir) is None
    assert _answer(roster) == expected


def _count_reads(roster: Path) -> int:
    """How many roster files a `now` reads (0 when the cache answers)."""
    code = (
        "import sys; from astreinte_cli.load import parts; calls = []\n"
        "real = parts.read_part\n"
        "parts.read_part = lambda p, *args: calls.append(p) or real(p, *args)\n"
        "from astreinte_cli.load.cache import load_roster_cached\n"
        "import datetime, pathlib\n"
        f"load_roster_cached(pathlib.Path({str(roster)!r}), datetime.date(2026, 12, 24))\n"
        "print(len(calls))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return int(run.stdout)


def test_a_symlinked_entry_is_not_followed(homes: tuple[Path, Path], roster: Path) -> None:
    cache_dir, _state = homes
    expected = _answer(roster)
    elsewhere = cache_dir.parent / "elsewhere"
    elsewhere.mkdir()
    for entry in list(cache_dir.iterdir()):
        if entry.name.startswith("roster-"):
            target = elsewhere / entry.name
            entry.rename(target)
            entry.symlink_to(target)
            assert Folder.open(cache_dir) is not None
            folder = Folder.open(cache_dir)
            assert folder is not None
            assert folder.read(entry.name, 1 << 20) is None
    assert _answer(roster) == expected


def test_a_fifo_at_an_entry_is_skipped_not_waited_on(
    homes: tuple[Path, Path], roster: Path
) -> None:
    cache_dir, state_dir = homes
    expected = _answer(roster)
    for folder in (cache_dir, state_dir):
        for entry in list(folder.iterdir()):
            if entry.name.startswith(("roster-", "part-", "last-", "valid-", "facts-")):
                entry.unlink()
                os.mkfifo(entry)
    assert _answer(roster) == expected  # within the subprocess timeout


def test_a_relative_xdg_cache_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")
    assert store.cache_path() == tmp_path / "home" / ".cache" / "astreinte"
    assert store.state_path() == tmp_path / "home" / ".local" / "state" / "astreinte"
    monkeypatch.chdir(tmp_path)
    opened = Store.open()
    assert opened.cache is not None
    assert opened.state is not None
    assert not (tmp_path / "relative").exists()
    opened.close()


def test_folders_are_made_0700_and_the_key_0600(homes: tuple[Path, Path], roster: Path) -> None:
    cache_dir, state_dir = homes
    _answer(roster)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((state_dir / "key").stat().st_mode) == 0o600
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in cache_dir.iterdir())


def test_a_folder_readable_by_others_is_made_private(homes: tuple[Path, Path]) -> None:
    cache_dir, _state = homes
    cache_dir.mkdir(parents=True)
    os.chmod(cache_dir, 0o755)
    folder = Folder.open(cache_dir)
    assert folder is not None
    folder.close()
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


# --------------------------------------------------------------------------- unusable folders


def _works_without_cache(roster: Path, expected: Any) -> None:
    run = _now(roster, "--json", "--at", AT)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == expected
    assert run.stderr == ""


def test_a_symlinked_cache_folder_is_refused(homes: tuple[Path, Path], roster: Path) -> None:
    cache_dir, _state = homes
    expected = _answer(roster)
    real = cache_dir.parent / "real"
    cache_dir.rename(real)
    cache_dir.symlink_to(real)
    assert Folder.open(cache_dir) is None
    _works_without_cache(roster, expected)


def test_a_missing_cache_folder_that_cannot_be_made(
    homes: tuple[Path, Path], roster: Path, tmp_path: Path
) -> None:
    expected = _answer(roster)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    run = _now(roster, "--json", "--at", AT, environment={"XDG_CACHE_HOME": str(blocker)})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == expected
    run = _now(roster, "--json", "--at", AT, environment={"XDG_STATE_HOME": str(blocker)})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == expected


def test_a_read_only_cache_folder(homes: tuple[Path, Path], roster: Path, tmp_path: Path) -> None:
    cache_dir, _state = homes
    expected = _answer(roster)
    shutil.rmtree(cache_dir)
    if os.geteuid() != 0:
        cache_dir.mkdir(mode=0o500)
        _works_without_cache(roster, expected)
        assert list(cache_dir.iterdir()) == []
        return
    # Root writes into any folder: a read-only file system instead (a tmpfs remounted so).
    mount = tmp_path / "read-only"
    mount.mkdir()
    if _mount(mount, "size=1m") is not None:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mount / "astreinte").mkdir(mode=0o700)
        if _mount(mount, "remount,ro") is not None:
            pytest.skip("cannot remount the tmpfs read-only")
        run = _now(roster, "--json", "--at", AT, environment={"XDG_CACHE_HOME": str(mount)})
        assert run.returncode == 0, run.stderr
        assert (json.loads(run.stdout), run.stderr) == (expected, "")
        assert list((mount / "astreinte").iterdir()) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _mount(folder: Path, options: str) -> str | None:
    """Mounts a tmpfs on ``folder`` (or changes its options); None, or why it failed."""
    if shutil.which("mount") is None:
        return "no mount"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return None if done.returncode == 0 else done.stderr.decode().strip() or "mount failed"


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EDQUOT])
def test_writes_that_fail_leave_nothing_and_break_nothing(
    homes: tuple[Path, Path], roster: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """A read-only file system, a full disk or quota: every write fails; the answer does not,
    and no half-written file stays."""
    cache_dir, state_dir = homes
    cache_dir.mkdir(parents=True, mode=0o700)
    state_dir.mkdir(parents=True, mode=0o700)
    real_write = os.write

    def failing(descriptor: int, data: Any) -> int:
        if descriptor > 2:
            raise OSError(code, os.strerror(code))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", failing)
    from astreinte_cli.load import load_roster

    assert cache.load_roster_cached(roster, TODAY) == load_roster(roster)
    assert [p.name for p in cache_dir.iterdir()] == []
    assert [p.name for p in state_dir.iterdir()] == []


def test_a_full_tmpfs(roster: Path, tmp_path: Path) -> None:
    """A real full file system (a 64 KiB tmpfs, where root can mount one)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "full"
    mount.mkdir()
    failure = _mount(mount, "size=64k")
    if failure is not None:
        pytest.skip(f"cannot mount a tmpfs here: {failure}")
    try:
        (mount / "filler").write_bytes(b"\0" * (60 << 10))
        environment = {"XDG_CACHE_HOME": str(mount), "XDG_STATE_HOME": str(mount / "state")}
        run = _now(roster, "--json", "--at", AT, environment=environment)
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        assert not list(mount.rglob("*.tmp"))
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_without_a_key_nothing_is_stored_or_read(homes: tuple[Path, Path], roster: Path) -> None:
    cache_dir, state_dir = homes
    state_dir.mkdir(parents=True, mode=0o700)
    (state_dir / "key").write_bytes(b"short")
    os.chmod(state_dir / "key", 0o644)  # readable by others: not a secret
    opened = Store.open()
    assert opened.key is None
    assert opened.cache is None
    assert opened.state is None
    opened.close()
    from astreinte_cli.load import load_roster

    assert cache.load_roster_cached(roster, TODAY) == load_roster(roster)
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []
