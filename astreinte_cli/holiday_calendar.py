"""Public holidays of a team, from the ``holidays`` package, named in French."""

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


def validate(country: str, subdiv: str | None) -> Problem | None:
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
    for day in calendar.add:
        if day.year in years:
            found.setdefault(day, ADDED_NAME)
    for day in calendar.remove:
        found.pop(day, None)
    return found


# (country, subdiv, year) → holidays (README, "Caches"): filled as years are asked for, or from
# the roster cache (load/cache.py), which spares `now` the import of the ``holidays`` package.
_known: dict[tuple[str, str | None, int], dict[dt.date, str]] = {}


def remember(known: dict[tuple[str, str | None, int], dict[dt.date, str]]) -> None:
    _known.update(known)


def public_holidays(country: str, subdiv: str | None, year: int) -> dict[dt.date, str]:
    """The package's holidays of one year, named in French (without ``add`` / ``remove``)."""
    key = (country, subdiv, year)
    if key not in _known:
        import holidays

        # language="fr": left unset, the package follows LANG and names French holidays in
        # English.
        calendar = holidays.country_holidays(country, subdiv=subdiv, years=year, language="fr")
        _known[key] = dict(calendar.items())
    return _known[key]
