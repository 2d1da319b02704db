"""One team (SPEC §3): its zone, public holidays, business hours, coverage, levels (their
rotations read by :mod:`astreinte_cli.load.rotation`) and overrides; ``rules`` and
``compensation`` are read by their own modules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import yaml

from astreinte_cli import holiday_calendar
from astreinte_cli.diagnostics import did_you_mean, excerpt
from astreinte_cli.i18n import _
from astreinte_cli.load.compensation import read_compensation
from astreinte_cli.load.nodes import Entries, NodeReader
from astreinte_cli.load.references import PeopleReferences
from astreinte_cli.load.rotation import RotationReader
from astreinte_cli.load.rules import read_rules
from astreinte_cli.load.windows import WindowReader
from astreinte_cli.model import (
    BusinessHours,
    HolidayCalendar,
    Level,
    NamedWindow,
    Override,
    Person,
    Rules,
    Team,
    Window,
)
from astreinte_cli.times import Period, TimeSyntaxError, parse_duration

TEAM_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
TEAM_KEYS = (
    "name", "timezone", "holidays", "business_hours", "coverage", "on_leave", "fallback",
    "instructions", "levels", "overrides", "rules", "compensation", "work_hours", "kind",
    "organisation",
)  # fmt: skip
HOLIDAY_KEYS = ("country", "subdiv", "add", "remove", "local_customs")
LEVEL_KEYS = ("name", "escalate_after", "ring", "instructions", "coverage", "rotations")
OVERRIDE_KEYS = ("level", "who", "from", "to", "replaces", "reason", "exceptional")
DEFAULT_ESCALATE_AFTER = dt.timedelta(minutes=15)
# How long a phone rings before the dial plan's next step (README, "Connecting a phone system"):
# below the ~25 s after which a mobile's voicemail answers, and within what phone systems allow.
DEFAULT_RING = dt.timedelta(seconds=20)
RING_BOUNDS = (dt.timedelta(seconds=5), dt.timedelta(seconds=120))
_RING = re.compile(r"(?:(\d{1,4})m)?(?:(\d{1,5})s)?")


@dataclass
class TeamSource:
    """A file with ``team:``, kept until every file's people are known."""

    reader: NodeReader
    id: str
    id_node: yaml.Node
    entries: Entries


class TeamReader:
    """Reads one team from its file's keys, against the people of the whole roster."""

    def __init__(self, source: TeamSource, people: Mapping[str, Person]) -> None:
        self.source = source
        self.reader = source.reader
        self.references = PeopleReferences(source.reader, people)
        self.entries = source.entries
        self.zone: zoneinfo.ZoneInfo | None = None  # known once the timezone is read

    def read(self) -> Team:
        entries, reader = self.entries, self.reader
        name = self.source.id
        if "name" in entries:
            name = reader.text(entries["name"][1], _("team name")) or name
        timezone = self._timezone()
        holidays = self._holidays() if "holidays" in entries else None
        business_hours = self._business_hours() if "business_hours" in entries else None
        windows = WindowReader(
            reader,
            has_business_hours=business_hours is not None,
            business_hours_unread="business_hours" in entries and business_hours is None,
        )
        coverage: Window
        if "coverage" in entries:
            node = entries["coverage"][1]
            coverage = windows.read(node, "coverage") or windows.always(node)
        elif business_hours is not None:
            coverage = NamedWindow("outside business hours", reader.span(self.source.id_node))
        else:
            coverage = NamedWindow("always", reader.span(self.source.id_node))
        on_leave: Literal["flag", "next"] = "flag"
        if (
            "on_leave" in entries
            and reader.choice(entries["on_leave"][1], "on_leave", ("flag", "next")) == "next"
        ):
            on_leave = "next"
        fallback = None
        if "fallback" in entries:
            fallback = self.references.person(entries["fallback"][1], "fallback")
        instructions = None
        if "instructions" in entries:
            instructions = reader.text(entries["instructions"][1], "instructions", lines=True)
        levels = self._levels(windows)
        overrides = self._overrides(levels) if "overrides" in entries else ()
        work_hours = None
        if "work_hours" in entries:
            work_hours = windows.read(entries["work_hours"][1], "work_hours")
        kind: Literal["astreinte", "shifts"] = "astreinte"
        if (
            "kind" in entries
            and reader.choice(entries["kind"][1], "team kind", ("astreinte", "shifts")) == "shifts"
        ):
            kind = "shifts"
        organisation = None
        if "organisation" in entries:
            organisation = reader.text(entries["organisation"][1], "organisation")
        return Team(
            id=self.source.id,
            name=name,
            timezone=timezone,
            holidays=holidays,
            business_hours=business_hours,
            coverage=coverage,
            on_leave=on_leave,
            fallback=fallback,
            instructions=instructions,
            levels=tuple(levels),
            overrides=tuple(overrides),
            path=reader.path,
            span=reader.span(self.source.id_node),
            spans=MappingProxyType({key: reader.span(nodes[0]) for key, nodes in entries.items()}),
            rules=read_rules(reader, entries["rules"][1]) if "rules" in entries else Rules(),
            compensation=(
                read_compensation(reader, entries["compensation"][1])
                if "compensation" in entries
                else None
            ),
            work_hours=work_hours,
            kind=kind,
            organisation=organisation,
        )

    def _timezone(self) -> str:
        if "timezone" not in self.entries:
            self.reader.error(
                self.source.id_node,
                _("team '{id}' needs a 'timezone'").format(id=self.source.id),
                _("add e.g. 'timezone: Europe/Paris'"),
            )
            self.zone = zoneinfo.ZoneInfo("UTC")
            return "UTC"
        node = self.entries["timezone"][1]
        value = self.reader.text(node, "timezone")
        if value is not None:
            try:
                if value.startswith(("/", ".")) or ".." in value:
                    raise ValueError(value)
                self.zone = zoneinfo.ZoneInfo(value)
                return value
            except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
                self.reader.error(
                    node,
                    _("unknown timezone '{value}'").format(value=excerpt(value)),
                    did_you_mean(value, zoneinfo.available_timezones())
                    or _("use an IANA name such as Europe/Paris"),
                )
        self.zone = zoneinfo.ZoneInfo("UTC")
        return "UTC"

    # ------------------------------------------------------------------ calendars

    def _holidays(self) -> HolidayCalendar | None:
        reader, node = self.reader, self.entries["holidays"][1]
        if isinstance(node, yaml.ScalarNode):
            value = reader.text(node, "holidays")
            if value is None or value.lower() == "none":
                return None
            return self._calendar(node, value, None, node, (), ())
        entries = reader.mapping(node, "holidays", allowed=HOLIDAY_KEYS)
        if entries is None:
            return None
        if "country" not in entries:
            reader.error(node, _("holidays needs 'country'"), _("e.g. {country: FR, subdiv: '57'}"))
            return None
        country_node = entries["country"][1]
        country = reader.text(country_node, _("holiday country"))
        subdiv_node = entries["subdiv"][1] if "subdiv" in entries else None
        subdiv = reader.text(subdiv_node, _("holiday subdivision")) if subdiv_node else None
        add = self._dates(entries["add"][1], _("holidays add")) if "add" in entries else ()
        remove = (
            self._dates(entries["remove"][1], _("holidays remove")) if "remove" in entries else ()
        )
        customs = False
        if "local_customs" in entries:
            customs = bool(reader.boolean(entries["local_customs"][1], "local_customs"))
        if country is None:
            return None
        calendar = self._calendar(country_node, country, subdiv, subdiv_node, add, remove)
        if calendar is not None and customs:
            calendar = dataclasses.replace(calendar, local_customs=True)
        return calendar

    def _calendar(
        self,
        country_node: yaml.Node,
        country: str,
        subdiv: str | None,
        subdiv_node: yaml.Node | None,
        add: tuple[dt.date, ...],
        remove: tuple[dt.date, ...],
    ) -> HolidayCalendar | None:
        problem = holiday_calendar.validate(country, subdiv)
        if problem is not None:
            where = subdiv_node if problem.about == "subdiv" and subdiv_node else country_node
            self.reader.error(where, problem.message, problem.hint)
            return None
        return HolidayCalendar(
            country.upper(), holiday_calendar.canonical_subdiv(country, subdiv), add, remove
        )

    def _dates(self, node: yaml.Node, what: str) -> tuple[dt.date, ...]:
        result = []
        for item in self.reader.sequence(node, what, allow_scalar=True):
            value = self.reader.scalar(item, what)
            try:
                result.append(dt.date.fromisoformat(value or ""))
            except ValueError:
                self.reader.error(
                    item,
                    _("{what}: '{value}' is not a date").format(
                        what=what, value=excerpt(value or "")
                    ),
                    _("write YYYY-MM-DD"),
                )
        return tuple(result)

    def _business_hours(self) -> BusinessHours | None:
        node = self.entries["business_hours"][1]
        windows = WindowReader(self.reader, has_business_hours=False)
        entries = self.reader.mapping(node, "business_hours")
        if entries is None:
            return None
        closed: list[Period] = []
        if "closed" in entries:
            for item in self.reader.sequence(entries["closed"][1], "closed", allow_scalar=True):
                period = self.reader.period(item, _("closed period"), self.zone)
                if period is not None:
                    closed.append(period)
        weekly = windows.weekly(
            {key: nodes for key, nodes in entries.items() if key != "closed"},
            node,
            "business_hours",
        )
        if weekly is None:
            return None
        return BusinessHours(weekly, tuple(closed))

    # ------------------------------------------------------------------ levels

    def _levels(self, windows: WindowReader) -> list[Level]:
        reader = self.reader
        if "levels" not in self.entries:
            reader.error(
                self.source.id_node,
                _("team '{id}' needs 'levels'").format(id=self.source.id),
                _("add at least one level with a rotation"),
            )
            return []
        levels_node = self.entries["levels"][1]
        items = reader.sequence(levels_node, "levels")
        if not items and isinstance(levels_node, yaml.SequenceNode):
            reader.error(levels_node, _("'levels' is empty"), _("add at least one level"))
        rotations = RotationReader(reader, self.references, windows, self.zone)
        levels = []
        for number, node in enumerate(items, start=1):
            entries = reader.mapping(
                node, f"level {number}", allowed=LEVEL_KEYS, required=("rotations",)
            )
            if entries is None:
                continue
            name = f"Level {number}"
            if "name" in entries:
                name = reader.text(entries["name"][1], _("level name")) or name
            escalate = DEFAULT_ESCALATE_AFTER
            if "escalate_after" in entries:
                escalate = (
                    reader.parsed(entries["escalate_after"][1], "escalate_after", parse_duration)
                    or escalate
                )
            ring = DEFAULT_RING
            if "ring" in entries:
                ring = self._ring(entries["ring"][1]) or ring
            instructions = None
            if "instructions" in entries:
                instructions = reader.text(entries["instructions"][1], "instructions", lines=True)
            coverage = None
            if "coverage" in entries:
                coverage = windows.read(entries["coverage"][1], "coverage")
            level_rotations = rotations.rotations(entries) if "rotations" in entries else []
            levels.append(
                Level(
                    number,
                    name,
                    escalate,
                    instructions,
                    coverage,
                    tuple(level_rotations),
                    reader.span(node),
                    ring,
                )
            )
        return levels

    def _ring(self, node: yaml.Node) -> dt.timedelta | None:
        """A level's ``ring``: seconds (``20s``), minutes and seconds (``1m30s``) or ISO 8601
        (``PT20S``), from 5 s to 120 s."""
        value = self.reader.scalar(node, "ring")
        if value is None:
            return None
        text = value.strip()
        ring: dt.timedelta | None = None
        match = _RING.fullmatch(text)
        if text and match and any(match.groups()):
            minutes, seconds = (int(group or 0) for group in match.groups())
            ring = dt.timedelta(minutes=minutes, seconds=seconds)
        elif text.upper().startswith("PT"):
            try:
                ring = parse_duration(text)
            except TimeSyntaxError:
                ring = None
        if ring is None:
            self.reader.error(
                node,
                _("ring: '{value}' is not a ring time").format(value=excerpt(value)),
                _("write seconds, e.g. 'ring: 20s' (from 5s to 120s)"),
            )
            return None
        low, high = RING_BOUNDS
        if not low <= ring <= high:
            self.reader.error(
                node,
                _("ring must be between {low} s and {high} s, not {value}").format(
                    low=int(low.total_seconds()),
                    high=int(high.total_seconds()),
                    value=excerpt(text),
                ),
                _("a phone rung that long reaches its voicemail: ring the next step instead")
                if ring > high
                else _("give a phone a few seconds to ring before the next step"),
            )
            return None
        return ring

    # ------------------------------------------------------------------ overrides

    def _overrides(self, levels: list[Level]) -> list[Override]:
        reader = self.reader
        result = []
        for index, node in enumerate(
            reader.sequence(self.entries["overrides"][1], "overrides"), start=1
        ):
            entries = reader.mapping(
                node,
                f"override {index}",
                allowed=OVERRIDE_KEYS,
                required=("level", "who", "from", "to"),
            )
            if entries is None or not all(key in entries for key in ("level", "who", "from", "to")):
                continue
            level = self._level_reference(entries["level"][1], levels)
            who_node = entries["who"][1]
            who = self.references.people(who_node, "who")
            if isinstance(who_node, yaml.SequenceNode) and not who_node.value:
                reader.error(
                    who_node, _("'who' is empty"), _("name who is on call, e.g. 'who: bob'")
                )
            start = reader.datetime(entries["from"][1], _("override 'from'"))
            period = None
            if start is not None:
                period = reader.period(_period_node(entries), "override", self.zone)
            replaces = None
            if "replaces" in entries:
                replaces = self._replaced(entries["replaces"][1], level, levels)
            reason = reader.text(entries["reason"][1], "reason") if "reason" in entries else None
            exceptional = False
            if "exceptional" in entries:
                exceptional = bool(reader.boolean(entries["exceptional"][1], "exceptional"))
            if level is None or period is None:
                continue
            result.append(
                Override(
                    index, level, who, period, replaces, reason, exceptional, reader.span(node)
                )
            )
        return result

    def _replaced(self, node: yaml.Node, level: int | None, levels: list[Level]) -> str | None:
        """An override's ``replaces``: someone the level's rotations can put on call."""
        replaces = self.references.person(node, "replaces")
        if replaces is None or level is None:
            return replaces
        everyone = {
            person for rotation in levels[level - 1].rotations for person in rotation.everyone
        }
        if replaces in everyone:
            return replaces
        self.reader.error(
            node,
            _("'{replaces}' is in none of the rotations of level {level}").format(
                replaces=replaces, level=level
            ),
            did_you_mean(replaces, everyone)
            or _("'replaces' names someone the level's rotations put on call"),
        )
        return None

    def _level_reference(self, node: yaml.Node, levels: list[Level]) -> int | None:
        """An override's ``level``: a number from 1, or a level's exact name."""
        value = self.reader.scalar(node, "level")
        if value is None:
            return None
        if re.fullmatch(r"[0-9]{1,9}", value.strip()):
            number = int(value)
            if 1 <= number <= len(levels):
                return number
            known = {0: _("this team has no level"), 1: _("this team has only level 1")}
            self.reader.error(
                node,
                _("level {number} does not exist").format(number=number),
                known.get(
                    len(levels), _("this team has levels 1 to {count}").format(count=len(levels))
                ),
            )
            return None
        for level in levels:
            if level.name == value:
                return level.number
        self.reader.error(
            node,
            _("no level is named '{value}'").format(value=excerpt(value)),
            did_you_mean(value, [level.name for level in levels])
            or _("give the level's number (from 1) or its exact name"),
        )
        return None


def _period_node(entries: Entries) -> yaml.Node:
    """A synthetic ``{from, to}`` mapping so overrides share the period reader."""
    start, end = entries["from"], entries["to"]
    return yaml.MappingNode(
        "tag:yaml.org,2002:map", [start, end], start[0].start_mark, end[1].end_mark
    )
