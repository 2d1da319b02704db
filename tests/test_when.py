"""WHEN on the command line (SPEC §7), as a pure function of the text, the zone and ``now``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from astreinte_cli.times import TimeSyntaxError
from astreinte_cli.when import parse_when

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 6, 10, 12, 34, 56, tzinfo=dt.UTC)  # Wed 10 June, 14:34:56 in Paris


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("  NOW ", NOW),
        ("+2h", NOW + dt.timedelta(hours=2)),
        ("-30m", NOW - dt.timedelta(minutes=30)),
        ("+1d12h", NOW + dt.timedelta(days=1, hours=12)),
        ("+1w", NOW + dt.timedelta(weeks=1)),
        ("+PT2H", NOW + dt.timedelta(hours=2)),
        ("today", utc(2026, 6, 9, 22, 0)),
        ("Today 08:00", utc(2026, 6, 10, 6, 0)),
        ("tomorrow", utc(2026, 6, 10, 22, 0)),
        ("tomorrow 08:00", utc(2026, 6, 11, 6, 0)),
        ("tomorrow   8:00", utc(2026, 6, 11, 6, 0)),
        ("yesterday 23:30", utc(2026, 6, 9, 21, 30)),
        ("08:00", utc(2026, 6, 10, 6, 0)),
        ("8:05", utc(2026, 6, 10, 6, 5)),
        ("2026-12-24 20:00", utc(2026, 12, 24, 19, 0)),
        ("2026-12-24T20:00", utc(2026, 12, 24, 19, 0)),
        ("2026-12-24t20:00", utc(2026, 12, 24, 19, 0)),
        ("2026-12-24 20:00:30", utc(2026, 12, 24, 19, 0, 30)),
        ("2026-12-24", utc(2026, 12, 23, 23, 0)),
        ("2026-06-10", utc(2026, 6, 9, 22, 0)),
        ("2026-12-24T20:00+01:00", utc(2026, 12, 24, 19, 0)),
        ("2026-12-24T20:00-05:00", utc(2026, 12, 25, 1, 0)),
        ("2026-12-24T20:00+0530", utc(2026, 12, 24, 14, 30)),
        ("2026-12-24T20:00Z", utc(2026, 12, 24, 20, 0)),
        ("2026-12-24t20:00z", utc(2026, 12, 24, 20, 0)),
        ("2026-12-24 20:00 +01:00", utc(2026, 12, 24, 19, 0)),
        # Other ISO 8601 forms that scripts write: fractions of a second, basic format.
        ("2026-12-24T20:00:00.250+01:00", utc(2026, 12, 24, 19, 0, 0, 250000)),
        ("20261224T200000Z", utc(2026, 12, 24, 20, 0)),
        ("20261224T2000", utc(2026, 12, 24, 19, 0)),
    ],
)
def test_every_form(text: str, expected: dt.datetime) -> None:
    result = parse_when(text, PARIS, NOW)
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


def test_a_time_with_an_offset_ignores_the_zone() -> None:
    for zone in (PARIS, NEW_YORK, ZoneInfo("Asia/Tokyo")):
        assert parse_when("2026-12-24T20:00+01:00", zone, NOW) == utc(2026, 12, 24, 19, 0)


def test_a_local_reading_is_read_in_the_zone_given() -> None:
    assert parse_when("2026-12-24 20:00", NEW_YORK, NOW) == utc(2026, 12, 25, 1, 0)
    assert parse_when("08:00", NEW_YORK, NOW) == utc(2026, 6, 10, 12, 0)


def test_today_is_the_local_date_in_the_zone() -> None:
    # 22:30 UTC on 10 June is already 11 June in Paris, still 10 June in New York.
    late = utc(2026, 6, 10, 22, 30)
    assert parse_when("today", PARIS, late) == utc(2026, 6, 10, 22, 0)
    assert parse_when("today", NEW_YORK, late) == utc(2026, 6, 10, 4, 0)
    assert parse_when("yesterday", PARIS, late) == utc(2026, 6, 9, 22, 0)


def test_relative_durations_are_elapsed_time_across_dst() -> None:
    # 01:30+01:00 on the spring-forward night: an hour later the clocks read 03:30+02:00.
    before = utc(2026, 3, 29, 0, 30)
    assert parse_when("+1h", PARIS, before) == utc(2026, 3, 29, 1, 30)
    assert parse_when("+1d", PARIS, before) == utc(2026, 3, 30, 0, 30)


# --------------------------------------------------------------------------- DST placement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Spring forward in Paris (02:00 → 03:00): a reading in the gap is the jump, 03:00+02:00.
        ("2026-03-29 01:59", utc(2026, 3, 29, 0, 59)),
        ("2026-03-29 02:00", utc(2026, 3, 29, 1, 0)),
        ("2026-03-29 02:30", utc(2026, 3, 29, 1, 0)),
        ("2026-03-29T02:30", utc(2026, 3, 29, 1, 0)),
        ("2026-03-29 03:00", utc(2026, 3, 29, 1, 0)),
        ("2026-03-29 03:30", utc(2026, 3, 29, 1, 30)),
        # Fall back (03:00 → 02:00): a reading that occurs twice is its first occurrence.
        ("2026-10-25 02:00", utc(2026, 10, 25, 0, 0)),
        ("2026-10-25 02:30", utc(2026, 10, 25, 0, 30)),
        ("2026-10-25 03:00", utc(2026, 10, 25, 2, 0)),
        # An offset chooses the occurrence.
        ("2026-10-25T02:30+02:00", utc(2026, 10, 25, 0, 30)),
        ("2026-10-25T02:30+01:00", utc(2026, 10, 25, 1, 30)),
    ],
)
def test_dst_placement(text: str, expected: dt.datetime) -> None:
    assert parse_when(text, PARIS, NOW) == expected


def test_relative_days_are_placed_like_any_local_reading() -> None:
    spring = utc(2026, 3, 28, 23, 30)  # 00:30+01:00 on 29 March in Paris
    assert parse_when("today 02:30", PARIS, spring) == utc(2026, 3, 29, 1, 0)
    assert parse_when("02:30", PARIS, spring) == utc(2026, 3, 29, 1, 0)
    autumn = utc(2026, 10, 24, 10, 0)
    assert parse_when("tomorrow 02:30", PARIS, autumn) == utc(2026, 10, 25, 0, 30)
    assert parse_when("tomorrow", PARIS, autumn) == utc(2026, 10, 24, 22, 0)


def test_dst_gap_in_another_zone() -> None:
    # New York springs forward on 8 March 2026 at 02:00 EST → 03:00 EDT.
    assert parse_when("2026-03-08 02:30", NEW_YORK, NOW) == utc(2026, 3, 8, 7, 0)
    assert parse_when("2026-11-01 01:30", NEW_YORK, NOW) == utc(2026, 11, 1, 5, 30)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("soon", "'soon' is not a time", "ISO 8601"),
        ("", "'' is not a time", "tomorrow 08:00"),
        ("next friday", "'next friday' is not a time", "'+2h'"),
        ("yesterday at 8", "is not a time", "ISO 8601"),
        ("2026-02-30", "'2026-02-30' is not a valid date", "ISO 8601"),
        ("2026-13-01 10:00", "is not a valid date", "ISO 8601"),
        ("2026-12-24 25:00", "is not a valid time of day", "hours go from 00 to 23"),
        ("2026-12-24T20:00+25:00", "impossible UTC offset '+25:00'", "ISO 8601"),
        ("2026-12-24+01:00", "a bare date cannot carry an offset", "YYYY-MM-DD HH:MM"),
        ("tomorrow 24:00", "'24:00' is not a valid time of day", "24:00 only as the end"),
        ("today 8h", "'8h' is not a time of day", "HH:MM"),
        ("25:00", "'25:00' is not a valid time of day", "hours go from 00 to 23"),
        ("+0m", "a duration must be positive", "30m"),
        ("+2x", "'2x' is not a duration", "12h"),
        ("+1mo", "is not a duration", "no month unit"),
        ("+99999w", "'+99999w' is not a time", ""),
        ("9999-12-31 23:00", "out of range", "1900 to 2999"),
        ("0001-01-01", "out of range", "1900 to 2999"),
        ("0001-01-01T00:00", "out of range", "1900 to 2999"),
        ("1899-12-31 23:00", "out of range", "1900 to 2999"),
        ("9999-12-31T23:59-12:00", "out of range", "1900 to 2999"),
        ("2999-12-31T23:30-05:00", "out of range", "1900 to 2999"),  # 3000 in Paris
    ],
)
def test_errors_say_what_and_hint_how(text: str, message: str, hint: str) -> None:
    with pytest.raises(TimeSyntaxError) as caught:
        parse_when(text, PARIS, NOW)
    assert message in caught.value.message
    assert caught.value.hint is not None
    assert hint in caught.value.hint


def test_relative_times_stay_in_range() -> None:
    late = utc(2999, 6, 1)
    assert parse_when("+1w", PARIS, late) == utc(2999, 6, 8)
    with pytest.raises(TimeSyntaxError) as caught:
        parse_when("+52w", PARIS, late)
    assert caught.value.message == "'+52w' is out of range"
    assert caught.value.hint == "years go from 1900 to 2999"
