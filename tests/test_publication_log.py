"""The publication log (``publication-log.json``): `publish` carries it from one publication to
the next, and `check` reads notice from it for teams with ``rules: {notice_from:
publication}``. Real publications in temporary folders, at chosen instants (``--at``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from gitrepo import SWAP
from hypothesis import given
from hypothesis import strategies as st

from astreinte_cli.intervals import clip, intersect, union
from astreinte_cli.publication_log import EMPTY, PublicationLog, TeamLog, loads_log, write_log

if TYPE_CHECKING:
    from conftest import Cli

# alice and bob take weekly turns from Monday 2 November 2026; the notice is read from the
# publication log. Outside git: the log is the only source.
ROSTER = """\
people:
  alice: {name: Alice}
  bob: {name: Bob}
team: support
timezone: Europe/Paris
compensation: {weeknight: 10, saturday: 30, sunday: 40, holiday: 40}
rules: {notice_from: publication}
levels:
  - rotations:
      - name: semaine
        members: [alice, bob]
        start: 2026-11-02 09:00
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "rosters").mkdir()
    return tmp_path


def _write(folder: Path, text: str) -> Path:
    path = folder / "rosters" / "support.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _publish(cli: Cli, folder: Path, at: str) -> None:
    result = cli(
        "publish", str(folder / "site"), "--rosters", str(folder / "rosters"), "--at", at,
        "--no-person-feeds",
    )  # fmt: skip
    assert result.code == 0, result.stderr


def _check(cli: Cli, folder: Path, at: str, *extra: str) -> tuple[int, list[str]]:
    result = cli("check", "--rosters", str(folder / "rosters"), "--at", at, *extra)
    assert result.stderr == "", result.stderr
    return result.code, result.stdout.splitlines()[2:]


def test_each_stretch_keeps_the_day_it_was_first_published(cli: Cli, folder: Path) -> None:
    """First publication on 1 November at 10:00: the team's log starts there (its baseline).
    On 11 December the swap (bob takes alice's week of 14 December) is published: that week
    is bob's from 11 December; alice's other weeks keep 1 November; alice's week of 14
    December is no longer hers, so it is dropped."""
    _write(folder, ROSTER)
    _publish(cli, folder, "2026-11-01 10:00")
    _write(folder, ROSTER + SWAP)
    _publish(cli, folder, "2026-12-11 10:00")
    log = json.loads((folder / "site" / "publication-log.json").read_text(encoding="utf-8"))
    team = log["teams"]["support"]
    assert log["format"] == "astreinte-publication-log/1"
    assert team["since"] == "2026-11-01T10:00:00+01:00"
    first, swap = "2026-11-01T10:00:00+01:00", "2026-12-11T10:00:00+01:00"
    assert ["2026-12-14T09:00:00+01:00", "2026-12-21T09:00:00+01:00", swap] in team["on_call"][
        "bob"
    ]
    assert ["2026-12-07T09:00:00+01:00", "2026-12-21T09:00:00+01:00", first] not in team["on_call"][
        "bob"
    ]
    alice = team["on_call"]["alice"]
    assert ["2026-11-30T09:00:00+01:00", "2026-12-07T09:00:00+01:00", first] in alice
    assert not any(s < "2026-12-21" and e > "2026-12-14" for s, e, _p in alice)


def test_check_reads_notice_from_the_log(cli: Cli, folder: Path) -> None:
    """The swap was first published on 11 December, for 14 December: 3 days of notice where
    15 are required. What the first publication held is the baseline."""
    _write(folder, ROSTER)
    _publish(cli, folder, "2026-11-01 10:00")
    _write(folder, ROSTER + SWAP)
    _publish(cli, folder, "2026-12-11 10:00")
    code, lines = _check(cli, folder, "2026-12-11 12:00", "--publication", str(folder / "site"))
    assert code == 1
    assert lines[0] == (
        f"{folder}/rosters/support.yaml:14:5: error: bob is on call at support level 1 from "
        "Mon 14 Dec 09:00 to Mon 21 Dec 09:00, known only since 2026-12-11: 3 days of notice "
        "where the team requires 15 (Code du travail L3121-12)"
    )
    assert len([line for line in lines if ": error:" in line]) == 1


def test_what_the_log_does_not_hold_is_not_published(cli: Cli, folder: Path) -> None:
    """The swap is in the roster but no publication carried it yet: it counts as published
    today (11 December) at the earliest. The log file itself can be given."""
    _write(folder, ROSTER)
    _publish(cli, folder, "2026-11-01 10:00")
    _write(folder, ROSTER + SWAP)
    log = folder / "site" / "publication-log.json"
    code, lines = _check(cli, folder, "2026-12-11 12:00", "--publication", str(log))
    assert code == 1
    assert "known only since 2026-12-11: 3 days" in lines[0]


def test_a_swap_published_20_days_ahead_passes(cli: Cli, folder: Path) -> None:
    _write(folder, ROSTER)
    _publish(cli, folder, "2026-11-01 10:00")
    _write(folder, ROSTER + SWAP)
    _publish(cli, folder, "2026-11-24 10:00")
    code, lines = _check(cli, folder, "2026-12-11 12:00", "--publication", str(folder / "site"))
    assert code == 0, lines


def test_the_log_is_carried_from_another_place(cli: Cli, folder: Path, tmp_path: Path) -> None:
    """A CI job publishes into a fresh folder: --previous-log brings the last log forward."""
    _write(folder, ROSTER)
    _publish(cli, folder, "2026-11-01 10:00")
    kept = tmp_path / "kept.json"
    kept.write_bytes((folder / "site" / "publication-log.json").read_bytes())
    _write(folder, ROSTER + SWAP)
    result = cli(
        "publish", str(folder / "fresh"), "--rosters", str(folder / "rosters"),
        "--at", "2026-12-11 10:00", "--no-person-feeds", "--previous-log", str(kept),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    log = json.loads((folder / "fresh" / "publication-log.json").read_text(encoding="utf-8"))
    assert log["teams"]["support"]["since"] == "2026-11-01T10:00:00+01:00"


def test_without_the_log_check_says_the_rule_did_not_run(cli: Cli, folder: Path) -> None:
    _write(folder, ROSTER + SWAP)
    code, lines = _check(cli, folder, "2026-12-11 12:00")
    assert code == 0
    assert lines[0].endswith(
        "warning: the notice rule was not checked for team 'support': it reads notice from the "
        "publication log, and no log was given"
    )


PIECE = '["2026-12-07T18:00:00+01:00", "2026-12-08T08:30:00+01:00", "2026-11-02T10:00:00+01:00"]'


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "something else"}',
        "[" * 100_000 + "]" * 100_000,  # nested past Python's recursion limit
        '{"format": "astreinte-publication-log/1", "teams": {"support": {"since": '
        '"2026-11-02T10:00:00+01:00", "on_call": {"alice": [["2026-12-07T18:00:00+01:00"]]}}}}',
        '{"format": "astreinte-publication-log/1", "teams": {"support": {"since": [1e999], '
        '"on_call": {}}}}',
        '{"format": "astreinte-publication-log/1", "teams": {"support": {"since": '
        '"2026-11-02T10:00:00+01:00", "on_call": {"alice": "abc"}}}}',
        '{"format": "astreinte-publication-log/1", "teams": {"support": {"since": '
        '"2026-11-02T10:00:00", "on_call": {"alice": [' + PIECE + "]}}}}",
        '{"format": "astreinte-publication-log/1", "teams": ["support"]}',
        '{"format": "astreinte-publication-log/1", "teams": {"support": {"since": '
        '"0001-01-01T00:00:00+01:00", "on_call": {}}}}',
        '{"format": "astreinte-publication-log/1", "teams": {"support": {"since": '
        '"2026-11-02T10:00:00+01:00", "on_call": {"alice": [["2026-12-07T18:00:00+01:00", '
        '"9999-12-31T23:59:59+00:00", "2026-11-02T10:00:00+01:00"]]}}}}',
    ],
    ids=[
        "format",
        "nesting",
        "short-piece",
        "since-list",
        "pieces-text",
        "no-offset",
        "teams",
        "year-1",
        "year-9999",
    ],
)
def test_a_damaged_log_is_a_usage_error(cli: Cli, folder: Path, text: str) -> None:
    _write(folder, ROSTER)
    bad = folder / "log.json"
    bad.write_text(text, encoding="utf-8")
    result = cli(
        "check", "--rosters", str(folder / "rosters"), "--at", "2026-12-11", "--publication",
        str(bad),
    )  # fmt: skip
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"error: {bad} is not a publication log:")


def _too_long(_signal: int, _frame: object) -> None:
    raise TimeoutError("still reading the publication log after 30 s")


def test_a_fifo_or_a_huge_file_as_the_log_is_refused_at_once(cli: Cli, folder: Path) -> None:
    """A FIFO in the log's place is refused, not waited on (it hung `check --publication`),
    and a sparse file of gigabytes is refused from its size; a link to a real log elsewhere is
    read (the log is publish's output, not a file of a pull request)."""
    _write(folder, ROSTER)
    fifo = folder / "site"
    fifo.mkdir()
    os.mkfifo(fifo / "publication-log.json")
    huge = folder / "huge.json"
    with huge.open("wb") as stream:
        stream.truncate(3 << 30)
    expected = {
        fifo: f"error: cannot read the publication log {fifo / 'publication-log.json'}: not a "
        "regular file\nhint: give the folder `astreinte publish` wrote, or its "
        "publication-log.json\n",
        huge: f"error: {huge} is too large for a publication log\n",
    }
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(30)  # a FIFO that is waited on fails the test instead of hanging the suite
    try:
        results = [
            cli(
                "check",
                "--rosters",
                str(folder / "rosters"),
                "--at",
                "2026-12-11",
                "--publication",
                str(given),
            )
            for given in expected
        ]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    for result, stderr in zip(results, expected.values(), strict=True):
        assert (result.code, result.stderr) == (2, stderr)
    (fifo / "publication-log.json").unlink()
    _publish(cli, folder, "2026-11-01 12:00")
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "log.json").symlink_to(fifo / "publication-log.json")
    code, _lines = _check(
        cli, folder, "2026-12-11 12:00", "--publication", str(elsewhere / "log.json")
    )
    assert code == 0


def test_the_written_log_reads_back_whatever_its_shape() -> None:
    """The log is written as a stream, piece by piece: every shape it can take (no team, a team
    nobody is logged for, a person without pieces, names that need escaping, a team gone from
    the roster) must still be one JSON document that reads back as the same log."""

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)

    def written(log: PublicationLog) -> PublicationLog:
        stream = io.BytesIO()
        write_log(stream, sorted(log.teams.items()), {"paris": ZoneInfo("Europe/Paris")})
        return loads_log(stream.getvalue())

    assert written(EMPTY) == EMPTY
    pieces = ((at(28, 17), at(29, 7), at(1, 8)), (at(29, 7), at(30, 7), at(1, 8)))
    log = PublicationLog(
        MappingProxyType(
            {
                "paris": TeamLog(at(1, 8), MappingProxyType({'a"\\\n\u00e9': pieces, "b": ()})),
                "gone": TeamLog(at(2, 9), MappingProxyType({})),
            }
        )
    )
    back = written(log)
    assert set(back.teams) == {"paris", "gone"}
    assert back.teams["paris"].since == at(1, 8)
    assert dict(back.teams["paris"].on_call) == {'a"\\\n\u00e9': pieces, "b": ()}
    assert dict(back.teams["gone"].on_call) == {}


HOURS = st.integers(0, 60)


def _hour(hours: int) -> dt.datetime:
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hours)


@given(st.lists(st.tuples(HOURS, HOURS)), HOURS, HOURS)
def test_cutting_by_bisection_agrees_with_intersecting(
    raw: list[tuple[int, int]], start: int, end: int
) -> None:
    """The log is cut against the timeline by bisection (``clip``) rather than by a pass
    over the whole timeline for each piece; both must give the same intervals."""
    a = union((_hour(s), _hour(e)) for s, e in raw)
    window = [(_hour(start), _hour(end))] if start < end else []
    assert clip(a, _hour(start), _hour(end)) == intersect(a, window)
