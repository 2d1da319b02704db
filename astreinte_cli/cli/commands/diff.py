"""``astreinte diff``: how the timeline changes between two git revisions of the roster, or a
revision and the working tree. The changes are :mod:`astreinte_cli.diff`, their wording
:mod:`astreinte_cli.render.changes`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    read_when,
    read_zone,
    select,
)
from astreinte_cli.i18n import _

if TYPE_CHECKING:
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
    from astreinte_cli.render.changes import diff_lines, diff_summary

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
        zone = read_zone(tz, teams or old_teams)
        now = read_when(at, zone, "--at")
        first, last = read_range(
            start or None, end or None, zone,
            now=now, default_start=now, default_end=days_after(HORIZON_DAYS, zone),
        )  # fmt: skip
        old = [compile_team(old_roster, t, first, last) for t in old_teams]
        new = [compile_team(new_roster, t, first, last) for t in teams]
        changes = diff_teams(old_roster, old, new_roster, new, now)
        revisions = (revision, other)
        summary = diff_summary(changes, revisions, first, last, zone)
        if chosen == "json":
            from astreinte_cli.export.documents import diff_document

            print_json(diff_document(changes, revisions, now, first, last, zone, summary))
        else:
            typer.echo("\n".join(diff_lines(chosen, changes, revisions, summary)))
    if fail_on_notice and any(c.breaks_notice for t in changes for c in t.changes):
        raise typer.Exit(ExitCode.INVALID)


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
