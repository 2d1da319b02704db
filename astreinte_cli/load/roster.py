"""A roster folder → a validated :class:`Roster`, or a :class:`RosterError` with every problem.

Files are read in code-point order of their names; ``*.local.yaml`` files come last and may only
set contact fields. People are gathered from every file first, so that a team can name people
defined in any file.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml

from astreinte_cli import contacts, holiday_calendar
from astreinte_cli.diagnostics import Collector, Span, did_you_mean
from astreinte_cli.handoffs import Grid
from astreinte_cli.i18n import _
from astreinte_cli.load.compensation import read_compensation
from astreinte_cli.load.files import is_local, roster_files
from astreinte_cli.load.interventions import read_interventions
from astreinte_cli.load.nodes import Entries, NodeReader, ends_after, is_null
from astreinte_cli.load.rules import read_rules
from astreinte_cli.load.windows import WindowReader
from astreinte_cli.load.yamlfile import read_yaml
from astreinte_cli.model import (
    BusinessHours,
    HolidayCalendar,
    Leave,
    Level,
    MemberChange,
    NamedWindow,
    Override,
    Person,
    Roster,
    Rotation,
    Rules,
    Team,
    Window,
    WindowName,
)
from astreinte_cli.times import Period, parse_duration

TEAM_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
PERSON_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

TEAM_KEYS = (
    "name", "timezone", "holidays", "business_hours", "coverage", "on_leave", "fallback",
    "instructions", "levels", "overrides", "rules", "compensation",
)  # fmt: skip
FILE_KEYS = ("team", "people", "leave", "interventions", "phone_region", *TEAM_KEYS)
PERSON_KEYS = ("name", "phone", "email", "kind")
LEVEL_KEYS = ("name", "escalate_after", "instructions", "coverage", "rotations")
ROTATION_KEYS = (
    "name", "members", "start", "every", "per_turn", "only", "count", "changes", "end",
)  # fmt: skip
OVERRIDE_KEYS = ("level", "who", "from", "to", "replaces", "reason", "exceptional")
DEFAULT_ESCALATE_AFTER = dt.timedelta(minutes=15)
DEFAULT_EVERY = dt.timedelta(weeks=1)


def load_roster(location: Path) -> Roster:
    collector = Collector()
    if not location.exists():
        collector.error(Span(str(location), 0, 0), _("no roster here: the path does not exist"))
        collector.raise_if_any()
    files = roster_files(location)
    if not files:
        collector.error(
            Span(str(location), 0, 0),
            _("no roster files here"),
            _("a roster is a folder of *.yaml files; 'astreinte init' writes a starter one"),
        )
        collector.raise_if_any()
    builder = _RosterBuilder(collector)
    for path in files:
        root = read_yaml(path, collector)
        if root is None:
            continue
        reader = NodeReader(str(path), collector)
        if is_local(path):
            builder.read_local(reader, root)
        else:
            builder.read_file(reader, root)
    roster = builder.build([str(p) for p in files])
    collector.raise_if_any()
    return roster


# --------------------------------------------------------------------------- builder


@dataclass
class _TeamSource:
    reader: NodeReader
    id: str
    id_node: yaml.Node
    root: yaml.Node
    entries: Entries


@dataclass
class _RosterBuilder:
    collector: Collector
    people: dict[str, Person] = field(default_factory=dict)
    leave_nodes: list[tuple[NodeReader, yaml.Node, yaml.Node]] = field(default_factory=list)
    intervention_nodes: list[tuple[NodeReader, yaml.Node]] = field(default_factory=list)
    teams: list[_TeamSource] = field(default_factory=list)
    contact_nodes: list[tuple[NodeReader, str, yaml.Node, yaml.Node, str]] = field(
        default_factory=list
    )

    def read_file(self, reader: NodeReader, root: yaml.Node) -> None:
        entries = reader.mapping(root, _("a roster file"), allowed=FILE_KEYS)
        if entries is None:
            return
        region = self._region(reader, entries)
        if "people" in entries:
            self._read_people(reader, entries["people"][1], region)
        if "leave" in entries:
            leave = reader.mapping(entries["leave"][1], "'leave'")
            for person_node, periods_node in (leave or {}).values():
                self.leave_nodes.append((reader, person_node, periods_node))
        if "interventions" in entries:
            self.intervention_nodes.append((reader, entries["interventions"][1]))
        team_keys = [k for k in entries if k in TEAM_KEYS]
        if "team" in entries:
            id_node = entries["team"][1]
            team_id = reader.identifier(id_node, _("team id"), TEAM_ID)
            if team_id is not None:
                self.teams.append(_TeamSource(reader, team_id, id_node, root, entries))
        else:
            for key in team_keys:
                reader.error(
                    entries[key][0],
                    _("'{key}' is a team key, but this file has no 'team:'").format(key=key),
                    _("add 'team: <id>' to this file, or move the key to the team's file"),
                )

    def _region(self, reader: NodeReader, entries: Entries) -> str:
        if "phone_region" not in entries:
            return "FR"
        node = entries["phone_region"][1]
        value = reader.text(node, "phone_region")
        if value is None:
            return "FR"
        if not contacts.is_region(value):
            reader.error(
                node,
                _("unknown phone region '{value}'").format(value=value),
                _("use a two-letter country code such as FR, BE, CH"),
            )
            return "FR"
        return value.upper()

    def _read_people(self, reader: NodeReader, node: yaml.Node, region: str) -> None:
        people = reader.mapping(node, "'people'")
        for person_id, (id_node, value) in (people or {}).items():
            if not PERSON_ID.fullmatch(person_id):
                reader.error(
                    id_node,
                    _("'{person_id}' is not a valid person id").format(person_id=person_id),
                    _("use letters, digits, '.', '-' and '_', starting with a letter or digit"),
                )
                continue
            if person_id in self.people:
                reader.error(
                    id_node,
                    _(
                        "person '{person_id}' is defined twice; it is already defined at {span}"
                    ).format(person_id=person_id, span=self.people[person_id].span),
                    _("person ids are global: rename one, or remove the copy"),
                )
                continue
            entries = reader.mapping(
                value, _("person '{person_id}'").format(person_id=person_id), allowed=PERSON_KEYS
            )
            if entries is None:
                continue
            name = person_id
            if "name" in entries:
                name = reader.text(entries["name"][1], "name") or person_id
            person_kind: Literal["person", "service"] = "person"
            if "kind" in entries:
                chosen = reader.choice(entries["kind"][1], "kind", ("person", "service"))
                person_kind = "service" if chosen == "service" else "person"
            phone = self._phone(reader, entries, region)
            email = self._email(reader, entries)
            self.people[person_id] = Person(
                person_id, name, person_kind, phone, email, reader.span(id_node)
            )

    def _phone(self, reader: NodeReader, entries: Entries, region: str) -> str | None:
        if "phone" not in entries or is_null(entries["phone"][1]):
            return None
        node = entries["phone"][1]
        value = reader.text(node, "phone")
        if value is None:
            return None
        number = contacts.normalise_phone(value, region)
        if number is None:
            reader.error(
                node,
                _("'{value}' is not a valid phone number for region {region}").format(
                    value=value, region=region
                ),
                _("write it in full, e.g. '06 12 34 56 78' or '+33 6 12 34 56 78'"),
            )
        return number

    def _email(self, reader: NodeReader, entries: Entries) -> str | None:
        if "email" not in entries or is_null(entries["email"][1]):
            return None
        node = entries["email"][1]
        value = reader.text(node, "email")
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            reader.error(node, _("'{value}' is not an email address").format(value=value))
            return None
        return value

    def read_local(self, reader: NodeReader, root: yaml.Node) -> None:
        hint = _("a *.local.yaml file may only set 'phone' and 'email' of people defined elsewhere")
        entries = reader.mapping(root, _("a *.local.yaml file"))
        if entries is None:
            return
        region = "FR"
        for key, (key_node, _value) in entries.items():
            if key in ("people", "phone_region"):
                continue
            if key == "team":
                reader.error(key_node, _("a *.local.yaml file cannot define a team"), hint)
            elif "team" not in entries or key not in TEAM_KEYS:  # a team's keys: said once
                reader.error(
                    key_node,
                    _("'{key}' is not allowed in a *.local.yaml file").format(key=key),
                    hint,
                )
        if "phone_region" in entries:
            region = self._region(reader, entries)
        if "people" not in entries:
            return
        people = reader.mapping(entries["people"][1], "'people'")
        for person_id, (id_node, value) in (people or {}).items():
            fields = reader.mapping(
                value, _("contacts of '{person_id}'").format(person_id=person_id)
            )
            for key, (key_node, _value) in (fields or {}).items():
                if key not in ("phone", "email"):
                    reader.error(
                        key_node,
                        _("'{key}' cannot be set in a *.local.yaml file").format(key=key),
                        hint,
                    )
            if fields is not None:
                self.contact_nodes.append((reader, person_id, id_node, value, region))

    # ------------------------------------------------------------------ build

    def build(self, files: list[str]) -> Roster:
        self._apply_contacts()
        leave = self._leave()
        teams: dict[str, Team] = {}
        for source in self.teams:
            if source.id in teams:
                source.reader.error(
                    source.id_node,
                    _("team '{id}' is defined twice; it is already defined at {span}").format(
                        id=source.id, span=teams[source.id].span
                    ),
                    _("team ids are global: rename one of them"),
                )
                continue
            teams[source.id] = _TeamReader(source, self.people).build()
        interventions = read_interventions(self.intervention_nodes, self.people, teams)
        return Roster(
            people=MappingProxyType(dict(self.people)),
            leave=tuple(leave),
            teams=tuple(teams.values()),
            files=tuple(files),
            interventions=tuple(interventions),
        )

    def _apply_contacts(self) -> None:
        for reader, person_id, id_node, value, region in self.contact_nodes:
            if person_id not in self.people:
                reader.error(
                    id_node,
                    _("unknown person '{person_id}'").format(person_id=person_id),
                    did_you_mean(person_id, self.people)
                    or _("a *.local.yaml file only adds contacts to people defined elsewhere"),
                )
                continue
            if not isinstance(value, yaml.MappingNode):
                continue
            entries: Entries = {
                str(k.value): (k, v) for k, v in value.value if isinstance(k, yaml.ScalarNode)
            }
            person = self.people[person_id]
            if "phone" in entries:
                person = replace(person, phone=self._phone(reader, entries, region))
            if "email" in entries:
                person = replace(person, email=self._email(reader, entries))
            self.people[person_id] = person

    def _leave(self) -> list[Leave]:
        result: list[Leave] = []
        for reader, person_node, periods_node in self.leave_nodes:
            person = person_node.value
            if person not in self.people:
                reader.error(
                    person_node,
                    _("unknown person '{person}'").format(person=person),
                    did_you_mean(person, self.people),
                )
                continue
            for item in reader.sequence(
                periods_node, _("leave of '{person}'").format(person=person), allow_scalar=True
            ):
                period = reader.period(item, _("leave period"))
                if period is not None:
                    result.append(Leave(person, period, reader.span(item)))
        return result


# --------------------------------------------------------------------------- one team


class _TeamReader:
    def __init__(self, source: _TeamSource, people: dict[str, Person]) -> None:
        self.source = source
        self.r = source.reader
        self.people = people
        self.entries = source.entries
        self.zone: zoneinfo.ZoneInfo | None = None

    def build(self) -> Team:
        e, r = self.entries, self.r
        name = self.source.id
        if "name" in e:
            name = r.text(e["name"][1], _("team name")) or name
        timezone = self._timezone()
        holidays = self._holidays() if "holidays" in e else None
        business_hours = self._business_hours() if "business_hours" in e else None
        windows = WindowReader(r, has_business_hours=business_hours is not None)
        coverage: Window
        if "coverage" in e:
            coverage = windows.read(e["coverage"][1], "coverage") or _always(r, e["coverage"][1])
        else:
            default = _default_coverage(business_hours is not None)
            coverage = NamedWindow(default, r.span(self.source.id_node))
        on_leave: Literal["flag", "next"] = "flag"
        if "on_leave" in e and r.choice(e["on_leave"][1], "on_leave", ("flag", "next")) == "next":
            on_leave = "next"
        fallback = self._person(e["fallback"][1], "fallback") if "fallback" in e else None
        instructions = r.text(e["instructions"][1], "instructions") if "instructions" in e else None
        levels = self._levels(windows)
        overrides = self._overrides(levels) if "overrides" in e else ()
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
            path=r.path,
            span=r.span(self.source.id_node),
            spans=MappingProxyType({k: r.span(v[0]) for k, v in e.items()}),
            rules=read_rules(r, e["rules"][1]) if "rules" in e else Rules(),
            compensation=(
                read_compensation(r, e["compensation"][1]) if "compensation" in e else None
            ),
        )

    def _timezone(self) -> str:
        if "timezone" not in self.entries:
            self.r.error(
                self.source.id_node,
                _("team '{id}' needs a 'timezone'").format(id=self.source.id),
                _("add e.g. 'timezone: Europe/Paris'"),
            )
            self.zone = zoneinfo.ZoneInfo("UTC")
            return "UTC"
        node = self.entries["timezone"][1]
        value = self.r.text(node, "timezone")
        if value is not None:
            try:
                if value.startswith(("/", ".")) or ".." in value:
                    raise ValueError(value)
                self.zone = zoneinfo.ZoneInfo(value)
                return value
            except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
                self.r.error(
                    node,
                    _("unknown timezone '{value}'").format(value=value),
                    did_you_mean(value, zoneinfo.available_timezones())
                    or _("use an IANA name such as Europe/Paris"),
                )
        self.zone = zoneinfo.ZoneInfo("UTC")
        return "UTC"

    def _person(self, node: yaml.Node, what: str) -> str | None:
        value = self.r.text(node, what)
        if value is None:
            return None
        if value not in self.people:
            self.r.error(
                node,
                _("unknown person '{value}' in {what}").format(value=value, what=what),
                did_you_mean(value, self.people),
            )
            return None
        return value

    def _people(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        items = self.r.sequence(node, what, allow_scalar=True)
        found = [self._person(item, what) for item in items]
        return tuple(p for p in found if p is not None)

    # ------------------------------------------------------------------ calendars

    def _holidays(self) -> HolidayCalendar | None:
        r, node = self.r, self.entries["holidays"][1]
        if isinstance(node, yaml.ScalarNode):
            value = r.text(node, "holidays")
            if value is None or value.lower() == "none":
                return None
            return self._calendar(node, value, None, node, (), ())
        entries = r.mapping(node, "holidays", allowed=("country", "subdiv", "add", "remove"))
        if entries is None:
            return None
        if "country" not in entries:
            r.error(node, _("holidays needs 'country'"), _("e.g. {country: FR, subdiv: '57'}"))
            return None
        country_node = entries["country"][1]
        country = r.text(country_node, _("holiday country"))
        subdiv_node = entries["subdiv"][1] if "subdiv" in entries else None
        subdiv = r.text(subdiv_node, _("holiday subdivision")) if subdiv_node else None
        add = self._dates(entries["add"][1], _("holidays add")) if "add" in entries else ()
        remove = (
            self._dates(entries["remove"][1], _("holidays remove")) if "remove" in entries else ()
        )
        if country is None:
            return None
        return self._calendar(country_node, country, subdiv, subdiv_node, add, remove)

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
            self.r.error(where, problem.message, problem.hint)
            return None
        return HolidayCalendar(
            country.upper(), holiday_calendar.canonical_subdiv(country, subdiv), add, remove
        )

    def _dates(self, node: yaml.Node, what: str) -> tuple[dt.date, ...]:
        result = []
        for item in self.r.sequence(node, what, allow_scalar=True):
            value = self.r.scalar(item, what)
            try:
                result.append(dt.date.fromisoformat(value or ""))
            except ValueError:
                self.r.error(
                    item,
                    _("{what}: '{value}' is not a date").format(what=what, value=value),
                    _("write YYYY-MM-DD"),
                )
        return tuple(result)

    def _business_hours(self) -> BusinessHours | None:
        node = self.entries["business_hours"][1]
        windows = WindowReader(self.r, has_business_hours=False)
        entries = self.r.mapping(node, "business_hours")
        if entries is None:
            return None
        closed: list[Period] = []
        if "closed" in entries:
            for item in self.r.sequence(entries["closed"][1], "closed", allow_scalar=True):
                period = self.r.period(item, _("closed period"), self.zone)
                if period is not None:
                    closed.append(period)
        weekly = windows.weekly(
            {k: v for k, v in entries.items() if k != "closed"}, node, "business_hours"
        )
        if weekly is None:
            return None
        return BusinessHours(weekly, tuple(closed))

    # ------------------------------------------------------------------ levels

    def _levels(self, windows: WindowReader) -> list[Level]:
        r = self.r
        if "levels" not in self.entries:
            r.error(
                self.source.id_node,
                _("team '{id}' needs 'levels'").format(id=self.source.id),
                _("add at least one level with a rotation"),
            )
            return []
        items = r.sequence(self.entries["levels"][1], "levels")
        if not items and isinstance(self.entries["levels"][1], yaml.SequenceNode):
            r.error(self.entries["levels"][1], _("'levels' is empty"), _("add at least one level"))
        levels = []
        for number, node in enumerate(items, start=1):
            entries = r.mapping(
                node, f"level {number}", allowed=LEVEL_KEYS, required=("rotations",)
            )
            if entries is None:
                continue
            name = f"Level {number}"
            if "name" in entries:
                name = r.text(entries["name"][1], _("level name")) or name
            escalate = DEFAULT_ESCALATE_AFTER
            if "escalate_after" in entries:
                escalate = (
                    r.parsed(entries["escalate_after"][1], "escalate_after", parse_duration)
                    or escalate
                )
            instructions = None
            if "instructions" in entries:
                instructions = r.text(entries["instructions"][1], "instructions")
            coverage = None
            if "coverage" in entries:
                coverage = windows.read(entries["coverage"][1], "coverage")
            rotations = self._rotations(entries, windows) if "rotations" in entries else []
            levels.append(
                Level(
                    number, name, escalate, instructions, coverage, tuple(rotations), r.span(node)
                )
            )
        return levels

    def _rotations(self, level: Entries, windows: WindowReader) -> list[Rotation]:
        r = self.r
        items = r.sequence(level["rotations"][1], "rotations")
        if not items and isinstance(level["rotations"][1], yaml.SequenceNode):
            r.error(
                level["rotations"][1], _("'rotations' is empty"), _("add a rotation with members")
            )
        rotations: list[Rotation] = []
        names: dict[str, Span] = {}
        for number, node in enumerate(items, start=1):
            rotation = self._rotation(node, number, windows)
            if rotation is None:
                continue
            if rotation.name in names:
                name_node = _value_of(node, "name") or node
                r.error(
                    name_node,
                    _("two rotations of this level are named '{name}'").format(name=rotation.name),
                    _(
                        "the other is at line {line}; give each rotation of a level its own name"
                    ).format(line=names[rotation.name].line),
                )
            names[rotation.name] = rotation.span
            rotations.append(rotation)
        return rotations

    def _rotation(self, node: yaml.Node, number: int, windows: WindowReader) -> Rotation | None:
        r = self.r
        what = f"rotation {number}"
        e = r.mapping(node, what, allowed=ROTATION_KEYS, required=("members",))
        if e is None or "members" not in e:
            return None
        name = what
        if "name" in e:
            name = r.text(e["name"][1], _("rotation name")) or name
        members = self._people(e["members"][1], "members")
        if (
            not members
            and isinstance(e["members"][1], yaml.SequenceNode)
            and not e["members"][1].value
        ):
            r.error(e["members"][1], _("'members' is empty"), _("name at least one person"))
        start = r.datetime(e["start"][1], "start") if "start" in e else None
        every = DEFAULT_EVERY
        if "every" in e:
            every = r.parsed(e["every"][1], "every", parse_duration) or every
            if "start" not in e:
                r.error(
                    e["every"][0],
                    _("'every' needs a 'start'"),
                    _("add the first handoff, e.g. 'start: 2026-01-05 09:00'"),
                )
        per_turn = 1
        if "per_turn" in e:
            # Bounded by the members as written, so that an unknown id is reported only once.
            listed = e["members"][1]
            count_listed = len(listed.value) if isinstance(listed, yaml.SequenceNode) else 1
            per_turn = (
                r.integer(
                    e["per_turn"][1],
                    "per_turn",
                    1,
                    max(1, count_listed),
                    _(
                        "per_turn is how many members are on call together: at least 1, at most "
                        "the number of members"
                    ),
                )
                or 1
            )
        only: Window = _always(r, node)
        if "only" in e:
            only = windows.read(e["only"][1], "only") or only
        count: Literal["calendar", "active"] = "calendar"
        if "count" in e and r.choice(e["count"][1], "count", ("calendar", "active")) == "active":
            count = "active"
        end = r.datetime(e["end"][1], "end") if "end" in e else None
        if "start" not in e:
            for key in ("changes", "count"):
                if key in e:
                    r.error(
                        e[key][0],
                        _("'{key}' needs a 'start'").format(key=key),
                        _("add the first handoff, e.g. 'start: 2026-01-05 09:00'"),
                    )
            if len(members) > 1:
                r.error(
                    e["members"][0],
                    _("{what} has {count} members but no 'start'").format(
                        what=what, count=len(members)
                    ),
                    _("add the first handoff, e.g. 'start: 2026-01-05 09:00'"),
                )
        grid = Grid(start, every, self.zone) if start is not None and self.zone else None
        # SPEC §8: only a start with an offset can be followed by a handoff that is not after
        # it; a local start inside a spring-forward gap merely makes the first turn empty.
        if grid is not None and start is not None and start.offset and grid.at(1) <= grid.at(0):
            following = grid.at(1).astimezone(grid.zone)
            r.error(
                e["start"][1],
                _(
                    "the handoff after start {start} would be at {following:%Y-%m-%d "
                    "%H:%M%z}, which is not after it"
                ).format(start=start, following=following),
                _("the offset puts 'start' in the repeated hour; write it without an offset"),
            )
            grid = None
        changes = self._changes(e["changes"][1], grid, per_turn) if "changes" in e else ()
        if end is not None and start is not None and not ends_after(start, end, self.zone):
            r.error(
                e["end"][1], _("end {end} is not after start {start}").format(end=end, start=start)
            )
        return Rotation(
            name=name,
            members=members,
            start=start,
            every=every,
            per_turn=per_turn,
            only=only,
            count=count,
            changes=changes,
            end=end,
            span=r.span(node),
            spans=MappingProxyType({k: r.span(v[0]) for k, v in e.items()}),
        )

    def _changes(
        self, node: yaml.Node, grid: Grid | None, per_turn: int
    ) -> tuple[MemberChange, ...]:
        r = self.r
        changes: list[MemberChange] = []
        handoffs: list[int] = []
        for item in r.sequence(node, "changes"):
            e = r.mapping(
                item,
                _("a member change"),
                allowed=("from", "members"),
                required=("from", "members"),
            )
            if e is None or "from" not in e or "members" not in e:
                continue
            start = r.datetime(e["from"][1], _("change 'from'"))
            members = self._people(e["members"][1], "members")
            if start is None:
                continue
            if len(members) < per_turn and members:
                r.error(
                    e["members"][1],
                    _("per_turn is {per_turn} but this list has {count} members").format(
                        per_turn=per_turn, count=len(members)
                    ),
                )
            if not members:
                r.error(e["members"][1], _("a member change needs at least one member"))
                continue
            if grid is not None:
                k = grid.first_at_or_after(start.instant(grid.zone))
                if handoffs and k < handoffs[-1]:
                    r.error(
                        e["from"][1],
                        _("member changes must be in increasing order of 'from'"),
                        _("list the changes from the earliest to the latest"),
                    )
                elif handoffs and k == handoffs[-1]:
                    r.error(
                        e["from"][1],
                        _("two member changes take effect at the same handoff"),
                        _("both start at the handoff of {handoff:%Y-%m-%d %H:%M}; keep one").format(
                            handoff=grid.at(k).astimezone(grid.zone)
                        ),
                    )
                elif k <= 0:
                    r.error(
                        e["from"][1],
                        _("a member change must come after the rotation's start"),
                        _("change 'members' instead"),
                    )
                handoffs.append(k)
            changes.append(MemberChange(start, members, r.span(item)))
        return tuple(changes)

    # ------------------------------------------------------------------ overrides

    def _overrides(self, levels: list[Level]) -> list[Override]:
        r = self.r
        result = []
        for index, node in enumerate(
            r.sequence(self.entries["overrides"][1], "overrides"), start=1
        ):
            e = r.mapping(
                node,
                f"override {index}",
                allowed=OVERRIDE_KEYS,
                required=("level", "who", "from", "to"),
            )
            if e is None or not all(k in e for k in ("level", "who", "from", "to")):
                continue
            level = self._level_ref(e["level"][1], levels)
            who = self._people(e["who"][1], "who")
            if isinstance(e["who"][1], yaml.SequenceNode) and not e["who"][1].value:
                r.error(e["who"][1], _("'who' is empty"), _("name who is on call, e.g. 'who: bob'"))
            start = r.datetime(e["from"][1], _("override 'from'"))
            period = None
            if start is not None:
                period = r.period(_period_node(e), "override", self.zone)
            replaces = None
            if "replaces" in e:
                replaces = self._person(e["replaces"][1], "replaces")
                if replaces is not None and level is not None:
                    everyone = {p for rot in levels[level - 1].rotations for p in rot.everyone}
                    if replaces not in everyone:
                        r.error(
                            e["replaces"][1],
                            _("'{replaces}' is in none of the rotations of level {level}").format(
                                replaces=replaces, level=level
                            ),
                            did_you_mean(replaces, everyone)
                            or _("'replaces' names someone the level's rotations put on call"),
                        )
                        replaces = None
            reason = r.text(e["reason"][1], "reason") if "reason" in e else None
            exceptional = (
                bool(r.boolean(e["exceptional"][1], "exceptional")) if "exceptional" in e else False
            )
            if level is None or period is None:
                continue
            result.append(
                Override(index, level, who, period, replaces, reason, exceptional, r.span(node))
            )
        return result

    def _level_ref(self, node: yaml.Node, levels: list[Level]) -> int | None:
        value = self.r.scalar(node, "level")
        if value is None:
            return None
        if re.fullmatch(r"[0-9]{1,9}", value.strip()):
            number = int(value)
            if 1 <= number <= len(levels):
                return number
            known = {0: _("this team has no level"), 1: _("this team has only level 1")}
            self.r.error(
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
        self.r.error(
            node,
            _("no level is named '{value}'").format(value=value),
            did_you_mean(value, [lv.name for lv in levels])
            or _("give the level's number (from 1) or its exact name"),
        )
        return None


def _period_node(entries: Entries) -> yaml.Node:
    """A synthetic ``{from, to}`` mapping so overrides share the period reader."""
    keys = [entries["from"], entries["to"]]
    first = keys[0][0]
    return yaml.MappingNode(
        "tag:yaml.org,2002:map", [(k, v) for k, v in keys], first.start_mark, keys[1][1].end_mark
    )


def _value_of(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value of ``key`` in a mapping node, to point a diagnostic at it."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value_node
                return found
    return None


def _always(reader: NodeReader, node: yaml.Node) -> Window:
    return NamedWindow("always", reader.span(node))


def _default_coverage(has_business_hours: bool) -> WindowName:
    return "outside business hours" if has_business_hours else "always"
