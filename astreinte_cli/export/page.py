"""The page of a publication (``index.html``): who is on call this week in each team and level,
the instructions, and the addresses to subscribe to the team and level feeds (never a person's).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.i18n import _, format_day, format_instant, get_language
from astreinte_cli.model import Roster, Team
from astreinte_cli.times import local_reading, place

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


def _team_section(
    roster: Roster, timeline: TeamTimeline, at: dt.datetime, base_url: str | None
) -> Iterator[str]:
    team = timeline.team
    monday, sunday_end = _week(at, team)
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
            if stretch.start <= at < stretch.end:
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
        links = _links(f"teams/{team.id}/level-{level.number}.ics", base_url)
        yield "<p>" + _("Subscribe: {links}").format(links=links) + "</p></li>"
    yield "</ul>"
    if team.fallback is not None:
        fallback = _names(roster, [team.fallback])
        yield "<p>" + _("Last resort: {names}").format(names=fallback) + "</p>"
    links = _links(f"teams/{team.id}/team.ics", base_url)
    yield "<p>" + _("Whole team: {links}").format(links=links) + "</p>"
    yield "</section>"


def index_page(
    roster: Roster,
    timelines: Sequence[TeamTimeline],
    *,
    at: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    base_url: str | None,
) -> str:
    """The page of a publication made at ``at`` whose feeds cover ``[start, end)``, linking them
    under ``base_url``: self-contained (no script, no external resource). Names, never phone
    numbers."""
    zone = timelines[0].team.zone if timelines else ZoneInfo("UTC")
    generated = at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
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
        + _e(published.format(when=generated, start=_day(start, zone), end=_day(end, zone)))
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
        parts.extend(part for part in _team_section(roster, timeline, at, base_url) if part)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
