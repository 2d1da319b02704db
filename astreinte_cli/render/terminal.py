"""Rich renderables for `now` and `show`. Returned, never printed: the CLI prints them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.contacts import display_phone
from astreinte_cli.model import Roster, Team
from astreinte_cli.query import LevelNow, escalation_chain
from astreinte_cli.timeline import Stretch
from astreinte_cli.times import place
from astreinte_cli.windows import TeamCalendar

_PALETTE = (
    "blue", "green", "magenta", "cyan", "yellow", "bright_blue", "bright_green",
    "bright_magenta", "bright_cyan", "dark_orange", "purple", "spring_green3",
)  # fmt: skip


def when(instant: dt.datetime, team: Team, *, with_year: bool = False) -> str:
    local = instant.astimezone(team.zone)
    return local.strftime("%a %d %b %Y %H:%M" if with_year else "%a %d %b %H:%M")


def span_text(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "0 min"


def person_label(roster: Roster, person_id: str, *, phone: bool = True) -> Text:
    person = roster.people[person_id]
    text = Text(person.name, style="bold")
    if phone:
        if person.phone:
            text.append("  " + display_phone(person.phone))
        else:
            text.append("  (no phone on file)", style="yellow")
    return text


def _names(roster: Roster, who: Sequence[str]) -> str:
    return ", ".join(roster.people[p].name for p in who)


# --------------------------------------------------------------------------- now


def render_now(
    roster: Roster, at: dt.datetime, teams: Sequence[tuple[Team, list[LevelNow]]]
) -> RenderableType:
    blocks: list[RenderableType] = []
    for team, levels in teams:
        header = Text(team.name, style="bold underline")
        header.append(
            f"  ({team.id}) · {team.timezone} · {when(at, team, with_year=True)}"
            f" {at.astimezone(team.zone):%Z}",
            style="dim",
        )
        blocks.append(header)
        for state in levels:
            blocks.append(_level_now(roster, team, at, state))
        blocks.append(_chain(roster, team, levels))
        if team.instructions:
            blocks.append(
                Text("Instructions: ", style="bold").append(team.instructions.strip(), style="")
            )
        blocks.append(Text(""))
    return Group(*blocks)


def _level_now(roster: Roster, team: Team, at: dt.datetime, state: LevelNow) -> RenderableType:
    title = Text(f"Level {state.level.number} · {state.level.name}", style="bold cyan")
    lines: list[RenderableType] = [title]
    if state.until is not None:
        until = f"until {when(state.until, team)} (in {span_text(state.until - at)})"
    else:
        until = "with no change in the next 400 days"
    since = f"since {when(state.since, team)}" if state.since else "since more than 400 days"
    if state.is_gap:
        lines.append(
            Text(
                "  ⚠  NOBODY ON CALL — this level is in its coverage and empty",
                style="bold white on red",
            )
        )
        lines.append(Text(f"  gap {since} · {until}", style="red"))
    elif not state.active:
        resume = (
            f"resumes {when(state.until, team)}"
            if state.until
            else "does not resume within 400 days"
        )
        lines.append(
            Text(f"  off (outside this level's coverage); astreinte {resume}", style="dim")
        )
    else:
        for person in state.current.who:
            lines.append(Text("  ● ").append(person_label(roster, person)))
        lines.append(Text(f"  {since} · {until}", style="dim"))
        lines.append(Text(f"  source: {state.current.source}", style="dim"))
    if state.next is not None and state.until is not None:
        lines.append(Text("  next: ", style="dim").append(_describe(roster, state.next)))
    if state.level.instructions and state.active:
        lines.append(Text("  instructions: ", style="dim").append(state.level.instructions.strip()))
    return Group(*lines)


def _describe(roster: Roster, stretch: Stretch) -> Text:
    if stretch.is_gap:
        return Text("NOBODY (gap)", style="bold red")
    if not stretch.active:
        return Text("off (outside coverage)", style="dim")
    return Text(_names(roster, stretch.who))


def _chain(roster: Roster, team: Team, levels: list[LevelNow]) -> RenderableType:
    """One step per line, so that a phone number never breaks across two."""
    text = Text("Escalation:", style="bold")
    steps = escalation_chain(team, levels)
    if not steps:
        return text.append(" nobody to call", style="red")
    delays = ["first"] + [f"after {span_text(step.after)}" for step in steps[1:]]
    width = max(len(delay) for delay in delays)
    lines: list[RenderableType] = [text]
    for delay, step in zip(delays, steps, strict=True):
        line = Text(f"  {delay:<{width}}  ").append(f"{step.label}: ", style="cyan")
        for position, person in enumerate(step.who):
            if position:
                line.append(", ")
            line.append(person_label(roster, person))
        lines.append(line)
    return Group(*lines)


# --------------------------------------------------------------------------- show


def render_show(
    roster: Roster,
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    person: str | None = None,
) -> RenderableType:
    blocks: list[RenderableType] = []
    for timeline in timelines:
        team = timeline.team
        calendar = TeamCalendar(team)
        blocks.append(Text(f"{team.name} ({team.id}) · {team.timezone}", style="bold underline"))
        first = start.astimezone(team.zone).date()
        last = (end - dt.timedelta(microseconds=1)).astimezone(team.zone).date()
        holidays = calendar.holiday_names(first, last)
        day = first
        while day <= last:
            day_start, day_end = calendar.day_bounds(day)
            day_start, day_end = max(day_start, start), min(day_end, end)
            rows = _day_rows(roster, timeline, day_start, day_end, person)
            if rows or person is None:
                heading = Text(day.strftime("%a %d %b %Y"), style="bold")
                if day in holidays:
                    heading.append(f"  férié: {holidays[day]}", style="magenta")
                blocks.append(heading)
                blocks.extend(rows)
            day += dt.timedelta(days=1)
        blocks.append(Text(""))
    return Group(*blocks)


def _day_rows(
    roster: Roster, timeline: TeamTimeline, start: dt.datetime, end: dt.datetime, person: str | None
) -> list[RenderableType]:
    rows: list[RenderableType] = []
    team = timeline.team
    for level in timeline.levels:
        for stretch in level.merged(lambda s: s.shift_key):
            if stretch.end <= start or stretch.start >= end or not stretch.active:
                continue
            if person is not None and person not in stretch.who:
                continue
            s, e = max(stretch.start, start), min(stretch.end, end)
            label = (
                f"  N{level.level.number}  {s.astimezone(team.zone):%H:%M}–{_end_label(e, team)}  "
            )
            row = Text(label)
            if stretch.is_gap:
                row.append("GAP: nobody on call", style="bold white on red")
            else:
                row.append(_names(roster, stretch.who))
                if stretch.source and stretch.source.startswith("override"):
                    row.append(f"  ({stretch.source})", style="yellow")
            rows.append(row)
    return rows


def _end_label(instant: dt.datetime, team: Team) -> str:
    local = instant.astimezone(team.zone)
    return "24:00" if local.time() == dt.time(0) else f"{local:%H:%M}"


def render_grid(
    roster: Roster, timelines: Sequence[TeamTimeline], start: dt.datetime, end: dt.datetime
) -> RenderableType:
    """One row per day and level, one cell per hour, one colour per person."""
    colours: dict[str, str] = {}
    blocks: list[RenderableType] = []
    for timeline in timelines:
        team = timeline.team
        first = start.astimezone(team.zone).date()
        last = (end - dt.timedelta(microseconds=1)).astimezone(team.zone).date()
        # Rows are labelled "Wed 23" so that 24 three-column hours fit in 80 columns; the
        # header carries the months.
        blocks.append(
            Text(
                f"{team.name} ({team.id}) · {team.timezone} · {first:%d %b %Y} – {last:%d %b %Y}",
                style="bold underline",
            )
        )
        for level in timeline.levels:
            table = Table(
                box=None,
                padding=(0, 0),
                show_header=True,
                title_justify="left",
                title=f"N{level.level.number} · {level.level.name}",
                title_style="cyan",
            )
            table.add_column("", no_wrap=True, min_width=7)
            for hour in range(24):
                table.add_column(f"{hour:02d}" if hour % 3 == 0 else "", no_wrap=True, width=3)
            day = first
            while day <= last:
                cells: list[RenderableType] = [Text(day.strftime("%a %d "))]
                for hour in range(24):
                    slot = place(dt.datetime.combine(day, dt.time(hour)), team.zone)
                    if slot < level.start or slot >= level.end:
                        cells.append(Text("   "))
                        continue
                    cells.append(_cell(roster, level.at(slot), colours))
                table.add_row(*cells)
                day += dt.timedelta(days=1)
            blocks.append(table)
    legend = Text("Legend: ")
    for person, colour in colours.items():
        legend.append(f" {_initials(roster, person)} ", style=f"black on {colour}")
        legend.append(f" {roster.people[person].name}  ")
    legend.append(" ·· ", style="dim")
    legend.append(" off  ")
    legend.append(" !! ", style="bold white on red")
    legend.append(" gap")
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
    words = roster.people[person].name.split()
    return ("".join(w[0] for w in words[:2]) if len(words) > 1 else words[0][:2]).upper()
