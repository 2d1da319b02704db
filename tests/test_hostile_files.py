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


def test_links_that_cannot_be_written_leave_the_publication_as_it_was(
    tmp_path: Path, cli: Cli
) -> None:
    """The links file was written after the new publication was swapped in: a failed publish
    (exit 2) had replaced the publication whose addresses were handed out."""
    site = tmp_path / "site"
    assert cli(*publish_args(site)).code == 0
    before = (site / "timeline.json").read_bytes()
    result = cli(
        "publish", str(site), "--rosters", str(FEEDS), "--at", "2027-01-15T12:00+01:00",
        "--secret", SECRET, "--team", "noc", "--person-links", str(tmp_path / "none" / "l.json"),
    )  # fmt: skip
    assert result.code == 2
    assert result.stderr.startswith(f"error: --person-links {tmp_path / 'none' / 'l.json'}: ")
    assert (site / "timeline.json").read_bytes() == before
    assert _staging(tmp_path) == []


def test_a_loop_of_links_as_an_output_is_refused_not_crashed_on(tmp_path: Path, cli: Cli) -> None:
    """Python 3.11's Path.resolve() raises RuntimeError on a loop: it made -o, DIR and
    --person-links exit 70 (an internal error)."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    levels = "Too many levels of symbolic links"
    cases = [
        (["export", "ics", "--rosters", str(FEEDS), "--team", "noc", "-o", str(loop)],
         f"error: -o {loop}: {levels}\n"),
        (publish_args(tmp_path / "site", "--person-links", str(loop / "l.json")),
         f"error: {loop / 'l.json'}: {levels}\n"),
        (publish_args(loop, "--person-links", str(tmp_path / "l.json")),
         f"error: {loop}: {levels}\n"),
    ]  # fmt: skip
    for arguments, message in cases:
        result = cli(*arguments)
        assert (result.code, result.stderr) == (2, message)


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


# --------------------------------------------------------------------------- editing

TEAM = """\
people:
  alice: {name: Alice}
  bob: {name: Bob}
  eve: {name: Eve}
team: support
timezone: Europe/Paris
coverage: always
levels:
  - rotations:
      - members: [alice, bob]
        start: 2026-11-02 09:00
"""


def edit_roster(tmp_path: Path, overrides: str = "") -> Path:
    folder = tmp_path / "rosters"
    folder.mkdir()
    (folder / "support.yaml").write_text(TEAM + overrides, encoding="utf-8", newline="")
    return folder


def add(cli: Cli, folder: Path, *args: str) -> tuple[int, str, str]:
    result = cli("override", "add", "--rosters", str(folder), "--at", "2026-11-01", *args)
    return result.code, result.stdout, result.stderr


def test_concurrent_edits_lose_nothing(tmp_path: Path) -> None:
    folder = edit_roster(tmp_path)
    for round_ in range(2):
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from astreinte_cli.cli.entry import main; main()",
                    "override",
                    "add",
                    "--rosters",
                    str(folder),
                    "--who",
                    "eve",
                    "--at",
                    "2026-11-01",
                    "--from",
                    f"2026-12-{1 + 4 * round_ + i:02d}",
                    "--to",
                    f"2026-12-{2 + 4 * round_ + i:02d}",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(4)
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        assert [process.returncode for process in processes] == [0] * 4, outputs
        assert sum(out.count("wrote ") for out, _err in outputs) == 4
    text = (folder / "support.yaml").read_text(encoding="utf-8")
    assert text.count("who: eve") == 8


def test_an_edit_waits_for_another_and_says_so(tmp_path: Path) -> None:
    from astreinte_cli.authoring import EditError, locked

    path = edit_roster(tmp_path) / "support.yaml"
    told: list[Path] = []
    with (
        locked([path]),
        pytest.raises(EditError) as refused,
        locked([path], wait=0.2, waiting=told.append),
    ):
        pass
    assert told == [path]
    assert "another edit of" in refused.value.message


ALIASED = """\
overrides:
  - {level: 1, who: eve, from: 2026-12-01, to: &e 2026-12-06}
  - {level: 1, who: bob, from: 2026-12-05 12:00, to: *e}
"""


def test_an_entry_after_a_list_ending_with_an_alias_lands_at_its_end(
    tmp_path: Path, cli: Cli
) -> None:
    folder = edit_roster(tmp_path, ALIASED)
    code, out, err = add(cli, folder, "--who", "alice", "--from", "2026-12-05 06:00",
                         "--to", "2026-12-05 18:00")  # fmt: skip
    assert code == 0, err
    text = (folder / "support.yaml").read_text(encoding="utf-8")
    assert text.endswith("to: *e}\n  - {level: 1, who: alice, from: 2026-12-05 06:00, to: "
                         "2026-12-05 18:00}\n")  # fmt: skip
    assert "does not change" not in out
    assert "alice gains level 1 from Sat 5 Dec 12:00 to Sat 5 Dec 18:00, taking it from bob" in out
    from astreinte_cli.load import load_roster

    last = load_roster(folder).teams[0].overrides[-1]
    assert last.who == ("alice",)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ("base: &o {level: 1, who: eve, from: 2026-12-01, to: 2026-12-02}\n"
         "overrides:\n  - {level: 1, who: bob, from: 2026-12-03, to: 2026-12-04}\n  - *o\n",
         "the last entry of 'overrides' is a YAML alias"),
        ("x-list: &l\n  - {level: 1, who: eve, from: 2026-12-01, to: 2026-12-02}\n"
         "overrides: *l\n", "'overrides' is a YAML alias"),
    ],
)  # fmt: skip
def test_an_alias_where_the_entry_would_go_is_refused(
    tmp_path: Path, cli: Cli, overrides: str, message: str
) -> None:
    folder = edit_roster(tmp_path)
    (folder / "support.yaml").write_text(TEAM + overrides, encoding="utf-8")
    before = (folder / "support.yaml").read_bytes()
    code, _out, err = add(cli, folder, "--who", "alice", "--from", "2026-12-10", "--to",
                          "2026-12-11")  # fmt: skip
    assert code in (1, 2)
    assert message in err or "unknown key" in err
    assert (folder / "support.yaml").read_bytes() == before


def test_an_entry_that_would_not_come_last_is_never_written(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last line of defence: whatever the splice did, the roster as it would be must end
    with the entries asked for, else nothing is written and nothing is called done."""
    from astreinte_cli import authoring

    folder = edit_roster(tmp_path, ALIASED)
    before = (folder / "support.yaml").read_bytes()

    def misplaced(text: str, entries: object) -> str:  # what the old splice did with `*e`
        head, last = text.rsplit("  - {level: 1, who: bob", 1)
        entry = "  - {level: 1, who: alice, from: 2026-12-05 06:00, to: 2026-12-05 18:00}\n"
        return head + entry + "  - {level: 1, who: bob" + last

    monkeypatch.setattr(authoring, "add_overrides", misplaced)
    code, out, err = add(cli, folder, "--who", "alice", "--from", "2026-12-05 06:00",
                         "--to", "2026-12-05 18:00")  # fmt: skip
    assert code == 2
    assert "would not be the last of 'overrides'" in err
    assert "wrote" not in out
    assert (folder / "support.yaml").read_bytes() == before


def test_a_read_only_file_is_refused(tmp_path: Path, cli: Cli) -> None:
    folder = edit_roster(tmp_path)
    path = folder / "support.yaml"
    path.chmod(0o444)
    before = path.read_bytes()
    code, out, err = add(cli, folder, "--who", "eve", "--from", "2026-12-10", "--to", "2026-12-11")
    assert code == 2
    assert f"error: {path} is read-only: nothing was written" in err
    assert "wrote" not in out
    assert path.read_bytes() == before
    assert mode(path) == 0o444


def test_an_edit_keeps_mode_owner_and_hard_links(tmp_path: Path, cli: Cli) -> None:
    folder = edit_roster(tmp_path)
    path = folder / "support.yaml"
    path.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(path, 4321, 4321)
    code, _out, err = add(cli, folder, "--who", "eve", "--from", "2026-12-10", "--to",
                          "2026-12-11")  # fmt: skip
    assert code == 0, err
    info = path.stat()
    assert mode(path) == 0o640
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (4321, 4321)
    linked = tmp_path / "backup.yaml"
    os.link(path, linked)
    code, _out, err = add(cli, folder, "--who", "bob", "--from", "2026-12-12", "--to",
                          "2026-12-13")  # fmt: skip
    assert code == 0, err
    assert linked.read_bytes() == path.read_bytes()
    assert linked.stat().st_ino == path.stat().st_ino
    assert b"who: bob" in linked.read_bytes()


def test_mixed_line_endings_stay_as_they_were_line_by_line(tmp_path: Path, cli: Cli) -> None:
    lines = TEAM.splitlines()
    mixed = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
    mixed += "overrides:\r\n  - {level: 1, who: eve, from: 2026-12-01, to: 2026-12-02}\r\n"
    folder = edit_roster(tmp_path)
    (folder / "support.yaml").write_bytes(mixed.encode())
    code, _out, err = add(cli, folder, "--who", "bob", "--from", "2026-12-10", "--to",
                          "2026-12-11")  # fmt: skip
    assert code == 0, err
    assert (folder / "support.yaml").read_bytes() == (
        mixed + "  - {level: 1, who: bob, from: 2026-12-10 00:00, to: 2026-12-11 00:00}\r\n"
    ).encode()
