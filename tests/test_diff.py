"""`astreinte diff REV [REV2]` on real git repositories: who gains and loses what, the notice
window, the formats, and a shallow clone that only has the base revision fetched."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from gitrepo import EXCEPTIONAL_SWAP, ROSTER, SWAP, Repo

if TYPE_CHECKING:
    from conftest import Cli

AT = ("--at", "2026-12-11 12:00")
ALICE = (
    "  alice loses level 1 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, giving it to bob "
    "[inside the 15-day notice window]"
)
BOB = (
    "  bob gains level 1 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, taking it from alice "
    "[breaks the 15-day notice]"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repository = Repo(tmp_path / "repo")
    repository.commit(ROSTER, "2026-10-01T10:00:00+02:00", "the first roster")
    monkeypatch.chdir(repository.root)
    return repository


def test_working_tree_against_a_revision(cli: Cli, repo: Repo) -> None:
    repo.write(ROSTER + SWAP)
    result = cli("diff", "HEAD", *AT)
    assert result.code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "support (support), Europe/Paris:",
        ALICE,
        BOB,
        "2 changes for 2 people in 1 team between HEAD and the working tree, from Fri 11 Dec "
        "12:00 to Thu 11 Mar 12:00: 2 inside the notice window, 1 breaking the notice rule",
    ]


def test_two_revisions_and_fail_on_notice(cli: Cli, repo: Repo) -> None:
    repo.commit(ROSTER + SWAP, "2026-12-11T10:00:00+01:00", "swap")
    result = cli("diff", "HEAD~1", "HEAD", *AT, "--fail-on-notice")
    assert result.code == 1
    assert result.stdout.splitlines()[1:3] == [ALICE, BOB]


def test_an_exceptional_change_with_a_jour_franc_passes(cli: Cli, repo: Repo) -> None:
    repo.commit(ROSTER + EXCEPTIONAL_SWAP, "2026-12-11T10:00:00+01:00", "swap")
    result = cli("diff", "HEAD~1", "HEAD", *AT, "--fail-on-notice")
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[2].endswith("[inside the 15-day notice window]")


def test_far_enough_ahead_nothing_is_flagged(cli: Cli, repo: Repo) -> None:
    repo.write(ROSTER + SWAP)
    result = cli("diff", "HEAD", "--at", "2026-11-24", "--fail-on-notice")
    assert result.code == 0
    assert result.stdout.splitlines()[1] == (
        "  alice loses level 1 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, giving it to bob"
    )


def test_json(cli: Cli, repo: Repo, diff_schema: Any) -> None:
    repo.write(ROSTER + SWAP)
    document = cli("diff", "HEAD", *AT, "--json").json()
    diff_schema.validate(document)
    assert (document["from_revision"], document["to_revision"]) == ("HEAD", None)
    assert (document["changes"], document["within_notice"], document["breaks_notice"]) == (2, 2, 1)
    gains = document["teams"][0]["changes"][1]
    assert gains == {
        "person": "bob",
        "change": "gains",
        "level": 1,
        "level_name": "Level 1",
        "start": "2026-12-14T09:00:00+01:00",
        "end": "2026-12-21T09:00:00+01:00",
        "others": ["alice"],
        "source": "override:1",
        "within_notice": True,
        "breaks_notice": True,
    }


def test_json_between_two_revisions_follows_the_schema(
    cli: Cli, repo: Repo, diff_schema: Any
) -> None:
    repo.commit(ROSTER + SWAP, "2026-12-10T10:00:00+01:00", "the swap")
    document = cli("diff", "HEAD~1", "HEAD", *AT, "--json").json()
    diff_schema.validate(document)
    assert document["to_revision"] == "HEAD"
    assert document["summary"].startswith(
        "2 changes for 2 people in 1 team between HEAD~1 and HEAD,"
    )
    document["teams"][0]["changes"][0]["change"] = "swaps"
    assert list(diff_schema.iter_errors(document))


def test_markdown(cli: Cli, repo: Repo) -> None:
    repo.write(ROSTER + SWAP)
    result = cli("diff", "HEAD", *AT, "--format", "markdown")
    assert result.stdout.splitlines() == [
        "### On-call changes: `HEAD` → the working tree",
        "",
        "**support** — support, times in Europe/Paris",
        "",
        "| Person | Change | Level | From | To | Taken from / given to | Notice |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| alice | loses | 1 | Mon 14 Dec 09:00 | Mon 21 Dec 09:00 | bob | inside the 15-day "
        "notice window |",
        "| bob | gains | 1 | Mon 14 Dec 09:00 | Mon 21 Dec 09:00 | alice | ⚠️ breaks the 15-day "
        "notice |",
        "",
        "_2 changes for 2 people in 1 team between HEAD and the working tree, from Fri 11 Dec "
        "12:00 to Thu 11 Mar 12:00: 2 inside the notice window, 1 breaking the notice rule_",
    ]


def test_no_change(cli: Cli, repo: Repo) -> None:
    result = cli("diff", "HEAD", *AT)
    assert result.code == 0
    assert result.stdout == (
        "no change between HEAD and the working tree, from Fri 11 Dec 12:00 to Thu 11 Mar 12:00\n"
    )


def test_unknown_revision_is_a_usage_error(cli: Cli, repo: Repo) -> None:
    result = cli("diff", "no-such-branch", *AT)
    assert result.code == 2
    assert result.stderr.startswith("error: unknown git revision 'no-such-branch'\n")


def test_outside_git_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "plain" / "rosters"
    folder.mkdir(parents=True)
    (folder / "support.yaml").write_text(ROSTER, encoding="utf-8")
    result = cli(
        "diff", "HEAD", "--rosters", str(folder), env={"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    )
    assert result.code == 2
    assert "is not in a git repository" in result.stderr


def test_an_invalid_old_roster_is_reported_at_its_revision(cli: Cli, repo: Repo) -> None:
    repo.commit(ROSTER.replace("bob]", "bobb]"), "2026-11-01T10:00:00+01:00", "typo")
    repo.write(ROSTER)
    result = cli("diff", "HEAD", *AT)
    assert result.code == 1
    assert result.stderr.startswith("HEAD:rosters/support.yaml:10:26: error: unknown person 'bobb'")


def test_a_shallow_clone_with_the_base_revision_fetched(
    cli: Cli, repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = repo.git("rev-parse", "HEAD").strip()
    repo.commit(ROSTER + SWAP, "2026-12-11T10:00:00+01:00", "swap")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone))
    subprocess.run(
        ["git", "fetch", "-q", "--depth", "1", "origin", base],
        cwd=clone, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    monkeypatch.chdir(clone)
    result = cli("diff", base, *AT, "--fail-on-notice")
    assert result.code == 1
    assert result.stdout.splitlines()[1:3] == [ALICE, BOB]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""  # the working tree was not touched


# A roster whose level is off during business hours: a weekly turn is one stretch per night.
NIGHTS = ROSTER.replace(
    "timezone: Europe/Paris\n",
    "timezone: Europe/Paris\nholidays: none\nbusiness_hours: {mon-fri: 09:00-18:00}\n",
)


def test_a_change_is_one_line_per_run_whatever_the_coverage_cuts(cli: Cli, repo: Repo) -> None:
    """A two-week swap is four changes, as swap's preview says, not one line per night: the
    level is off (business hours) between the nights of a turn."""
    repo.commit(NIGHTS, "2026-10-02T10:00:00+02:00", "business hours")
    swap = cli(
        "swap", "alice", "bob", "--from", "2026-12-14 09:00", "--to", "2026-12-28 09:00", *AT
    )
    assert swap.code == 0, swap.stderr
    preview = [
        line for line in swap.stdout.splitlines() if line.startswith("  ") and " level " in line
    ]
    result = cli("diff", "HEAD", *AT)
    lines = result.stdout.splitlines()
    assert lines[1:5] == [
        "  alice loses level 1 from Mon 14 Dec 18:00 to Mon 21 Dec 09:00, giving it to bob "
        "[inside the 15-day notice window]",
        "  alice gains level 1 from Mon 21 Dec 18:00 to Mon 28 Dec 09:00, taking it from bob "
        "[breaks the 15-day notice]",
        "  bob gains level 1 from Mon 14 Dec 18:00 to Mon 21 Dec 09:00, taking it from alice "
        "[breaks the 15-day notice]",
        "  bob loses level 1 from Mon 21 Dec 18:00 to Mon 28 Dec 09:00, giving it to alice "
        "[inside the 15-day notice window]",
    ]
    assert len(lines) == 6
    assert preview == lines[1:5]  # one wording, one merging rule
    document = cli("diff", "HEAD", *AT, "--json").json()
    assert document["changes"] == 4


def test_a_gap_between_two_nights_keeps_them_apart(cli: Cli, repo: Repo) -> None:
    """Only time outside coverage joins two pieces: with round-the-clock coverage and a
    rotation that gives nights only, the days between are gaps, and each night stays a line."""
    nights_only = ROSTER.replace(
        "        start: 2026-11-02 09:00\n",
        "        start: 2026-11-02 09:00\n        only: {daily: 18:00-09:00}\n",
    )
    repo.commit(nights_only, "2026-10-02T10:00:00+02:00", "nights only")
    repo.write(
        nights_only + "overrides:\n  - {level: 1, who: bob, replaces: alice, "
        "from: 2026-12-14 18:00, to: 2026-12-16 09:00}\n"
    )
    lines = cli("diff", "HEAD", *AT).stdout.splitlines()
    assert lines[1:5] == [
        "  alice loses level 1 from Mon 14 Dec 18:00 to Tue 15 Dec 09:00, giving it to bob "
        "[inside the 15-day notice window]",
        "  alice loses level 1 from Tue 15 Dec 18:00 to Wed 16 Dec 09:00, giving it to bob "
        "[inside the 15-day notice window]",
        "  bob gains level 1 from Mon 14 Dec 18:00 to Tue 15 Dec 09:00, taking it from alice "
        "[breaks the 15-day notice]",
        "  bob gains level 1 from Tue 15 Dec 18:00 to Wed 16 Dec 09:00, taking it from alice "
        "[breaks the 15-day notice]",
    ]
