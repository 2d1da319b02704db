"""``astreinte show``: the shifts and gaps over a range, as a list, a week grid, or JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from astreinte_cli.cli.completion import complete_person
from astreinte_cli.cli.options import (
    JsonOption,
    RostersOption,
    ShowFrom,
    ShowTo,
    TeamOption,
    TzOption,
)
from astreinte_cli.cli.toolkit import (
    DEFAULT_ROSTERS,
    boundary,
    check_person,
    console,
    days_after,
    load_scope,
    machine_readable,
    read_range,
    read_when,
    utf8_stdout,
)


def show(
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    start: ShowFrom = None,
    end: ShowTo = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            help="Only this person's shifts.",
            show_default=False,
            autocompletion=complete_person,
        ),
    ] = None,
    grid: Annotated[
        bool, typer.Option("--grid", help="A week grid: one row per day, one colour per person.")
    ] = False,
    tz: TzOption = None,
    as_json: JsonOption = False,
) -> None:
    """The shifts and gaps over a range, day by day (default: today and the next 14 days)."""
    from astreinte_cli.compile import compile_team

    if as_json:
        machine_readable()
    with boundary():
        roster, teams, zone = load_scope(rosters, team, tz)
        first, last = read_range(
            start or None, end, zone,
            default_start=read_when("today", zone, "--from"), default_end=days_after(14, zone),
        )  # fmt: skip
        check_person(roster, person)
        if as_json:
            from astreinte_cli import parallel
            from astreinte_cli.export import documents

            # Team by team, each written as soon as compiled, by one process or several:
            # memory holds one timeline in each.
            with utf8_stdout() as out:
                documents.write_show_json(
                    out, teams, lambda t: compile_team(roster, t, first, last),
                    first, last, zone, person, share=parallel.worth_it(teams, first, last),
                )  # fmt: skip
            return
        timelines = [compile_team(roster, t, first, last) for t in teams]
        from astreinte_cli.render import terminal

        if grid:
            console().print(terminal.render_grid(roster, timelines, first, last))
        else:
            console().print(terminal.render_show(roster, timelines, first, last, person))
