"""``compensation`` (error): every astreinte is compensated, in money or in rest (Code du travail
L3121-9). A team with employees on call over the horizon needs a ``compensation:`` whose rates
give the astreinte itself an amount (flat amounts per portion, bundles or per hour) on every day
they are on call. Services (``kind: service``) need none, and a ``kind: shifts`` team's shifts
are working time, paid as such, not astreinte.
"""

from __future__ import annotations

import datetime as dt

from astreinte_cli.check.findings import Finding, is_service
from astreinte_cli.compile import TeamTimeline
from astreinte_cli.i18n import _
from astreinte_cli.model import RateSet, Roster

RULE = "compensation"
LAW = "Code du travail L3121-9"


def compensation_findings(roster: Roster, timeline: TeamTimeline) -> list[Finding]:
    team = timeline.team
    if team.kind == "shifts":
        return []
    zone = team.zone
    people: dict[str, dt.datetime] = {}  # employee → first instant on call
    days: set[dt.date] = set()
    for level in timeline.levels:
        for stretch in level.stretches:
            for person in stretch.who:
                if is_service(roster, person):
                    continue
                people[person] = min(people.get(person, stretch.start), stretch.start)
                day = stretch.start.astimezone(zone).date()
                last = (stretch.end - dt.timedelta(microseconds=1)).astimezone(zone).date()
                while day <= last:
                    days.add(day)
                    day += dt.timedelta(days=1)
    if not people:
        return []
    first = min(people.values())
    compensation = team.compensation
    if compensation is None:
        names = sorted(people)
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        return [
            Finding(
                RULE,
                "error",
                team.span,
                _(
                    "team '{team}' has employees on call ({people}) and no 'compensation:': "
                    "every astreinte is compensated, in money or in rest ({law})"
                ).format(team=team.id, people=shown, law=LAW),
                _(
                    "add 'compensation:' with the amounts of your agreement (README, "
                    "Compensation); a service ('kind: service') needs none, and on-site working "
                    "shifts are 'kind: shifts'"
                ),
                team.id,
                first,
            )
        ]
    span = team.spans.get("compensation", team.span)
    findings = []
    uncovered = sorted(d for d in days if compensation.rates_on(d) is None)
    if uncovered:
        findings.append(
            Finding(
                RULE,
                "error",
                span,
                _(
                    "team '{team}' has employees on call from {day}, before its first rates "
                    "are in force: that astreinte is not compensated ({law})"
                ).format(team=team.id, day=uncovered[0].isoformat(), law=LAW),
                _("start the first rate set ('from:') on or before {day}").format(
                    day=uncovered[0].isoformat()
                ),
                team.id,
                first,
            )
        )
    empty: dict[int, RateSet] = {}  # rate sets in force on some day on call, in order
    for day in sorted(days):
        rates = compensation.rates_on(day)
        if rates is not None and not _pays_astreinte(rates):
            empty.setdefault(id(rates), rates)
    for rates in empty.values():
        findings.append(
            Finding(
                RULE,
                "error",
                rates.span,
                _(
                    "these rates give the astreinte itself no amount (only interventions), and "
                    "team '{team}' has employees on call while they are in force ({law})"
                ).format(team=team.id, law=LAW),
                _(
                    "add flat amounts (weeknight, saturday, sunday, holiday, week, weekend) or "
                    "'per_hour'; with 'mode: rest' they are given as rest"
                ),
                team.id,
                first,
            )
        )
    return findings


def _pays_astreinte(rates: RateSet) -> bool:
    return bool(rates.per_hour) or any(rates.portions.values()) or any(rates.bundles.values())
