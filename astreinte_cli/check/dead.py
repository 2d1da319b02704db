"""Dead rules: roster lines that change nothing over the horizon (warnings).

An override whose removal leaves the timeline as it is; a rotation whose ``only:`` window leaves
none of its turns any time; a member of a rotation who is never on call on its level.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from astreinte_cli.check.findings import Finding, local_range
from astreinte_cli.compile import TeamTimeline, compile_level, rotation_turns
from astreinte_cli.i18n import _
from astreinte_cli.intervals import intersect, union
from astreinte_cli.model import Roster
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
            hint = (
                _("'{replaces}' is never on call at level {level} then").format(
                    replaces=override.replaces, level=override.level
                )
                if override.replaces is not None
                else _("the people it names are already on call then, or it lies outside coverage")
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


def _states(timeline: LevelTimeline) -> list[tuple[dt.datetime, dt.datetime, object]]:
    return [(s.start, s.end, s.state) for s in timeline.merged(lambda s: s.state)]
