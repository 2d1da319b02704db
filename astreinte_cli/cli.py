"""The command line: parse options, call the core, render. The only module that reads the clock,
prints, or chooses an exit code."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from astreinte_cli.completion import complete_team
from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
from astreinte_cli.model import Roster, Team
from astreinte_cli.times import TimeSyntaxError

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_GAP = 3
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in astreinte, not in the roster or the command line

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


class UsageError(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _fail_usage(message: str, hint: str | None = None) -> NoReturn:
    raise UsageError(message, hint)


@contextmanager
def _boundary() -> Iterator[None]:
    """Turns the core's errors into messages and exit codes, in one place."""
    try:
        yield
    except RosterError as exc:
        sources = SourceLines()
        for diagnostic in exc.diagnostics:
            typer.echo(format_diagnostic(diagnostic, sources), err=True)
        count = sum(1 for d in exc.diagnostics if d.severity == "error")
        typer.echo(f"{count} error{'s' if count != 1 else ''}: the roster was not used", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    except UsageError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        # Whoever runs `now` at 2 a.m. needs one readable line, not a traceback; a developer
        # gets the traceback with ASTREINTE_DEBUG=1.
        if os.environ.get("ASTREINTE_DEBUG"):
            raise
        typer.echo(
            f"astreinte: internal error ({type(exc).__name__}: {exc}); this is a bug in "
            "astreinte, not in your roster: please report it with the output of "
            "ASTREINTE_DEBUG=1",
            err=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _load(rosters: Path) -> Roster:
    from astreinte_cli.load import load_roster

    return load_roster(rosters)


def _select(roster: Roster, teams: list[str] | None) -> list[Team]:
    if not teams:
        return list(roster.teams)
    known = {t.id for t in roster.teams}
    for wanted in teams:
        if wanted not in known:
            from astreinte_cli.diagnostics import did_you_mean

            _fail_usage(f"no team '{wanted}' in the roster", did_you_mean(wanted, known))
    return [t for t in roster.teams if t.id in teams]


def _zone(tz: str | None, teams: list[Team]) -> ZoneInfo:
    if tz is None:
        return teams[0].zone if teams else ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        from zoneinfo import available_timezones

        from astreinte_cli.diagnostics import did_you_mean

        hint = did_you_mean(tz, available_timezones()) or "use an IANA name such as Europe/Paris"
        _fail_usage(f"unknown timezone '{tz}'", hint)


def _when(text: str, zone: ZoneInfo, option: str) -> dt.datetime:
    from astreinte_cli.when import parse_when

    try:
        return parse_when(text, zone, dt.datetime.now(dt.UTC))
    except TimeSyntaxError as exc:
        _fail_usage(f"{option}: {exc.message}", exc.hint)


def _print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


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
    from astreinte_cli.query import team_now

    with _boundary():
        roster = _load(rosters)
        teams = _select(roster, team)
        zone = _zone(tz, teams)
        instant = _when(at, zone, "--at")
        states = [(t, team_now(roster, t, instant)) for t in teams]
        if as_json:
            from astreinte_cli.export.documents import now_document

            _print_json(now_document(roster, instant, zone, states))
        else:
            from astreinte_cli.render.terminal import render_now

            _console().print(render_now(roster, instant, states))
    if any(state.is_gap for _, levels in states for state in levels):
        raise typer.Exit(EXIT_GAP)


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

    with _boundary():
        roster = _load(rosters)
        teams = _select(roster, team)
        zone = _zone(tz, teams)
        first = _when(start or "today", zone, "--from")
        if end is None:
            from astreinte_cli.times import local_reading, place

            last = place(local_reading(first, zone) + dt.timedelta(days=14), zone)
        else:
            last = _when(end, zone, "--to")
        if last <= first:
            _fail_usage("--to must be after --from")
        if person is not None and person not in roster.people:
            from astreinte_cli.diagnostics import did_you_mean

            _fail_usage(f"no person '{person}' in the roster", did_you_mean(person, roster.people))
        timelines = [compile_team(roster, t, first, last) for t in teams]
        if as_json:
            from astreinte_cli.export.documents import show_document

            _print_json(show_document(timelines, first, last, zone, person))
            return
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


def main() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app()


if __name__ == "__main__":
    main()
