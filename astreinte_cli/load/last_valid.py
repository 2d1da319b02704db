"""The last valid roster of each roster folder: what `now` answers from when the roster does not
load, rather than leaving a phone system blind all night after a typo.

Whenever `now` loads a valid roster, it records it for that ``--rosters`` path (made absolute)
in the state folder of the store (``store.py``: ``$XDG_STATE_HOME/astreinte``): the roster,
``valid-KEY`` (its index and the parts of its files, those of an unchanged file held by the
``valid-`` file before it; see :func:`record`), and a pointer ``last-HASH`` to it (the
roster's key and when it was loaded). The state folder is not
a cache: nothing there goes until a newer valid roster of the same path
replaces it, and ``ASTREINTE_CACHE=off`` does not turn it off. Its entries are signed and read
back like the cache's: a planted one is never used.

When the roster does not load, :func:`open_for_answer` gives that roster instead, with a
:class:`StaleRoster` saying how many errors the current roster has, since when (the earliest
change of its files after the valid one was loaded) and when the valid one was loaded. No last
valid roster: the error stands (exit 1).

Other commands use :func:`load_or_last_valid` (``route``) or stay strict, as they should: `now`
is where answering matters more than catching the mistake, which `check` does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load import cache
from astreinte_cli.load.cache import MAX_ENTRY_BYTES, RosterIndex, open_index, open_store
from astreinte_cli.load.files import roster_files
from astreinte_cli.store import Store

if TYPE_CHECKING:
    from astreinte_cli.model import Roster


@dataclass(frozen=True, slots=True)
class StaleRoster:
    """Why an answer comes from the last valid roster: the current one's errors."""

    error: RosterError  # every problem of the current roster (printed on stderr)
    broken_since: dt.datetime  # the earliest change of the files after the valid roster
    roster_loaded: dt.datetime  # when the valid roster was loaded

    @property
    def errors(self) -> int:
        return sum(1 for d in self.error.diagnostics if d.severity == "error") or 1


def _pointer(location: Path) -> str:
    return "last-" + hashlib.sha256(os.path.abspath(location).encode()).hexdigest()


def record(store: Store, index: RosterIndex, now: dt.datetime) -> None:
    """Keeps ``index`` as the last valid roster of its path, unless it already is.

    The roster goes in one file, ``valid-KEY``: its index, and the parts that the roster kept
    before it does not already hold (an edit adds one file's part, not the whole roster's);
    for the others, the name of the ``valid-`` file that holds each. When they come from more
    than :data:`MAX_PACKS` files, every part is written again into this one. Then the pointer:
    each on the disk before the next, so that a pointer never leads to what a crash lost, at
    the cost of three syncs whatever the number of files."""
    state = store.state
    if state is None or not index.key:
        return
    name = _pointer(index.location)
    known = store.read(state, name, limit=_POINTER_BYTES)
    if isinstance(known, dict) and known.get("key") == index.key:
        return
    before = _held(store, known)
    parts: dict[str, bytes] = {}
    elsewhere: dict[str, str] = {}
    for _path, _digest, key, _local in index.manifest["files"]:
        if key in before:
            elsewhere[key] = before[key]
    if len(set(elsewhere.values())) > MAX_PACKS:
        elsewhere = {}
    for position, (_path, _digest, key, _local) in enumerate(index.manifest["files"]):
        if key in elsewhere:
            continue
        content = index.part_content(position)
        if content is None:
            return  # a last valid roster without all its parts would be none
        parts[key] = content
    own = f"valid-{index.key}"
    kept = {"manifest": index.manifest, "parts": parts, "elsewhere": elsewhere}
    if not store.write(state, own, _pickled(kept), durable=True, folder_too=False):
        return
    pointer = {"key": index.key, "loaded": now.timestamp(), "location": str(index.location)}
    if store.write(state, name, _pickled(pointer), durable=True):
        _forget_unused(store)


MAX_PACKS = 8  # valid- files one roster may take its parts from, before they are gathered
_POINTER_BYTES = 1 << 16


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _kept(store: Store, key: str) -> dict[str, Any] | None:
    found = store.read(store.state, f"valid-{key}", limit=MAX_ENTRY_BYTES)
    if not isinstance(found, dict) or found["manifest"].get("key") != key:
        return None
    return found


def _held(store: Store, pointer: object) -> dict[str, str]:
    """Part key → the ``valid-`` file that holds it, for the roster ``pointer`` leads to."""
    if not isinstance(pointer, dict):
        return {}
    kept = _kept(store, pointer["key"])
    if kept is None:
        return {}
    held: dict[str, str] = dict(kept["elsewhere"])
    held.update(dict.fromkeys(kept["parts"], f"valid-{pointer['key']}"))
    return held


def _forget_unused(store: Store) -> None:
    """Removes the ``valid-`` files no pointer leads to any more, directly or for some of its
    parts — not one written in the last hour: another `now` may be recording it, its pointer
    not written yet."""
    state = store.state
    assert state is not None
    names = state.names()
    keep = set()
    for name in names:
        if name.startswith("last-"):
            pointer = store.read(state, name, limit=_POINTER_BYTES)
            if isinstance(pointer, dict):
                keep.add(f"valid-{pointer['key']}")
                keep.update(_held(store, pointer).values())
    recent = time.time() - 3600
    for name in names:
        if name.startswith("valid-") and name not in keep:
            try:
                written = os.stat(name, dir_fd=state.descriptor, follow_symlinks=False).st_mtime
            except OSError:
                continue
            if written < recent:
                state.remove(name)


def last_valid(store: Store, location: Path) -> tuple[RosterIndex, dt.datetime] | None:
    """The last valid roster of ``location`` and when it was loaded, if one is kept."""
    pointer = store.read(store.state, _pointer(location), limit=_POINTER_BYTES)
    if not isinstance(pointer, dict):
        return None
    kept = _kept(store, pointer["key"])
    if kept is None:
        return None
    contents: dict[str, bytes] = dict(kept["parts"])
    for pack in set(kept["elsewhere"].values()):
        other = _kept(store, pack.removeprefix("valid-"))
        if other is None:
            return None
        contents.update(other["parts"])
    index = RosterIndex.from_parts(store, location, kept["manifest"], contents)
    if index is None:
        return None
    return index, dt.datetime.fromtimestamp(pointer["loaded"], dt.UTC)


def _broken_since(location: Path, manifest: dict[str, Any], loaded: dt.datetime) -> dt.datetime:
    """When the files began to differ from the valid roster: the earliest modification of a
    file changed or added since (the folder's, when files went away), never before the valid
    roster was loaded; the present when no file changed."""
    known = {(path, digest) for path, digest, _key, _local in manifest["files"]}
    paths = {path for path, _digest in known}
    changes = []
    try:
        files = roster_files(location)
    except OSError:
        files = []
    for path in files:
        if (str(path), cache.file_digest(path)) not in known:
            try:  # a link's own time: when it was put there, not when its target changed
                changes.append(path.lstat().st_mtime)
            except OSError:
                continue
    if paths - {str(path) for path in files}:
        with contextlib.suppress(OSError):
            changes.append(location.stat().st_mtime)
    if not changes:
        return dt.datetime.now(dt.UTC)
    return max(dt.datetime.fromtimestamp(min(changes), dt.UTC), loaded)


def open_for_answer(
    location: Path, store: Store, now: dt.datetime
) -> tuple[RosterIndex, StaleRoster | None]:
    """The roster at ``location`` (recorded as its last valid one), or when it does not load,
    its last valid roster with why it is stale; :class:`RosterError` when there is none."""
    try:
        index = open_index(location, store)
    except RosterError as error:
        found = last_valid(store, location)
        if found is None:
            raise
        index, loaded = found
        return index, StaleRoster(error, _broken_since(location, index.manifest, loaded), loaded)
    record(store, index, now)
    return index, None


def load_or_last_valid(
    location: Path, now: dt.datetime | None = None
) -> tuple[Roster, StaleRoster | None]:
    """The roster at ``location``, or its last valid one and why (see the module's docstring):
    what a command that must answer whatever happens (`now`, `route`) loads. Raises
    :class:`RosterError` when the roster does not load and no valid one was ever recorded."""
    store = open_store()
    try:
        index, stale = open_for_answer(location, store, now or dt.datetime.now(dt.UTC))
        return index.roster(), stale
    finally:
        store.close()
