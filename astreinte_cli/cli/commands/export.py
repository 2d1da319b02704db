"""`astreinte export ics|json|csv` and `astreinte publish DIR`: options in, core call, bytes out."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO
from zoneinfo import ZoneInfo

import typer

from astreinte_cli.cli.options import (
    ExportAt,
    ExportFrom,
    ExportTo,
    OutputOption,
    PersonOption,
    PrivateOption,
    RemindOption,
    RostersOption,
    TeamOption,
    TzOption,
)
from astreinte_cli.cli.toolkit import (
    DEFAULT_ROSTERS,
    boundary,
    check_person,
    fail_usage,
    json_text,
    load_scope,
    read_range,
    read_when,
    write_output,
)
from astreinte_cli.i18n import _
from astreinte_cli.model import Roster, Team
from astreinte_cli.times import TimeSyntaxError

if TYPE_CHECKING:
    from astreinte_cli.export.publish import Publication, PublishOptions
    from astreinte_cli.publication_log import PublicationLog

# --------------------------------------------------------------------------- helpers


def export_instant(at: str, zone: ZoneInfo) -> dt.datetime:
    """The --at of `export` and `publish`, in whole seconds: the feeds' DTSTAMP."""
    return read_when(at, zone, "--at").replace(microsecond=0)


def export_range(
    start: str | None, end: str | None, at: dt.datetime, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    from astreinte_cli.export.publish import default_range

    default_first, default_last = default_range(at, zone)
    return read_range(
        start or None, end or None, zone,
        now=at, default_start=default_first, default_end=lambda _first: default_last,
    )  # fmt: skip


def reminder(text: str | None) -> dt.timedelta | None:
    """The --remind of `export ics` and `publish`."""
    if text is None:
        return None
    from astreinte_cli.times import parse_duration

    try:
        return parse_duration(text)
    except TimeSyntaxError as exc:
        fail_usage(
            _("{subject}: {message}").format(subject="--remind", message=exc.message), exc.hint
        )


def page_age(text: str) -> dt.timedelta:
    """The --stale-after of `publish`: a positive duration."""
    from astreinte_cli.times import parse_duration

    try:
        age = parse_duration(text)
    except TimeSyntaxError as exc:
        fail_usage(f"--stale-after: {exc.message}", exc.hint)
    if age <= dt.timedelta(0):
        fail_usage(_("--stale-after must be a positive duration (got '{text}')").format(text=text))
    return age


# --------------------------------------------------------------------------- export


def export_ics(
    output: OutputOption,
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    level: Annotated[
        int | None,
        typer.Option("--level", help="Only this level (1-based); needs one team.", min=1),
    ] = None,
    person: PersonOption = None,
    start: ExportFrom = None,
    end: ExportTo = None,
    at: ExportAt = "now",
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

    with boundary():
        roster, teams, zone = load_scope(rosters, team, tz)
        instant = export_instant(at, zone)
        first, last = export_range(start, end, instant, zone)
        check_person(roster, person)
        if level is not None:
            if len(teams) != 1:
                fail_usage(_("--level needs exactly one team"), _("add --team ID"))
            if level > len(teams[0].levels):
                count = len(teams[0].levels)
                fail_usage(
                    _("team '{team}' has {count} level(s), not {level}").format(
                        team=teams[0].id, count=count, level=level
                    )
                )
        only: Team | None = teams[0] if len(teams) == 1 else None
        options = FeedOptions(
            name=feed_name(roster, only, level, person),
            stamp=instant,
            private=private,
            remind=reminder(remind),
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

        write_output(output, feed)


def _show(
    rosters: Path, team: list[str] | None, person: str | None, start: str | None,
    end: str | None, at: str, tz: str | None,
) -> tuple[Roster, dict[str, Any]]:  # fmt: skip
    from astreinte_cli.compile import compile_team
    from astreinte_cli.export.documents import show_document

    roster, teams, zone = load_scope(rosters, team, tz)
    first, last = export_range(start, end, export_instant(at, zone), zone)
    check_person(roster, person)
    timelines = [compile_team(roster, t, first, last) for t in teams]
    return roster, show_document(timelines, first, last, zone, person)


def export_json(
    output: OutputOption,
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    person: PersonOption = None,
    start: ExportFrom = None,
    end: ExportTo = None,
    at: ExportAt = "now",
    tz: TzOption = None,
) -> None:
    """The `show --json` document (shifts and gaps) over a range."""
    with boundary():
        _roster, document = _show(rosters, team, person, start, end, at, tz)
        write_output(output, json_text(document).encode())


def export_csv(
    output: OutputOption,
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    person: PersonOption = None,
    start: ExportFrom = None,
    end: ExportTo = None,
    at: ExportAt = "now",
    tz: TzOption = None,
) -> None:
    """One row per shift: team, level, level_name, who, names, start, end, source.

    Cells that a spreadsheet would run as a formula are prefixed with an apostrophe."""
    from astreinte_cli.export.table import shifts_csv

    with boundary():
        roster, document = _show(rosters, team, person, start, end, at, tz)
        write_output(output, shifts_csv(roster, document["shifts"]).encode())


# --------------------------------------------------------------------------- publish


def publish(
    directory: Annotated[
        Path, typer.Argument(help="Folder to (re)place the publication in.", show_default=False)
    ],
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    at: ExportAt = "now",
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
    previous_log: Annotated[
        Path | None,
        typer.Option(
            "--previous-log",
            help="The publication log to carry forward (a publication-log.json, or a folder "
            "holding one); default: the one in DIR.",
            show_default=False,
        ),
    ] = None,
    stale_after: Annotated[
        str,
        typer.Option(
            "--stale-after",
            help="The page says it may be out of date once it is older than this (e.g. 26h, 2d).",
        ),
    ] = "26h",
    with_phones: Annotated[
        bool,
        typer.Option(
            "--with-phones",
            help="Put phone numbers in the page's data, for a page hosted behind "
            "authentication (never in the feeds or timeline.json).",
        ),
    ] = False,
) -> None:
    """Every feed (per team, level and person), timeline.json and index.html, for static hosting.

    The folder is replaced as a whole and atomically; the same input and --at give the same
    bytes."""
    from astreinte_cli.export import publish as publishing

    with boundary():
        if secret is None and not no_person_feeds:
            fail_usage(
                _("person feeds need a secret, so that their addresses cannot be guessed"),
                _("give --secret or set ASTREINTE_FEED_SECRET, or publish --no-person-feeds"),
            )
        if base_url is not None and not base_url.startswith(("https://", "http://")):
            fail_usage(
                _("--base-url must start with https:// (got '{base_url}')").format(
                    base_url=base_url
                )
            )
        target = directory.absolute()
        if person_links is not None and _inside(person_links, target):
            fail_usage(_("--person-links must be outside DIR: person feed addresses are secret"))
        roster, teams, zone = load_scope(rosters, team, tz)
        instant = export_instant(at, zone)
        first, last = publishing.default_range(instant, zone)
        options = publishing.PublishOptions(
            at=instant,
            start=first,
            end=last,
            secret=None if no_person_feeds else secret,
            base_url=base_url,
            private=private,
            remind=reminder(remind),
            stale_after=page_age(stale_after),
            with_phones=with_phones,
        )
        log = _previous_log(target, previous_log)
        if with_phones:
            typer.echo(
                _(
                    "warning: the page's data holds phone numbers (--with-phones): host "
                    "{directory} only behind authentication, never on a public site"
                ).format(directory=directory),
                err=True,
            )
        try:
            # Refuses a folder that is not a publication before anything is built; the files
            # are written into the staging folder as they are made, swapped in at the end.
            with publishing.write_publication(target) as staging:
                publication = build(
                    roster, teams, options, staging, progress=sys.stdout.isatty(), log=log
                )
                if person_links is not None:
                    # Before the publication is swapped in: links that cannot be written leave
                    # the previous publication in place (its addresses are the ones handed
                    # out). Secret addresses: readable by their owner only, whatever the umask.
                    links = publishing.person_links(publication, base_url)
                    write_output(
                        str(person_links),
                        json_text(links).encode(),
                        mode=0o600,
                        option="--person-links",
                    )
        except OSError as exc:
            fail_usage(
                _("cannot write {directory}: {reason}").format(
                    directory=directory, reason=exc.strerror or exc
                )
            )
        feeds = sum(1 for name in publication.files if name.endswith(".ics"))
        people = len(publication.person_feeds)
        typer.echo(
            _(
                "published {feeds} feeds ({people} personal), timeline.json and "
                "index.html to {directory}"
            ).format(feeds=feeds, people=people, directory=directory)
        )


def _previous_log(target: Path, given: Path | None) -> PublicationLog:
    """The log a publication carries forward: ``--previous-log``, else the one of the earlier
    publication in DIR, else none (the log starts with this publication)."""
    from astreinte_cli.publication_log import EMPTY, FILE_NAME, read_log

    if given is not None:
        return read_log(given)
    if (target / FILE_NAME).is_file() and not target.is_symlink():
        return read_log(target / FILE_NAME)
    return EMPTY


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies in ``folder`` once both are resolved: ``x/../DIR/l.json``, or a
    link into DIR (the file itself or a folder on the way), is inside."""
    from astreinte_cli.safe_read import resolved

    try:
        target, home = resolved(path), resolved(folder)
    except OSError as exc:  # a loop of links: nothing can be written there anyway
        subject = exc.filename or path
        fail_usage(_("{subject}: {message}").format(subject=subject, message=exc.strerror or exc))
    return target == home or home in target.parents


def build(
    roster: Roster,
    teams: list[Team],
    options: PublishOptions,
    folder: Path,
    *,
    progress: bool,
    log: PublicationLog | None = None,
) -> Publication:
    """The publication, written into ``folder``, with a progress bar on a terminal."""
    from astreinte_cli.export.publish import build_publication
    from astreinte_cli.publication_log import EMPTY

    previous = log if log is not None else EMPTY
    if not progress:
        return build_publication(roster, teams, options, folder, previous_log=previous)
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("publishing", total=None)

        def step(done: int, total: int, path: str) -> None:  # a description is markup
            bar.update(task, completed=done, total=total, description=escape(path))

        return build_publication(roster, teams, options, folder, step, previous)
