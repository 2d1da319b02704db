"""French and English: every message has a French translation, the committed catalog is
compiled from the .po, ``--lang`` and the locale variables choose the language, dates read
naturally in French, and what programs read (JSON, the ``PATH:LINE:COL: error:`` prefix) does
not change with the language."""

from __future__ import annotations

import datetime as dt
import io
import string
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from astreinte_cli import i18n

if TYPE_CHECKING:
    from conftest import Cli, CliRun

PACKAGE = Path(i18n.__file__).parent
PO = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "astreinte.po"
MO = PO.with_suffix(".mo")
NBSP = "\u00a0"
PARIS = ZoneInfo("Europe/Paris")


def _read_po() -> Any:
    from babel.messages.pofile import read_po

    with PO.open("rb") as stream:
        return read_po(stream)


def _source_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every message wrapped in _(), N_() or ngettext() in the package → where it is."""
    from babel.messages.extract import extract_from_dir

    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")]
    ):
        found.setdefault(message, []).append(f"{filename}:{line}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --------------------------------------------------------------------------- catalog


def test_every_message_of_the_source_has_a_french_translation() -> None:
    catalog = _read_po()
    translations = {m.id: m.string for m in catalog if m.id}
    messages = _source_messages()
    assert len(messages) > 300  # the extractor did find the messages
    missing = [
        f"{where[0]}: {message!r}"
        for message, where in messages.items()
        if not translations.get(message)
        or (isinstance(translations[message], tuple) and not all(translations[message]))
    ]
    assert not missing, "messages without a French translation (see README, Translating):\n" + (
        "\n".join(missing)
    )


def test_translations_keep_the_placeholders_of_their_message() -> None:
    for message in _read_po():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_fields(i) for i in ids))
        for text in strings:
            assert _fields(text) == wanted, (message.id, text)


def test_french_typography() -> None:
    """A no-break space (never a plain one, never none) before : ; ? ! and %, outside roster
    syntax quoted in the message ('key: value', {…}, `…`, URLs); ’ for elisions; every
    message starts as its English source does (a capital, or not)."""
    import re

    problems = []
    for message in _read_po():
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            prose = re.sub(r"'[^']*'|\{[^}]*\}|`[^`]*`|<[^>]*>|\w+://", "", text)
            if re.search(r" [:;?!%]", prose) or re.search(r"[^\s\u00a0\u202f]([;?!]|: )", prose):
                problems.append(text)
            if re.search(r"\b[dlLnsjqcm]'\w", prose.replace("qu'", "q'")) or "qu'" in prose:
                problems.append(text)
    assert problems == []


def test_the_catalog_has_no_stale_message() -> None:
    """A message removed from the code goes from the .po too (``pybabel update`` marks it
    obsolete; delete the ``#~`` entries)."""
    catalog = _read_po()
    stale = {m.id for m in catalog if m.id} - set(_source_messages())
    assert not stale
    assert not catalog.obsolete


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    from babel.messages.mofile import read_mo, write_mo

    compiled = io.BytesIO()
    write_mo(compiled, _read_po())
    compiled.seek(0)
    with MO.open("rb") as stream:
        committed = read_mo(stream)
    fresh = read_mo(compiled)
    assert _entries(committed) == _entries(fresh)
    assert committed.plural_forms == fresh.plural_forms == "nplurals=2; plural=(n > 1);"


def _entries(catalog: Any) -> dict[Any, Any]:
    def key(value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_french_plurals_follow_the_french_rule() -> None:
    i18n.set_language("fr")
    assert i18n.ngettext("{count} error", "{count} errors", 0) == "{count} erreur"
    assert i18n.ngettext("{count} error", "{count} errors", 1) == "{count} erreur"
    assert i18n.ngettext("{count} error", "{count} errors", 2) == "{count} erreurs"
    i18n.set_language("en")
    assert i18n.ngettext("{count} error", "{count} errors", 0) == "{count} errors"


# --------------------------------------------------------------------------- language choice


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_BE@euro"}, "fr"),
        ({"LANG": "fr"}, "fr"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "C"}, "en"),
        ({"LANG": "C", "LC_MESSAGES": "fr_FR.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "", "LANG": "fr_FR.UTF-8"}, "fr"),  # empty means unset
    ],
)
def test_the_language_comes_from_lc_all_then_lc_messages_then_lang(
    environ: dict[str, str], language: str
) -> None:
    assert i18n.language_from_env(environ) == language


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.set_language("de")


# --------------------------------------------------------------------------- dates


def test_dates_read_naturally_in_french_and_stay_fixed_in_english() -> None:
    monday = dt.datetime(2026, 12, 28, 8, tzinfo=dt.UTC)  # 09:00 in Paris
    assert i18n.format_instant(monday, PARIS) == "Mon 28 Dec 09:00"
    assert i18n.format_instant(monday, PARIS, "day-time-year") == "Mon 28 Dec 2026 09:00"
    assert i18n.format_day(dt.date(2026, 12, 24)) == "Thu 24 Dec 2026"
    i18n.set_language("fr")
    assert i18n.format_instant(monday, PARIS) == "lundi 28 décembre, 09:00"
    assert i18n.format_instant(monday, PARIS, "day-time-year") == "lundi 28 décembre 2026, 09:00"
    assert i18n.format_day(dt.date(2026, 12, 24)) == "jeudi 24 décembre 2026"
    assert i18n.format_day(dt.date(2026, 12, 24), "weekday-day") == "je 24"
    assert i18n.format_day(dt.date(2026, 8, 1), "date") == "1 août 2026"


def test_english_dates_do_not_depend_on_the_machine_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_TIME", "fr_FR.UTF-8")  # never read: no setlocale, no %a/%b
    assert i18n.format_day(dt.date(2026, 12, 24), "day-month") == "Thu 24 Dec"


def test_english_pays_nothing_for_french() -> None:
    """Babel's date data is imported only when French is chosen."""
    code = (
        "import sys, datetime as dt, zoneinfo, astreinte_cli.cli.app; "
        "from astreinte_cli import i18n; "
        "i18n.format_instant(dt.datetime.now(dt.UTC), zoneinfo.ZoneInfo('UTC')); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the CLI

AT = ("--at", "2026-12-28 09:00")
SHOW = ("--from", "2026-12-24", "--to", "2026-12-26")
FRENCH = [("--lang", "fr"), {"LANG": "fr_FR.UTF-8"}, {"LC_ALL": "fr_FR.UTF-8", "LANG": "C"}]
ENGLISH = [("--lang", "en"), {"LANG": "C"}, {"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, {}]


def _run(cli: Cli, how: tuple[str, ...] | dict[str, str], *args: str) -> CliRun:
    if isinstance(how, tuple):
        return cli(*how, *args)
    return cli(*args, env=how)


@pytest.mark.parametrize("how", FRENCH)
def test_now_in_french(
    cli: Cli, example_rosters: Path, how: tuple[str, ...] | dict[str, str]
) -> None:
    run = _run(cli, how, "now", "--rosters", str(example_rosters), *AT)
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "lundi 28 décembre 2026, 09:00" in out
    assert "jusqu’au lundi 28 décembre, 20:00" in out
    assert f"Escalade{NBSP}:" in out
    assert "Niveau 1" in out
    assert "Escalation" not in out
    assert "until" not in out


@pytest.mark.parametrize("how", ENGLISH)
def test_now_in_english(
    cli: Cli, example_rosters: Path, how: tuple[str, ...] | dict[str, str]
) -> None:
    run = _run(cli, how, "now", "--rosters", str(example_rosters), *AT)
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "Mon 28 Dec 2026 09:00" in out
    assert "until Mon 28 Dec 20:00" in out
    assert "Escalation:" in out
    assert "décembre" not in out


@pytest.mark.parametrize("how", FRENCH)
def test_show_in_french(
    cli: Cli, example_rosters: Path, how: tuple[str, ...] | dict[str, str]
) -> None:
    run = _run(cli, how, "show", "--rosters", str(example_rosters), *SHOW)
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "jeudi 24 décembre 2026" in out
    assert f"vendredi 25 décembre 2026  férié{NBSP}: Noël" in out  # holiday names: French


@pytest.mark.parametrize("how", ENGLISH)
def test_show_in_english(
    cli: Cli, example_rosters: Path, how: tuple[str, ...] | dict[str, str]
) -> None:
    run = _run(cli, how, "show", "--rosters", str(example_rosters), *SHOW)
    assert run.code == 0, run.stderr
    assert "Thu 24 Dec 2026" in run.stdout
    assert "Fri 25 Dec 2026  férié: Noël" in run.stdout


@pytest.mark.parametrize("how", FRENCH)
def test_an_invalid_roster_in_french_keeps_the_machine_prefix(
    cli: Cli, cli_data: Path, how: tuple[str, ...] | dict[str, str]
) -> None:
    run = _run(cli, how, "check", "--rosters", str(cli_data / "invalid"))
    assert run.code == 1
    err = run.stderr
    assert "team.yaml:6:11: error: fuseau horaire inconnu 'Europe/Pariss'" in err
    assert f"hint: vouliez-vous dire 'Europe/Paris'{NBSP}?" in err
    assert "team.yaml:9:24: error: personne inconnue 'bbo' dans members" in err
    assert f"2 erreurs{NBSP}: le planning n’a pas été utilisé" in err
    assert "    6 | timezone: Europe/Pariss" in err


@pytest.mark.parametrize("how", ENGLISH)
def test_an_invalid_roster_in_english(
    cli: Cli, cli_data: Path, how: tuple[str, ...] | dict[str, str]
) -> None:
    run = _run(cli, how, "check", "--rosters", str(cli_data / "invalid"))
    assert run.code == 1
    err = run.stderr
    assert "team.yaml:6:11: error: unknown timezone 'Europe/Pariss'" in err
    assert "hint: did you mean 'Europe/Paris'?" in err
    assert "2 errors: the roster was not used" in err


def test_a_usage_error_in_french_keeps_exit_2(cli: Cli, example_rosters: Path) -> None:
    run = cli("--lang", "fr", "now", "--rosters", str(example_rosters), "--at", "demain")
    assert run.code == 2
    assert run.stderr.startswith(
        f"error: --at{NBSP}: 'demain' n’est pas un instant\nhint: utilisez"
    )


def test_an_unknown_language_is_a_usage_error(cli: Cli, example_rosters: Path) -> None:
    run = cli("--lang", "de", "now", "--rosters", str(example_rosters))
    assert run.code == 2
    assert "--lang" in run.stderr


def test_check_findings_in_french(cli: Cli, example_rosters: Path) -> None:
    run = cli("--lang", "fr", "check", "--rosters", str(example_rosters), "--at", "2026-12-20")
    assert f"ok{NBSP}: 4 fichiers, 2 équipes" in run.stdout
    assert f"vérification{NBSP}: 0 erreur" in run.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("now", *AT),
        ("show", *SHOW),
        ("check", "--at", "2026-12-20"),
        ("report", "--month", "2026-12", "--format", "json"),
    ],
    ids=lambda c: c[0],
)
def test_json_is_the_same_in_both_languages(
    cli: Cli, example_rosters: Path, command: tuple[str, ...]
) -> None:
    if command[0] == "report":
        args = (*command, "--rosters", str(example_rosters))
    else:
        args = (*command, "--rosters", str(example_rosters), "--json")
    english = cli("--lang", "en", *args)
    assert english.code in (0, 1), english.stderr
    assert cli("--lang", "fr", *args).stdout == english.stdout
    assert cli(*args, env={"LANG": "fr_FR.UTF-8"}).stdout == english.stdout


@pytest.mark.parametrize(
    ("args", "environ"),
    [(("--lang", "fr"), {}), ((), {"LANG": "fr_FR.UTF-8"}), (("--lang", "en"), {"LANG": "fr"})],
    ids=["--lang fr", "LANG=fr_FR.UTF-8", "--lang en wins"],
)
def test_the_language_in_a_real_process(
    example_rosters: Path, args: tuple[str, ...], environ: dict[str, str]
) -> None:
    """``astreinte`` as installed: ``main()``, not only the Typer app the other tests drive."""
    import os

    done = subprocess.run(
        [sys.executable, "-m", "astreinte_cli", *args, "now", "--rosters", str(example_rosters),
         *AT],
        capture_output=True, text=True, encoding="utf-8", check=False, timeout=60,
        env={**os.environ, "COLUMNS": "200", **environ},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    french = "lundi 28 décembre 2026, 09:00" in done.stdout
    assert french == (args != ("--lang", "en"))


def test_the_lang_option_offers_every_language() -> None:
    from astreinte_cli.cli.app import Language

    assert [language.value for language in Language] == list(i18n.LANGUAGES)
