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
    # the daily-rest hint once read "faites commencer lucas à mercredi 9 décembre, 12:40
    # ce jour-là"
    "daily rest": Case(
        ALICE.replace("alice", "lucas")
        + TEAM
        + "business_hours: {mon-fri: 09:00-18:00}\nrules: {notice_days: off}\n"
        + LEVELS.replace("alice", "lucas")
        + "interventions:\n"
        "  - {person: lucas, team: lyon, from: 2026-12-09 01:00, to: 2026-12-09 01:40}\n",
        ("check", "--at", "2026-12-01"),
        (
            "hint: let lucas start at Wed 9 Dec 12:40 (11 consecutive hours of rest from the end "
            "of the call-out, Code du travail L3131-1)",
        ),
        (
            "hint: ne faites reprendre le travail à lucas qu’à partir du mercredi 9 décembre, "
            "12:40 (11 heures de repos consécutives depuis la fin de l’intervention, Code du "
            "travail L3131-1)",
        ),
    ),
    # French puts a no-break space before a colon, also where a message is joined to a subject
    "colon in the summary": Case(
        ALICE + TEAM + "rules: {notice_days: off}\n" + LEVELS,
        ("check", "--at", "2026-12-01"),
        ("  lyon: 1 level, 1 rotation, 1 person on call, 0 overrides (Europe/Paris)",),
        (
            f"  lyon{NBSP}: 1 niveau, 1 rotation, 1 personne d’astreinte, 0 dérogation "
            "(Europe/Paris)",
        ),
    ),
    "colon after a value's name": Case(
        ALICE + TEAM + LEVELS.replace("members: [alice]", "members: [alice]\n        every: 1mo"),
        ("check",),
        ("roster.yaml:9:16: error: every: '1mo' is not a duration",),
        (f"roster.yaml:9:16: error: every{NBSP}: '1mo' n’est pas une durée",),
    ),
    # a later override that takes over part of an earlier one (check, overlapping-overrides)
    "overlapping overrides": Case(
        (Path(__file__).parent / "data" / "check" / "overlap.yaml").read_text(encoding="utf-8"),
        ("check", "--at", "2027-01-04 09:00", "--to", "2027-01-25 09:00"),
        (
            "roster.yaml:29:5: warning: override 2 overlaps override 1 at level 1 of overlap and "
            "wins there, from Thu 7 Jan 09:00 to Fri 8 Jan 09:00: override 1 is only partly in "
            "force",
            "hint: overrides apply in file order, the later one winning; if that is not what you "
            "mean, shorten one of the two periods",
            "hint: override 6, later in the file, wins over all of it; remove it if it is no "
            "longer needed",
        ),
        (
            "roster.yaml:29:5: warning: la dérogation 2 chevauche la dérogation 1 au niveau 1 de "
            "l’équipe overlap et l’emporte, du jeudi 7 janvier, 09:00 au vendredi 8 janvier, "
            f"09:00{NBSP}: la dérogation 1 ne s’applique qu’en partie",
            "hint: les dérogations s’appliquent dans l’ordre du fichier, la dernière "
            f"l’emportant{NBSP}; si ce n’est pas voulu, raccourcissez l’une des deux périodes",
            "hint: la dérogation 6, plus loin dans le fichier, l’emporte sur toute sa "
            f"période{NBSP}; supprimez-la si elle n’est plus utile",
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


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("weekday", "night, Sunday", "night, public holiday", "Services (invoice view")),
        ("fr", ("en semaine", "nuit, dimanche", "nuit, jour férié", "Prestataires (vue")),
    ],
)
def test_report_headings_and_categories_speak_the_language(
    cli: Cli, example_rosters: Path, language: str, expected: tuple[str, ...]
) -> None:
    """The report once headed French columns "semaine" (next to "semaines entières") and gave
    an intervention's categories as codes: "night sunday"."""
    month = ("--month", "2026-12", "--rosters", str(example_rosters), "--lang", language)
    table = cli("report", *month, env={"COLUMNS": "200"}).stdout
    billing = cli("report", *month, "--billing").stdout
    markdown = cli("report", *month, "--format", "markdown").stdout
    weekday, night_sunday, night_holiday, services = expected
    assert f"  {weekday}  " in table.splitlines()[2]  # the column headings
    assert f"  {night_sunday}  " in billing
    assert f"  {night_holiday}  " in billing
    assert services in table
    assert f"| {weekday} |" in markdown
    assert f"| {night_sunday} |" in markdown
    assert "night sunday" not in billing + markdown  # codes stay in CSV and JSON
    csv = cli("report", *month, "--billing", "--format", "csv").stdout
    assert ",night sunday," in csv


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "webcal:// opens Apple Calendar directly"),
        ("fr", "webcal:// ouvre directement l’app Calendrier d’Apple"),
    ],
)
def test_the_published_page_names_apple_s_calendar(
    cli: Cli, example_rosters: Path, tmp_path: Path, language: str, expected: str
) -> None:
    """It once said "Apple Calendrier"."""
    run = cli("--lang", language, "publish", str(tmp_path / "site"), "--rosters",
              str(example_rosters), "--no-person-feeds", "--at", "2026-12-24")  # fmt: skip
    assert run.code == 0, run.stderr
    # The page's words are in its data, which its script shows (tests/test_page.py).
    assert expected in (tmp_path / "site" / "data" / "publication.js").read_text(encoding="utf-8")


def test_diff_team_heading_in_french(cli: Cli, tmp_path: Path) -> None:
    """A team's heading above its changes ends with a colon: a no-break space before it."""
    from astreinte_cli.i18n import set_language
    from astreinte_cli.load import load_roster
    from astreinte_cli.render.changes import team_heading

    (tmp_path / "roster.yaml").write_text(ALICE + TEAM + LEVELS, encoding="utf-8")
    team = load_roster(tmp_path / "roster.yaml").teams[0]
    assert team_heading(team) == "lyon (lyon), Europe/Paris:"
    set_language("fr")
    assert team_heading(team) == f"lyon (lyon), Europe/Paris{NBSP}:"
    assert team_heading(team, " (nouvelle équipe)") == (
        f"lyon (lyon) (nouvelle équipe), Europe/Paris{NBSP}:"
    )
