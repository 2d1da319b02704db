"""Roster + range → timeline (SPEC §5 and §6). Pure: no clock, no output.

Each level is computed on elementary intervals: every instant where any input can change (a
handoff, a window edge, a leave edge, an override edge, a coverage edge) cuts the range, and
the state of each piece is evaluated once, straight from the rules, then equal neighbours merge.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from astreinte_cli.handoffs import Grid
from astreinte_cli.intervals import Interval, Intervals, clip, union
from astreinte_cli.model import Leave, Level, Override, Roster, Rotation, Team
from astreinte_cli.timeline import LevelTimeline, Stretch
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


@dataclass(frozen=True, slots=True)
class Turn:
    """A non-empty rotation turn: who it gives, as positions in the epoch's member list."""

    start: dt.datetime
    end: dt.datetime
    members: tuple[str, ...]  # the epoch's list (for on_leave: next)
    positions: tuple[int, ...]

    @property
    def who(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.members[p] for p in self.positions))


class TurnIndex:
    def __init__(self, turns: list[Turn]) -> None:
        self.turns = turns
        self._starts = [t.start for t in turns]

    def at(self, instant: dt.datetime) -> Turn | None:
        index = bisect.bisect_right(self._starts, instant) - 1
        if index >= 0 and instant < self.turns[index].end:
            return self.turns[index]
        return None


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
        return [Turn(start, last, members, (0,))] if start < last else []
    grid = Grid(rotation.start, rotation.every, zone)
    epochs = _epochs(rotation, grid)
    first_k = max(0, grid.index_at_or_before(start))
    active_window: Mask | None = None
    if rotation.count == "active":
        # `only` evaluated once, over every turn the loop can meet (the last one starts before
        # `end`, so it ends by the handoff after `end`), rather than once per turn.
        last_end = grid.at(max(first_k, grid.index_at_or_before(end)) + 1)
        active_window = Mask(calendar.evaluate(rotation.only, grid.at(first_k), last_end))
    turns: list[Turn] = []
    epoch_index = 0
    active_count: dict[int, int] = {}
    k = first_k
    while True:
        turn_start = grid.at(k)
        if turn_start >= end or (stop is not None and turn_start >= stop):
            break
        turn_end = grid.at(k + 1)
        if stop is not None:
            turn_end = min(turn_end, stop)
        while epoch_index + 1 < len(epochs) and epochs[epoch_index + 1][0] <= k:
            epoch_index += 1
        epoch_k, members = epochs[epoch_index]
        if turn_start < turn_end and turn_end > start:
            if active_window is not None:
                if epoch_index not in active_count:
                    active_count[epoch_index] = _active_turns_before(
                        rotation, grid, calendar, epoch_k, k, stop
                    )
                index = active_count[epoch_index]
                if not active_window.overlaps(turn_start, turn_end):
                    k += 1
                    continue
                active_count[epoch_index] += 1
            else:
                index = k - epoch_k
            n = len(members)
            positions = tuple((index * rotation.per_turn + j) % n for j in range(rotation.per_turn))
            turns.append(Turn(turn_start, turn_end, members, positions))
        k += 1
    return turns


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
        self.turns = TurnIndex(rotation_turns(rotation, calendar, start, end))
        self.only = Mask(calendar.evaluate(rotation.only, start, end))

    def edges(self) -> Iterable[dt.datetime]:
        for turn in self.turns.turns:
            yield turn.start
            yield turn.end
        yield from self.only.edges()


def compile_level(
    roster: Roster,
    team: Team,
    level: Level,
    start: dt.datetime,
    end: dt.datetime,
    calendar: TeamCalendar | None = None,
) -> LevelTimeline:
    calendar = calendar or TeamCalendar(team)
    rotations = [_RotationState(r, calendar, start, end) for r in level.rotations]
    leave = _leave_masks(roster, team, level, start, end)
    overrides = [
        (o, *o.period.instants(calendar.zone)) for o in team.overrides if o.level == level.number
    ]
    overrides = [(o, s, e) for o, s, e in overrides if s < end and start < e]
    coverage = Mask(calendar.coverage(level.coverage, start, end))

    cuts = {start, end}
    for state in rotations:
        cuts.update(state.edges())
    for mask in leave.values():
        cuts.update(mask.edges())
    for _, s, e in overrides:
        cuts.update((s, e))
    cuts.update(coverage.edges())
    points = sorted(t for t in cuts if start <= t <= end)

    stretches: list[Stretch] = []
    for piece_start, piece_end in itertools.pairwise(points):
        if piece_start >= piece_end:
            continue
        active = piece_start in coverage
        if active:  # outside coverage the level is off, whoever the rotations give
            who, source = _layered(rotations, leave, team.on_leave, piece_start)
            who, source = _overridden(overrides, who, source, piece_start)
        if not active or not who:
            who, source = (), None
        _append(stretches, Stretch(piece_start, piece_end, who, source, active))
    return LevelTimeline(team, level, start, end, tuple(stretches))


def _append(stretches: list[Stretch], stretch: Stretch) -> None:
    """Merge with the previous stretch when nothing a reader can see changed."""
    if stretches:
        last = stretches[-1]
        # `shift_key` compared without building its frozensets: this runs once per piece.
        if (
            last.source == stretch.source
            and last.active == stretch.active
            and (last.who == stretch.who or set(last.who) == set(stretch.who))
        ):
            stretches[-1] = Stretch(last.start, stretch.end, last.who, last.source, last.active)
            return
    stretches.append(stretch)


def _layered(
    rotations: Sequence[_RotationState],
    leave: dict[str, Mask],
    on_leave: str,
    instant: dt.datetime,
) -> tuple[tuple[str, ...], str | None]:
    """The later rotation that gives someone wins (SPEC §5.5), after leave (§6)."""
    for state in reversed(rotations):
        if instant not in state.only:
            continue
        turn = state.turns.at(instant)
        if turn is None:
            continue
        who = turn.who if on_leave == "flag" else _substituted(turn, leave, instant)
        if who:
            return who, state.source
    return (), None


def _substituted(turn: Turn, leave: dict[str, Mask], instant: dt.datetime) -> tuple[str, ...]:
    """``on_leave: next``: each absent member's place goes to the next member of the list,
    cyclically after the absent one, who is neither on leave nor already given."""

    def away(person: str) -> bool:
        return person in leave and instant in leave[person]

    given = [turn.members[p] for p in turn.positions]
    taken = set(given)
    result: list[str] = []
    n = len(turn.members)
    for position in turn.positions:
        person = turn.members[position]
        if not away(person):
            if person not in result:
                result.append(person)
            continue
        for step in range(1, n):
            candidate = turn.members[(position + step) % n]
            if not away(candidate) and candidate not in taken:
                result.append(candidate)
                taken.add(candidate)
                break
    return tuple(dict.fromkeys(result))


def _overridden(
    overrides: Sequence[tuple[Override, dt.datetime, dt.datetime]],
    who: tuple[str, ...],
    source: str | None,
    instant: dt.datetime,
) -> tuple[tuple[str, ...], str | None]:
    """Overrides in file order, each on the result of the ones before (SPEC §5.7)."""
    for override, start, end in overrides:
        if not start <= instant < end:
            continue
        if override.replaces is None:
            who, source = tuple(dict.fromkeys(override.who)), override.source
        elif override.replaces in who:
            result: list[str] = []
            for person in who:
                if person == override.replaces:
                    # Who is already on call stays where they are: X too, if `who` names X.
                    result.extend(p for p in override.who if p not in who or p == person)
                else:
                    result.append(person)
            who, source = tuple(dict.fromkeys(result)), override.source
    return who, source


def _leave_masks(
    roster: Roster, team: Team, level: Level, start: dt.datetime, end: dt.datetime
) -> dict[str, Mask]:
    """Leave of the level's rotation members, in the team's zone, within the range."""
    members = {p for rotation in level.rotations for p in rotation.everyone}
    by_person = _leave_by_person(roster)
    periods: dict[str, list[Interval]] = {
        person: [item.period.instants(team.zone) for item in by_person[person]]
        for person in members
        if person in by_person
    }
    return {
        person: Mask(clip(union(found), start, end))
        for person, found in periods.items()
        if clip(union(found), start, end)
    }


# The last roster seen and its leave by person. Scanning the whole roster's leave for each
# level made an organisation's compile time grow with the square of its size. The memo holds
# the roster itself, so an identity match cannot be a different roster at a reused address.
_leave_index: dict[str, tuple[Roster, dict[str, list[Leave]]]] = {}


def _leave_by_person(roster: Roster) -> dict[str, list[Leave]]:
    last = _leave_index.get("last")
    if last is None or last[0] is not roster:
        index: dict[str, list[Leave]] = {}
        for item in roster.leave:
            index.setdefault(item.person, []).append(item)
        last = _leave_index["last"] = (roster, index)
    return last[1]


# --------------------------------------------------------------------------- teams


@dataclass(frozen=True, slots=True)
class TeamTimeline:
    team: Team
    levels: tuple[LevelTimeline, ...]


def compile_team(roster: Roster, team: Team, start: dt.datetime, end: dt.datetime) -> TeamTimeline:
    calendar = TeamCalendar(team)
    return TeamTimeline(
        team,
        tuple(compile_level(roster, team, lv, start, end, calendar) for lv in team.levels),
    )


def compile_roster(
    roster: Roster, start: dt.datetime, end: dt.datetime, teams: Iterable[Team] | None = None
) -> list[TeamTimeline]:
    return [compile_team(roster, team, start, end) for team in (teams or roster.teams)]
