"""The roster the route service answers from: :class:`RosterWatch` keeps it in memory and loads
it again when its files change.

It loads the roster as `now` does, with the same function
(:func:`astreinte_cli.load.last_valid.open_for_answer`): each valid roster is recorded as the
last valid roster of its path, in the store's state folder and under its rules (signed,
private, never code), and when the files do not load the answer comes from that roster,
marked with `now`'s :class:`~astreinte_cli.load.last_valid.StaleRoster` (the errors, since
when, when the valid roster was loaded). `astreinte route`, `astreinte now` and the route
service thus answer from the same roster, and a service restarted on a broken roster answers
from the roster it last loaded.

The service also keeps its last valid roster in memory. It answers from it, rather than from
the state folder, only when the state folder does not hold it: a state folder that cannot be
written (full, read-only, someone else's) or a roster too large for the cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load.last_valid import StaleRoster
from astreinte_cli.model import Roster


def files_signature(location: Path) -> tuple[object, ...]:
    """What says the roster's files changed: each file's path, size, inode, modification and
    change times (a rewrite changes the change time even within the same second), and the
    list of files itself. An error (the folder gone) is a signature too."""
    from astreinte_cli.load.files import roster_files

    try:
        found: list[object] = []
        for path in roster_files(location):
            stat = path.stat()
            found.append((str(path), stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns))
        return tuple(found)
    except OSError as exc:
        return (f"{type(exc).__name__}: {exc}",)


def open_roster(location: Path, now: dt.datetime) -> tuple[Roster, StaleRoster | None, str]:
    """What `now` answers from (:func:`~astreinte_cli.load.last_valid.open_for_answer`): the
    roster at ``location``, recorded as its last valid one, or its last valid roster and why
    it is stale; with the roster's key (its files' digest; empty for a roster read without
    the cache, which is not recorded). Raises :class:`RosterError` as `now` does."""
    from astreinte_cli.load.cache import open_store
    from astreinte_cli.load.last_valid import open_for_answer

    store = open_store()
    try:
        index, stale = open_for_answer(location, store, now)
        roster = index.roster()
    finally:
        store.close()
    # `roster()` freezes what is alive for the collector, which suits a command that ends
    # after its answer; a service loads roster after roster and must be able to collect them.
    gc.unfreeze()
    return roster, stale, index.key


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the service answers from: a roster, the stale mark when it is not the current
    files' roster, and a number that changes with each roster loaded (for the plans it keeps)."""

    roster: Roster
    stale: StaleRoster | None
    generation: int


@dataclass(frozen=True, slots=True)
class _Valid:
    """The last valid roster this service loaded, its key, and when."""

    roster: Roster
    key: str
    loaded: dt.datetime


class RosterWatch:
    """The roster of the route service: loaded once, then again whenever
    :func:`files_signature` changes (checked every ``interval`` seconds by a thread). When the
    files stop loading, the last valid roster answers, marked stale as `now` marks it;
    ``report`` receives each roster error once per change of the files."""

    def __init__(
        self,
        location: Path,
        *,
        interval: float = 1.0,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        report: Callable[[RosterError], None] = lambda error: None,
    ) -> None:
        self.location = location
        self.interval = interval
        self.clock = clock
        self.report = report
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._signature: tuple[object, ...] | None = None
        self._valid: _Valid | None = None
        self._loaded: Loaded | None = None
        self._generation = 0
        self.refresh()

    @property
    def loaded(self) -> Loaded | None:
        """The roster to answer from; None when none has ever loaded."""
        return self._loaded

    def refresh(self) -> bool:
        """Loads the roster again if its files changed; True if it did."""
        signature = files_signature(self.location)
        if signature == self._signature:
            return False
        self._signature = signature
        now = self.clock()
        try:
            roster, stale, key = open_roster(self.location, now)
        except RosterError as error:
            # No last valid roster in the state folder: this service's own, if it has one.
            self.report(error)
            if self._valid is None:
                return True
            roster, stale = self._valid.roster, StaleRoster(error, now, self._valid.loaded)
        else:
            if stale is None:
                self._valid = _Valid(roster, key, now)
            else:
                self.report(stale.error)
                if self._valid is not None and self._valid.key != key:
                    # The state folder holds another roster than the last one this service
                    # loaded, which could not be recorded: answer from the one it loaded.
                    roster = self._valid.roster
                    stale = dataclasses.replace(stale, roster_loaded=self._valid.loaded)
        with self._lock:
            self._generation += 1
            self._loaded = Loaded(roster, stale, self._generation)
        return True

    def start(self) -> None:
        """Checks the files every ``interval`` seconds until :meth:`stop`."""
        self._thread = threading.Thread(target=self._run, name="roster-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:  # a bug must not stop the watch: the last roster keeps answering
                time.sleep(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
