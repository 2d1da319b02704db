"""`check` as text: what was read, each finding compiler-style (or as a GitHub Actions
annotation), and the verdict. (`check --json` is :func:`astreinte_cli.export.documents.
check_document`.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from astreinte_cli.check import Finding
from astreinte_cli.check.findings import people_text
from astreinte_cli.diagnostics import Diagnostic, SourceLines, format_diagnostic
from astreinte_cli.i18n import _, ngettext
from astreinte_cli.model import Roster, Team
from astreinte_cli.printable import printable


def check_lines(
    output: str,
    roster: Roster,
    teams: Sequence[Team],
    findings: Sequence[Finding],
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
) -> Iterator[str]:
    """The lines of `check --format text` (``output`` "text") or ``github``."""
    yield from summary_lines(roster, teams)
    sources = SourceLines()
    for finding in findings:
        if output == "github":
            yield annotation(finding)
        else:
            yield format_diagnostic(finding.diagnostic, sources)
    yield verdict(findings, start, end, zone)


def summary_lines(roster: Roster, teams: Sequence[Team]) -> list[str]:
    """What was read: files, teams, people, leave; then each team's levels and rotations."""
    lines = [
        _("ok: {files}, {teams}, {people}, {leave}").format(
            files=ngettext("{count} file", "{count} files", len(roster.files)).format(
                count=len(roster.files)
            ),
            teams=ngettext("{count} team", "{count} teams", len(teams)).format(count=len(teams)),
            people=people_text(len(roster.people)),
            leave=ngettext(
                "{count} leave period", "{count} leave periods", len(roster.leave)
            ).format(count=len(roster.leave)),
        )
    ]
    for t in teams:
        rotations = sum(len(level.rotations) for level in t.levels)
        people = {p for level in t.levels for r in level.rotations for p in r.everyone}
        summary = _("{levels}, {rotations}, {people} on call, {overrides} ({timezone})").format(
            levels=ngettext("{count} level", "{count} levels", len(t.levels)).format(
                count=len(t.levels)
            ),
            rotations=ngettext("{count} rotation", "{count} rotations", rotations).format(
                count=rotations
            ),
            people=people_text(len(people)),
            overrides=ngettext("{count} override", "{count} overrides", len(t.overrides)).format(
                count=len(t.overrides)
            ),
            timezone=t.timezone,
        )
        lines.append("  " + _("{subject}: {message}").format(subject=t.id, message=summary))
    return lines


def verdict(
    findings: Sequence[Finding], start: dt.datetime, end: dt.datetime, zone: ZoneInfo
) -> str:
    """The last line: errors, warnings and notes over the horizon."""
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "note")}
    return _("check: {errors}, {warnings}, {notes} from {start} to {end} ({timezone})").format(
        errors=ngettext("{count} error", "{count} errors", counts["error"]).format(
            count=counts["error"]
        ),
        warnings=ngettext("{count} warning", "{count} warnings", counts["warning"]).format(
            count=counts["warning"]
        ),
        notes=ngettext("{count} note", "{count} notes", counts["note"]).format(
            count=counts["note"]
        ),
        start=_stamp(start, zone),
        end=_stamp(end, zone),
        timezone=zone.key,
    )


def annotation(finding: Finding) -> str:
    """A GitHub Actions workflow command: ``::error file=…,line=…,col=…::message``."""
    return diagnostic_annotation(finding.diagnostic, "astreinte " + finding.rule)


def diagnostic_annotation(diagnostic: Diagnostic, title: str = "astreinte roster") -> str:
    """A diagnostic as a GitHub Actions workflow command (a finding of a rule, or an error
    that stops the roster from loading); a place without a line (the roster folder itself) is
    annotated on the file alone."""
    level = {"error": "error", "warning": "warning", "note": "notice"}[diagnostic.severity]

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    span = diagnostic.span
    # Roster text in the message is shown as text: a line break in a key or a value must not
    # end the annotation and start a workflow command of its own on the next line.
    message = printable(diagnostic.message) + (
        f"\nhint: {printable(diagnostic.hint)}" if diagnostic.hint else ""
    )
    where = f"file={prop(printable(span.path))}"
    if span.line > 0:
        where += f",line={span.line},col={span.column}"
    return f"::{level} {where},title={prop(title)}::{data(message)}"


def _stamp(instant: dt.datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"
