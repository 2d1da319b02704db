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
import errno
import io
import os
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from astreinte_cli.diagnostics import RosterError, SourceLines, excerpt, format_diagnostic
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _, ngettext, set_language
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
    STALE = 4  # `now`, `route`: the roster does not load; answered from the last valid roster
    INTERNAL = 70  # EX_SOFTWARE: a bug in astreinte, not in the roster or the command line
    OUTPUT = 74  # EX_IOERR: the output cannot be written (stdout closed, a full disk…)
    CLOSED_PIPE = 141  # 128 + SIGPIPE: the reader stopped early (`| head`), as a shell shows it


# --------------------------------------------------------------------------- errors


class UsageError(HintedError):
    """A command line that cannot be run as given (exit 2)."""


def fail_usage(message: str, hint: str | None = None) -> NoReturn:
    raise UsageError(message, hint)


def echo_error(message: str) -> None:
    """``message`` and a newline on stderr. Control characters that a roster value or an
    argument may carry are shown as escapes (:func:`printable`, line feeds kept): an error
    message never acts on the terminal nor starts a line a CI would read as a command. A
    stderr that only takes ASCII (a C locale with Python's UTF-8 mode off) is given UTF-8."""
    from astreinte_cli.printable import printable

    stream = sys.stderr
    if stream is None:  # closed (2>&-): nowhere to say it
        return
    message = printable(message, lines=True)
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
    except OSError as exc:  # the system refused a read or a write: no bug of astreinte's
        if os.environ.get("ASTREINTE_DEBUG"):
            raise
        if exc.errno == errno.EPIPE:  # a reader that stopped early, where stdout is not
            raise SystemExit(ExitCode.CLOSED_PIPE) from None  # guarded (see prepare_streams)
        where = f": {exc.filename}" if exc.filename else ""
        echo_error(f"error: {exc.strerror or exc}{where}")
        raise SystemExit(ExitCode.OUTPUT) from None
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

    return load_roster_cached(rosters, dt.datetime.now(dt.UTC).date())


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
        unknown_team(team_id, [t.id for t in roster.teams])


def unknown_team(team_id: str, known: Sequence[str]) -> NoReturn:
    from astreinte_cli.diagnostics import did_you_mean

    fail_usage(
        _("no team '{team}' in the roster").format(team=excerpt(team_id)),
        did_you_mean(team_id, known),
    )


def select_ids(known: Sequence[str], wanted: list[str] | None) -> list[str]:
    """The team ids of ``--team`` in the roster's order, else every one (``known``)."""
    if not wanted:
        return list(known)
    for team_id in wanted:
        if team_id not in known:
            unknown_team(team_id, known)
    return [team_id for team_id in known if team_id in wanted]


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
            _("no person '{person}' in the roster").format(person=excerpt(person)),
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
        fail_usage(_("unknown timezone '{zone}'").format(zone=excerpt(tz)), hint)


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


# The longest range one command compiles (README, Limits): `show --grid` or `export ics` over
# 1900-2999 ran for minutes and took gigabytes; ten years of a large organisation is already
# a large document, and a longer view is a few commands.
MAX_RANGE_DAYS = 3660


def checked_range(first: dt.datetime, last: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """``(first, last)``, or the usage error of every command given an empty range or one
    longer than :data:`MAX_RANGE_DAYS`."""
    if last <= first:
        fail_usage(_("--to must be after --from"))
    if last - first > dt.timedelta(days=MAX_RANGE_DAYS):
        fail_usage(
            _("the range from --from to --to is longer than {days} days (10 years)").format(
                days=MAX_RANGE_DAYS
            ),
            _("split it into several runs of at most 10 years"),
        )
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
        _("unknown --format '{format}'").format(format=excerpt(given)),
        _("one of: {choices}").format(choices=", ".join(choices)),
    )


def json_text(document: Any) -> str:
    """The JSON every command writes: UTF-8 as is, indented, ending with a newline."""
    import json  # here: the terminal view of `now` does not need it

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def print_json(document: dict[str, Any]) -> None:
    with utf8_stdout() as out:
        out.write(json_text(document))


@contextmanager
def utf8_stdout() -> Iterator[TextIO]:
    """stdout for what programs read (JSON, CSV): UTF-8 whatever the locale says. A C locale
    with Python's UTF-8 mode off gives an ASCII stdout, on which the first 'é' of a name
    would fail; JSON is UTF-8 by its standard (RFC 8259), and a phone system calling
    `now --json` from a minimal environment must get its answer."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    binary = getattr(stream, "buffer", None)
    if codecs.lookup(encoding).name == "utf-8" or binary is None:
        yield stream
        return
    stream.flush()
    out = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline=None)
    try:
        yield out
        out.flush()
    finally:
        out.detach()  # the buffer stays stdout's


# --------------------------------------------------------------------------- standard streams


class OutputError(BaseException):
    """stdout cannot take what is written to it: its reader stopped early (``errno`` EPIPE)
    or the system refused the write (a full disk, ``/dev/full``).

    A :class:`BaseException`, as ``SystemExit`` and ``KeyboardInterrupt`` are: it ends the
    run from wherever the write happened (a command, Click's help, Rich's console), and no
    ``except Exception`` on the way (the boundary's "internal error" among them) takes it for
    a bug. :func:`ended_by_output` turns it into the exit."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error

    @property
    def closed_pipe(self) -> bool:
        return self.error.errno in (errno.EPIPE, errno.ECONNRESET)


class _GuardedOutput(io.RawIOBase):
    """stdout's file descriptor, written so that a failed write raises :class:`OutputError`."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self._descriptor = descriptor

    def fileno(self) -> int:
        return self._descriptor

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return os.isatty(self._descriptor)

    def write(self, data: Any) -> int:
        try:
            return os.write(self._descriptor, data)
        except OSError as exc:
            raise OutputError(exc) from None

    def close(self) -> None:  # the descriptor stays open: it is the process's stdout
        super().close()


def prepare_streams() -> None:
    """Standard streams as every command needs them, before any runs (both ways of running
    `now`, and the Typer app, go through here):

    - a closed stdin or stderr (``2>&-``) is given ``/dev/null``, so that no file the command
      opens takes its place; a closed stdout (``>&-``) ends the run at once, with one line on
      stderr and exit 74: whatever the command wrote would be lost, or land in a file it
      opened;
    - stdout writes through :class:`_GuardedOutput`: a reader that stops early (``| head``)
      or a full disk ends the run as :class:`OutputError` (see :func:`ended_by_output`);
    - text that stdout's encoding cannot show is replaced by '?' (an ASCII or Latin-1
      terminal), where Python would fail; JSON and CSV go through :func:`utf8_stdout`."""
    for descriptor in (0, 2):
        _reopen_if_closed(descriptor)
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    if sys.stdout is None or not _is_open(1):
        echo_error(_("astreinte: standard output is closed; give it a file or /dev/null"))
        raise SystemExit(ExitCode.OUTPUT)
    stream = sys.stdout
    if not isinstance(stream, io.TextIOWrapper) or stream.fileno() != 1:
        return  # not the process's own stdout (a test runner's): left as it is
    stream.flush()
    buffered = io.BufferedWriter(_GuardedOutput(1))
    sys.stdout = io.TextIOWrapper(
        buffered,
        encoding=stream.encoding,
        errors="replace",
        newline=None,
        line_buffering=stream.line_buffering,
    )


def _is_open(descriptor: int) -> bool:
    try:
        os.fstat(descriptor)
    except OSError:
        return False
    return True


def _reopen_if_closed(descriptor: int) -> None:
    if _is_open(descriptor):
        return
    null = os.open(os.devnull, os.O_RDWR)
    if null != descriptor:
        os.dup2(null, descriptor)
        os.close(null)


def ended_by_output(error: OutputError) -> NoReturn:
    """The end of a run whose output failed: quietly with 141 when the reader stopped early,
    as a tool killed by SIGPIPE ends in a shell (``yes | head``); else one line on stderr and
    exit 74. Nothing more is written to stdout: it is pointed at ``/dev/null`` first, so that
    the interpreter's last flush cannot fail again."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    if error.closed_pipe:
        raise SystemExit(ExitCode.CLOSED_PIPE)
    reason = error.error.strerror or str(error.error)
    echo_error(_("astreinte: cannot write the output: {reason}").format(reason=reason))
    raise SystemExit(ExitCode.OUTPUT)


def write_output(output: str, data: Content, *, mode: int = 0o644, option: str = "-o") -> None:
    """``-o`` (or another ``option`` naming an output file): stdout for '-', else the file,
    replaced atomically (:func:`replace_output`), with ``mode``: by default readable by all
    (feeds are served)."""
    from astreinte_cli.atomic import write_content  # here: `now` writes no file

    if output == "-":
        write_content(sys.stdout.buffer, data)
        sys.stdout.flush()
        return
    path = Path(output)
    if path.is_dir():
        fail_usage(
            _("{subject}: is a folder").format(subject=f"{option} {output}"),
            _("give a file name"),
        )
    try:
        replace_output(path, data, mode=mode)
    except OSError as exc:
        fail_usage(
            _("{subject}: {message}").format(
                subject=f"{option} {output}", message=exc.strerror or exc
            )
        )


def replace_output(path: Path, data: Content, *, mode: int | None = None) -> None:
    """``path`` replaced in one step by ``data`` (:func:`atomic.replace_file`): the bytes, or a
    function that writes them to the stream it is given. A reader never sees half a file."""
    from astreinte_cli.atomic import replace_file

    replace_file(path, data, mode=mode)


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False)
