"""Teams compiled on every core: a team's timeline depends on nothing of another team's, so a
large organisation's teams are shared among forked worker processes.

Forked, not spawned: a child starts with the loaded roster already in its memory (copy on
write), so nothing but each worker's results crosses a pipe. Where ``fork`` does not exist
(Windows), with one core, for a small job, or with ``ASTREINTE_JOBS=1``, the work runs in this
process, and the output is the same: the workers run the same function on the same items, and
results come back in the items' order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import shutil
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def jobs() -> int:
    """How many processes to use: ``ASTREINTE_JOBS`` if set, else the cores this process may
    run on."""
    wanted = os.environ.get("ASTREINTE_JOBS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_chunks(function: Callable[[Sequence[T]], R], items: Sequence[T]) -> list[R]:
    """``[function(chunk) for chunk in chunks]``: ``items`` cut into one contiguous chunk per
    process (:func:`jobs`), each chunk given to ``function`` in a forked child (the first in
    this process). Where ``fork`` does not exist, everything runs here as one chunk. An
    exception in a child is raised here, with the child's traceback in its message.
    """
    import multiprocessing  # here: `now` does not need it and would pay for importing it

    count = min(jobs(), len(items))
    if count <= 1 or not _can_fork():
        return [function(items)]
    size, extra = divmod(len(items), count)
    bounds = [i * size + min(i, extra) for i in range(count + 1)]
    chunks = [items[bounds[i] : bounds[i + 1]] for i in range(count)]
    context = multiprocessing.get_context("fork")
    with contextlib.ExitStack() as spools:
        children = []
        for chunk in chunks[1:]:
            # The result comes back through an unnamed temporary file that the child inherits,
            # not a pipe: a feed's part weighs tens of megabytes, which a pipe moves in small
            # pieces, each waiting for the reader, where a file takes them at once.
            spool = spools.enter_context(tempfile.TemporaryFile())
            child = context.Process(target=_child, args=(function, chunk, spool), daemon=True)
            child.start()
            children.append((child, spool))
        try:
            results = [function(chunks[0])]
        except BaseException:  # the children's work is of no use now
            for child, _ in children:
                child.terminate()
                child.join()
            raise
        for child, spool in children:
            child.join()
            spool.seek(0)
            try:
                ok, value = pickle.load(spool)
            except EOFError:  # the child died without a word (killed, out of memory)
                ok, value = False, f"worker process ended with code {child.exitcode}"
            if not ok:
                raise RuntimeError(f"a worker process failed: {value}")
            results.append(value)
    return results


def _child(function: Callable[[Sequence[T]], R], chunk: Sequence[T], spool: IO[bytes]) -> None:
    try:
        outcome: tuple[bool, object] = (True, function(chunk))
    except BaseException as exc:  # everything goes back to the parent, which decides
        outcome = (False, "".join(traceback.format_exception(exc)))
    pickle.dump(outcome, spool, protocol=pickle.HIGHEST_PROTOCOL)
    spool.flush()


# Forking and sending results back has a fixed cost, which a small job does not repay: below
# this many team-days of compiling and writing (measured with the benchmarks' organisations),
# one process is faster.
_WORTH_FORKING = 3000


def worth_it(teams: Sequence[object], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether compiling ``teams`` over ``[start, end)`` is worth sharing out: there are cores
    to share it among, and it is large enough to pay for forking."""
    large = len(teams) * (end - start).days >= _WORTH_FORKING
    return large and jobs() > 1 and len(teams) > 1 and _can_fork()


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def write_in_parts(
    function: Callable[[Sequence[T], BinaryIO], R],
    items: Sequence[T],
    out: BinaryIO,
    *,
    share: bool,
    joint: Callable[[Sequence[R], R], bytes] | None = None,
) -> list[R]:
    """Runs ``function(chunk, stream)`` over ``items``, shared out as :func:`map_chunks` does
    when ``share``, else as one chunk here, and leaves in ``out`` what the calls wrote, in the
    items' order; returns their results in that order. ``joint(results_before, result)`` gives
    the bytes to put before a later part (a separator that depends on what came before).

    For output too large to hold (a feed, a year of `show --json`): the first chunk, run here,
    writes straight into ``out``; each other writes into a file of its own as it goes, copied
    into ``out`` after the first (by the kernel where it can: :func:`copy_into`). Nothing is
    kept in memory or pickled from process to process.
    """
    if not share:
        return [function(items, out)]
    with tempfile.TemporaryDirectory(prefix="astreinte-") as scratch:
        parent = os.getpid()

        def run(chunk: Sequence[T]) -> tuple[Path | None, R]:
            if os.getpid() == parent:
                return None, function(chunk, out)
            path = Path(scratch) / f"part-{os.getpid()}"
            with path.open("wb") as stream:
                return path, function(chunk, stream)

        parts = map_chunks(run, items)
        results = [result for _, result in parts]
        for index, (path, result) in enumerate(parts):
            if path is None:
                continue
            if joint is not None:
                out.write(joint(results[:index], result))
            copy_into(path, out)
    return results


def copy_into(path: Path, target: BinaryIO) -> None:
    """The file at ``path`` appended to ``target``: by the kernel where it can (Linux's
    copy_file_range, which does not pass the bytes through this process), else through a
    buffer."""
    target.flush()
    with path.open("rb") as source:
        size, offset = os.fstat(source.fileno()).st_size, 0
        try:
            while offset < size:
                copied = os.copy_file_range(source.fileno(), target.fileno(), size - offset, offset)
                if copied == 0:
                    break
                offset += copied
        except (AttributeError, OSError):  # not Linux, or not between these two (a pipe)
            if offset:
                raise
        source.seek(offset)
        shutil.copyfileobj(source, target, 1 << 22)  # what the kernel did not copy, if any
