"""The monthly report as files: CSV for spreadsheets, Markdown to print and sign, JSON for
payroll software; its rows are also those of the terminal table (``render/report.py``). Pure:
every function returns a string or a document.

Hours are decimal hours to the hundredth (``7.50`` is 7 h 30); amounts are euros to the cent,
as strings in JSON so that no float ever touches them. Each person's total is rounded once
from the exact sum of its lines, so the lines shown (each rounded for display) may differ
from the total by a cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from astreinte_cli.export.table import csv_text
from astreinte_cli.i18n import N_, _
from astreinte_cli.model import Roster
from astreinte_cli.report import CATEGORIES, BillingLine, MonthReport, PersonReport, cents

PERSON_COLUMNS = (
    "kind", "team", "person", "name", "weekday_h", "saturday_h", "sunday_h", "holiday_h",
    "total_h", "turns", "interventions", "intervention_h", "travel_h", "astreinte_eur",
    "interventions_eur", "total_eur", "paid_eur", "rest_h", "resume_not_before",
)  # fmt: skip
BILLING_COLUMNS = (
    "client", "team", "person", "from", "to", "billed_h", "categories", "base_eur",
    "surcharge_eur", "total_eur", "note",
)  # fmt: skip
LINE_LABELS = {  # translated where shown: the language is chosen after import
    "weeknight": N_("weeknights"),
    "saturday": N_("Saturdays"),
    "sunday": N_("Sundays"),
    "holiday": N_("public holidays"),
    "week": N_("whole weeks"),
    "weekend": N_("whole weekends"),
    "per_hour": N_("hours (per-hour rate)"),
}
CATEGORY_LABELS = {  # an intervention's uplift categories, in words where people read them
    "night": N_("night"),
    "sunday": N_("Sunday"),
    "holiday": N_("public holiday"),
    "may_1": N_("1 May"),
}


def categories_text(categories: Sequence[str]) -> str:
    """``night, Sunday`` (``nuit, dimanche``): the categories of an intervention in the tables
    and documents people read; CSV and JSON keep the codes (``night sunday``)."""
    return ", ".join(_(CATEGORY_LABELS[c]) if c in CATEGORY_LABELS else c for c in categories)


HUNDREDTH = Decimal("0.01")


def decimal_hours(delta: dt.timedelta) -> str:
    value = Decimal(int(delta.total_seconds())) / Decimal(3600)
    return str(value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def count_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


def euros(value: Fraction | Decimal | None) -> str:
    if value is None:
        return ""
    return str(cents(value) if isinstance(value, Fraction) else value)


def _astreinte_amount(person: PersonReport) -> Fraction:
    return sum((line.amount for line in person.lines), Fraction(0))


def _intervention_amount(person: PersonReport) -> Fraction:
    return sum((i.amount for i in person.interventions if i.amount is not None), Fraction(0))


def _resume(person: PersonReport, zone: ZoneInfo) -> list[str]:
    return [
        i.resume_at.astimezone(zone).isoformat(timespec="minutes")
        for i in person.interventions
        if i.resume_at is not None
    ]


def _zone(roster: Roster, team: str) -> ZoneInfo:
    return roster.team(team).zone


def _local(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat(timespec="minutes")


def short_time(instant: dt.datetime, zone: ZoneInfo) -> str:
    """``2026-12-24 20:00``: an instant as people read it in a table, in ``zone``."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def team_list(report: MonthReport) -> str:
    """The report's teams, for its title."""
    return ", ".join(t.id for t in report.teams)


def commit_text(commit: str | None) -> str:
    """The roster's commit, as the report names it."""
    return commit if commit is not None else _("not in git")


# --------------------------------------------------------------------------- rows


def person_row(roster: Roster, person: PersonReport) -> list[str]:
    compensated = person.compensated
    return [
        "service" if person.service else "person",
        person.team,
        person.person,
        person.name,
        *(decimal_hours(person.hours[c]) for c in CATEGORIES),
        decimal_hours(person.held),
        str(person.turns),
        "" if person.service else str(len(person.interventions)),
        "" if person.service else decimal_hours(person.intervention_time),
        "" if person.service else decimal_hours(person.travel),
        euros(_astreinte_amount(person)) if compensated else "",
        euros(_intervention_amount(person)) if compensated else "",
        str(person.total) if compensated else "",
        str(person.money) if compensated else "",
        str(person.rest_hours) if compensated else "",
        " ".join(_resume(person, _zone(roster, person.team))),
    ]


def totals_row(label: str, people: Sequence[PersonReport]) -> list[str]:
    def total(get: Any) -> dt.timedelta:
        return sum((get(p) for p in people), dt.timedelta(0))

    services = all(p.service for p in people)
    compensated = [p for p in people if p.compensated]
    money = [
        euros(sum((_astreinte_amount(p) for p in compensated), Fraction(0))),
        euros(sum((_intervention_amount(p) for p in compensated), Fraction(0))),
        str(sum((p.total for p in compensated), Decimal("0.00"))),
        str(sum((p.money for p in compensated), Decimal("0.00"))),
        str(sum((p.rest_hours for p in compensated), Decimal("0.00"))),
    ]
    return [
        label,
        "",
        "",
        "",
        *(decimal_hours(total(lambda p, c=c: p.hours[c])) for c in CATEGORIES),
        decimal_hours(total(lambda p: p.held)),
        str(sum(p.turns for p in people)),
        "" if services else str(sum(len(p.interventions) for p in people)),
        "" if services else decimal_hours(total(lambda p: p.intervention_time)),
        "" if services else decimal_hours(total(lambda p: p.travel)),
        *(money if compensated else [""] * 5),
        "",
    ]


def billing_row(roster: Roster, line: BillingLine) -> list[str]:
    item = line.intervention
    zone = _zone(roster, item.team)
    total = (line.base or Fraction(0)) + (line.surcharge or Fraction(0))
    return [
        line.client,
        item.team,
        item.person,
        _local(item.start, zone),
        _local(item.end, zone),
        decimal_hours(line.billed),
        " ".join(line.categories),
        euros(line.base),
        euros(line.surcharge),
        euros(total) if line.base is not None else "",
        item.note or "",
    ]


# --------------------------------------------------------------------------- CSV


def report_csv(roster: Roster, report: MonthReport, commit: str | None) -> str:
    """People, their totals row, then services and theirs; the last row names the roster's
    commit."""
    rows = [person_row(roster, p) for p in report.people]
    if report.people:
        rows.append(totals_row("total", report.people))
    rows += [person_row(roster, p) for p in report.services]
    if report.services:
        rows.append(totals_row("total services", report.services))
    rows.append(["roster", commit_text(commit)])
    return csv_text(PERSON_COLUMNS, rows)


def billing_csv(roster: Roster, report: MonthReport, commit: str | None) -> str:
    rows = [billing_row(roster, line) for line in report.billing]
    rows.append(billing_total(report))
    rows.append(["roster", commit_text(commit)])
    return csv_text(BILLING_COLUMNS, rows)


def billing_total(report: MonthReport) -> list[str]:
    """The totals row of the billing, in the columns of :data:`BILLING_COLUMNS`."""
    base = sum((b.base or Fraction(0) for b in report.billing), Fraction(0))
    surcharge = sum((b.surcharge or Fraction(0) for b in report.billing), Fraction(0))
    billed = sum((b.billed for b in report.billing), dt.timedelta(0))
    total = [euros(base), euros(surcharge), euros(base + surcharge)]
    return ["total", "", "", "", "", decimal_hours(billed), "", *total, ""]


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or line."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "*_`[]<>#":
        out = out.replace(char, "\\" + char)
    return out


def report_markdown(roster: Roster, report: MonthReport, commit: str | None) -> str:
    """One section per person with a signature block, ready to print (R3124-4)."""
    out = [
        "# " + _("Astreinte — monthly document {month}").format(month=report.month),
        "",
        _(
            "Hours of astreinte and the compensation owed, per employee "
            "(Code du travail L3121-9, R3124-4)."
        ),
        "",
        "- " + _("Teams: {teams}").format(teams=_md(team_list(report))),
        "- " + _("Roster: {commit}").format(commit=_md(commit_text(commit))),
        "- "
        + _("Hours are decimal hours (7.50 = 7 h 30) in each team's local time; amounts in euros."),
        "",
    ]
    for person in report.people:
        out += _person_markdown(roster, person)
    if not report.people:
        out += [_("No employee held astreinte this month."), ""]
    if report.services:
        out += [
            "## " + _("Services (invoice view)"),
            "",
            _("| team | service | weekday | Saturday | Sunday | holiday | total |"),
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in report.services:
            row = person_row(roster, p)
            out.append(f"| {_md(p.team)} | {_md(p.name)} | " + " | ".join(row[4:9]) + " |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def billing_markdown(roster: Roster, report: MonthReport, commit: str | None) -> str:
    out = [
        "# " + _("Billing {month}").format(month=report.month),
        "",
        "- " + _("Teams: {teams}").format(teams=_md(team_list(report))),
        "- " + _("Roster: {commit}").format(commit=_md(commit_text(commit))),
        "",
    ]
    if not report.billing:
        return "\n".join([*out, _("No billable intervention this month.")]) + "\n"
    return "\n".join(out + _billing_markdown(roster, report)).rstrip("\n") + "\n"


def _person_markdown(roster: Roster, person: PersonReport) -> list[str]:
    zone = _zone(roster, person.team)
    team = roster.team(person.team)
    out = [
        f"## {_md(person.name)} ({_md(person.person)}) — {_md(team.name)}",
        "",
        _("| weekday | Saturday | Sunday | public holiday | total | turns |"),
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        "| "
        + " | ".join(decimal_hours(person.hours[c]) for c in CATEGORIES)
        + f" | {decimal_hours(person.held)} | {person.turns} |",
        "",
    ]
    if person.compensated:
        out += [_("| compensation | count | amount (€) |"), "| --- | ---: | ---: |"]
        for line in person.lines:
            label = _(LINE_LABELS[line.kind]) if line.kind in LINE_LABELS else line.kind
            out.append(f"| {label} | {count_text(line.count)} | {euros(line.amount)} |")
        if person.interventions:
            out.append(
                "| " + _("interventions") + f" | {len(person.interventions)} | "
                f"{euros(_intervention_amount(person))} |"
            )
        out.append("| **" + _("total") + f"** | | **{person.total}** |")
        paid = _("Paid: {amount} €.").format(amount=person.money)
        if person.rest_hours:
            paid += " " + _("Rest earned: {hours} h.").format(hours=person.rest_hours)
        out += ["", paid, ""]
    if person.interventions:
        out += [
            _("| intervention | until | travel (min) | billed h | categories | no work before |"),
            "| --- | --- | ---: | ---: | --- | --- |",
        ]
        for item in person.interventions:
            intervention = item.intervention
            resume = short_time(item.resume_at, zone) if item.resume_at is not None else ""
            out.append(
                f"| {short_time(intervention.start, zone)} | "
                f"{short_time(intervention.end, zone)} | "
                f"{int(intervention.travel.total_seconds() // 60)} | "
                f"{decimal_hours(item.billed)} | {categories_text(item.categories)} | {resume} |"
            )
        out.append("")
    out += [
        _("| | Employer | Employee |"),
        "| --- | --- | --- |",
        "| " + _("Name") + " | | " + _md(person.name) + " |",
        "| " + _("Date") + " | | |",
        "| " + _("Signature") + " | | |",
        "",
    ]
    return out


def _billing_markdown(roster: Roster, report: MonthReport) -> list[str]:
    out = [
        _(
            "| client | person | from | to | billed h | categories | base € | surcharge € "
            "| total € |"
        ),
        "| --- | --- | --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for line in report.billing:
        row = billing_row(roster, line)
        zone = _zone(roster, line.intervention.team)
        out.append(
            f"| {_md(row[0])} | {_md(row[2])} | {short_time(line.intervention.start, zone)} | "
            f"{short_time(line.intervention.end, zone)} | {row[5]} | "
            f"{categories_text(line.categories)} | {row[7]} | "
            f"{row[8]} | {row[9]} |"
        )
    total = billing_total(report)
    out += [
        "| **" + _("total") + f"** | | | | {total[5]} | | {total[7]} | {total[8]} | {total[9]} |",
        "",
    ]
    return out


# --------------------------------------------------------------------------- JSON


def report_document(roster: Roster, report: MonthReport, commit: str | None) -> dict[str, Any]:
    return {
        "month": str(report.month),
        "commit": commit,
        "teams": [t.id for t in report.teams],
        "people": [_person_json(roster, p) for p in report.people],
        "services": [_person_json(roster, p) for p in report.services],
    }


def billing_document(roster: Roster, report: MonthReport, commit: str | None) -> dict[str, Any]:
    total = billing_total(report)
    return {
        "month": str(report.month),
        "commit": commit,
        "teams": [t.id for t in report.teams],
        "billing": [_billing_json(roster, b) for b in report.billing],
        "total": {
            "billed_hours": total[5],
            "base": total[7],
            "surcharge": total[8],
            "total": total[9],
        },
    }


def _person_json(roster: Roster, person: PersonReport) -> dict[str, Any]:
    zone = _zone(roster, person.team)
    document: dict[str, Any] = {
        "team": person.team,
        "person": person.person,
        "name": person.name,
        "kind": "service" if person.service else "person",
        "hours": {c: decimal_hours(person.hours[c]) for c in CATEGORIES},
        "minutes": {c: int(person.hours[c].total_seconds() // 60) for c in CATEGORIES},
        "total_hours": decimal_hours(person.held),
        "turns": person.turns,
    }
    if person.service:
        return document
    document["interventions"] = [
        {
            "from": _local(i.intervention.start, zone),
            "to": _local(i.intervention.end, zone),
            "travel_minutes": int(i.intervention.travel.total_seconds() // 60),
            "billed_hours": decimal_hours(i.billed),
            "categories": list(i.categories),
            "amount": euros(i.amount) if i.amount is not None else None,
            "client": i.intervention.client,
            "resume_not_before": _local(i.resume_at, zone) if i.resume_at else None,
        }
        for i in person.interventions
    ]
    if person.compensated:
        document["compensation"] = {
            "lines": [
                {"kind": line.kind, "count": count_text(line.count), "amount": euros(line.amount)}
                for line in person.lines
            ],
            "interventions": euros(_intervention_amount(person)),
            "total": str(person.total),
            "paid": str(person.money),
            "rest_hours": str(person.rest_hours),
        }
    else:
        document["compensation"] = None
    return document


def _billing_json(roster: Roster, line: BillingLine) -> dict[str, Any]:
    row = billing_row(roster, line)
    return {
        "client": line.client,
        "team": line.intervention.team,
        "person": line.intervention.person,
        "from": row[3],
        "to": row[4],
        "billed_hours": row[5],
        "categories": list(line.categories),
        "base": row[7] or None,
        "surcharge": row[8] or None,
        "total": row[9] or None,
        "note": line.intervention.note,
    }
