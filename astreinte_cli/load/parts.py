"""A roster read file by file, then linked: what lets the roster cache validate again only the
files that changed.

A roster file says much on its own: its people (ids, names, phone numbers validated in its own
``phone_region``), its leave periods, its team, its log of interventions. What it cannot say
alone is whether the people its team names, or its leave and contacts are given for, are
defined somewhere, and whether ids are defined twice across files. So a file is read alone
into a :class:`FilePart` — everything the whole-roster loader would read from it, with the
names of people and teams it refers to — and the parts are then **linked**: the references
checked across parts and the :class:`Roster` assembled.

This path is only ever taken for rosters without errors: a file that has any problem alone,
or parts that do not link, send the caller back to :func:`load_roster`, which reports every
problem as it always has. A linked roster is the very roster :func:`load_roster` gives (the
same readers read the same nodes; the tests compare them).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from astreinte_cli.contacts import with_contacts
from astreinte_cli.diagnostics import Collector
from astreinte_cli.load.interventions import place_intervention, sort_interventions
from astreinte_cli.model import Intervention, Leave, Person, Roster, Team

if TYPE_CHECKING:
    from astreinte_cli.load.interventions import LoggedIntervention


@dataclass(frozen=True, slots=True)
class PartBody:
    """The model values a file gives, read alone."""

    people: tuple[Person, ...]  # defined here, in file order
    leave: tuple[Leave, ...]  # in file order, for any person
    team: Team | None


@dataclass(frozen=True, slots=True)
class FilePart:
    """One file of a roster, read alone: what it defines, what it refers to, and its values.

    The interface (every field but ``body``) is what linking needs; the body is only needed
    to assemble the roster, and the roster cache reads it back only then."""

    path: str
    local: bool  # a ``*.local.yaml``: contacts only
    defines: tuple[str, ...]  # person ids
    references: frozenset[str]  # person ids its team names
    leave_of: frozenset[str]  # person ids it gives leave for
    contacts: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...]  # id → (field, value)
    team: tuple[str, str] | None  # (id, timezone)
    interventions: tuple[LoggedIntervention, ...]
    body: PartBody | None  # None once stored without it

    def without_body(self) -> FilePart:
        return replace(self, body=None)


class _Anyone:
    """Stands for the people of the whole roster while one file is read alone: everyone is
    known, and every id asked about is noted, to be checked when the parts are linked."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __contains__(self, person: object) -> bool:
        if isinstance(person, str):
            self.asked.add(person)
        return True

    def __iter__(self) -> Iterator[str]:  # did_you_mean's choices: never asked, nobody unknown
        return iter(())

    def __len__(self) -> int:
        return 0

    def __getitem__(self, person: str) -> Person:
        raise KeyError(person)


def read_part(path: Path, folder: Path | None = None, raw: bytes | None = None) -> FilePart | None:
    """``path`` read alone (in the roster folder ``folder``; from ``raw``, its bytes, when the
    caller has them); None when the file has any problem of its own (the whole-roster loader
    reports it)."""
    # Here, not above: linking and assembling parts read back from the cache need no YAML.
    from astreinte_cli.load.files import is_local
    from astreinte_cli.load.interventions import read_log
    from astreinte_cli.load.nodes import NodeReader
    from astreinte_cli.load.roster import _RosterBuilder
    from astreinte_cli.load.team import TeamReader
    from astreinte_cli.load.yamlfile import read_yaml

    collector = Collector()
    root = read_yaml(path, collector, folder, raw)
    if root is None:
        return None
    reader = NodeReader(str(path), collector)
    builder = _RosterBuilder(collector)
    local = is_local(path)
    contacts: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
    if local:
        builder.read_local(reader, root)
        for node_reader, person_id, _id_node, value, region in builder.contact_nodes:
            changes = builder.contact_changes(node_reader, value, region)
            contacts.append((person_id, tuple(changes.items())))
    else:
        builder.read_file(reader, root)
    leave_people = _Anyone()
    leave = builder._leave(leave_people)
    team_people = _Anyone()
    team = None
    team_id = None
    if builder.teams:
        (source,) = builder.teams  # a file holds at most one team
        team = TeamReader(source, team_people).read()  # type: ignore[arg-type]
        team_id = (team.id, team.timezone)
    logged = [entry for r, node in builder.intervention_nodes for entry in read_log(r, node)]
    if collector.has_errors:
        return None
    return FilePart(
        path=str(path),
        local=local,
        defines=tuple(builder.people),
        references=frozenset(team_people.asked),
        leave_of=frozenset(leave_people.asked),
        contacts=tuple(contacts),
        team=team_id,
        interventions=tuple(logged),
        body=PartBody(tuple(builder.people.values()), tuple(leave), team),
    )


@dataclass(frozen=True, slots=True)
class Linked:
    """Parts that link: every reference resolves, no id is defined twice."""

    parts: tuple[FilePart, ...]
    people: dict[str, int]  # person id → the part that defines it
    teams: dict[str, str]  # team id → its timezone, in file order
    interventions: tuple[Intervention, ...]
    about: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)

    def parts_about(self, people: Iterable[str]) -> list[int]:
        """The parts that define, give leave for or set contacts of any of ``people``."""
        about = self._about()
        return sorted({index for person in people for index in about.get(person, ())})

    def _about(self) -> dict[str, list[int]]:
        """Person id → the parts that define, give leave for or set contacts of them (made
        once: a large roster asks it for every team)."""
        found = self.about
        if not found:
            for index, part in enumerate(self.parts):
                contacts = (person_id for person_id, _changes in part.contacts)
                for person in {*part.defines, *part.leave_of, *contacts}:
                    found.setdefault(person, []).append(index)
        return found


def link(parts: Sequence[FilePart]) -> Linked | None:
    """The parts linked, or None when they do not link (an unknown or twice-defined id, an
    intervention that does not resolve): the whole-roster loader then says why."""
    people: dict[str, int] = {}
    for index, part in enumerate(parts):
        for person in part.defines:
            if person in people:
                return None
            people[person] = index
    teams: dict[str, str] = {}
    for part in parts:
        if not (part.references <= people.keys() and part.leave_of <= people.keys()):
            return None
        if any(person not in people for person, _changes in part.contacts):
            return None
        if part.team is not None:
            if part.team[0] in teams:
                return None
            teams[part.team[0]] = part.team[1]
    collector = Collector()
    zones = {team_id: ZoneInfo(timezone) for team_id, timezone in teams.items()}
    placed = [
        place_intervention(collector, logged, people, zones)
        for part in parts
        for logged in part.interventions
    ]
    if collector.has_errors:
        return None
    found = sort_interventions([i for i in placed if i is not None])
    return Linked(tuple(parts), people, teams, tuple(found))


def assemble(linked: Linked, bodies: Sequence[PartBody]) -> Roster:
    """The roster of linked parts, from their bodies (in the same order)."""
    people: dict[str, Person] = {}
    for body in bodies:
        for person in body.people:
            people[person.id] = person
    for part in linked.parts:
        for person_id, changes in part.contacts:
            people[person_id] = with_contacts(people[person_id], changes)
    return Roster(
        people=MappingProxyType(people),
        leave=tuple(itertools.chain.from_iterable(body.leave for body in bodies)),
        teams=tuple(body.team for body in bodies if body.team is not None),
        files=tuple(part.path for part in linked.parts),
        interventions=linked.interventions,
    )


def load_by_parts(files: Sequence[Path]) -> Roster | None:
    """The roster of ``files`` read file by file and linked (no cache): None when any file
    has a problem or the parts do not link."""
    parts = []
    for path in files:
        part = read_part(path)
        if part is None:
            return None
        parts.append(part)
    linked = link(parts)
    if linked is None:
        return None
    return assemble(linked, [part.body for part in parts if part.body is not None])
