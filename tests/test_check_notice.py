"""The notice rule (Code du travail L3121-12) on real git histories: a turn is known from the
date of the commit that first gave it, uncommitted changes count as today."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from gitrepo import EXCEPTIONAL_SWAP, ROSTER, SWAP, Repo

from astreinte_cli.load import load_roster

if TYPE_CHECKING:
    from conftest import Cli

BASE_DATE = "2026-10-01T10:00:00+02:00"
PARIS = ZoneInfo("Europe/Paris")
HINT = (
    "hint: publish it at least 15 days ahead; in exceptional circumstances, an override marked "
    "'exceptional: true' needs one whole day (jour franc) in between"
)
JOUR_FRANC_HINT = (
    "hint: even in exceptional circumstances one whole day (jour franc) must lie between the "
    "day it is known and the day it starts"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repository = Repo(tmp_path / "repo")
    repository.commit(ROSTER, BASE_DATE, "the first roster")
    monkeypatch.chdir(repository.root)
    return repository


def _check(cli: Cli, day: str) -> tuple[int, list[str]]:
    result = cli("check", "--at", day)
    assert result.stderr == ""
    return result.code, result.stdout.splitlines()[2:]


def _error(day: str, days: int) -> str:
    return (
        "rosters/support.yaml:13:5: error: bob is on call at support level 1 from Mon 14 Dec "
        f"09:00 to Mon 21 Dec 09:00, known only since {day}: {days} day{'s' * (days != 1)} of "
        "notice where the team requires 15 (Code du travail L3121-12)"
    )


def test_the_first_roster_is_the_baseline(cli: Cli, repo: Repo) -> None:
    """The oldest revision is not judged: when it was first published is before git."""
    code, lines = _check(cli, "2026-11-02 09:00")
    assert code == 0, lines
    assert lines == [
        "check: 0 errors, 0 warnings, 0 notes from 2026-11-02 09:00 to 2027-01-31 09:00 "
        "(Europe/Paris)"
    ]


def test_a_swap_made_20_days_ahead_passes(cli: Cli, repo: Repo) -> None:
    repo.commit(ROSTER + SWAP, "2026-11-24T10:00:00+01:00", "swap")
    code, lines = _check(cli, "2026-11-24 12:00")
    assert code == 0, lines


def test_the_same_swap_3_days_ahead_fails(cli: Cli, repo: Repo) -> None:
    repo.commit(ROSTER + SWAP, "2026-12-11T10:00:00+01:00", "swap")
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 1
    assert lines[0] == _error("2026-12-11", 3)
    assert lines[3] == HINT


def test_an_exceptional_swap_3_days_ahead_passes(cli: Cli, repo: Repo) -> None:
    """12 and 13 December lie wholly between the day of notice and the day it starts."""
    repo.commit(ROSTER + EXCEPTIONAL_SWAP, "2026-12-11T10:00:00+01:00", "swap")
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 0, lines


def test_an_exceptional_swap_for_tomorrow_fails(cli: Cli, repo: Repo) -> None:
    repo.commit(ROSTER + EXCEPTIONAL_SWAP, "2026-12-13T10:00:00+01:00", "swap")
    code, lines = _check(cli, "2026-12-13 12:00")
    assert code == 1
    assert lines[0] == _error("2026-12-13", 1)
    assert lines[3] == JOUR_FRANC_HINT


def test_an_uncommitted_swap_is_known_today(cli: Cli, repo: Repo) -> None:
    repo.write(ROSTER + SWAP)
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 1
    assert lines[0] == _error("2026-12-11", 3)


def test_a_turn_removed_then_given_again_is_known_from_the_second_time(
    cli: Cli, repo: Repo
) -> None:
    repo.commit(ROSTER + SWAP, "2026-11-01T10:00:00+01:00", "swap")
    repo.commit(ROSTER, "2026-11-02T10:00:00+01:00", "swap undone")
    repo.commit(ROSTER + SWAP, "2026-12-10T10:00:00+01:00", "swap again")
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 1
    assert lines[0] == _error("2026-12-10", 4)


def test_notice_can_be_turned_off(cli: Cli, repo: Repo) -> None:
    roster = ROSTER.replace("levels:", "rules: {notice_days: off}\nlevels:")
    repo.commit(roster + SWAP, "2026-12-13T10:00:00+01:00", "swap")
    code, lines = _check(cli, "2026-12-13 12:00")
    assert code == 0, lines


@pytest.mark.parametrize(
    ("known", "start", "exceptional", "broken"),
    [
        ("2026-11-29", "2026-12-14", False, False),  # 15 days: enough
        ("2026-11-30", "2026-12-14", False, True),  # 14 days
        ("2026-12-11", "2026-12-14", True, False),  # 12 and 13 Dec lie between
        ("2026-12-12", "2026-12-14", True, False),  # 13 Dec: one jour franc
        ("2026-12-13", "2026-12-14", True, True),  # the day before: no whole day between
        ("2026-12-14", "2026-12-14", True, True),  # the same day
    ],
)
def test_breaks_notice_truth_table(known: str, start: str, exceptional: bool, broken: bool) -> None:
    import datetime as dt

    from astreinte_cli.check.notice import breaks_notice

    days = dt.date.fromisoformat
    assert breaks_notice(days(start), days(known), 15, exceptional=exceptional) is broken


# --------------------------------------------------------------------------- honest dates


def test_a_backdated_commit_hides_no_earlier_violation(cli: Cli, repo: Repo) -> None:
    """The swap is committed on 11 December (3 days of notice: an error). A later commit
    dated 1 November, before its parent, changes something else: its date for notice is its
    parent's (11 December), so the swap is still known only since 11 December, and check
    says that the commit's date goes back. (Before, the walk took 1 November as the day the
    swap became known, and stopped: 0 errors.)"""
    repo.commit(ROSTER + SWAP, "2026-12-11T10:00:00+01:00", "swap")
    backdated = repo.commit(
        ROSTER.replace("bob: {name: Bob}", "bob: {name: Bob Lefèvre}") + SWAP,
        "2026-11-01T10:00:00+01:00",
        "rename, backdated",
    )
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 1
    assert _error("2026-12-11", 3) in lines
    warning = next(line for line in lines if ": warning:" in line)
    assert warning == (
        f"rosters/support.yaml:4:7: warning: commit {backdated[:12]} is dated "
        "2026-11-01T10:00+01:00, before the commit it follows on this branch "
        "(2026-12-11T10:00+01:00): for notice it counts from 2026-12-11T10:00+01:00"
    )


def test_a_fast_forward_keeps_the_branch_dates(cli: Cli, repo: Repo) -> None:
    """The swap was committed on a branch on 20 November and fast-forwarded onto main on 11
    December: main's first-parent history is the branch's commits, with their dates, so git
    says the swap was known from 20 November (24 days: no error). Git cannot tell when it
    reached main; a merge commit (next test) can."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(ROSTER + SWAP, "2026-11-20T10:00:00+01:00", "swap on a branch")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feature", date="2026-12-11T10:00:00+01:00")
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 0, lines


def test_a_merge_commit_dates_the_change_on_main(cli: Cli, repo: Repo) -> None:
    """The same branch merged with a merge commit on 11 December: check reads main's
    first-parent history, in which the swap first appears in the merge commit (its first
    parent, the first roster, does not have it): known since 11 December, 3 days: error."""
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit(ROSTER + SWAP, "2026-11-20T10:00:00+01:00", "swap on a branch")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "feature", date="2026-12-11T10:00:00+01:00")
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 1
    assert lines[0] == _error("2026-12-11", 3)


def test_a_roster_no_commit_holds_is_the_baseline(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git init && astreinte init && astreinte check`: the repository has no commit yet, so
    nothing tells when the roster was first communicated; like the first commit, it is the
    baseline, not a change made today (it gave 4 notice errors, 'known only since today')."""
    repository = Repo(tmp_path / "fresh")
    monkeypatch.chdir(repository.root)
    repository.write(ROSTER + SWAP)
    code, lines = _check(cli, "2026-12-11 12:00")
    assert code == 0, lines


def test_the_starter_passes_its_first_check(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "roster-repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    monkeypatch.chdir(root)
    assert cli("init").code == 0
    result = cli("check")
    assert result.code == 0, result.stdout
    assert ": error:" not in result.stdout


def test_separate_stretches_are_separate_findings(cli: Cli, repo: Repo) -> None:
    """A daily rotation of alice and bob (09:00 handoffs) is reordered today, Thursday 3
    December at noon (uncommitted): alice's new turns, every other day from today, are known
    today. Each turn starting within 15 days is its own finding with its own dates (today's
    from noon, the horizon's start), 8 of them up to Thu 17 December; never one finding
    "from Thu 3 Dec to Fri 18 Dec" spanning bob's days between them."""
    daily = ROSTER.replace(
        "        start: 2026-11-02 09:00\n", "        start: 2026-11-02 09:00\n        every: 1d\n"
    )
    repo.commit(daily, "2026-10-02T10:00:00+02:00", "daily")
    repo.write(daily.replace("[alice, bob]", "[bob, alice]"))
    code, lines = _check(cli, "2026-12-03 12:00")
    assert code == 1
    alice = [line for line in lines if ": error: alice is on call" in line]
    ranges = {line.split(" level 1 ")[1].split(", known")[0] for line in alice}
    assert ranges == {
        "from Thu 3 Dec 12:00 to Fri 4 Dec 09:00",
        *(
            f"from {day} 09:00 to {after} 09:00"
            for day, after in [
                ("Sat 5 Dec", "Sun 6 Dec"), ("Mon 7 Dec", "Tue 8 Dec"),
                ("Wed 9 Dec", "Thu 10 Dec"), ("Fri 11 Dec", "Sat 12 Dec"),
                ("Sun 13 Dec", "Mon 14 Dec"), ("Tue 15 Dec", "Wed 16 Dec"),
                ("Thu 17 Dec", "Fri 18 Dec"),
            ]
        ),
    }  # fmt: skip
    assert len(alice) == 8


# --------------------------------------------------------------------------- bounded walk


def test_the_walk_reads_one_state_per_day_and_stops_at_the_horizon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 commits on 10 December and one a day from 1 to 29 November: the notice rule reads
    the roster as it stood at the end of each day, back to notice_days (15) before the
    horizon's first day (11 December), and never more: 10 December, then 29 November back to
    26 November (the first day 15 days or more before 11 December), so 5 states, not 60."""
    from astreinte_cli import revisions

    repository = Repo(tmp_path / "long")
    repository.commit(ROSTER, "2026-10-01T10:00:00+02:00", "first")
    for day in range(1, 30):
        repository.commit(ROSTER + f"# {day}\n", f"2026-11-{day:02d}T10:00:00+01:00")
    for minute in range(30):
        repository.commit(ROSTER + f"# 10 Dec {minute}\n", f"2026-12-10T10:{minute:02d}:00+01:00")
    loaded: list[str] = []
    original = revisions.roster_at

    def counting(repo: object, sha: str, into: Path) -> object:
        loaded.append(sha)
        return original(repo, sha, into)  # type: ignore[arg-type]

    monkeypatch.setattr(revisions, "roster_at", counting)
    roster = load_roster(repository.rosters)
    at = dt.datetime(2026, 12, 11, 12, tzinfo=PARIS)
    findings = revisions.check_roster(
        repository.rosters, roster, roster.teams, at, at + dt.timedelta(days=90), at
    )
    assert not [f for f in findings if f.severity == "error"]
    log = repository.git("log", "--format=%H %cI").splitlines()
    days = [line.split()[1][:10] for line in log if line.split()[0] in loaded]
    assert days == ["2026-12-10", "2026-11-29", "2026-11-28", "2026-11-27", "2026-11-26"]


def test_seconds_of_clock_skew_are_not_reported(cli: Cli, repo: Repo) -> None:
    """A commit dated two minutes before its parent, the same day (two machines' clocks): for
    notice it still counts from its parent's date, but notice counts in days, so nothing is
    said about it."""
    repo.commit(ROSTER + SWAP, "2026-11-20T10:02:00+01:00", "swap")
    repo.commit(ROSTER + SWAP + "# a comment\n", "2026-11-20T10:00:00+01:00", "skewed clock")
    code, lines = _check(cli, "2026-11-24 12:00")
    assert code == 0, lines
    assert not [line for line in lines if ": warning:" in line]
