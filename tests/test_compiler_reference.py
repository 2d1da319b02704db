"""The compiler agrees with the brute-force reference (``tests/reference.py``) at every minute.

Hypothesis writes random rosters as YAML text, loads them with the real loader, compiles each
level over a range of one to three days around a DST change, and compares the compiled stretches
with the reference minute by minute: coverage, who (as a set everywhere, in order where a
stretch starts) and source.

The number of examples is :data:`conftest.REFERENCE_EXAMPLES`: 2000 under CI (``CI`` set), 200
on a developer's machine, or ``HYPOTHESIS_EXAMPLES`` if set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import REFERENCE_EXAMPLES
from hypothesis import HealthCheck, event, given, note, reject, settings
from hypothesis import strategies as st
from reference import Reference, State, Why, instant_of, utc_minutes

from astreinte_cli.compile import compile_level
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load import load_roster
from astreinte_cli.model import Level, Roster
from astreinte_cli.query import team_answer
from astreinte_cli.timeline import LevelTimeline
from astreinte_cli.times import parse_duration, place
from astreinte_cli.window import TeamWindow, build_window

MICRO = dt.timedelta(microseconds=1)
SECOND = dt.timedelta(seconds=1)
ZONES = (
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
)
EVERY = (
    "1h", "90m", "8h", "12h", "1d", "1w", "2w", "30m", "45m", "2h", "1d12h", "3d", "PT12H", "P1D",
    "P1W",
)  # fmt: skip
# Clock readings around every DST change of these zones (Paris and New York 02:00-03:00, Lord
# Howe 01:30-02:30, Chatham 02:45-03:45), and the usual handoff times.
TIMES = (
    "00:00", "01:30", "01:45", "02:00", "02:15", "02:30", "02:45", "03:00", "03:15", "03:45",
    "08:00", "09:00", "12:00", "18:00", "20:00", "23:45",
)  # fmt: skip
RANGE_ENDS = ("24:00", "00:00", "02:30", "03:00", "03:30", "09:00", "18:00", "08:00")
DAY_KEYS = ("mon", "sat", "sun", "mon-fri", "fri-mon", "sat-sun", "mon,wed,fri", "daily")
NAMES = ("always", "holidays", "weekends", "weekdays")
BUSINESS_NAMES = ("business hours", "outside business hours")
ALLOWED_REJECTIONS = (
    "would not come after it",  # an offset start in the repeated hour (SPEC §8)
    "which is not after it",  # the same, as the loader words it now
    "member change",  # DST put two changes, or a change and the start, on one handoff
    "at the same handoff",
    # An `end:` placed at or before the start once both are instants in the team's zone (a
    # local end inside a spring gap lands on an offset start): the rotation would be empty.
    "is not after start",
)


def _dst_dates(zone: ZoneInfo) -> list[dt.date]:
    """Local dates in 2026 on which the zone's UTC offset changes."""
    found = []
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        noon = dt.datetime.combine(day, dt.time(12), zone)
        if noon.utcoffset() != (noon - dt.timedelta(days=1)).utcoffset():
            found.append(day)
        day += dt.timedelta(days=1)
    return found


ANCHORS = {
    name: _dst_dates(ZoneInfo(name)) or [dt.date(2026, 5, 1), dt.date(2026, 12, 25)]
    for name in ZONES
}


# --------------------------------------------------------------------------- YAML text


@dataclass(frozen=True)
class Flow:
    """A value written verbatim (flow style)."""

    text: str


def emit(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML; strings are written as plain scalars, on purpose unquoted."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                lines.append(f"{pad}{key}:")
                lines.extend(emit(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
        return lines
    for item in value:
        if isinstance(item, dict | list):
            inner = emit(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{pad}- {_scalar(item)}")
    return lines


def _scalar(value: object) -> str:
    return value.text if isinstance(value, Flow) else str(value)


# --------------------------------------------------------------------------- strategies


@dataclass
class Context:
    zone: ZoneInfo
    anchor: dt.date
    people: list[str]
    business_hours: bool


def _text(local: dt.datetime, draw: st.DrawFn, zone: ZoneInfo, *, offset: bool = False) -> str:
    text = local.strftime(draw(st.sampled_from(("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"))))
    if offset:
        text += _offset(local, draw(st.integers(0, 1)), zone)
    return text


def _offset(local: dt.datetime, fold: int, zone: ZoneInfo) -> str:
    delta = local.replace(tzinfo=zone, fold=fold).utcoffset()
    assert delta is not None
    sign = "-" if delta < dt.timedelta(0) else "+"
    minutes = abs(delta) // dt.timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def local_times(draw: st.DrawFn, ctx: Context, days: tuple[int, int] = (-3, 3)) -> dt.datetime:
    day = ctx.anchor + dt.timedelta(days=draw(st.integers(*days)))
    if draw(st.booleans()):
        clock = dt.time.fromisoformat(draw(st.sampled_from(TIMES)))
    else:
        quarter = draw(st.integers(0, 95))
        clock = dt.time(quarter // 4, quarter % 4 * 15)
    return dt.datetime.combine(day, clock)


@st.composite
def time_ranges(draw: st.DrawFn) -> str:
    start = draw(st.sampled_from(TIMES))
    end = draw(st.sampled_from(RANGE_ENDS + TIMES))
    return f"{start}-{end}"


@st.composite
def weekly_maps(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(DAY_KEYS), min_size=1, max_size=3, unique=True))
    result: dict[str, Any] = {}
    for key in keys:
        ranges = draw(st.lists(time_ranges(), min_size=1, max_size=2))
        result[key] = ranges[0] if len(ranges) == 1 else ranges
    return result


def windows(ctx: Context, depth: int = 0) -> st.SearchStrategy[Any]:
    names = NAMES + (BUSINESS_NAMES if ctx.business_hours else ())
    options: list[st.SearchStrategy[Any]] = [st.sampled_from(names), weekly_maps()]
    if depth == 0:
        options.append(
            st.builds(
                lambda days, minus: {**days, "except": minus},
                weekly_maps(),
                windows(ctx, depth + 1),
            )
        )
        options.append(st.lists(windows(ctx, depth + 1), min_size=2, max_size=3))
    return st.one_of(options)


@st.composite
def periods(draw: st.DrawFn, ctx: Context) -> Any:
    start = draw(local_times(ctx))
    end = start + dt.timedelta(minutes=15 * draw(st.integers(1, 4 * 60)))
    bare_start = draw(st.integers(0, 4)) == 0
    bare_end = draw(st.integers(0, 3)) == 0
    offsets = not bare_start and not bare_end and draw(st.integers(0, 5)) == 0
    first = start.date().isoformat() if bare_start else _text(start, draw, ctx.zone)
    last = end.date().isoformat() if bare_end else _text(end, draw, ctx.zone)
    if offsets:
        first += _offset(start, 0, ctx.zone)
        last += _offset(end, 0, ctx.zone)
        if dt.datetime.fromisoformat(last) <= dt.datetime.fromisoformat(first):
            return f"{start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M}"
    if draw(st.booleans()):
        return f"{first} .. {last}"
    return {"from": first, "to": last}


@st.composite
def rotations(draw: st.DrawFn, ctx: Context, number: int) -> dict[str, Any]:
    people = st.sampled_from(ctx.people)
    members = draw(st.lists(people, min_size=1, max_size=5))
    rotation: dict[str, Any] = {"name": f"r{number}"} if draw(st.booleans()) else {}
    rotation["members"] = Flow("[" + ", ".join(members) + "]")
    if len(members) == 1 and draw(st.integers(0, 4)) == 0:
        if draw(st.booleans()):
            rotation["only"] = draw(windows(ctx))
        if draw(st.integers(0, 3)) == 0:
            rotation["end"] = _text(draw(local_times(ctx)), draw, ctx.zone)
        return rotation
    every_text = draw(st.sampled_from(EVERY))
    every = parse_duration(every_text)
    start = draw(local_times(ctx, days=(-10, 2)))
    rotation["start"] = _text(start, draw, ctx.zone)
    if draw(st.integers(0, 5)) == 0:
        # An absolute start: either occurrence of a repeated reading, or an offset foreign to
        # the zone. The handoff grid's origin is the clock reading of that very instant.
        fold = draw(st.integers(0, 2))
        if fold == 2:
            rotation["start"] += "Z"
            instant = start.replace(tzinfo=dt.UTC)
        else:
            rotation["start"] += _offset(start, fold, ctx.zone)
            instant = start.replace(tzinfo=ctx.zone, fold=fold)
        start = instant.astimezone(ctx.zone).replace(tzinfo=None)
    if every_text != "1w" or draw(st.booleans()):
        rotation["every"] = every_text
    per_turn = 1
    if len(members) > 1 and draw(st.integers(0, 2)) == 0:
        per_turn = draw(st.integers(1, len(members)))
        rotation["per_turn"] = per_turn
    if draw(st.integers(0, 2)) == 0:
        rotation["only"] = draw(windows(ctx))
    if draw(st.integers(0, 2)) == 0:
        rotation["count"] = draw(st.sampled_from(("active", "calendar")))
    if draw(st.integers(0, 3)) == 0:
        changes = []
        k = 0
        for _ in range(draw(st.integers(1, 2))):
            k += draw(st.integers(1 if k == 0 else 2, 6))
            handoff = start + k * every
            early = dt.timedelta(minutes=15 * draw(st.integers(0, every // dt.timedelta(hours=1))))
            new = draw(st.lists(people, min_size=per_turn, max_size=5))
            changes.append(
                {
                    "from": _text(handoff - early, draw, ctx.zone),
                    "members": Flow("[" + ", ".join(new) + "]"),
                }
            )
        rotation["changes"] = changes
    if draw(st.integers(0, 3)) == 0:
        end = start + dt.timedelta(minutes=15 * draw(st.integers(1, 4 * 24 * 4)))
        if draw(st.booleans()):
            rotation["end"] = (end.date() + dt.timedelta(days=1)).isoformat()
        else:
            rotation["end"] = _text(end, draw, ctx.zone)
    return rotation


@st.composite
def rosters(draw: st.DrawFn) -> tuple[str, dt.datetime, dt.datetime]:
    """A roster's YAML text and a compile range of one to three days near a DST change."""
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    anchor = draw(st.sampled_from(ANCHORS[zone_name]))
    people = [f"p{i}" for i in range(draw(st.integers(1, 5)))]
    business_hours = draw(st.integers(0, 2)) == 0
    ctx = Context(zone, anchor, people, business_hours)

    doc: dict[str, Any] = {
        "people": {p: Flow(f"{{name: Person {p}}}") for p in people},
        "team": "t",
        "timezone": zone_name,
    }
    holidays = draw(st.integers(0, 3))
    if holidays == 1:
        doc["holidays"] = "FR"
    elif holidays == 2:
        doc["holidays"] = {
            "country": "FR",
            "subdiv": Flow('"57"'),
            "add": Flow(f"[{anchor.isoformat()}]"),
        }
    elif holidays == 3:
        removed = anchor + dt.timedelta(days=draw(st.integers(-2, 2)))
        doc["holidays"] = {
            "country": "FR",
            "add": Flow(f"[{anchor + dt.timedelta(days=1)}, {removed}]"),
            "remove": Flow(f"[{removed}]"),
        }
    if business_hours:
        hours: dict[str, Any] = draw(weekly_maps())
        if draw(st.booleans()):
            hours["closed"] = draw(st.lists(periods(ctx), min_size=1, max_size=2))
        doc["business_hours"] = hours
    if draw(st.integers(0, 2)) == 0:
        doc["coverage"] = draw(windows(ctx))
    on_leave = draw(st.sampled_from(("next", "next", "flag", None)))
    if on_leave is not None:
        doc["on_leave"] = on_leave

    levels = []
    for number in range(1, draw(st.integers(1, 2)) + 1):
        level: dict[str, Any] = {"name": f"L{number}"} if draw(st.booleans()) else {}
        if draw(st.integers(0, 3)) == 0:
            level["coverage"] = draw(windows(ctx))
        level["rotations"] = [
            draw(rotations(ctx, i)) for i in range(1, draw(st.integers(1, 3)) + 1)
        ]
        levels.append(level)
    doc["levels"] = levels

    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        number = draw(st.integers(1, len(levels)))
        level = levels[number - 1]
        who = draw(st.lists(st.sampled_from(people), min_size=1, max_size=2))
        override: dict[str, Any] = {
            "level": level.get("name", number) if draw(st.booleans()) else number,
            "who": who[0] if len(who) == 1 and draw(st.booleans()) else Flow(f"[{', '.join(who)}]"),
        }
        period = draw(periods(ctx))
        if isinstance(period, dict):
            override.update(period)
        else:
            first, _, last = period.partition(" .. ")
            override.update({"from": first, "to": last})
        if draw(st.booleans()):
            named = sorted(
                {
                    p
                    for rotation in level["rotations"]
                    for p in _names(rotation["members"])
                    + [q for c in rotation.get("changes", ()) for q in _names(c["members"])]
                }
            )
            override["replaces"] = draw(st.sampled_from(named))
        overrides.append(override)
    if overrides:
        doc["overrides"] = overrides

    leave = {}
    for person in draw(st.lists(st.sampled_from(people), max_size=4, unique=True)):
        items = draw(st.lists(periods(ctx), min_size=1, max_size=2))
        leave[person] = items
    if leave:
        doc["leave"] = leave

    midnight = dt.datetime.combine(anchor, dt.time(0), zone).astimezone(dt.UTC)
    start = midnight + dt.timedelta(minutes=15 * draw(st.integers(-36 * 4, 24 * 4)))
    if draw(st.integers(0, 4)) == 0:
        start += dt.timedelta(minutes=draw(st.integers(1, 14)))
    end = start + dt.timedelta(minutes=15 * draw(st.integers(24 * 4, 72 * 4)))
    return "\n".join(emit(doc)) + "\n", start, end


def _names(members: Flow) -> list[str]:
    return [p.strip() for p in members.text.strip("[]").split(",")]


# --------------------------------------------------------------------------- the property


def expand(timeline: LevelTimeline) -> list[State]:
    """The compiled state at every minute of the compiled range."""
    return [state for state, _why in expand_explained(timeline)]


def expand_explained(timeline: LevelTimeline) -> list[tuple[State, Why]]:
    """The compiled state at every minute of the compiled range, with its stretch's ``why``."""
    states: list[tuple[State, Why]] = []
    for stretch in timeline.stretches:
        state = (State(stretch.active, stretch.who, stretch.source), stretch.why)
        states.extend([state] * (utc_minutes(stretch.end) - utc_minutes(stretch.start)))
    return states


def _load(text: str, folder: Path) -> Roster:
    path = folder / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_roster(path)
    except RosterError as error:
        messages = [d.message for d in error.diagnostics]
        if all(any(a in m for a in ALLOWED_REJECTIONS) for m in messages):
            reject()
        raise


def check_against_reference(
    folder: Path,
    text: str,
    start: dt.datetime,
    end: dt.datetime,
    describe: Callable[[str], None] = note,
) -> None:
    describe(text)
    describe(f"range: {start.isoformat()} .. {end.isoformat()}")
    roster = _load(text, folder)
    team = roster.teams[0]
    zone = team.zone
    reference = Reference(roster, team)
    for level in team.levels:
        timeline = compile_level(roster, team, level, start, end)
        assert timeline.stretches[0].start == start
        assert timeline.stretches[-1].end == end
        for before, after in zip(timeline.stretches, timeline.stretches[1:], strict=False):
            assert before.end == after.start
            assert before.shift_key != after.shift_key, (before, after)
        stretch_starts = {utc_minutes(s.start) for s in timeline.stretches}
        compiled = expand(timeline)
        explained = reference.explained(level, start, end)  # once: the detailed check reads it too
        expected = [state for state, _why in explained]
        first = utc_minutes(start)
        for offset, (got, want) in enumerate(zip(compiled, expected, strict=True)):
            same_order = got.who == want.who or (first + offset) not in stretch_starts
            if (
                got.active == want.active
                and set(got.who) == set(want.who)
                and got.source == want.source
                and same_order
                and len(set(got.who)) == len(got.who)
            ):
                continue
            instant = instant_of(first + offset).astimezone(zone)
            raise AssertionError(
                f"level {level.number} at {instant.isoformat()}: compiler {got}, reference {want}"
            )
        check_detailed(roster, level, start, end, explained)


def check_lookup(roster: Roster, start: dt.datetime, end: dt.datetime) -> None:
    """A window precompiled over ``[start, end)`` answers as compiling does (`now`'s two
    paths): at the window's first and last instants, at every change of state and just
    before it, and in between."""
    team = roster.teams[0]
    window = TeamWindow(build_window(roster, team, start, end))
    instants = {start, end - dt.timedelta(microseconds=1), start + (end - start) / 3}
    for level in team.levels:
        for stretch in compile_level(roster, team, level, start, end, detailed=True).stretches[1:]:
            instants.update(
                {stretch.start, stretch.start - dt.timedelta(seconds=1), stretch.start - MICRO}
            )
    for at in sorted(instants)[:: max(1, len(instants) // 12)]:
        assert window.answer(at) == team_answer(roster, team, at), at.isoformat()
    assert window.answer(end) is None
    assert window.answer(start - MICRO) is None


def check_detailed(
    roster: Roster,
    level: Level,
    start: dt.datetime,
    end: dt.datetime,
    expected: list[tuple[State, Why]],
) -> None:
    """The detailed compilation (what `now` reads) agrees with the reference at every minute
    (``expected``, the reference's states with their reasons): the people in order (SPEC §8:
    the order at the instant), and why each one is there."""
    team = roster.teams[0]
    timeline = compile_level(roster, team, level, start, end, detailed=True)
    for before, after in zip(timeline.stretches, timeline.stretches[1:], strict=False):
        assert before.end == after.start
        assert (before.active, before.who, before.source, before.why) != (
            after.active,
            after.who,
            after.source,
            after.why,
        ), (before, after)
    first = utc_minutes(start)
    compiled = expand_explained(timeline)
    for offset, (got, want) in enumerate(zip(compiled, expected, strict=True)):
        if got != want:
            instant = instant_of(first + offset).astimezone(team.zone)
            raise AssertionError(
                f"level {level.number} at {instant.isoformat()} (detailed): compiler {got}, "
                f"reference {want}"
            )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each example's roster file is written (over the one before)."""
    return tmp_path_factory.mktemp("reference")


@pytest.mark.slow
@settings(
    max_examples=REFERENCE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=rosters())
def test_compiler_agrees_with_reference(
    folder: Path, case: tuple[str, dt.datetime, dt.datetime]
) -> None:
    check_against_reference(folder, *case)


@pytest.mark.slow
@settings(
    max_examples=max(20, REFERENCE_EXAMPLES // 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=rosters())
def test_lookup_agrees_with_compiling(
    folder: Path, case: tuple[str, dt.datetime, dt.datetime]
) -> None:
    """`now`'s precompiled window answers as compiling does, on the same rosters as the
    reference test. Its own test with a tenth of the examples: compiling the answer at each
    instant (`now` without its cache) costs several times the minute-by-minute reference."""
    text, start, end = case
    note(text)
    note(f"range: {start.isoformat()} .. {end.isoformat()}")
    check_lookup(_load(text, folder), start, end)


# --------------------------------------------------------------------------- the horizon


@st.composite
def long_turns(draw: st.DrawFn) -> tuple[str, dt.datetime, dt.datetime, dt.datetime]:
    """A team whose turns last about 400 days, and a window whose first instant is placed
    around 400 days after a handoff (so that ``since`` is at the horizon there) — or whose
    last instant is 400 days before one (``until``)."""
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    weeks = draw(st.integers(58, 64))  # turns longer than 400 days
    first = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=15 * draw(st.integers(0, 4 * 24 * 60)))
    members = draw(st.sampled_from(("[a, b]", "[a, b]", "[a, b, a]", "[a]")))
    lines = [
        "people: {a: {name: A}, b: {name: B}}",
        "team: t",
        f"timezone: {zone_name}",
        "levels:",
        f"  - rotations: [{{members: {members}, start: {first:%Y-%m-%d %H:%M}, every: {weeks}w}}]",
    ]
    if draw(st.integers(0, 3)) == 0:
        lines.append("    coverage: {daily: 00:00-24:00, except: {sat: 00:00-24:00}}")
    # H(0) or H(1), placed as SPEC §2 says (a wall-clock reading, across DST).
    handoff = place(first + dt.timedelta(weeks=weeks) * draw(st.integers(0, 1)), zone)
    exact = st.sampled_from((dt.timedelta(0), MICRO, -MICRO, SECOND, -SECOND, 2 * SECOND))
    minutes = st.builds(lambda m: dt.timedelta(minutes=m), st.integers(-3000, 3000))
    nudge = draw(st.one_of(exact, exact, minutes))
    length = dt.timedelta(hours=draw(st.integers(1, 24 * 16)))
    if draw(st.booleans()):  # `since` at the horizon at the window's start
        start = handoff + HORIZON + nudge
        end = start + length
    else:  # `until` at the horizon at the window's end
        end = handoff - HORIZON + nudge
        start = end - length
    return "\n".join(lines) + "\n", start, end, handoff


HORIZON = dt.timedelta(days=400)


@pytest.mark.slow
@settings(
    max_examples=max(50, REFERENCE_EXAMPLES // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=long_turns())
def test_lookup_agrees_at_the_400_day_horizon(
    folder: Path, case: tuple[str, dt.datetime, dt.datetime, dt.datetime]
) -> None:
    """Looked up or compiled, `now` says the same at the edge of SPEC §7's 400 days: a change
    400 days away (to the microsecond, across DST) is reported, one a second further is not."""
    text, start, end, handoff = case
    note(text)
    note(f"window: {start.isoformat()} .. {end.isoformat()}")
    roster = _load(text, folder)
    team = roster.teams[0]
    window = TeamWindow(build_window(roster, team, start, end))
    for at in (start, start + MICRO, start + dt.timedelta(seconds=1), end - MICRO, end - SECOND):
        if not start <= at < end:
            continue
        compiled = team_answer(roster, team, at)
        assert window.answer(at) == compiled, at.isoformat()
        for level in compiled.levels:
            if level.since is not None:
                assert at - level.since < HORIZON + SECOND
            if level.until is not None:
                assert level.until - at < HORIZON + SECOND
            if level.since == handoff:
                event("since at the horizon" if at - handoff >= HORIZON else "since within")
            if level.until == handoff:
                event("until at the horizon" if handoff - at >= HORIZON else "until within")
