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
from astreinte_cli.intervals import union
from astreinte_cli.model import RateSet, Roster

RULE = "compensation"
LAW = "Code du travail L3121-9"


def compensation_findings(roster: Roster, timeline: TeamTimeline) -> list[Finding]:
    team = timeline.team
    if team.kind == "shifts":
        return []
    zone = team.zone
    service: dict[str, bool] = {}
    people: dict[str, dt.datetime] = {}  # employee → first instant on call
    held: list[tuple[dt.datetime, dt.datetime]] = []
    for level in timeline.levels:
        for stretch in level.stretches:
            employees = []
            for person in stretch.who:
                if person not in service:
                    service[person] = is_service(roster, person)
                if not service[person]:
                    employees.append(person)
            if not employees:
                continue
            held.append((stretch.start, stretch.end))
            for person in employees:
                if person not in people or stretch.start < people[person]:
                    people[person] = stretch.start
    if not people:
        return []
    # The local days on call, as spans of dates: a few per week, not one per stretch.
    days = [
        (s.astimezone(zone).date(), (e - dt.timedelta(microseconds=1)).astimezone(zone).date())
        for s, e in union(held)
    ]
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
                start=first,
            )
        ]
    span = team.spans.get("compensation", team.span)
    findings = []
    first_day = days[0][0]
    if compensation.rates_on(first_day) is None:
        findings.append(
            Finding(
                RULE,
                "error",
                span,
                _(
                    "team '{team}' has employees on call from {day}, before its first rates "
                    "are in force: that astreinte is not compensated ({law})"
                ).format(team=team.id, day=first_day.isoformat(), law=LAW),
                _("start the first rate set ('from:') on or before {day}").format(
                    day=first_day.isoformat()
                ),
                team.id,
                start=first,
            )
        )
    empty: dict[int, RateSet] = {}  # rate sets in force on some day on call, in order
    for index, rates in enumerate(compensation.rates):
        if _pays_astreinte(rates):
            continue
        since = rates.start or dt.date.min
        following = compensation.rates[index + 1] if index + 1 < len(compensation.rates) else None
        until = following.start if following is not None and following.start else dt.date.max
        in_force = since < until  # a set followed by one from the same day never is
        if in_force and any(first_on < until and since <= last_on for first_on, last_on in days):
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
                start=first,
            )
        )
    return findings


def _pays_astreinte(rates: RateSet) -> bool:
    return bool(rates.per_hour) or any(rates.portions.values()) or any(rates.bundles.values())
