"""The command line: parse options, call the core, render. With ``run.py`` (the helpers every
command shares, and `now`, which ``entry.py`` runs without this module when its options are
plain) and ``commands/``, the only modules that read the clock, print, or choose an exit code."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from astreinte_cli import run
from astreinte_cli.completion import complete_team
from astreinte_cli.entry import main
from astreinte_cli.i18n import _, language_from_env, set_language
from astreinte_cli.run import (
    EXIT_INVALID,
    _boundary,
    _check_person,
    _console,
    _fail_usage,
    _json_text,
    _load,
    _machine_readable,
    _print_json,
    _scope,
    _select,
    _when,
    _zone,
)

# What other modules take from here: the app and its options; the helpers of run.py, which
# commands/ use as ``cli._boundary``…; ``main``, which the script of an older install calls.
__all__ = [
    "EXIT_INVALID",
    "JsonOption",
    "RostersOption",
    "TeamOption",
    "TzOption",
    "_boundary",
    "_check_person",
    "_console",
    "_fail_usage",
    "_json_text",
    "_load",
    "_machine_readable",
    "_print_json",
    "_scope",
    "_select",
    "_when",
    "_zone",
    "app",
    "main",
]

app = typer.Typer(
    name="astreinte",
    help="On-call duty (astreinte) rosters in YAML: who to call now, timelines and checks.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

RostersOption = Annotated[
    Path,
    typer.Option(
        "--rosters",
        envvar="ASTREINTE_ROSTERS",
        help="Roster folder or file (default ./rosters, or $ASTREINTE_ROSTERS).",
        show_default=False,
    ),
]
TeamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--team",
        help="Only this team (repeatable).",
        show_default=False,
        autocompletion=complete_team,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz", help="Zone for WHEN without offset, and for top-level times.", show_default=False
    ),
]


class Language(enum.StrEnum):
    en = "en"
    fr = "fr"


@app.callback()
def _options(
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang",
            help="Language of tables and messages (default: from LC_ALL, LC_MESSAGES or LANG).",
            show_default=False,
        ),
    ] = None,
) -> None:
    # Before any command runs: the loader already writes its messages in this language.
    set_language(lang.value if lang is not None else language_from_env())


# --------------------------------------------------------------------------- commands


@app.command()
def now(
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    at: Annotated[
        str, typer.Option("--at", help="WHEN: ISO 8601, a date, 'now', '+2h', 'tomorrow 08:00'.")
    ] = "now",
    tz: TzOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who is on call at each level now (or --at WHEN), with phone, until when, and who is next.

    Exit code 3 when a level is inside its coverage with nobody on call."""
    run.now(rosters, team, at, tz, as_json)


@app.command()
def show(
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    start: Annotated[
        str | None, typer.Option("--from", help="WHEN (default: today 00:00).", show_default=False)
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="WHEN (default: 14 days after --from).", show_default=False),
    ] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Only this person's shifts.", show_default=False)
    ] = None,
    grid: Annotated[
        bool, typer.Option("--grid", help="A week grid: one row per day, one colour per person.")
    ] = False,
    tz: TzOption = None,
    as_json: JsonOption = False,
) -> None:
    """The shifts and gaps over a range, day by day (default: today and the next 14 days)."""
    from astreinte_cli.compile import compile_team

    if as_json:
        _machine_readable()
    with _boundary():
        roster, teams, zone = _scope(rosters, team, tz)
        first = _when(start or "today", zone, "--from")
        if end is None:
            from astreinte_cli.times import local_reading, place

            last = place(local_reading(first, zone) + dt.timedelta(days=14), zone)
        else:
            last = _when(end, zone, "--to")
        if last <= first:
            _fail_usage(_("--to must be after --from"))
        _check_person(roster, person)
        if as_json:
            from astreinte_cli import parallel
            from astreinte_cli.export import documents

            # Team by team, each written as soon as compiled, by one process or several:
            # memory holds one timeline in each.
            documents.write_show_json(
                sys.stdout, teams, lambda t: compile_team(roster, t, first, last),
                first, last, zone, person, share=parallel.worth_it(teams, first, last),
            )  # fmt: skip
            return
        timelines = [compile_team(roster, t, first, last) for t in teams]
        from astreinte_cli.render import terminal

        if grid:
            _console().print(terminal.render_grid(roster, timelines, first, last))
        else:
            _console().print(terminal.render_show(roster, timelines, first, last, person))


from astreinte_cli.commands import export as _export_commands  # noqa: E402 - needs the app above

_export_commands.register(app)
from astreinte_cli.commands import check as _check_commands  # noqa: E402 - as above

_check_commands.register(app)
from astreinte_cli.commands import authoring as _authoring_commands  # noqa: E402 - as above

_authoring_commands.register(app)

from astreinte_cli.commands import report as _report_commands  # noqa: E402 - as above

_report_commands.register(app)


if __name__ == "__main__":
    main()
