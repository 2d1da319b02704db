"""Which events a calendar feed holds: the shifts of its teams, of one level or of one person
that overlap its range, one event per shift or, with ``whole_turns``, a rotation turn's shifts
joined into one.

**Shifts are not cut at the range's bounds.** The timeline is compiled ``EXTENT`` beyond each
bound and a shift that overlaps the range is given whole, so that its UID (a hash of its
instants) does not change as a sliding window (30 days back, a year ahead) moves on day by day.

A feed of a year of a large organisation has hundreds of thousands of events made of far fewer
*frames*: all of an event but its instants (who, source, escalation chain, and the pieces of a
joined turn) is the same for many of them. So the events are found as their frames' keys with
their start and end (:class:`LevelEvents`), which the writer turns into bytes with each frame's
text made once (:class:`astreinte_cli.export.ical.EventWriter`); a whole :class:`FeedEvent` is
made only for a frame, or for a reader that wants one (:meth:`LevelEvents.events`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from astreinte_cli.compile import TeamTimeline, compile_level, rotation_turns
from astreinte_cli.model import Level, Roster, Team
from astreinte_cli.timeline import LevelTimeline, Stretch
from astreinte_cli.windows import TeamCalendar

EXTENT = dt.timedelta(days=62)  # how far beyond the range a shift is followed to its real ends

ChainKey = tuple[tuple[str, ...], ...]  # who each of a team's levels has on call
Pieces = tuple[tuple[dt.datetime, dt.datetime], ...]  # on-call stretches, in UTC
# An event of a level but its instants: who, source, chain key, and the pieces of a joined turn
# (None for a single shift, whose one piece is its start and end).
FrameKey = tuple[tuple[str, ...], str, ChainKey, Pieces | None]
Occurrence = tuple[FrameKey, dt.datetime, dt.datetime]  # a frame's key, start and end


class FeedEvent(NamedTuple):
    """One event of a feed: a shift, or with ``whole_turns`` a rotation turn's shifts joined.

    ``pieces`` are the on-call stretches the event covers, in UTC; a single shift has one. A
    tuple rather than a frozen dataclass: one is made for every frame of a feed, and a tuple is
    the cheapest object to build.
    """

    team: Team
    level: Level
    who: tuple[str, ...]
    source: str
    pieces: Pieces
    # Who each of the team's levels has at the start: what the escalation chain in the
    # description is computed from (:func:`astreinte_cli.query.chain_steps`).
    chain_key: ChainKey

    @property
    def start(self) -> dt.datetime:
        return self.pieces[0][0]

    @property
    def end(self) -> dt.datetime:
        return self.pieces[-1][1]


@dataclass(frozen=True, slots=True)
class LevelEvents:
    """A level's events in a feed, in order of start, each as ``(frame key, start, end)``."""

    team: Team
    level: Level
    occurrences: tuple[Occurrence, ...]

    def event(self, frame: FrameKey, start: dt.datetime, end: dt.datetime) -> FeedEvent:
        """The whole event of one of :attr:`occurrences`."""
        who, source, chain_key, pieces = frame
        return FeedEvent(self.team, self.level, who, source, pieces or ((start, end),), chain_key)

    def events(self) -> Iterator[FeedEvent]:
        return itertools.starmap(self.event, self.occurrences)

    def of(self, person: str) -> LevelEvents:
        """The events ``person`` is on call in."""
        kept = tuple(item for item in self.occurrences if person in item[0][0])
        return LevelEvents(self.team, self.level, kept)


# --------------------------------------------------------------------------- compiling


def compile_for_feeds(
    roster: Roster,
    teams: Iterable[Team],
    start: dt.datetime,
    end: dt.datetime,
    *,
    whole_turns: bool = False,
) -> list[TeamTimeline]:
    """Timelines over ``[start, end)`` and, for each level, beyond either bound for as long as
    the shift across it lasts (at most ``EXTENT``), for :func:`feed_events`. With
    ``whole_turns``, ``EXTENT`` beyond both bounds: a turn joins shifts across time off."""
    timelines = []
    for team in teams:
        calendar = TeamCalendar(team)
        if whole_turns:
            low, high = start - EXTENT, end + EXTENT
            levels = [compile_level(roster, team, lv, low, high, calendar) for lv in team.levels]
        else:
            levels = _followed(roster, team, calendar, start, end)
        timelines.append(TeamTimeline(team, tuple(levels)))
    return timelines


_MARGIN = dt.timedelta(days=2)  # compiled beyond each bound at first
_STEP = dt.timedelta(days=15)  # then this much further at a time, while a shift goes on


def _followed(
    roster: Roster, team: Team, calendar: TeamCalendar, start: dt.datetime, end: dt.datetime
) -> list[LevelTimeline]:
    """The team's levels compiled a little beyond the range, then further out, step by step,
    only where a shift overlapping the range runs past what is compiled (at most ``EXTENT``):
    most shifts end within days of a bound, and compiling ``EXTENT`` beyond both bounds for
    every level would add a good part of the range's own cost. Then every level is compiled as
    far as the furthest one, since an event's chain reads every level at its start.

    The pieces are compiled separately and put end to end: a level's state at an instant does
    not depend on the range it is compiled over, and equal neighbours at a joint merge into one
    shift. ``tests/test_export_ics.py`` checks the events against a compile ``EXTENT`` wide."""

    def compiled(level: Level, since: dt.datetime, until: dt.datetime) -> list[Stretch]:
        return list(compile_level(roster, team, level, since, until, calendar).stretches)

    pieces: list[tuple[dt.datetime, list[Stretch], dt.datetime]] = []
    for level in team.levels:
        low, high = start - _MARGIN, end + _MARGIN
        stretches = compiled(level, low, high)
        while low > start - EXTENT and _crosses(stretches, start, backwards=True):
            step = max(start - EXTENT, low - _STEP)
            stretches[:0] = compiled(level, step, low)
            low = step
        while high < end + EXTENT and _crosses(stretches, end, backwards=False):
            step = min(end + EXTENT, high + _STEP)
            stretches += compiled(level, high, step)
            high = step
        pieces.append((low, stretches, high))
    first = min(low for low, _, _ in pieces)
    last = max(high for _, _, high in pieces)
    levels = []
    for level, (low, stretches, high) in zip(team.levels, pieces, strict=True):
        before = compiled(level, first, low) if first < low else []
        after = compiled(level, high, last) if high < last else []
        levels.append(LevelTimeline(team, level, first, last, (*before, *stretches, *after)))
    return levels


def _crosses(stretches: Sequence[Stretch], bound: dt.datetime, *, backwards: bool) -> bool:
    """Whether the shift at the first (``backwards``) or last stretch also covers time on the
    other side of ``bound``: its far end is not known yet and it is written."""
    order = stretches if backwards else reversed(stretches)
    edge = next(iter(order))
    if not edge.who:
        return False
    for stretch in order:
        if stretch.shift_key != edge.shift_key:  # the shift ends (or begins) at this stretch
            return stretch.start > bound if backwards else stretch.end < bound
    return True  # one shift over everything compiled


# --------------------------------------------------------------------------- finding


def feed_events(
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    *,
    level: int | None = None,
    person: str | None = None,
    whole_turns: bool = False,
) -> list[LevelEvents]:
    """The events of the shifts overlapping ``[start, end)``, team by team (in the order of
    ``timelines``), level by level, in order of start. (Calendar clients sort events
    themselves; this order costs nothing, and each process writes its teams' part.)

    ``level`` keeps one level (by number); ``person`` keeps the shifts that person is in.
    ``timelines`` come from :func:`compile_for_feeds` (with the same ``whole_turns``).
    """
    found = []
    for timeline in timelines:
        chains = _ChainKeys(timeline)
        for level_timeline in timeline.levels:
            if level is not None and level_timeline.level.number != level:
                continue
            if whole_turns:
                occurrences = _turns(level_timeline, chains, start, end, person)
            else:
                occurrences = _shifts(level_timeline, chains, start, end, person)
            found.append(LevelEvents(timeline.team, level_timeline.level, occurrences))
    return found


def _shifts(
    timeline: LevelTimeline,
    chains: _ChainKeys,
    start: dt.datetime,
    end: dt.datetime,
    person: str | None,
) -> tuple[Occurrence, ...]:
    """One event per shift: no object but the key and the occurrence per shift, since a year of
    a large organisation has hundreds of thousands of them."""
    shifts = [
        shift
        for shift in timeline.shifts()
        if shift.end > start and shift.start < end and (person is None or person in shift.who)
    ]
    keys = chains.keys_at([shift.start for shift in shifts])
    occurrences = [
        ((shift.who, shift.source or "", chain_key, None), shift.start, shift.end)
        for shift, chain_key in zip(shifts, keys, strict=True)
    ]
    return tuple(occurrences)


def _turns(
    timeline: LevelTimeline,
    chains: _ChainKeys,
    start: dt.datetime,
    end: dt.datetime,
    person: str | None,
) -> tuple[Occurrence, ...]:
    """One event per rotation turn (:func:`_whole_turns`)."""
    groups = [
        group
        for group in _whole_turns(timeline, list(timeline.shifts()))
        if group[-1].end > start
        and group[0].start < end
        and (person is None or person in group[0].who)
    ]
    keys = chains.keys_at([group[0].start for group in groups])
    occurrences: list[Occurrence] = []
    for group, chain_key in zip(groups, keys, strict=True):
        first, last = group[0], group[-1]
        pieces = tuple((s.start, s.end) for s in group) if len(group) > 1 else None
        frame = (first.who, first.source or "", chain_key, pieces)
        occurrences.append((frame, first.start, last.end))
    return tuple(occurrences)


class _ChainKeys:
    """Who each of a team's levels has on call at an instant: the key of the escalation chain
    at that instant, which depends on nothing else."""

    def __init__(self, timeline: TeamTimeline) -> None:
        # Per level, its stretches' starts and who each stretch has, shifted by one: for an
        # instant, ``whos[bisect_right(starts, instant)]`` is who the level has then.
        self._columns = [
            (lt.starts, (None, *[s.who for s in lt.stretches])) for lt in timeline.levels
        ]

    def keys_at(self, instants: Sequence[dt.datetime]) -> Iterator[ChainKey]:
        """Who each level has at each of ``instants`` (each in the compiled range): in bulk, one
        column per level, each looked up in C (``map`` over ``bisect``), because a feed asks
        this for every one of its shifts, and a lookup per shift written in Python shows in
        the time of a large export."""
        columns = [
            map(whos.__getitem__, map(bisect.bisect_right, itertools.repeat(starts), instants))
            for starts, whos in self._columns
        ]
        return zip(*columns, strict=True)  # never None: the instants are in the range


def _whole_turns(timeline: LevelTimeline, shifts: list[Stretch]) -> list[list[Stretch]]:
    """Shifts grouped by rotation turn.

    Two shifts that follow each other in the level's list of shifts join when they have the
    same people and the same source, that source is a rotation with handoffs (``start:``), both
    begin inside the same turn ``[H(k), H(k+1))`` of that rotation, and the level is off
    (outside its coverage) all the time between them: the nights of a week's turn outside
    business hours become one event. An override, a gap or another person between them keeps
    them apart. A rotation without handoffs (one member, always on call) has no turns to join
    by: its shifts stay as they are.
    """
    calendar = TeamCalendar(timeline.team)
    rotations = {f"rotation:{r.name}": r for r in timeline.level.rotations}
    turn_starts: dict[str, list[dt.datetime]] = {}

    def turn_of(shift: Stretch) -> dt.datetime | None:
        rotation = rotations.get(shift.source or "")
        if rotation is None or rotation.start is None:
            return None
        if shift.source not in turn_starts:
            turns = rotation_turns(rotation, calendar, timeline.start, timeline.end)
            turn_starts[shift.source or ""] = [t.start for t in turns]
        starts = turn_starts[shift.source or ""]
        index = bisect.bisect_right(starts, shift.start) - 1
        return starts[index] if index >= 0 else None

    groups: list[list[Stretch]] = []
    for shift in shifts:
        if groups:
            previous = groups[-1][-1]
            turn = turn_of(shift)
            if (
                turn is not None
                and frozenset(previous.who) == frozenset(shift.who)
                and previous.source == shift.source
                and turn_of(previous) == turn
                and _off_between(timeline, previous.end, shift.start)
            ):
                groups[-1].append(shift)
                continue
        groups.append([shift])
    return groups


def _off_between(timeline: LevelTimeline, start: dt.datetime, end: dt.datetime) -> bool:
    return all(not s.active for s in timeline.stretches if s.start < end and s.end > start)


# --------------------------------------------------------------------------- zones and people


def feed_zones(teams: Iterable[Team], person: str | None = None) -> list[str]:
    """The zones a feed of ``teams`` (of ``person``'s shifts only, if given) can use: those of
    the teams (where the person is in a rotation or an override)."""
    return sorted({team.timezone for team in teams if person is None or person in people_of(team)})


def event_zones(events: Iterable[LevelEvents]) -> list[str]:
    """The zones of the teams that have events among ``events``."""
    return sorted({found.team.timezone for found in events if found.occurrences})


def people_of(team: Team) -> set[str]:
    """Everyone the team can put on call: its rotations' members and its overrides' people."""
    rotations = {p for level in team.levels for r in level.rotations for p in r.everyone}
    return rotations | {p for override in team.overrides for p in override.who}
