"""Daily rest after an intervention (Code du travail L3131-1, L3121-10). Pure.

Astreinte without intervention counts as rest; an intervention is work. When an intervention
starts before the person has had ``minimum`` (11 h) of rest since their last work, the rest
was interrupted before it was complete, so a full ``minimum`` of rest is due from the end of
the intervention: the person may not resume work before then. When the rest was already
complete, the intervention has no effect on it.

Declared work is the team's business hours (for employees; a service is never subject to
this). An intervention's work runs from its ``from`` to its ``to`` plus travel: travel counts as
working time, and is taken as the way back, after the call-out, which errs on the safe side.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from astreinte_cli.intervals import Interval, Intervals, union
from astreinte_cli.model import Intervention

DAILY_REST = dt.timedelta(hours=11)


@dataclass(frozen=True, slots=True)
class RestDue:
    intervention: Intervention
    previous_work_end: dt.datetime | None  # None: no work in the look-back
    resume_at: dt.datetime  # the earliest instant work may resume


def work_of(intervention: Intervention) -> Interval:
    return intervention.start, intervention.end + intervention.travel


def rest_due(
    intervention: Intervention,
    work: Intervals,
    minimum: dt.timedelta = DAILY_REST,
) -> RestDue | None:
    """The rest due after ``intervention``, given the person's other ``work`` (declared hours
    and their other interventions), or None when its rest was already complete."""
    start, end = work_of(intervention)
    previous = [e for s, e in work if s < start]
    last = max(previous, default=None)
    # last >= start: during work, no rest at all
    if last is not None and (last >= start or start - last < minimum):
        return RestDue(intervention, last, end + minimum)
    return None


def person_work(declared: Intervals, interventions: Sequence[Intervention]) -> Intervals:
    """Declared hours and interventions (travel included) as one set of work intervals."""
    return union([*declared, *(work_of(i) for i in interventions)])
