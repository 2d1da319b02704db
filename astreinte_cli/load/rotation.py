"""The rotations of a level (SPEC §3): members, handoffs, ``only``, and the member changes that
take effect at later handoffs."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from types import MappingProxyType
from typing import Literal

import yaml

from astreinte_cli.diagnostics import Span, excerpt
from astreinte_cli.handoffs import Grid
from astreinte_cli.i18n import N_, _
from astreinte_cli.load.nodes import Entries, NodeReader, ends_after
from astreinte_cli.load.references import PeopleReferences
from astreinte_cli.load.windows import WindowReader
from astreinte_cli.model import MemberChange, Rotation, Window
from astreinte_cli.times import parse_duration

ROTATION_KEYS = (
    "name", "members", "start", "every", "per_turn", "only", "count", "changes", "end",
)  # fmt: skip
DEFAULT_EVERY = dt.timedelta(weeks=1)
MIN_EVERY = dt.timedelta(minutes=15)  # the shortest turn (see the README's Limits)
START_HINT = N_("add the first handoff, e.g. 'start: 2026-01-05 09:00'")


class RotationReader:
    """Reads the rotations of a team's levels, once the team's zone is known (None: it is not,
    and the checks that place handoffs are skipped)."""

    def __init__(
        self,
        reader: NodeReader,
        references: PeopleReferences,
        windows: WindowReader,
        zone: zoneinfo.ZoneInfo | None,
    ) -> None:
        self.reader = reader
        self.references = references
        self.windows = windows
        self.zone = zone

    def rotations(self, level: Entries) -> list[Rotation]:
        """The ``rotations`` of a level; two of one level may not share a name."""
        reader = self.reader
        node = level["rotations"][1]
        items = reader.sequence(node, "rotations")
        if not items and isinstance(node, yaml.SequenceNode):
            reader.error(node, _("'rotations' is empty"), _("add a rotation with members"))
        rotations: list[Rotation] = []
        names: dict[str, Span] = {}
        for number, item in enumerate(items, start=1):
            rotation = self.rotation(item, number)
            if rotation is None:
                continue
            if rotation.name in names:
                name_node = _value_of(item, "name") or item
                reader.error(
                    name_node,
                    _("two rotations of this level are named '{name}'").format(name=rotation.name),
                    _(
                        "the other is at line {line}; give each rotation of a level its own name"
                    ).format(line=names[rotation.name].line),
                )
            names[rotation.name] = rotation.span
            rotations.append(rotation)
        return rotations

    def rotation(self, node: yaml.Node, number: int) -> Rotation | None:
        reader = self.reader
        what = f"rotation {number}"
        entries = reader.mapping(node, what, allowed=ROTATION_KEYS, required=("members",))
        if entries is None or "members" not in entries:
            return None
        name = what
        if "name" in entries:
            name = reader.text(entries["name"][1], _("rotation name")) or name
        members_node = entries["members"][1]
        members = self.references.people(members_node, "members")
        if not members and isinstance(members_node, yaml.SequenceNode) and not members_node.value:
            reader.error(members_node, _("'members' is empty"), _("name at least one person"))
        start = reader.datetime(entries["start"][1], "start") if "start" in entries else None
        every = DEFAULT_EVERY
        if "every" in entries:
            every = reader.parsed(entries["every"][1], "every", parse_duration) or every
            if every < MIN_EVERY:
                # A handoff every second makes millions of turns a day: `check` and `publish`
                # ran out of memory, and `every: 1m` made a 316 MB feed of a 196-byte roster.
                reader.error(
                    entries["every"][1],
                    _("'every' is shorter than {minutes} minutes").format(
                        minutes=MIN_EVERY // dt.timedelta(minutes=1)
                    ),
                    _("a rotation hands over at most every {minutes} minutes").format(
                        minutes=MIN_EVERY // dt.timedelta(minutes=1)
                    ),
                )
                every = DEFAULT_EVERY
            if "start" not in entries:
                reader.error(entries["every"][0], _("'every' needs a 'start'"), _(START_HINT))
        per_turn = 1
        if "per_turn" in entries:
            # Bounded by the members as written, so that an unknown id is reported only once.
            listed = len(members_node.value) if isinstance(members_node, yaml.SequenceNode) else 1
            per_turn = (
                reader.integer(
                    entries["per_turn"][1],
                    "per_turn",
                    1,
                    max(1, listed),
                    _(
                        "per_turn is how many members are on call together: at least 1, at most "
                        "the number of members"
                    ),
                )
                or 1
            )
        only: Window = self.windows.always(node)
        if "only" in entries:
            only = self.windows.read(entries["only"][1], "only") or only
        count: Literal["calendar", "active"] = "calendar"
        if (
            "count" in entries
            and reader.choice(entries["count"][1], "count", ("calendar", "active")) == "active"
        ):
            count = "active"
        end = reader.datetime(entries["end"][1], "end") if "end" in entries else None
        if "start" not in entries:
            for key in ("changes", "count"):
                if key in entries:
                    reader.error(
                        entries[key][0],
                        _("'{key}' needs a 'start'").format(key=excerpt(key)),
                        _(START_HINT),
                    )
            if len(members) > 1:
                reader.error(
                    entries["members"][0],
                    _("{what} has {count} members but no 'start'").format(
                        what=what, count=len(members)
                    ),
                    _(START_HINT),
                )
        grid = Grid(start, every, self.zone) if start is not None and self.zone else None
        # SPEC §8: only a start with an offset can be followed by a handoff that is not after
        # it; a local start inside a spring-forward gap merely makes the first turn empty.
        if grid is not None and start is not None and start.offset and grid.at(1) <= grid.at(0):
            following = grid.at(1).astimezone(grid.zone)
            reader.error(
                entries["start"][1],
                _(
                    "the handoff after start {start} would be at {following:%Y-%m-%d "
                    "%H:%M%z}, which is not after it"
                ).format(start=start, following=following),
                _("the offset puts 'start' in the repeated hour; write it without an offset"),
            )
            grid = None
        changes = (
            self.changes(entries["changes"][1], grid, per_turn) if "changes" in entries else ()
        )
        if end is not None and start is not None and not ends_after(start, end, self.zone):
            reader.error(
                entries["end"][1],
                _("end {end} is not after start {start}").format(end=end, start=start),
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
            span=reader.span(node),
            spans=MappingProxyType({key: reader.span(nodes[0]) for key, nodes in entries.items()}),
        )

    def changes(
        self, node: yaml.Node, grid: Grid | None, per_turn: int
    ) -> tuple[MemberChange, ...]:
        """A rotation's ``changes``: each takes effect at the first handoff at or after its
        ``from``, in increasing order, one per handoff, after the rotation's start."""
        reader = self.reader
        changes: list[MemberChange] = []
        handoffs: list[int] = []  # the handoff index each change takes effect at
        for item in reader.sequence(node, "changes"):
            entries = reader.mapping(
                item,
                _("a member change"),
                allowed=("from", "members"),
                required=("from", "members"),
            )
            if entries is None or "from" not in entries or "members" not in entries:
                continue
            from_node, members_node = entries["from"][1], entries["members"][1]
            start = reader.datetime(from_node, _("change 'from'"))
            members = self.references.people(members_node, "members")
            if start is None:
                continue
            if len(members) < per_turn and members:
                reader.error(
                    members_node,
                    _("per_turn is {per_turn} but this list has {count} members").format(
                        per_turn=per_turn, count=len(members)
                    ),
                )
            if not members:
                reader.error(members_node, _("a member change needs at least one member"))
                continue
            if grid is not None:
                handoff = grid.first_at_or_after(start.instant(grid.zone))
                if handoffs and handoff < handoffs[-1]:
                    reader.error(
                        from_node,
                        _("member changes must be in increasing order of 'from'"),
                        _("list the changes from the earliest to the latest"),
                    )
                elif handoffs and handoff == handoffs[-1]:
                    reader.error(
                        from_node,
                        _("two member changes take effect at the same handoff"),
                        _("both start at the handoff of {handoff:%Y-%m-%d %H:%M}; keep one").format(
                            handoff=grid.at(handoff).astimezone(grid.zone)
                        ),
                    )
                elif handoff <= 0:
                    reader.error(
                        from_node,
                        _("a member change must come after the rotation's start"),
                        _("change 'members' instead"),
                    )
                handoffs.append(handoff)
            changes.append(MemberChange(start, members, reader.span(item)))
        return tuple(changes)


def _value_of(node: yaml.Node, key: str) -> yaml.Node | None:
    """The value of ``key`` in a mapping node, to point a diagnostic at it."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value_node
                return found
    return None
