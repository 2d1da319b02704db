"""WHEN on the command line (SPEC §7): ISO 8601 with or without offset, a bare date, ``now``,
``+2h`` / ``-30m``, ``today``/``tomorrow``/``yesterday`` with an optional ``HH:MM``."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from astreinte_cli.times import (
    TimeSyntaxError,
    local_reading,
    parse_datetime,
    parse_duration,
    parse_time_of_day,
    place,
)

_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1}
_HINT = (
    "use ISO 8601 ('2026-12-24 20:00', '2026-12-24T20:00+01:00'), a date ('2026-12-24'), "
    "'now', '+2h', '-30m', 'tomorrow 08:00'"
)


def parse_when(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The UTC instant WHEN names; local readings are read in ``zone`` and placed by SPEC §2."""
    value = text.strip().lower()
    if value == "now":
        return now.astimezone(dt.UTC)
    if value[:1] in "+-" and len(value) > 1:
        try:
            delta = parse_duration(value[1:])
        except TimeSyntaxError:
            raise TimeSyntaxError(f"'{text}' is not a time", _HINT) from None
        return now.astimezone(dt.UTC) + (delta if value[0] == "+" else -delta)
    words = value.split()
    if words and words[0] in _RELATIVE_DAYS and len(words) <= 2:
        day = local_reading(now, zone).date() + dt.timedelta(days=_RELATIVE_DAYS[words[0]])
        minutes = parse_time_of_day(words[1], allow_24=False) if len(words) == 2 else 0
        reading = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
        return place(reading, zone)
    if re.fullmatch(r"\d{1,2}:\d{2}", value):
        return parse_when(f"today {value}", zone, now)
    try:
        wall, _ = parse_datetime(text.strip().upper().replace("T", " ", 1))
    except TimeSyntaxError:
        raise TimeSyntaxError(f"'{text}' is not a time", _HINT) from None
    return wall.instant(zone)
