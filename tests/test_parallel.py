"""Teams shared among forked processes (astreinte_cli/parallel.py): the same results in the same
order as in one process, failures reported, and the same output from `show` and `export`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from astreinte_cli import parallel

if TYPE_CHECKING:
    from conftest import Cli

ROSTERS = Path(__file__).parent.parent / "rosters"


def _pids_and_items(chunk: Sequence[int]) -> tuple[int, list[int]]:
    return os.getpid(), [item * 10 for item in chunk]


@pytest.mark.parametrize("jobs", ["1", "2", "3", "7"])
@pytest.mark.parametrize("count", [0, 1, 2, 5, 8])
def test_chunks_come_back_in_order_from_each_process(
    monkeypatch: pytest.MonkeyPatch, jobs: str, count: int
) -> None:
    monkeypatch.setenv("ASTREINTE_JOBS", jobs)
    results = parallel.map_chunks(_pids_and_items, list(range(count)))
    assert [item for _, chunk in results for item in chunk] == [i * 10 for i in range(count)]
    processes = min(int(jobs), count) or 1
    assert len(results) == processes
    assert len({pid for pid, _ in results}) == processes  # one chunk a process
    assert results[0][0] == os.getpid()  # the first chunk is this process's
    sizes = [len(chunk) for _, chunk in results]
    assert max(sizes) - min(sizes) <= 1


def test_only_a_large_job_on_several_cores_is_shared_out(monkeypatch: pytest.MonkeyPatch) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    year, month = start + dt.timedelta(days=365), start + dt.timedelta(days=30)
    monkeypatch.setenv("ASTREINTE_JOBS", "4")
    assert parallel.worth_it(["a"] * 200, start, year)
    assert not parallel.worth_it(["a", "b"], start, month)  # forking costs more
    assert not parallel.worth_it(["a"], start, start + dt.timedelta(days=9000))  # one team
    monkeypatch.setenv("ASTREINTE_JOBS", "1")
    assert not parallel.worth_it(["a"] * 200, start, year)


def _fails_in_the_second_chunk(chunk: Sequence[int]) -> list[int]:
    if 3 in chunk:
        raise ValueError("item three is bad")
    return list(chunk)


def _dies_in_the_second_chunk(chunk: Sequence[int]) -> list[int]:
    if 3 in chunk:
        os._exit(9)
    return list(chunk)


def test_a_failing_worker_is_reported_with_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTREINTE_JOBS", "2")
    with pytest.raises(RuntimeError, match="item three is bad") as failure:
        parallel.map_chunks(_fails_in_the_second_chunk, [1, 2, 3, 4])
    assert "Traceback" in str(failure.value)
    assert "_fails_in_the_second_chunk" in str(failure.value)


def test_a_worker_that_dies_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTREINTE_JOBS", "2")
    with pytest.raises(RuntimeError, match="ended with code 9"):
        parallel.map_chunks(_dies_in_the_second_chunk, [1, 2, 3, 4])


def test_jobs_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTREINTE_JOBS", "3")
    assert parallel.jobs() == 3
    for junk in ("0", "-2", "many", ""):
        monkeypatch.setenv("ASTREINTE_JOBS", junk)
        assert parallel.jobs() >= 1  # the cores this process may use


@pytest.mark.parametrize(
    "command",
    [
        ["show", "--json"],
        ["show", "--json", "--person", "alice"],
        ["export", "ics", "-o", "-", "--at", "2026-06-01T00:00:00Z"],
        ["export", "ics", "-o", "-", "--at", "2026-06-01T00:00:00Z", "--whole-turns"],
        ["export", "ics", "-o", "-", "--at", "2026-06-01T00:00:00Z", "--person", "bob"],
    ],
)
def test_show_and_export_write_the_same_with_any_number_of_processes(
    cli: Cli, command: list[str]
) -> None:
    # Two teams over 1,600 days: large enough to be shared out (parallel.worth_it).
    args = [*command, "--rosters", str(ROSTERS), "--from", "2025-06-01", "--to", "2029-11-01"]
    outputs = set()
    for jobs in ("1", "2", "5"):
        run = cli(*args, env={"ASTREINTE_JOBS": jobs})
        assert run.code == 0, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert "2029-10" in outputs.pop().replace("202910", "2029-10")  # the whole range is there


def _fails_in_the_first_chunk(chunk: Sequence[int]) -> list[int]:
    if 1 in chunk:
        raise KeyError("first")
    return list(chunk)


def test_a_failure_here_stops_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setenv("ASTREINTE_JOBS", "3")
    with pytest.raises(KeyError, match="first"):
        parallel.map_chunks(_fails_in_the_first_chunk, [1, 2, 3, 4, 5, 6])
    assert multiprocessing.active_children() == []
