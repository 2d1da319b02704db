"""The roster's git history read as rosters: the roster at a revision (`diff`), and the older
states of each team's timeline that the notice rule compares (`check`).

Git itself is :mod:`astreinte_cli.history`; this module loads and compiles what it gives.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from astreinte_cli.check import Finding, Revision, check_timelines
from astreinte_cli.check.findings import order_by
from astreinte_cli.compile import compile_team
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.history import GitError, Repository, find_repository
from astreinte_cli.i18n import _
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster, Team


def roster_at(repository: Repository, revision: str, into: Path) -> Roster:
    """The roster at ``revision``, written under the folder ``into`` and loaded from there:
    :class:`RosterError` when it is invalid at that revision (its paths are under ``into``),
    :class:`GitError` when git does not know the revision."""
    return load_roster(repository.materialise(revision, into))


class Revisions:
    """Older states of the roster, read lazily from git into ``folder`` and loaded once each."""

    def __init__(
        self, repository: Repository, folder: Path, first: dt.datetime, last: dt.datetime
    ) -> None:
        self.repository = repository
        self.folder = folder
        self.first = first
        self.last = last
        self._rosters: dict[str, Roster | None] = {}

    def _roster(self, sha: str) -> Roster | None:
        if sha not in self._rosters:
            try:
                self._rosters[sha] = roster_at(self.repository, sha, self.folder / sha)
            except (RosterError, GitError):
                self._rosters[sha] = None  # unreadable there: the history stops at it
        return self._rosters[sha]

    def of(self, team: Team) -> Iterator[Revision]:
        """``team``'s timeline at each commit that changed the roster, newest first, with the
        day it became known; the history ends with a revision without it (None)."""
        for commit in self.repository.commits():
            roster = self._roster(commit.sha)
            known = commit.date.astimezone(team.zone).date()
            older = _team(roster, team.id) if roster is not None else None
            if roster is None or older is None:
                yield Revision(known, None)
                return
            yield Revision(known, compile_team(roster, older, self.first, self.last))


def _team(roster: Roster, team_id: str) -> Team | None:
    try:
        return roster.team(team_id)
    except KeyError:
        return None


def check_roster(
    location: Path,
    roster: Roster,
    teams: Sequence[Team],
    first: dt.datetime,
    last: dt.datetime,
    now: dt.datetime,
) -> list[Finding]:
    """Every finding of `check` over ``[first, last)``, the notice rule reading the history of
    the git repository that holds ``location``; outside git, a note for each team the rule
    could not be checked for."""
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
            history = Revisions(repository, Path(tmp), first, last).of
        findings = check_timelines(roster, timelines, first, last, now, history)
    return sorted(findings + extra, key=order_by([t.id for t in teams]))
