"""Notice (Code du travail L3121-12): everyone knows their astreinte ``notice_days`` ahead.

A stretch of on-call time is *known* from the day of the oldest revision of the roster in an
unbroken line of revisions, up to the working tree, that all gave that person that time in that
team (whatever the level). The revisions are the roster as it stood at the end of each day of
the branch's first-parent history, each dated no earlier than its ancestors
(:class:`astreinte_cli.history.Commit`); or the days of the publication log
(:mod:`astreinte_cli.publication_log`). The working tree's own changes are known today; a roster
that no commit holds yet, and what the oldest revision gave, are the baseline, not judged. A
stretch that starts fewer than ``notice_days`` calendar days after the day it became known is an
error, unless it comes from an override marked ``exceptional: true`` and at least one whole
calendar day (a "jour franc") lies between the day it became known and the day it starts. One
finding per turn (or override): separate stretches never share one.

The history is given newest first, lazily: the walk stops as soon as older revisions can no
longer change the verdict (their days never grow older to newer), so a long history costs only
the days the rule looks back.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from astreinte_cli.check.findings import (
    Finding,
    days_text,
    find_rotation,
    is_exceptional,
    is_service,
    local_date,
    local_range,
    source_span,
)
from astreinte_cli.compile import TeamTimeline, rotation_turns
from astreinte_cli.i18n import _
from astreinte_cli.intervals import Intervals, intersect, subtract, union
from astreinte_cli.model import Roster
from astreinte_cli.timeline import LevelTimeline
from astreinte_cli.windows import TeamCalendar

RULE = "notice"


@dataclass(frozen=True, slots=True)
class Revision:
    """One older state of the roster: the day it became known, and the team compiled from it
    over the same horizon (None when the team did not exist there or the roster did not load)."""

    known: dt.date
    timeline: TeamTimeline | None


def breaks_notice(start: dt.date, known: dt.date, notice_days: int, *, exceptional: bool) -> bool:
    """Whether time starting on ``start``, known on ``known``, lacks notice."""
    days = (start - known).days
    if days >= notice_days:
        return False
    return not (exceptional and days >= 2)  # one whole day strictly between


def _on_call(timeline: TeamTimeline | None) -> dict[str, Intervals]:
    found: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    if timeline is None:
        return {}
    for level in timeline.levels:
        for stretch in level.stretches:
            for person in stretch.who:
                found.setdefault(person, []).append((stretch.start, stretch.end))
    return {person: union(items) for person, items in found.items()}


# Person → their on-call time, each piece with the day it became known (None: the baseline,
# not judged).
Known = dict[str, list[tuple[dt.datetime, dt.datetime, dt.date | None]]]


def known_dates(
    current: TeamTimeline, history: Iterable[Revision], today: dt.date, notice_days: int
) -> Known:
    """For each person, their on-call time in ``current`` cut by the day it became known.

    None marks time that the oldest revision reached already gave (the root commit, or the
    boundary of a shallow clone), and all the time of a roster that no commit holds yet: when
    it was first communicated is before the history, so it is not judged. A revision dated
    after ``today`` counts as known today. Revisions' days never grow older to newer
    (:class:`astreinte_cli.history.Commit` ``known``), which is what lets the walk stop early.
    """
    zone = current.team.zone
    remaining = _on_call(current)
    resolved: Known = {}
    newer: dt.date | None = today
    for revision in history:
        if not any(remaining.values()):
            break
        given = _on_call(revision.timeline)
        for person, intervals in remaining.items():
            there = given.get(person, [])
            for s, e in subtract(intervals, there):
                resolved.setdefault(person, []).append((s, e, newer))
            remaining[person] = intersect(intervals, there)
        newer = min(revision.known, today)
        starts = [local_date(i[0][0], zone) for i in remaining.values() if i]
        if starts and (min(starts) - newer).days >= notice_days:
            break  # older revisions can only make the notice longer
    else:
        newer = None  # the history ran out (or holds no commit yet): what is left is the baseline
    for person, intervals in remaining.items():
        for s, e in intervals:
            resolved.setdefault(person, []).append((s, e, newer))
    return resolved


class _Turns:
    """The rotation turn a piece of on-call time belongs to, so that a finding covers one
    turn (or one override), never two stretches with someone else's between them."""

    def __init__(self, current: TeamTimeline) -> None:
        self.current = current
        self.calendar = TeamCalendar(current.team)
        self._turns: dict[tuple[int, str], list[dt.datetime]] = {}

    def key(self, level: LevelTimeline, source: str | None, instant: dt.datetime) -> object:
        if source is None or not source.startswith("rotation:"):
            return source
        number = level.level.number
        rotation = find_rotation(self.current.team, number, source.split(":", 1)[1])
        if rotation is None:
            return source
        if (number, rotation.name) not in self._turns:
            turns = rotation_turns(rotation, self.calendar, level.start, level.end)
            self._turns[number, rotation.name] = [t.start for t in turns]
        starts = self._turns[number, rotation.name]
        return source, starts[max(0, bisect.bisect_right(starts, instant) - 1)] if starts else None


def notice_findings(roster: Roster, current: TeamTimeline, known: Known) -> list[Finding]:
    """One finding per person, turn (or override) and day of notice, over the time of that
    turn: separate stretches never share a finding."""
    team = current.team
    notice_days = team.rules.notice_days
    if notice_days is None:
        return []
    zone = team.zone
    turns = _Turns(current)
    # (person, level, source, turn, known) → first start, last end, fewest days
    found: dict[tuple[str, int, str | None, object, dt.date], tuple[dt.datetime, dt.datetime, int]]
    found = {}
    for level in current.levels:
        number = level.level.number
        for stretch in level.stretches:
            exceptional = is_exceptional(team, stretch.source)
            for person in stretch.who:
                if is_service(roster, person):
                    continue
                for s, e, day in known.get(person, []):
                    first, last = max(s, stretch.start), min(e, stretch.end)
                    if first >= last or day is None:
                        continue
                    begins = local_date(first, zone)
                    if not breaks_notice(begins, day, notice_days, exceptional=exceptional):
                        continue
                    turn = turns.key(level, stretch.source, first)
                    key = (person, number, stretch.source, turn, day)
                    days = (begins - day).days
                    if key in found:
                        earlier, later, fewest = found[key]
                        first, last = min(first, earlier), max(last, later)
                        days = min(days, fewest)
                    found[key] = (first, last, days)
    findings = []
    for (person, number, source, _turn, day), (first, last, days) in found.items():
        exceptional = is_exceptional(team, source)
        if exceptional:
            hint = _(
                "even in exceptional circumstances one whole day (jour franc) must lie "
                "between the day it is known and the day it starts"
            )
        else:
            hint = _(
                "publish it at least {notice_days} days ahead; in exceptional "
                "circumstances, an override marked 'exceptional: true' needs one whole "
                "day (jour franc) in between"
            ).format(notice_days=notice_days)
        findings.append(
            Finding(
                RULE,
                "error",
                source_span(team, number, source),
                _(
                    "{person} is on call at {team} level {number} {range}, known only "
                    "since {day}: {notice} of notice where the team requires "
                    "{notice_days} (Code du travail L3121-12)"
                ).format(
                    person=person,
                    team=team.id,
                    number=number,
                    range=local_range(first, last, zone),
                    day=day.isoformat(),
                    notice=days_text(days),
                    notice_days=notice_days,
                ),
                hint,
                team.id,
                start=first,
            )
        )
    return findings
