"""The compiled timeline: per team and level, contiguous half-open stretches over a range."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field

from astreinte_cli.model import Level, Team

# Why one person of a stretch is there: (the person on leave whose place they take under
# `on_leave: next`, or None; the number of the override that put them there, or None; whether
# they are on leave themselves). A stretch's ``why`` holds one per person of ``who``, in the
# same order, or is None when every one would be (None, None, False).
Placement = tuple[str | None, int | None, bool]
PLAIN: Placement = (None, None, False)


@dataclass(frozen=True, slots=True)
class Stretch:
    """``[start, end)`` in UTC, during which the level's state is constant.

    ``active`` says whether the stretch is inside the level's coverage; ``who`` is empty outside
    it, and empty inside it for a gap. ``source`` is ``rotation:NAME`` or ``override:N`` (SPEC §5),
    None when nobody is on call. ``why`` (see :data:`Placement`) is kept by a detailed
    compilation (``compile_level(..., detailed=True)``, what `now` asks for), whose stretches
    are also cut where only the order of ``who`` changes; elsewhere it is None.
    """

    start: dt.datetime
    end: dt.datetime
    who: tuple[str, ...]
    source: str | None
    active: bool
    why: tuple[Placement, ...] | None = None

    def placement(self, position: int) -> Placement:
        """Why the person at ``position`` of ``who`` is there."""
        return PLAIN if self.why is None else self.why[position]

    @property
    def is_gap(self) -> bool:
        return self.active and not self.who

    @property
    def state(self) -> tuple[bool, frozenset[str]]:
        """What a caller sees: covered or not, and by whom (order and source aside)."""
        return self.active, frozenset(self.who)

    @property
    def shift_key(self) -> tuple[bool, frozenset[str], str | None]:
        return self.active, frozenset(self.who), self.source


@dataclass(frozen=True, slots=True)
class LevelTimeline:
    team: Team
    level: Level
    start: dt.datetime
    end: dt.datetime
    stretches: tuple[Stretch, ...]  # contiguous, covering [start, end) exactly
    # The stretches' starts, for `at` (and a feed's chains) by bisection.
    starts: tuple[dt.datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(s.start for s in self.stretches))

    def people(self) -> list[str]:
        """Everyone the level has on call at some time, in order of first appearance."""
        return list(dict.fromkeys(p for s in self.stretches for p in s.who))

    def at(self, instant: dt.datetime) -> Stretch:
        index = bisect.bisect_right(self.starts, instant) - 1
        if index < 0 or instant >= self.end:
            raise ValueError(f"{instant} is outside the compiled range")
        return self.stretches[index]

    def merged(self, key: Callable[[Stretch], Hashable]) -> Iterator[Stretch]:
        """Maximal runs of stretches with the same ``key``; each keeps its first ``who``."""
        run: Stretch | None = None
        run_key: Hashable = None
        for stretch in self.stretches:
            stretch_key = key(stretch)  # once per stretch: a year of shifts calls this a lot
            if run is not None and run_key == stretch_key:
                run = Stretch(run.start, stretch.end, run.who, run.source, run.active)
                continue
            if run is not None:
                yield run
            run, run_key = stretch, stretch_key
        if run is not None:
            yield run

    def shifts(self) -> Iterator[Stretch]:
        """Maximal stretches with the same non-empty set and source (SPEC §7 `show`): the
        runs of ``merged(shift_key)`` that have someone on call, found without building a key
        (two frozensets) for each of a year's few hundred thousand stretches."""
        first: Stretch | None = None  # of the current run, which ends at `end`
        end = self.start
        for stretch in self.stretches:
            if first is not None and stretch.who and _same_shift(first, stretch):
                end = stretch.end
                continue
            if first is not None:
                yield _joined(first, end)
                first = None
            if stretch.who:
                first, end = stretch, stretch.end
        if first is not None:
            yield _joined(first, end)

    def gaps(self) -> Iterator[Stretch]:
        """The runs of ``merged(state)`` that are gaps: maximal runs of gap stretches."""
        first: Stretch | None = None  # of the current run, which ends at `end`
        end = self.start
        for stretch in self.stretches:
            if stretch.active and not stretch.who:
                if first is None:
                    first = stretch
                end = stretch.end
            elif first is not None:
                yield _joined(first, end)
                first = None
        if first is not None:
            yield _joined(first, end)


def _same_shift(first: Stretch, stretch: Stretch) -> bool:
    """``first.shift_key == stretch.shift_key``, the sets compared only if the orders differ."""
    return (
        first.source == stretch.source
        and first.active == stretch.active
        and (first.who == stretch.who or set(first.who) == set(stretch.who))
    )


def _joined(first: Stretch, end: dt.datetime) -> Stretch:
    """A run of stretches from ``first`` to ``end`` as one, with the first's ``who``, as
    :meth:`LevelTimeline.merged` gives it (``first`` itself when the run is just that)."""
    if first.end == end:
        return first
    return Stretch(first.start, end, first.who, first.source, first.active)
