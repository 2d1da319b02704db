"""The handoff grid of a rotation: H(k) at the local clock reading ``start + k × every``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from astreinte_cli.times import WallTime, local_reading, place


@dataclass(frozen=True, slots=True)
class Grid:
    start: WallTime
    every: dt.timedelta
    zone: ZoneInfo

    @property
    def origin(self) -> dt.datetime:
        """The local clock reading of H(0)."""
        return self.start.reading(self.zone)

    def at(self, k: int) -> dt.datetime:
        """H(k) as a UTC instant; with an offset on ``start``, H(0) is that very instant."""
        if k == 0 and self.start.offset is not None:
            return self.start.instant(self.zone)
        return place(self.origin + k * self.every, self.zone)

    def handoffs(self, first: int) -> Iterator[dt.datetime]:
        """H(first), H(first + 1), … without end, as :meth:`at` gives them: the reading is
        stepped by ``every`` (exact arithmetic) rather than rebuilt from the start for each k,
        since a rotation's turns are walked in order, a few hundred thousand in a large roster."""
        zone, every = self.zone, self.every
        yield self.at(first)  # H(0) with an offset is that instant: `at` knows
        reading = self.origin + (first + 1) * every
        while True:
            yield place(reading, zone)
            reading += every

    def index_at_or_before(self, instant: dt.datetime) -> int:
        """The greatest k with H(k) <= instant (negative before the start)."""
        k = (local_reading(instant, self.zone) - self.origin) // self.every
        while self.at(k) > instant:
            k -= 1
        while self.at(k + 1) <= instant:
            k += 1
        return k

    def first_at_or_after(self, instant: dt.datetime) -> int:
        """The least k with H(k) >= instant."""
        k = self.index_at_or_before(instant)
        while self.at(k) < instant:
            k += 1
        while self.at(k - 1) >= instant:
            k -= 1
        return k
