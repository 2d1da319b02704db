"""``astreinte report``: the monthly document of astreinte hours and compensation (R3124-4).
Options are parsed here; the work is done by :mod:`astreinte_cli.report` and the formats by
:mod:`astreinte_cli.export.report_formats`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from astreinte_cli.cli.completion import complete_person
from astreinte_cli.cli.options import (
    ReportFormatOption,
    ReportOutput,
    RostersOption,
    TeamOption,
)
from astreinte_cli.cli.toolkit import (
    DEFAULT_ROSTERS,
    boundary,
    check_person,
    choose_format,
    fail_usage,
    json_text,
    load,
    replace_output,
    select,
)
from astreinte_cli.i18n import _

if TYPE_CHECKING:
    from astreinte_cli.model import Roster
    from astreinte_cli.report import MonthReport

FORMATS = ("table", "csv", "markdown", "json")


def report(
    month: Annotated[
        str, typer.Option("--month", help="The month, YYYY-MM, in each team's local time.")
    ],
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    person: Annotated[
        str | None,
        typer.Option(
            "--person", help="Only this person.", show_default=False, autocompletion=complete_person
        ),
    ] = None,
    output_format: ReportFormatOption = "table",
    billing: Annotated[
        bool,
        typer.Option("--billing", help="Per client: billable interventions and surcharges."),
    ] = False,
    output: ReportOutput = None,
) -> None:
    """Astreinte hours per person for the month (weekday, Saturday, Sunday, holiday), turns,
    interventions, and the compensation owed when the team defines 'compensation:'.

    Every report names the roster's git commit ("uncommitted changes" when the roster
    differs from it). Services (kind: service) are listed apart, as an invoice view."""
    from astreinte_cli.history import roster_commit
    from astreinte_cli.report import Month, month_report

    with boundary():
        chosen = choose_format(
            output_format, FORMATS, machine=("json", "csv"), refusal=_unknown_format
        )
        try:
            found_month = Month.parse(month)
        except ValueError:
            fail_usage(
                _("--month: '{month}' is not a month").format(month=month),
                _("write YYYY-MM, e.g. 2026-12"),
            )
        roster = load(rosters)
        teams = select(roster, team)
        check_person(roster, person)
        found = month_report(roster, teams, found_month, person)
        commit = roster_commit(rosters)
        text = _render(chosen, billing, roster, found, commit)
        if output is None:
            typer.echo(text, nl=False)
        else:
            try:
                replace_output(output, text.encode())
            except OSError as exc:
                fail_usage(
                    _("cannot write {output}: {reason}").format(
                        output=output, reason=exc.strerror or exc
                    )
                )


def _unknown_format(given: str) -> tuple[str, str | None]:
    """How `report` refuses a --format, with a typo hint."""
    from astreinte_cli.diagnostics import did_you_mean

    return (
        _("unknown format '{format}'").format(format=given),
        did_you_mean(given, FORMATS) or _("use {choices}").format(choices=", ".join(FORMATS)),
    )


def _render(
    output_format: str, billing: bool, roster: Roster, found: MonthReport, commit: str | None
) -> str:
    from astreinte_cli.export import report_formats as f
    from astreinte_cli.render.report import billing_table, report_table

    if output_format == "json":
        make = f.billing_document if billing else f.report_document
        return json_text(make(roster, found, commit))
    if output_format == "csv":
        return (f.billing_csv if billing else f.report_csv)(roster, found, commit)
    if output_format == "markdown":
        return (f.billing_markdown if billing else f.report_markdown)(roster, found, commit)
    return (billing_table if billing else report_table)(roster, found, commit)
