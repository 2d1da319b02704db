"""Public holidays of a French team, 2026 and 2027, written out from the law rather than from
the ``holidays`` package: the eleven of Code du travail L3133-1 everywhere; Good Friday and 26
December in Moselle and Alsace (L3134-13); the abolition of slavery overseas (L3422-2). The
package's local customs (Mi-Carême, Good Friday, 21 July) only with ``local_customs: true``.

Easter Sunday is 5 April 2026 and 28 March 2027, so Good Friday is 3 April 2026 and 26 March
2027, Easter Monday 6 April 2026 and 29 March 2027, Ascension (Easter + 39 days) 14 May 2026
and 6 May 2027, Whit Monday (Easter + 50 days) 25 May 2026 and 17 May 2027.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from astreinte_cli.diagnostics import RosterError
from astreinte_cli.holiday_calendar import holidays_in
from astreinte_cli.load import load_roster
from astreinte_cli.model import HolidayCalendar

EASTER = {2026: dt.date(2026, 4, 5), 2027: dt.date(2027, 3, 28)}


def national(year: int) -> set[dt.date]:
    """L3133-1: 1 January, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July,
    15 August, 1 November, 11 November, 25 December."""
    easter = EASTER[year]
    day = dt.timedelta(days=1)
    return {
        dt.date(year, 1, 1), easter + day, dt.date(year, 5, 1), dt.date(year, 5, 8),
        easter + 39 * day, easter + 50 * day, dt.date(year, 7, 14), dt.date(year, 8, 15),
        dt.date(year, 11, 1), dt.date(year, 11, 11), dt.date(year, 12, 25),
    }  # fmt: skip


def alsace_moselle(year: int) -> set[dt.date]:
    """L3134-13: Good Friday and 26 December besides."""
    return national(year) | {EASTER[year] - dt.timedelta(days=2), dt.date(year, 12, 26)}


# L3422-2: the day each overseas department commemorates the abolition of slavery.
ABOLITION = {
    "971": (5, 27),  # Guadeloupe
    "972": (5, 22),  # Martinique
    "973": (6, 10),  # Guyane
    "974": (12, 20),  # La Réunion
    "976": (4, 27),  # Mayotte
}


def _days(subdiv: str | None, year: int, *, customs: bool = False) -> set[dt.date]:
    calendar = HolidayCalendar("FR", subdiv, (), (), customs)
    return set(holidays_in(calendar, range(year, year + 1)))


@pytest.mark.parametrize("year", [2026, 2027])
def test_metropolitan_france(year: int) -> None:
    assert _days(None, year) == national(year)
    assert len(national(year)) == 11


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize("subdiv", ["57", "6AE"])
def test_alsace_moselle(year: int, subdiv: str) -> None:
    assert _days(subdiv, year) == alsace_moselle(year)


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize("subdiv", sorted(ABOLITION))
def test_each_overseas_department_has_the_legal_holidays_only(year: int, subdiv: str) -> None:
    """No Mi-Carême, Good Friday or 21 July by default: the package lists them for
    Guadeloupe (all three) and Martinique (21 July), but no law makes them holidays."""
    month, day = ABOLITION[subdiv]
    assert _days(subdiv, year) == national(year) | {dt.date(year, month, day)}


@pytest.mark.parametrize(
    ("subdiv", "customs"),
    [
        # Mi-Carême (Thursday of the 3rd week of Lent), Good Friday, Fête Victor Schœlcher
        ("971", {"2026-03-12", "2026-04-03", "2026-07-21", "2027-03-04", "2027-03-26",
                 "2027-07-21"}),
        ("972", {"2026-07-21", "2027-07-21"}),
        ("973", set()),
        ("974", set()),
        ("976", set()),
    ],
)  # fmt: skip
def test_local_customs_are_opt_in(subdiv: str, customs: set[str]) -> None:
    added = set()
    for year in (2026, 2027):
        added |= _days(subdiv, year, customs=True) - _days(subdiv, year)
    assert {d.isoformat() for d in added} == customs


def test_saint_martin_and_saint_barthelemy() -> None:
    """L3422-2 covers Saint-Barthélemy (9 October) and Saint-Martin (28 May, the day of
    abolition there, applied since 2018; the code's list said 27 May)."""
    assert _days("BL", 2026) == national(2026) | {dt.date(2026, 10, 9)}
    assert _days("MF", 2026) == national(2026) | {dt.date(2026, 5, 28)}


def test_local_customs_key_in_a_roster(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(
        "people:\n  ana: {name: Ana}\nteam: pap\ntimezone: America/Guadeloupe\n"
        "holidays: {country: FR, subdiv: '971', local_customs: true}\n"
        "levels:\n  - rotations:\n      - members: [ana]\n",
        encoding="utf-8",
    )
    calendar = load_roster(path).teams[0].holidays
    assert calendar is not None
    assert calendar.local_customs
    assert dt.date(2026, 7, 21) in holidays_in(calendar, range(2026, 2027))
    path.write_text(path.read_text().replace("local_customs: true", "local_customs: maybe"))
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    assert "local_customs" in caught.value.diagnostics[0].message
