"""The publication log: when each stretch of on-call time was first published. Pure but for
:func:`read_log`.

`publish` carries it from one publication to the next (``publication-log.json`` in the
published folder): time that the previous log already held, with the same person in the same
team, keeps its date; time that is new gets the instant of this publication; time no longer on
call is dropped (given again later, it is new again). `check` can take the day each stretch
became known from it instead of from git (``rules: {notice_from: publication}``): the day
employees could first read it, which is what the notice rule (Code du travail L3121-12) is
about, where a commit's date says when it was decided.

Each team's log starts with its first publication (``since``): what that publication held is
the baseline, not judged, as the oldest commit is for git. Pieces that ended more than
:data:`KEPT` before a publication's range are dropped, so the log does not grow forever.

Format (JSON, instants in the team's zone with their offset)::

    {"format": "astreinte-publication-log/1",
     "teams": {"support": {"since": "2026-11-02T10:00:00+01:00",
                           "on_call": {"alice": [["2026-12-07T18:00:00+01:00",
                                                  "2026-12-14T09:00:00+01:00",
                                                  "2026-11-02T10:00:00+01:00"], …]}}}}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _
from astreinte_cli.intervals import Intervals, clip, subtract, union
from astreinte_cli.safe_read import UnreadableFile, read_own_file
from astreinte_cli.times import YEARS

FORMAT = "astreinte-publication-log/1"
FILE_NAME = "publication-log.json"
KEPT = dt.timedelta(days=3 * 366)  # three years: how long a claim about pay can go back
MAX_BYTES = 256 * 1024 * 1024

Piece = tuple[dt.datetime, dt.datetime, dt.datetime]  # start, end, first published (UTC)


class LogError(HintedError):
    """A publication log that cannot be read."""


@dataclass(frozen=True, slots=True)
class TeamLog:
    since: dt.datetime  # the team's first publication
    on_call: Mapping[str, tuple[Piece, ...]]  # person → pieces, sorted, disjoint


@dataclass(frozen=True, slots=True)
class PublicationLog:
    teams: Mapping[str, TeamLog]


EMPTY = PublicationLog(MappingProxyType({}))


# --------------------------------------------------------------------------- reading


def read_log(path: Path) -> PublicationLog:
    """The log at ``path`` (a file, or a published folder holding one); :class:`LogError`
    when it is missing, too large or not a log."""
    if path.is_dir():
        path = path / FILE_NAME
    try:
        # Its size checked before a byte is read, a FIFO or a device refused rather than
        # waited on (it hung `check --publication`).
        raw = read_own_file(path, limit=MAX_BYTES)
    except UnreadableFile as exc:
        if exc.reason == "too-large":
            message = _("{path} is too large for a publication log").format(path=path)
            raise LogError(message) from None
        raise LogError(
            _("cannot read the publication log {path}: {reason}").format(
                path=path, reason=exc.describe()
            ),
            _("give the folder `astreinte publish` wrote, or its {name}").format(name=FILE_NAME),
        ) from None
    try:
        text = raw.decode("utf-8")
        del raw  # the text alone while the log is read (for 200 teams, 27 MB less at the peak)
        return loads_log(text)
    except (
        ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError, RecursionError,
        OverflowError,
    ) as exc:  # fmt: skip
        # RecursionError: JSON nested past Python's limit (no log is nested more than 5 deep).
        reason = _("it is nested too deeply") if isinstance(exc, RecursionError) else str(exc)
        raise LogError(
            _("{path} is not a publication log: {reason}").format(path=path, reason=reason),
            _("it is written by `astreinte publish`; do not edit it"),
        ) from None


def loads_log(text: str | bytes) -> PublicationLog:
    """The log a JSON text holds; ValueError, TypeError or KeyError otherwise.

    Each person's pieces become instants as soon as their team's ``on_call`` object is read
    (JSON's object hook), not once the whole document is: a 200-team log holds some 290,000
    pieces, and the document of their texts peaked at 150 MB where the pieces hold 22 MB.
    Most texts come back many times (a piece's end is the next one's start, and most pieces
    share their publication): each is read once, and the log holds one instant for it."""
    instants: dict[str, dt.datetime] = {}

    def instant(text: object) -> dt.datetime:
        if not isinstance(text, str):
            raise TypeError(f"{text!r} is not an instant")
        found = instants.get(text)
        if found is None:
            found = instants[text] = _instant(text)
        return found

    def pieces(person: str, items: list[Any]) -> tuple[Piece, ...]:
        read = [(instant(s), instant(e), instant(published)) for s, e, published in items]
        if any(s >= e for s, e, _p in read):
            raise ValueError(f"a piece of {person!r} ends before it starts")
        return tuple(sorted(read))

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # Only the on_call objects have lists as values: each person's pieces.
        return {k: pieces(k, v) if isinstance(v, list) else v for k, v in pairs}

    document = json.loads(text, object_pairs_hook=hook)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"its 'format' is not {FORMAT!r}")
    teams: dict[str, TeamLog] = {}
    for team, entry in dict(document["teams"]).items():
        people: dict[str, tuple[Piece, ...]] = {}
        for person, read in dict(entry["on_call"]).items():
            if not isinstance(read, tuple):
                raise TypeError(f"the pieces of {person!r} in {team!r} are not a list")
            people[str(person)] = read
        teams[str(team)] = TeamLog(instant(entry["since"]), MappingProxyType(people))
    return PublicationLog(MappingProxyType(teams))


def _instant(text: object) -> dt.datetime:
    if not isinstance(text, str):
        raise TypeError(f"{text!r} is not an instant")
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    # The years a roster may name: an instant at the edge of what datetime holds (0001-01-01,
    # 9999-12-31) cannot be moved to UTC, or to a team's zone when the log is written.
    if value.year not in YEARS:
        raise ValueError(f"{text!r} is out of range")
    return value.astimezone(dt.UTC)


# --------------------------------------------------------------------------- updating


def updated(
    previous: PublicationLog,
    timelines: Iterable[TeamTimeline],
    at: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
) -> Iterator[tuple[str, TeamLog]]:
    """The log after publishing ``timelines`` over ``[start, end)`` at ``at``, team by team in
    the order of their ids (made as it is written, not held whole). Teams not published this
    time keep their entries as they were."""
    published = {timeline.team.id: timeline for timeline in timelines}
    for team_id in sorted(set(previous.teams) | set(published)):
        before = previous.teams.get(team_id)
        timeline = published.get(team_id)
        if timeline is None:
            if before is not None:
                yield team_id, before
            continue
        since = before.since if before is not None else at
        people: dict[str, tuple[Piece, ...]] = {}
        now_on_call = {p: clip(i, start, end) for p, i in timeline.on_call_by_person().items()}
        old = before.on_call if before is not None else {}
        for person in sorted(set(old) | set(now_on_call)):
            pieces = _person(old.get(person, ()), now_on_call.get(person, []), at, start, end)
            if pieces:
                people[person] = pieces
        yield team_id, TeamLog(since, MappingProxyType(people))


def _person(
    old: Sequence[Piece],
    current: Intervals,
    at: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[Piece, ...]:
    pieces: list[Piece] = []
    for s, e, published in old:
        if e <= start - KEPT:
            continue  # older than anyone can ask about
        if s < start:  # the past before this range: kept as it was published
            pieces.append((s, min(e, start), published))
        if e > end:  # beyond this range: not published again, kept as it was
            pieces.append((max(s, end), e, published))
        if s < end and e > start:  # inside this range: kept where it is still on call
            inside = clip(current, max(s, start), min(e, end))
            pieces += [(ks, ke, published) for ks, ke in inside]
    known = union((s, e) for s, e, _p in old)
    pieces += [(s, e, at) for s, e in subtract(current, known)]
    return tuple(_joined(sorted(p for p in pieces if p[0] < p[1])))


def _joined(pieces: Sequence[Piece]) -> list[Piece]:
    """Touching pieces published at the same instant, as one."""
    out: list[Piece] = []
    for piece in pieces:
        if out and out[-1][1] == piece[0] and out[-1][2] == piece[2]:
            out[-1] = (out[-1][0], piece[1], piece[2])
        else:
            out.append(piece)
    return out


# --------------------------------------------------------------------------- writing


def write_log(
    stream: BinaryIO, teams: Iterable[tuple[str, TeamLog]], zones: Mapping[str, ZoneInfo]
) -> None:
    """The log of ``teams`` (in the order given) as JSON on ``stream``: ``{"format", "teams":
    {TEAM: {"since", "on_call": {PERSON: [[start, end, published], …]}}}}``, instants in each
    team's zone (UTC for a team no longer in the roster), one piece per line.

    Written as text, team by team, not as a document dumped at the end: the log of 200 teams
    holds some 290,000 pieces (27 MB), and a document of that many small lists took 250 MB and
    4 s to build and dump."""
    stream.write(b'{\n "format": ' + json.dumps(FORMAT).encode() + b',\n "teams": {')
    separator = b""
    for team_id, entry in teams:
        zone = zones.get(team_id, ZoneInfo("UTC"))
        stream.write(separator + _team_text(team_id, entry, zone).encode())
        separator = b","
    stream.write(b"\n }\n}\n" if separator else b"}\n}\n")


def _team_text(team_id: str, entry: TeamLog, zone: ZoneInfo) -> str:
    """One team's entry of the log, as :func:`write_log` writes it. An instant is formatted
    once: a piece's end is often the next one's start, and most pieces share their
    publication."""
    texts: dict[dt.datetime, str] = {}

    def text(instant: dt.datetime) -> str:
        found = texts.get(instant)
        if found is None:
            found = texts[instant] = json.dumps(instant.astimezone(zone).isoformat())
        return found

    people = ",".join(
        f"\n    {json.dumps(person, ensure_ascii=False)}: ["
        + ",".join(f"\n     [{text(s)}, {text(e)}, {text(p)}]" for s, e, p in pieces)
        + ("\n    ]" if pieces else "]")
        for person, pieces in sorted(entry.on_call.items())
    )
    on_call = f"{{{people}\n   }}" if people else "{}"
    return (
        f"\n  {json.dumps(team_id, ensure_ascii=False)}: {{"
        f'\n   "since": {text(entry.since)},\n   "on_call": {on_call}\n  }}'
    )


# --------------------------------------------------------------------------- notice


def known_from_log(
    log: PublicationLog, timeline: TeamTimeline, today: dt.date
) -> dict[str, list[tuple[dt.datetime, dt.datetime, dt.date | None]]]:
    """For each person, their on-call time in ``timeline`` cut by the day it was first
    published (None: the team's first publication, the baseline); time the log does not hold
    has not been published, and counts as published today at the earliest."""
    zone = timeline.team.zone
    entry = log.teams.get(timeline.team.id)
    found: dict[str, list[tuple[dt.datetime, dt.datetime, dt.date | None]]] = {}
    for person, intervals in timeline.on_call_by_person().items():
        pieces = entry.on_call.get(person, ()) if entry is not None else ()
        out = found.setdefault(person, [])
        for s, e, published in pieces:
            first = entry is not None and published == entry.since
            day = None if first else min(published.astimezone(zone).date(), today)
            out += [(ks, ke, day) for ks, ke in clip(intervals, s, e)]
        out += [(s, e, today) for s, e in subtract(intervals, [(s, e) for s, e, _p in pieces])]
    return found
