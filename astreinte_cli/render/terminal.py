"""Rich renderables for `now` and `show`. Returned, never printed: the CLI prints them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.contacts import display_phone
from astreinte_cli.i18n import _, format_day, format_instant
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
    return format_instant(instant, team.zone, "day-time-year" if with_year else "day-time")


def span_text(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [_("{days} d").format(days=days)] if days else []
    if hours:
        parts.append(_("{hours} h").format(hours=hours))
    if minutes and not days:
        parts.append(_("{minutes} min").format(minutes=minutes))
    return " ".join(parts) or _("{minutes} min").format(minutes=0)


def person_label(roster: Roster, person_id: str, *, phone: bool = True) -> Text:
    person = roster.people[person_id]
    text = Text(person.name, style="bold")
    if phone:
        if person.phone:
            text.append("  " + display_phone(person.phone))
        else:
            text.append("  " + _("(no phone on file)"), style="yellow")
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
                Text(_("Instructions:") + " ", style="bold").append(
                    team.instructions.strip(), style=""
                )
            )
        blocks.append(Text(""))
    return Group(*blocks)


def _level_now(roster: Roster, team: Team, at: dt.datetime, state: LevelNow) -> RenderableType:
    title = Text(
        _("Level {number} · {name}").format(number=state.level.number, name=state.level.name),
        style="bold cyan",
    )
    lines: list[RenderableType] = [title]
    if state.until is not None:
        until = _("until {when} (in {duration})").format(
            when=when(state.until, team), duration=span_text(state.until - at)
        )
    else:
        until = _("with no change in the next 400 days")
    since = (
        _("since {when}").format(when=when(state.since, team))
        if state.since
        else _("since more than 400 days")
    )
    if state.is_gap:
        lines.append(
            Text(
                "  ⚠  " + _("NOBODY ON CALL — this level is in its coverage and empty"),
                style="bold white on red",
            )
        )
        lines.append(
            Text("  " + _("gap {since} · {until}").format(since=since, until=until), style="red")
        )
    elif not state.active:
        resume = (
            _("resumes {when}").format(when=when(state.until, team))
            if state.until
            else _("does not resume within 400 days")
        )
        lines.append(
            Text(
                "  "
                + _("off (outside this level's coverage); astreinte {resume}").format(
                    resume=resume
                ),
                style="dim",
            )
        )
    else:
        for person in state.current.who:
            lines.append(Text("  ● ").append(person_label(roster, person)))
        lines.append(Text(f"  {since} · {until}", style="dim"))
        lines.append(
            Text("  " + _("source: {source}").format(source=state.current.source), style="dim")
        )
    if state.next is not None and state.until is not None:
        lines.append(
            Text("  " + _("next:") + " ", style="dim").append(_describe(roster, state.next))
        )
    if state.level.instructions and state.active:
        lines.append(
            Text("  " + _("instructions:") + " ", style="dim").append(
                state.level.instructions.strip()
            )
        )
    return Group(*lines)


def _describe(roster: Roster, stretch: Stretch) -> Text:
    if stretch.is_gap:
        return Text(_("NOBODY (gap)"), style="bold red")
    if not stretch.active:
        return Text(_("off (outside coverage)"), style="dim")
    return Text(_names(roster, stretch.who))


def _chain(roster: Roster, team: Team, levels: list[LevelNow]) -> RenderableType:
    """One step per line, so that a phone number never breaks across two."""
    text = Text(_("Escalation:"), style="bold")
    steps = escalation_chain(team, levels)
    if not steps:
        return text.append(" " + _("nobody to call"), style="red")
    delays = [_("first")] + [
        _("after {duration}").format(duration=span_text(step.after)) for step in steps[1:]
    ]
    width = max(len(delay) for delay in delays)
    lines: list[RenderableType] = [text]
    for delay, step in zip(delays, steps, strict=True):
        line = Text(f"  {delay:<{width}}  ").append(
            _("{step}:").format(step=step.label) + " ", style="cyan"
        )
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
        first, last = _local_days(start, end, team)
        holidays = calendar.holiday_names(first, last)
        day = first
        while day <= last:
            day_start, day_end = calendar.day_bounds(day)
            day_start, day_end = max(day_start, start), min(day_end, end)
            rows = _day_rows(roster, timeline, day_start, day_end, person)
            if rows or person is None:
                heading = Text(format_day(day), style="bold")
                if day in holidays:
                    heading.append(
                        "  " + _("férié: {holiday}").format(holiday=holidays[day]), style="magenta"
                    )
                blocks.append(heading)
                blocks.extend(rows)
            day += dt.timedelta(days=1)
        blocks.append(Text(""))
    return Group(*blocks)


def _local_days(start: dt.datetime, end: dt.datetime, team: Team) -> tuple[dt.date, dt.date]:
    """The first and last local days that [start, end) touches in the team's zone."""
    first = start.astimezone(team.zone).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(team.zone).date()
    return first, last


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
                row.append(_("GAP: nobody on call"), style="bold white on red")
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
    from rich.table import Table  # here: `now` does not need it

    colours: dict[str, str] = {}
    blocks: list[RenderableType] = []
    for timeline in timelines:
        team = timeline.team
        first, last = _local_days(start, end, team)
        # Rows are labelled "Wed 23" so that 24 three-column hours fit in 80 columns; the
        # header carries the months.
        blocks.append(
            Text(
                f"{team.name} ({team.id}) · {team.timezone} · "
                f"{format_day(first, 'date')} – {format_day(last, 'date')}",
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
        legend.append(f" {roster.people[person].name}  ")
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
    words = roster.people[person].name.split()
    return ("".join(w[0] for w in words[:2]) if len(words) > 1 else words[0][:2]).upper()
