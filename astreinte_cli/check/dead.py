"""Dead rules: roster lines that change nothing over the horizon, or less than they say
(warnings).

An override whose removal leaves the timeline as it is; an override that a later one partly
undoes (``overlapping-overrides``: where both apply, the later one takes away some of the people
the earlier one put on call); a rotation whose ``only:`` window leaves none of its turns any
time; a member of a rotation who is never on call on its level.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from astreinte_cli.check.findings import Finding, local_range, local_text
from astreinte_cli.compile import TeamTimeline, compile_level, rotation_turns
from astreinte_cli.i18n import _, ngettext
from astreinte_cli.intervals import Interval, intersect, union
from astreinte_cli.model import Override, Roster, Team
from astreinte_cli.timeline import LevelTimeline
from astreinte_cli.windows import TeamCalendar


def dead_findings(
    roster: Roster, timeline: TeamTimeline, start: dt.datetime, end: dt.datetime
) -> list[Finding]:
    team = timeline.team
    zone = team.zone
    horizon = local_range(start, end, zone)
    calendar = TeamCalendar(team)
    findings = []
    dead: set[int] = set()
    for override in team.overrides:
        first, last = override.period.instants(zone)
        if last <= start or first >= end:
            continue  # outside the horizon: what it does there is not checked
        level = team.level(override.level)
        without = dataclasses.replace(
            team, overrides=tuple(o for o in team.overrides if o is not override)
        )
        # An override acts within its period only (SPEC §5.7): the level with and without it
        # is compared there, not over the whole horizon (which cost a compile per override).
        since, until = max(first, start), min(last, end)
        other = compile_level(roster, without, level, since, until, calendar)
        current = compile_level(roster, team, level, since, until, calendar)
        if _states(other) == _states(current):
            dead.add(override.index)
            covering = [
                o.index
                for o in team.overrides
                if o.index > override.index
                and o.level == override.level
                and o.replaces is None
                and _covers(o.period.instants(zone), (since, until))
            ]
            if covering:
                hint = _("override {later}, later in the file, wins over all of it").format(
                    later=covering[0]
                )
            elif override.replaces is not None:
                hint = _("'{replaces}' is never on call at level {level} then").format(
                    replaces=override.replaces, level=override.level
                )
            else:
                hint = _(
                    "the people it names are already on call then, or it lies outside coverage"
                )
            findings.append(
                Finding(
                    "dead-override",
                    "warning",
                    override.span,
                    _("override {index} changes nothing at {team} level {level}").format(
                        index=override.index, team=team.id, level=override.level
                    ),
                    hint + _("; remove it if it is no longer needed"),
                    team.id,
                    start=since,
                )
            )
    findings += _overlapping(roster, team, calendar, start, end, dead)
    for level_timeline in timeline.levels:
        level = level_timeline.level
        on_level = set(level_timeline.people())
        for rotation in level.rotations:
            turns = rotation_turns(rotation, calendar, start, end)
            only = calendar.evaluate(rotation.only, start, end)
            active = intersect(union((t.start, t.end) for t in turns), only)
            if turns and not active:
                findings.append(
                    Finding(
                        "dead-rotation",
                        "warning",
                        rotation.spans.get("only", rotation.span),
                        _(
                            "rotation '{name}' of {team} level {number} gives nobody {horizon}: "
                            "its 'only' window leaves it no time"
                        ).format(
                            name=rotation.name, team=team.id, number=level.number, horizon=horizon
                        ),
                        _("check the 'only' window, or remove the rotation"),
                        team.id,
                    )
                )
                continue
            members = dict.fromkeys(m for t in turns for m in t.who)
            for member in members:
                if member in on_level:
                    continue
                findings.append(
                    Finding(
                        "idle-member",
                        "warning",
                        rotation.spans.get("members", rotation.span),
                        _(
                            "{member} is a member of rotation '{name}' of {team} level {number} "
                            "but is never on call {horizon}"
                        ).format(
                            member=member,
                            name=rotation.name,
                            team=team.id,
                            number=level.number,
                            horizon=horizon,
                        ),
                        _(
                            "they are on leave, or another layer or an override wins over their "
                            "turns, or their turns fall outside coverage"
                        ),
                        team.id,
                    )
                )
    return findings


def _overlapping(
    roster: Roster,
    team: Team,
    calendar: TeamCalendar,
    start: dt.datetime,
    end: dt.datetime,
    dead: set[int],
) -> list[Finding]:
    """A later override of the same level that takes away, where both apply, some of the
    people an earlier one put on call: the earlier one is partly shadowed (wholly shadowed, it
    is dead, and said so above). Overrides that overlap without touching each other's people
    (two ``replaces`` of different people) are left alone."""
    zone = team.zone
    findings = []
    periods = {o.index: o.period.instants(zone) for o in team.overrides}
    for earlier in team.overrides:
        if earlier.index in dead:
            continue
        for later in team.overrides:
            if later.index <= earlier.index or later.level != earlier.level:
                continue
            since = max(periods[earlier.index][0], periods[later.index][0], start)
            until = min(periods[earlier.index][1], periods[later.index][1], end)
            if since >= until:
                continue
            taken = _taken(roster, team, calendar, earlier, later, since, until)
            if not taken:
                continue
            when = local_range(taken[0][0], taken[0][1], zone)
            if len(taken) > 1:
                when = ngettext(
                    "{count} time between {first} and {last}, first {when}",
                    "{count} times between {first} and {last}, first {when}",
                    len(taken),
                ).format(
                    count=len(taken),
                    first=local_text(taken[0][0], zone),
                    last=local_text(taken[-1][1], zone),
                    when=when,
                )
            findings.append(
                Finding(
                    "overlapping-overrides",
                    "warning",
                    later.span,
                    _(
                        "override {later} overlaps override {earlier} at level {level} of "
                        "{team} and wins there, {when}: override {earlier} is only partly "
                        "in force"
                    ).format(
                        later=later.index,
                        earlier=earlier.index,
                        level=later.level,
                        team=team.id,
                        when=when,
                    ),
                    _(
                        "overrides apply in file order, the later one winning; if that is not "
                        "what you mean, shorten one of the two periods"
                    ),
                    team.id,
                    start=taken[0][0],
                )
            )
    return findings


def _taken(
    roster: Roster,
    team: Team,
    calendar: TeamCalendar,
    earlier: Override,
    later: Override,
    since: dt.datetime,
    until: dt.datetime,
) -> list[Interval]:
    """Where, within ``[since, until)``, ``earlier`` has someone on call without ``later`` and
    no longer has them with it."""
    level = team.level(later.level)
    without = dataclasses.replace(
        team, overrides=tuple(o for o in team.overrides if o is not later)
    )
    before = compile_level(roster, without, level, since, until, calendar)
    after = compile_level(roster, team, level, since, until, calendar)
    taken: list[Interval] = []
    for stretch in before.stretches:
        if stretch.source != earlier.source:
            continue
        put = [p for p in stretch.who if p in earlier.who]
        for other in after.stretches:
            first, last = max(stretch.start, other.start), min(stretch.end, other.end)
            if first < last and any(p not in other.who for p in put):
                taken.append((first, last))
    return union(taken)


def _covers(outer: Interval, inner: Interval) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _states(timeline: LevelTimeline) -> list[tuple[dt.datetime, dt.datetime, object]]:
    return [(s.start, s.end, s.state) for s in timeline.merged(lambda s: s.state)]
