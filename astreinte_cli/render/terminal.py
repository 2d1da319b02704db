"""Rich renderables for `show`. Returned, never printed: the CLI prints them. (The `now` view,
which must start fast, is in :mod:`astreinte_cli.render.now`.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.i18n import _, format_day
from astreinte_cli.model import Roster, Team
from astreinte_cli.printable import printable
from astreinte_cli.timeline import LevelTimeline, Stretch
from astreinte_cli.times import place
from astreinte_cli.windows import TeamCalendar

_PALETTE = (
    "blue", "green", "magenta", "cyan", "yellow", "bright_blue", "bright_green",
    "bright_magenta", "bright_cyan", "dark_orange", "purple", "spring_green3",
)  # fmt: skip


# --------------------------------------------------------------------------- show


def render_show(
    roster: Roster,
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    person: str | None = None,
) -> RenderableType:
    """Day by day, each level's stretches that meet the day. Linear in the days and the
    stretches: each level's runs are merged once, and the days walk through them in order
    (a stretch longer than a day is shown on each of its days)."""
    blocks: list[RenderableType] = []
    for timeline in timelines:
        team = timeline.team
        calendar = TeamCalendar(team)
        blocks.append(_text(f"{team.name} ({team.id}) · {team.timezone}", "bold underline"))
        first, last = _local_days(start, end, team)
        holidays = calendar.holiday_names(first, last)
        walks = [_Walk(level) for level in timeline.levels]
        day = first
        while day <= last:
            day_start, day_end = calendar.day_bounds(day)
            day_start, day_end = max(day_start, start), min(day_end, end)
            rows = [
                row for walk in walks for row in walk.rows(roster, team, day_start, day_end, person)
            ]
            if rows or person is None:
                heading = Text(format_day(day), style="bold")
                if day in holidays:
                    heading.append(
                        "  " + _("férié: {holiday}").format(holiday=printable(holidays[day])),
                        style="magenta",
                    )
                blocks.append(heading)
                blocks.extend(rows)
            day += dt.timedelta(days=1)
        blocks.append(Text(""))
    return Group(*blocks)


def _text(text: str, style: str = "") -> Text:
    """Roster text as Rich text: never read as markup (``[link=…]`` stays as written), its
    control characters shown as escapes (:func:`printable`)."""
    return Text(printable(text), style=style)


def _local_days(start: dt.datetime, end: dt.datetime, team: Team) -> tuple[dt.date, dt.date]:
    """The first and last local days that [start, end) touches in the team's zone."""
    first = start.astimezone(team.zone).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(team.zone).date()
    return first, last


class _Walk:
    """A level's shifts (active stretches merged by :attr:`Stretch.shift_key`), walked day
    after day: ``next`` is the first run that does not end before the day asked for."""

    def __init__(self, level: LevelTimeline) -> None:
        self.level = level
        self.runs = [s for s in level.merged(lambda s: s.shift_key) if s.active]
        self.next = 0

    def rows(
        self,
        roster: Roster,
        team: Team,
        start: dt.datetime,
        end: dt.datetime,
        person: str | None,
    ) -> list[RenderableType]:
        runs, number = self.runs, self.level.level.number
        while self.next < len(runs) and runs[self.next].end <= start:
            self.next += 1
        rows: list[RenderableType] = []
        index = self.next
        while index < len(runs) and runs[index].start < end:
            stretch = runs[index]
            index += 1
            if person is not None and person not in stretch.who:
                continue
            s, e = max(stretch.start, start), min(stretch.end, end)
            row = Text(f"  N{number}  {s.astimezone(team.zone):%H:%M}–{_end_label(e, team)}  ")
            if stretch.is_gap:
                row.append(_("GAP: nobody on call"), style="bold white on red")
            else:
                row.append(printable(roster.names(stretch.who)))
                if stretch.source and stretch.source.startswith("override"):
                    row.append(f"  ({printable(stretch.source)})", style="yellow")
            rows.append(row)
        return rows


def _end_label(instant: dt.datetime, team: Team) -> str:
    local = instant.astimezone(team.zone)
    return "24:00" if local.time() == dt.time(0) else f"{local:%H:%M}"


def render_grid(
    roster: Roster, timelines: Sequence[TeamTimeline], start: dt.datetime, end: dt.datetime
) -> RenderableType:
    """One row per day and level, one cell per hour, one colour per person."""
    from rich.table import Table  # here: `now` does not need it

    colours: dict[str, str] = {}
    blocks: list[RenderableType] = []
    for timeline in timelines:
        team = timeline.team
        first, last = _local_days(start, end, team)
        # Rows are labelled "Wed 23" so that 24 three-column hours fit in 80 columns; the
        # header carries the months.
        blocks.append(
            _text(
                f"{team.name} ({team.id}) · {team.timezone} · "
                f"{format_day(first, 'date')} – {format_day(last, 'date')}",
                "bold underline",
            )
        )
        for level in timeline.levels:
            table = Table(
                box=None,
                padding=(0, 0),
                show_header=True,
                title_justify="left",
                title=_text(f"N{level.level.number} · {level.level.name}"),
                title_style="cyan",
            )
            table.add_column("", no_wrap=True, min_width=7)
            for hour in range(24):
                table.add_column(f"{hour:02d}" if hour % 3 == 0 else "", no_wrap=True, width=3)
            day = first
            while day <= last:
                cells: list[RenderableType] = [Text(format_day(day, "weekday-day") + " ")]
                for hour in range(24):
                    slot = place(dt.datetime.combine(day, dt.time(hour)), team.zone)
                    if slot < level.start or slot >= level.end:
                        cells.append(Text("   "))
                        continue
                    cells.append(_cell(roster, level.at(slot), colours))
                table.add_row(*cells)
                day += dt.timedelta(days=1)
            blocks.append(table)
    legend = Text(_("Legend:") + " ")
    for person, colour in colours.items():
        legend.append(f" {_initials(roster, person)} ", style=f"black on {colour}")
        legend.append(f" {printable(roster.people[person].name)}  ")
    legend.append(" ·· ", style="dim")
    legend.append(" " + _("off") + "  ")
    legend.append(" !! ", style="bold white on red")
    legend.append(" " + _("gap"))
    blocks.append(legend)
    return Group(*blocks)


def _cell(roster: Roster, stretch: Stretch, colours: dict[str, str]) -> Text:
    if stretch.is_gap:
        return Text("!! ", style="bold white on red")
    if not stretch.active:
        return Text("·· ", style="dim")
    person = stretch.who[0]
    colour = colours.setdefault(person, _PALETTE[len(colours) % len(_PALETTE)])
    return Text(f"{_initials(roster, person):<2} ", style=f"black on {colour}")


def _initials(roster: Roster, person: str) -> str:
    words = printable(roster.people[person].name).split()
    return ("".join(w[0] for w in words[:2]) if len(words) > 1 else words[0][:2]).upper()
