"""Rest, measured between periods of work (:mod:`astreinte_cli.rest`), never between on-call
stretches: astreinte without intervention is rest (Code du travail L3121-10).

- ``daily-rest`` and ``weekly-rest`` (warnings): an intervention interrupted a daily rest
  (L3131-1) or a weekly rest (L3132-2) that was not complete, so the whole rest is due again
  from its end (travel included), and the person's working hours start again before then. A
  warning, because astreinte cannot know whether the employer moved the start of that day;
  `report` shows the earliest time work may resume for every intervention.
- ``min-rest`` (error): the working hours themselves (``work_hours``, the business hours, a
  ``kind: shifts`` team's shifts) leave less than the daily rest in 24 hours from the start of
  a period of work, or no weekly rest in a civil week.

``rules: {min_rest_hours: N}`` sets the daily rest (default 11, L3131-1; less only where an
agreement or a derogation allows it, L3131-2 and D3131-1 ff.), the weekly rest being 24 hours
more; ``off`` turns these rules off. Services (``kind: service``) are never subject to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from astreinte_cli.check.findings import Finding, hours_text, is_service, local_range, local_text
from astreinte_cli.compile import TeamTimeline, compile_team
from astreinte_cli.diagnostics import Span
from astreinte_cli.i18n import _, ngettext
from astreinte_cli.intervals import Intervals, union
from astreinte_cli.model import Roster, Team, Window
from astreinte_cli.rest import (
    LOOK_AROUND,
    SCHEDULE_MARGIN,
    RestDue,
    RestRule,
    ShortRest,
    first_work_before,
    interrupted_again,
    rest_due,
    short_rests,
    work_of,
    working_hours,
)
from astreinte_cli.windows import TeamCalendar


def shifts_of(
    roster: Roster, team: Team, start: dt.datetime, end: dt.datetime
) -> dict[str, Intervals]:
    """Each person's shifts in a ``kind: shifts`` team over ``[start, end)`` (their work);
    nothing for an astreinte team."""
    if team.kind != "shifts":
        return {}
    return _people_time(compile_team(roster, team, start, end))


def _people_time(timeline: TeamTimeline) -> dict[str, Intervals]:
    found: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for level in timeline.levels:
        for stretch in level.stretches:
            for person in stretch.who:
                found.setdefault(person, []).append((stretch.start, stretch.end))
    return {person: union(items) for person, items in found.items()}


# --------------------------------------------------------------------------- interventions


def interrupted_rest_findings(roster: Roster, teams: Sequence[Team]) -> list[Finding]:
    findings: list[Finding] = []
    for team in teams:
        rule = RestRule.of(team)
        mine = [i for i in roster.interventions if i.team == team.id]
        if rule is None or not mine:
            continue
        calendar = TeamCalendar(team)
        first = min(i.start for i in mine) - LOOK_AROUND
        last = max(i.end for i in mine) + LOOK_AROUND
        shifts = shifts_of(roster, team, first, last)
        for item in mine:
            if is_service(roster, item.person):
                continue
            scheduled = working_hours(
                roster,
                team,
                item.person,
                calendar,
                item.start - LOOK_AROUND,
                item.end + LOOK_AROUND,
                shifts.get(item.person),
            )
            theirs = [i for i in roster.interventions if i.person == item.person]
            due = rest_due(item, scheduled, theirs, rule, team.zone)
            if due is None or interrupted_again(due, theirs):
                continue
            clash = first_work_before(due, scheduled)
            if clash is not None:
                findings.append(_interrupted(team, due, clash[0], rule))
    return findings


def _interrupted(team: Team, due: RestDue, back: dt.datetime, rule: RestRule) -> Finding:
    item = due.intervention
    zone = team.zone
    _started, finished = work_of(item)
    values = {
        "person": item.person,
        "start": local_text(item.start, zone),
        "end": local_text(finished, zone),
        "resume": local_text(due.resume_at, zone),
        "back": local_text(back, zone),
    }
    if due.kind == "weekly":
        message = _(
            "{person}'s call-out {start} ended at {end} (travel included) and interrupted a "
            "weekly rest that was not complete: no work before {resume}, but {person}'s "
            "working hours resume at {back}"
        )
        hint = _(
            "let {person} start at {resume} ({hours} consecutive hours of weekly rest from the "
            "end of the call-out, Code du travail L3132-2)"
        )
        hours = rule.weekly
    else:
        message = _(
            "{person}'s call-out {start} ended at {end} (travel included) and interrupted a "
            "daily rest that was not complete: no work before {resume}, but {person}'s "
            "working hours resume at {back}"
        )
        hint = _(
            "let {person} start at {resume} ({hours} consecutive hours of rest from the end of "
            "the call-out, Code du travail L3131-1)"
        )
        hours = rule.daily
    return Finding(
        "weekly-rest" if due.kind == "weekly" else "daily-rest",
        "warning",
        item.span,
        message.format(**values),
        hint.format(person=item.person, resume=values["resume"], hours=_hours(hours)),
        team.id,
        item.start,
    )


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g}"


# --------------------------------------------------------------------------- schedules


def schedule_findings(
    roster: Roster, timeline: TeamTimeline, start: dt.datetime, end: dt.datetime
) -> list[Finding]:
    """``min-rest``: where the working hours of the people on call in the team leave too
    little rest over ``[start, end)``; one finding per schedule (the team's, or a person's own)
    and kind of rest, with the first instance and how many there are."""
    team = timeline.team
    rule = RestRule.of(team)
    if rule is None:
        return []
    calendar = TeamCalendar(team)
    wide_start, wide_end = start - SCHEDULE_MARGIN, end + SCHEDULE_MARGIN
    shifts = shifts_of(roster, team, wide_start, wide_end)
    everyone = dict.fromkeys(p for level in timeline.levels for p in level.people())
    people = [p for p in everyone if not is_service(roster, p)]
    seen: set[object] = set()
    findings: list[Finding] = []
    for person in people:
        info = roster.people.get(person)
        own: Window | None = info.work_hours if info is not None else None
        key: object = ("person", person) if own is not None or person in shifts else team.id
        if key in seen:
            continue
        seen.add(key)
        # Leave aside: it only removes work, so it can only lengthen a rest.
        scheduled = working_hours(
            _without_leave(roster), team, person, calendar, wide_start, wide_end,
            shifts.get(person),
        )  # fmt: skip
        whose = person if key != team.id else _("team {team}").format(team=team.id)
        span = _schedule_span(roster, team, person, key != team.id)
        for short in short_rests(scheduled, team.zone, rule, start, end):
            findings.append(_short(team, short, whose, span, rule))
    return findings


def _without_leave(roster: Roster) -> Roster:
    return Roster(roster.people, (), roster.teams, roster.files, roster.interventions)


def _schedule_span(roster: Roster, team: Team, person: str, own: bool) -> Span:
    if own:
        return roster.people[person].span
    for key in ("work_hours", "business_hours"):
        if key in team.spans:
            return team.spans[key]
    return team.span


def _short(team: Team, short: ShortRest, whose: str, span: Span, rule: RestRule) -> Finding:
    zone = team.zone
    if short.kind == "daily":
        message = _(
            "the working hours of {whose} leave at most {longest} of consecutive rest in the "
            "24 hours {range} ({times} over the horizon); the daily rest is {minimum} "
            "(Code du travail L3131-1)"
        )
        minimum = rule.daily
    else:
        message = _(
            "the working hours of {whose} leave at most {longest} of consecutive rest in the "
            "week {range} ({times} over the horizon); the weekly rest is {minimum} "
            "(Code du travail L3132-2)"
        )
        minimum = rule.weekly
    return Finding(
        "min-rest",
        "error",
        span,
        message.format(
            whose=whose,
            longest=hours_text(short.longest),
            range=local_range(short.start, short.end, zone),
            times=ngettext("{count} time", "{count} times", short.count).format(count=short.count),
            minimum=hours_text(minimum),
        ),
        _(
            "change the working hours ('work_hours:' of the team or the person), or lower "
            "'min_rest_hours' where an agreement allows it"
        ),
        team.id,
        short.start,
    )
