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
        (
            "roster.yaml:2:31: error: '06 12' n’est pas un numéro de téléphone valide pour la "
            "région FR",
        ),
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


# --------------------------------------------------------------------------- global options

AT = ("--at", "2026-12-28 09:00")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["now", "--lang", "fr"], ["--lang", "fr", "now"]),
        (["now", "--json", "--lang=fr"], ["--lang=fr", "now", "--json"]),
        (["--rosters", "x", "check", "--lang", "fr"], ["--lang", "fr", "check", "--rosters", "x"]),
        (["--rosters=x", "export", "ics", "-o", "-"], ["export", "ics", "--rosters=x", "-o", "-"]),
        (  # the value of another option is never taken for --lang
            ["swap", "a", "b", "--reason", "--lang", "--lang", "en"],
            ["--lang", "en", "swap", "a", "b", "--reason", "--lang"],
        ),
        (["--lang", "fr", "now", "--rosters", "x"], ["--lang", "fr", "now", "--rosters", "x"]),
        (["now", "--", "--lang", "fr"], ["now", "--", "--lang", "fr"]),
        (["--help"], ["--help"]),
        (["nope", "--lang", "fr"], ["nope", "--lang", "fr"]),  # Click says what is wrong
        (["now", "--lang"], ["now", "--lang"]),  # no value: left to Click
    ],
)
def test_global_options_on_either_side_of_the_command(args: list[str], expected: list[str]) -> None:
    import typer.main

    from astreinte_cli.cli.app import GlobalOptionsGroup, app

    group = typer.main.get_command(app)
    assert isinstance(group, GlobalOptionsGroup)
    assert group.reordered(group.context_class(group), args) == expected


def test_lang_after_the_command(cli: Cli, example_rosters: Path) -> None:
    """`astreinte now --lang fr` once said "No such option: --lang"."""
    before = cli("--lang", "fr", "now", "--rosters", str(example_rosters), *AT)
    after = cli("now", "--rosters", str(example_rosters), *AT, "--lang", "fr")
    assert after.code == 0, after.stderr
    assert "lundi 28 décembre 2026, 09:00" in after.stdout
    assert after.stdout == before.stdout
    rosters_first = cli("--rosters", str(example_rosters), "--lang", "fr", "now", *AT)
    assert rosters_first.stdout == before.stdout


def test_lang_after_the_command_in_a_real_process(example_rosters: Path) -> None:
    """As installed: a `now` with --lang is not the plain `now` answered without Typer."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "astreinte_cli", "now", "--rosters", str(example_rosters), *AT,
         "--lang", "fr"],
        capture_output=True, text=True, encoding="utf-8", check=False, timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "lundi 28 décembre 2026, 09:00" in done.stdout
