"""Names of people used by a team (members, ``who``, ``fallback``, ``replaces``): each must be
defined in the ``people:`` of some file of the roster."""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from astreinte_cli.diagnostics import did_you_mean, excerpt
from astreinte_cli.i18n import _
from astreinte_cli.load.nodes import NodeReader
from astreinte_cli.model import Person


class PeopleReferences:
    """Reads person ids of one file against the people of the whole roster."""

    def __init__(self, reader: NodeReader, people: Mapping[str, Person]) -> None:
        self.reader = reader
        self.known = people

    def person(self, node: yaml.Node, what: str) -> str | None:
        """The id in ``node``, or None (reported) when it is not a defined person."""
        value = self.reader.text(node, what)
        if value is None:
            return None
        if value not in self.known:
            self.reader.error(
                node,
                _("unknown person '{value}' in {what}").format(value=excerpt(value), what=what),
                did_you_mean(value, self.known),
            )
            return None
        return value

    def people(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        """The defined people of a list (or of a single id), each unknown one reported."""
        items = self.reader.sequence(node, what, allow_scalar=True)
        found = [self.person(item, what) for item in items]
        return tuple(person for person in found if person is not None)
