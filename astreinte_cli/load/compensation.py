"""The team's ``compensation:`` mapping → :class:`Compensation`: rates for ``astreinte report``.

Amounts are read from the YAML text itself as :class:`decimal.Decimal` (``10.05`` stays
exactly 10.05); uplifts and shares are percentages (``25%``). Rates are given once, or as a
list of rate sets each with ``from:`` (a date), in increasing order: a raise applies from its
date.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

import yaml

from astreinte_cli.diagnostics import excerpt
from astreinte_cli.i18n import N_, _
from astreinte_cli.load.nodes import Entries, NodeReader, is_null
from astreinte_cli.model import Compensation, HourlyRate, RateSet, Uplifts
from astreinte_cli.times import TimeRange, parse_duration, parse_time_range

PORTION_KEYS = ("weeknight", "saturday", "sunday", "holiday")
BUNDLE_KEYS = ("week", "weekend")
RATE_KEYS = (*PORTION_KEYS, *BUNDLE_KEYS, "per_hour", "intervention", "billing")
TOP_KEYS = (
    "mode", "rest_share", "rest_hour_value", "night", "stack", "min_billed", "travel_counts",
    "rates",
)  # fmt: skip
UPLIFT_KEYS = ("night", "sunday", "holiday", "may_1")
DEFAULT_NIGHT = TimeRange(21 * 60, 6 * 60)  # Code du travail L3122-2: 21:00 to 06:00
_AMOUNT = re.compile(r"\d{1,9}(?:\.\d{1,6})?")
_PERCENT = re.compile(r"(\d{1,4}(?:\.\d{1,4})?)\s*%")
_AMOUNT_HINT = N_("write an amount in euros with a dot, e.g. 10.05")


def read_compensation(reader: NodeReader, node: yaml.Node) -> Compensation | None:
    """The compensation of one team, or None after reporting what is wrong."""
    entries = reader.mapping(node, "'compensation'", allowed=(*TOP_KEYS, *RATE_KEYS))
    if entries is None:
        return None
    mode: Literal["money", "rest", "mixed"] = "money"
    if "mode" in entries:
        chosen = reader.choice(
            entries["mode"][1], _("compensation mode"), ("money", "rest", "mixed")
        )
        if chosen == "rest":
            mode = "rest"
        elif chosen == "mixed":
            mode = "mixed"
    share = {"money": Decimal(0), "rest": Decimal(1), "mixed": Decimal("0.5")}[mode]
    if "rest_share" in entries:
        key_node, value = entries["rest_share"]
        if mode != "mixed":
            reader.error(
                key_node,
                _("'rest_share' only applies to 'mode: mixed'"),
                _("with 'money' nothing is given as rest, with 'rest' everything is"),
            )
        share = _percent(reader, value, "rest_share", maximum=Decimal(1)) or share
    hour_value = None
    if "rest_hour_value" in entries:
        hour_value = _amount(reader, entries["rest_hour_value"][1], "rest_hour_value")
        if hour_value is not None and hour_value <= 0:
            reader.error(entries["rest_hour_value"][1], _("rest_hour_value must be positive"))
            hour_value = None
    elif mode != "money":
        reader.error(
            entries["mode"][1],
            _("'mode: {mode}' needs 'rest_hour_value'").format(mode=mode),
            _("the amount one hour of rest stands for, e.g. 'rest_hour_value: 25.00'"),
        )
    night = DEFAULT_NIGHT
    if "night" in entries:
        night = reader.parsed(entries["night"][1], "night", parse_time_range) or night
    stack = bool(reader.boolean(entries["stack"][1], "stack")) if "stack" in entries else False
    travel = True
    if "travel_counts" in entries:
        travel = reader.boolean(entries["travel_counts"][1], "travel_counts") is not False
    minimum = dt.timedelta(0)
    if "min_billed" in entries:
        minimum = reader.parsed(entries["min_billed"][1], "min_billed", parse_duration) or minimum
    rates = _rate_sets(reader, node, entries)
    return Compensation(
        mode=mode,
        rest_share=share,
        rest_hour_value=hour_value,
        night=night,
        stack=stack,
        min_billed=minimum,
        travel_counts=travel,
        rates=tuple(rates),
        span=reader.span(node),
    )


def _rate_sets(reader: NodeReader, node: yaml.Node, entries: Entries) -> list[RateSet]:
    inline = [k for k in entries if k in RATE_KEYS]
    if "rates" not in entries:
        if not inline:
            reader.error(
                node,
                _("'compensation' gives no rates"),
                _("add amounts such as 'weeknight: 10.05', or 'rates:' with dated rate sets"),
            )
            return []
        rates = _rate_set(reader, node, entries, None)
        return [rates] if rates is not None else []
    for key in inline:
        reader.error(
            entries[key][0],
            _("'{key}' is beside 'rates:'").format(key=excerpt(key)),
            _("put every amount inside the rate sets of 'rates:'"),
        )
    result: list[RateSet] = []
    items = reader.sequence(entries["rates"][1], "rates")
    if not items and isinstance(entries["rates"][1], yaml.SequenceNode):
        reader.error(entries["rates"][1], _("'rates' is empty"), _("add a rate set"))
    for number, item in enumerate(items, start=1):
        what = _("rate set {number}").format(number=number)
        found = reader.mapping(item, what, allowed=("from", *RATE_KEYS))
        if found is None:
            continue
        start = None
        if "from" in found:
            start = _date(reader, found["from"][1], f"{what} 'from'")
        elif number > 1:
            reader.error(
                item,
                _("{what} needs 'from'").format(what=what),
                _("the date this rate set applies from"),
            )
            continue
        previous = result[-1].start if result else None
        if start is not None and previous is not None and start <= previous:
            reader.error(
                found["from"][1],
                _("{what} starts on {start}, not after the previous one ({previous})").format(
                    what=what, start=start, previous=previous
                ),
                _("list the rate sets from the oldest to the newest"),
            )
            continue
        rates = _rate_set(reader, item, found, start)
        if rates is not None:
            result.append(rates)
    return result


def _rate_set(
    reader: NodeReader, node: yaml.Node, entries: Entries, start: dt.date | None
) -> RateSet | None:
    portions: dict[str, Decimal] = {}
    bundles: dict[str, Decimal] = {}
    for key in (*PORTION_KEYS, *BUNDLE_KEYS):
        if key in entries and not is_null(entries[key][1]):
            amount = _amount(reader, entries[key][1], key)
            if amount is not None:
                (portions if key in PORTION_KEYS else bundles)[key] = amount
    per_hour = None
    if "per_hour" in entries:
        per_hour = _amount(reader, entries["per_hour"][1], "per_hour")
        flat = [k for k in (*PORTION_KEYS, *BUNDLE_KEYS) if k in entries]
        if flat:
            reader.error(
                entries["per_hour"][0],
                _("'per_hour' and flat amounts ({amounts}) in the same rate set").format(
                    amounts=", ".join(flat)
                ),
                _("astreinte is paid either per hour or per portion: keep one"),
            )
    intervention = None
    if "intervention" in entries:
        intervention = _hourly(reader, entries["intervention"][1], "intervention")
    billing = None
    if "billing" in entries:
        billing = _hourly(reader, entries["billing"][1], "billing")
    if not (portions or bundles or per_hour is not None or intervention or billing):
        if not any(k in entries for k in RATE_KEYS):
            reader.error(node, _("this rate set gives no amount"), _("add e.g. 'weeknight: 10.05'"))
        return None
    return RateSet(
        start=start,
        portions=MappingProxyType(portions),
        bundles=MappingProxyType(bundles),
        per_hour=per_hour,
        intervention=intervention,
        billing=billing,
        span=reader.span(node),
    )


def _hourly(reader: NodeReader, node: yaml.Node, what: str) -> HourlyRate | None:
    entries = reader.mapping(node, f"'{what}'", allowed=("hourly", "uplift"), required=("hourly",))
    if entries is None or "hourly" not in entries:
        return None
    hourly = _amount(reader, entries["hourly"][1], f"{what} hourly")
    uplifts = Uplifts()
    if "uplift" in entries:
        found = reader.mapping(entries["uplift"][1], f"{what} uplift", allowed=UPLIFT_KEYS)
        values = {
            key: _percent(reader, value, f"{what} uplift {key}")
            for key, (_, value) in (found or {}).items()
        }
        uplifts = Uplifts(**{k: v for k, v in values.items() if v is not None})
    return HourlyRate(hourly, uplifts) if hourly is not None else None


def _amount(reader: NodeReader, node: yaml.Node, what: str) -> Decimal | None:
    value = reader.scalar(node, what)
    if value is None:
        return None
    text = value.strip().removesuffix("€").strip()
    if not _AMOUNT.fullmatch(text):
        reader.error(
            node,
            _("{what} must be an amount, not '{value}'").format(what=what, value=excerpt(value)),
            _(_AMOUNT_HINT),
        )
        return None
    return Decimal(text)


def _percent(
    reader: NodeReader, node: yaml.Node, what: str, maximum: Decimal | None = None
) -> Decimal | None:
    value = reader.scalar(node, what)
    if value is None:
        return None
    match = _PERCENT.fullmatch(value.strip())
    if not match:
        reader.error(
            node,
            _("{what} must be a percentage, not '{value}'").format(what=what, value=excerpt(value)),
            _("e.g. 25% or 100%"),
        )
        return None
    fraction = Decimal(match.group(1)) / 100
    if maximum is not None and fraction > maximum:
        reader.error(
            node,
            _("{what} must be at most {maximum:g}%, not {value}").format(
                what=what, maximum=maximum * 100, value=excerpt(value).strip()
            ),
        )
        return None
    return fraction


def _date(reader: NodeReader, node: yaml.Node, what: str) -> dt.date | None:
    value = reader.scalar(node, what)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        reader.error(
            node,
            _("{what}: '{value}' is not a date").format(what=what, value=excerpt(value)),
            _("write YYYY-MM-DD"),
        )
        return None
