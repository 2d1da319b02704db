"""The RFC 5545 bytes of a calendar feed: the calendar's head (its properties and a VTIMEZONE per
zone), each event's VEVENT, and the calendar's end; stable UIDs, times in the team's zone,
transparent events (never "busy").

Pure: the caller gives the instant the feed is stamped with, so the same input gives the same
bytes. ``icalendar`` is imported inside the functions that need it: `now` must not pay for it.

**UIDs** are a hash of the team, the level, the set of people and the start and end instants,
and of nothing else (not the override's position, not the source): the same shift keeps its UID
across runs and across unrelated edits of the roster, and a changed shift is a new event.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, NamedTuple
from zoneinfo import ZoneInfo

from astreinte_cli.export.event_text import (
    CALDESC,
    Step,
    about_text,
    chain_text,
    instructions_text,
    join_description,
    pieces_text,
    summary,
)
from astreinte_cli.export.events import EXTENT, ChainKey, FeedEvent, FrameKey, LevelEvents
from astreinte_cli.i18n import _
from astreinte_cli.model import Roster
from astreinte_cli.printable import without_controls

PRODID = "-//astreinte//astreinte calendar feed//EN"
TTL = dt.timedelta(hours=1)
CALENDAR_END = b"END:VCALENDAR\r\n"
_UID_DOMAIN = "astreinte"


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How a feed is written: its name, its stamp (DTSTAMP), privacy and reminder."""

    name: str
    stamp: dt.datetime
    description: str | None = None
    private: bool = False
    remind: dt.timedelta | None = None


def event_uid(
    team: str, level: int, who: Iterable[str], start: dt.datetime, end: dt.datetime
) -> str:
    """The same for the same shift whatever else changes in the roster (see the module doc)."""
    key = f"{_uid_prefix(team, level, who)}{_utc_text(start)}|{_utc_text(end)}"
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{_UID_DOMAIN}"


def _uid_prefix(team: str, level: int, who: Iterable[str]) -> str:
    return "|".join(["shift-v1", team, str(level), ",".join(sorted(who)), ""])


def _utc_text(instant: dt.datetime) -> str:
    """``20260105T080000Z``."""
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


# --------------------------------------------------------------------------- the calendar


def calendar_head(
    options: FeedOptions, zones: Iterable[str], start: dt.datetime, end: dt.datetime
) -> bytes:
    """The calendar up to its first event: its properties and a VTIMEZONE for each of ``zones``,
    serialised by ``icalendar`` (the events are written by :class:`EventWriter`). The feed is
    this, its events and ``CALENDAR_END``.

    Each VTIMEZONE covers the range and ``EXTENT`` beyond it, as far as a feed's events can
    reach (shifts are followed that far past the range): the head depends on the range, not on
    the events, so it can be written before them, as they are made, by several processes."""
    from icalendar import Calendar, vDuration

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Names come from the roster: no control character reaches the feed, whatever icalendar
    # would check or not (an `assert` there disappears under `python -O`).
    name = _one_line(options.name)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", _one_line(options.description or _(CALDESC)))
    # RFC 7986 and its Microsoft/Apple ancestor: ask clients to poll hourly (Google ignores it).
    calendar.add("refresh-interval", vDuration(TTL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(TTL))
    first = (start - EXTENT).astimezone(dt.UTC).date() - dt.timedelta(days=1)
    last = (end + EXTENT).astimezone(dt.UTC).date() + dt.timedelta(days=1)
    head = bytes(calendar.to_ical())
    assert head.endswith(CALENDAR_END)
    # The VTIMEZONEs as icalendar writes them as components of the calendar, made once per
    # zone and range: `publish` writes thousands of feeds over the same range.
    zones_text = [_vtimezone_bytes(zone, first, last) for zone in sorted(set(zones))]
    return b"".join([head[: -len(CALENDAR_END)], *zones_text])


def _one_line(text: str) -> str:
    """A calendar property of one line: line breaks become spaces, other control characters
    go (icalendar writes X- properties as given)."""
    return " ".join(without_controls(text, lines=True).split("\n"))


@functools.lru_cache(maxsize=64)
def _vtimezone_bytes(zone: str, first: dt.date, last: dt.date) -> bytes:
    from icalendar import Timezone

    return bytes(Timezone.from_tzinfo(ZoneInfo(zone), zone, first, last).to_ical())


# --------------------------------------------------------------------------- events


Frame = tuple[bytes, str, bytes, ZoneInfo]  # bytes before DTSTART, UID prefix, the rest, zone


class EventWriter:
    """Writes the VEVENTs of one feed (one language, one set of options) byte for byte as
    ``icalendar`` writes them: properties in its order (its canonical ones, then by name), TEXT
    escaped and lines folded as it does. ``tests/test_direct_writers.py`` holds the
    ``icalendar`` version and checks that both agree.

    Written directly because building an ``icalendar`` component per event would be most of the
    work of a large export, and from frames because a feed repeats the same few events: all of
    an event but its DTSTART, DTEND and UID depends only on its frame key (team, level, people,
    source, chain, and the pieces of a joined turn), so that text is built, escaped and folded
    once per key, and an event is its frame with three values slotted in.
    """

    def __init__(self, roster: Roster, options: FeedOptions) -> None:
        self.roster = roster
        self.options = options
        stamp = f"DTSTAMP:{options.stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
        self._stamp_uid = f"{stamp}\r\nUID:".encode()  # the same in every event
        # (team, level) → frame key → frame
        self._frames: dict[tuple[str, int], dict[FrameKey, Frame]] = {}
        # What frames are made of. A year of a large organisation has tens of thousands of
        # frames (the chain varies with every level's turns), made of far fewer of each part.
        self._abouts: dict[tuple[object, ...], _About] = {}
        self._chains: dict[tuple[str, ChainKey], str] = {}
        self._steps: dict[Step, str] = {}
        self._instructions: dict[tuple[str, int], str] = {}

    def forget(self, team: str) -> None:
        """Drops what was kept for the events of ``team`` (by id): a writer that serves a whole
        publication would otherwise keep the frames of every team."""
        self._frames = {key: frames for key, frames in self._frames.items() if key[0] != team}
        self._abouts = {key: about for key, about in self._abouts.items() if key[0] != team}
        self._chains = {key: text for key, text in self._chains.items() if key[0] != team}

    def write(self, events: Iterable[LevelEvents], out: IO[bytes]) -> None:
        """Writes the VEVENTs of ``events`` to ``out``, level after level as they come: a
        generator that compiles team after team keeps one team's events in memory, and a file
        as ``out`` keeps none of the bytes."""
        for level_events in events:
            out.writelines(self.vevents(level_events))

    def vevents(self, events: LevelEvents) -> Iterator[bytes]:
        """The VEVENT of each of ``events``, as bytes (UTF-8), each frame made the first time its
        key is met. Made of bytes: a feed's events are mostly the same few frames, and encoding
        each whole event would cost more than assembling it."""
        team_level = (events.team.id, events.level.number)
        frames = self._frames.get(team_level)
        if frames is None:
            frames = self._frames[team_level] = {}
        assemble = self._assemble
        for key, start, end in events.occurrences:
            frame = frames.get(key)
            if frame is None:
                frame = frames[key] = self._frame(events.event(key, start, end))
            yield assemble(frame, start, end)

    def _assemble(self, frame: Frame, start: dt.datetime, end: dt.datetime) -> bytes:
        head, uid_key, tail, zone = frame
        start_utc, dtstart, _ = _instant_lines(start, zone)
        end_utc, _, dtend = _instant_lines(end, zone)
        uid = hashlib.sha256(f"{uid_key}{start_utc}|{end_utc}".encode()).hexdigest()[:32]
        return b"".join((head, dtstart, dtend, self._stamp_uid, uid.encode(), tail))

    def _frame(self, item: FeedEvent) -> Frame:
        team, level = item.team, item.level
        about_key = (team.id, level.number, item.who, item.source)
        about = self._abouts.get(about_key)
        if about is None:
            about = self._abouts[about_key] = self._about(item)
        chain_key = (team.id, item.chain_key)
        if chain_key not in self._chains:
            self._chains[chain_key] = chain_text(self.roster, team, item.chain_key, self._steps)
        notes_key = (team.id, level.number)
        if notes_key not in self._instructions:
            self._instructions[notes_key] = instructions_text(team, level)
        described = join_description(
            about.text, pieces_text(item), self._chains[chain_key], self._instructions[notes_key]
        )
        description_line = _fold_bytes(b"DESCRIPTION:" + escape_text(described).encode())
        tail = b"".join((about.before, description_line, b"\r\n", about.after))
        return about.head, about.uid_key, tail, team.zone

    def _about(self, item: FeedEvent) -> _About:
        """What an event's frame holds that depends on its team, level, people and source."""
        team, level, options = item.team, item.level, self.options
        summary_text = escape_text(summary(self.roster, item))
        # Lines of known short length (constants, a fixed-size UID, a UTC stamp) are not folded.
        before = [
            "SEQUENCE:0",
            f"CATEGORIES:Astreinte,N{level.number}",
            *(["CLASS:PRIVATE"] if options.private else []),
        ]
        after = [
            "TRANSP:TRANSPARENT",
            f"X-ASTREINTE-LEVEL:{level.number}",
            fold(f"X-ASTREINTE-SOURCE:{_raw(item.source)}"),
            fold(f"X-ASTREINTE-TEAM:{_raw(team.id)}"),
            fold(f"X-ASTREINTE-WHO:{_raw(','.join(item.who))}"),
            "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        ]
        if options.remind is not None:
            after += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                fold(f"DESCRIPTION:{summary_text}"),
                f"TRIGGER:{_duration(-options.remind)}",
                "END:VALARM",
            ]
        return _About(
            head=f"BEGIN:VEVENT\r\n{fold(f'SUMMARY:{summary_text}')}\r\n".encode(),
            uid_key=_uid_prefix(team.id, level.number, item.who),
            before="".join(line + "\r\n" for line in [f"@{_UID_DOMAIN}", *before]).encode(),
            after=("".join(line + "\r\n" for line in after) + "END:VEVENT\r\n").encode(),
            text=about_text(self.roster, item),
        )


class _About(NamedTuple):
    head: bytes  # BEGIN and SUMMARY
    uid_key: str  # what the UID hashes, but the instants
    before: bytes  # the end of the UID line, and the lines between it and DESCRIPTION
    after: bytes  # the lines after DESCRIPTION, to END
    text: str  # the description's first part (see event_text.description)


# --------------------------------------------------------------------------- values and lines


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11), in the order ``icalendar`` applies it. Like it, a byte
    order mark at the very start is dropped (it decodes values as ``utf-8-sig``).

    Control characters are removed first (RFC 5545 §3.1 forbids them in a content line), a
    line break of any kind becoming one ``\\n``: the loader refuses them in names, and this
    holds whatever reaches a feed, without relying on a library's checks."""
    return (
        without_controls(value, lines=True)
        .removeprefix("\ufeff")
        .replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _raw(value: str) -> str:
    """An X- property's value: written as it is, as ``icalendar`` writes an unknown property
    (so ``who`` keeps its plain commas), line breaks apart, which it refuses to write at all,
    and control characters removed (see :func:`escape_text`)."""
    return without_controls(value, lines=True).replace("\n", r"\n")


@functools.lru_cache(maxsize=8192)
def _instant_lines(instant: dt.datetime, zone: ZoneInfo) -> tuple[str, bytes, bytes]:
    """An instant as the UID hashes it, and its DTSTART and DTEND lines in ``zone``. Cached: a
    shift's end is often the next one's start."""
    local = instant.astimezone(zone)
    tzid = _tzid(zone)
    value = f":{local:%Y%m%dT%H%M%SZ}" if tzid == "UTC" else f";TZID={tzid}:{local:%Y%m%dT%H%M%S}"
    # Only a zone name of over 40 characters makes these lines long enough to fold.
    start, end = fold("DTSTART" + value), fold("DTEND" + value)
    return _utc_text(instant), f"{start}\r\n".encode(), f"{end}\r\n".encode()


@functools.lru_cache(maxsize=64)
def _tzid(zone: ZoneInfo) -> str | None:
    from icalendar.timezone import tzid_from_tzinfo

    return tzid_from_tzinfo(zone)


@functools.lru_cache(maxsize=16)
def _duration(delta: dt.timedelta) -> str:
    from icalendar import vDuration

    value = vDuration(delta).to_ical()  # type: ignore[no-untyped-call]  # not annotated there
    return bytes(value).decode()


_FOLD_AT = 75  # octets: a longer content line is folded


def fold(line: str, limit: int = _FOLD_AT) -> str:
    """A content line folded as ``icalendar`` folds it (see :func:`_fold_bytes`)."""
    if len(line) < limit // 4:  # too short to fold, however many octets a character takes
        return line
    return _fold_bytes(line.encode(), limit).decode()  # cuts fall between characters


def _fold_bytes(data: bytes, limit: int = _FOLD_AT) -> bytes:
    """A content line (UTF-8) folded as ``icalendar`` folds it: pieces of at most ``limit - 1``
    octets, cut between characters, and never right after a backslash or a caret (the piece
    ends before it, so that an escape stays whole)."""
    if len(data) < limit:
        return data
    pieces = []
    start = 0
    while len(data) - start >= limit:
        cut = start + limit - 1
        while data[cut] & 0xC0 == 0x80:  # inside a character: cut before it
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)
