"""The monthly report as files: CSV for spreadsheets, Markdown to print and sign, JSON for
payroll software; its rows are also those of the terminal table (``render/report.py``). Pure:
every function returns a string or a document.

Hours are decimal hours to the hundredth (``7.50`` is 7 h 30); amounts are euros to the cent,
as strings in JSON so that no float ever touches them. Each person's total is rounded once
from the exact sum of its lines, and the lines shown are that total shared out
(:func:`astreinte_cli.report.results.apportion`): they add up to it. Counts of portions held
pro rata are exact fractions (``4 1/5``; ``21/5`` in JSON).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from astreinte_cli.export import figures
from astreinte_cli.export.table import csv_text
from astreinte_cli.i18n import N_, _
from astreinte_cli.model import Roster
from astreinte_cli.report import CATEGORIES, BillingLine, MonthReport, PersonReport, cents

PERSON_COLUMNS = (
    "kind", "team", "person", "name", "weekday_h", "saturday_h", "sunday_h", "holiday_h",
    "total_h", "turns", "interventions", "intervention_h", "travel_h", "astreinte_eur",
    "interventions_eur", "total_eur", "paid_eur", "rest_h", "resume_not_before", "rest_eur",
    "not_on_call",
)  # fmt: skip
BILLING_COLUMNS = (
    "client", "team", "person", "name", "from", "to", "billed_h", "categories", "base_eur",
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
    """An exact count as people read it: ``4``, ``7/8``, ``4 1/5``."""
    return figures.count(value)


def euros(value: Fraction | Decimal | None) -> str:
    if value is None:
        return ""
    return str(cents(value) if isinstance(value, Fraction) else value)


def _resume(person: PersonReport, zone: ZoneInfo) -> list[str]:
    return [
        i.resume_at.astimezone(zone).isoformat(timespec="minutes")
        for i in person.interventions
        if i.resume_at is not None
    ]


def _off_call(person: PersonReport, zone: ZoneInfo) -> list[str]:
    """The starts of the person's interventions made while not on call in the team."""
    return [_local(i.intervention.start, zone) for i in person.interventions if not i.on_call]


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
        str(person.astreinte) if compensated else "",
        str(person.intervention_pay) if compensated else "",
        str(person.total) if compensated else "",
        str(person.money) if compensated else "",
        str(person.rest_hours) if compensated else "",
        " ".join(_resume(person, _zone(roster, person.team))),
        str(person.rest_amount) if compensated else "",
        " ".join(_off_call(person, _zone(roster, person.team))),
    ]


def totals_row(label: str, people: Sequence[PersonReport]) -> list[str]:
    def total(get: Any) -> dt.timedelta:
        return sum((get(p) for p in people), dt.timedelta(0))

    services = all(p.service for p in people)
    compensated = [p for p in people if p.compensated]

    def added(get: Any) -> str:
        return str(sum((get(p) for p in compensated), Decimal("0.00")))

    money = [
        added(lambda p: p.astreinte),
        added(lambda p: p.intervention_pay),
        added(lambda p: p.total),
        added(lambda p: p.money),
        added(lambda p: p.rest_hours),
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
        added(lambda p: p.rest_amount) if compensated else "",
        "",
    ]


def _billed(line: BillingLine) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """A billing line's base, surcharge and total, each to the cent, the total their sum: an
    invoice's lines are rounded one by one, and its subtotals and total add up the lines."""
    if line.base is None:
        return None, None, None
    base = cents(line.base)
    surcharge = cents(line.surcharge or Fraction(0))
    return base, surcharge, base + surcharge


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def billing_row(roster: Roster, line: BillingLine) -> list[str]:
    item = line.intervention
    zone = _zone(roster, item.team)
    base, surcharge, total = _billed(line)
    return [
        line.client,
        item.team,
        item.person,
        roster.people[item.person].name,
        _local(item.start, zone),
        _local(item.end, zone),
        decimal_hours(line.billed),
        " ".join(line.categories),
        _text(base),
        _text(surcharge),
        _text(total),
        item.note or "",
    ]


def billing_sum(label: str, client: str, lines: Sequence[BillingLine]) -> list[str]:
    """A subtotal (``client`` named) or total row, in the columns of :data:`BILLING_COLUMNS`:
    the sums of the lines as shown."""
    billed = sum((b.billed for b in lines), dt.timedelta(0))
    amounts = [_billed(b) for b in lines]
    sums = [sum((a[i] or Decimal("0.00") for a in amounts), Decimal("0.00")) for i in range(3)]
    return [client, "", label, "", "", "", decimal_hours(billed), "", *map(str, sums), ""]


def by_client(report: MonthReport) -> list[tuple[str, list[BillingLine]]]:
    """The billing lines per client, in the report's order (by client, then start)."""
    found: dict[str, list[BillingLine]] = {}
    for line in report.billing:
        found.setdefault(line.client, []).append(line)
    return list(found.items())


# --------------------------------------------------------------------------- CSV


def report_csv(
    roster: Roster, report: MonthReport, commit: str | None, dialect: str = "rfc4180"
) -> str:
    """People, their totals row, then services and theirs; the last row names the roster's
    commit."""
    rows = [person_row(roster, p) for p in report.people]
    if report.people:
        rows.append(totals_row("total", report.people))
    rows += [person_row(roster, p) for p in report.services]
    if report.services:
        rows.append(totals_row("total services", report.services))
    rows.append(["roster", commit_text(commit)])
    return csv_text(PERSON_COLUMNS, rows, dialect)


def billing_csv(
    roster: Roster, report: MonthReport, commit: str | None, dialect: str = "rfc4180"
) -> str:
    """Each client's interventions then its subtotal row (``subtotal`` in the person column),
    the total row, and the roster's commit."""
    rows = []
    for client, lines in by_client(report):
        rows += [billing_row(roster, line) for line in lines]
        rows.append(billing_sum("subtotal", client, lines))
    rows.append(billing_total(report))
    rows.append(["roster", commit_text(commit)])
    return csv_text(BILLING_COLUMNS, rows, dialect)


def billing_total(report: MonthReport) -> list[str]:
    """The totals row of the billing, in the columns of :data:`BILLING_COLUMNS`."""
    return billing_sum("", "total", list(report.billing))


# --------------------------------------------------------------------------- Markdown


def md(text: str) -> str:
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
        "- " + _("Teams: {teams}").format(teams=md(team_list(report))),
        "- " + _("Roster: {commit}").format(commit=md(commit_text(commit))),
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
            out.append(f"| {md(p.team)} | {md(p.name)} | " + " | ".join(row[4:9]) + " |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def billing_markdown(roster: Roster, report: MonthReport, commit: str | None) -> str:
    out = [
        "# " + _("Billing {month}").format(month=report.month),
        "",
        "- " + _("Teams: {teams}").format(teams=md(team_list(report))),
        "- " + _("Roster: {commit}").format(commit=md(commit_text(commit))),
        "",
    ]
    if not report.billing:
        return "\n".join([*out, _("No billable intervention this month.")]) + "\n"
    return "\n".join(out + _billing_markdown(roster, report)).rstrip("\n") + "\n"


def _person_markdown(roster: Roster, person: PersonReport) -> list[str]:
    zone = _zone(roster, person.team)
    team = roster.team(person.team)
    out = [
        f"## {md(person.name)} ({md(person.person)}) — {md(team.name)}",
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
            out.append(f"| {label} | {count_text(line.count)} | {line.shown} |")
        if person.interventions:
            out.append(
                "| " + _("interventions") + f" | {len(person.interventions)} | "
                f"{person.intervention_pay} |"
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
            if not item.on_call:
                resume += " " + _("(not on call)")
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
        "| " + _("Name") + " | | " + md(person.name) + " |",
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
    for client, lines in by_client(report):
        for line in lines:
            row = billing_row(roster, line)
            zone = _zone(roster, line.intervention.team)
            out.append(
                f"| {md(row[0])} | {md(row[3])} | {short_time(line.intervention.start, zone)} | "
                f"{short_time(line.intervention.end, zone)} | {row[6]} | "
                f"{categories_text(line.categories)} | {row[8]} | {row[9]} | {row[10]} |"
            )
        sub = billing_sum("subtotal", client, lines)
        out.append(
            "| *" + _("subtotal {client}").format(client=md(client)) + f"* | | | | {sub[6]} | | "
            f"{sub[8]} | {sub[9]} | {sub[10]} |"
        )
    total = billing_total(report)
    out += [
        "| **" + _("total") + f"** | | | | {total[6]} | | {total[8]} | {total[9]} | {total[10]} |",
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

    def sums(row: list[str]) -> dict[str, str]:
        return {"billed_hours": row[6], "base": row[8], "surcharge": row[9], "total": row[10]}

    return {
        "month": str(report.month),
        "commit": commit,
        "teams": [t.id for t in report.teams],
        "billing": [_billing_json(roster, b) for b in report.billing],
        "clients": [
            {"client": client, **sums(billing_sum("subtotal", client, lines))}
            for client, lines in by_client(report)
        ],
        "total": sums(total),
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
            "amount": str(i.shown) if i.shown is not None else None,
            "client": i.intervention.client,
            "resume_not_before": _local(i.resume_at, zone) if i.resume_at else None,
            "rest_interrupted": i.rest,
            "on_call": i.on_call,
        }
        for i in person.interventions
    ]
    if person.compensated:
        document["compensation"] = {
            "lines": [
                {"kind": line.kind, "count": str(line.count), "amount": str(line.shown)}
                for line in person.lines
            ],
            "astreinte": str(person.astreinte),
            "interventions": str(person.intervention_pay),
            "total": str(person.total),
            "paid": str(person.money),
            "rest_amount": str(person.rest_amount),
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
        "name": row[3],
        "from": row[4],
        "to": row[5],
        "billed_hours": row[6],
        "categories": list(line.categories),
        "base": row[8] or None,
        "surcharge": row[9] or None,
        "total": row[10] or None,
        "note": line.intervention.note,
    }
