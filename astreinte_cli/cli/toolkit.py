"""What every command does around the core, without Typer: exit codes; the one boundary that
turns the core's errors into messages and exit codes; loading and selecting (roster, teams,
zone); reading WHEN and ranges; choosing a ``--format``; writing JSON and output files.

Typer-free because the plain `now` (``fastpath.py``) uses it too and must not import Typer.
Errors end in :class:`SystemExit`, which Click lets through and ``typer.testing.CliRunner``
records like ``typer.Exit``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import enum
import os
import re
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _, get_language, ngettext, set_language
from astreinte_cli.times import TimeSyntaxError

if TYPE_CHECKING:
    from astreinte_cli.atomic import Content
    from astreinte_cli.model import Roster, Team


class ExitCode(enum.IntEnum):
    """What ``astreinte`` exits with (SPEC §7)."""

    OK = 0
    INVALID = 1  # the roster is invalid, or a check found errors
    USAGE = 2  # a command line that cannot be run as given
    GAP = 3  # `now`: a level inside its coverage with nobody on call; `route`: see its help
    STALE = 4  # `now`, `route`: the answer comes from the last valid roster
    INTERNAL = 70  # EX_SOFTWARE: a bug in astreinte, not in the roster or the command line


# --------------------------------------------------------------------------- errors


class UsageError(HintedError):
    """A command line that cannot be run as given (exit 2)."""


def fail_usage(message: str, hint: str | None = None) -> NoReturn:
    raise UsageError(message, hint)


# What click.echo removes from a message written anywhere but a terminal.
_ANSI_ESCAPE = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def echo_error(message: str) -> None:
    """``message`` and a newline on stderr, byte for byte as ``typer.echo(message, err=True)``
    writes them: escape sequences a roster value or an argument may carry are removed unless
    stderr is a terminal, and a stderr that only takes ASCII (a C locale with Python's UTF-8
    mode off) is given UTF-8 anyway."""
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


def roster_error_summary(count: int) -> str:
    return ngettext(
        "{count} error: the roster was not used",
        "{count} errors: the roster was not used",
        count,
    ).format(count=count)


def print_roster_error(
    error: RosterError,
    summary: Callable[[int], str] = roster_error_summary,
    *,
    moved: tuple[str, str] | None = None,
) -> None:
    """Each diagnostic compiler-style on stderr, then ``summary`` of the number of errors.

    ``moved`` is ``(where the files were read, what to call that place)``: a roster loaded from
    a temporary copy is shown as the real files (an edit) or as ``REV:`` (a git revision)."""
    sources = SourceLines()
    for diagnostic in error.diagnostics:
        text = format_diagnostic(diagnostic, sources)
        echo_error(text.replace(*moved, 1) if moved else text)
    echo_error(summary(sum(1 for d in error.diagnostics if d.severity == "error")))


def _ends_a_command(error: Exception) -> bool:
    """``typer.Exit`` and ``typer.Abort`` end a Typer command on purpose: they pass through
    :func:`boundary` untouched. Without Typer imported (the plain `now`) none can have been
    raised, and this module does not import it to find out."""
    typer = sys.modules.get("typer")
    return typer is not None and isinstance(error, (typer.Exit, typer.Abort))


@contextmanager
def boundary() -> Iterator[None]:
    """Turns the core's errors into messages and exit codes, in one place."""
    try:
        yield
    except RosterError as exc:
        print_roster_error(exc)
        raise SystemExit(ExitCode.INVALID) from None
    except HintedError as exc:  # a usage error, or git, publish, edit… refusing with a hint
        # "error:" and "hint:" stay English: scripts and editors parse them (SPEC §7).
        echo_error(f"error: {exc.message}")
        if exc.hint:
            echo_error(f"hint: {exc.hint}")
        raise SystemExit(ExitCode.USAGE) from None
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
        echo_error(message.format(error=f"{type(exc).__name__}: {exc}"))
        raise SystemExit(ExitCode.INTERNAL) from None


# --------------------------------------------------------------------------- roster, teams, zone

ROSTERS_ENV = "ASTREINTE_ROSTERS"
DEFAULT_ROSTERS = Path("rosters")


def default_rosters(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the roster is when ``--rosters`` is not given: ``$ASTREINTE_ROSTERS``, else
    ``./rosters`` (an empty variable counts as unset, as Click reads it)."""
    return Path(environ.get(ROSTERS_ENV) or DEFAULT_ROSTERS)


def load(rosters: Path) -> Roster:
    from astreinte_cli.load.cache import load_roster_cached

    return load_roster_cached(rosters, get_language(), dt.datetime.now(dt.UTC).date())


def load_scope(
    rosters: Path, team: list[str] | None, tz: str | None
) -> tuple[Roster, list[Team], ZoneInfo]:
    """What most commands start from: the roster, the teams of ``--team`` (else all) and the
    zone of ``--tz`` (else the first team's)."""
    roster = load(rosters)
    teams = select(roster, team)
    return roster, teams, read_zone(tz, teams)


def find_team(roster: Roster, team_id: str) -> Team:
    """The team ``--team`` names, or the usage error that says which ids there are."""
    try:
        return roster.team(team_id)
    except KeyError:
        from astreinte_cli.diagnostics import did_you_mean

        fail_usage(
            _("no team '{team}' in the roster").format(team=team_id),
            did_you_mean(team_id, (t.id for t in roster.teams)),
        )


def select(roster: Roster, teams: list[str] | None) -> list[Team]:
    """The teams of ``--team`` in the roster's order, else every team."""
    if not teams:
        return list(roster.teams)
    for wanted in teams:
        find_team(roster, wanted)
    return [t for t in roster.teams if t.id in teams]


def check_person(roster: Roster, person: str | None) -> None:
    if person is not None and person not in roster.people:
        from astreinte_cli.diagnostics import did_you_mean

        fail_usage(
            _("no person '{person}' in the roster").format(person=person),
            did_you_mean(person, roster.people),
        )


def read_zone(tz: str | None, teams: Sequence[Team]) -> ZoneInfo:
    """The zone of ``--tz``, else the first team's, else UTC."""
    if tz is None:
        return teams[0].zone if teams else ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        from zoneinfo import available_timezones

        from astreinte_cli.diagnostics import did_you_mean

        hint = did_you_mean(tz, available_timezones()) or _("use an IANA name such as Europe/Paris")
        fail_usage(_("unknown timezone '{zone}'").format(zone=tz), hint)


# --------------------------------------------------------------------------- WHEN and ranges


def read_when(
    text: str, zone: ZoneInfo, option: str, now: dt.datetime | None = None
) -> dt.datetime:
    """WHEN, with `now`, `today`, `+2h`… relative to ``now`` (default: the clock)."""
    from astreinte_cli.when import parse_when

    try:
        return parse_when(text, zone, dt.datetime.now(dt.UTC) if now is None else now)
    except TimeSyntaxError as exc:
        fail_usage(_("{subject}: {message}").format(subject=option, message=exc.message), exc.hint)


def checked_range(first: dt.datetime, last: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """``(first, last)``, or the usage error of every command given an empty range."""
    if last <= first:
        fail_usage(_("--to must be after --from"))
    return first, last


def read_range(
    start: str | None,
    end: str | None,
    zone: ZoneInfo,
    *,
    now: dt.datetime | None = None,
    default_start: dt.datetime,
    default_end: Callable[[dt.datetime], dt.datetime],
) -> tuple[dt.datetime, dt.datetime]:
    """``--from`` and ``--to`` read as WHEN relative to ``now`` (default: the clock); an option
    not given (None) takes its default, that of ``--to`` computed from ``--from``."""
    first = default_start if start is None else read_when(start, zone, "--from", now)
    last = default_end(first) if end is None else read_when(end, zone, "--to", now)
    return checked_range(first, last)


def days_after(days: int, zone: ZoneInfo) -> Callable[[dt.datetime], dt.datetime]:
    """The default end of a range that many days after its start, in local days of ``zone``
    (a day with a DST change is a day)."""
    from astreinte_cli.times import local_reading, place

    def end(first: dt.datetime) -> dt.datetime:
        return place(local_reading(first, zone) + dt.timedelta(days=days), zone)

    return end


# --------------------------------------------------------------------------- output


def machine_readable() -> None:
    """JSON and CSV are read by programs: their text (check messages, diff summaries) is
    English whatever --lang says, so that the same run gives the same document everywhere."""
    set_language("en")


def choose_format(
    given: str,
    choices: Sequence[str],
    *,
    as_json: bool = False,
    machine: Collection[str] = ("json",),
    refusal: Callable[[str], tuple[str, str | None]] | None = None,
) -> str:
    """The ``--format`` to write (``json`` when ``--json`` is given); a format read by programs
    (``machine``) switches messages to English. ``refusal`` gives the message and hint that
    refuse another value, by default ``unknown --format 'X'`` and the choices."""
    if as_json:
        given = "json"
    if given in machine:
        machine_readable()
        return given
    if given not in choices:
        message, hint = refusal(given) if refusal else _unknown_format(given, choices)
        fail_usage(message, hint)
    return given


def _unknown_format(given: str, choices: Sequence[str]) -> tuple[str, str | None]:
    return (
        _("unknown --format '{format}'").format(format=given),
        _("one of: {choices}").format(choices=", ".join(choices)),
    )


def json_text(document: Any) -> str:
    """The JSON every command writes: UTF-8 as is, indented, ending with a newline."""
    import json  # here: the terminal view of `now` does not need it

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json_text(document))


def write_output(output: str, data: Content) -> None:
    """``-o``: stdout for '-', else the file, replaced atomically (:func:`replace_output`) and
    readable by all (feeds are served)."""
    from astreinte_cli.atomic import write_content  # here: `now` writes no file

    if output == "-":
        write_content(sys.stdout.buffer, data)
        sys.stdout.flush()
        return
    path = Path(output)
    if path.is_dir():
        fail_usage(_("-o {output}: is a folder").format(output=output), _("give a file name"))
    try:
        replace_output(path, data, mode=0o644)
    except OSError as exc:
        fail_usage(
            _("{subject}: {message}").format(subject=f"-o {output}", message=exc.strerror or exc)
        )


def replace_output(path: Path, data: Content, *, mode: int | None = None) -> None:
    """``path`` replaced in one step by ``data`` (:func:`atomic.replace_file`): the bytes, or a
    function that writes them to the stream it is given. A reader never sees half a file."""
    from astreinte_cli.atomic import replace_file

    replace_file(path, data, mode=mode)


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False)
