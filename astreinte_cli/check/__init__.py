"""Rules over compiled timelines (SPEC §7 ``check``): each returns findings, pure.

- ``gap``: inside coverage, nobody on call (error); ``no-holidays``: business hours without
  a holiday calendar (warning);
- ``leave``: on call during one's own leave (error);
- ``double-booking``: on two levels of one team (error) or in two teams (warning) at once;
- ``dead-override``, ``overlapping-overrides``, ``dead-rotation``, ``idle-member``: roster
  lines that change nothing, or less than they say (warnings);
- the team's ``rules:``: ``notice``, ``max-consecutive-turns``, ``min-rest``, ``max-share``;
- the ``interventions:`` log: ``intervention-off-call`` (error), ``daily-rest`` (warning).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from astreinte_cli.check.booking import booking_findings
from astreinte_cli.check.coverage import gap_findings, holiday_findings
from astreinte_cli.check.dead import dead_findings
from astreinte_cli.check.findings import Finding, order_by
from astreinte_cli.check.interventions import intervention_findings
from astreinte_cli.check.leave import leave_findings
from astreinte_cli.check.limits import consecutive_findings, rest_findings, share_findings
from astreinte_cli.check.notice import Revision, notice_findings
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.model import Roster, Team

__all__ = ["Finding", "Revision", "check_timelines"]

History = Callable[[Team], Iterable[Revision]]


def check_timelines(
    roster: Roster,
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    history: History | None,
) -> list[Finding]:
    """Every finding over ``[start, end)``; ``history`` gives each team's older revisions,
    newest first (None: the notice rule cannot run, and the caller says so); ``now`` is
    read in each team's zone for the day the working tree's changes become known."""
    findings: list[Finding] = []
    for timeline in timelines:
        findings += gap_findings(timeline)
        findings += holiday_findings(timeline.team)
        findings += leave_findings(roster, timeline)
        findings += dead_findings(roster, timeline, start, end)
        findings += consecutive_findings(roster, timeline, start, end)
        findings += rest_findings(roster, timeline)
        findings += share_findings(roster, timeline, start, end)
        if history is not None:
            today = now.astimezone(timeline.team.zone).date()
            findings += notice_findings(roster, timeline, history(timeline.team), today)
    findings += booking_findings(roster, timelines)
    findings += intervention_findings(roster, [t.team for t in timelines])
    return sorted(findings, key=order_by([t.team.id for t in timelines]))
