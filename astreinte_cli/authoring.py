"""Editing roster files from the command line: overrides and swaps (SPEC §5.7).

An edit is a text splice, not a rewrite: ruamel.yaml composes the file (round-trip, with
positions) to find where the team's ``overrides`` list ends, and renders the new entries in the
style of the list they join; every other byte of the file stays as it was, comments, order,
quotes and blank lines included. What to write is decided here, purely; checking that the
result loads and writing it atomically are :func:`write_atomically` and the command's business.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from astreinte_cli.atomic import replace_file
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _
from astreinte_cli.timeline import LevelTimeline
from astreinte_cli.times import local_reading, place


class EditError(HintedError):
    """The file cannot be edited safely as text (it is not a block mapping, say)."""


@dataclass(frozen=True, slots=True)
class OverrideEntry:
    """One entry of a team's ``overrides``, with its values as they will be written."""

    level: int | str
    who: tuple[str, ...]
    start: str
    end: str
    replaces: str | None = None
    reason: str | None = None
    exceptional: bool = False

    def items(self) -> list[tuple[str, Any]]:
        """Keys in the order the SPEC's examples use."""
        who: Any = self.who[0] if len(self.who) == 1 else list(self.who)
        pairs: list[tuple[str, Any]] = [("level", self.level), ("who", who)]
        if self.replaces is not None:
            pairs.append(("replaces", self.replaces))
        pairs += [("from", self.start), ("to", self.end)]
        if self.reason:
            pairs.append(("reason", self.reason))
        if self.exceptional:
            pairs.append(("exceptional", True))
        return pairs


def written_instant(instant: dt.datetime, zone: ZoneInfo) -> str:
    """``instant`` as a roster date-time: the local reading ``YYYY-MM-DD HH:MM`` when it names
    that very instant (SPEC §2), else with its offset (the second 02:30 of a fall-back night)."""
    reading = local_reading(instant, zone)
    text = f"{reading:%Y-%m-%d %H:%M}" + (f":{reading:%S}" if reading.second else "")
    if place(reading, zone) == instant:
        return text
    return instant.astimezone(zone).isoformat(
        sep="T", timespec="seconds" if reading.second else "minutes"
    )


# --------------------------------------------------------------------------- the splice


def add_overrides(text: str, entries: Sequence[OverrideEntry]) -> str:
    """``text`` (a team's file) with ``entries`` appended to its ``overrides`` list, created at
    the end of the file when there is none. Nothing else changes."""
    if not entries:
        return text
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    newline = "\r\n" if "\r\n" in text else "\n"
    body = text.replace("\r\n", "\n")
    try:
        root = YAML(typ="rt").compose(io.StringIO(body))
    except YAMLError as exc:
        raise EditError(_("the file is not valid YAML: {reason}").format(reason=exc)) from None
    if not isinstance(root, MappingNode) or root.flow_style:
        raise EditError(
            _("the file is not a block mapping ('key: value' lines)"),
            _("write the override into the file by hand"),
        )
    found = None
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "overrides":
            found = value
    if found is None:
        result = _new_list(body, root, entries)
    elif isinstance(found, SequenceNode) and found.flow_style:
        result = _into_flow_list(body, found, entries)
    elif isinstance(found, SequenceNode) and found.value:
        result = _into_block_list(body, found, entries)
    else:
        raise EditError(
            _("'overrides' is not a list of entries"),
            _("make it a list ('overrides:' then '- level: …' lines), or remove it"),
        )
    return result.replace("\n", newline) if newline != "\n" else result


def _new_list(body: str, root: Any, entries: Sequence[OverrideEntry]) -> str:
    """A block ``overrides:`` at the end of the file, indented like the file's other lists."""
    dash, offset = _list_style(root)
    lines = ["overrides:"]
    for entry in entries:
        lines += _block_item(entry, dash, offset)
    if body and not body.endswith("\n"):
        body += "\n"
    return body + "\n".join(lines) + "\n"


def _list_style(root: Any) -> tuple[int, int]:
    """(column of '-', columns from '-' to the item) of the file's first block list of
    mappings under a top-level key; (2, 2) when there is none."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    for _key, value in root.value:
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            first = value.value[0]
            if isinstance(first, MappingNode) and not first.flow_style:
                dash = value.start_mark.column
                return dash, max(2, first.start_mark.column - dash)
    return 2, 2


def _into_block_list(body: str, node: Any, entries: Sequence[OverrideEntry]) -> str:
    from ruamel.yaml.nodes import MappingNode

    last = node.value[-1]
    dash = node.start_mark.column
    offset = max(2, last.start_mark.column - dash)
    flow = isinstance(last, MappingNode) and bool(last.flow_style)
    lines: list[str] = []
    for entry in entries:
        if flow:
            lines.append(" " * dash + "-" + " " * (offset - 1) + _flow_mapping(entry))
        else:
            lines += _block_item(entry, dash, offset)
    at = _end_of_line(body, _last_leaf(last).end_mark.index)
    if at == len(body) and body and not body.endswith("\n"):
        body += "\n"
        at += 1
    return body[:at] + "\n".join(lines) + "\n" + body[at:]


def _into_flow_list(body: str, node: Any, entries: Sequence[OverrideEntry]) -> str:
    rendered = [_flow_mapping(entry) for entry in entries]
    close = node.end_mark.index - 1  # the ']'
    if not node.value:
        return body[:close] + ", ".join(rendered) + body[close:]
    last = node.value[-1]
    end = last.end_mark.index
    if node.start_mark.line == node.end_mark.line:
        return body[:end] + "".join(", " + item for item in rendered) + body[end:]
    indent = " " * last.start_mark.column
    return body[:end] + "".join(",\n" + indent + item for item in rendered) + body[end:]


def _last_leaf(node: Any) -> Any:
    """The last scalar or flow collection of a block node: block collections end where the
    next token starts, which may be lines later, past comments."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    while isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _end_of_line(body: str, index: int) -> int:
    """Where the line holding ``index`` ends (past its newline); a block scalar already ends
    after its last line break."""
    if index > 0 and body[index - 1] == "\n":
        return index
    newline = body.find("\n", index)
    return len(body) if newline < 0 else newline + 1


# --------------------------------------------------------------------------- rendering


def _dump(value: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096  # one entry per line in flow style, as written by hand
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue()


def _mapping(entry: OverrideEntry, *, flow: bool) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    mapping = CommentedMap()
    for key, value in entry.items():
        if isinstance(value, list):
            seq = CommentedSeq(value)
            seq.fa.set_flow_style()
            mapping[key] = seq
        else:
            mapping[key] = value
    if flow:
        mapping.fa.set_flow_style()
    return mapping


def _flow_mapping(entry: OverrideEntry) -> str:
    text = _dump([_mapping(entry, flow=True)])
    return text.removeprefix("- ").rstrip("\n")


def _block_item(entry: OverrideEntry, dash: int, offset: int) -> list[str]:
    lines = _dump([_mapping(entry, flow=False)]).rstrip("\n").split("\n")
    result = [" " * dash + "-" + " " * (offset - 1) + lines[0].removeprefix("- ")]
    result += [" " * (dash + offset - 2) + line for line in lines[1:]]
    return result


# --------------------------------------------------------------------------- swaps


def swap_entries(
    levels: Sequence[LevelTimeline],
    first: str,
    second: str,
    zone: ZoneInfo,
    reason: str | None = None,
    exceptional: bool = False,
) -> list[OverrideEntry]:
    """Overrides that swap ``first`` and ``second`` over the compiled range of ``levels``.

    Overrides apply one after the other (SPEC §5.7), so "B replaces A" then "A replaces B" over
    one period would undo the first where it applied. Each entry therefore covers only a
    stretch where one of the two is on call and the other is not: the other replaces them
    there (``replaces``, so that whoever else is on call stays). Where both are on call,
    swapping changes nothing. Where the one on call is in none of the level's rotations (put
    there by an earlier override), ``replaces`` cannot name them: the entry then sets the
    level's whole on-call set, with the two exchanged.
    """
    entries: list[OverrideEntry] = []
    for timeline in levels:
        rostered = {p for r in timeline.level.rotations for p in r.everyone}
        pieces: list[tuple[dt.datetime, dt.datetime, str, str, tuple[str, ...] | None]] = []
        # Time outside coverage is off whatever overrides say (SPEC §5.8): a piece runs on
        # across it, and starts where the off time before it starts, so that a swap of two
        # weekly turns is two entries from handoff to handoff, not one per night.
        off_since: dt.datetime | None = None
        joinable = False
        for stretch in timeline.stretches:
            if not stretch.active:
                off_since = stretch.start if off_since is None else off_since
                continue
            holders = set(stretch.who)
            if (first in holders) == (second in holders):
                off_since, joinable = None, False
                continue
            out, into = (first, second) if first in holders else (second, first)
            whole = None
            if out not in rostered:
                whole = tuple(into if p == out else p for p in stretch.who)
            if joinable and pieces[-1][2:] == (out, into, whole):
                pieces[-1] = (pieces[-1][0], stretch.end, out, into, whole)
            else:
                begin = off_since if off_since is not None else stretch.start
                pieces.append((begin, stretch.end, out, into, whole))
            off_since, joinable = None, True
        for start, end, out, into, whole in pieces:
            entries.append(
                OverrideEntry(
                    level=timeline.level.number,
                    who=whole if whole is not None else (into,),
                    start=written_instant(start, zone),
                    end=written_instant(end, zone),
                    replaces=None if whole is not None else out,
                    reason=reason,
                    exceptional=exceptional,
                )
            )
    return entries


# --------------------------------------------------------------------------- writing


def write_atomically(path: Path, text: str, expected: bytes | None = None) -> None:
    """Replace ``path`` by ``text`` (UTF-8) in one step: a reader sees the old file or the new
    one, never half of it. With ``expected``, refuse (EditError) when the file no longer holds
    those bytes: someone changed it since it was read."""
    if expected is not None and path.read_bytes() != expected:
        raise EditError(
            _("{path} changed while the edit was being prepared").format(path=path),
            _("run the command again"),
        )
    encoded = text.encode()
    replace_file(path, lambda stream: stream.write(encoded), durable=True)
