"""WHEN on the command line (SPEC §7): ISO 8601 with or without offset, a bare date, ``now``,
``+2h`` / ``-30m``, ``today``/``tomorrow``/``yesterday`` with an optional ``HH:MM``."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from zoneinfo import ZoneInfo

from astreinte_cli.diagnostics import excerpt
from astreinte_cli.i18n import N_, _
from astreinte_cli.times import (
    YEARS,
    TimeSyntaxError,
    local_reading,
    parse_datetime,
    parse_duration,
    parse_time_of_day,
    place,
)

_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tomorrow": 1}
_HINT = N_(
    "use ISO 8601 ('2026-12-24 20:00', '2026-12-24T20:00+01:00'), a date "
    "('2026-12-24'), 'now', '+2h', '-30m', 'tomorrow 08:00'"
)


def parse_when(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The UTC instant WHEN names; local readings are read in ``zone`` and placed by SPEC §2."""
    # The roster's years: `now` compiles a year of timeline on either side of WHEN, which must
    # stay within what datetime can represent.
    try:
        instant = _parse(text, zone, now)
        in_range = local_reading(instant, zone).year in YEARS
    except OverflowError:
        in_range = False
    if not in_range:
        raise TimeSyntaxError(
            _("'{text}' is out of range").format(text=excerpt(text)),
            _("years go from {first} to {last}").format(first=YEARS[0], last=YEARS[-1]),
        )
    return instant


def _parse(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    value = text.strip().lower()
    if value == "now":
        return now.astimezone(dt.UTC)
    if value[:1] in "+-" and len(value) > 1:
        try:
            delta = parse_duration(value[1:])
        except TimeSyntaxError as exc:
            raise TimeSyntaxError(
                _("'{text}' is not a time: {message}").format(
                    text=excerpt(text), message=exc.message
                ),
                exc.hint,
            ) from None
        return now.astimezone(dt.UTC) + (delta if value[0] == "+" else -delta)
    words = value.split()
    if words and words[0] in _RELATIVE_DAYS and len(words) <= 2:
        day = local_reading(now, zone).date() + dt.timedelta(days=_RELATIVE_DAYS[words[0]])
        minutes = parse_time_of_day(words[1], allow_24=False) if len(words) == 2 else 0
        reading = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
        return place(reading, zone)
    if re.fullmatch(r"\d{1,2}:\d{2}", value):
        return _parse(f"today {value}", zone, now)
    try:
        wall, _bare = parse_datetime(text.strip().upper())
    except TimeSyntaxError as exc:
        return _iso_8601(text, zone, exc)
    return wall.instant(zone)


def _iso_8601(text: str, zone: ZoneInfo, error: TimeSyntaxError) -> dt.datetime:
    """The other ISO 8601 date-times scripts write (fractional seconds, basic format); when none
    fits, the roster parser's own complaint if WHEN looked like a date."""
    value = text.strip()
    parsed = None
    if re.search(r"\d[T ]\d", value, re.IGNORECASE):  # a date and a time, not a bare date
        with contextlib.suppress(ValueError):
            parsed = dt.datetime.fromisoformat(value)
    if parsed is None:
        if re.match(r"\d{4}-\d{2}-\d{2}", value):
            raise TimeSyntaxError(error.message, error.hint or _(_HINT))
        raise TimeSyntaxError(_("'{text}' is not a time").format(text=excerpt(text)), _(_HINT))
    if parsed.tzinfo is not None:
        return parsed.astimezone(dt.UTC)
    return place(parsed, zone)
