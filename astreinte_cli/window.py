"""A team's answers precompiled over a window of days around the present, so that `now` is a
lookup: no model, no compiler, a bisection per level.

A window holds, for each level, the stretches of a detailed compilation over ``[start, end)``
(the people in order and why they are there, exact at every instant), as numbers: instants in
microseconds since the epoch, each stretch's state an index into the level's table of states.
Stretches are grouped in runs of the same state (active or not, and who as a set): a run's
bounds are ``since`` and ``until``. The first and last runs may reach beyond the window: their
true start and end are found when the window is made, by the same search as a compiled answer
(:func:`astreinte_cli.query.level_now`), as far as the 400-day horizon of SPEC §7 — so that an
answer looked up at any instant of the window is exactly the compiled answer
(``tests/test_compiler_reference.py`` checks it against the compiler and the reference).

Everything is plain values (numbers, text, tuples, lists, dicts): the roster cache stores a
window as a pickle that needs no class to be read back. :func:`build_window` imports the
compiler; :class:`TeamWindow` does not.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import TYPE_CHECKING, Any

from astreinte_cli.answers import Contact, LevelAnswer, Next, OnCall, TeamAnswer

if TYPE_CHECKING:
    from astreinte_cli.model import Roster, Team
    from astreinte_cli.query import LevelNow
    from astreinte_cli.timeline import Stretch

FORMAT = 1
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
# SPEC §7: since and until are null past 400 days; a change exactly 400 days away still counts
# (query.HORIZON and the second of margin level_now compiles beyond it).
_MARGIN = (dt.timedelta(days=400) + dt.timedelta(seconds=1)) // MICROSECOND
# The window around the present: from the day before the Monday (UTC) of the current week to
# 15 days after that Monday. Any instant of the week, and a week ahead, is looked up.
BEFORE = dt.timedelta(days=1)
AFTER = dt.timedelta(days=15)


def micros(instant: dt.datetime) -> int:
    """``instant`` (aware) in microseconds since the epoch: exact, whatever its zone."""
    return (instant - EPOCH) // MICROSECOND


def instant(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def window_range(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The window for a day (UTC): it changes once a week, on Monday."""
    monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time(), dt.UTC)
    return monday - BEFORE, monday + AFTER


# A state of a level: (active, who, source, why), ``why`` as in timeline.Placement.
State = tuple[
    bool, tuple[str, ...], str | None, tuple[tuple[str | None, int | None, bool], ...] | None
]


class TeamWindow:
    """A team's precompiled window (see the module's docstring), read back from its data."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.start: int = data["start"]
        self.end: int = data["end"]

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= micros(at) < self.end

    def displayed(self) -> dict[str, str]:
        """The display form of each phone number the window shows (contacts.remember_display)."""
        found: dict[str, str] = self.data["displayed"]
        return found

    def answer(self, at: dt.datetime) -> TeamAnswer | None:
        """The answer at ``at``, or None when ``at`` is outside the window."""
        t = micros(at)
        if not self.start <= t < self.end:
            return None
        data = self.data
        team_id, name, timezone, instructions, fallback = data["team"]
        business = data["business"]
        # Business hours as [start, end) pairs flattened: inside when an odd count of bounds
        # is at or before the instant.
        in_business = bisect.bisect_right(business, t) % 2 == 1
        return TeamAnswer(
            id=team_id,
            name=name,
            timezone=timezone,
            instructions=instructions,
            fallback=self._contact(fallback) if fallback is not None else None,
            business_hours=in_business,
            levels=tuple(self._level(level, t) for level in data["levels"]),
        )

    def _contact(self, person: str) -> Contact:
        name, phone = self.data["people"][person]
        return Contact(person, name, phone)

    def _level(self, level: dict[str, Any], t: int) -> LevelAnswer:
        table: list[State] = level["table"]
        index = bisect.bisect_right(level["starts"], t) - 1
        active, who, source, why = table[level["states"][index]]
        run = level["runs"][index]
        run_start, run_end = level["run_starts"][run], level["run_ends"][run]
        since = run_start if run_start is not None and run_start > t - _MARGIN else None
        until = run_end if run_end is not None and run_end < t + _MARGIN else None
        following: Next | None = None
        if until is not None:
            if run + 1 < len(level["run_first"]):
                next_active, next_who = table[level["states"][level["run_first"][run + 1]]][:2]
            else:
                next_active, next_who = level["next_after"]
            following = Next(next_active, tuple(self._contact(p) for p in next_who))
        reasons = self.data["reasons"]
        on_call = []
        for position, person in enumerate(who):
            standing_in_for, override, on_leave = (
                why[position] if why is not None else (None, None, False)
            )
            name, phone = self.data["people"][person]
            on_call.append(
                OnCall(
                    person,
                    name,
                    phone,
                    standing_in_for=self._contact(standing_in_for) if standing_in_for else None,
                    on_leave=on_leave,
                    override=override,
                    reason=reasons.get(override) if override is not None else None,
                )
            )
        return LevelAnswer(
            number=level["number"],
            name=level["name"],
            escalate_after=dt.timedelta(microseconds=level["escalate_after"]),
            instructions=level["instructions"],
            active=active,
            on_call=tuple(on_call),
            source=source,
            since=instant(since) if since is not None else None,
            until=instant(until) if until is not None else None,
            next=following,
        )


def build_window(
    roster: Roster, team: Team, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """The window of ``team`` over ``[start, end)``, as the data :class:`TeamWindow` reads."""
    from astreinte_cli.compile import compile_level
    from astreinte_cli.contacts import display_phone
    from astreinte_cli.query import level_now
    from astreinte_cli.windows import TeamCalendar

    calendar = TeamCalendar(team)
    people: set[str] = {team.fallback} if team.fallback else set()
    levels = []
    for level in team.levels:
        timeline = compile_level(roster, team, level, start, end, calendar, detailed=True)
        first = level_now(roster, team, level, start, calendar)
        last = level_now(roster, team, level, end - MICROSECOND, calendar)
        data = _level_data(timeline.stretches, first, last)
        data |= {
            "number": level.number,
            "name": level.name,
            "escalate_after": level.escalate_after // MICROSECOND,
            "instructions": level.instructions,
        }
        for _active, who, _source, why in data["table"]:
            people.update(who)
            people.update(p for p, _o, _l in why or () if p is not None)
        people.update(data["next_after"][1] if data["next_after"] else ())
        levels.append(data)
    business = [
        micros(bound) for interval in calendar.business_hours(start, end) for bound in interval
    ]
    contacts = {p: (roster.people[p].name, roster.people[p].phone) for p in sorted(people)}
    return {
        "format": FORMAT,
        "start": micros(start),
        "end": micros(end),
        "team": (team.id, team.name, team.timezone, team.instructions, team.fallback),
        "business": business,
        "people": contacts,
        "displayed": {phone: display_phone(phone) for _n, phone in contacts.values() if phone},
        "reasons": {o.index: o.reason for o in team.overrides if o.reason is not None},
        "levels": levels,
    }


def _level_data(stretches: tuple[Stretch, ...], first: LevelNow, last: LevelNow) -> dict[str, Any]:
    table: list[State] = []
    index: dict[State, int] = {}
    starts, states, runs = [], [], []
    run_starts: list[int | None] = []
    run_ends: list[int | None] = []
    run_first: list[int] = []
    previous: tuple[bool, frozenset[str]] | None = None
    for position, stretch in enumerate(stretches):
        state: State = (stretch.active, stretch.who, stretch.source, stretch.why)
        states.append(index.setdefault(state, len(table)))
        if len(table) < len(index):
            table.append(state)
        starts.append(micros(stretch.start))
        key = stretch.state
        if key != previous:
            if run_ends:
                run_ends[-1] = micros(stretch.start)
            run_starts.append(micros(stretch.start))
            run_ends.append(None)
            run_first.append(position)
            previous = key
        runs.append(len(run_starts) - 1)
    # The first run began at `since` of the compiled answer at the window's start (None: more
    # than 400 days before it); the last ends at `until` of the answer at its last instant.
    run_starts[0] = micros(first.since) if first.since is not None else None
    run_ends[-1] = micros(last.until) if last.until is not None else None
    next_after = None
    if last.until is not None and last.next is not None:
        next_after = (last.next.active, last.next.who)
    return {
        "starts": starts,
        "states": states,
        "table": table,
        "runs": runs,
        "run_starts": run_starts,
        "run_ends": run_ends,
        "run_first": run_first,
        "next_after": next_after,
    }
