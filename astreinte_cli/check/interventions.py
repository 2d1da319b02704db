"""Rules over the ``interventions:`` log, whatever the checked horizon (the log is the past):

- ``intervention-off-call`` (error): the intervention starts at an instant when its person is
  not on call in its team, at any level. Only the start is checked: a call-out that began on
  call may run past the end of the turn or into business hours.
- ``daily-rest`` (warning): the intervention interrupted a daily rest that was not complete
  (less than 11 h since the person's last work), so 11 consecutive hours of rest are due from
  its end (travel included), and the team's business hours (the declared working hours of
  its employees) start again before that. A warning, because the employer may have moved the
  start of that day; the report shows the earliest time work may resume. Services are not
  subject to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from astreinte_cli.check.findings import Finding, local_text
from astreinte_cli.compile import compile_team
from astreinte_cli.i18n import _
from astreinte_cli.intervals import union
from astreinte_cli.model import Intervention, Roster, Team
from astreinte_cli.rest import DAILY_REST, person_work, rest_due, work_of
from astreinte_cli.windows import TeamCalendar

MARGIN = dt.timedelta(days=2)


def intervention_findings(roster: Roster, teams: Sequence[Team]) -> list[Finding]:
    findings: list[Finding] = []
    for team in teams:
        mine = [i for i in roster.interventions if i.team == team.id]
        if not mine:
            continue
        findings += _off_call(roster, team, mine)
        findings += _rest(roster, team, mine)
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


def _rest(roster: Roster, team: Team, items: Sequence[Intervention]) -> list[Finding]:
    calendar = TeamCalendar(team)
    start = min(i.start for i in items) - MARGIN
    end = max(i.end for i in items) + MARGIN
    declared = calendar.business_hours(start, end)
    findings = []
    for item in items:
        info = roster.people.get(item.person)
        if info is None or info.is_service:
            continue
        everything = [i for i in roster.interventions if i.person == item.person]
        others = person_work(declared, [i for i in everything if i is not item])
        due = rest_due(item, others, DAILY_REST)
        if due is None:
            continue
        _started, finished = work_of(item)
        later = union(work_of(i) for i in everything if i.start >= finished)
        if any(s < due.resume_at for s, _e in later):
            continue  # called out again during the rest: the later call-out is the one to check
        resumed = [s for s, e in declared if e > finished and s < due.resume_at]
        if not resumed:
            continue
        zone = team.zone
        back = max(resumed[0], finished)
        findings.append(
            Finding(
                "daily-rest",
                "warning",
                item.span,
                _(
                    "{person}'s call-out {start} ended at {end} (travel "
                    "included) and interrupted a daily rest that was not complete: no work "
                    "before {resume}, but {team}'s business hours resume at {back}"
                ).format(
                    person=item.person,
                    start=local_text(item.start, zone),
                    end=local_text(finished, zone),
                    resume=local_text(due.resume_at, zone),
                    team=team.id,
                    back=local_text(back, zone),
                ),
                _(
                    "let {person} start at {resume} that day ({hours} consecutive hours of "
                    "rest, Code du travail L3131-1)"
                ).format(
                    person=item.person,
                    resume=local_text(due.resume_at, zone),
                    hours=int(DAILY_REST.total_seconds() // 3600),
                ),
                team.id,
                start=item.start,
            )
        )
    return findings
