"""The language a person reads: English (the source strings) or French (a gettext catalog).

Messages are written in English in the code and wrapped in :func:`_` (or :func:`ngettext` for
plurals); values go in named placeholders filled after translation, so that a translator can
move them::

    _("unknown person '{person}'").format(person=name)

English needs no catalog. French lives in ``locale/fr/LC_MESSAGES/astreinte.po`` and its
compiled ``astreinte.mo``, both committed. What a program parses stays English whatever the
language: JSON keys, CSV columns, codes, and the ``PATH:LINE:COL: error:`` prefix (SPEC §7).

Dates go through :func:`format_instant` / :func:`format_day`: English from fixed tables (never
the machine's locale), French from Babel's CLDR data, imported only when French is chosen, so
that ``now`` in English pays nothing for it.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

DOMAIN = "astreinte"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def _(message: str) -> str:
    """``message`` (an English source string) in the active language."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog without translating it: for a constant defined at
    import, before the language is chosen; translate it with ``_(CONSTANT)`` where it is used."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the active language."""
    return _translation.ngettext(singular, plural, count)


def set_language(language: str) -> None:
    """Make ``language`` ('en' or 'fr') the one every later message is written in."""
    global _translation, _language  # noqa: PLW0603 - one language per process, chosen once
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    if language == DEFAULT_LANGUAGE:
        _translation = gettext.NullTranslations()
    else:
        # fallback: an installation without the catalog speaks English rather than crash
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language


def get_language() -> str:
    return _language


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language POSIX would pick for messages: the first set of ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``; ``fr_FR.UTF-8``, ``fr`` or ``fr_BE@euro`` give French, anything
    else (``C``, ``POSIX``, ``en_US.UTF-8``, unset) English."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


# --------------------------------------------------------------------------- dates

InstantStyle = Literal["day-time", "day-time-year"]
DayStyle = Literal["day", "day-month", "weekday-day", "date"]

# English names do not depend on the machine's locale: strftime's %a/%b would.
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# CLDR patterns for French: "lundi 28 décembre, 09:00".
_PATTERNS_FR = {
    "day-time": "EEEE d MMMM, HH:mm",
    "day-time-year": "EEEE d MMMM y, HH:mm",
    "day": "EEEE d MMMM y",
    "day-month": "EEEE d MMMM",
    "weekday-day": "EEEEEE d",
    "date": "d MMMM y",
}


def format_instant(
    instant: dt.datetime,
    zone: ZoneInfo,
    style: InstantStyle = "day-time",
    *,
    pad_day: bool = True,
) -> str:
    """``instant`` as read in ``zone``: "Mon 28 Dec 09:00" in English, "lundi 28 décembre,
    09:00" in French; ``day-time-year`` adds the year. ``pad_day=False`` writes "Mon 7 Dec"
    rather than "Mon 07 Dec" in English (French never pads)."""
    local = instant.astimezone(zone)
    if _language == "fr":
        return _babel_format(local.replace(tzinfo=None), style)
    day = f"{local.day:02d}" if pad_day else str(local.day)
    text = f"{_DAYS_EN[local.weekday()]} {day} {_MONTHS_EN[local.month - 1]}"
    if style == "day-time-year":
        text += f" {local.year}"
    return f"{text} {local.hour:02d}:{local.minute:02d}"


def format_day(day: dt.date, style: DayStyle = "day") -> str:
    """A calendar day: ``day`` "Thu 24 Dec 2026" / "jeudi 24 décembre 2026", ``day-month``
    without the year, ``weekday-day`` "Thu 24" / "je 24", ``date`` "24 Dec 2026" /
    "24 décembre 2026"."""
    if _language == "fr":
        return _babel_format(dt.datetime.combine(day, dt.time()), style)
    weekday, month = _DAYS_EN[day.weekday()], _MONTHS_EN[day.month - 1]
    if style == "weekday-day":
        return f"{weekday} {day.day:02d}"
    if style == "date":
        return f"{day.day:02d} {month} {day.year}"
    if style == "day-month":
        return f"{weekday} {day.day:02d} {month}"
    return f"{weekday} {day.day:02d} {month} {day.year}"


def _babel_format(local: dt.datetime, style: str) -> str:
    from babel.dates import format_datetime

    return str(format_datetime(local, _PATTERNS_FR[style], locale=_language))


def territory_name(code: str) -> str:
    """A country's name from its ISO 3166 code in the active language: "United States",
    "États-Unis"; the code itself when CLDR does not know it."""
    from babel import Locale

    return str(Locale.parse(_language).territories.get(code.upper(), code))
