"""``report --per-person DIR``: the monthly document each employee is handed (Code du travail
R3124-4: each employee's astreinte hours and the matching compensation, every month; L3121-9),
one Markdown file per employee and month, ready to print, sign and keep for the labour
inspector. Pure: :func:`person_documents` returns the files' names and texts.

Each document names the employer (the teams' ``organisation:``), the employee, the periods and
hours of astreinte by kind of day, the interventions apart (working time, paid as such), the
compensation line by line, what is given as rest, the rest each intervention made due, and a
line to acknowledge receipt. It is written in the active language, numbers and dates included
(``149,54 €``, "dimanche 13 décembre 2026"); the command makes that French for a French team
unless ``--lang`` says otherwise (:func:`is_french`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal

from astreinte_cli.export import figures
from astreinte_cli.export.report_formats import LINE_LABELS, categories_text, commit_text, md
from astreinte_cli.i18n import N_, _, format_instant, get_language
from astreinte_cli.model import Roster, Team
from astreinte_cli.report import CATEGORIES, MonthReport, PersonReport

# Zones of France and its overseas departments and collectivities where the Code du travail
# applies: a team there, or with French public holidays, is a French team.
FRENCH_ZONES = frozenset({
    "Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne",
    "Indian/Reunion", "Indian/Mayotte", "America/St_Barthelemy", "America/Marigot",
    "America/Miquelon",
})  # fmt: skip
DAY_LABELS = {  # translated where shown: the language is chosen after import
    "weekday": N_("working days"),
    "saturday": N_("Saturdays"),
    "sunday": N_("Sundays"),
    "holiday": N_("public holidays"),
}
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def is_french(team: Team) -> bool:
    """Whether the team works under French law: French public holidays, or a French zone."""
    return (team.holidays is not None and team.holidays.country == "FR") or (
        team.timezone in FRENCH_ZONES
    )


def employees(report: MonthReport) -> list[tuple[str, list[PersonReport]]]:
    """Each employee of the report with their parts (one per team), in order of id."""
    found: dict[str, list[PersonReport]] = {}
    for part in report.people:
        found.setdefault(part.person, []).append(part)
    return sorted(found.items())


def file_name(report: MonthReport, person: str) -> str:
    return f"{report.month}-{person}.md"


def person_documents(
    roster: Roster, report: MonthReport, commit: str | None
) -> Iterator[tuple[str, str]]:
    """(file name, Markdown text) for each employee of the report."""
    for person, parts in employees(report):
        yield file_name(report, person), person_document(roster, report, parts, commit)


def person_document(
    roster: Roster, report: MonthReport, parts: Sequence[PersonReport], commit: str | None
) -> str:
    """One employee's document for the month, over the teams of ``parts``."""
    first = parts[0]
    teams = [roster.team(p.team) for p in parts]
    employers = sorted({t.organisation for t in teams if t.organisation})
    employer = ", ".join(employers) or _("(not named: set 'organisation:' on the team)")
    month = format_month(report)
    out = [
        "# " + _("Astreinte — monthly statement, {month}").format(month=month),
        "",
        "- " + _("Employer: {employer}").format(employer=md(employer)),
        "- " + _("Employee: {name} ({id})").format(name=md(first.name), id=md(first.person)),
        "- " + _("Teams: {teams}").format(teams=md(", ".join(f"{t.name} ({t.id})" for t in teams))),
        "- " + _("Roster: {commit}").format(commit=md(commit_text(commit))),
        "",
        _(
            "This statement lists your hours of astreinte this month and the compensation "
            "owed for them (Code du travail L3121-9 and R3124-4). Astreinte without "
            "intervention is not working time and counts as rest (L3121-10); interventions, "
            "travel included, are working time and paid as such."
        ),
        "",
    ]
    for part, team in zip(parts, teams, strict=True):
        if len(parts) > 1:
            out += ["## " + md(team.name), ""]
        out += _hours(part, team)
        out += _interventions(part, team)
        out += _compensation(part)
    if len(parts) > 1 and any(p.compensated for p in parts):
        total = sum((p.total for p in parts if p.compensated), Decimal("0.00"))
        paid = sum((p.money for p in parts if p.compensated), Decimal("0.00"))
        out += [
            "## " + _("All teams"),
            "",
            _("Total: {total}; paid: {paid}.").format(
                total=figures.money(total), paid=figures.money(paid)
            ),
            "",
        ]
    out += _rest(parts, teams)
    out += [
        "## " + _("Acknowledgement of receipt"),
        "",
        _("I, the undersigned {name}, acknowledge receipt of this statement.").format(
            name=md(first.name)
        ),
        "",
        _("Date:") + " ____________________    " + _("Signature:") + " ____________________",
        "",
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def format_month(report: MonthReport) -> str:
    """``December 2026`` / ``décembre 2026``."""
    first = report.month.first
    if get_language() != "fr":
        return f"{_MONTHS_EN[first.month - 1]} {first.year}"
    from babel.dates import format_date

    return str(format_date(first, "MMMM y", locale="fr"))


def _hours(part: PersonReport, team: Team) -> list[str]:
    zone = team.zone
    labels = [_(DAY_LABELS[c]) for c in CATEGORIES]
    out = [
        "### " + _("Hours of astreinte"),
        "",
        "| " + " | ".join([*labels, _("total")]) + " |",
        "|" + " ---: |" * (len(labels) + 1),
        "| "
        + " | ".join(
            [*(figures.hours(part.hours[c]) for c in CATEGORIES), figures.hours(part.held)]
        )
        + " |",
        "",
    ]
    if part.stretches:
        out += [_("On call:"), ""]
        for start, end in part.stretches:
            out.append(
                "- "
                + _("from {start} to {end}").format(
                    start=format_instant(start, zone, "day-time-year", pad_day=False),
                    end=format_instant(end, zone, "day-time-year", pad_day=False),
                )
            )
        out.append("")
    return out


def _interventions(part: PersonReport, team: Team) -> list[str]:
    zone = team.zone
    if not part.interventions:
        return ["### " + _("Interventions (working time)"), "", _("No intervention."), ""]
    out = [
        "### " + _("Interventions (working time)"),
        "",
        "| "
        + " | ".join(
            [_("from"), _("to"), _("travel"), _("hours paid"), _("categories"), _("amount")]
        )
        + " |",
        "| --- | --- | ---: | ---: | --- | ---: |",
    ]
    worked = sum(
        (i.intervention.worked + i.intervention.travel for i in part.interventions),
        dt.timedelta(0),
    )
    for item in part.interventions:
        intervention = item.intervention
        amount = figures.money(item.shown) if item.shown is not None else _("no rate")
        mark = "" if item.on_call else " (*)"
        out.append(
            "| "
            + " | ".join(
                [
                    format_instant(intervention.start, zone, "day-time-year", pad_day=False) + mark,
                    format_instant(intervention.end, zone, "day-time-year", pad_day=False),
                    figures.hours(intervention.travel),
                    figures.hours(item.billed),
                    categories_text(item.categories),
                    amount,
                ]
            )
            + " |"
        )
    out += [
        "",
        _("Working time of the interventions, travel included: {hours}.").format(
            hours=figures.hours(worked)
        ),
    ]
    if not all(i.on_call for i in part.interventions):
        out += [
            "",
            "(*) "
            + _(
                "made while you were not on call in this team: check the roster (a swap not "
                "recorded?)"
            ),
        ]
    return [*out, ""]


def _compensation(part: PersonReport) -> list[str]:
    out = ["### " + _("Compensation"), ""]
    if not part.compensated:
        return [*out, _("The team defines no compensation."), ""]
    out += [
        "| " + " | ".join([_("item"), _("count"), _("amount")]) + " |",
        "| --- | ---: | ---: |",
    ]
    for line in part.lines:
        label = _(LINE_LABELS[line.kind]) if line.kind in LINE_LABELS else line.kind
        out.append(f"| {label} | {figures.count(line.count)} | {figures.money(line.shown)} |")
    if part.interventions:
        out.append(
            f"| {_('interventions')} | {len(part.interventions)} | "
            f"{figures.money(part.intervention_pay)} |"
        )
    out += [
        f"| **{_('total')}** | | **{figures.money(part.total)}** |",
        "",
        _("Paid: {amount}.").format(amount=figures.money(part.money)),
    ]
    if part.rest_amount:
        out.append(
            _("Given as rest: {amount}, that is {hours} of rest.").format(
                amount=figures.money(part.rest_amount),
                hours=f"{figures.number(part.rest_hours)} h",
            )
        )
    return [*out, ""]


def _rest(parts: Sequence[PersonReport], teams: Sequence[Team]) -> list[str]:
    out = ["## " + _("Rest due after interventions"), ""]
    lines = []
    for part, team in zip(parts, teams, strict=True):
        zone = team.zone
        for item in part.interventions:
            if item.resume_at is None:
                continue
            values = {
                "start": format_instant(
                    item.intervention.start, zone, "day-time-year", pad_day=False
                ),
                "resume": format_instant(item.resume_at, zone, "day-time-year", pad_day=False),
            }
            if item.rest == "weekly":
                text = _(
                    "the call-out of {start} interrupted your weekly rest: no work before "
                    "{resume} (Code du travail L3132-2)"
                )
            else:
                text = _(
                    "the call-out of {start} interrupted your daily rest: no work before "
                    "{resume} (Code du travail L3131-1)"
                )
            lines.append("- " + text.format(**values))
    if not lines:
        return [*out, _("No intervention interrupted a rest."), ""]
    return [*out, *lines, ""]
