"""The notice rule (Code du travail L3121-12) on real git histories: a turn is known from the
date of the commit that first gave it, uncommitted changes count as today."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from gitrepo import EXCEPTIONAL_SWAP, ROSTER, SWAP, Repo

if TYPE_CHECKING:
    from conftest import Cli

BASE_DATE = "2026-10-01T10:00:00+02:00"
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
