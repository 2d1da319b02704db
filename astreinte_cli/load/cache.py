"""A cache of validated rosters: `now` at 2 a.m. skips YAML, validation, and the ``holidays`` and
``phonenumbers`` libraries, which cost more than the answer itself.

An entry is the pickled :class:`Roster` with the public holidays of the years around today and
the display form of every phone number, under a key made of everything the result depends on:
each file's path (as given, so diagnostics and spans stay right), size, modification time and
SHA-256 of its content; the language; astreinte's version and the size and modification time
of each of its modules; the versions of Python, ``holidays`` and ``phonenumbers``. A changed
file is a different key, never a stale answer. Only valid rosters are stored. Entries live in
``$XDG_CACHE_HOME/astreinte`` (or ``~/.cache/astreinte``), are written atomically, and anything
unreadable, corrupt or of another version is ignored: the roster is then loaded as if there
were no cache. ``ASTREINTE_CACHE=off`` disables it. The README's "Caches" lists it with the
in-memory caches it fills.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import io
import os
import pickle
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import MappingProxyType
from typing import Any

from astreinte_cli import __version__, contacts, holiday_calendar
from astreinte_cli.model import Roster
from astreinte_cli.times import Period, WallTime

FORMAT = 2  # bump when the entry's layout changes
HOLIDAY_YEARS = 2  # years before and after the current one whose holidays an entry carries


@dataclass(frozen=True, slots=True)
class _Entry:
    format: int
    key: str
    roster: Roster
    holidays: dict[tuple[str, str | None, int], dict[dt.date, str]]
    phones: dict[str, str]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "astreinte"


def enabled() -> bool:
    return os.environ.get("ASTREINTE_CACHE", "").lower() not in ("off", "0", "no")


def roster_key(files: list[Path], language: str) -> str:
    """What a validated roster depends on, hashed. Reads every file (they are small)."""
    digest = hashlib.sha256()
    parts: list[str] = [
        f"format={FORMAT}",
        f"astreinte={__version__}:{_source_stamp()}",
        f"python={sys.version}",
        f"language={language}",
        f"holidays={_package_stamp('holidays')}",
        f"phonenumbers={_package_stamp('phonenumbers')}",
    ]
    for path in files:
        stat = path.stat()
        content = hashlib.sha256(path.read_bytes()).hexdigest()
        parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{content}")
    digest.update("\n".join(parts).encode())
    return digest.hexdigest()


def _source_stamp() -> str:
    """Every module of astreinte, by size and modification time: a roster validated by other
    code (another version, or a working copy being edited) is not this code's roster."""
    package = Path(__file__).resolve().parent.parent
    stamps = []
    for folder, _subfolders, names in os.walk(package):
        for name in names:
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                stamps.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(stamps)).encode()).hexdigest()


def _package_stamp(name: str) -> str:
    """Where a library is and when it was installed: changes when it is upgraded, and costs a
    stat, not an import (``holidays`` alone takes longer to import than `now` to answer)."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        return "absent"
    stat = Path(spec.origin).stat()
    return f"{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"


def read(key: str) -> Roster | None:
    """The cached roster for ``key``, its holidays and phones made known; None on any miss."""
    collecting = gc.isenabled()
    # Unpickling makes only live objects (hundreds of thousands for a large roster): the cyclic
    # collector, which would run several times meanwhile, would find nothing to collect.
    gc.disable()
    try:
        with (cache_dir() / f"{key}.pickle").open("rb") as stream:
            entry = pickle.load(stream)
        # Nor afterwards: a roster serves until the command ends. Frozen, its objects are left
        # out of the collector's later passes (the first would otherwise walk them all at once).
        gc.freeze()
    except Exception:  # missing, unreadable, corrupt, from another version: a miss
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(entry, _Entry) or entry.format != FORMAT or entry.key != key:
        return None
    holiday_calendar.remember(entry.holidays)
    contacts.remember_display(entry.phones)
    return entry.roster


def write(key: str, roster: Roster, today: dt.date) -> None:
    """Stores ``roster`` under ``key``, atomically; silently does nothing if it cannot."""
    import tempfile  # here: a cache hit, what `now` is timed on, writes nothing

    try:
        data = _dumps(_entry(key, roster, today))
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except Exception:  # a cache that cannot be written is no cache, not an error
        return
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, folder / f"{key}.pickle")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    _forget_old(folder)


def _entry(key: str, roster: Roster, today: dt.date) -> _Entry:
    years = range(today.year - HOLIDAY_YEARS, today.year + HOLIDAY_YEARS + 1)
    holidays: dict[tuple[str, str | None, int], dict[dt.date, str]] = {}
    for team in roster.teams:
        if team.holidays is not None:
            for year in years:
                calendar = (team.holidays.country, team.holidays.subdiv, year)
                holidays[calendar] = holiday_calendar.public_holidays(*calendar)
    phones = {
        person.phone: contacts.display_phone(person.phone)
        for person in roster.people.values()
        if person.phone
    }
    return _Entry(FORMAT, key, roster, holidays, phones)


def _forget_old(folder: Path) -> None:
    """Every edit of a roster makes a new entry: those unused for a week go."""
    week_ago = time.time() - 7 * 24 * 3600
    for path in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):
            if path.stat().st_atime < week_ago and path.stat().st_mtime < week_ago:
                path.unlink()


def _dumps(entry: _Entry) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer).dump(entry)
    return buffer.getvalue()


# Values that recur: the same dates in thousands of leave entries, for instance.
_SHARED_TYPES = (WallTime, Period)


class _Pickler(pickle.Pickler):
    """Pickles an entry so that it loads fast.

    - The model's values (frozen dataclasses) as a call of their class with the fields it
      takes; a derived field (``init=False``, such as ``Roster.leave_by_person``) is made
      again by that call. Pickle's own way for frozen dataclasses with slots calls
      ``dataclasses``' Python ``__setstate__``, which looks the fields up for every object:
      on a roster with much leave, that was most of what `show` did.
    - A value of a type that recurs (``_SHARED_TYPES``) whose pickle is exactly that of one
      already written, as that one: it loads as one object, built once. (Same pickle, not
      equality: equal datetimes can differ in zone or fold.)
    - The model's read-only mappings (``MappingProxyType``) as what they wrap.
    """

    def __init__(self, stream: io.BytesIO) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared: dict[bytes, object] = {}

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _read_only, (dict(obj),)
        if isinstance(obj, _SHARED_TYPES):
            first = self._shared.setdefault(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL), obj)
            if first is not obj:
                return _same, (first,)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            fields = dataclasses.fields(obj)
            return type(obj), tuple(getattr(obj, field.name) for field in fields if field.init)
        return NotImplemented


def _read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _same(value: object) -> object:
    """A value already loaded, where it recurs in the entry."""
    return value


def load_roster_cached(location: Path, language: str, today: dt.date) -> Roster:
    """:func:`load_roster`, through the cache when it is enabled and the files can be read."""
    from astreinte_cli.load.files import roster_files

    key: str | None = None
    if enabled() and location.exists():
        try:
            key = roster_key(roster_files(location), language)
        except OSError:
            key = None  # load_roster reports what is wrong with the path
    if key is not None:
        cached = read(key)
        if cached is not None:
            return cached
    from astreinte_cli.load import load_roster

    roster = load_roster(location)
    # Stored only if no file changed while it was read: the entry must match its key.
    if key is not None and _same_key(location, language, key):
        write(key, roster, today)
    return roster


def _same_key(location: Path, language: str, key: str) -> bool:
    from astreinte_cli.load.files import roster_files

    try:
        return roster_key(roster_files(location), language) == key
    except OSError:
        return False
