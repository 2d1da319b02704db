"""Whole calendar feeds written: the calendar's head, its events team after team, its end.

:func:`write_feed` is the one way a feed is written, by `export ics` (through
:func:`write_teams_feed`, which compiles the teams as it goes) and by `publish` (whose feeds
share events found once per team).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import BinaryIO

from astreinte_cli import parallel
from astreinte_cli.export.events import LevelEvents, compile_for_feeds, feed_events, feed_zones
from astreinte_cli.export.ical import CALENDAR_END, EventWriter, FeedOptions, calendar_head
from astreinte_cli.model import Roster, Team


def write_feed(
    out: BinaryIO,
    roster: Roster,
    options: FeedOptions,
    start: dt.datetime,
    end: dt.datetime,
    parts: Sequence[Iterable[LevelEvents]],
    *,
    zones: Collection[str],
    share: bool = False,
    writer: EventWriter | None = None,
) -> None:
    """Writes the feed over ``[start, end)`` whose events are those of ``parts``, in order: the
    calendar's head with a VTIMEZONE for each of ``zones``, the events, the calendar's end.

    A part is the events of a team, or of some of its levels: a generator that compiles the
    team when its events are asked for keeps one team in memory. With ``share``, the parts are
    shared among processes (:func:`parallel.write_in_parts`), each writing its own in turn; the
    one that begins the feed begins with its head, which depends on the range, not the events,
    so it is made while the others work.

    ``zones`` are given, not found from the events, because the two callers differ: `export
    ics` gives its teams' zones (:func:`feed_zones`: a team without shifts in the range still
    has its VTIMEZONE), `publish` the zones of each feed's events (:func:`event_zones`: a feed
    without events has none). Making them agree would change one of the two outputs.

    ``writer`` (else a new one per process) must have been made with options that write events
    as ``options`` does: the same stamp, privacy and reminder. Shared by several feeds of the
    same events, it makes each event's frame once.
    """

    def part(chunk: Sequence[Iterable[LevelEvents]], stream: BinaryIO) -> None:
        if not chunk or chunk[0] is parts[0]:
            stream.write(calendar_head(options, zones, start, end))
        part_writer = writer if writer is not None else EventWriter(roster, options)
        for events in chunk:
            part_writer.write(events, stream)

    parallel.write_in_parts(part, parts, out, share=share)
    out.write(CALENDAR_END)


def write_teams_feed(
    out: BinaryIO,
    roster: Roster,
    teams: Sequence[Team],
    options: FeedOptions,
    start: dt.datetime,
    end: dt.datetime,
    *,
    level: int | None = None,
    person: str | None = None,
    whole_turns: bool = False,
) -> None:
    """Writes the feed of `export ics`: the shifts of ``teams`` overlapping ``[start, end)``
    (of one level, or of one person, if given), one event per shift or per rotation turn,
    with the VTIMEZONEs of the teams (:func:`feed_zones`). Each team is compiled when its
    events are written, and a large organisation's teams are shared among processes."""

    def events_of(team: Team) -> Iterator[LevelEvents]:
        timelines = compile_for_feeds(roster, [team], start, end, whole_turns=whole_turns)
        yield from feed_events(
            timelines, start, end, level=level, person=person, whole_turns=whole_turns
        )

    parts = [events_of(team) for team in teams]
    zones = feed_zones(teams, person)
    share = parallel.worth_it(teams, start, end)
    write_feed(out, roster, options, start, end, parts, zones=zones, share=share)
