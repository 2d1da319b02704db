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
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from astreinte_cli.atomic import replace_file
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _
from astreinte_cli.safe_read import READ_FLAGS
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
    the end of the file when there is none. Nothing else changes: the new lines end as the line
    they follow does (a file with mixed line endings stays mixed)."""
    if not entries:
        return text
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        root = YAML(typ="rt").compose(io.StringIO(text))
    except YAMLError as exc:
        raise EditError(_("the file is not valid YAML: {reason}").format(reason=exc)) from None
    if not isinstance(root, MappingNode) or root.flow_style:
        raise EditError(
            _("the file is not a block mapping ('key: value' lines)"),
            _("write the override into the file by hand"),
        )
    found: Any = None
    key_node: Any = None
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "overrides":
            found, key_node = value, key
    if found is None:
        return _new_list(text, root, entries)
    # A composed alias is its anchor's node, with the anchor's place in the file: the list
    # (or its last entry) written as '*name' cannot be extended there.
    if found.start_mark.index < key_node.end_mark.index:
        raise EditError(
            _("'overrides' is a YAML alias ('*name')"),
            _("write the list out, or add the override by hand"),
        )
    if isinstance(found, SequenceNode) and (found.flow_style or found.value):
        end, last_is_alias = _list_end(text, found)
        if last_is_alias:
            raise EditError(
                _("the last entry of 'overrides' is a YAML alias ('*name')"),
                _("write that entry out, or add the override by hand"),
            )
        if found.flow_style:
            return _into_flow_list(text, found, end, entries)
        return _into_block_list(text, found, end, entries)
    raise EditError(
        _("'overrides' is not a list of entries"),
        _("make it a list ('overrides:' then '- level: …' lines), or remove it"),
    )


def _list_end(text: str, node: Any) -> tuple[int, bool]:
    """Where the content of the list's last entry ends (past its last scalar, alias or flow
    collection: a block collection ends where the next token starts, lines later, past
    comments), and whether that entry is an alias. Read from the parser's events, which keep
    every alias's own place: a composed alias has its anchor's (``to: *e`` put the entry
    before the last one, which then undid it)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        ScalarEvent,
    )

    end, inside, last_is_alias = node.start_mark.index, False, False
    flows: list[bool] = []  # the collections open inside the list: flow style or not
    for event in YAML(typ="rt").parse(io.StringIO(text)):
        if not inside:
            inside = (
                isinstance(event, CollectionStartEvent)
                and event.start_mark.index == node.start_mark.index
            )
            continue
        if isinstance(event, CollectionEndEvent):
            if not flows:
                break  # the list's own end
            if flows.pop():
                end = max(end, event.end_mark.index)
            continue
        if not flows:  # an entry of the list itself
            last_is_alias = isinstance(event, AliasEvent)
        if isinstance(event, CollectionStartEvent):
            flows.append(bool(event.flow_style))
        elif isinstance(event, ScalarEvent | AliasEvent):
            end = max(end, event.end_mark.index)
    return end, last_is_alias


_BREAK = re.compile("\r\n|\n|\r")


def _line_break(text: str, index: int) -> tuple[int, str]:
    """Where the line holding ``index`` ends (past its line break) and that break; a block
    scalar already ends after its last line break. At the end of a file without a final
    break: its length, and the file's first break (a line feed if it has none)."""
    if index > 0 and text[index - 1] in "\r\n":
        previous = "\r\n" if text[max(0, index - 2) : index] == "\r\n" else text[index - 1]
        return index, previous
    found = _BREAK.search(text, index)
    if found is None:
        first = _BREAK.search(text)
        return len(text), first.group() if first else "\n"
    return found.end(), found.group()


def _new_list(text: str, root: Any, entries: Sequence[OverrideEntry]) -> str:
    """A block ``overrides:`` at the end of the file, indented like the file's other lists."""
    dash, offset = _list_style(root)
    lines = ["overrides:"]
    for entry in entries:
        lines += _block_item(entry, dash, offset)
    breaks = _BREAK.findall(text)
    newline = breaks[-1] if breaks else "\n"  # as the file's last line ends
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return text + newline.join(lines) + newline


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


def _into_block_list(text: str, node: Any, end: int, entries: Sequence[OverrideEntry]) -> str:
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
    at, newline = _line_break(text, end)
    if at == len(text) and not text.endswith(("\n", "\r")):
        text += newline
        at += len(newline)
    return text[:at] + newline.join(lines) + newline + text[at:]


def _into_flow_list(text: str, node: Any, end: int, entries: Sequence[OverrideEntry]) -> str:
    rendered = [_flow_mapping(entry) for entry in entries]
    close = node.end_mark.index - 1  # the ']'
    if not node.value:
        return text[:close] + ", ".join(rendered) + text[close:]
    last = node.value[-1]
    if node.start_mark.line == node.end_mark.line:
        return text[:end] + "".join(", " + item for item in rendered) + text[end:]
    _at, newline = _line_break(text, end)
    indent = " " * last.start_mark.column
    return text[:end] + "".join("," + newline + indent + item for item in rendered) + text[end:]


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
    """Replace ``path`` by ``text`` (UTF-8). With ``expected``, refuse (EditError) when the file
    no longer holds those bytes: someone changed it since it was read.

    The file keeps what it was: its mode, its owner and group (where the system lets us set
    them: run as root, always), and its hard links. A file with one name is replaced in one
    step (a new file renamed over it), so a reader (a phone system running `now`) sees the old
    roster or the new one, never half of it. A file with several names (hard links) is
    rewritten in place instead, the only way for every name to see the change: a reader could
    then catch it half written, for the moment of the write."""
    writable(path)
    if expected is not None and path.read_bytes() != expected:
        raise EditError(
            _("{path} changed while the edit was being prepared").format(path=path),
            _("run the command again"),
        )
    encoded = text.encode()
    info = path.stat()
    if info.st_nlink > 1:
        with path.open("r+b") as stream:
            stream.write(encoded)
            stream.truncate()
            stream.flush()
            os.fsync(stream.fileno())
        return
    replace_file(path, lambda stream: stream.write(encoded), durable=True, owner=True)


def writable(path: Path) -> None:
    """Refuses (EditError) a file that is read-only (no write bit, 0444: someone meant it not
    to change, even for root) or that this user may not write."""
    info = path.stat()
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise EditError(
            _("{path} is read-only: nothing was written").format(path=path),
            _("make it writable first if it is meant to change (chmod u+w)"),
        )


EDIT_LOCK_WAIT = 10.0  # seconds an edit waits for another edit of the same roster to end


@contextmanager
def locked(
    paths: Sequence[Path],
    *,
    wait: float = EDIT_LOCK_WAIT,
    waiting: Callable[[Path], None] | None = None,
) -> Iterator[None]:
    """Holds an exclusive lock (``flock``) on each of ``paths`` for the block: two edits of a
    roster (two `override add` run at once) read, check and write one after the other, and
    neither loses the other's entry. The locks are taken in one order (by path), so that two
    edits never wait for each other. An edit waits at most ``wait`` seconds for another to
    end (``waiting`` is told once, when it starts waiting), then gives up (EditError).

    The lock is on the file itself, no lock file beside it. A file replaced by the edit that
    held it is a new file: a waiting edit that then gets the old one's lock sees it and takes
    the new one's. Where the system has no ``flock`` (Windows), edits are not locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows)
        yield
        return
    held: list[int] = []
    deadline = time.monotonic() + wait
    told = False
    try:
        for path in sorted(set(paths), key=str):
            while True:
                try:
                    # A FIFO named like a roster file is not waited on (the loader refuses it);
                    # O_NONBLOCK changes nothing for a regular file's lock.
                    descriptor = os.open(path, READ_FLAGS)
                except FileNotFoundError:
                    break  # gone: the loader will say so
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(descriptor)
                    if time.monotonic() >= deadline:
                        raise EditError(
                            _(
                                "another edit of {path} has been going on for {seconds} s: "
                                "nothing was written"
                            ).format(path=path, seconds=round(wait)),
                            _("run the command again when it is done"),
                        ) from None
                    if waiting is not None and not told:
                        waiting(path)
                        told = True
                    time.sleep(0.05)
                    continue
                if _same_file(descriptor, path):
                    held.append(descriptor)
                    break
                os.close(descriptor)  # replaced while we waited: lock the new file
        yield
    finally:
        for descriptor in held:
            os.close(descriptor)


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        named = path.stat()
    except OSError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
