"""The roster cache: validated roster files, and `now`'s answers precompiled around the present,
so that `now` at 2 a.m. reads no YAML, validates nothing and compiles nothing — whatever the
size of the organisation — and a roster where one file changed validates that file alone.

What is kept, as entries of the store (``store.py``: signed with the user's key, read back by
an unpickler that can only build the model's values):

- ``part-KEY``: one roster file read alone (``load/parts.py``): what it defines and refers to,
  and its model values. KEY hashes the file's path (as given: spans name it) and content with
  the **context**: astreinte's version and the size and modification time of each of its
  modules, Python's version, and where the ``holidays`` and ``phonenumbers`` packages are and
  when they were installed. A changed file is a new part, never a stale one.
- ``roster-KEY``: a roster that links (every reference resolves), KEY hashing the context and
  every file's path and content: its files and parts, and for each team the parts it depends
  on (its own file and those that define, give leave for or set contacts of the people it
  names) and a digest of them.
- ``full-KEY``: that roster assembled, in one piece, for the commands that need all of it
  (values that recur across files are stored once: it loads faster than its parts).
- ``window-KEY``: a team's answers precompiled over a window of days (``window.py``), KEY
  hashing the team's digest and the window's first day. A team whose parts did not change
  keeps its windows when another team's file changes.
- ``facts-KEY``: what the libraries said (phone numbers and regions found valid, holiday
  calendars found valid, the holidays of each year, the display form of numbers), KEY hashing
  the context: a file read again imports neither library when it needs nothing new.

A roster file is read as the loader reads it (``safe_read.read_roster_file``: a regular file inside
the roster folder, its size taken by ``fstat`` before a byte is read): a link out of the folder
is not followed, a FIFO not waited on, a sparse file of gigabytes not read. A file it refuses,
or a ``--rosters`` path the loader refuses (``files.check_location``), is a miss: the loader
then says why. A part is read from the very bytes its key hashes.
Anything missing, unreadable, foreign or of another version is a miss: the roster is then
read as if there were no cache. Only valid rosters are stored. ``ASTREINTE_CACHE=off`` turns
the cache off (the last valid roster of ``load/last_valid.py`` is kept all the same).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from astreinte_cli import __version__, contacts
from astreinte_cli.load.files import RosterLocation, check_location, roster_files
from astreinte_cli.safe_read import UnreadableFile, read_roster_file
from astreinte_cli.store import Store

if TYPE_CHECKING:
    from astreinte_cli.answers import TeamAnswer
    from astreinte_cli.load.parts import FilePart, Linked, PartBody
    from astreinte_cli.model import Roster, Team
    from astreinte_cli.window import TeamWindow

FORMAT = 3  # bump when an entry's layout changes
HOLIDAY_YEARS = 2  # years before and after the current one whose holidays the cache keeps
MAX_PART_BYTES = 64 << 20  # a part is its file's values: far less than this
MAX_ENTRY_BYTES = 256 << 20  # a roster's index or a facts entry

# The globals an entry's pickle may build: the model's values and what they are made of.
# Nothing else can be reached while an entry is read (store._Unpickler).
_MODEL = (
    "WeeklyMap", "NamedWindow", "UnionWindow", "ExceptWindow", "Person", "Leave", "MemberChange",
    "Rotation", "Level", "Override", "HolidayCalendar", "BusinessHours", "MaxShare", "Rules",
    "Uplifts", "HourlyRate", "RateSet", "Compensation", "Intervention", "Team", "Roster",
)  # fmt: skip
ALLOWED = frozenset(
    {
        *(("astreinte_cli.model", name) for name in _MODEL),
        ("astreinte_cli.times", "WallTime"),
        ("astreinte_cli.times", "Period"),
        ("astreinte_cli.times", "TimeRange"),
        ("astreinte_cli.diagnostics", "Span"),
        ("astreinte_cli.load.parts", "FilePart"),
        ("astreinte_cli.load.parts", "PartBody"),
        ("astreinte_cli.load.interventions", "LoggedIntervention"),
        ("astreinte_cli.load.cache", "_read_only"),
        ("astreinte_cli.load.cache", "_same"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
    }
)


def enabled() -> bool:
    return os.environ.get("ASTREINTE_CACHE", "").lower() not in ("off", "0", "no")


def open_store() -> Store:
    """The user's store, with the cache folder unless ``ASTREINTE_CACHE=off``."""
    return Store.open(cache=enabled())


# --------------------------------------------------------------------------- keys


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def context() -> str:
    """What every entry depends on besides the roster files (see the module's docstring)."""
    return _digest(
        f"format={FORMAT}",
        f"astreinte={__version__}:{_source_stamp()}",
        f"python={sys.version}",
        f"holidays={_package_stamp('holidays')}",
        f"phonenumbers={_package_stamp('phonenumbers')}",
    )


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


def file_digest(path: Path, folder: Path | None = None) -> str | None:
    """SHA-256 of a roster file's content; None when it is not one to read (see
    :func:`read_roster_file`): the loader then says what is wrong."""
    content = _content(path, folder)
    return None if content is None else hashlib.sha256(content).hexdigest()


def _content(path: Path, folder: Path | None) -> bytes | None:
    try:
        return read_roster_file(path, folder)
    except UnreadableFile:
        return None


def part_key(path: str, digest: str) -> str:
    return _digest(context(), "part", path, digest)


def roster_key(files: Sequence[tuple[str, str]]) -> str:
    return _digest(context(), "roster", *(f"{path}\0{digest}" for path, digest in files))


# --------------------------------------------------------------------------- facts


def _facts_name() -> str:
    """Facts depend on the libraries, and on astreinte's code too (which holidays count,
    which numbers are valid): the context, as every entry."""
    return "facts-" + _digest(context(), "facts")


class Facts:
    """What the libraries said, brought from the store into ``contacts`` and
    ``holiday_calendar`` (their memos) and stored again when a run learned more."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sizes = (0, 0, 0, 0, 0)
        data = store.read(store.cache, _facts_name(), limit=MAX_ENTRY_BYTES)
        if isinstance(data, dict) and data.get("format") == FORMAT:
            with contextlib.suppress(Exception):
                self._remember(data)
        self.sizes = self._sizes()

    @staticmethod
    def _remember(data: dict[str, Any]) -> None:
        from astreinte_cli import holiday_calendar

        contacts.known_regions.update(data["regions"])
        contacts.known_numbers.update(data["numbers"])
        contacts.remember_display(data["displayed"])
        holiday_calendar.known_calendars.update(data["calendars"])
        holiday_calendar.remember(
            {
                calendar: {dt.date.fromordinal(day): name for day, name in days}
                for calendar, days in data["holidays"].items()
            }
        )

    @staticmethod
    def _sizes() -> tuple[int, int, int, int, int]:
        from astreinte_cli import holiday_calendar

        return (
            len(contacts.known_regions),
            len(contacts.known_numbers),
            len(contacts.known_displays()),
            len(holiday_calendar.known_calendars),
            len(holiday_calendar.known_years()),
        )

    @staticmethod
    def know_years(roster: Roster, today: dt.date) -> None:
        """The holidays of every team's calendar in the years around ``today``, computed
        where they are not known yet."""
        from astreinte_cli import holiday_calendar

        years = range(today.year - HOLIDAY_YEARS, today.year + HOLIDAY_YEARS + 1)
        for team in roster.teams:
            if team.holidays is not None:
                for year in years:
                    holiday_calendar.public_holidays(
                        team.holidays.country, team.holidays.subdiv, year
                    )

    def save(self) -> None:
        """Stores what is known now, if this run learned anything."""
        if self._sizes() == self.sizes or self.store.cache is None:
            return
        from astreinte_cli import holiday_calendar

        data = {
            "format": FORMAT,
            "regions": sorted(contacts.known_regions),
            "numbers": dict(contacts.known_numbers),
            "displayed": dict(contacts.known_displays()),
            "calendars": sorted(holiday_calendar.known_calendars, key=repr),
            "holidays": {
                calendar: [(day.toordinal(), name) for day, name in days.items()]
                for calendar, days in holiday_calendar.known_years().items()
            },
        }
        content = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        self.store.write(self.store.cache, _facts_name(), content)
        self.sizes = self._sizes()


# --------------------------------------------------------------------------- parts


def _read_part(store: Store, key: str) -> tuple[FilePart, bytes] | None:
    """A stored part (its interface, and its body still pickled) from the cache."""
    found = store.read(store.cache, f"part-{key}", limit=MAX_PART_BYTES, allowed=ALLOWED)
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], bytes):
        return found[0], found[1]
    return None


def part_content(part: FilePart) -> bytes:
    """A part as stored: its interface, then its body pickled apart (read only when the
    roster is assembled)."""
    body = _dumps(part.body)
    return _dumps((part.without_body(), body))


def _load_body(data: bytes) -> PartBody:
    collecting = gc.isenabled()
    # Unpickling makes only live objects (tens of thousands for a large roster): the cyclic
    # collector, which would run several times meanwhile, would find nothing to collect.
    gc.disable()
    try:
        body: PartBody = pickle_loads(data)
    finally:
        if collecting:
            gc.enable()
    return body


def pickle_loads(data: bytes) -> Any:
    from astreinte_cli.store import loads

    return loads(data, ALLOWED)


# --------------------------------------------------------------------------- the index


class Invalid(Exception):
    """The roster files do not make a valid roster: :func:`load_roster` says why."""


@dataclass
class RosterIndex:
    """A valid roster as the cache knows it: its files, parts and teams. The model is read
    (or assembled) only when asked for; `now` mostly looks answers up in windows."""

    store: Store
    location: Path
    manifest: dict[str, Any]
    parts: dict[int, FilePart] = dataclasses.field(default_factory=dict)
    bodies: dict[int, PartBody] = dataclasses.field(default_factory=dict)
    pickled: dict[int, bytes] = dataclasses.field(default_factory=dict)
    roster_: Roster | None = None  # when the whole roster is known (read without parts)
    # Read from scratch: no part came from the store. Its windows are made on the next run,
    # not this one: a first run compiles its answers, which costs less than a window.
    from_scratch: bool = False

    @property
    def key(self) -> str:
        key: str = self.manifest["key"]
        return key

    @property
    def teams(self) -> list[tuple[str, str]]:
        """(id, timezone) of every team, in file order."""
        return [(team[0], team[1]) for team in self.manifest["teams"]]

    # ------------------------------------------------------------------ model

    def _body(self, index: int) -> PartBody:
        body = self.bodies.get(index)
        if body is not None:
            return body
        data = self.pickled.get(index)
        if data is None:
            path, _digest, key, _local = self.manifest["files"][index]
            found = _read_part(self.store, key)
            if found is None:
                raise Invalid(path)  # gone from the cache meanwhile: read the files again
            self.parts[index], data = found
        body = self.bodies[index] = _load_body(data)
        return body

    def roster(self) -> Roster:
        """The whole roster: read whole from the store (``full-KEY``, what commands other
        than `now` read, in one piece as it loads fastest: values that recur across files
        are stored once), else assembled from its parts and stored so."""
        if self.roster_ is None:
            from astreinte_cli.model import Roster

            name = f"full-{self.key}"
            collecting = gc.isenabled()
            gc.disable()  # see _load_body
            try:
                found = self.store.read(
                    self.store.cache, name, limit=MAX_ENTRY_BYTES, allowed=ALLOWED
                )
                if not isinstance(found, Roster):
                    found = self._assemble()
                    self.store.write(self.store.cache, name, _dumps(found))
            finally:
                if collecting:
                    gc.enable()
            self.roster_ = found
            gc.freeze()  # it serves until the command ends: the collector can leave it alone
        return self.roster_

    def _assemble(self) -> Roster:
        from astreinte_cli.load.parts import assemble, link

        count = len(self.manifest["files"])
        bodies = [self._body(index) for index in range(count)]
        linked = link([self._part(index) for index in range(count)])
        if linked is None:  # cannot be: the index was made of parts that linked
            raise Invalid(str(self.location))
        return assemble(linked, bodies)

    def part_content(self, index: int) -> bytes | None:
        """Part ``index`` as stored (:func:`part_content`), from what this index holds or else
        from the store; None if it is nowhere."""
        part = self.parts.get(index)
        if part is not None and index in self.bodies:
            return _dumps((part.without_body(), _dumps(self.bodies[index])))
        if part is not None and index in self.pickled:
            return _dumps((part.without_body(), self.pickled[index]))
        found = _read_part(self.store, self.manifest["files"][index][2])
        return None if found is None else _dumps(found)

    @classmethod
    def from_parts(
        cls, store: Store, location: Path, manifest: dict[str, Any], contents: dict[str, bytes]
    ) -> RosterIndex | None:
        """The index of ``manifest`` with its parts as stored (:func:`part_content`)."""
        parts: dict[int, FilePart] = {}
        pickled: dict[int, bytes] = {}
        for position, (_path, _digest, key, _local) in enumerate(manifest["files"]):
            content = contents.get(key)
            if content is None:
                return None
            found = pickle_loads(content)
            if not (isinstance(found, tuple) and len(found) == 2):
                return None
            parts[position], pickled[position] = found
        return cls(store, location, manifest, parts, {}, pickled)

    def _part(self, index: int) -> FilePart:
        part = self.parts.get(index)
        if part is None:
            self._body(index)
            part = self.parts[index]
        return part

    def team_roster(self, team_id: str) -> tuple[Roster, Team]:
        """A roster with one team and everything that team depends on (its people, their
        leave and contacts): what compiling that team needs."""
        if self.roster_ is not None:
            return self.roster_, self.roster_.team(team_id)
        from astreinte_cli.load.parts import Linked, assemble

        entry = next(team for team in self.manifest["teams"] if team[0] == team_id)
        about = entry[3]
        linked = Linked(tuple(self._part(i) for i in about), {}, {}, ())
        roster = assemble(linked, [self._body(i) for i in about])
        teams = tuple(team for team in roster.teams if team.id == team_id)
        partial = dataclasses.replace(roster, teams=teams)
        return partial, teams[0]

    # ------------------------------------------------------------------ answers

    def window(self, team_id: str, today: dt.date, at: dt.datetime) -> TeamWindow | None:
        """The team's window of the week of ``today`` if ``at`` falls in it, made and stored
        if need be; None without a cache, or when ``at`` is elsewhere."""
        from astreinte_cli.window import TeamWindow, micros, window_range

        start, end = window_range(today)
        if self.store.cache is None or not micros(start) <= micros(at) < micros(end):
            return None
        digest = next(team[4] for team in self.manifest["teams"] if team[0] == team_id)
        name = f"window-{_digest(digest, str(micros(start)))}"
        data = self.store.read(self.store.cache, name, limit=MAX_ENTRY_BYTES)
        if not isinstance(data, dict) or data.get("format") != _window_format():
            if self.from_scratch:
                return None
            from astreinte_cli.window import build_window

            facts = Facts(self.store)
            roster, team = self.team_roster(team_id)
            data = build_window(roster, team, start, end)
            self.store.write(self.store.cache, name, pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
            facts.save()
        window = TeamWindow(data)
        contacts.remember_display(window.displayed())
        return window

    def answer(self, team_id: str, at: dt.datetime, today: dt.date) -> TeamAnswer:
        """`now`'s answer for a team at ``at``: looked up in its window when ``at`` is in the
        window of ``today``'s week, else compiled."""
        window = self.window(team_id, today, at)
        found = window.answer(at) if window is not None else None
        if found is not None:
            return found
        from astreinte_cli.query import team_answer

        facts = Facts(self.store)
        roster, team = self.team_roster(team_id)
        found = team_answer(roster, team, at)
        for phone in _phones(found):  # their display form, for the next run
            contacts.display_phone(phone)
        facts.save()
        return found


def _phones(answer: TeamAnswer) -> set[str]:
    phones = {answer.fallback.phone} if answer.fallback else set()
    for level in answer.levels:
        phones.update(p.phone for p in level.on_call)
        phones.update(p.standing_in_for.phone for p in level.on_call if p.standing_in_for)
        if level.next is not None:
            phones.update(p.phone for p in level.next.who)
    return {phone for phone in phones if phone}


def reload(index: RosterIndex) -> RosterIndex:
    """The roster of ``index`` read again without the cache, when something of the index went
    missing from the store meanwhile (:class:`Invalid`); :class:`RosterError` if the files no
    longer make a valid roster."""
    return _uncached(index.store, index.location, _load_roster(index.location))


def _window_format() -> int:
    from astreinte_cli.window import FORMAT as WINDOW_FORMAT

    return WINDOW_FORMAT


def _uncached(store: Store, location: Path, roster: Roster) -> RosterIndex:
    """An index of a roster read without the cache (nothing of it is stored)."""
    manifest = {
        "key": "",
        "files": [],
        "teams": [(team.id, team.timezone, -1, (), "") for team in roster.teams],
    }
    return RosterIndex(Store(None, store.state, store.key), location, manifest, roster_=roster)


def open_index(location: Path, store: Store) -> RosterIndex:
    """The roster at ``location``, through the cache; :class:`RosterError` when it is not
    valid (from :func:`load_roster`, with every problem)."""
    try:
        folder = check_location(location)
        files = roster_files(location)
    except (RosterLocation, OSError):  # the loader says what is wrong
        return _uncached(store, location, _load_roster(location))
    contents = [_content(path, folder) for path in files]
    if not files or any(content is None for content in contents):
        return _uncached(store, location, _load_roster(location))
    read = [content for content in contents if content is not None]
    listed = [
        (str(path), hashlib.sha256(content).hexdigest())
        for path, content in zip(files, read, strict=True)
    ]
    key = roster_key(listed)
    manifest = store.read(store.cache, f"roster-{key}", limit=MAX_ENTRY_BYTES)
    if isinstance(manifest, dict) and manifest.get("key") == key:
        return RosterIndex(store, location, manifest)
    try:
        return _index(location, store, files, listed, key, read, folder)
    except Invalid:
        return _uncached(store, location, _load_roster(location))


def _load_roster(location: Path) -> Roster:
    from astreinte_cli.load.roster import load_roster

    return load_roster(location)


def _index(
    location: Path,
    store: Store,
    files: list[Path],
    listed: list[tuple[str, str]],
    key: str,
    contents: list[bytes],
    folder: Path | None,
) -> RosterIndex:
    """Reads the roster part by part (each part from the store when its file did not change,
    else from ``contents``, the bytes its key hashed), links the parts and stores the index;
    :class:`Invalid` when a part or the link fails."""
    from astreinte_cli.load.files import is_local
    from astreinte_cli.load.parts import link, read_part

    facts = Facts(store)
    parts: list[FilePart] = []
    bodies: dict[int, PartBody] = {}
    pickled: dict[int, bytes] = {}
    entries = []
    for index, ((path, digest), file, content) in enumerate(
        zip(listed, files, contents, strict=True)
    ):
        pkey = part_key(path, digest)
        entries.append((path, digest, pkey, is_local(file)))
        found = _read_part(store, pkey)
        if found is not None:
            parts.append(found[0])
            pickled[index] = found[1]
            continue
        part = read_part(file, folder, content)
        if part is None:
            raise Invalid(path)
        assert part.body is not None
        bodies[index] = part.body
        parts.append(part.without_body())
        store.write(store.cache, f"part-{pkey}", part_content(part))
    linked = link(parts)
    if linked is None:
        raise Invalid(str(location))
    manifest = {
        "key": key,
        "format": FORMAT,
        "files": entries,
        "teams": _teams(linked, entries),
    }
    store.write(store.cache, f"roster-{key}", pickle.dumps(manifest, pickle.HIGHEST_PROTOCOL))
    facts.save()
    if store.cache is not None:
        store.cache.sweep(lambda _name: False)
    return RosterIndex(
        store, location, manifest, dict(enumerate(parts)), bodies, pickled, from_scratch=not pickled
    )


def _teams(linked: Linked, entries: list[tuple[str, str, str, bool]]) -> list[Any]:
    """Per team: id, timezone, its part, the parts it depends on, and their digest."""
    found = []
    for index, part in enumerate(linked.parts):
        if part.team is None:
            continue
        about = sorted({index, *linked.parts_about(part.references)})
        digest = _digest(context(), "team", part.team[0], *(entries[i][2] for i in about))
        found.append((part.team[0], part.team[1], index, tuple(about), digest))
    return found


def load_roster_cached(location: Path, today: dt.date) -> Roster:
    """:func:`load_roster`, through the cache when it can be used; the public holidays of the
    teams' calendars in the years around ``today`` (what commands compile most) are brought
    from the cache, or computed and kept there."""
    store = open_store()
    try:
        facts = Facts(store)
        try:
            roster = open_index(location, store).roster()
        except Invalid:
            roster = _load_roster(location)
        if store.cache is not None:
            facts.know_years(roster, today)
            facts.save()
        return roster
    finally:
        store.close()


# --------------------------------------------------------------------------- pickling


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer).dump(value)
    return buffer.getvalue()


def _shared_types() -> tuple[type, ...]:
    from astreinte_cli.times import Period, WallTime

    return (WallTime, Period)


class _Pickler(pickle.Pickler):
    """Pickles an entry so that it loads fast.

    - The model's values (frozen dataclasses) as a call of their class with the fields it
      takes; a derived field (``init=False``, such as ``Roster.leave_by_person``) is made
      again by that call. Pickle's own way for frozen dataclasses with slots calls
      ``dataclasses``' Python ``__setstate__``, which looks the fields up for every object:
      on a roster with much leave, that was most of what `show` did.
    - A value of a type that recurs (:func:`_shared_types`) whose pickle is exactly that of
      one already written, as that one: it loads as one object, built once. (Same pickle, not
      equality: equal datetimes can differ in zone or fold.)
    - The model's read-only mappings (``MappingProxyType``) as what they wrap.
    """

    def __init__(self, stream: io.BytesIO) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self._shared: dict[bytes, object] = {}
        self._shared_types = _shared_types()

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _read_only, (dict(obj),)
        if isinstance(obj, self._shared_types):
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
