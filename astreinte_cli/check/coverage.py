"""Gaps: time inside a level's coverage with nobody on call (SPEC §5.8); and a team with
business hours but no public holidays (SPEC §8), whose holidays would count as working days."""

from __future__ import annotations

from astreinte_cli.check.findings import Finding, local_range
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.i18n import _
from astreinte_cli.model import Team


def gap_findings(timeline: TeamTimeline) -> list[Finding]:
    team = timeline.team
    findings = []
    for level in timeline.levels:
        for gap in level.gaps():
            findings.append(
                Finding(
                    "gap",
                    "error",
                    level.level.span,
                    _(
                        "{team} level {number} ({name}) has nobody on call {range} ({timezone})"
                    ).format(
                        team=team.id,
                        number=level.level.number,
                        name=level.level.name,
                        range=local_range(gap.start, gap.end, team.zone),
                        timezone=team.timezone,
                    ),
                    _(
                        "add a rotation member or an override for that time, or check the leave "
                        "of the people it should fall to"
                    ),
                    team.id,
                    start=gap.start,
                )
            )
    return findings


def holiday_findings(team: Team) -> list[Finding]:
    if "holidays" in team.spans or team.business_hours is None:
        return []
    return [
        Finding(
            "no-holidays",
            "warning",
            team.spans.get("business_hours", team.span),
            _(
                "team '{team}' has business hours but no 'holidays': public holidays count "
                "as business days"
            ).format(team=team.id),
            _("add e.g. 'holidays: FR', or 'holidays: none' if that is what you mean"),
            team.id,
        )
    ]
