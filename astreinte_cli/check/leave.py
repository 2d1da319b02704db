"""Leave conflicts (SPEC §6): an assignment that overlaps its person's leave.

With ``on_leave: flag`` a rotation's assignment during leave stands and is an error here; an
override that puts someone on leave on call is an error whatever ``on_leave`` says.
"""

from __future__ import annotations

import datetime as dt

from astreinte_cli.check.findings import Finding, local_range, source_label, source_span
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.i18n import _
from astreinte_cli.model import Leave, Roster


def leave_findings(roster: Roster, timeline: TeamTimeline) -> list[Finding]:
    team = timeline.team
    zone = team.zone
    # (leave, level, source) → [first start, last end] of the overlap
    found: dict[tuple[int, int, str], tuple[Leave, dt.datetime, dt.datetime]] = {}
    # The leave of the people this team has on call, by person, in file order: looking at the
    # whole organisation's leave for every stretch made `check` grow with the square of its size.
    on_call = {p for level in timeline.levels for p in level.people()}
    by_person = roster.leave_by_person
    leaves = {
        person: [(index, item, item.period.instants(zone)) for index, item in by_person[person]]
        for person in on_call
        if person in by_person
    }
    for level in timeline.levels:
        for stretch in level.stretches:
            if not stretch.who or stretch.source is None:
                continue
            if stretch.source.startswith("rotation:") and team.on_leave == "next":
                continue  # cannot happen: a substitute took the place
            mine = [entry for person in stretch.who for entry in leaves.get(person, ())]
            if len(stretch.who) > 1:
                mine.sort(key=lambda entry: entry[0])  # file order, as one list would give
            for index, item, (start, end) in mine:
                first, last = max(start, stretch.start), min(end, stretch.end)
                if first >= last:
                    continue
                key = (index, level.level.number, stretch.source)
                if key in found:
                    _first, earlier, later = found[key]
                    first, last = min(first, earlier), max(last, later)
                found[key] = (item, first, last)
    findings = []
    for (_person, number, source), (item, first, last) in found.items():
        by_override = source.startswith("override:")
        span = item.span
        if by_override:
            span = source_span(team, number, source)
        hint = (
            _("choose someone else for this override, or move the leave")
            if by_override
            else _(
                "swap the turn with an override, or set 'on_leave: next' on the team so "
                "that the next member of the rotation stands in"
            )
        )
        findings.append(
            Finding(
                "leave",
                "error",
                span,
                _(
                    "{person} is on leave but on call at {team} level {number} ({source}) {range}"
                ).format(
                    person=item.person,
                    team=team.id,
                    number=number,
                    source=source_label(source),
                    range=local_range(first, last, zone),
                ),
                hint,
                team.id,
                start=first,
            )
        )
    return findings
