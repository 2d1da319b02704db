"""The command line: parse options, call the core, render. The only module that reads the clock,
prints, or chooses an exit code."""

from __future__ import annotations

import datetime as dt
import enum
import gc
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from astreinte_cli.completion import complete_team
from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
from astreinte_cli.i18n import _, get_language, language_from_env, ngettext, set_language
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
        summary = ngettext(
            "{count} error: the roster was not used",
            "{count} errors: the roster was not used",
            count,
        )
        typer.echo(summary.format(count=count), err=True)
        raise typer.Exit(EXIT_INVALID) from None
    except UsageError as exc:
        # "error:" and "hint:" stay English: scripts and editors parse them (SPEC §7).
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
        message = _(
            "astreinte: internal error ({error}); this is a bug in astreinte, not in your "
            "roster: please report it with the output of ASTREINTE_DEBUG=1"
        )
        typer.echo(message.format(error=f"{type(exc).__name__}: {exc}"), err=True)
        raise typer.Exit(EXIT_INTERNAL) from None


def _load(rosters: Path) -> Roster:
    from astreinte_cli.load.cache import load_roster_cached

    return load_roster_cached(rosters, get_language(), dt.datetime.now(dt.UTC).date())


def _select(roster: Roster, teams: list[str] | None) -> list[Team]:
    if not teams:
        return list(roster.teams)
    known = {t.id for t in roster.teams}
    for wanted in teams:
        if wanted not in known:
            from astreinte_cli.diagnostics import did_you_mean

            _fail_usage(
                _("no team '{team}' in the roster").format(team=wanted),
                did_you_mean(wanted, known),
            )
    return [t for t in roster.teams if t.id in teams]


def _check_person(roster: Roster, person: str | None) -> None:
    if person is not None and person not in roster.people:
        from astreinte_cli.diagnostics import did_you_mean

        _fail_usage(
            _("no person '{person}' in the roster").format(person=person),
            did_you_mean(person, roster.people),
        )


def _zone(tz: str | None, teams: list[Team]) -> ZoneInfo:
    if tz is None:
        return teams[0].zone if teams else ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        from zoneinfo import available_timezones

        from astreinte_cli.diagnostics import did_you_mean

        hint = did_you_mean(tz, available_timezones()) or _("use an IANA name such as Europe/Paris")
        _fail_usage(_("unknown timezone '{zone}'").format(zone=tz), hint)


def _when(text: str, zone: ZoneInfo, option: str, now: dt.datetime | None = None) -> dt.datetime:
    """WHEN, with `now`, `today`, `+2h`… relative to ``now`` (default: the clock)."""
    from astreinte_cli.when import parse_when

    try:
        return parse_when(text, zone, dt.datetime.now(dt.UTC) if now is None else now)
    except TimeSyntaxError as exc:
        _fail_usage(f"{option}: {exc.message}", exc.hint)


def _machine_readable() -> None:
    """JSON and CSV are read by programs: their text (check messages, diff summaries) is
    English whatever --lang says, so that the same run gives the same document everywhere."""
    set_language("en")


def _json_text(document: Any) -> str:
    """The JSON every command writes: UTF-8 as is, indented, ending with a newline."""
    import json  # here: the terminal view of `now` does not need it

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(_json_text(document))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


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
    from astreinte_cli.query import team_now

    if as_json:
        _machine_readable()
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
            from astreinte_cli.render import now as view

            lines = view.now_lines(roster, instant, states)
            # Plain text (not a terminal) is written without importing Rich: see render/now.py.
            plain = view.plain_text(lines, sys.stdout)
            if plain is None:
                _console().print(view.renderable(lines))
            else:
                sys.stdout.write(plain)
    if any(state.is_gap for _team, levels in states for state in levels):
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

    if as_json:
        _machine_readable()
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
            _fail_usage(_("--to must be after --from"))
        _check_person(roster, person)
        if as_json:
            from astreinte_cli import parallel
            from astreinte_cli.export import documents

            if not parallel.worth_it(teams, first, last):
                # Team by team, each written as soon as compiled: memory holds one timeline.
                compiled = (compile_team(roster, t, first, last) for t in teams)
                documents.write_show_json(sys.stdout, compiled, first, last, zone, person)
                return

            def part(chunk: Sequence[Team]) -> documents.ShowPart:
                compiled = (compile_team(roster, t, first, last) for t in chunk)
                return documents.show_part(compiled, person)

            parts = parallel.map_chunks(part, teams)
            documents.write_show_parts(sys.stdout, parts, first, last, zone)
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


def main() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    # A run is short, and over a year of a large organisation allocates millions of small
    # objects: at Python's default threshold (700) the cyclic collector kept rescanning them,
    # 10 % of `show` and 17 % of `export ics` for 200 teams. Cycles are still collected, rarely.
    # (mypy's command line does the same, with the same numbers.)
    gc.set_threshold(200_000, 30, 30)
    try:
        plain = _plain_now(sys.argv[1:])
        if plain is None:
            app()
            return
        set_language(language_from_env())  # what the app's callback does without --lang
        try:
            now(**plain)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
    finally:
        # Python's exit runs the cyclic collector over every object still alive: 0.3 s for a
        # roster with 50,000 leave entries. Frozen objects are left out of that last pass.
        gc.freeze()


_NOW_OPTIONS = {"--rosters": "rosters", "--team": "team", "--at": "at", "--tz": "tz"}


def _plain_now(argv: list[str]) -> dict[str, Any] | None:
    """The arguments of `now` when its command line is plain (``now``, then ``--json`` and
    ``--rosters/--team/--at/--tz VALUE`` or ``=VALUE``); None for anything else (help,
    completion, ``--lang``, a typo, a value that starts with '-'), which Typer parses.

    Why not always Typer: it builds a pydantic validator for every option at every call, which
    takes longer (about 70 ms) than `now` takes to answer, and `now` is what a switchboard or a
    phone system runs at every call. Both ways end in the same function, :func:`now`.
    """
    if not argv or argv[0] != "now" or "_ASTREINTE_COMPLETE" in os.environ:
        return None
    found: dict[str, Any] = {}
    teams: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word == "--json":
            found["as_json"] = True
            continue
        name, equals, value = word.partition("=")
        if name not in _NOW_OPTIONS:
            return None
        if not equals:
            value = next(words, "")
        if not value or value.startswith("-"):
            return None
        if name == "--team":
            teams.append(value)
        else:
            found[_NOW_OPTIONS[name]] = value
    rosters = found.get("rosters", os.environ.get("ASTREINTE_ROSTERS", "rosters"))
    if not rosters:
        return None
    return found | {"rosters": Path(rosters), "team": teams or None}


if __name__ == "__main__":
    main()
