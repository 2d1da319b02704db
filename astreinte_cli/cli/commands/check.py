"""``astreinte check``: validate the roster, then run the rules over the timeline. The rules are
:mod:`astreinte_cli.check`; the older states of the roster they need come from git."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

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
    print_json,
    read_range,
    scope,
    when,
)
from astreinte_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from astreinte_cli.check import Finding
    from astreinte_cli.model import Roster, Team


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
) -> None:
    """Validate the roster, then report gaps, leave conflicts, double bookings, dead rules
    and the team's rules (notice, turns in a row, rest, fair shares) over the next 90 days.

    Exit 1 on any error (on warnings too with --strict)."""
    from astreinte_cli.revisions import check_roster

    with boundary():
        chosen = choose_format(output, ("text", "json", "github"), as_json=as_json)
        roster, teams, zone = scope(rosters, team, tz)
        now = when(at, zone, "--at")
        # Relative WHENs (`+2d`, `tomorrow`) count from --at, as the help says and as export does.
        first, last = read_range(
            start or None, end or None, zone,
            now=now, default_start=now, default_end=days_after(HORIZON_DAYS, zone),
        )  # fmt: skip
        findings = check_roster(rosters, roster, teams, first, last, now)
        _print_check(chosen, roster, teams, findings, now, first, last, zone)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    if errors or (strict and warnings):
        raise typer.Exit(ExitCode.INVALID)


def _iso(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _stamp(instant: dt.datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"


def _people(count: int) -> str:
    return ngettext("{count} person", "{count} people", count).format(count=count)


# --------------------------------------------------------------------------- check


def _summary_lines(roster: Roster, teams: Sequence[Team]) -> list[str]:
    lines = [
        _("ok: {files}, {teams}, {people}, {leave}").format(
            files=ngettext("{count} file", "{count} files", len(roster.files)).format(
                count=len(roster.files)
            ),
            teams=ngettext("{count} team", "{count} teams", len(teams)).format(count=len(teams)),
            people=_people(len(roster.people)),
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
            people=_people(len(people)),
            overrides=ngettext("{count} override", "{count} overrides", len(t.overrides)).format(
                count=len(t.overrides)
            ),
            timezone=t.timezone,
        )
        lines.append(f"  {t.id}: {summary}")
    return lines


def _print_check(
    output: str,
    roster: Roster,
    teams: Sequence[Team],
    findings: Sequence[Finding],
    now: dt.datetime,
    first: dt.datetime,
    last: dt.datetime,
    zone: ZoneInfo,
) -> None:
    from astreinte_cli.diagnostics import SourceLines, format_diagnostic

    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "note")}
    verdict = _("check: {errors}, {warnings}, {notes} from {start} to {end} ({timezone})").format(
        errors=ngettext("{count} error", "{count} errors", counts["error"]).format(
            count=counts["error"]
        ),
        warnings=ngettext("{count} warning", "{count} warnings", counts["warning"]).format(
            count=counts["warning"]
        ),
        notes=ngettext("{count} note", "{count} notes", counts["note"]).format(
            count=counts["note"]
        ),
        start=_stamp(first, zone),
        end=_stamp(last, zone),
        timezone=zone.key,
    )
    if output == "json":
        print_json(
            {
                "at": _iso(now, zone),
                "from": _iso(first, zone),
                "to": _iso(last, zone),
                "findings": [
                    {
                        "rule": f.rule,
                        "severity": f.severity,
                        "team": f.team,
                        "file": f.span.path,
                        "line": f.span.line,
                        "column": f.span.column,
                        "message": f.message,
                        "hint": f.hint,
                    }
                    for f in findings
                ],
                "errors": counts["error"],
                "warnings": counts["warning"],
                "notes": counts["note"],
                "files": len(roster.files),
                "teams": [t.id for t in teams],
            }
        )
        return
    for line in _summary_lines(roster, teams):
        typer.echo(line)
    sources = SourceLines()
    for finding in findings:
        if output == "github":
            typer.echo(_annotation(finding))
        else:
            typer.echo(format_diagnostic(finding.diagnostic, sources))
    typer.echo(verdict)


def _annotation(finding: Finding) -> str:
    """A GitHub Actions workflow command: ``::error file=…,line=…,col=…::message``."""
    level = {"error": "error", "warning": "warning", "note": "notice"}[finding.severity]

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    span = finding.span
    message = finding.message + (f"\nhint: {finding.hint}" if finding.hint else "")
    return (
        f"::{level} file={prop(span.path)},line={span.line},col={span.column},"
        f"title={prop('astreinte ' + finding.rule)}::{data(message)}"
    )
