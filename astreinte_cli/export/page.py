"""The page of a publication: ``index.html``, its script and style, and the data it reads.

The page computes everything in the reader's browser, at the reader's present, from compiled
stretches: who is on call now, since and until when, who is next, the escalation chain, and a
picture of the weeks. It never recomputes a rotation; it reads what the compiler made.

Layout inside a publication::

    index.html                      the page: a shell the script fills (no team content)
    assets/astreinte.js, .css       the script and style, copied from ``export/web/``
    data/publication.js             what every view needs first: when it was published, the
                                    range, the language and its messages, the teams (names,
                                    zones, levels, feeds) and the name of each team's data file
    data/teams/TEAM.js              a team's stretches over the published range, per level
    data/teams/TEAM.near.js         the same, over the weeks around the publication only
    data/people.js                  each person's name and teams, for the "my shifts" filter

Data files are scripts that hand a JSON value to a function of the page
(``astreinte.receive(...)``), not JSON fetched: a browser refuses ``fetch()`` of a
``file://`` address, and a page opened from the folder must work. A 200-team organisation's
year is tens of megabytes: the page loads the near file of the teams it shows, and a team's
whole file only when the view leaves the weeks the near file holds.

A level's data is its compiled stretches (the state is constant in each: covered or not, who in
the order of that time, the source), cut to the published range, with what lies beyond either
end that `now` needs: since when the state at the first instant has held, and until when the
state at the last instant holds and what comes after (the compiler's answer, null past 400
days, as SPEC §7 has it). From that the page answers `now` at any instant of the range.

Names, never phone numbers, unless ``with_phones`` (a page hosted behind authentication).
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import itertools
import json
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.contacts import display_phone
from astreinte_cli.export.events import people_of
from astreinte_cli.i18n import _, get_language
from astreinte_cli.model import Roster, Team
from astreinte_cli.query import level_now
from astreinte_cli.timeline import LevelTimeline, Stretch
from astreinte_cli.windows import TeamCalendar

JSON = dict[str, Any]
ASSETS = ("astreinte.js", "astreinte.css")
DATA_VERSION = 1
NEAR_BEFORE = dt.timedelta(days=21)  # the near file: three weeks back (a week view, and more)
NEAR_AFTER = dt.timedelta(days=42)  # to six weeks ahead (a month view of the coming month)
_ONE_MS = dt.timedelta(milliseconds=1)  # the last instant of a range, as a browser counts


@dataclass(frozen=True, slots=True)
class PageOptions:
    at: dt.datetime  # the publication's instant
    start: dt.datetime  # the published range
    end: dt.datetime
    base_url: str | None
    stale_after: dt.timedelta  # the page says it is old past this age
    with_phones: bool = False


def page_files(
    roster: Roster, timelines: Sequence[TeamTimeline], options: PageOptions
) -> Iterator[tuple[str, bytes]]:
    """Every file of the page, path (with '/') and bytes, one team at a time: the teams' data
    files first, then the people, the publication's data, the assets and ``index.html``."""
    people: dict[str, list[int]] = {}  # person → positions of their teams
    entries: list[JSON] = []
    low, high = _stamp(options.start), _stamp(options.end)
    near_low = max(low, _stamp(options.at - NEAR_BEFORE))
    near_high = min(high, _stamp(options.at + NEAR_AFTER))
    for position, timeline in enumerate(timelines):
        team = timeline.team
        data, levels = _team_data(roster, timeline, options)
        for person in people_of(team):
            people.setdefault(person, []).append(position)
        whole = f"data/teams/{team.id}.js"
        yield whole, _script("team", _team_file(data, levels, low, high))
        near: list[Any] | None = None
        if near_low < near_high:
            near = [f"data/teams/{team.id}.near.js", near_low, near_high]
            yield near[0], _script("team", _team_file(data, levels, near_low, near_high))
        entries.append(_team_entry(team, whole, near, options))
    listed = [
        [person, roster.people[person].name, sorted(teams)]
        for person, teams in sorted(people.items())
    ]
    yield "data/people.js", _script("people", listed)
    yield "data/publication.js", _script("publication", _publication(entries, options))
    folder = resources.files("astreinte_cli.export").joinpath("web")
    for name in ASSETS:
        yield f"assets/{name}", folder.joinpath(name).read_bytes()
    yield "index.html", index_html().encode()


def page_file_count(teams: int, *, near: bool = True) -> int:
    """How many files :func:`page_files` writes for ``teams`` teams (for a progress bar)."""
    return (2 if near else 1) * teams + 3 + len(ASSETS)


# --------------------------------------------------------------------------- data


def _script(kind: str, value: object) -> bytes:
    """A data file: a script handing ``value`` to the page. JSON is a JavaScript expression;
    ``<`` is escaped as well, so that no text of a roster reads as markup anywhere."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"astreinte.receive({json.dumps(kind)},{text});\n".encode()


def _publication(entries: list[JSON], options: PageOptions) -> JSON:
    return {
        "version": DATA_VERSION,
        "published": _stamp(options.at),
        "from": _stamp(options.start),
        "to": _stamp(options.end),
        "stale_after": int(options.stale_after.total_seconds()),
        "lang": get_language(),
        "phones": options.with_phones,
        "messages": messages(),
        "teams": entries,
    }


def _team_entry(team: Team, whole: str, near: list[Any] | None, options: PageOptions) -> JSON:
    base = options.base_url.rstrip("/") + "/" if options.base_url else ""
    feeds: list[tuple[int | None, str]] = [(None, f"teams/{team.id}/team.ics")]
    feeds += [(level.number, f"teams/{team.id}/level-{level.number}.ics") for level in team.levels]
    return {
        "id": team.id,
        "name": team.name,
        "timezone": team.timezone,
        "data": whole,
        "near": near,
        "feeds": [[level, base + path] for level, path in feeds],
        "webcal": bool(base),  # absolute addresses: a webcal:// form too
    }


Stamp = int | float  # seconds since the epoch: whole ones (nearly always) as int


@dataclass(frozen=True, slots=True)
class _Level:
    """A level's stretches over the range (neighbours in the same state joined): ``bounds``
    are their starts and, last, the end of the last one; ``states`` their states. And what
    `now` needs beyond the range: since when the state at its start has held, until when the
    state at its end holds and the state after that (None past 400 days)."""

    meta: JSON
    bounds: list[Stamp]
    states: list[int]
    before: Stamp | None
    until: Stamp | None
    following: int | None


def _team_data(
    roster: Roster, timeline: TeamTimeline, options: PageOptions
) -> tuple[JSON, list[_Level]]:
    """A team's data (without its levels' stretches) and its levels.

    States (covered or not, who in order, source) are listed once and stretches point at them:
    a year of a level is thousands of stretches and a few dozen states."""
    team = timeline.team
    start, end = options.start, options.end
    states: dict[tuple[bool, tuple[str, ...], str | None], int] = {}
    levels = []
    for level_timeline in timeline.levels:
        bounds, level_states = _spans(level_timeline, start, end, states)
        until, following = _until_at_end(roster, level_timeline, end)
        level = level_timeline.level
        meta = {
            "level": level.number,
            "name": level.name,
            "escalate_after_minutes": int(level.escalate_after.total_seconds() // 60),
            "instructions": level.instructions,
        }
        if following is not None:
            key = (following.active, following.who, following.source)
            following_state: int | None = states.setdefault(key, len(states))
        else:
            following_state = None
        levels.append(
            _Level(
                meta,
                bounds,
                level_states,
                _stamp(_since_at_start(roster, level_timeline, start)),
                _stamp(until),
                following_state,
            )
        )
    people_ids = {p for _active, who, _source in states for p in who} | people_of(team)
    if team.fallback is not None:
        people_ids.add(team.fallback)
    order = sorted(people_ids)
    index = {person: position for position, person in enumerate(order)}
    calendar = TeamCalendar(team)
    first, last = calendar.date_span(start, end)
    reasons = {o.source: o.reason for o in team.overrides if o.reason}
    holidays = calendar.holiday_names(first, last)
    data = {
        "id": team.id,
        "name": team.name,
        "timezone": team.timezone,
        "instructions": team.instructions,
        "people": [_person(roster, person, with_phone=options.with_phones) for person in order],
        "fallback": None if team.fallback is None else index[team.fallback],
        "states": [
            [int(active), [index[p] for p in who], source, reasons.get(source or "")]
            for active, who, source in states
        ],
        "holidays": [[day.isoformat(), name] for day, name in sorted(holidays.items())],
        "open": None
        if team.business_hours is None
        else [
            [_stamp(instant) for instant in interval]
            for interval in calendar.business_hours(start, end)
        ],
    }
    return data, levels


def _team_file(data: JSON, levels: list[_Level], low: Stamp, high: Stamp) -> JSON:
    """The team's data file over ``[low, high)``: each level's stretches there, as their
    lengths end to end from ``low`` with their states, and the edges beyond it (found in the
    stretches left out where they show them). Instants are seconds since the epoch."""
    seen = [(state[0], frozenset(state[1])) for state in data["states"]]  # what a caller sees
    level_entries = []
    for level in levels:
        bounds, states = level.bounds, level.states
        count = len(states)
        first = max(bisect.bisect_right(bounds, low) - 1, 0)
        final = min(bisect.bisect_left(bounds, high) - 1, count - 1)
        index = first
        while index > 0 and seen[states[index - 1]] == seen[states[first]]:
            index -= 1
        before = level.before if index == 0 else bounds[index]
        index = final
        while index + 1 < count and seen[states[index + 1]] == seen[states[final]]:
            index += 1
        until: Stamp | None = level.until
        following: int | None = level.following
        if index + 1 < count:
            until, following = bounds[index + 1], states[index + 1]
        cut = bounds[first : final + 2]
        cut[0], cut[-1] = max(cut[0], low), min(cut[-1], high)
        lengths = map(operator.sub, cut[1:], cut[:-1])
        pairs = zip(lengths, states[first : final + 1], strict=True)
        runs = list(itertools.chain.from_iterable(pairs))
        level_entries.append(
            {**level.meta, "runs": runs, "before": before, "after": [until, following]}
        )
    opened = data["open"]
    return {
        **data,
        "from": low,
        "to": high,
        "levels": level_entries,
        "open": None
        if opened is None
        else [value for s, e in opened if e > low and s < high for value in (s, e)],
    }


def _stamp(instant: dt.datetime | None) -> Any:
    """An instant as seconds since the epoch, whole ones as int (JSON writes them best)."""
    if instant is None:
        return None
    value = instant.timestamp()
    return int(value) if value.is_integer() else value


def _spans(
    timeline: LevelTimeline,
    start: dt.datetime,
    end: dt.datetime,
    states: dict[tuple[bool, tuple[str, ...], str | None], int],
) -> tuple[list[Stamp], list[int]]:
    """The level's stretches cut to ``[start, end)``, as bounds and states (numbered in
    ``states``, which this extends); neighbours with the same state, people in the same order
    and source are joined (the compiler may cut where nothing a reader sees changes)."""
    first = max(bisect.bisect_right(timeline.starts, start) - 1, 0)
    stop = bisect.bisect_left(timeline.starts, end)
    # A year of a large organisation is hundreds of thousands of stretches: each step is a
    # map or a comparison of lists, run by the interpreter's C code, not a loop in Python.
    selected = timeline.stretches[first:stop]
    keys = list(map(_KEY, selected))
    starts = timeline.starts[first:stop]
    if any(map(operator.eq, keys, keys[1:])):  # neighbours alike: join them
        kept = [0] + [i for i in range(1, len(keys)) if keys[i] != keys[i - 1]]
        keys = [keys[i] for i in kept]
        starts = tuple(starts[i] for i in kept)
    for key in dict.fromkeys(keys):
        states.setdefault(key, len(states))
    seconds = list(map(dt.datetime.timestamp, starts))
    seconds[0] = max(seconds[0], start.timestamp())
    seconds.append(end.timestamp())
    whole: list[Stamp] = list(map(int, seconds))
    bounds: list[Stamp] = whole if whole == seconds else list(seconds)
    return bounds, list(map(states.__getitem__, keys))


_KEY = operator.attrgetter("active", "who", "source")


def _person(roster: Roster, person_id: str, *, with_phone: bool) -> list[Any]:
    """[id, name], and with ``with_phone`` the number (E.164) and its display form."""
    person = roster.people[person_id]
    entry: list[Any] = [person.id, person.name]
    if with_phone and person.phone:
        entry += [person.phone, display_phone(person.phone)]
    return entry


def _since_at_start(
    roster: Roster, timeline: LevelTimeline, start: dt.datetime
) -> dt.datetime | None:
    """Since when the state at ``start`` has held: from the compiled stretches when they show
    its beginning, else the compiler's answer (`now` at ``start``: null past 400 days)."""
    stretches = timeline.stretches
    index = bisect.bisect_right(timeline.starts, start) - 1
    state = stretches[index].state
    while index > 0 and stretches[index - 1].state == state:
        index -= 1
    if index > 0:
        return stretches[index].start
    return level_now(roster, timeline.team, timeline.level, start).since


def _until_at_end(
    roster: Roster, timeline: LevelTimeline, end: dt.datetime
) -> tuple[dt.datetime | None, Stretch | None]:
    """Until when the state at the range's last instant (as a browser counts: a millisecond
    before its end) holds, and the state after it: from the compiled stretches when they show
    its end, else the compiler's answer."""
    stretches = timeline.stretches
    last = end - _ONE_MS
    index = bisect.bisect_right(timeline.starts, last) - 1
    state = stretches[index].state
    while index + 1 < len(stretches) and stretches[index + 1].state == state:
        index += 1
    if index + 1 < len(stretches):
        return stretches[index].end, stretches[index + 1]
    answer = level_now(roster, timeline.team, timeline.level, last)
    return answer.until, answer.next if answer.until is not None else None


# --------------------------------------------------------------------------- the page


def messages() -> dict[str, str]:
    """The page's words, in the publication's language (the script fills the placeholders)."""
    return {
        "title": _("Astreinte — on-call rosters"),
        "now": _("Now"),
        "level": _("Level {number} · {name}"),
        "since": _("since {when}"),
        "since_long": _("since more than 400 days"),
        "until": _("until {when} (in {duration})"),
        "until_none": _("with no change in the next 400 days"),
        "days": _("{days} d"),
        "hours": _("{hours} h"),
        "minutes": _("{minutes} min"),
        "gap": _("NOBODY ON CALL — this level is in its coverage and empty"),
        "gap_short": _("NOBODY (gap)"),
        "off": _("off (outside this level's coverage); astreinte {resume}"),
        "resumes": _("resumes {when}"),
        "no_resume": _("does not resume within 400 days"),
        "off_short": _("off (outside coverage)"),
        "next": _("next:"),
        "source": _("source: {source}"),
        "instructions": _("Instructions:"),
        "escalation": _("Escalation:"),
        "nobody_to_call": _("nobody to call"),
        "first": _("first"),
        "after": _("after {duration}"),
        "step_level": _("level {number}"),
        "step_fallback": _("fallback"),
        "step": _("{step}:"),
        "no_phone": _("(no phone on file)"),
        "published": _("Published {when}."),
        "stale": _(
            "This page may be out of date: it was published {when}, {age} ago. "
            "Ask whoever publishes it, or run astreinte now."
        ),
        "past_range": _(
            "This page is out of date: the present is past the end of what was published "
            "({end}). It was published {when}."
        ),
        "before_range": _(
            "The present is before the start of what was published ({start}): check this "
            "device's clock. It was published {when}."
        ),
        "timezone": _("Times in {zone}"),
        "week": _("Week"),
        "month": _("Month"),
        "previous": _("Previous"),
        "following": _("Next"),
        "today": _("Today"),
        "view": _("View"),
        "team_filter": _("Team"),
        "all_teams": _("All teams"),
        "person_filter": _("My shifts"),
        "everyone": _("Everyone"),
        "person_teams": _("Showing the teams of {name}."),
        "timeline": _("Timeline"),
        "table": _("The same as a table"),
        "who": _("On call"),
        "from": _("From"),
        "to": _("To"),
        "present": _("now"),
        "holiday": _("public holiday: {name}"),
        "closed": _("shaded: outside business hours and public holidays"),
        "details": _("Details"),
        "close": _("Close"),
        "loading": _("Loading…"),
        "load_failed": _("This team's data could not be loaded ({file})."),
        "subscribe": _("Subscribe (calendar feeds, no phone numbers)"),
        "whole_team": _("whole team"),
        "no_team": _("No team."),
        "outside_range": _("Not published for this period."),
        "no_script": _(
            "This page needs JavaScript to show who is on call. Without it, read timeline.json "
            "(every shift of the published range) or subscribe to the feeds in teams/."
        ),
        "skip": _("Skip to the teams"),
        "phones_note": _("This page shows phone numbers: keep it behind authentication."),
        "subscribing_title": _("Subscribing from a phone"),
        "subscribing": _(
            "Subscribing from a phone: add a feed by its https:// address (“From URL” in Google "
            "Calendar, “Subscribe” in Outlook); webcal:// opens Apple Calendar directly but "
            "fails in Google and Outlook. Google Calendar refreshes subscriptions only every "
            "12–24 hours, so a late swap may not be on your phone yet: this page computes who "
            "is on call at the present from the published shifts. Your own feed (only your "
            "shifts) is at a private address: ask whoever publishes this page."
        ),
        "legend_gap": _("gap (nobody on call)"),
        "reason": _("reason: {reason}"),
    }


def index_html() -> str:
    """The page: a shell in the publication's language that the script fills. No team is in
    it, so that it stays small whatever the organisation's size."""
    title = html.escape(_("Astreinte — on-call rosters"))
    no_script = html.escape(messages()["no_script"])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{get_language()}"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{title}</title>\n"
        '<link rel="stylesheet" href="assets/astreinte.css">\n'
        '<script src="assets/astreinte.js" defer></script>\n'
        '<script src="data/publication.js" defer></script>\n'
        "</head><body>\n"
        f'<header><h1 id="title">{title}</h1>\n'
        '<div id="age" role="status"></div></header>\n'
        f'<noscript><p class="warning">{no_script}</p></noscript>\n'
        '<main id="main"></main>\n'
        "</body></html>\n"
    )
