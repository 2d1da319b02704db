"""`astreinte publish DIR`: every feed, a JSON timeline and an index page, for static hosting.

Layout of a publication::

    index.html                  the page people read, computed in their browser at their
                                present (``page.py``): who is on call now, the weeks as a
                                picture, instructions, subscribe links (never a link to a
                                person's feed); with assets/ (its script and style) and data/
                                (each team's compiled stretches, read by the page)
    timeline.json               the `show --json` document over the published range
    teams/TEAM/team.ics         one feed per team ...
    teams/TEAM/level-N.ics      ... and per level
    people/HMAC.ics             one feed per person, their own shifts only, at a name derived
                                from a secret (HMAC-SHA256): unguessable, and stable
    publication-log.json        when each stretch was first published, carried from the
                                previous publication (:mod:`astreinte_cli.publication_log`)
    .astreinte-publication      marker: the folder may be replaced by the next publication

The same roster, options and ``at`` give the same bytes. The folder is replaced as a whole:
everything is written in a temporary sibling folder, then swapped in by renaming, so that a web
server never serves half a file or a mix of two publications. Each file is written there as
it is made, not held until the swap: a large organisation's feeds add up to hundreds of
megabytes.

Three modules make a publication: this one decides what is written when (which feeds, each
team's events found once and forgotten when no feed still needs them), ``page.py`` makes the
page, ``feeds.py`` writes each feed; ``atomic.py`` swaps the folder in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from astreinte_cli.atomic import Content, replace_folder, write_content
from astreinte_cli.compile import TeamTimeline, compile_team
from astreinte_cli.errors import HintedError
from astreinte_cli.export.documents import write_show_json
from astreinte_cli.export.event_text import feed_name
from astreinte_cli.export.events import (
    LevelEvents,
    compile_for_feeds,
    event_zones,
    feed_events,
    people_of,
)
from astreinte_cli.export.feeds import write_feed
from astreinte_cli.export.ical import EventWriter, FeedOptions
from astreinte_cli.export.page import PageOptions, page_file_count, page_files
from astreinte_cli.i18n import _
from astreinte_cli.model import Roster, Team
from astreinte_cli.publication_log import EMPTY, FILE_NAME, PublicationLog, updated, write_log
from astreinte_cli.times import local_reading, place

MARKER = ".astreinte-publication"
BACK = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=365)
MIN_SECRET_LENGTH = 16
STALE_AFTER = dt.timedelta(hours=26)  # a daily publication, with two hours' slack

Progress = Callable[[int, int, str], None]  # (done, total, path just built)


class PublishError(HintedError):
    """A publication that cannot be made (the CLI turns it into a usage error)."""


@dataclass(frozen=True, slots=True)
class PublishOptions:
    at: dt.datetime
    start: dt.datetime
    end: dt.datetime
    secret: str | None = None  # None: no person feeds
    base_url: str | None = None
    private: bool = False
    remind: dt.timedelta | None = None
    stale_after: dt.timedelta = STALE_AFTER  # the page says it may be out of date past this age
    with_phones: bool = False  # phone numbers in the page's data (a page behind authentication)

    def __post_init__(self) -> None:
        """A short secret is refused as the options are made: before any folder is touched,
        since a publication is written as it is built."""
        if self.secret is not None and len(self.secret) < MIN_SECRET_LENGTH:
            raise PublishError(
                _("the feed secret is too short ({count} characters)").format(
                    count=len(self.secret)
                ),
                _("use at least {count} random characters, e.g. `openssl rand -hex 32`").format(
                    count=MIN_SECRET_LENGTH
                ),
            )


@dataclass(frozen=True, slots=True)
class Publication:
    """What :func:`build_publication` wrote: the files' names, not their bytes (those are on
    disk, written one by one), and where each person's feed is."""

    files: tuple[str, ...]  # relative paths (with '/'), in the order they were written
    person_feeds: Mapping[str, str] = field(default_factory=dict)  # person id → relative path


def default_range(at: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """30 days back to 365 days ahead, from local midnight: the same range all day long."""
    today = local_reading(at, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return place(today - BACK, zone), place(today + AHEAD, zone)


def person_feed_name(secret: str, person: str) -> str:
    """The file name of a person's feed: unguessable without the secret, stable with it."""
    digest = hmac.new(secret.encode(), f"astreinte-person-feed-v1:{person}".encode(), "sha256")
    return f"{digest.hexdigest()[:32]}.ics"


# --------------------------------------------------------------------------- building


def build_publication(
    roster: Roster,
    teams: Sequence[Team],
    options: PublishOptions,
    folder: Path,
    progress: Progress | None = None,
    previous_log: PublicationLog = EMPTY,
) -> Publication:
    """Writes every file of the publication into ``folder`` (new and empty: the staging folder
    of :func:`write_publication`), each as soon as it is made, and says what it wrote.

    Memory holds the compiled timelines and the events of the few teams whose people's feeds
    are still to be made, not the files: each feed is written as it is made, and
    ``timeline.json`` team by team, as `show --json` writes it. ``progress`` is told of each
    file once it is written. The publication log carries ``previous_log`` forward.
    """
    start, end = options.start, options.end
    timelines = compile_for_feeds(roster, teams, start, end)
    # Each person's feed reads only the teams that can put them on call: reading every team's
    # shifts for every person made a publication grow with the square of its size.
    teams_of: dict[str, list[TeamTimeline]] = {}
    for timeline in timelines:
        for person in people_of(timeline.team):
            teams_of.setdefault(person, []).append(timeline)
    person_feeds: dict[str, str] = {}
    if options.secret is not None:  # people (not services) on call somewhere, in roster order
        person_feeds = {
            person: f"people/{person_feed_name(options.secret, person)}"
            for person, info in roster.people.items()
            if person in teams_of and not info.is_service
        }

    # Every feed's events are written by one writer: the same stamp, privacy and reminder.
    events_options = FeedOptions("", options.at, private=options.private, remind=options.remind)
    writer = EventWriter(roster, events_options)

    def feed(events: list[LevelEvents], name: str) -> Content:
        """The feed of ``events``, as the function that writes it. Its VTIMEZONEs are those of
        its events' teams (:func:`event_zones`), not those of every team it could hold."""
        feed_options = dataclasses.replace(events_options, name=name)
        zones = event_zones(events)

        def write_it(stream: BinaryIO) -> None:
            write_feed(
                stream, roster, feed_options, start, end, [events], zones=zones, writer=writer
            )

        return write_it

    # Each team's events are found once: its level feeds and its people's feeds are parts of
    # them, in the same order (finding them again for each person's feed would find each
    # team's events once per person of the team). A person's feed is made as soon as the last
    # of their teams has been, and a team's events and frames are forgotten after the last
    # feed that needs them: memory holds a few teams' events, not the organisation's.
    position = {timeline.team.id: index for index, timeline in enumerate(timelines)}
    finishing: dict[int, list[str]] = {}  # team's position → people whose last team it is
    needed_until = dict(position)  # team → the position after which nothing reads its events
    for person in person_feeds:
        last = position[teams_of[person][-1].team.id]
        finishing.setdefault(last, []).append(person)
        for timeline in teams_of[person]:
            needed_until[timeline.team.id] = max(needed_until[timeline.team.id], last)
    forgotten_after: dict[int, list[str]] = {}
    for team_id, last in needed_until.items():
        forgotten_after.setdefault(last, []).append(team_id)
    events_of: dict[str, list[LevelEvents]] = {}

    def feeds() -> Iterator[tuple[str, Content]]:
        """Each feed's path and writer, in order: a feed is made as it is written, after the
        one before."""
        for index, timeline in enumerate(timelines):
            team = timeline.team
            events = events_of[team.id] = feed_events([timeline], start, end)
            yield f"teams/{team.id}/team.ics", feed(events, feed_name(roster, team, None, None))
            for level in team.levels:
                path = f"teams/{team.id}/level-{level.number}.ics"
                name = feed_name(roster, team, level.number, None)
                yield path, feed([e for e in events if e.level.number == level.number], name)
            for person in finishing.get(index, []):
                theirs = [e.of(person) for t in teams_of[person] for e in events_of[t.team.id]]
                yield person_feeds[person], feed(theirs, feed_name(roster, None, None, person))
            for team_id in forgotten_after.get(index, []):
                del events_of[team_id]
                writer.forget(team_id)

    written: list[str] = []

    def write(relative: str, content: Content) -> None:
        path = folder.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as stream:
            write_content(stream, content)
        written.append(relative)

    total = (
        sum(1 + len(t.team.levels) for t in timelines)
        + len(person_feeds)
        + 1
        + page_file_count(len(timelines))
    )
    for done, (path, content) in enumerate(feeds(), start=1):
        write(path, content)
        if progress is not None:
            progress(done, total, path)
    zone = teams[0].zone if teams else ZoneInfo("UTC")

    def exact(team: Team) -> TeamTimeline:  # over the range only, as `show --json` has it
        return compile_team(roster, team, start, end)

    def timeline_json(stream: BinaryIO) -> None:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        write_show_json(text, teams, exact, start, end, zone)
        text.detach()  # flushed; ``stream`` stays open, for its owner to close

    write("timeline.json", timeline_json)
    done = len(written)
    if progress is not None:
        progress(done, total, "timeline.json")
    for path, content in _page(roster, timelines, options):
        write(path, content)
        done += 1
        if progress is not None:
            progress(done, total, path)
    if person_feeds:
        # Many static servers list a folder's files when it has no index page.
        write("people/index.html", b"<!DOCTYPE html><title>Astreinte</title>\n")
    log = updated(previous_log, timelines, options.at, start, end)
    zones = {t.id: t.zone for t in roster.teams}
    write(FILE_NAME, lambda stream: write_log(stream, log, zones))
    write(MARKER, b"Written by `astreinte publish`; the next publication replaces this folder.\n")
    return Publication(tuple(written), person_feeds)


def _page(
    roster: Roster, timelines: Sequence[TeamTimeline], options: PublishOptions
) -> Iterator[tuple[str, bytes]]:
    """The page's files (``page.py``): ``index.html``, its script and style, and its data."""
    page_options = PageOptions(
        at=options.at,
        start=options.start,
        end=options.end,
        base_url=options.base_url,
        stale_after=options.stale_after,
        with_phones=options.with_phones,
    )
    return page_files(roster, timelines, page_options)


# --------------------------------------------------------------------------- writing


def check_target(directory: Path) -> None:
    """Refuses to replace a folder that is not a previous publication (say, a home folder)."""
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise PublishError(_("{directory} exists and is not a folder").format(directory=directory))
    if directory.is_dir() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise PublishError(
            _("{directory} is not empty and holds no earlier publication: not replacing it").format(
                directory=directory
            ),
            _("give an empty or new folder; publish replaces the whole folder each time"),
        )


@contextmanager
def write_publication(directory: Path) -> Iterator[Path]:
    """The staging folder to write a publication into (with :func:`build_publication`), put at
    ``directory`` as a whole when the block ends (:func:`atomic.replace_folder`: on any failure
    the previous publication stays as it was). ``directory`` is checked first
    (:func:`check_target`), before anything is built."""
    directory = directory.absolute()
    check_target(directory)
    with replace_folder(directory, MARKER) as staging:
        yield staging


def person_links(publication: Publication, base_url: str | None) -> dict[str, str]:
    """Person id → address of their feed (to hand out privately, never to publish)."""
    prefix = f"{base_url.rstrip('/')}/" if base_url else ""
    return {person: prefix + path for person, path in publication.person_feeds.items()}
