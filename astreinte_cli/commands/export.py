"""`astreinte export ics|json|csv` and `astreinte publish DIR`: options in, core call, bytes out.

Registered on the main app by :func:`register`, from the last lines of ``cli.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO
from zoneinfo import ZoneInfo

import typer

from astreinte_cli.cli import (
    RostersOption,
    TeamOption,
    TzOption,
    _boundary,
    _check_person,
    _fail_usage,
    _json_text,
    _scope,
    _when,
)
from astreinte_cli.i18n import _
from astreinte_cli.model import Roster, Team
from astreinte_cli.times import TimeSyntaxError

if TYPE_CHECKING:
    from astreinte_cli.export.publish import Publication, PublishOptions

OutputOption = Annotated[
    str,
    typer.Option("--output", "-o", help="File to write, or '-' for stdout.", show_default=False),
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="WHEN (default: 30 days before --at).", show_default=False),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", help="WHEN (default: 365 days after --at).", show_default=False),
]
AtOption = Annotated[
    str,
    typer.Option(
        "--at",
        help="WHEN the export is made: the default range is around it, and feeds are stamped "
        "with it (DTSTAMP), so the same --at gives the same bytes.",
    ),
]
PersonOption = Annotated[
    str | None,
    typer.Option("--person", help="Only this person's shifts, across teams.", show_default=False),
]
PrivateOption = Annotated[
    bool, typer.Option("--private", help="Mark events CLASS:PRIVATE (others see only 'busy').")
]
RemindOption = Annotated[
    str | None,
    typer.Option(
        "--remind", help="A reminder this long before each event, e.g. 1h.", show_default=False
    ),
]


# --------------------------------------------------------------------------- helpers


def _instant(at: str, zone: ZoneInfo) -> dt.datetime:
    return _when(at, zone, "--at").replace(microsecond=0)


def _range(
    start: str | None, end: str | None, at: dt.datetime, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    from astreinte_cli.export.publish import default_range

    default_first, default_last = default_range(at, zone)
    first = _when(start, zone, "--from", at) if start else default_first
    last = _when(end, zone, "--to", at) if end else default_last
    if last <= first:
        _fail_usage(_("--to must be after --from"))
    return first, last


def _remind(text: str | None) -> dt.timedelta | None:
    if text is None:
        return None
    from astreinte_cli.times import parse_duration

    try:
        return parse_duration(text)
    except TimeSyntaxError as exc:
        _fail_usage(f"--remind: {exc.message}", exc.hint)


def _write_output(output: str, data: bytes | Callable[[BinaryIO], object]) -> None:
    """stdout for '-', else the file, replaced atomically (:func:`atomic.replace_file`).
    ``data`` is the bytes, or a function that writes them to the stream it is given."""
    from astreinte_cli.atomic import replace_file

    def write(stream: BinaryIO) -> None:
        if isinstance(data, bytes):
            stream.write(data)
        else:
            data(stream)
            stream.flush()

    if output == "-":
        write(sys.stdout.buffer)
        sys.stdout.flush()
        return
    path = Path(output)
    if path.is_dir():
        _fail_usage(_("-o {output}: is a folder").format(output=output), _("give a file name"))
    try:
        replace_file(path, write, mode=0o644)
    except OSError as exc:
        _fail_usage(f"-o {output}: {exc.strerror or exc}")


# --------------------------------------------------------------------------- export


def export_ics(
    output: OutputOption,
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    level: Annotated[
        int | None,
        typer.Option("--level", help="Only this level (1-based); needs one team.", min=1),
    ] = None,
    person: PersonOption = None,
    start: FromOption = None,
    end: ToOption = None,
    at: AtOption = "now",
    tz: TzOption = None,
    private: PrivateOption = False,
    remind: RemindOption = None,
    whole_turns: Annotated[
        bool,
        typer.Option(
            "--whole-turns",
            help="One event per rotation turn: a person's shifts of one turn joined across the "
            "time the level is off (e.g. a week's nights as one event).",
        ),
    ] = False,
) -> None:
    """iCalendar feed (RFC 5545) of the selected teams, one level, or one person's shifts.

    Never carries a phone number. Shifts overlapping the range are given whole."""
    from astreinte_cli.export.event_text import feed_name
    from astreinte_cli.export.feeds import write_teams_feed
    from astreinte_cli.export.ical import FeedOptions

    with _boundary():
        roster, teams, zone = _scope(rosters, team, tz)
        instant = _instant(at, zone)
        first, last = _range(start, end, instant, zone)
        _check_person(roster, person)
        if level is not None:
            if len(teams) != 1:
                _fail_usage(_("--level needs exactly one team"), _("add --team ID"))
            if level > len(teams[0].levels):
                count = len(teams[0].levels)
                _fail_usage(
                    _("team '{team}' has {count} level(s), not {level}").format(
                        team=teams[0].id, count=count, level=level
                    )
                )
        only: Team | None = teams[0] if len(teams) == 1 else None
        options = FeedOptions(
            name=feed_name(roster, only, level, person),
            stamp=instant,
            private=private,
            remind=_remind(remind),
        )

        def feed(out: BinaryIO) -> None:
            write_teams_feed(
                out,
                roster,
                teams,
                options,
                first,
                last,
                level=level,
                person=person,
                whole_turns=whole_turns,
            )

        _write_output(output, feed)


def _show(
    rosters: Path, team: list[str] | None, person: str | None, start: str | None,
    end: str | None, at: str, tz: str | None,
) -> tuple[Roster, dict[str, Any]]:  # fmt: skip
    from astreinte_cli.compile import compile_team
    from astreinte_cli.export.documents import show_document

    roster, teams, zone = _scope(rosters, team, tz)
    first, last = _range(start, end, _instant(at, zone), zone)
    _check_person(roster, person)
    timelines = [compile_team(roster, t, first, last) for t in teams]
    return roster, show_document(timelines, first, last, zone, person)


def export_json(
    output: OutputOption,
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    person: PersonOption = None,
    start: FromOption = None,
    end: ToOption = None,
    at: AtOption = "now",
    tz: TzOption = None,
) -> None:
    """The `show --json` document (shifts and gaps) over a range."""
    with _boundary():
        _roster, document = _show(rosters, team, person, start, end, at, tz)
        _write_output(output, _json_text(document).encode())


def export_csv(
    output: OutputOption,
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    person: PersonOption = None,
    start: FromOption = None,
    end: ToOption = None,
    at: AtOption = "now",
    tz: TzOption = None,
) -> None:
    """One row per shift: team, level, level_name, who, names, start, end, source.

    Cells that a spreadsheet would run as a formula are prefixed with an apostrophe."""
    from astreinte_cli.export.table import shifts_csv

    with _boundary():
        roster, document = _show(rosters, team, person, start, end, at, tz)
        _write_output(output, shifts_csv(roster, document["shifts"]).encode())


# --------------------------------------------------------------------------- publish


def publish(
    directory: Annotated[
        Path, typer.Argument(help="Folder to (re)place the publication in.", show_default=False)
    ],
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    at: AtOption = "now",
    tz: TzOption = None,
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            envvar="ASTREINTE_FEED_SECRET",
            help="Secret the person feeds' file names derive from (HMAC-SHA256); the same "
            "secret keeps the same addresses.",
            show_default=False,
        ),
    ] = None,
    no_person_feeds: Annotated[
        bool, typer.Option("--no-person-feeds", help="Publish no person feeds (needs no secret).")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Address the folder is served at, for absolute https:// and webcal:// links.",
            show_default=False,
        ),
    ] = None,
    person_links: Annotated[
        Path | None,
        typer.Option(
            "--person-links",
            help="Write person id → feed address (JSON) to this file, outside DIR, to hand out "
            "privately.",
            show_default=False,
        ),
    ] = None,
    private: PrivateOption = False,
    remind: RemindOption = None,
) -> None:
    """Every feed (per team, level and person), timeline.json and index.html, for static hosting.

    The folder is replaced as a whole and atomically; the same input and --at give the same
    bytes."""
    from astreinte_cli.export import publish as publishing

    with _boundary():
        if secret is None and not no_person_feeds:
            _fail_usage(
                _("person feeds need a secret, so that their addresses cannot be guessed"),
                _("give --secret or set ASTREINTE_FEED_SECRET, or publish --no-person-feeds"),
            )
        if base_url is not None and not base_url.startswith(("https://", "http://")):
            _fail_usage(
                _("--base-url must start with https:// (got '{base_url}')").format(
                    base_url=base_url
                )
            )
        target = directory.absolute()
        if person_links is not None and person_links.absolute().is_relative_to(target):
            _fail_usage(_("--person-links must be outside DIR: person feed addresses are secret"))
        roster, teams, zone = _scope(rosters, team, tz)
        instant = _instant(at, zone)
        first, last = publishing.default_range(instant, zone)
        options = publishing.PublishOptions(
            at=instant,
            start=first,
            end=last,
            secret=None if no_person_feeds else secret,
            base_url=base_url,
            private=private,
            remind=_remind(remind),
        )
        try:
            # Refuses a folder that is not a publication before anything is built; the files
            # are written into the staging folder as they are made, swapped in at the end.
            with publishing.write_publication(target) as staging:
                publication = _build(roster, teams, options, staging, progress=sys.stdout.isatty())
        except OSError as exc:
            _fail_usage(
                _("cannot write {directory}: {reason}").format(
                    directory=directory, reason=exc.strerror or exc
                )
            )
        if person_links is not None:
            links = publishing.person_links(publication, base_url)
            _write_output(str(person_links), _json_text(links).encode())
        feeds = sum(1 for name in publication.files if name.endswith(".ics"))
        people = len(publication.person_feeds)
        typer.echo(
            _(
                "published {feeds} feeds ({people} personal), timeline.json and "
                "index.html to {directory}"
            ).format(feeds=feeds, people=people, directory=directory)
        )


def _build(
    roster: Roster, teams: list[Team], options: PublishOptions, folder: Path, *, progress: bool
) -> Publication:
    """The publication, written into ``folder``, with a progress bar on a terminal."""
    from astreinte_cli.export.publish import build_publication

    if not progress:
        return build_publication(roster, teams, options, folder)
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("publishing", total=None)

        def step(done: int, total: int, path: str) -> None:
            bar.update(task, completed=done, total=total, description=path)

        return build_publication(roster, teams, options, folder, step)


def register(app: typer.Typer) -> None:
    """Adds `export ics|json|csv` and `publish` to the main app."""
    export_app = typer.Typer(
        name="export",
        help="Calendar feeds (ics), the timeline as JSON, or shifts as CSV, to a file or stdout.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    export_app.command("ics")(export_ics)
    export_app.command("json")(export_json)
    export_app.command("csv")(export_csv)
    app.add_typer(export_app, name="export")
    app.command("publish")(publish)
