"""The monthly report as terminal tables (``report`` without ``--format``): the cells of the
CSV rows (:mod:`astreinte_cli.export.report_formats`), fewer columns, aligned. Plain text: the
table reads the same in a terminal, a pipe or a file."""

from __future__ import annotations

from collections.abc import Sequence

from astreinte_cli.export.report_formats import (
    billing_row,
    billing_sum,
    billing_total,
    by_client,
    categories_text,
    commit_text,
    person_row,
    short_time,
    team_list,
    totals_row,
)
from astreinte_cli.i18n import _
from astreinte_cli.model import Roster
from astreinte_cli.report import MonthReport


def _aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [
            c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths, strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _numeric(cell: str) -> bool:
    return bool(cell) and cell.replace(".", "", 1).isdigit()


def report_table(roster: Roster, report: MonthReport, commit: str | None) -> str:
    header = (_("team"), _("person"), _("weekday"), _("sat"), _("sun"), _("holiday"),
              _("hours"), _("turns"), _("calls"), _("call h"), _("total €"), _("paid €"),
              _("rest h"))  # fmt: skip
    title = _("Astreinte report {month} ({teams}) — roster {commit}").format(
        month=report.month, teams=team_list(report), commit=commit_text(commit)
    )
    lines = [title, ""]

    def short(row: list[str], team: str, name: str) -> list[str]:
        return [team, name, *row[4:12], *row[15:18]]  # hours … call h, then euros

    if report.people:
        rows = [short(person_row(roster, p), p.team, p.name) for p in report.people]
        rows.append(short(totals_row("total", report.people), _("total"), ""))
        lines += _aligned(header, rows)
    else:
        lines.append(_("No one held astreinte this month."))
    for person in report.people:
        zone = roster.team(person.team).zone
        for item in person.interventions:
            values = {
                "name": person.name,
                "start": short_time(item.intervention.start, zone),
                "team": person.team,
            }
            if not item.on_call:
                lines.append(
                    _(
                        "{name}: the call-out of {start} was made while not on call in {team}"
                    ).format(**values)
                )
            if item.resume_at is None:
                continue
            resume = short_time(item.resume_at, zone)
            if item.rest == "weekly":
                text = _(
                    "{name}: the call-out of {start} interrupted the weekly rest: no work "
                    "before {resume}"
                )
            else:
                text = _(
                    "{name}: the call-out of {start} interrupted the daily rest: no work "
                    "before {resume}"
                )
            lines.append(text.format(resume=resume, **values))
    if report.services:
        lines += ["", _("Services (invoice view: hours held)")]
        service_header = (_("team"), _("service"), _("weekday"), _("sat"), _("sun"),
                          _("holiday"), _("hours"))  # fmt: skip
        rows = [[p.team, p.name, *person_row(roster, p)[4:9]] for p in report.services]
        lines += _aligned(service_header, rows)
    return "\n".join(lines) + "\n"


def billing_table(roster: Roster, report: MonthReport, commit: str | None) -> str:
    """``--billing``: per client, the billable interventions and their surcharge."""
    title = _("Billing {month} ({teams}) — roster {commit}").format(
        month=report.month, teams=team_list(report), commit=commit_text(commit)
    )
    lines = [title, ""]
    if not report.billing:
        return "\n".join([*lines, _("No billable intervention this month.")]) + "\n"
    header = (_("client"), _("person"), _("from"), _("billed h"), _("categories"), _("base €"),
              _("surcharge €"), _("total €"))  # fmt: skip
    rows = []
    for client, items in by_client(report):
        for line in items:
            row = billing_row(roster, line)
            start = short_time(line.intervention.start, roster.team(line.intervention.team).zone)
            categories = categories_text(line.categories)
            rows.append([row[0], row[3], start, row[6], categories, row[8], row[9], row[10]])
        sub = billing_sum("subtotal", client, items)
        subtotal = _("subtotal {client}").format(client=client)
        rows.append([subtotal, "", "", sub[6], "", sub[8], sub[9], sub[10]])
    total = billing_total(report)
    rows.append([_("total"), "", "", total[6], "", total[8], total[9], total[10]])
    return "\n".join(lines + _aligned(header, rows)) + "\n"
