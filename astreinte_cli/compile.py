"""Roster + range → timeline (SPEC §5 and §6). Pure: no clock, no output.

Each level is computed on intervals, in the order of SPEC §5: every rotation gives sorted
segments (its turns intersected with its ``only``, cut further only where its people's leave
meets them), later rotations are painted over earlier ones, overrides rewrite the segments
within their periods, coverage cuts the result, and equal neighbours merge. The state of each
segment is evaluated once, straight from the rules; nothing is evaluated instant by instant.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from astreinte_cli.handoffs import Grid
from astreinte_cli.intervals import Interval, Intervals, clip, complement, union
from astreinte_cli.model import Level, Override, Roster, Rotation, Team
from astreinte_cli.timeline import PLAIN, LevelTimeline, Placement, Stretch
from astreinte_cli.windows import TeamCalendar


class Mask:
    """Point membership in normalised intervals, by bisection."""

    def __init__(self, intervals: Intervals) -> None:
        self.intervals = intervals
        self._starts = [start for start, _ in intervals]

    def __contains__(self, instant: dt.datetime) -> bool:
        index = bisect.bisect_right(self._starts, instant) - 1
        return index >= 0 and instant < self.intervals[index][1]

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        index = bisect.bisect_right(self._starts, start) - 1
        if index >= 0 and start < self.intervals[index][1]:
            return True
        return index + 1 < len(self.intervals) and self.intervals[index + 1][0] < end

    def edges(self) -> Iterable[dt.datetime]:
        for start, end in self.intervals:
            yield start
            yield end


class Turn(NamedTuple):
    """A non-empty rotation turn: who it gives, as positions in the epoch's member list.

    A named tuple rather than a frozen dataclass: a large organisation's year has a great many
    turns, and a tuple is much cheaper to build."""

    start: dt.datetime
    end: dt.datetime
    members: tuple[str, ...]  # the epoch's list (for on_leave: next)
    positions: tuple[int, ...]
    # The people given, in order, once: a level's compilation reads it for every segment.
    who: tuple[str, ...]


# --------------------------------------------------------------------------- rotations


def rotation_turns(
    rotation: Rotation, calendar: TeamCalendar, start: dt.datetime, end: dt.datetime
) -> list[Turn]:
    """The non-empty turns of ``rotation`` overlapping ``[start, end)``, in order."""
    zone = calendar.zone
    stop = rotation.end.instant(zone) if rotation.end is not None else None
    if rotation.start is None:  # one member, on call all the time
        last = min(end, stop) if stop is not None else end
        members = rotation.members
        return [Turn(start, last, members, *_assignments(members, 1)[0])] if start < last else []
    grid = Grid(rotation.start, rotation.every, zone)
    epochs = _epochs(rotation, grid)
    # Who each turn gives depends on its count modulo the list's length: worked out once per
    # epoch and position in the cycle, not once per turn.
    cycles = [_assignments(members, rotation.per_turn) for _, members in epochs]
    first_k = max(0, grid.index_at_or_before(start))
    active_window: Mask | None = None
    if rotation.count == "active":
        # `only` evaluated once, over every turn the loop can meet (the last one starts before
        # `end`, so it ends by the handoff after `end`), rather than once per turn; and over
        # `[start, end)` too, so that the level's own evaluation of it is a clip of this one.
        first_start = min(start, grid.at(first_k))
        last_end = max(end, grid.at(max(first_k, grid.index_at_or_before(end)) + 1))
        active_window = Mask(calendar.evaluate(rotation.only, first_start, last_end))
    limit = end if stop is None else min(end, stop)
    turns: list[Turn] = []
    epoch_index = 0
    active_count: dict[int, int] = {}
    # Each handoff placed once: it ends one turn and starts the next.
    handoffs = itertools.pairwise(grid.handoffs(first_k))
    for k, (turn_start, following) in enumerate(handoffs, first_k):
        if turn_start >= limit:
            break
        turn_end = following if stop is None else min(following, stop)
        while epoch_index + 1 < len(epochs) and epochs[epoch_index + 1][0] <= k:
            epoch_index += 1
        if turn_start < turn_end and turn_end > start:
            epoch_k, members = epochs[epoch_index]
            if active_window is not None:
                if epoch_index not in active_count:
                    active_count[epoch_index] = _active_turns_before(
                        rotation, grid, calendar, epoch_k, k, stop
                    )
                if not active_window.overlaps(turn_start, turn_end):
                    continue
                index = active_count[epoch_index]
                active_count[epoch_index] += 1
            else:
                index = k - epoch_k
            cycle = cycles[epoch_index]
            turns.append(Turn(turn_start, turn_end, members, *cycle[index % len(cycle)]))
    return turns


def _assignments(
    members: tuple[str, ...], per_turn: int
) -> list[tuple[tuple[int, ...], tuple[str, ...]]]:
    """(positions, who) of the turns counted 0 to n - 1 of a list of n members (SPEC §5.2),
    after which they repeat: turn i gives members ``(i·P + j) mod n`` for j in 0..P-1, each
    person once, in that order."""
    n = len(members)
    found = []
    for index in range(n):
        positions = tuple((index * per_turn + j) % n for j in range(per_turn))
        found.append((positions, tuple(dict.fromkeys(members[p] for p in positions))))
    return found


def _epochs(rotation: Rotation, grid: Grid) -> list[tuple[int, tuple[str, ...]]]:
    """(first handoff index, member list) for the initial list and each member change."""
    epochs = [(0, rotation.members)]
    for change in rotation.changes:
        epochs.append((grid.first_at_or_after(change.start.instant(grid.zone)), change.members))
    return epochs


def _active_turns_before(
    rotation: Rotation,
    grid: Grid,
    calendar: TeamCalendar,
    first: int,
    k: int,
    stop: dt.datetime | None,
) -> int:
    """How many turns from handoff ``first`` up to (not including) ``k`` had time in ``only``."""
    if k <= first:
        return 0
    window = Mask(calendar.evaluate(rotation.only, grid.at(first), grid.at(k)))
    count = 0
    for index in range(first, k):
        turn_start, turn_end = grid.at(index), grid.at(index + 1)
        if stop is not None:
            turn_end = min(turn_end, stop)
        if turn_start < turn_end and window.overlaps(turn_start, turn_end):
            count += 1
    return count


# --------------------------------------------------------------------------- levels


class _RotationState:
    def __init__(
        self, rotation: Rotation, calendar: TeamCalendar, start: dt.datetime, end: dt.datetime
    ) -> None:
        self.rotation = rotation
        self.source = f"rotation:{rotation.name}"
        self.turns = rotation_turns(rotation, calendar, start, end)
        self.only = calendar.evaluate(rotation.only, start, end)


# Why each person of a segment is there (see timeline.Placement), or None when for no reason
# worth telling (a rotation gave them in its own turn).
Why = tuple[Placement, ...] | None

# A stretch of a level being built: [start, end), who (possibly nobody), source, why.
Segment = tuple[dt.datetime, dt.datetime, tuple[str, ...], str | None, Why]


# An override with its period's instants in the team's zone.
PlacedOverride = tuple[Override, dt.datetime, dt.datetime]


def placed_overrides(team: Team, level: int, calendar: TeamCalendar) -> list[PlacedOverride]:
    """The overrides of ``level`` (its number), in file order, with their instants."""
    zone = calendar.zone
    return [(o, *o.period.instants(zone)) for o in team.overrides if o.level == level]


def compile_level(
    roster: Roster,
    team: Team,
    level: Level,
    start: dt.datetime,
    end: dt.datetime,
    calendar: TeamCalendar | None = None,
    overrides: Sequence[PlacedOverride] | None = None,
    *,
    detailed: bool = False,
) -> LevelTimeline:
    """SPEC §5 on intervals rather than instant by instant: each rotation's turns cut to its
    ``only`` (leave applied where it meets them), the rotations painted over each other in
    order, the overrides applied within their periods, the result cut by coverage. The state is
    evaluated per segment where it is constant, straight from the rules, and equal neighbours
    merge: there are far fewer segments than instants to look at.

    ``overrides`` are the level's overrides to apply, in file order (default: all of them,
    :func:`placed_overrides`): a caller that compiles the level many times places them once.

    ``detailed``: what `now` needs, exact at every instant. Neighbours merge only when they
    have the same people in the same order for the same reasons (SPEC §8: `now` gives the
    order at the asked instant), and each stretch's ``why`` says who stands in for whom, who
    an override put there, and who is on call while on leave."""
    calendar = calendar or TeamCalendar(team)
    leave = _leave_masks(roster, team, level, start, end)
    layered: list[Segment] = []
    for rotation in level.rotations:
        state = _RotationState(rotation, calendar, start, end)
        layered = _layer(layered, _rotation_segments(state, leave, team.on_leave))
    parts = _partition(layered, start, end)
    if overrides is None:
        overrides = placed_overrides(team, level.number, calendar)
    meeting = [(o, s, e) for o, s, e in overrides if s < end and start < e]
    if meeting:
        parts = _apply_overrides(parts, meeting)
    coverage = calendar.coverage(level.coverage, start, end)
    pieces = _cut_by_coverage(parts, coverage, start, end, detailed=detailed)
    if detailed:
        pieces = _mark_leave(pieces, roster, team, start, end)
    stretches = [Stretch(*piece) for piece in pieces]
    return LevelTimeline(team, level, start, end, tuple(stretches))


def _rotation_segments(
    state: _RotationState, leave: dict[str, Mask], on_leave: str
) -> list[Segment]:
    """Where the rotation gives someone (SPEC §5.1-4, §6): its turns intersected with its
    ``only``, sorted and disjoint."""
    segments: list[Segment] = []
    turns, only = state.turns, state.only
    # With `on_leave: next`, where none of the rotation's people is away nobody stands in.
    # The segments come in order, so the leave that may meet them is found by walking `away`
    # alongside: `a` is the first of its intervals that does not end before the segment.
    away: Intervals = []
    if on_leave != "flag":
        away = union(i for p in state.rotation.everyone if p in leave for i in leave[p].intervals)
    if not away and len(only) == 1:
        # The common case (`only: always`, nobody standing in): each turn cut to the one
        # interval, without the general walk below.
        only_start, only_end = only[0]
        return [
            (max(turn.start, only_start), min(turn.end, only_end), turn.who, state.source, None)
            for turn in turns
            if turn.start < only_end and only_start < turn.end
        ]
    a = 0
    i = j = 0
    turn_count, only_count, away_count = len(turns), len(only), len(away)
    while i < turn_count and j < only_count:
        turn = turns[i]
        segment_start = max(turn.start, only[j][0])
        segment_end = min(turn.end, only[j][1])
        if segment_start < segment_end:
            while a < away_count and away[a][1] <= segment_start:
                a += 1
            if a == away_count or away[a][0] >= segment_end:  # nobody away
                segments.append((segment_start, segment_end, turn.who, state.source, None))
            else:
                segments.extend(
                    _substituted_segments(turn, segment_start, segment_end, leave, state.source)
                )
        if turn.end < only[j][1]:
            i += 1
        else:
            j += 1
    return segments


def _substituted_segments(
    turn: Turn, start: dt.datetime, end: dt.datetime, leave: dict[str, Mask], source: str
) -> Iterator[Segment]:
    """``on_leave: next`` over ``[start, end)`` of a turn: cut where the leave of a member of
    the turn's list begins or ends (only they can change who stands in), evaluated per piece;
    a piece where nobody can stand in gives nobody, so that a lower layer shows through."""
    cuts = {start, end}
    for person in set(turn.members):
        mask = leave.get(person)
        if mask is not None and mask.overlaps(start, end):
            cuts.update(t for t in mask.edges() if start < t < end)
    for piece_start, piece_end in itertools.pairwise(sorted(cuts)):
        who, why = _substituted(turn, leave, piece_start)
        if who:
            yield piece_start, piece_end, who, source, why


def _layer(lower: list[Segment], upper: list[Segment]) -> list[Segment]:
    """A later rotation wins wherever it gives someone (SPEC §5.5): ``upper`` whole, and
    ``lower`` where ``upper`` gives nobody."""
    if not lower or not upper:
        return upper or lower
    first, last = min(lower[0][0], upper[0][0]), max(lower[-1][1], upper[-1][1])
    free = complement([(s, e) for s, e, _, _, _ in upper], first, last)
    return sorted(upper + _clip_segments(lower, free), key=operator.itemgetter(0))


def _clip_segments(segments: list[Segment], intervals: Intervals) -> list[Segment]:
    """The parts of ``segments`` (sorted, disjoint) inside ``intervals``, payloads kept."""
    result: list[Segment] = []
    i = j = 0
    segment_count, interval_count = len(segments), len(intervals)
    while i < segment_count and j < interval_count:
        segment_start, segment_end, who, source, why = segments[i]
        piece_start = max(segment_start, intervals[j][0])
        piece_end = min(segment_end, intervals[j][1])
        if piece_start < piece_end:
            result.append((piece_start, piece_end, who, source, why))
        if segment_end < intervals[j][1]:
            i += 1
        else:
            j += 1
    return result


def _partition(segments: list[Segment], start: dt.datetime, end: dt.datetime) -> list[Segment]:
    """``segments`` with the time between them filled by nobody, so that they cover
    ``[start, end)`` exactly: an override applies where nobody is on call too."""
    parts: list[Segment] = []
    cursor = start
    for segment in segments:
        if cursor < segment[0]:
            parts.append((cursor, segment[0], (), None, None))
        parts.append(segment)
        cursor = segment[1]
    if cursor < end:
        parts.append((cursor, end, (), None, None))
    return parts


def _apply_overrides(parts: list[Segment], overrides: Sequence[PlacedOverride]) -> list[Segment]:
    """The overrides (SPEC §5.7), in file order, each on the result of the ones before, in one
    sweep: the parts are cut at every override's bounds, and each piece gets the overrides that
    cover it, applied in file order. Linear in the parts and overrides (and in how many
    overrides cover each piece): applying them one by one rebuilt the parts for each."""
    count = len(overrides)
    bounds = sorted({t for _, s, e in overrides for t in (s, e)})
    by_start = sorted(range(count), key=lambda i: overrides[i][1])
    by_end = sorted(range(count), key=lambda i: overrides[i][2])
    active: list[int] = []  # positions in `overrides` (file order) covering the piece
    started = ended = 0
    memo: dict[tuple[Payload, tuple[int, ...]], Payload] = {}
    result: list[Segment] = []
    for piece_start, piece_end, given, given_source, given_why in _cut_at(parts, bounds):
        payload: Payload = (given, given_source, given_why)
        while started < count and overrides[by_start[started]][1] <= piece_start:
            bisect.insort(active, by_start[started])
            started += 1
        while ended < count and overrides[by_end[ended]][2] <= piece_start:
            active.remove(by_end[ended])
            ended += 1
        if active:
            key = (payload, tuple(active))
            found = memo.get(key)
            if found is None:
                # An override without `replaces` sets the level whatever came before it: the
                # fold starts at the last such one (a stack of swaps costs one, not all).
                first = len(active) - 1
                while first > 0 and overrides[active[first]][0].replaces is not None:
                    first -= 1
                found = payload
                for position in active[first:]:
                    found = _overridden(overrides[position][0], *found)
                memo[key] = found
            payload = found
        result.append((piece_start, piece_end, *payload))
    return result


Payload = tuple[tuple[str, ...], str | None, Why]  # who, source and why


def _cut_at(parts: list[Segment], bounds: Sequence[dt.datetime]) -> Iterator[Segment]:
    """``parts`` (sorted, contiguous) cut at each of ``bounds`` (sorted) that falls inside one."""
    b = 0
    count = len(bounds)
    for part_start, part_end, who, source, why in parts:
        while b < count and bounds[b] <= part_start:
            b += 1
        cursor = part_start
        while b < count and bounds[b] < part_end:
            yield cursor, bounds[b], who, source, why
            cursor = bounds[b]
            b += 1
        yield cursor, part_end, who, source, why


# A stretch before it is built: [start, end), who, source, inside coverage, why.
Piece = tuple[dt.datetime, dt.datetime, tuple[str, ...], str | None, bool, Why]


def _cut_by_coverage(
    parts: list[Segment],
    coverage: Intervals,
    start: dt.datetime,
    end: dt.datetime,
    *,
    detailed: bool = False,
) -> list[Piece]:
    """The parts (covering ``[start, end)``) cut where coverage begins or ends (SPEC §5.8):
    outside coverage the level is off, whoever is given; inside, nobody is a gap. Neighbours
    that a reader cannot tell apart (same coverage, source and set of people; ``detailed``:
    the same people in the same order, for the same reasons) merge, as plain tuples: the
    stretches, many in a large organisation's year, are built once they are final."""
    zones = sorted(
        [(s, e, True) for s, e in coverage]
        + [(s, e, False) for s, e in complement(coverage, start, end)]
    )
    pieces: list[Piece] = []
    i = j = 0
    part_count, zone_count = len(parts), len(zones)
    while i < part_count and j < zone_count:
        part_start, part_end, who, source, why = parts[i]
        zone_start, zone_end, active = zones[j]
        piece_start = max(part_start, zone_start)
        piece_end = min(part_end, zone_end)
        if part_end < zone_end:
            i += 1
        else:
            j += 1
        if piece_start >= piece_end:
            continue
        if not (active and who):  # a gap, or off
            who, source, why = (), None, None
        if pieces:
            last = pieces[-1]
            # `Stretch.shift_key` compared without building its frozensets.
            if (
                last[3] == source
                and last[4] == active
                and (
                    (last[2] == who and last[5] == why)
                    if detailed
                    else (last[2] == who or set(last[2]) == set(who))
                )
            ):
                pieces[-1] = (last[0], piece_end, last[2], source, active, last[5])
                continue
        pieces.append((piece_start, piece_end, who, source, active, why))
    return pieces


def _mark_leave(
    pieces: list[Piece], roster: Roster, team: Team, start: dt.datetime, end: dt.datetime
) -> list[Piece]:
    """Who is on call while on leave (SPEC §6 `flag`, or put there by an override), marked in
    each piece's ``why``; a piece is cut where someone of it goes on leave or comes back."""
    people = {person for piece in pieces for person in piece[2]}
    away = _away_masks(roster, team, people, start, end)
    if not away:
        return pieces
    marked: list[Piece] = []
    for piece in pieces:
        piece_start, piece_end, who = piece[0], piece[1], piece[2]
        masks = [
            (position, away[person])
            for position, person in enumerate(who)
            if person in away and away[person].overlaps(piece_start, piece_end)
        ]
        if not masks:
            marked.append(piece)
            continue
        cuts = {piece_start, piece_end}
        for _position, mask in masks:
            cuts.update(t for t in mask.edges() if piece_start < t < piece_end)
        for cut_start, cut_end in itertools.pairwise(sorted(cuts)):
            why = list(piece[5] or (PLAIN,) * len(who))
            for position, mask in masks:
                if cut_start in mask:
                    standing_in_for, override, _on_leave = why[position]
                    why[position] = (standing_in_for, override, True)
            marked.append((cut_start, cut_end, who, piece[3], piece[4], _telling(why)))
    return marked


def _telling(why: Iterable[Placement]) -> Why:
    """``why`` as a tuple, or None when it tells nothing (every placement is plain)."""
    found = tuple(why)
    return None if all(placement == PLAIN for placement in found) else found


def _substituted(
    turn: Turn, leave: dict[str, Mask], instant: dt.datetime
) -> tuple[tuple[str, ...], Why]:
    """``on_leave: next``: each absent member's place goes to the next member of the list,
    cyclically after the absent one, who is neither on leave nor already given; with each
    substitute, whose place it takes."""

    def away(person: str) -> bool:
        return person in leave and instant in leave[person]

    given = [turn.members[p] for p in turn.positions]
    taken = set(given)
    result: dict[str, Placement] = {}
    n = len(turn.members)
    for position in turn.positions:
        person = turn.members[position]
        if not away(person):
            result.setdefault(person, PLAIN)
            continue
        for step in range(1, n):
            candidate = turn.members[(position + step) % n]
            if not away(candidate) and candidate not in taken:
                result[candidate] = (person, None, False)
                taken.add(candidate)
                break
    return tuple(result), _telling(result.values())


def _overridden(
    override: Override, who: tuple[str, ...], source: str | None, why: Why
) -> tuple[tuple[str, ...], str | None, Why]:
    """One override on the level's state where it applies (SPEC §5.7): the overrides are
    applied in file order, each on the result of the ones before. Whom it puts on call is
    placed by it; who stays keeps their own reason."""
    by_override: Placement = (None, override.index, False)
    if override.replaces is None:
        people = tuple(dict.fromkeys(override.who))
        return people, override.source, (by_override,) * len(people)
    if override.replaces not in who:
        return who, source, why
    placements = why or (PLAIN,) * len(who)
    result: dict[str, Placement] = {}
    for person, placement in zip(who, placements, strict=True):
        if person == override.replaces:
            # Who is already on call stays where they are: X too, if `who` names X.
            for p in override.who:
                if p == person:
                    result.setdefault(p, placement)
                elif p not in who:
                    result.setdefault(p, by_override)
        else:
            result.setdefault(person, placement)
    return tuple(result), override.source, _telling(result.values())


def _leave_masks(
    roster: Roster, team: Team, level: Level, start: dt.datetime, end: dt.datetime
) -> dict[str, Mask]:
    """Leave of the level's rotation members, in the team's zone, within the range."""
    members = {p for rotation in level.rotations for p in rotation.everyone}
    return _away_masks(roster, team, members, start, end)


def _away_masks(
    roster: Roster, team: Team, members: Iterable[str], start: dt.datetime, end: dt.datetime
) -> dict[str, Mask]:
    """Leave of ``members``, in the team's zone, within the range."""
    by_person = roster.leave_by_person
    # A period's clock readings are within a day of its instants read in UTC (no zone or offset
    # is 24 hours from UTC): leave two days clear of the range is dropped before being placed.
    # A roster with years of leave is then compiled over a day without placing all of it.
    after = start.astimezone(dt.UTC).replace(tzinfo=None) - _CLEAR
    before = end.astimezone(dt.UTC).replace(tzinfo=None) + _CLEAR
    periods: dict[str, list[Interval]] = {
        person: [
            item.period.instants(team.zone)
            for _, item in by_person[person]
            if item.period.end.local > after and item.period.start.local < before
        ]
        for person in members
        if person in by_person
    }
    clipped = {person: clip(union(found), start, end) for person, found in periods.items()}
    return {person: Mask(intervals) for person, intervals in clipped.items() if intervals}


_CLEAR = dt.timedelta(days=2)


# --------------------------------------------------------------------------- teams


@dataclass(frozen=True, slots=True)
class TeamTimeline:
    team: Team
    levels: tuple[LevelTimeline, ...]


def compile_team(
    roster: Roster,
    team: Team,
    start: dt.datetime,
    end: dt.datetime,
    *,
    detailed: bool = False,
) -> TeamTimeline:
    calendar = TeamCalendar(team)
    return TeamTimeline(
        team,
        tuple(
            compile_level(roster, team, lv, start, end, calendar, detailed=detailed)
            for lv in team.levels
        ),
    )
