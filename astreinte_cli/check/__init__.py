"""Rules over compiled timelines (SPEC §7 ``check``): each returns findings, pure.

- ``gap``: inside coverage, nobody on call (error); ``no-holidays``: business hours without
  a holiday calendar (warning);
- ``leave``: on call during one's own leave (error);
- ``double-booking``: on two levels of one team (error) or in two teams (warning) at once;
- ``dead-override``, ``overlapping-overrides``, ``dead-rotation``, ``idle-member``: roster
  lines that change nothing, or less than they say (warnings);
- the team's ``rules:``: ``notice``, ``max-consecutive-turns``, ``max-share``;
- rest between periods of work (``check/rest.py``): ``min-rest`` (the working hours themselves,
  error), ``daily-rest`` and ``weekly-rest`` (an intervention interrupted a rest, warnings);
- ``compensation``: a team with people on call and no compensation (error);
- the ``interventions:`` log: ``intervention-off-call`` (error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from astreinte_cli.check.booking import booking_findings
from astreinte_cli.check.compensation import compensation_findings
from astreinte_cli.check.coverage import gap_findings, holiday_findings
from astreinte_cli.check.dead import dead_findings
from astreinte_cli.check.findings import Finding, order_by
from astreinte_cli.check.interventions import intervention_findings
from astreinte_cli.check.leave import leave_findings
from astreinte_cli.check.limits import consecutive_findings, share_findings
from astreinte_cli.check.notice import Known, Revision, known_dates, notice_findings
from astreinte_cli.check.rest import interrupted_rest_findings, schedule_findings
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.model import Roster, Team
from astreinte_cli.publication_log import PublicationLog, known_from_log

__all__ = ["Finding", "Revision", "check_timelines"]

History = Callable[[Team], Iterable[Revision]]


def check_timelines(
    roster: Roster,
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    history: History | None,
    publication: PublicationLog | None = None,
) -> list[Finding]:
    """Every finding over ``[start, end)``; ``history`` gives each team's older revisions,
    newest first, and ``publication`` the publication log, for the teams that read notice from
    it (None: the notice rule cannot run from there, and the caller says so); ``now`` is read in
    each team's zone for the day the working tree's changes become known."""
    findings: list[Finding] = []
    for timeline in timelines:
        findings += gap_findings(timeline)
        findings += holiday_findings(timeline.team)
        findings += leave_findings(roster, timeline)
        findings += dead_findings(roster, timeline, start, end)
        findings += consecutive_findings(roster, timeline, start, end)
        findings += schedule_findings(roster, timeline, start, end)
        findings += share_findings(roster, timeline, start, end)
        findings += compensation_findings(roster, timeline)
        known = _known(timeline, now, history, publication)
        if known is not None:
            findings += notice_findings(roster, timeline, known)
    findings += booking_findings(roster, timelines)
    findings += intervention_findings(roster, [t.team for t in timelines])
    findings += interrupted_rest_findings(roster, [t.team for t in timelines])
    return sorted(findings, key=order_by([t.team.id for t in timelines]))


def _known(
    timeline: TeamTimeline,
    now: dt.datetime,
    history: History | None,
    publication: PublicationLog | None,
) -> Known | None:
    """When each stretch of the team became known, from git or from the publication log as
    the team's rules say; None when the notice rule is off or its source is missing."""
    team = timeline.team
    notice_days = team.rules.notice_days
    if notice_days is None:
        return None
    today = now.astimezone(team.zone).date()
    if team.rules.notice_from == "publication":
        return known_from_log(publication, timeline, today) if publication is not None else None
    if history is None:
        return None
    return known_dates(timeline, history(team), today, notice_days)
