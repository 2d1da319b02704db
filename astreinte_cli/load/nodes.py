"""Typed reading of YAML nodes, reporting every problem to a :class:`Collector`.

Each reader returns None after reporting; callers carry on so that one run reports all errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar
from zoneinfo import ZoneInfo

import yaml

from astreinte_cli.diagnostics import Collector, Span, did_you_mean, excerpt
from astreinte_cli.i18n import _
from astreinte_cli.load.yamlfile import node_span
from astreinte_cli.printable import control_character
from astreinte_cli.times import (
    Period,
    TimeSyntaxError,
    WallTime,
    parse_datetime,
    parse_period_end,
)

T = TypeVar("T")
Entries = dict[str, tuple[yaml.Node, yaml.Node]]

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_NULL = {"", "~", "null"}


class NodeReader:
    """Reads the nodes of one file."""

    def __init__(self, path: str, collector: Collector) -> None:
        self.path = path
        self.collector = collector

    def span(self, node: yaml.Node) -> Span:
        return node_span(self.path, node)

    def error(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        self.collector.error(self.span(node), message, hint)

    # ------------------------------------------------------------------ structure

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        allowed: Iterable[str] | None = None,
        required: Iterable[str] = (),
    ) -> Entries | None:
        """Keys → (key node, value node); reports duplicate, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.error(
                node,
                _("{what} must be a mapping ('key: value' lines), not {kind}").format(
                    what=what, kind=kind(node)
                ),
            )
            return None
        entries: Entries = {}
        allowed_set = set(allowed) if allowed is not None else None
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, _("a key in {what} must be a plain name").format(what=what))
                continue
            key = key_node.value
            if key == "<<":
                self.error(
                    key_node, _("YAML merge keys ('<<') are not supported"), _("write the keys out")
                )
                continue
            if key in entries:
                first = self.span(entries[key][0])
                self.error(
                    key_node,
                    _("duplicate key '{key}' in {what}").format(key=excerpt(key), what=what),
                    _("the first '{key}' is at line {line}; keep one").format(
                        key=excerpt(key), line=first.line
                    ),
                )
                continue
            if allowed_set is not None and key not in allowed_set:
                hint = did_you_mean(key, allowed_set) or _("allowed keys: {keys}").format(
                    keys=", ".join(sorted(allowed_set))
                )
                self.error(
                    key_node,
                    _("unknown key '{key}' in {what}").format(key=excerpt(key), what=what),
                    hint,
                )
                continue
            entries[key] = (key_node, value_node)
        missing = [name for name in required if name not in entries]
        for name in missing:
            self.error(node, _("{what} needs '{name}'").format(what=what, name=name))
        return entries

    def sequence(
        self, node: yaml.Node, what: str, *, allow_scalar: bool = False
    ) -> list[yaml.Node]:
        """Items of a list; with ``allow_scalar`` a single value counts as a list of one."""
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if allow_scalar and isinstance(node, yaml.ScalarNode) and not is_null(node):
            return [node]
        self.error(node, _("{what} must be a list, not {kind}").format(what=what, kind=kind(node)))
        return []

    # ------------------------------------------------------------------ scalars

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(
                node,
                _("{what} must be a single value, not {kind}").format(what=what, kind=kind(node)),
            )
            return None
        return str(node.value)

    def text(self, node: yaml.Node, what: str, *, lines: bool = False) -> str | None:
        """A text value, stripped. Control characters are refused (a line feed and a tab are
        allowed in multi-line text with ``lines``): names and ids reach terminals, CI logs
        and calendar feeds, where they would act rather than be read."""
        value = self.scalar(node, what)
        if value is not None and not value.strip():
            self.error(node, _("{what} is empty").format(what=what))
            return None
        if value is not None:
            control = control_character(value.strip(), lines=lines)
            if control is not None:
                self.error(
                    node,
                    _("{what} contains a control character (U+{code:04X})").format(
                        what=what, code=ord(control)
                    ),
                    _("remove it; only instructions and notes may span several lines"),
                )
                return None
        return value.strip() if value is not None else None

    def identifier(self, node: yaml.Node, what: str, pattern: re.Pattern[str]) -> str | None:
        value = self.text(node, what)
        if value is not None and not pattern.fullmatch(value):
            self.error(
                node,
                _("'{value}' is not a valid {what}").format(value=excerpt(value), what=what),
                _("use lower-case letters, digits, '-' and '_'"),
            )
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        value = self.scalar(node, what)
        if value is None:
            return None
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.error(
            node,
            _("{what} must be true or false, not '{value}'").format(
                what=what, value=excerpt(value)
            ),
        )
        return None

    def integer(
        self, node: yaml.Node, what: str, low: int, high: int, hint: str | None = None
    ) -> int | None:
        value = self.scalar(node, what)
        if value is None:
            return None
        if not re.fullmatch(r"\d{1,6}", value.strip()):
            self.error(
                node,
                _("{what} must be a whole number, not '{value}'").format(
                    what=what, value=excerpt(value)
                ),
                hint,
            )
            return None
        number = int(value)
        if not low <= number <= high:
            if low == high:
                message = _("{what} must be {low}, not {number}")
            else:
                message = _("{what} must be between {low} and {high}, not {number}")
            message = message.format(what=what, low=low, high=high, number=number)
            self.error(node, message, hint)
            return None
        return number

    def choice(self, node: yaml.Node, what: str, choices: Iterable[str]) -> str | None:
        value = self.scalar(node, what)
        options = list(choices)
        if value is None:
            return None
        if value not in options:
            hint = did_you_mean(value, options) or _("one of: {choices}").format(
                choices=", ".join(options)
            )
            self.error(
                node, _("unknown {what} '{value}'").format(what=what, value=excerpt(value)), hint
            )
            return None
        return value

    def parsed(self, node: yaml.Node, what: str, parse: Callable[[str], T]) -> T | None:
        """A scalar run through one of the :mod:`astreinte_cli.times` parsers."""
        value = self.scalar(node, what)
        if value is None:
            return None
        try:
            return parse(value)
        except TimeSyntaxError as exc:
            message = (
                _("{what} is empty").format(what=what)
                if not value.strip()
                # French puts a no-break space before the colon: the joint is translated too
                else _("{subject}: {message}").format(subject=what, message=exc.message)
            )
            self.error(node, message, exc.hint)
            return None

    def datetime(self, node: yaml.Node, what: str) -> WallTime | None:
        result = self.parsed(node, what, parse_datetime)
        return result[0] if result else None

    def period(self, node: yaml.Node, what: str, zone: ZoneInfo | None = None) -> Period | None:
        """``START .. END`` or ``{from: START, to: END}``; a bare END date covers that day.

        ``zone`` is the team's, when known: it decides between a local reading and an offset."""
        if isinstance(node, yaml.MappingNode):
            entries = self.mapping(node, what, allowed=("from", "to"), required=("from", "to"))
            if entries is None or "from" not in entries or "to" not in entries:
                return None
            start = self.datetime(entries["from"][1], _("{what} start").format(what=what))
            end = self.parsed(entries["to"][1], _("{what} end").format(what=what), parse_period_end)
            end_node = entries["to"][1]
            written = (str(entries["from"][1].value), str(entries["to"][1].value))
        else:
            value = self.scalar(node, what)
            if value is None:
                return None
            if value.count("..") != 1:
                self.error(
                    node,
                    _("'{value}' is not a period").format(value=excerpt(value)),
                    _("write 'START .. END', e.g. '2026-08-03 .. 2026-08-23', or {from: …, to: …}"),
                )
                return None
            first, second = (part.strip() for part in value.split(".."))
            start = self.parsed(node, what, lambda _: parse_datetime(first)[0])
            end = self.parsed(node, what, lambda _: parse_period_end(second))
            end_node = node
            written = (first, second)
        if start is None or end is None:
            return None
        if not ends_after(start, end, zone):
            # As written: a bare end date has become the next midnight, which would puzzle.
            bare_end = parse_datetime(written[1])[1]
            self.error(
                end_node,
                _("{what} ends at '{end}', which is not after its start '{start}'").format(
                    what=what, end=excerpt(written[1].strip()), start=excerpt(written[0].strip())
                ),
                _("a bare end date covers that whole day, so it may be the start's date")
                if bare_end
                else None,
            )
            return None
        return Period(start, end)


_UTC = ZoneInfo("UTC")


def ends_after(start: WallTime, end: WallTime, zone: ZoneInfo | None = None) -> bool:
    """Whether ``end`` is after ``start``. Two local readings compare as clock readings, which
    holds in every zone, and two absolute values as instants. A local reading and an absolute
    value compare only in a zone: without one (leave, read in each team's zone) the check is
    left to the place where the zone is known, and an inverted period there covers nothing."""
    if start.offset is None and end.offset is None:
        return end.local > start.local
    if start.offset is not None and end.offset is not None:
        return end.instant(_UTC) > start.instant(_UTC)
    if zone is None:
        return True
    return end.instant(zone) > start.instant(zone)


def is_null(node: yaml.Node) -> bool:
    # A plain scalar has style None from the Python parser but '' from libyaml's.
    return isinstance(node, yaml.ScalarNode) and not node.style and str(node.value).lower() in _NULL


def kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return _("a mapping")
    if isinstance(node, yaml.SequenceNode):
        return _("a list")
    if is_null(node):
        return _("nothing")
    return f"'{excerpt(str(node.value))}'"
