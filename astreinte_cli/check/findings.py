"""What a check reports: a :class:`Finding` points at the roster line that produced it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from astreinte_cli.diagnostics import Diagnostic, Severity, Span
from astreinte_cli.i18n import _, format_instant, ngettext
from astreinte_cli.intervals import Interval, Intervals, union
from astreinte_cli.model import Override, Roster, Rotation, Team
from astreinte_cli.timeline import LevelTimeline


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found by a rule: where it comes from, how bad, and what to do."""

    rule: str
    severity: Severity
    span: Span
    message: str
    hint: str | None = None
    team: str | None = None
    start: dt.datetime | None = None

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.span, self.message, self.hint, self.severity)


# Findings about no instant (a team without holidays, a rotation that gives nobody over the
# whole horizon, a fairness spread) concern the horizon from its start: they come first.
_TIMELESS = dt.datetime.min.replace(tzinfo=dt.UTC)

OrderKey = tuple[dt.datetime, int, str, int, int, str, str]


def order_by(teams: Sequence[str]) -> Callable[[Finding], OrderKey]:
    """The order findings are reported in, in every format: by the instant each is about
    (timeless ones first), then team (in ``teams``' order, the roster's; a finding without a
    team after them), then the roster line it points at (within a team's file, levels and their
    rotations come in level order), rule and message."""
    rank = {team: index for index, team in enumerate(teams)}

    def key(finding: Finding) -> OrderKey:
        span = finding.span
        return (
            _TIMELESS if finding.start is None else finding.start,
            rank.get(finding.team, len(rank)) if finding.team is not None else len(rank),
            span.path,
            span.line,
            span.column,
            finding.rule,
            finding.message,
        )

    return key


def local_text(instant: dt.datetime, zone: ZoneInfo) -> str:
    """``Mon 21 Dec 09:00`` (``lundi 21 décembre, 09:00``) in ``zone``, whatever the
    machine's locale."""
    return format_instant(instant, zone, pad_day=False)


def local_range(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    return _("from {start} to {end}").format(
        start=local_text(start, zone), end=local_text(end, zone)
    )


def local_date(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    return instant.astimezone(zone).date()


def find_rotation(team: Team, level: int, name: str) -> Rotation | None:
    for rotation in team.level(level).rotations:
        if rotation.name == name:
            return rotation
    return None


def find_override(team: Team, index: int) -> Override | None:
    for override in team.overrides:
        if override.index == index:
            return override
    return None


def source_span(team: Team, level: int, source: str | None) -> Span:
    """The roster line of a stretch's source: its rotation or override, else the level."""
    if source is not None and source.startswith("override:"):
        override = find_override(team, int(source.split(":", 1)[1]))
        if override is not None:
            return override.span
    if source is not None and source.startswith("rotation:"):
        rotation = find_rotation(team, level, source.split(":", 1)[1])
        if rotation is not None:
            return rotation.span
    return team.level(level).span


def source_label(source: str | None) -> str:
    if source is None:
        return _("nobody")
    kind, _colon, name = source.partition(":")
    if kind == "override":
        return _("override {name}").format(name=name)
    return _("rotation '{name}'").format(name=name)


def is_exceptional(team: Team, source: str | None) -> bool:
    if source is None or not source.startswith("override:"):
        return False
    override = find_override(team, int(source.split(":", 1)[1]))
    return override is not None and override.exceptional


def is_service(roster: Roster, person: str) -> bool:
    """Whether ``person`` is a service (``kind: service``), which the team's limits and the
    cross-team and notice checks leave out."""
    info = roster.people.get(person)
    return info is not None and info.is_service


def on_call(timeline: LevelTimeline, person: str) -> Intervals:
    return union((s.start, s.end) for s in timeline.stretches if person in s.who)


def overlap(intervals: Intervals, window: Interval) -> dt.timedelta:
    start, end = window
    total = dt.timedelta(0)
    for s, e in intervals:
        if s < end and start < e:
            total += min(e, end) - max(s, start)
    return total


def people_text(count: int) -> str:
    return ngettext("{count} person", "{count} people", count).format(count=count)


def days_text(count: int) -> str:
    return ngettext("{count} day", "{count} days", count).format(count=count)


def hours_text(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return _("{hours} h").format(hours=f"{hours:g}" if hours != int(hours) else int(hours))
