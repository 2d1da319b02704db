"""Dead rules: roster lines that change nothing over the horizon, or less than they say
(warnings).

An override whose removal leaves the timeline as it is; an override that a later one partly
undoes (``overlapping-overrides``: where both apply, the later one takes away some of the people
the earlier one put on call); a rotation whose ``only:`` window leaves none of its turns any
time; a member of a rotation who is never on call on its level.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Sequence

from astreinte_cli.check.findings import Finding, local_range, local_text
from astreinte_cli.compile import (
    PlacedOverride,
    TeamTimeline,
    compile_level,
    placed_overrides,
    rotation_turns,
)
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
    overlapping: list[Finding] = []
    # Only the overrides that meet the horizon: what one does outside it is not checked. Each
    # comes with the overrides of its level that meet it (found in one sweep): comparing every
    # override with every other made `check` grow with their square (10,000: minutes).
    for override, first, last, others in _overlapping_overrides(team, calendar, start, end):
        level = team.level(override.level)
        # An override acts within its period only (SPEC §5.7): the level with and without it
        # is compared there, not over the whole horizon (which cost a compile per override),
        # with the overrides that meet that period only.
        since, until = max(first, start), min(last, end)
        placed = (override, first, last)
        with_it = sorted([*others, placed], key=lambda item: item[0].index)
        other = compile_level(roster, team, level, since, until, calendar, others)
        current = compile_level(roster, team, level, since, until, calendar, with_it)
        if _states(other) == _states(current):
            covering = [
                o.index
                for o, o_start, o_end in others
                if o.index > override.index
                and o.replaces is None
                and _covers((o_start, o_end), (since, until))
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
            continue
        overlapping += _overlapping(roster, team, calendar, start, end, placed, with_it)
    findings += overlapping
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
    earlier_placed: PlacedOverride,
    meeting: Sequence[PlacedOverride],
) -> list[Finding]:
    """Each later override of the same level that takes away, where both apply, some of the
    people ``earlier`` put on call: ``earlier`` is partly shadowed (wholly shadowed, it is
    dead, and said so by the caller). Overrides that overlap without touching each other's
    people (two ``replaces`` of different people) are left alone. ``meeting`` holds
    ``earlier`` and the overrides of its level that meet it, in file order."""
    earlier, earlier_start, earlier_end = earlier_placed
    zone = team.zone
    findings = []
    for later, later_start, later_end in meeting:
        if later.index <= earlier.index:
            continue
        since = max(earlier_start, later_start, start)
        until = min(earlier_end, later_end, end)
        if since >= until:
            continue
        here = [item for item in meeting if item[1] < until and since < item[2]]
        taken = _taken(roster, team, calendar, earlier, later, since, until, here)
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
    meeting: Sequence[PlacedOverride],
) -> list[Interval]:
    """Where, within ``[since, until)``, ``earlier`` has someone on call without ``later`` and
    no longer has them with it. ``meeting``: the overrides of the level that meet that
    period, in file order."""
    level = team.level(later.level)
    without = [item for item in meeting if item[0] is not later]
    before = compile_level(roster, team, level, since, until, calendar, without)
    after = compile_level(roster, team, level, since, until, calendar, meeting)
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


def _overlapping_overrides(
    team: Team, calendar: TeamCalendar, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[Override, dt.datetime, dt.datetime, list[PlacedOverride]]]:
    """Each override that meets ``[start, end)``, with its instants and the other overrides of
    its level that meet it there, in file order. The pairs that overlap are found in one sweep
    over the overrides in order of start (each pair met once), not by comparing every override
    with every other; each override's list is made when it is its turn."""
    for level in team.levels:
        placed = [
            (o, s, e)
            for o, s, e in placed_overrides(team, level.number, calendar)
            if s < end and start < e
        ]
        order = sorted(range(len(placed)), key=lambda i: placed[i][1])
        running: list[tuple[dt.datetime, int]] = []  # (end within the horizon, position)
        meets: list[list[int]] = [[] for _ in placed]
        for position in order:
            clipped_start = max(placed[position][1], start)
            while running and running[0][0] <= clipped_start:
                heapq.heappop(running)
            for _end, other in running:
                meets[position].append(other)
                meets[other].append(position)
            heapq.heappush(running, (min(placed[position][2], end), position))
        for position, (override, first, last) in enumerate(placed):  # file order
            yield override, first, last, [placed[i] for i in sorted(meets[position])]
            meets[position] = []


def _covers(outer: Interval, inner: Interval) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _states(timeline: LevelTimeline) -> list[tuple[dt.datetime, dt.datetime, object]]:
    return [(s.start, s.end, s.state) for s in timeline.merged(lambda s: s.state)]
