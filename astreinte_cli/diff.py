"""Two timelines of a team → what changed, person by person (pure).

For each level and each person, the time they are on call in the new timeline and not in the
old one is *gained* (taken from whoever held it before, or from nobody: a gap or time outside
coverage), and the time they are on call in the old one and not in the new one is *lost*
(given to whoever holds it now, or to nobody). The changes are known on ``known`` (the day of
the run, or of the newer revision); a gain that starts fewer than the team's ``notice_days``
after that day breaks the notice rule (Code du travail L3121-12) unless it comes from an
override marked ``exceptional: true`` with one whole day in between.

A change is what a person would say: a person's consecutive gains (or losses) on a level, from
(or to) the same people through the same source, are one change when only time outside the
level's coverage lies between them, in both timelines. A week's turn outside business hours is
one change, not one per night; a gap, or time the person keeps, in between keeps them apart.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from astreinte_cli.check.findings import is_exceptional, local_date, on_call
from astreinte_cli.check.notice import breaks_notice
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.intervals import Intervals, subtract
from astreinte_cli.model import Roster, Team
from astreinte_cli.timeline import LevelTimeline, Stretch


@dataclass(frozen=True, slots=True)
class Change:
    team: str
    level: int
    level_name: str
    person: str
    kind: Literal["gains", "loses"]
    start: dt.datetime
    end: dt.datetime
    others: tuple[str, ...]  # taken from (gains) or given to (loses); empty: nobody
    source: str | None  # the new source of a gain, the old one of a loss
    within_notice: bool  # starts inside the notice window
    breaks_notice: bool  # a gain the notice rule forbids


@dataclass(frozen=True, slots=True)
class TeamChanges:
    team: Team
    changes: tuple[Change, ...]
    added: bool = False  # the team is new
    removed: bool = False  # the team is gone


def diff_teams(
    old_roster: Roster | None,
    old: Sequence[TeamTimeline],
    new_roster: Roster,
    new: Sequence[TeamTimeline],
    known: dt.datetime,
) -> list[TeamChanges]:
    """Changes for every team of either side, in the new side's order, removed teams last."""
    services = frozenset(
        p.id
        for roster in (old_roster, new_roster)
        if roster is not None
        for p in roster.people.values()
        if p.is_service
    )
    old_by_id = {t.team.id: t for t in old}
    new_ids = {t.team.id for t in new}
    result = []
    for timeline in new:
        before = old_by_id.get(timeline.team.id)
        changes = team_changes(before, timeline, known, services)
        result.append(TeamChanges(timeline.team, tuple(changes), added=before is None))
    for timeline in old:
        if timeline.team.id not in new_ids:
            changes = team_changes(timeline, None, known, services)
            result.append(TeamChanges(timeline.team, tuple(changes), removed=True))
    return result


def team_changes(
    old: TeamTimeline | None,
    new: TeamTimeline | None,
    known: dt.datetime,
    services: frozenset[str] = frozenset(),
) -> list[Change]:
    """What changes from ``old`` to ``new`` (either may be None: a team added or removed)."""
    latest = new or old
    if latest is None:
        return []
    team = latest.team
    notice = team.rules.notice_days
    zone = team.zone
    known_day = local_date(known, zone)
    old_levels = {lv.level.number: lv for lv in (old.levels if old else ())}
    new_levels = {lv.level.number: lv for lv in (new.levels if new else ())}
    changes: list[Change] = []
    for number in sorted(set(old_levels) | set(new_levels)):
        before, after = old_levels.get(number), new_levels.get(number)
        level = after.level if after is not None else old_levels[number].level
        for person in dict.fromkeys(_people(before) + _people(after)):
            was, now = _on_call(before, person), _on_call(after, person)
            sides: tuple[tuple[Literal["gains", "loses"], Intervals, LevelTimeline | None,
                               LevelTimeline | None], ...] = (
                ("gains", subtract(now, was) if was else now, after, before),
                ("loses", subtract(was, now) if now else was, before, after),
            )  # fmt: skip
            for kind, pieces, here, there in sides:
                found = _join_over_off_time(_pieces(pieces, person, here, there), here, there)
                for start, end, others, source in found:
                    begins = local_date(start, zone)
                    days = (begins - known_day).days
                    within = notice is not None and days < notice
                    broken = (
                        kind == "gains"
                        and notice is not None
                        and person not in services
                        and breaks_notice(
                            begins,
                            known_day,
                            notice,
                            exceptional=is_exceptional(team, source),
                        )
                    )
                    change = Change(
                        team.id, number, level.name, person, kind, start, end, others,
                        source, within, broken,
                    )  # fmt: skip
                    changes.append(change)
    changes.sort(key=lambda c: (c.person, c.start, c.level, c.kind))
    return changes


def _people(timeline: LevelTimeline | None) -> list[str]:
    return timeline.people() if timeline is not None else []


def _on_call(timeline: LevelTimeline | None, person: str) -> Intervals:
    return on_call(timeline, person) if timeline is not None else []


# A stretch of a change: start, end, the people it is taken from (given to), the source.
Piece = tuple[dt.datetime, dt.datetime, tuple[str, ...], str | None]


def _pieces(
    pieces: Intervals,
    person: str,
    here: LevelTimeline | None,
    there: LevelTimeline | None,
) -> list[Piece]:
    """Cut each piece where the other side's holders or this side's source change; merge
    neighbours that say the same."""
    result: list[Piece] = []
    for start, end in pieces:
        cuts = {start, end}
        for timeline in (here, there):
            for stretch in _within(timeline, start, end):
                cuts.update((max(stretch.start, start), min(stretch.end, end)))
        for first, last in itertools.pairwise(sorted(cuts)):
            other = _at(there, first)
            mine = _at(here, first)
            others = tuple(p for p in (other.who if other else ()) if p != person)
            if mine is not None and other is not None:
                others = tuple(p for p in others if p not in mine.who)
            source = mine.source if mine is not None else None
            if result and result[-1][1] == first and result[-1][2:] == (others, source):
                result[-1] = (result[-1][0], last, others, source)
            else:
                result.append((first, last, others, source))
    return result


def _join_over_off_time(
    pieces: Sequence[Piece], here: LevelTimeline | None, there: LevelTimeline | None
) -> list[Piece]:
    """``pieces`` (in order) with neighbours that say the same (others and source) joined when
    the level is off between them on both sides. The notice marks of a joined change are its
    first piece's: the earliest start has the least notice."""
    result: list[Piece] = []
    for piece in pieces:
        last = result[-1] if result else None
        if (
            last is not None
            and last[2:] == piece[2:]
            and _off_between(here, last[1], piece[0])
            and _off_between(there, last[1], piece[0])
        ):
            result[-1] = (last[0], piece[1], *piece[2:])
        else:
            result.append(piece)
    return result


def _off_between(timeline: LevelTimeline | None, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the level is outside its coverage all through ``[start, end)`` (a side without
    the level has nothing there)."""
    return all(not s.active for s in _within(timeline, start, end))


def _within(timeline: LevelTimeline | None, start: dt.datetime, end: dt.datetime) -> list[Stretch]:
    if timeline is None:
        return []
    return [s for s in timeline.stretches if s.start < end and start < s.end]


def _at(timeline: LevelTimeline | None, instant: dt.datetime) -> Stretch | None:
    if timeline is None or not timeline.start <= instant < timeline.end:
        return None
    return timeline.at(instant)
