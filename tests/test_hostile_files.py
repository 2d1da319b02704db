"""Files that astreinte writes, under hostile or careless conditions: a killed `publish`, secret
feed addresses steered into the published folder, `init` in a folder with links, FIFOs and a
.gitignore that is not UTF-8. Nothing is written where it should not be, nothing private is
left readable, nothing hangs.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Cli

from astreinte_cli import atomic
from astreinte_cli.export import publish as publishing

FEEDS = Path(__file__).parent / "data" / "feeds"
AT = "2026-12-24T20:00+01:00"
SECRET = "test-secret-0123456789abcdef"


def publish_args(target: Path, *extra: str) -> list[str]:
    return ["publish", str(target), "--rosters", str(FEEDS), "--at", AT, "--secret", SECRET,
            "--team", "noc", *extra]  # fmt: skip


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- publish


def _killed_publish(target: Path, when: str) -> None:
    """A `publish` killed (SIGKILL: no clean-up can run) while it writes its files
    (``when`` "building"), or just after the swap, before the previous publication is
    removed ("swapped")."""
    child = os.fork()
    if child == 0:  # pragma: no cover (the child never returns)
        try:
            from typer.testing import CliRunner

            from astreinte_cli.cli.app import app

            if when == "building":
                real = publishing.write_content
                count = [0]

                def write(stream: object, content: atomic.Content) -> None:
                    count[0] += 1
                    if count[0] == 3:
                        os.kill(os.getpid(), signal.SIGKILL)
                    real(stream, content)  # type: ignore[arg-type]

                publishing.write_content = write  # type: ignore[assignment]
            else:
                swap = atomic._swap

                def swap_then_die(staging: Path, directory: Path) -> None:
                    swap(staging, directory)
                    os.kill(os.getpid(), signal.SIGKILL)

                atomic._swap = swap_then_die  # type: ignore[assignment]
            CliRunner().invoke(app, publish_args(target))
        finally:
            os._exit(3)
    _pid, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL


def _staging(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if p.name.startswith(".site."))


@pytest.mark.parametrize("when", ["building", "swapped"])
def test_a_killed_publish_is_cleaned_up_by_the_next(tmp_path: Path, cli: Cli, when: str) -> None:
    target = tmp_path / "site"
    assert cli(*publish_args(target)).code == 0
    _killed_publish(target, when)
    [left] = _staging(tmp_path)
    if when == "building":  # files half written, in a private folder
        assert mode(left) == 0o700
    else:  # the previous publication, person feeds included
        assert any((left / "people").glob("*.ics"))
    (tmp_path / ".site.new-notours").mkdir()  # a folder that is not a staging folder of ours
    result = cli(*publish_args(target))
    assert result.code == 0, result.stderr
    assert [p.name for p in _staging(tmp_path)] == [".site.new-notours"]
    assert mode(target) == 0o755  # served as before


def test_a_staging_folder_being_filled_is_left_alone(tmp_path: Path, cli: Cli) -> None:
    """Another `publish` still writing its staging folder holds its marker locked."""
    live = tmp_path / ".site.new-live"
    live.mkdir(mode=0o700)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)\n",
         str(live / publishing.MARKER)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"held\n"
        assert cli(*publish_args(tmp_path / "site")).code == 0
        assert live.is_dir()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert atomic.remove_stale_staging(tmp_path / "site", publishing.MARKER) == [live]


def test_the_staging_folder_is_private_while_it_is_filled(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real = publishing.write_content

    def write(stream: object, content: atomic.Content) -> None:
        seen.append(mode(Path(stream.name).parents[2]))  # type: ignore[attr-defined]
        real(stream, content)  # type: ignore[arg-type]

    monkeypatch.setattr(publishing, "write_content", write)
    assert cli(*publish_args(tmp_path / "site")).code == 0
    assert seen[0] == 0o700  # teams/noc/team.ics: in the staging folder


@pytest.mark.parametrize("how", ["dotdot", "link", "linked-folder"])
def test_person_links_are_never_written_into_the_published_folder(
    tmp_path: Path, cli: Cli, how: str
) -> None:
    target = tmp_path / "site"
    assert cli(*publish_args(target)).code == 0
    (tmp_path / "x").mkdir()
    if how == "dotdot":
        links = tmp_path / "x" / ".." / "site" / "l.json"
    elif how == "link":
        links = tmp_path / "l.json"
        links.symlink_to(target / "l.json")
    else:
        (tmp_path / "into").symlink_to(target)
        links = tmp_path / "into" / "l.json"
    result = cli(*publish_args(target, "--person-links", str(links)))
    assert result.code == 2
    assert "--person-links must be outside DIR" in result.stderr
    assert not (target / "l.json").exists()


def test_person_links_are_readable_by_their_owner_only(tmp_path: Path, cli: Cli) -> None:
    links = tmp_path / "links.json"
    links.write_text("{}", encoding="utf-8")
    links.chmod(0o644)
    old = os.umask(0o022)
    try:
        assert cli(*publish_args(tmp_path / "site", "--person-links", str(links))).code == 0
    finally:
        os.umask(old)
    assert mode(links) == 0o600
    assert json.loads(links.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- init


def test_init_never_follows_a_link_out_of_the_folder(tmp_path: Path, cli: Cli) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (repo / "rosters").mkdir()
    (repo / "rosters" / "astreinte.yaml").symlink_to(outside / "planted.yaml")  # dangling
    for force in ([], ["--force"]):
        result = cli("init", str(repo), *force)
        assert result.code == 1
        assert "is a symbolic link" in result.stderr
        assert list(outside.iterdir()) == []


def test_init_leaves_a_linked_gitignore_alone(tmp_path: Path, cli: Cli) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "gitignore").write_text("secret\n", encoding="utf-8")
    (repo / ".gitignore").symlink_to(outside / "gitignore")
    result = cli("init", str(repo))
    assert result.code == 1
    assert ".gitignore is a symbolic link" in result.stderr
    assert (outside / "gitignore").read_text(encoding="utf-8") == "secret\n"
    assert not (repo / "rosters").exists()  # refused before anything was written


def test_init_completes_a_gitignore_that_is_not_utf8(tmp_path: Path, cli: Cli) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitignore").write_bytes(b"caf\xe9/\n*.local.yml\n")  # Latin-1
    result = cli("init", str(repo))
    assert result.code == 0, result.stderr
    assert (repo / ".gitignore").read_bytes() == b"caf\xe9/\n*.local.yml\n*.local.yaml\n"


def test_init_refuses_a_fifo_without_hanging(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    os.mkfifo(repo / ".gitignore")
    done = subprocess.run(  # a hang would raise TimeoutExpired
        [sys.executable, "-c", "from astreinte_cli.cli.entry import main; main()",
         "init", str(repo)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert ".gitignore is not a regular file" in done.stderr
