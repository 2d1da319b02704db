"""A brute-force reference for the timeline compiler: the rules of SPEC §2, §4, §5 and §6
evaluated minute by minute, straight from their definitions.

It shares nothing with the compiler but the model: no handoff grid, no interval algebra, no
``times.place``. Local clock readings are placed on the timeline by a different route. Let
r(m) be the reading of the local clock at UTC minute m, and R(m) the highest reading it has
shown up to m (the clock's high-water mark). The §2 placement of a local reading L, "the
instant the clocks jump to or past it, else its first occurrence", is the first minute m with
r(m) >= L, so an instant t is at or after the placement of L exactly when R(t) >= L. Every
local edge (handoff, window edge, period end) then becomes a comparison of R(t) with a clock
reading, minute by minute.

Every instant is a whole number of minutes: minutes since 1970-01-01 00:00, UTC for instants
and naive for local readings. Test rosters keep every time on whole minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

from astreinte_cli.model import (
    ExceptWindow,
    HolidayCalendar,
    Level,
    NamedWindow,
    Roster,
    Rotation,
    Team,
    UnionWindow,
    WeeklyMap,
    Window,
)
from astreinte_cli.times import Period, WallTime

MINUTE = dt.timedelta(minutes=1)
DAY = 24 * 60
EPOCH = dt.datetime(1970, 1, 1)  # a Thursday
EPOCH_UTC = EPOCH.replace(tzinfo=dt.UTC)
LOOKBACK = 180  # minutes: more than any clock ever goes back at once

# (UTC minute, local high-water reading) → whether the instant is inside
Predicate = Callable[[int, int], bool]


class State(NamedTuple):
    active: bool
    who: tuple[str, ...]
    source: str | None


# Why each person of a state is there, as the compiler's detailed stretches say it: (the person
# on leave whose place they take, the number of the override that put them there, whether they
# are on leave themselves); None when every one is (None, None, False).
Placement = tuple[str | None, int | None, bool]
PLAIN: Placement = (None, None, False)
Why = tuple[Placement, ...] | None


def local_minutes(reading: dt.datetime) -> int:
    """A naive clock reading as minutes since 1970-01-01 00:00."""
    minutes, rest = divmod(reading - EPOCH, MINUTE)
    assert not rest, f"{reading} is not on a whole minute"
    return int(minutes)


def utc_minutes(instant: dt.datetime) -> int:
    minutes, rest = divmod(instant - EPOCH_UTC, MINUTE)
    assert not rest, f"{instant} is not on a whole minute"
    return int(minutes)


def instant_of(minutes: int) -> dt.datetime:
    return EPOCH_UTC + minutes * MINUTE


def weekday_of(day: int) -> int:
    """0 = Monday for a day number counted from 1970-01-01."""
    return (day + 3) % 7


class Clock:
    """The local clock of a zone, read at UTC minutes."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._reading: dict[int, int] = {}
        self._high: dict[int, int] = {}

    def reading(self, m: int) -> int:
        value = self._reading.get(m)
        if value is None:
            offset = dt.datetime.fromtimestamp(m * 60, self.zone).utcoffset()
            assert offset is not None
            value = self._reading[m] = m + offset // MINUTE
        return value

    def high(self, m: int) -> int:
        """R(m): the highest reading shown at or before minute m."""
        value = self._high.get(m)
        if value is None:
            before = self._high.get(m - 1)
            if before is None:
                value = max(self.reading(x) for x in range(m - LOOKBACK, m + 1))
            else:
                value = max(before, self.reading(m))
            self._high[m] = value
        return value

    def place(self, local: int) -> int:
        """The first UTC minute at which the clock shows ``local`` or later (SPEC §2)."""
        offsets = [self.reading(local + d * DAY) - (local + d * DAY) for d in (-2, -1, 0, 1, 2)]
        m = local - max(offsets) - LOOKBACK
        assert self.reading(m) < local - 60
        while self.reading(m) < local:
            m += 1
        return m


# --------------------------------------------------------------------------- the reference


class Reference:
    """The state of every level of ``team`` at any minute, from the SPEC's rules alone."""

    def __init__(self, roster: Roster, team: Team) -> None:
        self.roster = roster
        self.team = team
        self.clock = Clock(ZoneInfo(team.timezone))
        self._holidays: dict[int, set[int]] = {}
        self.away = {person: self._away(person) for person in roster.people}
        self.levels = {level.number: _LevelRef(self, level) for level in team.levels}

    # ------------------------------------------------------------------ values

    def reached(self, value: WallTime) -> Predicate:
        """Whether the instant is at or after ``value`` (a local reading or an absolute time)."""
        if value.offset is not None:
            absolute = utc_minutes(value.local.replace(tzinfo=value.offset))
            return lambda m, _c: m >= absolute
        local = local_minutes(value.local)
        return lambda _m, c: c >= local

    def instant(self, value: WallTime) -> int:
        if value.offset is not None:
            return utc_minutes(value.local.replace(tzinfo=value.offset))
        return self.clock.place(local_minutes(value.local))

    def period(self, period: Period) -> Predicate:
        started, ended = self.reached(period.start), self.reached(period.end)
        return lambda m, c: started(m, c) and not ended(m, c)

    def _away(self, person: str) -> Predicate:
        periods = [self.period(item.period) for item in self.roster.leave if item.person == person]
        return lambda m, c: any(inside(m, c) for inside in periods)

    # ------------------------------------------------------------------ windows (§4)

    def is_holiday(self, day: int) -> bool:
        calendar = self.team.holidays
        if calendar is None:
            return False
        date = EPOCH.date() + dt.timedelta(days=day)
        if date.year not in self._holidays:
            self._holidays[date.year] = _holiday_days(calendar, date.year)
        return day in self._holidays[date.year]

    def window(self, window: Window) -> Predicate:
        if isinstance(window, WeeklyMap):
            return self._weekly(window)
        if isinstance(window, UnionWindow):
            parts = [self.window(part) for part in window.parts]
            return lambda m, c: any(part(m, c) for part in parts)
        if isinstance(window, ExceptWindow):
            base, minus = self.window(window.base), self.window(window.minus)
            return lambda m, c: base(m, c) and not minus(m, c)
        return self._named(window)

    def _weekly(self, weekly: WeeklyMap) -> Predicate:
        # A range belongs to the date it starts on and lasts at most 24 hours, so an instant
        # can only be inside a range of its own local date or of the day before.
        ranges: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
        for weekday, time_range in weekly.days:
            length = (time_range.end - time_range.start) % DAY or DAY
            ranges[weekday].append((time_range.start, time_range.start + length))

        def inside(_m: int, c: int) -> bool:
            today = c // DAY
            for day in (today, today - 1):
                offset = c - day * DAY
                for start, end in ranges[weekday_of(day)]:
                    if start <= offset < end:
                        return True
            return False

        return inside

    def _named(self, window: NamedWindow) -> Predicate:
        name = window.name
        if name == "always":
            return lambda _m, _c: True
        if name == "holidays":
            return lambda _m, c: self.is_holiday(c // DAY)
        if name == "weekends":
            return lambda _m, c: weekday_of(c // DAY) >= 5
        if name == "weekdays":
            return lambda _m, c: weekday_of(c // DAY) < 5
        business = self._business_hours()
        if name == "business hours":
            return business
        return lambda m, c: not business(m, c)

    def _business_hours(self) -> Predicate:
        hours = self.team.business_hours
        assert hours is not None
        weekly = self._weekly(hours.weekly)
        closed = [self.period(period) for period in hours.closed]
        return lambda m, c: (
            weekly(m, c) and not self.is_holiday(c // DAY) and not any(p(m, c) for p in closed)
        )

    # ------------------------------------------------------------------ levels (§5)

    def at(self, instant: dt.datetime) -> dict[int, State]:
        """The state of every level at ``instant``, by level number."""
        m = utc_minutes(instant)
        return {number: level.state(m, self.clock.high(m)) for number, level in self.levels.items()}

    def state(self, level: Level, instant: dt.datetime) -> State:
        m = utc_minutes(instant)
        return self.levels[level.number].state(m, self.clock.high(m))

    def states(self, level: Level, start: dt.datetime, end: dt.datetime) -> list[State]:
        """The state at every minute of ``[start, end)``."""
        evaluate = self.levels[level.number].state
        high = self.clock.high
        return [evaluate(m, high(m)) for m in range(utc_minutes(start), utc_minutes(end))]

    def explained(
        self, level: Level, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[State, Why]]:
        """The state at every minute of ``[start, end)``, with why each person is there."""
        evaluate = self.levels[level.number].explained
        high = self.clock.high
        return [evaluate(m, high(m)) for m in range(utc_minutes(start), utc_minutes(end))]


def _holiday_days(calendar: HolidayCalendar, year: int) -> set[int]:
    found = set(holidays.country_holidays(calendar.country, subdiv=calendar.subdiv, years=year))
    found.update(day for day in calendar.add if day.year == year)
    found.difference_update(calendar.remove)
    return {(day - EPOCH.date()).days for day in found}


class _LevelRef:
    def __init__(self, ref: Reference, level: Level) -> None:
        team = ref.team
        self.rotations = [_RotationRef(ref, rotation) for rotation in level.rotations]
        self.next = team.on_leave == "next"
        self.away = ref.away
        self.overrides = [
            (ref.period(o.period), o.who, o.replaces, o.source)
            for o in team.overrides
            if o.level == level.number
        ]
        coverage = level.coverage if level.coverage is not None else team.coverage
        self.coverage = ref.window(coverage)

    def state(self, m: int, c: int) -> State:
        return self.explained(m, c)[0]

    def explained(self, m: int, c: int) -> tuple[State, Why]:
        """The state at minute m, and why each person is there: a person keeps the reason of
        the step that placed them (a substitute, an override) until a later step removes them;
        being on leave is read at the end."""
        if not self.coverage(m, c):
            return State(False, (), None), None
        # person → (whose place they take, the override that placed them)
        placed: dict[str, tuple[str | None, int | None]] = {}
        source: str | None = None
        for rotation in reversed(self.rotations):  # a later rotation wins where it gives someone
            turn = rotation.turn(m, c)
            if turn is None:
                continue
            members, positions = turn
            if self.next:
                placed = self._substituted(members, positions, m, c)
            else:
                placed = dict.fromkeys(_once(members[p] for p in positions), (None, None))
            if placed:
                source = rotation.source
                break
        for inside, people, replaces, override_source in self.overrides:
            if not inside(m, c):
                continue
            number = int(override_source.removeprefix("override:"))
            if replaces is None:
                placed = dict.fromkeys(_once(people), (None, number))
                source = override_source
            elif replaces in placed:
                who = _replaced(tuple(placed), replaces, people)
                placed = {p: placed.get(p, (None, number)) for p in who}
                source = override_source
        if not placed:
            return State(True, (), None), None
        who = tuple(placed)
        why = tuple((*placed[p], self.away[p](m, c)) for p in who)
        return State(True, who, source), None if all(w == PLAIN for w in why) else why

    def _substituted(
        self, members: Sequence[str], positions: Sequence[int], m: int, c: int
    ) -> dict[str, tuple[str | None, int | None]]:
        """``on_leave: next``, as the compiler reads §6: the places in rotation order, each
        absent member's taken by the next one of the list after it who is not on leave, not
        given by the turn and not already a substitute; each substitute with whose place it
        takes."""
        given = [members[p] for p in positions]
        chosen: dict[str, tuple[str | None, int | None]] = {}
        for position, person in zip(positions, given, strict=True):
            if not self.away[person](m, c):
                chosen.setdefault(person, (None, None))
                continue
            for step in range(1, len(members)):
                candidate = members[(position + step) % len(members)]
                if candidate in given or candidate in chosen or self.away[candidate](m, c):
                    continue
                chosen[candidate] = (person, None)
                break
        return chosen


def _once(people: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(people))


def _replaced(who: tuple[str, ...], replaced: str, by: Sequence[str]) -> tuple[str, ...]:
    """X alone is replaced by ``by`` in its place; who is already on call stays where they are
    (X included, when ``by`` names X)."""
    result: list[str] = []
    for person in who:
        if person == replaced:
            result.extend(p for p in by if p == replaced or p not in who)
        else:
            result.append(person)
    return _once(result)


class _RotationRef:
    def __init__(self, ref: Reference, rotation: Rotation) -> None:
        self.ref = ref
        self.rotation = rotation
        self.source = f"rotation:{rotation.name}"
        self.only = ref.window(rotation.only)
        self.ended = ref.reached(rotation.end) if rotation.end is not None else None
        self.started: Predicate | None = None
        self.epochs: list[tuple[int, tuple[str, ...]]] = []
        self._given: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] = {}
        self._handoffs: dict[int, int] = {}
        self._active: set[int] = set()  # turns found with time inside `only`
        self._scan_from: int | None = None
        self._scanned = 0  # the next UTC minute to scan for active turns
        self._ended = False
        if rotation.start is None:
            return
        clock = ref.clock
        start = rotation.start
        self.started = ref.reached(start)
        self.every: int = rotation.every // MINUTE
        assert self.every * MINUTE == rotation.every
        self.first = ref.instant(start)  # H(0)
        # The clock reading of H(0): with an offset, wherever that very instant falls.
        self.origin: int = clock.reading(self.first) if start.offset else local_minutes(start.local)
        self.epochs = [(0, rotation.members)]
        for change in rotation.changes:
            self.epochs.append(
                (self._first_handoff_from(ref.instant(change.start)), change.members)
            )

    def handoff(self, k: int) -> int:
        """H(k) as a UTC minute."""
        if k == 0:
            return self.first
        found = self._handoffs.get(k)
        if found is None:
            found = self._handoffs[k] = self.ref.clock.place(self.origin + k * self.every)
        return found

    def _first_handoff_from(self, instant: int) -> int:
        k = max(0, (self.ref.clock.reading(instant) - self.origin) // self.every - 2)
        while k > 0 and self.handoff(k - 1) >= instant:
            k -= 1
        while self.handoff(k) < instant:
            k += 1
        return k

    def index(self, m: int, c: int) -> int | None:
        """The turn that holds minute m, if any."""
        if self.started is None or not self.started(m, c):
            return None
        if self.ended is not None and self.ended(m, c):
            return None
        return (c - self.origin) // self.every

    def turn(self, m: int, c: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
        """The member list and the positions in it that the rotation gives at minute m."""
        rotation = self.rotation
        if not self.only(m, c):
            return None
        if rotation.start is None:
            if self.ended is not None and self.ended(m, c):
                return None
            return rotation.members, (0,)
        k = self.index(m, c)
        if k is None:
            return None
        given = self._given.get(k)
        if given is None:
            given = self._given[k] = self._give(k)
        return given

    def _give(self, k: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
        rotation = self.rotation
        epoch, members = next((e, ms) for e, ms in reversed(self.epochs) if e <= k)
        count = k - epoch
        if rotation.count == "active":
            count = sum(1 for j in range(epoch, k) if self._is_active(j, epoch))
        n = len(members)
        return members, tuple((count * rotation.per_turn + j) % n for j in range(rotation.per_turn))

    def _is_active(self, k: int, epoch: int) -> bool:
        """Whether turn k has any minute inside ``only``, by scanning every minute from the
        epoch's first handoff on (a turn no minute falls in, empty, is never active)."""
        first = self.handoff(epoch)
        if self._scan_from is None or first < self._scan_from:
            self._scan_from = self._scanned = first
            self._active, self._ended = set(), False
        clock = self.ref.clock
        while not self._ended:
            m = self._scanned
            c = clock.high(m)
            j = self.index(m, c)
            if j is None:  # from `end` on: no more turns
                self._ended = True
            elif j > k:
                break
            elif j not in self._active and self.only(m, c):
                self._active.add(j)
            self._scanned = m + 1
        return k in self._active
