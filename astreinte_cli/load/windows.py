"""Windows (SPEC §4) as written in YAML: weekly maps, names, lists, ``except``."""

from __future__ import annotations

import difflib
from typing import cast

import yaml

from astreinte_cli.diagnostics import did_you_mean, excerpt
from astreinte_cli.i18n import N_, _
from astreinte_cli.load.nodes import Entries, NodeReader, is_null
from astreinte_cli.model import (
    ExceptWindow,
    NamedWindow,
    UnionWindow,
    WeeklyMap,
    Window,
    WindowName,
)
from astreinte_cli.times import TimeRange, parse_time_range

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NAMES: tuple[WindowName, ...] = (
    "always", "business hours", "outside business hours", "holidays", "weekends", "weekdays",
)  # fmt: skip
_DAY_HINT = N_("day keys are mon…sun, ranges like mon-fri, lists like 'mon,wed,fri', or daily")


class WindowReader:
    """Reads the windows of one team: names that need business hours only if it has some.

    ``business_hours_unread``: the team writes ``business_hours`` but it did not read (its own
    error says why); a name that needs it is then not read either, without a second error that
    would call defined business hours undefined."""

    def __init__(
        self, reader: NodeReader, *, has_business_hours: bool, business_hours_unread: bool = False
    ) -> None:
        self.reader = reader
        self.has_business_hours = has_business_hours
        self.business_hours_unread = business_hours_unread

    def always(self, node: yaml.Node) -> Window:
        """The window of every instant, located at ``node`` (where it stands in by default)."""
        return NamedWindow("always", self.reader.span(node))

    def read(self, node: yaml.Node, what: str) -> Window | None:
        if isinstance(node, yaml.SequenceNode):
            if not node.value:
                self.reader.error(
                    node,
                    _("{what} is an empty list").format(what=what),
                    _("name at least one window"),
                )
                return None
            parts = [self.read(item, what) for item in node.value]
            if any(part is None for part in parts):
                return None
            return UnionWindow(tuple(cast(list[Window], parts)))
        if isinstance(node, yaml.MappingNode):
            entries = self.reader.mapping(node, what)
            if entries is None:
                return None
            minus = None
            if "except" in entries:
                minus = self.read(entries["except"][1], f"{what} 'except'")
                if minus is None:
                    return None
            days = {key: nodes for key, nodes in entries.items() if key != "except"}
            if not days:
                self.reader.error(
                    node, _("{what} needs day keys beside 'except'").format(what=what), _(_DAY_HINT)
                )
                return None
            weekly = self.weekly(days, node, what)
            if weekly is None:
                return None
            return ExceptWindow(weekly, minus) if minus is not None else weekly
        value = self.reader.text(node, what)
        if value is None:
            return None
        name = value.strip().lower().replace("_", " ")
        if name not in NAMES:
            self.reader.error(
                node,
                _("unknown window '{value}' in {what}").format(value=excerpt(value), what=what),
                did_you_mean(name, NAMES)
                or _(
                    "a window is a name ({names}), a weekly map such as {{mon-fri: 09:00-18:00}}, "
                    "or a list of them"
                ).format(names=", ".join(NAMES)),
            )
            return None
        if "business" in name and self.business_hours_unread:
            return None
        if "business" in name and not self.has_business_hours:
            self.reader.error(
                node,
                _("'{value}' needs the team's 'business_hours'").format(value=excerpt(value)),
                _("define business_hours in the team, or use another window"),
            )
            return None
        return NamedWindow(name, self.reader.span(node))

    def weekly(self, entries: Entries, node: yaml.Node, what: str) -> WeeklyMap | None:
        days: list[tuple[int, TimeRange]] = []
        ok = True
        for key, (key_node, value_node) in entries.items():
            weekdays = self._days(key, key_node)
            ranges = self._ranges(value_node, key, key_node)
            if weekdays is None or ranges is None:
                ok = False
                continue
            days.extend((day, time_range) for day in weekdays for time_range in ranges)
        if not days and ok:
            self.reader.error(node, _("{what} has no day").format(what=what), _(_DAY_HINT))
            return None
        if not ok:
            return None
        return WeeklyMap(tuple(sorted(days, key=lambda entry: (entry[0], entry[1].start))))

    def _days(self, key: str, node: yaml.Node) -> list[int] | None:
        text = key.strip().lower()
        if text == "daily":
            return list(range(7))
        result: list[int] = []
        for part in text.split(","):
            piece = part.strip()
            if "-" in piece:
                first, _dash, last = piece.partition("-")
                first_day = self._day(first.strip(), node, key)
                if first_day is None:
                    return None  # one error for the key, not one per end of the range
                last_day = self._day(last.strip(), node, key)
                if last_day is None:
                    return None
                if first_day == last_day:
                    self.reader.error(
                        node,
                        _("day range '{piece}' runs from a day to itself").format(piece=piece),
                        _("write '{day}' for one day, or 'daily' for the whole week").format(
                            day=first.strip()
                        ),
                    )
                    return None
                length = (last_day - first_day) % 7 + 1
                result.extend((first_day + step) % 7 for step in range(length))
            else:
                day = self._day(piece, node, key)
                if day is None:
                    return None
                result.append(day)
        return sorted(set(result))

    def _day(self, text: str, node: yaml.Node, key: str) -> int | None:
        if text in DAYS:
            return DAYS.index(text)
        close = difflib.get_close_matches(text, DAYS, n=1, cutoff=0.6) if text else []
        hint = (
            _("did you mean '{name}'?").format(name=key.strip().lower().replace(text, close[0], 1))
            if close
            else None
        )
        if key.strip().lower() in ("except", "closed"):
            hint = None
        self.reader.error(
            node, _("'{key}' is not a day key").format(key=excerpt(key)), hint or _(_DAY_HINT)
        )
        return None

    def _ranges(self, node: yaml.Node, key: str, key_node: yaml.Node) -> list[TimeRange] | None:
        if is_null(node) or (isinstance(node, yaml.SequenceNode) and not node.value):
            self.reader.error(
                key_node if is_null(node) else node,  # an empty value has no text to point at
                _("day key '{key}' has no time range").format(key=excerpt(key)),
                _(
                    "give it one, e.g. 'mon: 09:00-18:00'; in flow style quote a list of "
                    'days: {"mon,wed,fri": 09:00-12:00}'
                ),
            )
            return None
        items = self.reader.sequence(
            node, _("the time ranges of '{key}'").format(key=excerpt(key)), allow_scalar=True
        )
        ranges = [
            self.reader.parsed(
                item, _("time range of '{key}'").format(key=excerpt(key)), parse_time_range
            )
            for item in items
        ]
        if not items or any(time_range is None for time_range in ranges):
            return None
        return cast(list[TimeRange], ranges)
