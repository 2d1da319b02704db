"""``astreinte check``: validate the roster, then run the rules over the timeline. The rules are
:mod:`astreinte_cli.check`; the older states of the roster they need come from git."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from astreinte_cli.cli.options import (
    HORIZON_DAYS,
    CheckFormatOption,
    HorizonFrom,
    HorizonTo,
    JsonOption,
    KnownOn,
    RostersOption,
    TeamOption,
    TzOption,
)
from astreinte_cli.cli.toolkit import (
    DEFAULT_ROSTERS,
    ExitCode,
    boundary,
    choose_format,
    days_after,
    load_scope,
    print_json,
    read_range,
    read_when,
)
from astreinte_cli.diagnostics import RosterError


def check(
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    start: HorizonFrom = None,
    end: HorizonTo = None,
    at: KnownOn = "now",
    tz: TzOption = None,
    output: CheckFormatOption = "text",
    as_json: JsonOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    publication: Annotated[
        Path | None,
        typer.Option(
            "--publication",
            help="The folder `astreinte publish` wrote (or its publication-log.json): where "
            "teams with 'notice_from: publication' read when each turn was first published.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate the roster, then report gaps, leave conflicts, double bookings, dead rules
    and the team's rules (notice, turns in a row, rest, fair shares) over the next 90 days.

    Exit 1 on any error (on warnings too with --strict)."""
    from astreinte_cli.revisions import check_roster

    with boundary():
        chosen = choose_format(output, ("text", "json", "github"), as_json=as_json)
        try:
            roster, teams, zone = load_scope(rosters, team, tz)
        except RosterError as error:
            if chosen == "github":  # annotations on the lines at fault, as for findings
                from astreinte_cli.render.check import diagnostic_annotation

                for diagnostic in error.diagnostics:
                    typer.echo(diagnostic_annotation(diagnostic))
            raise  # and compiler-style on stderr, with exit 1, as for every command
        now = read_when(at, zone, "--at")
        # Relative WHENs (`+2d`, `tomorrow`) count from --at, as the help says and as export does.
        first, last = read_range(
            start or None, end or None, zone,
            now=now, default_start=now, default_end=days_after(HORIZON_DAYS, zone),
        )  # fmt: skip
        findings = check_roster(rosters, roster, teams, first, last, now, publication)
        if chosen == "json":
            from astreinte_cli.export.documents import check_document

            print_json(check_document(roster, teams, findings, now, first, last, zone))
        else:
            from astreinte_cli.render.check import check_lines

            for line in check_lines(chosen, roster, teams, findings, first, last, zone):
                typer.echo(line)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    if errors or (strict and warnings):
        raise typer.Exit(ExitCode.INVALID)
