"""Messages a new user meets in the first hour, word for word in English and in French.

Each case is a roster (one file), a command, and the lines it must print in each language:
whole lines, compared exactly (stdout and stderr together, as a terminal shows them). The
machine prefixes (``PATH:LINE:COL: error:``, ``hint:``) stay English in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli

NBSP = "\u00a0"

ALICE = "people:\n  alice: {name: Alice}\n"
TEAM = "team: lyon\ntimezone: Europe/Paris\nholidays: FR\n"
LEVELS = "levels:\n  - rotations:\n      - members: [alice]\n"


@dataclass(frozen=True)
class Case:
    roster: str
    args: tuple[str, ...]
    english: tuple[str, ...]
    french: tuple[str, ...]
    absent: tuple[str, ...] = ()  # in neither language


CASES = {
    # business_hours that does not read: its own error, and no knock-on one on the coverage
    "business hours": Case(
        ALICE
        + TEAM
        + "business_hours:\n  mon-fri: 8h30-18h\ncoverage: outside business hours\n"
        + LEVELS,
        ("check",),
        (
            "roster.yaml:7:12: error: time range of 'mon-fri': '8h30' is not a time of day",
            "hint: write HH:MM, e.g. 09:00",
            "1 error: the roster was not used",
        ),
        (
            f"roster.yaml:7:12: error: plage horaire de 'mon-fri'{NBSP}: '8h30' n’est pas une "
            "heure de la journée",
            "hint: écrivez HH:MM, par exemple 09:00",
            f"1 erreur{NBSP}: le planning n’a pas été utilisé",
        ),
        absent=("business_hours'",),
    ),
    # a number with its own country code is judged in that country, which is named
    "phone with a country code": Case(
        'people:\n  alice: {name: Alice, phone: "+1 555 0100"}\n',
        ("check",),
        (
            "roster.yaml:2:31: error: '+1 555 0100' is not a valid phone number for country "
            "code +1 (United States)",
            "hint: check the digits: a number there is written like '+1 201-555-0123'",
        ),
        (
            "roster.yaml:2:31: error: '+1 555 0100' n’est pas un numéro de téléphone valide "
            "pour l’indicatif +1 (États-Unis)",
            f"hint: vérifiez les chiffres{NBSP}: un numéro de ce pays s’écrit par exemple "
            "'+1 201-555-0123'",
        ),
        absent=("region FR", "région FR"),
    ),
    "phone with an unknown country code": Case(
        'people:\n  alice: {name: Alice, phone: "+999 12 34"}\n',
        ("check",),
        (
            "roster.yaml:2:31: error: '+999 12 34' is not a valid phone number: its country "
            "code is unknown",
            "hint: write + and the country code, then the number, e.g. '+33 6 12 34 56 78'",
        ),
        (
            "roster.yaml:2:31: error: '+999 12 34' n’est pas un numéro de téléphone "
            f"valide{NBSP}: son indicatif de pays est inconnu",
            "hint: écrivez + et l’indicatif du pays, puis le numéro, par exemple "
            "'+33 6 12 34 56 78'",
        ),
    ),
    "phone in national form": Case(
        'people:\n  alice: {name: Alice, phone: "06 12"}\n',
        ("check",),
        ("roster.yaml:2:31: error: '06 12' is not a valid phone number for region FR",),
        ("roster.yaml:2:31: error: '06 12' n’est pas un numéro de téléphone valide pour la "
         "région FR",),  # fmt: skip
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("language", ["en", "fr"])
def test_message(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, language: str
) -> None:
    case = CASES[name]
    (tmp_path / "roster.yaml").write_text(case.roster, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = cli("--lang", language, *case.args, "--rosters", "roster.yaml")
    lines = (run.stdout + run.stderr).splitlines()
    for expected in case.english if language == "en" else case.french:
        assert expected in lines
    for text in case.absent:
        assert not any(text in line for line in lines)
