"""The ``interventions:`` log (any file) → :class:`Intervention` values.

Each entry is ``{person, team, from, to, travel, client, note}``: ``from`` and ``to`` are
date-times read in the team's timezone, ``travel`` is minutes (``45``) or a duration (``45m``),
0 by default. They are read once every person and team is known, for did-you-mean hints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import yaml

from astreinte_cli.diagnostics import did_you_mean, excerpt
from astreinte_cli.i18n import _
from astreinte_cli.load.nodes import NodeReader, is_null
from astreinte_cli.model import Intervention, Person, Team
from astreinte_cli.times import TimeSyntaxError, parse_duration

INTERVENTION_KEYS = ("person", "team", "from", "to", "travel", "client", "note")
MAX_TRAVEL = dt.timedelta(hours=24)


def read_interventions(
    nodes: Sequence[tuple[NodeReader, yaml.Node]],
    people: Mapping[str, Person],
    teams: Mapping[str, Team],
) -> list[Intervention]:
    """Every valid entry of every ``interventions:`` list; problems go to each reader."""
    result: list[Intervention] = []
    for reader, node in nodes:
        if is_null(node):
            continue
        for number, item in enumerate(reader.sequence(node, "'interventions'"), start=1):
            found = _entry(reader, item, number, people, teams)
            if found is not None:
                result.append(found)
    return sorted(result, key=lambda i: (i.start, i.team, i.person))


def _entry(
    reader: NodeReader,
    node: yaml.Node,
    number: int,
    people: Mapping[str, Person],
    teams: Mapping[str, Team],
) -> Intervention | None:
    what = f"intervention {number}"
    entries = reader.mapping(
        node, what, allowed=INTERVENTION_KEYS, required=("person", "team", "from", "to")
    )
    if entries is None or not all(k in entries for k in ("person", "team", "from", "to")):
        return None
    person = reader.text(entries["person"][1], "person")
    if person is not None and person not in people:
        reader.error(
            entries["person"][1],
            _("unknown person '{person}' in {what}").format(person=excerpt(person), what=what),
            did_you_mean(person, people),
        )
        person = None
    team_id = reader.text(entries["team"][1], "team")
    team = teams.get(team_id) if team_id is not None else None
    if team_id is not None and team is None:
        reader.error(
            entries["team"][1],
            _("unknown team '{team_id}' in {what}").format(team_id=team_id, what=what),
            did_you_mean(team_id, teams) or _("name a team defined by a 'team:' file"),
        )
    start = reader.datetime(entries["from"][1], f"{what} 'from'")
    end = reader.datetime(entries["to"][1], f"{what} 'to'")
    travel = dt.timedelta(0)
    if "travel" in entries:
        travel = _travel(reader, entries["travel"][1]) or travel
    client = None
    if "client" in entries and not is_null(entries["client"][1]):
        client = reader.text(entries["client"][1], "client")
    note = None
    if "note" in entries and not is_null(entries["note"][1]):
        note = reader.text(entries["note"][1], "note", lines=True)
    if person is None or team is None or start is None or end is None:
        return None
    first, last = start.instant(team.zone), end.instant(team.zone)
    if last <= first:
        reader.error(
            entries["to"][1],
            _("{what} ends at '{end}', which is not after its start '{start}'").format(
                what=what, end=end, start=start
            ),
            _("an intervention that crosses midnight ends on the next day's date"),
        )
        return None
    return Intervention(person, team.id, first, last, travel, client, note, reader.span(node))


def _travel(reader: NodeReader, node: yaml.Node) -> dt.timedelta | None:
    value = reader.scalar(node, "travel")
    if value is None:
        return None
    text = value.strip()
    if is_null(node) or text == "0":
        return dt.timedelta(0)
    hint = _("travel is in minutes, e.g. 'travel: 45' or 'travel: 45m'")
    try:
        travel = (
            dt.timedelta(minutes=int(text))
            if re.fullmatch(r"\d{1,5}", text)
            else parse_duration(text)
        )
    except TimeSyntaxError:
        reader.error(
            node,
            _("travel must be a number of minutes, not '{value}'").format(value=excerpt(value)),
            hint,
        )
        return None
    if travel > MAX_TRAVEL:
        reader.error(
            node, _("travel of {text} is more than a day").format(text=excerpt(text)), hint
        )
        return None
    return travel
