"""The team's ``rules:`` mapping → :class:`Rules`: limits that ``astreinte check`` enforces.

Every rule has a default (``notice_days`` 15 read from git, ``min_rest_hours`` 11, the others
off) and is turned off with ``off`` or ``null``.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Literal

import yaml

from astreinte_cli.diagnostics import excerpt
from astreinte_cli.i18n import _
from astreinte_cli.load.nodes import NodeReader, is_null
from astreinte_cli.model import MaxShare, Rules

RULE_KEYS = (
    "notice_days", "notice_from", "max_consecutive_turns", "min_rest_hours", "max_share",
)  # fmt: skip
NOTICE_SOURCES = ("git", "publication")
SHARE_KEYS = ("hours", "nights", "weekends", "holidays")
_OFF = {"off", "false", "no", "none"}
_NUMBER = re.compile(r"\d{1,6}(?:\.\d{1,3})?")


def is_off(node: yaml.Node) -> bool:
    return is_null(node) or (
        isinstance(node, yaml.ScalarNode) and str(node.value).strip().lower() in _OFF
    )


def read_rules(reader: NodeReader, node: yaml.Node) -> Rules:
    """The rules of one team; problems are reported to the reader and the default kept."""
    defaults = Rules()
    if is_null(node):
        return defaults
    entries = reader.mapping(node, "'rules'", allowed=RULE_KEYS)
    if entries is None:
        return defaults
    notice = defaults.notice_days
    consecutive = defaults.max_consecutive_turns
    rest = defaults.min_rest_hours
    share = defaults.max_share
    notice_from: Literal["git", "publication"] = defaults.notice_from
    if "notice_from" in entries:
        chosen = reader.choice(entries["notice_from"][1], "notice_from", NOTICE_SOURCES)
        notice_from = "publication" if chosen == "publication" else "git"
    if "notice_days" in entries:
        value = entries["notice_days"][1]
        notice = None if is_off(value) else reader.integer(value, "notice_days", 0, 3660)
        if notice is None and not is_off(value):
            notice = defaults.notice_days
    if "max_consecutive_turns" in entries:
        value = entries["max_consecutive_turns"][1]
        consecutive = (
            None if is_off(value) else reader.integer(value, "max_consecutive_turns", 1, 1000)
        )
    if "min_rest_hours" in entries:
        value = entries["min_rest_hours"][1]
        rest = None if is_off(value) else _hours(reader, value, "min_rest_hours")
    if "max_share" in entries:
        share = _share(reader, entries["max_share"][1])
    return Rules(
        notice_days=notice,
        max_consecutive_turns=consecutive,
        min_rest_hours=rest,
        max_share=share,
        spans=MappingProxyType({k: reader.span(v[0]) for k, v in entries.items()}),
        notice_from=notice_from,
    )


def _hours(reader: NodeReader, node: yaml.Node, what: str) -> float | None:
    value = reader.scalar(node, what)
    if value is None:
        return None
    if not _NUMBER.fullmatch(value.strip()):
        reader.error(
            node,
            _("{what} must be a number of hours, not '{value}'").format(
                what=what, value=excerpt(value)
            ),
            _("e.g. 11 or 10.5"),
        )
        return None
    return float(value)


def _share(reader: NodeReader, node: yaml.Node) -> MaxShare | None:
    if is_off(node):
        return None
    entries = reader.mapping(node, "'max_share'", allowed=SHARE_KEYS)
    if entries is None:
        return None
    limits: dict[str, float | int | None] = {}
    for key, (_key_node, value) in entries.items():
        if is_off(value):
            limits[key] = None
        elif key == "hours":
            limits[key] = _hours(reader, value, _("max_share hours"))
        else:
            limits[key] = reader.integer(value, f"max_share {key}", 0, 100000)
    hours = limits.get("hours")
    return MaxShare(
        hours=float(hours) if hours is not None else None,
        nights=_int(limits.get("nights")),
        weekends=_int(limits.get("weekends")),
        holidays=_int(limits.get("holidays")),
    )


def _int(value: float | int | None) -> int | None:
    return int(value) if value is not None else None
