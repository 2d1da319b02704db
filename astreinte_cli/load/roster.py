"""A roster folder → a validated :class:`Roster`, or a :class:`RosterError` with every problem.

Files are read in code-point order of their names; ``*.local.yaml`` files come last and may only
set contact fields. People are gathered from every file first, so that a team can name people
defined in any file.

This module reads what a file holds beside its team — people and their contacts, the contacts
of ``*.local.yaml`` files, leave — and assembles the roster. A team is read by
:mod:`astreinte_cli.load.team`, its rotations by :mod:`astreinte_cli.load.rotation`, the
interventions log by :mod:`astreinte_cli.load.interventions`.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml

from astreinte_cli import contacts
from astreinte_cli.contacts import with_contacts
from astreinte_cli.diagnostics import (
    Collector,
    Diagnostic,
    RosterError,
    Span,
    did_you_mean,
    excerpt,
)
from astreinte_cli.i18n import _, territory_name
from astreinte_cli.load.files import RosterLocation, check_location, is_local, roster_files
from astreinte_cli.load.interventions import read_interventions
from astreinte_cli.load.nodes import Entries, NodeReader, is_null
from astreinte_cli.load.team import TEAM_ID, TEAM_KEYS, TeamReader, TeamSource
from astreinte_cli.load.windows import WindowReader
from astreinte_cli.load.yamlfile import read_yaml
from astreinte_cli.model import Leave, Person, Roster, Team

PERSON_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
FILE_KEYS = ("team", "people", "leave", "interventions", "phone_region", *TEAM_KEYS)
PERSON_KEYS = ("name", "phone", "email", "kind", "work_hours")


def load_roster(location: Path) -> Roster:
    collector = Collector()
    # The same hint for a path that does not exist and a folder without roster files: both are
    # what a first run finds before `astreinte init`.
    start_here = _(
        "a roster is a folder of *.yaml files: run 'astreinte init' to write a starter one, "
        "or give --rosters PATH"
    )
    try:
        folder = check_location(location)
    except RosterLocation as refused:
        message, hint = _location_refusal(refused, start_here)
        raise RosterError([Diagnostic(Span(str(location), 0, 0), message, hint)]) from None
    files = roster_files(location)
    if not files:
        collector.error(Span(str(location), 0, 0), _("no roster files here"), start_here)
        collector.raise_if_any()
    builder = _RosterBuilder(collector)
    for path in files:
        root = read_yaml(path, collector, folder)
        if root is None:
            continue
        reader = NodeReader(str(path), collector)
        if is_local(path):
            builder.read_local(reader, root)
        else:
            builder.read_file(reader, root)
    roster = builder.build([str(path) for path in files])
    collector.raise_if_any()
    return roster


def _location_refusal(refused: RosterLocation, start_here: str) -> tuple[str, str]:
    """The message and hint that say why ``--rosters`` is no roster to read."""
    reason = refused.reason
    if reason == "unreadable":
        error = refused.error
        return (
            _("cannot read the roster folder: {reason}").format(
                reason=(error.strerror or str(error)) if error is not None else "?"
            ),
            _("check its permissions: the user running astreinte must be able to list it"),
        )
    if reason == "missing":
        return _("no roster here: the path does not exist"), start_here
    if reason == "outside":
        return (
            _("the roster folder is a symbolic link to a folder outside the one that holds it"),
            _("give the folder's real path with --rosters"),
        )
    return (
        _("not a roster: this is neither a folder nor a regular file"),
        _("give the roster folder (or one roster file) with --rosters"),
    )


# --------------------------------------------------------------------------- builder


@dataclass
class _RosterBuilder:
    """Gathers every file's people, contacts, leave, interventions and teams, then builds."""

    collector: Collector
    people: dict[str, Person] = field(default_factory=dict)
    leave_nodes: list[tuple[NodeReader, yaml.Node, yaml.Node]] = field(default_factory=list)
    intervention_nodes: list[tuple[NodeReader, yaml.Node]] = field(default_factory=list)
    teams: list[TeamSource] = field(default_factory=list)
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
        team_keys = [key for key in entries if key in TEAM_KEYS]
        if "team" in entries:
            id_node = entries["team"][1]
            team_id = reader.identifier(id_node, _("team id"), TEAM_ID)
            if team_id is not None:
                self.teams.append(TeamSource(reader, team_id, id_node, entries))
        else:
            for key in team_keys:
                reader.error(
                    entries[key][0],
                    _("'{key}' is a team key, but this file has no 'team:'").format(
                        key=excerpt(key)
                    ),
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
                _("unknown phone region '{value}'").format(value=excerpt(value)),
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
                    _("'{person_id}' is not a valid person id").format(
                        person_id=excerpt(person_id)
                    ),
                    _("use letters, digits, '.', '-' and '_', starting with a letter or digit"),
                )
                continue
            if person_id in self.people:
                reader.error(
                    id_node,
                    _(
                        "person '{person_id}' is defined twice; it is already defined at {span}"
                    ).format(person_id=excerpt(person_id), span=self.people[person_id].span),
                    _("person ids are global: rename one, or remove the copy"),
                )
                continue
            entries = reader.mapping(
                value,
                _("person '{person_id}'").format(person_id=excerpt(person_id)),
                allowed=PERSON_KEYS,
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
            work_hours = None
            if "work_hours" in entries:
                # "business hours" means those of the team that asks: allowed here.
                windows = WindowReader(reader, has_business_hours=True)
                work_hours = windows.read(entries["work_hours"][1], "work_hours")
            self.people[person_id] = Person(
                person_id, name, person_kind, phone, email, reader.span(id_node), work_hours
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
            self._phone_error(reader, node, value, region)
        return number

    def _phone_error(self, reader: NodeReader, node: yaml.Node, value: str, region: str) -> None:
        """A number with its own country code is judged in that country, and said so."""
        written = contacts.written_country(value, region)
        if written is None:
            reader.error(
                node,
                _("'{value}' is not a valid phone number for region {region}").format(
                    value=excerpt(value), region=region
                ),
                _("write it in full, e.g. '06 12 34 56 78' or '+33 6 12 34 56 78'"),
            )
        elif written[0] == 0:
            reader.error(
                node,
                _("'{value}' is not a valid phone number: its country code is unknown").format(
                    value=excerpt(value)
                ),
                _("write + and the country code, then the number, e.g. '+33 6 12 34 56 78'"),
            )
        else:
            code, main, example = written
            reader.error(
                node,
                _(
                    "'{value}' is not a valid phone number for country code +{code} ({country})"
                ).format(value=excerpt(value), code=code, country=territory_name(main)),
                _("check the digits: a number there is written like '{example}'").format(
                    example=example
                )
                if example
                else None,
            )

    def _email(self, reader: NodeReader, entries: Entries) -> str | None:
        if "email" not in entries or is_null(entries["email"][1]):
            return None
        node = entries["email"][1]
        value = reader.text(node, "email")
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            reader.error(node, _("'{value}' is not an email address").format(value=excerpt(value)))
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
                    _("'{key}' is not allowed in a *.local.yaml file").format(key=excerpt(key)),
                    hint,
                )
        if "phone_region" in entries:
            region = self._region(reader, entries)
        if "people" not in entries:
            return
        people = reader.mapping(entries["people"][1], "'people'")
        for person_id, (id_node, value) in (people or {}).items():
            fields = reader.mapping(
                value, _("contacts of '{person_id}'").format(person_id=excerpt(person_id))
            )
            for key, (key_node, _value) in (fields or {}).items():
                if key not in ("phone", "email"):
                    reader.error(
                        key_node,
                        _("'{key}' cannot be set in a *.local.yaml file").format(key=excerpt(key)),
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
            teams[source.id] = TeamReader(source, self.people).read()
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
                    _("unknown person '{person_id}'").format(person_id=excerpt(person_id)),
                    did_you_mean(person_id, self.people)
                    or _("a *.local.yaml file only adds contacts to people defined elsewhere"),
                )
                continue
            changes = self.contact_changes(reader, value, region)
            self.people[person_id] = with_contacts(self.people[person_id], changes.items())

    def contact_changes(
        self, reader: NodeReader, value: yaml.Node, region: str
    ) -> dict[str, str | None]:
        """The contact fields one entry of a ``*.local.yaml`` file sets, read and checked."""
        if not isinstance(value, yaml.MappingNode):
            return {}
        entries: Entries = {
            str(key.value): (key, item)
            for key, item in value.value
            if isinstance(key, yaml.ScalarNode)
        }
        changes: dict[str, str | None] = {}
        if "phone" in entries:
            changes["phone"] = self._phone(reader, entries, region)
        if "email" in entries:
            changes["email"] = self._email(reader, entries)
        return changes

    def _leave(self, known: Container[str] | None = None) -> list[Leave]:
        """Every leave entry; one of a person not in ``known`` (default: the roster's people)
        is reported and left out."""
        known = self.people if known is None else known
        result: list[Leave] = []
        for reader, person_node, periods_node in self.leave_nodes:
            person = person_node.value
            if person not in known:
                reader.error(
                    person_node,
                    _("unknown person '{person}'").format(person=excerpt(person)),
                    did_you_mean(person, self.people),
                )
                continue
            for item in reader.sequence(
                periods_node,
                _("leave of '{person}'").format(person=excerpt(person)),
                allow_scalar=True,
            ):
                period = reader.period(item, _("leave period"))
                if period is not None:
                    result.append(Leave(person, period, reader.span(item)))
        return result
