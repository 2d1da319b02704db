"""Public holidays of a team, from the ``holidays`` package, named in French.

For France, a team's calendar holds the legal holidays: the eleven of Code du travail L3133-1
everywhere; Good Friday and 26 December in Moselle and Alsace (L3134-13); the day commemorating
the abolition of slavery overseas (L3422-2). For some overseas departments the package also
lists local customs that no law makes a holiday (Mi-Carême, Good Friday, the Fête Victor
Schœlcher of 21 July): they are left out unless the team asks for them
(``holidays: {…, local_customs: true}``), as an agreement or a custom may grant them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from astreinte_cli.diagnostics import did_you_mean
from astreinte_cli.i18n import _
from astreinte_cli.model import HolidayCalendar

# The package refuses the departments of Alsace; their holidays are those of the Collectivité
# européenne d'Alsace (6AE).
_FR_ALIASES = {"67": "6AE", "68": "6AE"}
ADDED_NAME = "Jour férié (ajouté)"
# L3422-2: the abolition of slavery, a legal holiday in each of these (month, day). Saint-Martin:
# the code's list still read 27 May in 2019; the prefecture has applied 28 May, the day of
# abolition there, since 2018, as the package does (README, Public holidays).
ABOLITION = {
    "971": (5, 27), "972": (5, 22), "973": (6, 10), "974": (12, 20), "976": (4, 27),
    "BL": (10, 9), "MF": (5, 28),
}  # fmt: skip
ABOLITION_NAME = "Abolition de l'esclavage"


@dataclass(frozen=True, slots=True)
class Problem:
    about: Literal["country", "subdiv"]
    message: str
    hint: str | None


def canonical_subdiv(country: str, subdiv: str | None) -> str | None:
    if subdiv is None:
        return None
    if country.upper() == "FR":
        return _FR_ALIASES.get(subdiv, subdiv)
    return subdiv


# Calendars already found valid (country, subdivision as written), brought by the roster cache
# (load/cache.py, README "Caches"): a team file read again after an edit is checked without
# importing the ``holidays`` package when its calendar is one already seen.
known_calendars: set[tuple[str, str | None]] = set()


def validate(country: str, subdiv: str | None) -> Problem | None:
    if (country, subdiv) in known_calendars:
        return None
    problem = _validate(country, subdiv)
    if problem is None:
        known_calendars.add((country, subdiv))
    return problem


def _validate(country: str, subdiv: str | None) -> Problem | None:
    import holidays

    supported: dict[str, list[str]] = holidays.list_supported_countries()
    code = country.upper()
    if code not in supported:
        return Problem(
            "country",
            _("unknown holiday country '{country}'").format(country=country),
            # Two-letter codes only: the package also takes ISO alpha-3 ('FRA'), which the SPEC
            # does not promise and which would be an odd suggestion.
            did_you_mean(code, (c for c in supported if len(c) == 2))
            or _("use a two-letter country code such as FR, BE, CH, or 'none'"),
        )
    wanted = canonical_subdiv(code, subdiv)
    if wanted is None:
        return None
    try:
        holidays.country_holidays(code, subdiv=wanted)
    except (NotImplementedError, ValueError, KeyError):
        subdivisions = supported[code]
        return Problem(
            "subdiv",
            _("unknown subdivision '{subdiv}' for holiday country {country}").format(
                subdiv=subdiv, country=code
            ),
            did_you_mean(wanted, subdivisions)
            or _("known: {subdivisions}").format(subdivisions=", ".join(subdivisions)),
        )
    return None


def holidays_in(calendar: HolidayCalendar, years: range) -> dict[dt.date, str]:
    """The public holidays of ``calendar`` in ``years``: date → French name."""
    found: dict[dt.date, str] = {}
    for year in years:
        found.update(public_holidays(calendar.country, calendar.subdiv, year))
        if calendar.local_customs:
            found.update(local_customs(calendar.country, calendar.subdiv, year))
    for day in calendar.add:
        if day.year in years:
            found.setdefault(day, ADDED_NAME)
    for day in calendar.remove:
        found.pop(day, None)
    return dict(sorted(found.items()))


# (country, subdiv, year) → holidays (README, "Caches"): filled as years are asked for, or from
# the roster cache (load/cache.py), which spares `now` the import of the ``holidays`` package.
_known: dict[tuple[str, str | None, int], dict[dt.date, str]] = {}


def remember(known: dict[tuple[str, str | None, int], dict[dt.date, str]]) -> None:
    _known.update(known)


def known_years() -> dict[tuple[str, str | None, int], dict[dt.date, str]]:
    """Every year of holidays computed or remembered so far (for the roster cache)."""
    return _known


def public_holidays(country: str, subdiv: str | None, year: int) -> dict[dt.date, str]:
    """The legal holidays of one year, named in French (without ``add`` / ``remove``): the
    package's list, less the local customs it lists for some French overseas subdivisions."""
    key = (country, subdiv, year)
    if key not in _known:
        listed = _package(country, subdiv, year)
        if country == "FR" and subdiv in ABOLITION:
            legal = _package(country, None, year)
            month, day = ABOLITION[subdiv]
            abolition = dt.date(year, month, day)
            legal[abolition] = listed.get(abolition, ABOLITION_NAME)
            listed = legal
        _known[key] = listed
    return _known[key]


# (country, subdiv, year) → the package's days that are not legal holidays there (README,
# "Caches"): asked for only by teams with local_customs: true.
_customs: dict[tuple[str, str | None, int], dict[dt.date, str]] = {}


def local_customs(country: str, subdiv: str | None, year: int) -> dict[dt.date, str]:
    """The days the package lists for a subdivision that are not legal holidays there."""
    key = (country, subdiv, year)
    if key not in _customs:
        legal = public_holidays(country, subdiv, year)
        listed = _package(country, subdiv, year)
        _customs[key] = {day: name for day, name in listed.items() if day not in legal}
    return _customs[key]


def _package(country: str, subdiv: str | None, year: int) -> dict[dt.date, str]:
    import holidays

    # language="fr": left unset, the package follows LANG and names French holidays in
    # English.
    calendar = holidays.country_holidays(country, subdiv=subdiv, years=year, language="fr")
    return dict(calendar.items())
