"""The ``interventions:`` log (any file) → :class:`Intervention` values.

Each entry is ``{person, team, from, to, travel, client, note}``: ``from`` and ``to`` are
date-times read in the team's timezone, ``travel`` is minutes (``45``) or a duration (``45m``),
0 by default. They are read once every person and team is known, for did-you-mean hints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from astreinte_cli.diagnostics import Collector, Span, did_you_mean, excerpt
from astreinte_cli.i18n import _
from astreinte_cli.model import Intervention, Person, Team
from astreinte_cli.times import TimeSyntaxError, WallTime, parse_duration

if TYPE_CHECKING:  # placing logged entries (the roster cache) needs no YAML
    import yaml

    from astreinte_cli.load.nodes import NodeReader

INTERVENTION_KEYS = ("person", "team", "from", "to", "travel", "client", "note")
MAX_TRAVEL = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class LoggedIntervention:
    """An entry of the log as its file says it, before its person and team are looked up
    and its times placed in the team's zone (what the roster cache keeps of a file)."""

    number: int
    person: str | None
    person_span: Span | None
    team: str | None
    team_span: Span | None
    start: WallTime | None
    end: WallTime | None
    end_span: Span | None
    travel: dt.timedelta
    client: str | None
    note: str | None
    span: Span


def read_interventions(
    nodes: Sequence[tuple[NodeReader, yaml.Node]],
    people: Mapping[str, Person],
    teams: Mapping[str, Team],
) -> list[Intervention]:
    """Every valid entry of every ``interventions:`` list; problems go to each reader."""
    zones = {team_id: team.zone for team_id, team in teams.items()}
    result: list[Intervention] = []
    for reader, node in nodes:
        for logged in read_log(reader, node):
            found = place_intervention(reader.collector, logged, people, zones)
            if found is not None:
                result.append(found)
    return sort_interventions(result)


def sort_interventions(found: list[Intervention]) -> list[Intervention]:
    return sorted(found, key=lambda i: (i.start, i.team, i.person))


def read_log(reader: NodeReader, node: yaml.Node) -> list[LoggedIntervention]:
    """The entries of one ``interventions:`` list, as written; problems of each entry alone
    (keys, times, travel) go to the reader."""
    from astreinte_cli.load.nodes import is_null

    if is_null(node):
        return []
    found = []
    for number, item in enumerate(reader.sequence(node, "'interventions'"), start=1):
        logged = _logged(reader, item, number)
        if logged is not None:
            found.append(logged)
    return found


def _logged(reader: NodeReader, node: yaml.Node, number: int) -> LoggedIntervention | None:
    from astreinte_cli.load.nodes import is_null

    what = f"intervention {number}"
    entries = reader.mapping(
        node, what, allowed=INTERVENTION_KEYS, required=("person", "team", "from", "to")
    )
    if entries is None or not all(k in entries for k in ("person", "team", "from", "to")):
        return None
    person_node, team_node, end_node = entries["person"][1], entries["team"][1], entries["to"][1]
    person = reader.text(person_node, "person")
    team_id = reader.text(team_node, "team")
    start = reader.datetime(entries["from"][1], f"{what} 'from'")
    end = reader.datetime(end_node, f"{what} 'to'")
    travel = dt.timedelta(0)
    if "travel" in entries:
        travel = _travel(reader, entries["travel"][1]) or travel
    client = None
    if "client" in entries and not is_null(entries["client"][1]):
        client = reader.text(entries["client"][1], "client")
    note = None
    if "note" in entries and not is_null(entries["note"][1]):
        note = reader.text(entries["note"][1], "note", lines=True)
    return LoggedIntervention(
        number,
        person,
        reader.span(person_node),
        team_id,
        reader.span(team_node),
        start,
        end,
        reader.span(end_node),
        travel,
        client,
        note,
        reader.span(node),
    )


def place_intervention(
    collector: Collector,
    logged: LoggedIntervention,
    people: Collection[str],
    zones: Mapping[str, ZoneInfo],
) -> Intervention | None:
    """A logged entry with its person and team looked up and its times placed in the team's
    zone; None after reporting what is wrong."""
    what = f"intervention {logged.number}"
    person = logged.person
    if person is not None and person not in people and logged.person_span is not None:
        collector.error(
            logged.person_span,
            _("unknown person '{person}' in {what}").format(person=excerpt(person), what=what),
            did_you_mean(person, people),
        )
        person = None
    zone = zones.get(logged.team) if logged.team is not None else None
    if logged.team is not None and zone is None and logged.team_span is not None:
        collector.error(
            logged.team_span,
            _("unknown team '{team_id}' in {what}").format(team_id=logged.team, what=what),
            did_you_mean(logged.team, zones) or _("name a team defined by a 'team:' file"),
        )
    start, end = logged.start, logged.end
    if person is None or zone is None or logged.team is None or start is None or end is None:
        return None
    first, last = start.instant(zone), end.instant(zone)
    if last <= first:
        collector.error(
            logged.end_span or logged.span,
            _("{what} ends at '{end}', which is not after its start '{start}'").format(
                what=what, end=end, start=start
            ),
            _("an intervention that crosses midnight ends on the next day's date"),
        )
        return None
    return Intervention(
        person, logged.team, first, last, logged.travel, logged.client, logged.note, logged.span
    )


def _travel(reader: NodeReader, node: yaml.Node) -> dt.timedelta | None:
    from astreinte_cli.load.nodes import is_null

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
