"""``astreinte diff``: how the timeline changes between two git revisions of the roster, or a
revision and the working tree. The changes are :mod:`astreinte_cli.diff`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from astreinte_cli.cli.options import (
    HORIZON_DAYS,
    DiffFormatOption,
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
    fail_usage,
    load,
    print_json,
    print_roster_error,
    read_range,
    select,
    when,
)
from astreinte_cli.cli.toolkit import (
    zone as zone_of,
)
from astreinte_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from astreinte_cli.diff import TeamChanges
    from astreinte_cli.history import Repository
    from astreinte_cli.model import Roster


def diff(
    revision: Annotated[str, typer.Argument(help="The git revision to compare from.")],
    other: Annotated[
        str | None,
        typer.Argument(help="The revision to compare to (default: the working tree)."),
    ] = None,
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    start: HorizonFrom = None,
    end: HorizonTo = None,
    at: KnownOn = "now",
    tz: TzOption = None,
    output: DiffFormatOption = "text",
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

    with boundary(), tempfile.TemporaryDirectory(prefix="astreinte-diff-") as tmp:
        chosen = choose_format(output, ("text", "json", "markdown"), as_json=as_json)
        repository = find_repository(rosters) if rosters.exists() else None
        if repository is None:
            fail_usage(
                _("{path} is not in a git repository").format(path=rosters),
                _("diff compares git revisions: run it inside the repository of the roster"),
            )
        old_roster = _roster_at(repository, revision, Path(tmp) / "old")
        if other is None:
            new_roster = load(rosters)
        else:
            new_roster = _roster_at(repository, other, Path(tmp) / "new")
        teams = select(new_roster, team)
        old_teams = [t for t in old_roster.teams if not team or t.id in team]
        zone = zone_of(tz, teams or old_teams)
        now = when(at, zone, "--at")
        first, last = read_range(
            start or None, end or None, zone,
            now=now, default_start=now, default_end=days_after(HORIZON_DAYS, zone),
        )  # fmt: skip
        old = [compile_team(old_roster, t, first, last) for t in old_teams]
        new = [compile_team(new_roster, t, first, last) for t in teams]
        changes = diff_teams(old_roster, old, new_roster, new, now)
        names = (revision, other or _("the working tree"))
        _print_diff(chosen, changes, names, now, first, last, zone)
    if fail_on_notice and any(c.breaks_notice for t in changes for c in t.changes):
        raise typer.Exit(ExitCode.INVALID)


def _iso(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _people(count: int) -> str:
    return ngettext("{count} person", "{count} people", count).format(count=count)


# --------------------------------------------------------------------------- diff


def _roster_at(repository: Repository, revision: str, into: Path) -> Roster:
    """The roster at ``revision``; its errors are shown as ``REV:path`` and stop the run."""
    from astreinte_cli.diagnostics import RosterError
    from astreinte_cli.revisions import roster_at

    try:
        return roster_at(repository, revision, into)
    except RosterError as exc:
        message = _("the roster at {revision} is invalid: nothing to compare")
        print_roster_error(
            exc,
            lambda _count: message.format(revision=revision),
            moved=(f"{into}/", f"{revision}:"),
        )
        raise typer.Exit(ExitCode.INVALID) from None


def _print_diff(
    output: str,
    teams: Sequence[TeamChanges],
    names: tuple[str, str],
    now: dt.datetime,
    first: dt.datetime,
    last: dt.datetime,
    zone: ZoneInfo,
) -> None:
    from astreinte_cli.check.findings import local_range, local_text
    from astreinte_cli.render.changes import (
        change_sentence,
        kind_text,
        notice_text,
        team_heading,
    )

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
        print_json(
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
                        f"| {c.person} | {kind_text(c)} | {c.level} | {local_text(c.start, tz)} | "
                        f"{local_text(c.end, tz)} | {', '.join(c.others) or '—'} | "
                        f"{'⚠️ ' if c.breaks_notice else ''}{notice_text(c, notice)} |"
                    )
                lines.append("")
            continue
        lines.append(team_heading(t.team, state))
        lines.extend("  " + change_sentence(c, tz, notice) for c in t.changes)
    lines.append(summary if output == "text" else f"_{summary}_")
    typer.echo("\n".join(lines))


def _md_name(name: str) -> str:
    return name if name == _("the working tree") else f"`{name}`"
