"""Time values of the roster format (SPEC §2) and how a local clock reading becomes an instant.

Instants past the loader are aware datetimes in UTC. A local clock reading is placed on the
timeline by one rule everywhere (GoAlert's): a reading that does not exist (spring forward) is
the instant the clocks jump; a reading that occurs twice (fall back) is its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from astreinte_cli.diagnostics import excerpt
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import N_, _

UTC = dt.UTC
MINUTES_PER_DAY = 24 * 60
# Dates and durations a roster may hold: wide enough for any roster, narrow enough that
# arithmetic on them (a handoff after the start, an offset, the day after an END date) stays
# inside datetime's years 1 to 9999.
YEARS = range(1900, 3000)
MAX_DURATION = dt.timedelta(weeks=520)


class TimeSyntaxError(HintedError, ValueError):
    """A time value that does not parse; carries a hint for the user."""


# --------------------------------------------------------------------------- placement


# Cached (README, "Caches"): the same readings recur, each handoff, midnight and window bound of
# a zone met again by the other rotations, levels and teams in that zone.
@functools.lru_cache(maxsize=65536)
def place(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of the naive local clock reading ``local`` in ``zone`` (SPEC §2)."""
    if local.fold:
        local = local.replace(fold=0)
    # Read naive, fold=0 takes the offset before a transition and fold=1 the one after. Where
    # they agree (every reading but those of a gap or a repeated hour) the reading occurs
    # exactly once, and its instant is plain arithmetic: this spares the two conversions below,
    # which cost more, on nearly every handoff of a roster.
    offset = zone.utcoffset(local)
    if offset is not None and offset == zone.utcoffset(local.replace(fold=1)):
        return (local - offset).replace(tzinfo=UTC)
    first = local.replace(tzinfo=zone, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local:
        return instant  # exists; with fold=0 an ambiguous reading is its first occurrence
    # In a gap. fold=0 reads it with the offset before the jump, fold=1 with the one after,
    # so the jump lies between those two instants: find the first instant after the gap.
    low = int(local.replace(tzinfo=zone, fold=1).timestamp())
    high = int(first.timestamp())
    after = zone.utcoffset(first.replace(fold=1))
    while low < high:
        mid = (low + high) // 2
        if dt.datetime.fromtimestamp(mid, zone).utcoffset() == after:
            high = mid
        else:
            low = mid + 1
    return dt.datetime.fromtimestamp(low, UTC)


def local_reading(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive wall-clock reading of ``instant`` in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)  # noqa: DTZ001 - a local clock reading


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class WallTime:
    """A roster date-time: a local clock reading, or an absolute instant when written with an
    offset. Local readings are placed in the timezone of the team being compiled."""

    local: dt.datetime  # naive
    offset: dt.timezone | None = None

    def instant(self, zone: ZoneInfo) -> dt.datetime:
        if self.offset is not None:
            return self.local.replace(tzinfo=self.offset).astimezone(UTC)
        return place(self.local, zone)

    def reading(self, zone: ZoneInfo) -> dt.datetime:
        """The local clock reading in ``zone`` (for absolute values, where the instant falls)."""
        if self.offset is None:
            return self.local
        return local_reading(self.instant(zone), zone)

    def __str__(self) -> str:
        text = self.local.isoformat(sep=" ", timespec="minutes")
        if self.offset is not None:
            text += self.local.replace(tzinfo=self.offset).strftime("%z")
        return text


@dataclass(frozen=True, slots=True)
class Period:
    """Half-open ``[start, end)``; a bare date as end has already become the next midnight."""

    start: WallTime
    end: WallTime

    def instants(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        return self.start.instant(zone), self.end.instant(zone)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """``HH:MM-HH:MM`` in minutes of the day; an end not after the start crosses midnight."""

    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def after_midnight(self) -> tuple[dt.timedelta, dt.timedelta]:
        """Where the range starts and ends, counted from the midnight of the day it starts on."""
        end = self.end + (MINUTES_PER_DAY if self.crosses_midnight else 0)
        return dt.timedelta(minutes=self.start), dt.timedelta(minutes=end)

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --------------------------------------------------------------------------- parsing

_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_DATETIME_RE = re.compile(
    _DATE + r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})$")
_SHORT_DURATION_RE = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_ISO_DURATION_RE = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_DATETIME_HINT = N_("write 'YYYY-MM-DD HH:MM', e.g. '2026-01-05 09:00', or a bare date")


def parse_datetime(text: str) -> tuple[WallTime, bool]:
    """A date-time or a bare date; returns the value and whether it was a bare date."""
    match = _DATETIME_RE.match(text.strip())
    if not match:
        raise TimeSyntaxError(
            _("'{text}' is not a date-time").format(text=excerpt(text)), _(_DATETIME_HINT)
        )
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise TimeSyntaxError(
            _("'{text}' is not a valid date: {reason}").format(text=excerpt(text), reason=exc)
        ) from None
    if date.year not in YEARS:
        raise TimeSyntaxError(
            _("'{text}': the year {year} is out of range").format(
                text=excerpt(text), year=date.year
            ),
            _("years go from {first} to {last}").format(first=YEARS[0], last=YEARS[-1]),
        )
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59):
        raise TimeSyntaxError(
            _("'{text}' is not a valid time of day").format(text=excerpt(text)),
            _("hours go from 00 to 23, minutes to 59"),
        )
    if hour is None and offset is not None:
        raise TimeSyntaxError(
            _("'{text}': a bare date cannot carry an offset").format(text=excerpt(text)),
            _(_DATETIME_HINT),
        )
    local = midnight(date).replace(
        hour=int(hour or 0), minute=int(minute or 0), second=int(second or 0)
    )
    return WallTime(local, _parse_offset(text, offset)), hour is None


def _parse_offset(text: str, offset: str | None) -> dt.timezone | None:
    if offset is None:
        return None
    if offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise TimeSyntaxError(
            _("'{text}' has an impossible UTC offset '{offset}'").format(
                text=excerpt(text), offset=offset
            )
        )
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_period_end(text: str) -> WallTime:
    """END of a period: a bare date means the end of that day."""
    value, bare = parse_datetime(text)
    if bare:
        return WallTime(value.local + dt.timedelta(days=1))
    return value


def parse_time_of_day(text: str, *, allow_24: bool = True) -> int:
    """``HH:MM`` as minutes of the day; ``24:00`` is the end of the day (1440)."""
    match = _TIME_RE.match(text.strip())
    if not match:
        raise TimeSyntaxError(
            _("'{text}' is not a time of day").format(text=excerpt(text)),
            _("write HH:MM, e.g. 09:00"),
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise TimeSyntaxError(
            _("'{text}' is not a valid time of day").format(text=excerpt(text)),
            _("hours go from 00 to 23 (24:00 only as the end of a range), minutes to 59"),
        )
    return hours * 60 + minutes


def parse_time_range(text: str) -> TimeRange:
    parts = text.strip().split("-")
    if len(parts) != 2:
        raise TimeSyntaxError(
            _("'{text}' is not a time range").format(text=excerpt(text)),
            _("write HH:MM-HH:MM, e.g. 09:00-18:00 or 18:00-09:00"),
        )
    start = parse_time_of_day(parts[0], allow_24=False)
    end = parse_time_of_day(parts[1])
    if end == MINUTES_PER_DAY and start == 0:
        return TimeRange(0, MINUTES_PER_DAY)
    return TimeRange(start, end % MINUTES_PER_DAY if end == MINUTES_PER_DAY else end)


def parse_duration(text: str) -> dt.timedelta:
    """``30m``, ``12h``, ``1d``, ``1w``, ``1d12h`` or ISO 8601 (``P1W``, ``PT12H``)."""
    raw = text.strip()
    hint = _("write e.g. 30m, 12h, 1d, 1w, 1d12h or ISO 8601 (P1W, PT12H); there is no month unit")
    match = _SHORT_DURATION_RE.match(raw) if raw else None
    units: tuple[str, ...] = ("weeks", "days", "hours", "minutes")
    if not (match and any(match.groups())):
        match = _ISO_DURATION_RE.match(raw.upper()) if raw.upper() != "P" else None
        if not match or not any(match.groups()) or raw.upper().endswith("T"):
            raise TimeSyntaxError(_("'{text}' is not a duration").format(text=excerpt(text)), hint)
        units = ("weeks", "days", "hours", "minutes", "seconds")
    try:
        value = dt.timedelta(**{u: int(g or 0) for u, g in zip(units, match.groups(), strict=True)})
    except (OverflowError, ValueError):  # more days than timedelta holds, digits than int reads
        value = dt.timedelta.max
    if value <= dt.timedelta(0):
        raise TimeSyntaxError(
            _("'{text}': a duration must be positive").format(text=excerpt(text)), hint
        )
    if value > MAX_DURATION:
        raise TimeSyntaxError(
            _("'{text}' is too long").format(text=excerpt(text)),
            _("a duration is at most {weeks}w").format(weeks=MAX_DURATION.days // 7),
        )
    return value
