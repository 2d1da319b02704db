"""Rules over the ``interventions:`` log, whatever the checked horizon (the log is the past):
``intervention-off-call`` (error), the intervention starts at an instant when its person is
not on call in its team, at any level. Only the start is checked: a call-out that began on
call may run past the end of the turn or into business hours. The rest an intervention
interrupts is :mod:`astreinte_cli.check.rest`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from astreinte_cli.check.findings import Finding, local_text
from astreinte_cli.compile import compile_team
from astreinte_cli.i18n import _
from astreinte_cli.model import Intervention, Roster, Team

MARGIN = dt.timedelta(days=2)


def intervention_findings(roster: Roster, teams: Sequence[Team]) -> list[Finding]:
    findings: list[Finding] = []
    for team in teams:
        mine = [i for i in roster.interventions if i.team == team.id]
        if not mine:
            continue
        findings += _off_call(roster, team, mine)
    return findings


def _off_call(roster: Roster, team: Team, items: Sequence[Intervention]) -> list[Finding]:
    start = min(i.start for i in items)
    end = max(i.end for i in items) + dt.timedelta(minutes=1)
    timeline = compile_team(roster, team, start, end)
    findings = []
    for item in items:
        on_call = any(
            item.person in s.who and s.start <= item.start < s.end
            for level in timeline.levels
            for s in level.stretches
        )
        if on_call:
            continue
        findings.append(
            Finding(
                "intervention-off-call",
                "error",
                item.span,
                _(
                    "{person} was not on call in {team} at {when}, when this intervention started"
                ).format(person=item.person, team=team.id, when=local_text(item.start, team.zone)),
                _("check the person and the time, or record the swap as an override"),
                team.id,
                start=item.start,
            )
        )
    return findings
