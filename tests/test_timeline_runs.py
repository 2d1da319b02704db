"""``LevelTimeline.shifts`` and ``gaps`` are the runs of ``merged`` that have someone on call,
or that are gaps, on any sequence of stretches: the compiler's own output has its equal
neighbours merged already, so these are built by hand, neighbours that only reorder ``who`` or
change source included."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from astreinte_cli.timeline import LevelTimeline, Stretch

START = dt.datetime(2026, 3, 29, tzinfo=dt.UTC)
STATES = st.sampled_from(
    [
        ((), None, False),  # off
        ((), None, True),  # a gap
        (("a",), "rotation:r1", True),
        (("a", "b"), "rotation:r1", True),
        (("b", "a"), "rotation:r1", True),
        (("a", "b"), "override:1", True),
        (("a",), "rotation:r1", False),  # given, but outside coverage (as a hand-built input)
    ]
)


def _timeline(states: list[tuple[tuple[str, ...], str | None, bool]]) -> LevelTimeline:
    stretches = []
    for hour, (who, source, active) in enumerate(states):
        start = START + dt.timedelta(hours=hour)
        stretches.append(Stretch(start, start + dt.timedelta(hours=1), who, source, active))
    end = START + dt.timedelta(hours=len(states))
    team: Any = None  # not read by the runs
    return LevelTimeline(team, team, START, end, tuple(stretches))


@given(st.lists(STATES, max_size=12))
def test_shifts_and_gaps_are_the_runs_of_merged(
    states: list[tuple[tuple[str, ...], str | None, bool]],
) -> None:
    timeline = _timeline(states)
    assert list(timeline.shifts()) == [s for s in timeline.merged(lambda s: s.shift_key) if s.who]
    assert list(timeline.gaps()) == [s for s in timeline.merged(lambda s: s.state) if s.is_gap]
