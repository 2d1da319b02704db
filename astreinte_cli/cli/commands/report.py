"""``astreinte report``: the monthly document of astreinte hours and compensation (R3124-4).
Options are parsed here; the work is done by :mod:`astreinte_cli.report` and the formats by
:mod:`astreinte_cli.export.report_formats`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astreinte_cli.cli.completion import complete_person
from astreinte_cli.cli.options import (
    JsonOption,
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
    utf8_stdout,
)
from astreinte_cli.i18n import _

if TYPE_CHECKING:
    from astreinte_cli.model import Roster
    from astreinte_cli.report import MonthReport

FORMATS = ("table", "csv", "markdown", "json")
CSV_DIALECTS = ("rfc4180", "excel-fr")


def report(
    context: typer.Context,
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
    as_json: JsonOption = False,
    billing: Annotated[
        bool,
        typer.Option("--billing", help="Per client: billable interventions and surcharges."),
    ] = False,
    output: ReportOutput = None,
    per_person: Annotated[
        Path | None,
        typer.Option(
            "--per-person",
            help="Write one document per employee into this folder (MONTH-PERSON.md): the "
            "statement each employee is handed, in French for a French team unless --lang "
            "says otherwise.",
            show_default=False,
        ),
    ] = None,
    csv_dialect: Annotated[
        str,
        typer.Option(
            "--csv-dialect",
            help="rfc4180 (commas, decimal points, UTF-8) or excel-fr (semicolons, decimal "
            "commas, UTF-8 with a BOM: what a French spreadsheet opens right).",
        ),
    ] = "rfc4180",
) -> None:
    """Astreinte hours per person for the month (weekday, Saturday, Sunday, holiday), turns,
    interventions, and the compensation owed when the team defines 'compensation:'.

    Every report names the roster's git commit ("uncommitted changes" when the roster
    differs from it). Services (kind: service) are listed apart, as an invoice view."""
    from astreinte_cli.diagnostics import excerpt
    from astreinte_cli.history import roster_commit
    from astreinte_cli.i18n import get_language
    from astreinte_cli.report import Month, month_report

    with boundary():
        chosen = choose_format(
            output_format,
            FORMATS,
            as_json=as_json,
            machine=("json", "csv"),
            refusal=_unknown_format,
        )
        try:
            found_month = Month.parse(month)
        except ValueError:
            fail_usage(
                _("--month: '{month}' is not a month").format(month=excerpt(month)),
                _("write YYYY-MM, e.g. 2026-12"),
            )
        if csv_dialect not in CSV_DIALECTS:
            fail_usage(
                _("unknown --csv-dialect '{dialect}'").format(dialect=csv_dialect),
                _("one of: {choices}").format(choices=", ".join(CSV_DIALECTS)),
            )
        roster = load(rosters)
        teams = select(roster, team)
        check_person(roster, person)
        found = month_report(roster, teams, found_month, person)
        commit = roster_commit(rosters)
        if per_person is not None:
            chosen_language = context.find_root().params.get("lang")
            commits = {get_language(): commit}

            def commit_in(language: str) -> str | None:
                """The commit's text in ``language`` ("uncommitted changes" is translated)."""
                if language not in commits:
                    commits[language] = roster_commit(rosters)
                return commits[language]

            _write_per_person(per_person, roster, found, commit_in, chosen=chosen_language)
            return
        text = _render(chosen, billing, roster, found, commit, csv_dialect)
        if output is None and chosen in ("json", "csv"):  # read by programs: UTF-8 always
            with utf8_stdout() as out:
                out.write(text)
        elif output is None:
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
    from astreinte_cli.diagnostics import did_you_mean, excerpt

    return (
        _("unknown format '{format}'").format(format=excerpt(given)),
        did_you_mean(given, FORMATS) or _("use {choices}").format(choices=", ".join(FORMATS)),
    )


def _write_per_person(
    folder: Path,
    roster: Roster,
    found: MonthReport,
    commit: Callable[[str], str | None],
    *,
    chosen: object,
) -> None:
    """One document per employee in ``folder``, each in its language: ``--lang`` when given
    (``chosen``), else French when one of the employee's teams is French, else the
    environment's."""
    from astreinte_cli.export.person_documents import employees, file_name, is_french
    from astreinte_cli.export.person_documents import person_document as document
    from astreinte_cli.i18n import get_language, set_language

    language = get_language()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail_usage(
            _("cannot write {output}: {reason}").format(output=folder, reason=exc.strerror or exc)
        )
    written = []
    try:
        for person, parts in employees(found):
            french = any(is_french(roster.team(p.team)) for p in parts)
            set_language("fr" if chosen is None and french else language)
            text = document(roster, found, parts, commit(get_language()))
            set_language(language)
            path = folder / file_name(found, person)
            try:
                replace_output(path, text.encode())
            except OSError as exc:
                fail_usage(
                    _("cannot write {output}: {reason}").format(
                        output=path, reason=exc.strerror or exc
                    )
                )
            written.append(path.name)
    finally:
        set_language(language)
    typer.echo(
        _("wrote {count} documents to {folder}").format(count=len(written), folder=folder)
        if written
        else _("no employee held astreinte this month: no document written")
    )


def _render(
    output_format: str,
    billing: bool,
    roster: Roster,
    found: MonthReport,
    commit: str | None,
    dialect: str = "rfc4180",
) -> str:
    from astreinte_cli.export import report_formats as f
    from astreinte_cli.printable import printable
    from astreinte_cli.render.report import billing_table, report_table

    if output_format == "json":
        make = f.billing_document if billing else f.report_document
        return json_text(make(roster, found, commit))
    if output_format == "csv":
        return (f.billing_csv if billing else f.report_csv)(roster, found, commit, dialect)
    # Text read by people, in a terminal or printed: roster text never acts on the terminal.
    if output_format == "markdown":
        text = (f.billing_markdown if billing else f.report_markdown)(roster, found, commit)
    else:
        text = (billing_table if billing else report_table)(roster, found, commit)
    return printable(text, lines=True)
