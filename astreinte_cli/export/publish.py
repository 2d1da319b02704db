"""`astreinte publish DIR`: every feed, a JSON timeline and an index page, for static hosting.

Layout of a publication::

    index.html                  the page people read: who is on call this week, instructions,
                                subscribe links (never a link to a person's feed)
    timeline.json               the `show --json` document over the published range
    teams/TEAM/team.ics         one feed per team ...
    teams/TEAM/level-N.ics      ... and per level
    people/HMAC.ics             one feed per person, their own shifts only, at a name derived
                                from a secret (HMAC-SHA256): unguessable, and stable
    .astreinte-publication      marker: the folder may be replaced by the next publication

The same roster, options and ``at`` give the same bytes. The folder is replaced as a whole:
everything is written in a temporary sibling folder, then swapped in by renaming, so that a web
server never serves half a file or a mix of two publications. Each file is written there as
soon as it is made: held until the swap, the files of 200 teams took 1.5 GB.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as dt
import hmac
import html
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from astreinte_cli.compile import TeamTimeline, compile_team
from astreinte_cli.errors import HintedError
from astreinte_cli.export import ics
from astreinte_cli.export.documents import write_show_json
from astreinte_cli.i18n import _, format_day, format_instant, get_language
from astreinte_cli.model import Roster, Team
from astreinte_cli.times import local_reading, place

MARKER = ".astreinte-publication"
BACK = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=365)
MIN_SECRET_LENGTH = 16

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
) -> Publication:
    """Writes every file of the publication into ``folder`` (new and empty: the staging folder
    of :func:`write_publication`), each as soon as it is made, and says what it wrote.

    Memory holds the compiled timelines, the events of the few teams whose people's feeds are
    still to be made, and one file at a time: the feeds of 200 teams add up to 640 MB, and
    ``timeline.json`` (55 MB) is written team by team, as `show --json` writes it. ``progress``
    is told of each file once it is written.
    """
    start, end = options.start, options.end
    timelines = ics.compile_for_feeds(roster, teams, start, end)
    # Each person's feed reads only the teams that can put them on call: reading every team's
    # shifts for every person made a publication grow with the square of its size.
    teams_of: dict[str, list[TeamTimeline]] = {}
    for timeline in timelines:
        for person in ics.people_of(timeline.team):
            teams_of.setdefault(person, []).append(timeline)
    person_feeds: dict[str, str] = {}
    if options.secret is not None:  # people (not services) on call somewhere, in roster order
        person_feeds = {
            person: f"people/{person_feed_name(options.secret, person)}"
            for person, info in roster.people.items()
            if person in teams_of and not info.is_service
        }

    # Every feed's events are written by one writer: the same stamp, privacy and reminder.
    events_options = ics.FeedOptions("", options.at, private=options.private, remind=options.remind)
    writer = ics.EventWriter(roster, events_options)

    def feed(events: Sequence[ics.FeedEvent], name: str) -> bytes:
        feed_options = dataclasses.replace(events_options, name=name)
        return ics.feed_bytes(roster, events, feed_options, start, end, writer)

    # Each team's events are found once: its level feeds and its people's feeds are parts of
    # them, in the same order (finding them again for each person's feed was half of the
    # publication of 200 teams). A person's feed is made as soon as the last of their teams
    # has been, and a team's events and frames are forgotten after the last feed that needs
    # them: memory holds a few teams' events, not the organisation's.
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
    events_of: dict[str, list[ics.FeedEvent]] = {}

    def feeds() -> Iterator[tuple[str, bytes]]:
        """Each feed's path and bytes, made only when the one before is written."""
        for index, timeline in enumerate(timelines):
            team = timeline.team
            events = events_of[team.id] = ics.feed_events([timeline], start, end)
            yield f"teams/{team.id}/team.ics", feed(events, ics.feed_name(roster, team, None, None))
            for level in team.levels:
                path = f"teams/{team.id}/level-{level.number}.ics"
                name = ics.feed_name(roster, team, level.number, None)
                yield path, feed([e for e in events if e.level.number == level.number], name)
            for person in finishing.get(index, []):
                theirs = [e for t in teams_of[person] for e in events_of[t.team.id]]
                name = ics.feed_name(roster, None, None, person)
                yield person_feeds[person], feed([e for e in theirs if person in e.who], name)
            for team_id in forgotten_after.get(index, []):
                del events_of[team_id]
                writer.forget(team_id)

    written: list[str] = []

    def write(relative: str, data: bytes | Callable[[BinaryIO], object]) -> None:
        path = folder.joinpath(*relative.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_file(path, data)
        written.append(relative)

    total = sum(1 + len(t.team.levels) for t in timelines) + len(person_feeds) + 2
    for done, (path, data) in enumerate(feeds(), start=1):
        write(path, data)
        del data  # before the next feed is made
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
    if progress is not None:
        progress(total - 1, total, "timeline.json")
    write("index.html", index_page(roster, timelines, options).encode())
    if progress is not None:
        progress(total, total, "index.html")
    if person_feeds:
        # Many static servers list a folder's files when it has no index page.
        write("people/index.html", b"<!DOCTYPE html><title>Astreinte</title>\n")
    write(MARKER, b"Written by `astreinte publish`; the next publication replaces this folder.\n")
    return Publication(tuple(written), person_feeds)


# --------------------------------------------------------------------------- the page


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1f; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
.muted { color: #666; } .gap { color: #b00020; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e3e3e3;
         vertical-align: top; }
th { background: #f4f4f6; }
.instructions { white-space: pre-line; background: #fafafa; border-left: 3px solid #999;
                padding: .4rem .8rem; }
tr.now td { background: #e8f4ff; font-weight: bold; }
.badge { background: #0b5cad; color: #fff; border-radius: .6rem; padding: 0 .45rem;
         font-size: .75em; }
.note { background: #fff8e1; border: 1px solid #f0d98c; padding: .6rem 1rem; }
code { font-size: .9em; }
""".strip()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _instructions(text: str | None) -> str:
    if not text or not text.strip():
        return ""
    value = text.strip()
    if value.startswith(("https://", "http://")) and not any(c.isspace() for c in value):
        return f'<p class="instructions"><a href="{_e(value)}">{_e(value)}</a></p>'
    return f'<p class="instructions">{_e(value)}</p>'


def _links(path: str, base_url: str | None) -> str:
    if base_url is None:
        return (
            f'<a href="{_e(path)}">{_e(path)}</a> '
            '<span class="muted">('
            + _("publish with --base-url for absolute and webcal:// links")
            + ")</span>"
        )
    https = f"{base_url.rstrip('/')}/{path}"
    webcal = "webcal://" + https.split("://", 1)[-1]
    return (
        f'<a href="{_e(https)}">{_e(https)}</a> · '
        f'<a href="{_e(webcal)}">{_e(webcal.split(":", 1)[0])}://…</a>'
    )


def _local(instant: dt.datetime, team: Team) -> str:
    return format_instant(instant, team.zone)


def _day(instant: dt.datetime, zone: ZoneInfo) -> str:
    return format_day(instant.astimezone(zone).date(), "date")


def _week(at: dt.datetime, team: Team) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local, around ``at``."""
    today = local_reading(at, team.zone).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - dt.timedelta(days=today.weekday())
    return place(monday, team.zone), place(monday + dt.timedelta(days=7), team.zone)


def _names(roster: Roster, who: Sequence[str]) -> str:
    return _e(roster.names(who))


def _team_section(roster: Roster, timeline: TeamTimeline, options: PublishOptions) -> Iterator[str]:
    team = timeline.team
    monday, sunday_end = _week(options.at, team)
    yield f'<section class="team" id="team-{_e(team.id)}">'
    yield f"<h2>{_e(team.name)}</h2>"
    yield f'<p class="muted">{_e(team.id)} · {_e(team.timezone)}</p>'
    yield _instructions(team.instructions)
    this_week = _e(_("On call this week"))
    yield (
        f"<h3>{this_week}</h3>"
        f'<p class="muted">{_e(_local(monday, team))} → {_e(_local(sunday_end, team))}'
        f" ({_e(team.timezone)})</p>"
    )
    headings = (_("Level"), _("On call"), _("From"), _("To"))
    yield '<table class="on-call"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in headings)
    yield "</tr></thead><tbody>"
    for level_timeline in timeline.levels:
        level = level_timeline.level
        label = f"N{level.number} · {_e(level.name)}"
        rows = [
            s
            for s in level_timeline.merged(lambda s: s.state)
            if s.active and s.end > monday and s.start < sunday_end
        ]
        if not rows:
            off = _e(_("off all week"))
            yield f'<tr><td>{label}</td><td class="muted" colspan="3">{off}</td></tr>'
        for stretch in rows:
            who = (
                _names(roster, stretch.who)
                if stretch.who
                else '<span class="gap">' + _e(_("NOBODY (gap)")) + "</span>"
            )
            row, badge = "<tr>", ""
            if stretch.start <= options.at < stretch.end:
                row, badge = '<tr class="now">', ' <span class="badge">' + _e(_("now")) + "</span>"
            yield (
                f"{row}<td>{label}</td><td>{who}{badge}</td>"
                f"<td>{_e(_local(max(stretch.start, monday), team))}</td>"
                f"<td>{_e(_local(min(stretch.end, sunday_end), team))}</td></tr>"
            )
    yield "</tbody></table>"
    yield "<h3>" + _e(_("Levels")) + "</h3><ul>"
    for level_timeline in timeline.levels:
        level = level_timeline.level
        minutes = int(level.escalate_after.total_seconds() // 60)
        after = _("(next level called after {minutes} min)").format(minutes=minutes)
        yield (
            f"<li><strong>N{level.number} · {_e(level.name)}</strong> "
            f'<span class="muted">{_e(after)}</span>'
        )
        yield _instructions(level.instructions)
        links = _links(f"teams/{team.id}/level-{level.number}.ics", options.base_url)
        yield "<p>" + _("Subscribe: {links}").format(links=links) + "</p></li>"
    yield "</ul>"
    if team.fallback is not None:
        fallback = _names(roster, [team.fallback])
        yield "<p>" + _("Last resort: {names}").format(names=fallback) + "</p>"
    links = _links(f"teams/{team.id}/team.ics", options.base_url)
    yield "<p>" + _("Whole team: {links}").format(links=links) + "</p>"
    yield "</section>"


def index_page(roster: Roster, timelines: Sequence[TeamTimeline], options: PublishOptions) -> str:
    """A self-contained page (no script, no external resource). Names, never phone numbers."""
    zone = timelines[0].team.zone if timelines else ZoneInfo("UTC")
    generated = options.at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    title = _e(_("Astreinte — on-call rosters"))
    published = _("Published for {when}; the feeds hold the shifts from {start} to {end}.")
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{get_language()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">',
        f"<title>{title}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        '<p class="muted">'
        + _e(
            published.format(
                when=generated, start=_day(options.start, zone), end=_day(options.end, zone)
            )
        )
        + "</p>",
        # Inline markup stays in the message: a translator moves it with the words it marks.
        '<div class="note">'
        + _(
            "<p><strong>Subscribing from a phone.</strong> Add a feed by its "
            "<code>https://</code> address (“From URL” in Google Calendar, “Subscribe” in "
            "Outlook); <code>webcal://</code> opens Apple Calendar directly but fails in Google "
            "and Outlook. <strong>Google Calendar refreshes subscriptions only every 12–24 "
            "hours</strong>, so a late swap may not be on your phone yet: this page and "
            "<code>astreinte now</code> are always current. Events are marked free, not "
            "busy.</p><p>Your own feed (only your shifts) is at a private address: ask whoever "
            "publishes this page. Feeds never contain phone numbers.</p>"
        )
        + "</div>",
    ]
    if not timelines:
        parts.append("<p>" + _e(_("No team.")) + "</p>")
    for timeline in timelines:
        parts.extend(part for part in _team_section(roster, timeline, options) if part)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


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
    ``directory`` as a whole when the block ends.

    ``directory`` is checked first (:func:`check_target`), before anything is built. The
    staging folder is a temporary sibling of ``directory``; only when the block has written
    every file is it swapped in, by an atomic exchange of the two folders where the system has
    one (Linux ``renameat2``), else by two renames. On any failure, the block's included, the
    staging folder is removed and the previous publication stays as it was.
    """
    directory = directory.absolute()
    check_target(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=directory.parent))
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
        _swap(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after a swap: the previous publication


def _write_file(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Writes ``data``: the bytes, or a function that writes them to the stream it is given
    (a file too large to hold, as ``timeline.json`` is)."""
    with path.open("wb") as stream:
        if isinstance(data, bytes):
            stream.write(data)
        else:
            data(stream)


def _swap(staging: Path, directory: Path) -> None:
    """Puts ``staging`` at ``directory``; the previous folder, if any, ends up at ``staging``."""
    if not directory.exists():
        staging.rename(directory)
        return
    if _exchange(staging, directory):
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    retired.rmdir()
    directory.rename(retired)
    staging.rename(directory)
    retired.rename(staging)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchanges two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False when the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # glibc ≥ 2.28, musl
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(result == 0)


def person_links(publication: Publication, base_url: str | None) -> dict[str, str]:
    """Person id → address of their feed (to hand out privately, never to publish)."""
    prefix = f"{base_url.rstrip('/')}/" if base_url else ""
    return {person: prefix + path for person, path in publication.person_feeds.items()}
