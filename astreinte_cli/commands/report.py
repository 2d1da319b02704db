"""``astreinte report``: the monthly document of astreinte hours and compensation (R3124-4).
Options are parsed here; the work is done by :mod:`astreinte_cli.report` and the formats by
:mod:`astreinte_cli.export.report_formats`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astreinte_cli import cli
from astreinte_cli.cli import RostersOption, TeamOption
from astreinte_cli.i18n import _

if TYPE_CHECKING:
    from astreinte_cli.model import Roster
    from astreinte_cli.report import MonthReport

FORMATS = ("table", "csv", "markdown", "json")


def register(app: typer.Typer) -> None:
    """Add ``report`` to the application."""
    app.command()(report)


def report(
    month: Annotated[
        str, typer.Option("--month", help="The month, YYYY-MM, in each team's local time.")
    ],
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Only this person.", show_default=False)
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table, csv, markdown (to print and sign), or json.")
    ] = "table",
    billing: Annotated[
        bool,
        typer.Option("--billing", help="Per client: billable interventions and surcharges."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write to FILE instead of stdout.", show_default=False),
    ] = None,
) -> None:
    """Astreinte hours per person for the month (weekday, Saturday, Sunday, holiday), turns,
    interventions, and the compensation owed when the team defines 'compensation:'.

    Every report names the roster's git commit ("uncommitted changes" when the roster
    differs from it). Services (kind: service) are listed apart, as an invoice view."""
    from astreinte_cli.history import roster_commit
    from astreinte_cli.report import Month, month_report

    with cli._boundary():
        if output_format not in FORMATS:
            from astreinte_cli.diagnostics import did_you_mean

            cli._fail_usage(
                _("unknown format '{format}'").format(format=output_format),
                did_you_mean(output_format, FORMATS)
                or _("use {choices}").format(choices=", ".join(FORMATS)),
            )
        if output_format in ("json", "csv"):
            cli._machine_readable()
        try:
            chosen = Month.parse(month)
        except ValueError:
            cli._fail_usage(
                _("--month: '{month}' is not a month").format(month=month),
                _("write YYYY-MM, e.g. 2026-12"),
            )
        roster = cli._load(rosters)
        teams = cli._select(roster, team)
        cli._check_person(roster, person)
        found = month_report(roster, teams, chosen, person)
        commit = roster_commit(rosters)
        text = _render(output_format, billing, roster, found, commit)
        if output is None:
            typer.echo(text, nl=False)
        else:
            try:
                output.write_text(text, encoding="utf-8", newline="")
            except OSError as exc:
                cli._fail_usage(
                    _("cannot write {output}: {reason}").format(
                        output=output, reason=exc.strerror or exc
                    )
                )


def _render(
    output_format: str, billing: bool, roster: Roster, found: MonthReport, commit: str | None
) -> str:
    from astreinte_cli.export import report_formats as f
    from astreinte_cli.render.report import billing_table, report_table

    if output_format == "json":
        make = f.billing_document if billing else f.report_document
        return cli._json_text(make(roster, found, commit))
    if output_format == "csv":
        return (f.billing_csv if billing else f.report_csv)(roster, found, commit)
    if output_format == "markdown":
        return (f.billing_markdown if billing else f.report_markdown)(roster, found, commit)
    return (billing_table if billing else report_table)(roster, found, commit)
