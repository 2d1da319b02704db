"""Double booking: one person on call in two places at once.

On two levels of one team it is an error (the escalation would call the same person twice); in
two teams it is a warning (possible, but rarely meant). Services (``kind: service``) answer for
many teams at once by design and are left out of the cross-team warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from astreinte_cli.check.findings import (
    Finding,
    is_service,
    local_range,
    local_text,
    source_label,
    source_span,
)
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.diagnostics import Severity
from astreinte_cli.i18n import _, ngettext
from astreinte_cli.intervals import union
from astreinte_cli.model import Roster, Team


@dataclass(frozen=True, slots=True)
class _Piece:
    start: dt.datetime
    end: dt.datetime
    team: Team
    order: int
    level: int
    source: str


def booking_findings(roster: Roster, timelines: Sequence[TeamTimeline]) -> list[Finding]:
    pieces: dict[str, list[_Piece]] = {}
    for order, timeline in enumerate(timelines):
        for level in timeline.levels:
            for stretch in level.stretches:
                for person in stretch.who:
                    pieces.setdefault(person, []).append(
                        _Piece(
                            stretch.start,
                            stretch.end,
                            timeline.team,
                            order,
                            level.level.number,
                            stretch.source or "",
                        )
                    )
    # (person, first place, second place) → overall [start, end) of the overlaps
    found: dict[tuple[str, _Place, _Place], list[tuple[dt.datetime, dt.datetime]]] = {}
    for person, items in pieces.items():
        items.sort(key=lambda p: (p.start, p.order, p.level))
        service = is_service(roster, person)
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                if second.start >= first.end:
                    break
                if (first.order, first.level) == (second.order, second.level):
                    continue
                if first.order != second.order and service:
                    continue
                a, b = sorted(
                    [_place(first), _place(second)], key=lambda p: (p.order, p.level, p.source)
                )
                start, end = max(first.start, second.start), min(first.end, second.end)
                found.setdefault((person, a, b), []).append((start, end))
    findings = []
    for (person, a, b), overlaps in found.items():
        team_a, team_b = timelines[a.order].team, timelines[b.order].team
        zone = team_b.zone
        merged = union(overlaps)
        when = local_range(merged[0][0], merged[0][1], zone)
        if len(merged) > 1:
            when = ngettext(
                "{count} time between {first} and {last}, first {when}",
                "{count} times between {first} and {last}, first {when}",
                len(merged),
            ).format(
                count=len(merged),
                first=local_text(merged[0][0], zone),
                last=local_text(merged[-1][1], zone),
                when=when,
            )
        if a.order == b.order:
            message = _(
                "{person} is on call on level {level} ({source}) and level "
                "{other_level} ({other_source}) of {team} at the same time, {when}"
            ).format(
                person=person,
                level=a.level,
                source=source_label(a.source),
                other_level=b.level,
                other_source=source_label(b.source),
                team=team_b.id,
                when=when,
            )
            severity: Severity = "error"
            hint = _("one person cannot be both a level and its escalation; change one of them")
        else:
            message = _(
                "{person} is on call for {team} level {level} and {other_team} level "
                "{other_level} at the same time, {when}"
            ).format(
                person=person,
                team=team_a.id,
                level=a.level,
                other_team=team_b.id,
                other_level=b.level,
                when=when,
            )
            severity = "warning"
            hint = _("make sure this person can answer for both teams, or swap one turn")
        findings.append(
            Finding(
                "double-booking",
                severity,
                source_span(team_b, b.level, b.source or None),
                message,
                hint,
                team_b.id,
                start=merged[0][0],
            )
        )
    return findings


@dataclass(frozen=True, slots=True)
class _Place:
    order: int
    level: int
    source: str


def _place(piece: _Piece) -> _Place:
    return _Place(piece.order, piece.level, piece.source)
