"""The roster `route` answers from, in one place: :func:`load_for_route` for a single answer,
:class:`RosterWatch` for the route service, which keeps it in memory and reloads it when its
files change.

Like `now` (SPEC §7, exit 4), `route` answers from the last valid roster when the current one
does not load: a typo pushed at 18:00 must not leave the on-call line silent all night. The
answer then carries :class:`Stale` (how many errors, when that roster was loaded), and the
errors are reported all the same. Without a last valid roster the error stands.

For a single answer (``astreinte route``), the last valid roster of a ``--rosters`` path is kept
in ``$XDG_STATE_HOME/astreinte/route`` (default ``~/.local/state``): a state, not a cache, so
``ASTREINTE_CACHE=off`` leaves it alone. Only a roster loaded by this very code (same version,
same modules) is read back. The route service also keeps its last valid roster in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from astreinte_cli import __version__
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.model import Roster


@dataclass(frozen=True, slots=True)
class Stale:
    """Why an answer comes from the last valid roster: the current roster's errors."""

    error: RosterError
    roster_loaded: dt.datetime  # when the roster answered from was loaded

    @property
    def errors(self) -> int:
        return sum(1 for d in self.error.diagnostics if d.severity == "error") or 1


def load_for_route(location: Path, now: dt.datetime) -> tuple[Roster, Stale | None]:
    """The roster at ``location`` (kept as its last valid one), or, when it does not load, its
    last valid roster and why it is stale. Raises :class:`RosterError` when the roster does
    not load and none was ever kept for that path."""
    from astreinte_cli.load.cache import load_roster_cached

    try:
        roster = load_roster_cached(location, now.date())
    except RosterError as error:
        kept = _read_last_valid(location)
        if kept is None:
            raise
        roster, loaded = kept
        return roster, Stale(error, loaded)
    _keep_last_valid(location, roster, now)
    return roster, None


# --------------------------------------------------------------------------- the kept roster

_FORMAT = 1


def _state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "astreinte" / "route"


def _code_stamp() -> str:
    """This code: a roster pickled by another version (or a working copy being edited) is not
    read back, as the roster cache does."""
    from astreinte_cli.load.cache import _source_stamp

    return f"{_FORMAT}:{__version__}:{_source_stamp()}:{sys.version}"


def _name(location: Path) -> str:
    return hashlib.sha256(os.path.abspath(location).encode()).hexdigest()


def _files_digest(location: Path) -> str:
    """The roster's files, by path and content: the kept roster is rewritten only when this
    changes (an answer that loads the same roster writes nothing)."""
    from astreinte_cli.load.files import roster_files

    digest = hashlib.sha256()
    for path in roster_files(location):
        digest.update(f"{path}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _keep_last_valid(location: Path, roster: Roster, now: dt.datetime) -> None:
    """Keeps ``roster`` as the last valid one of ``location``; silently does nothing if it
    cannot (a roster that loads is answered from all the same)."""
    folder = _state_dir()
    try:
        stamp = f"{_code_stamp()}\n{_files_digest(location)}"
        marker = folder / f"{_name(location)}.stamp"
        if marker.exists() and marker.read_text(encoding="utf-8") == stamp:
            return
        folder.mkdir(parents=True, exist_ok=True)
        data = _dumps((stamp, now.timestamp(), roster))
        _replace(folder / f"{_name(location)}.pickle", data)
        _replace(marker, stamp.encode())
    except Exception:  # a state that cannot be kept is no error for the answer
        return


def _dumps(value: object) -> bytes:
    """Pickled as the roster cache pickles a roster (its read-only mappings included)."""
    import io

    from astreinte_cli.load.cache import _Pickler

    buffer = io.BytesIO()
    _Pickler(buffer).dump(value)
    return buffer.getvalue()


def _replace(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _read_last_valid(location: Path) -> tuple[Roster, dt.datetime] | None:
    try:
        with (_state_dir() / f"{_name(location)}.pickle").open("rb") as stream:
            stamp, loaded, roster = pickle.load(stream)
    except Exception:  # missing, unreadable, corrupt: no last valid roster
        return None
    if not isinstance(roster, Roster) or stamp.partition("\n")[0] != _code_stamp():
        return None
    return roster, dt.datetime.fromtimestamp(loaded, dt.UTC)


# --------------------------------------------------------------------------- the service's roster


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


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the service answers from: a roster, the stale mark when it is not the current
    files' roster, and a number that changes with each roster loaded (for the plans it keeps)."""

    roster: Roster
    stale: Stale | None
    generation: int


class RosterWatch:
    """The roster of the route service: loaded once, then again whenever
    :func:`files_signature` changes (checked every ``interval`` seconds by a thread). When the
    files stop loading, the last valid roster stays, marked stale; ``report`` receives each
    roster error once per change of the files."""

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
        self._valid: tuple[Roster, dt.datetime] | None = None
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
            if self._valid is None:
                roster, stale = load_for_route(self.location, now)
                loaded = now if stale is None else stale.roster_loaded
                if stale is not None:
                    self.report(stale.error)
            else:
                roster, stale, loaded = self._load(now)
        except RosterError as error:
            self.report(error)
            return True
        with self._lock:
            self._generation += 1
            if stale is None:
                self._valid = (roster, loaded)
            self._loaded = Loaded(roster, stale, self._generation)
        return True

    def _load(self, now: dt.datetime) -> tuple[Roster, Stale | None, dt.datetime]:
        assert self._valid is not None
        try:
            roster, stale = load_for_route(self.location, now)
        except RosterError as error:
            self.report(error)
            roster, loaded = self._valid
            return roster, Stale(error, loaded), loaded
        if stale is not None:
            self.report(stale.error)
            # The in-memory roster is the last one this service loaded: newer than the kept one.
            kept, loaded = self._valid
            return kept, Stale(stale.error, loaded), loaded
        return roster, None, now

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
