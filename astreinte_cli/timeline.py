"""The compiled timeline: per team and level, contiguous half-open stretches over a range."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from astreinte_cli.model import Level, Team


@dataclass(frozen=True, slots=True)
class Stretch:
    """``[start, end)`` in UTC, during which the level's state is constant.

    ``active`` says whether the stretch is inside the level's coverage; ``who`` is empty outside
    it, and empty inside it for a gap. ``source`` is ``rotation:NAME`` or ``override:N`` (SPEC §5),
    None when nobody is on call.
    """

    start: dt.datetime
    end: dt.datetime
    who: tuple[str, ...]
    source: str | None
    active: bool

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

    def at(self, instant: dt.datetime) -> Stretch:
        starts = [s.start for s in self.stretches]
        index = bisect.bisect_right(starts, instant) - 1
        if index < 0 or instant >= self.end:
            raise ValueError(f"{instant} is outside the compiled range")
        return self.stretches[index]

    def merged(self, key: Callable[[Stretch], Hashable]) -> Iterator[Stretch]:
        """Maximal runs of stretches with the same ``key``; each keeps its first ``who``."""
        run: Stretch | None = None
        for stretch in self.stretches:
            if run is not None and key(run) == key(stretch):
                run = Stretch(run.start, stretch.end, run.who, run.source, run.active)
                continue
            if run is not None:
                yield run
            run = stretch
        if run is not None:
            yield run

    def shifts(self) -> Iterator[Stretch]:
        """Maximal stretches with the same non-empty set and source (SPEC §7 `show`)."""
        return (s for s in self.merged(lambda s: s.shift_key) if s.who)

    def gaps(self) -> Iterator[Stretch]:
        return (s for s in self.merged(lambda s: s.state) if s.is_gap)
