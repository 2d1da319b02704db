"""``astreinte check`` and ``astreinte diff``: rules over the timeline, and what a change of the
roster does to it. Options are parsed here; the work is done by :mod:`astreinte_cli.check`,
:mod:`astreinte_cli.diff` and :mod:`astreinte_cli.history`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo

import typer

from astreinte_cli import cli
from astreinte_cli.cli import JsonOption, RostersOption, TeamOption, TzOption
from astreinte_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from astreinte_cli.check import Finding, Revision
    from astreinte_cli.diff import Change, TeamChanges
    from astreinte_cli.history import Repository
    from astreinte_cli.model import Roster, Team

HORIZON_DAYS = 90
CheckFormat = Literal["text", "json", "github"]
DiffFormat = Literal["text", "json", "markdown"]


# Options that `check` and `diff` share: the horizon, and the day changes count as known on.
HorizonStart = Annotated[
    str | None,
    typer.Option("--from", help="WHEN the horizon starts (default: --at).", show_default=False),
]
HorizonEnd = Annotated[
    str | None,
    typer.Option("--to", help="WHEN it ends (default: 90 days after --from).", show_default=False),
]
KnownOn = Annotated[
    str, typer.Option("--at", help="WHEN 'now' is: the day the changes are known on.")
]


def register(app: typer.Typer) -> None:
    """Add ``check`` and ``diff`` to the application."""
    app.command()(check)
    app.command()(diff)


def check(
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    start: HorizonStart = None,
    end: HorizonEnd = None,
    at: KnownOn = "now",
    tz: TzOption = None,
    output: Annotated[
        str, typer.Option("--format", help="text, json, or github (Actions annotations).")
    ] = "text",
    as_json: JsonOption = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
) -> None:
    """Validate the roster, then report gaps, leave conflicts, double bookings, dead rules
    and the team's rules (notice, turns in a row, rest, fair shares) over the next 90 days.

    Exit 1 on any error (on warnings too with --strict)."""
    with cli._boundary():
        chosen = _format(output, as_json, ("text", "json", "github"))
        roster, teams, zone = cli._scope(rosters, team, tz)
        now = cli._when(at, zone, "--at")
        first, last = _horizon(start, end, now, zone)
        findings = _run_checks(rosters, roster, teams, first, last, now)
        _print_check(chosen, roster, teams, findings, now, first, last, zone)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    if errors or (strict and warnings):
        raise typer.Exit(cli.EXIT_INVALID)


def diff(
    revision: Annotated[str, typer.Argument(help="The git revision to compare from.")],
    other: Annotated[
        str | None,
        typer.Argument(help="The revision to compare to (default: the working tree)."),
    ] = None,
    rosters: RostersOption = Path("rosters"),
    team: TeamOption = None,
    start: HorizonStart = None,
    end: HorizonEnd = None,
    at: KnownOn = "now",
    tz: TzOption = None,
    output: Annotated[
        str, typer.Option("--format", help="text, json, or markdown (a PR comment).")
    ] = "text",
    as_json: JsonOption = False,
    fail_on_notice: Annotated[
        bool,
        typer.Option("--fail-on-notice", help="Exit 1 when a change breaks the notice rule."),
    ] = False,
) -> None:
    """How the timeline changes between git revision REV and the working tree (or REV2),
    person by person, and which changes fall inside the notice window."""
    import tempfile

    from astreinte_cli.compile import compile_team
    from astreinte_cli.diff import diff_teams
    from astreinte_cli.history import find_repository

    with cli._boundary(), tempfile.TemporaryDirectory(prefix="astreinte-diff-") as tmp:
        chosen = _format(output, as_json, ("text", "json", "markdown"))
        repository = find_repository(rosters) if rosters.exists() else None
        if repository is None:
            cli._fail_usage(
                _("{path} is not in a git repository").format(path=rosters),
                _("diff compares git revisions: run it inside the repository of the roster"),
            )
        old_roster = _roster_at(repository, revision, Path(tmp) / "old")
        if other is None:
            new_roster = cli._load(rosters)
        else:
            new_roster = _roster_at(repository, other, Path(tmp) / "new")
        teams = cli._select(new_roster, team)
        old_teams = [t for t in old_roster.teams if not team or t.id in team]
        zone = cli._zone(tz, teams or old_teams)
        now = cli._when(at, zone, "--at")
        first, last = _horizon(start, end, now, zone)
        old = [compile_team(old_roster, t, first, last) for t in old_teams]
        new = [compile_team(new_roster, t, first, last) for t in teams]
        changes = diff_teams(old_roster, old, new_roster, new, now)
        names = (revision, other or _("the working tree"))
        _print_diff(chosen, changes, names, now, first, last, zone)
    if fail_on_notice and any(c.breaks_notice for t in changes for c in t.changes):
        raise typer.Exit(cli.EXIT_INVALID)


# --------------------------------------------------------------------------- shared


def _format(output: str, as_json: bool, allowed: Sequence[str]) -> Any:
    if as_json or output == "json":
        cli._machine_readable()
        return "json"
    if output not in allowed:
        cli._fail_usage(
            _("unknown --format '{format}'").format(format=output),
            _("one of: {choices}").format(choices=", ".join(allowed)),
        )
    return output


def _horizon(
    start: str | None, end: str | None, now: dt.datetime, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    from astreinte_cli.times import local_reading, place

    # Relative WHENs (`+2d`, `tomorrow`) count from --at, as the help says and as export does.
    first = cli._when(start, zone, "--from", now) if start else now
    if end:
        last = cli._when(end, zone, "--to", now)
    else:
        last = place(local_reading(first, zone) + dt.timedelta(days=HORIZON_DAYS), zone)
    if last <= first:
        cli._fail_usage(_("--to must be after --from"))
    return first, last


def _iso(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _stamp(instant: dt.datetime, zone: ZoneInfo) -> str:
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"


def _people(count: int) -> str:
    return ngettext("{count} person", "{count} people", count).format(count=count)


# --------------------------------------------------------------------------- check


def _run_checks(
    location: Path,
    roster: Roster,
    teams: Sequence[Team],
    first: dt.datetime,
    last: dt.datetime,
    now: dt.datetime,
) -> list[Finding]:
    import tempfile

    from astreinte_cli.check import Finding, check_timelines
    from astreinte_cli.check.findings import order
    from astreinte_cli.compile import compile_team
    from astreinte_cli.history import find_repository

    timelines = [compile_team(roster, t, first, last) for t in teams]
    repository = find_repository(location)
    extra: list[Finding] = []
    for t in teams:
        if repository is None and t.rules.notice_days is not None:
            extra.append(
                Finding(
                    "notice",
                    "note",
                    t.rules.spans.get("notice_days", t.span),
                    _(
                        "the notice rule was not checked for team '{team}': the roster is not "
                        "in a git repository, so when each turn became known cannot be told"
                    ).format(team=t.id),
                    _("keep the roster in git; or set 'rules: {notice_days: off}' to silence this"),
                    t.id,
                )
            )
    with tempfile.TemporaryDirectory(prefix="astreinte-check-") as tmp:
        history = None
        if repository is not None:
            revisions = _Revisions(repository, Path(tmp), first, last)
            history = revisions.of
        findings = check_timelines(roster, timelines, first, last, now, history)
    return sorted(findings + extra, key=order)


class _Revisions:
    """Older states of the roster, read lazily from git and loaded once each."""

    def __init__(
        self, repository: Repository, tmp: Path, first: dt.datetime, last: dt.datetime
    ) -> None:
        self.repository = repository
        self.tmp = tmp
        self.first = first
        self.last = last
        self._rosters: dict[str, Roster | None] = {}

    def _roster(self, sha: str) -> Roster | None:
        from astreinte_cli.diagnostics import RosterError
        from astreinte_cli.history import GitError
        from astreinte_cli.load import load_roster

        if sha not in self._rosters:
            try:
                folder = self.repository.materialise(sha, self.tmp / sha)
                self._rosters[sha] = load_roster(folder)
            except (RosterError, GitError):
                self._rosters[sha] = None  # unreadable there: the history stops at it
        return self._rosters[sha]

    def of(self, team: Team) -> Iterator[Revision]:
        from astreinte_cli.check import Revision
        from astreinte_cli.compile import compile_team

        for commit in self.repository.commits():
            roster = self._roster(commit.sha)
            known = commit.date.astimezone(team.zone).date()
            found = [t for t in roster.teams if t.id == team.id] if roster else []
            if not found or roster is None:
                yield Revision(known, None)
                return
            yield Revision(known, compile_team(roster, found[0], self.first, self.last))


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
    output: CheckFormat,
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
        cli._print_json(
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


# --------------------------------------------------------------------------- diff


def _roster_at(repository: Repository, revision: str, into: Path) -> Roster:
    """The roster at ``revision``; its errors are shown as ``REV:path`` and stop the run."""
    from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
    from astreinte_cli.load import load_roster

    folder = repository.materialise(revision, into)
    try:
        return load_roster(folder)
    except RosterError as exc:
        sources = SourceLines()
        prefix = str(folder.parent) + "/"
        for diagnostic in exc.diagnostics:
            text = format_diagnostic(diagnostic, sources)
            typer.echo(text.replace(prefix, f"{revision}:", 1), err=True)
        message = _("the roster at {revision} is invalid: nothing to compare")
        typer.echo(message.format(revision=revision), err=True)
        raise typer.Exit(1) from None


def _phrase(change: Change) -> tuple[str, str]:
    others = ", ".join(change.others)
    if change.kind == "gains":
        head = _("{person} gains level {level}")
        tail = (
            _(", taking it from {others}").format(others=others)
            if others
            else _(", where nobody was on call")
        )
    else:
        head = _("{person} loses level {level}")
        tail = (
            _(", giving it to {others}").format(others=others)
            if others
            else _(", and nobody takes it over")
        )
    return head.format(person=change.person, level=change.level), tail


def _notice_text(change: Change, notice: int | None) -> str:
    if change.breaks_notice:
        return _("breaks the {notice}-day notice").format(notice=notice)
    if change.within_notice:
        return _("inside the {notice}-day notice window").format(notice=notice)
    return ""


def _print_diff(
    output: DiffFormat,
    teams: Sequence[TeamChanges],
    names: tuple[str, str],
    now: dt.datetime,
    first: dt.datetime,
    last: dt.datetime,
    zone: ZoneInfo,
) -> None:
    from astreinte_cli.check.findings import local_range, local_text

    changes = [c for t in teams for c in t.changes]
    people = {c.person for c in changes}
    touched = {c.team for c in changes}
    inside = sum(1 for c in changes if c.within_notice)
    broken = sum(1 for c in changes if c.breaks_notice)
    summary = _(
        "{changes} for {people} in {teams} between {old} and {new}, {range}: "
        "{inside} inside the notice window, {broken} breaking the notice rule"
    ).format(
        changes=ngettext("{count} change", "{count} changes", len(changes)).format(
            count=len(changes)
        ),
        people=_people(len(people)),
        teams=ngettext("{count} team", "{count} teams", len(touched)).format(count=len(touched)),
        old=names[0],
        new=names[1],
        range=local_range(first, last, zone),
        inside=inside,
        broken=broken,
    )
    if not changes:
        summary = _("no change between {old} and {new}, {range}").format(
            old=names[0], new=names[1], range=local_range(first, last, zone)
        )
    if output == "json":
        cli._print_json(
            {
                "from_revision": names[0],
                "to_revision": names[1] if names[1] != _("the working tree") else None,
                "at": _iso(now, zone),
                "from": _iso(first, zone),
                "to": _iso(last, zone),
                "teams": [
                    {
                        "team": t.team.id,
                        "name": t.team.name,
                        "timezone": t.team.timezone,
                        "added": t.added,
                        "removed": t.removed,
                        "notice_days": t.team.rules.notice_days,
                        "changes": [
                            {
                                "person": c.person,
                                "change": c.kind,
                                "level": c.level,
                                "level_name": c.level_name,
                                "start": _iso(c.start, t.team.zone),
                                "end": _iso(c.end, t.team.zone),
                                "others": list(c.others),
                                "source": c.source,
                                "within_notice": c.within_notice,
                                "breaks_notice": c.breaks_notice,
                            }
                            for c in t.changes
                        ],
                    }
                    for t in teams
                ],
                "changes": len(changes),
                "within_notice": inside,
                "breaks_notice": broken,
                "summary": summary,
            }
        )
        return
    lines: list[str] = []
    if output == "markdown":
        heading = _("### On-call changes: {old} → {new}")
        lines.append(heading.format(old=f"`{names[0]}`", new=_md_name(names[1])))
        lines.append("")
    for t in teams:
        if not t.changes and not t.added and not t.removed:
            continue
        tz = t.team.zone
        state = " " + _("(new team)") if t.added else " " + _("(team removed)") if t.removed else ""
        notice = t.team.rules.notice_days
        if output == "markdown":
            lines.append(
                _("{team} — {name}{state}, times in {timezone}").format(
                    team=f"**{t.team.id}**", name=t.team.name, state=state, timezone=t.team.timezone
                )
            )
            lines.append("")
            if t.changes:
                lines.append(
                    _("| Person | Change | Level | From | To | Taken from / given to | Notice |")
                )
                lines.append("| --- | --- | --- | --- | --- | --- | --- |")
                for c in t.changes:
                    lines.append(
                        f"| {c.person} | {_kind(c)} | {c.level} | {local_text(c.start, tz)} | "
                        f"{local_text(c.end, tz)} | {', '.join(c.others) or '—'} | "
                        f"{'⚠️ ' if c.breaks_notice else ''}{_notice_text(c, notice)} |"
                    )
                lines.append("")
            continue
        lines.append(f"{t.team.id} ({t.team.name}){state}, {t.team.timezone}:")
        for c in t.changes:
            head, tail = _phrase(c)
            mark = _notice_text(c, notice)
            lines.append(
                f"  {head} {local_range(c.start, c.end, tz)}{tail}" + (f" [{mark}]" if mark else "")
            )
    lines.append(summary if output == "text" else f"_{summary}_")
    typer.echo("\n".join(lines))


def _md_name(name: str) -> str:
    return name if name == _("the working tree") else f"`{name}`"


def _kind(change: Change) -> str:
    return _("gains") if change.kind == "gains" else _("loses")
