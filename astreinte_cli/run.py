"""What every command does around the core, without Typer: load and select, read WHEN and zones,
turn the core's errors into messages and exit codes (in one place), write JSON; and `now`.

`now` is what a switchboard or a phone system runs at every call, and importing Typer takes
longer than answering: so `now`, and everything it uses, lives here, and ``entry.py`` runs it
without importing ``cli.py``. The Typer commands (``cli.py``, ``commands/``) use the same
functions. Errors end in :class:`SystemExit`, which Click lets through and
``typer.testing.CliRunner`` records like ``typer.Exit``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _, get_language, ngettext, set_language
from astreinte_cli.times import TimeSyntaxError

if TYPE_CHECKING:
    from astreinte_cli.model import Roster, Team

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_GAP = 3
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in astreinte, not in the roster or the command line


class UsageError(HintedError):
    """A command line that cannot be run as given (exit 2)."""


def _fail_usage(message: str, hint: str | None = None) -> NoReturn:
    raise UsageError(message, hint)


# What click.echo removes from a message written anywhere but a terminal.
_ANSI_ESCAPE = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def _echo_error(message: str) -> None:
    """``message`` and a newline on stderr, byte for byte as ``typer.echo(message, err=True)``
    writes them, which the commands use for their own messages: escape sequences a roster value
    or an argument may carry are removed unless stderr is a terminal, and a stderr that only
    takes ASCII (a C locale with Python's UTF-8 mode off) is given UTF-8 anyway."""
    stream = sys.stderr
    if not stream.isatty():
        message = _ANSI_ESCAPE.sub("", message)
    encoding = getattr(stream, "encoding", None)
    binary = getattr(stream, "buffer", None)
    if encoding and binary is not None and codecs.lookup(encoding).name == "ascii":
        stream.flush()
        binary.write((message + "\n").encode("utf-8", "replace"))
        binary.flush()
        return
    stream.write(message + "\n")
    stream.flush()


def _ends_a_command(error: Exception) -> bool:
    """``typer.Exit`` and ``typer.Abort`` end a Typer command on purpose: they pass through
    :func:`_boundary` untouched. Without Typer imported (`now` run by ``entry.py``) none can
    have been raised, and this module does not import it to find out."""
    typer = sys.modules.get("typer")
    return typer is not None and isinstance(error, (typer.Exit, typer.Abort))


@contextmanager
def _boundary() -> Iterator[None]:
    """Turns the core's errors into messages and exit codes, in one place."""
    try:
        yield
    except RosterError as exc:
        sources = SourceLines()
        for diagnostic in exc.diagnostics:
            _echo_error(format_diagnostic(diagnostic, sources))
        count = sum(1 for d in exc.diagnostics if d.severity == "error")
        summary = ngettext(
            "{count} error: the roster was not used",
            "{count} errors: the roster was not used",
            count,
        )
        _echo_error(summary.format(count=count))
        raise SystemExit(EXIT_INVALID) from None
    except HintedError as exc:  # a usage error, or git, publish, edit… refusing with a hint
        # "error:" and "hint:" stay English: scripts and editors parse them (SPEC §7).
        _echo_error(f"error: {exc.message}")
        if exc.hint:
            _echo_error(f"hint: {exc.hint}")
        raise SystemExit(EXIT_USAGE) from None
    except Exception as exc:
        if _ends_a_command(exc):
            raise
        # Whoever runs `now` at 2 a.m. needs one readable line, not a traceback; a developer
        # gets the traceback with ASTREINTE_DEBUG=1.
        if os.environ.get("ASTREINTE_DEBUG"):
            raise
        message = _(
            "astreinte: internal error ({error}); this is a bug in astreinte, not in your "
            "roster: please report it with the output of ASTREINTE_DEBUG=1"
        )
        _echo_error(message.format(error=f"{type(exc).__name__}: {exc}"))
        raise SystemExit(EXIT_INTERNAL) from None


def _load(rosters: Path) -> Roster:
    from astreinte_cli.load.cache import load_roster_cached

    return load_roster_cached(rosters, get_language(), dt.datetime.now(dt.UTC).date())


def _scope(
    rosters: Path, team: list[str] | None, tz: str | None
) -> tuple[Roster, list[Team], ZoneInfo]:
    """What most commands start from: the roster, the teams of ``--team`` (else all) and the
    zone of ``--tz`` (else the first team's)."""
    roster = _load(rosters)
    teams = _select(roster, team)
    return roster, teams, _zone(tz, teams)


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


def now(
    rosters: Path,
    team: list[str] | None = None,
    at: str = "now",
    tz: str | None = None,
    as_json: bool = False,
) -> None:
    """`astreinte now`: who is on call at each level at ``at``, in JSON or as the terminal view;
    exits 3 when a level is inside its coverage with nobody on call."""
    from astreinte_cli.query import team_now

    if as_json:
        _machine_readable()
    with _boundary():
        roster, teams, zone = _scope(rosters, team, tz)
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
        raise SystemExit(EXIT_GAP)
