"""The roster's git history read as rosters: the roster at a revision (`diff`), and the older
states of each team's timeline that the notice rule compares (`check`).

Git itself is :mod:`astreinte_cli.history`; this module loads and compiles what it gives.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from astreinte_cli.check import Finding, Revision, check_timelines
from astreinte_cli.check.findings import order_by
from astreinte_cli.compile import compile_team
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.history import Commit, GitError, Repository, find_repository
from astreinte_cli.i18n import _
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster, Team
from astreinte_cli.publication_log import read_log


def roster_at(repository: Repository, revision: str, into: Path) -> Roster:
    """The roster at ``revision``, written under the folder ``into`` and loaded from there:
    :class:`RosterError` when it is invalid at that revision (its paths are under ``into``),
    :class:`GitError` when git does not know the revision."""
    return load_roster(repository.materialise(revision, into))


class Revisions:
    """Older states of the roster, read lazily from git into ``folder`` and loaded once each.

    The notice rule counts in days, so only the roster as it stood at the end of each day
    matters: of the commits that count from the same day, only the newest is loaded (and the
    oldest commit of all, the baseline). The walk is newest first and stops where the notice
    rule stops asking (:func:`astreinte_cli.check.notice.known_dates`), so its cost is bounded
    by the number of days the rule looks back, not by the number of commits: a branch with
    hundreds of commits a day costs what one with a commit a day does."""

    def __init__(
        self, repository: Repository, folder: Path, first: dt.datetime, last: dt.datetime
    ) -> None:
        self.repository = repository
        self.folder = folder
        self.first = first
        self.last = last
        self._rosters: dict[str, Roster | None] = {}
        self._commits: list[Commit] | None = None
        # Commits dated before their first parent that some team's walk went through, with
        # the first such team: check says so (their date is not trusted, see Commit.known).
        self.backdated: dict[str, tuple[Commit, Team]] = {}

    @property
    def commits(self) -> list[Commit]:
        if self._commits is None:
            self._commits = list(self.repository.commits())
        return self._commits

    def _roster(self, sha: str) -> Roster | None:
        if sha not in self._rosters:
            try:
                self._rosters[sha] = roster_at(self.repository, sha, self.folder / sha)
            except (RosterError, GitError):
                self._rosters[sha] = None  # unreadable there: the history stops at it
        return self._rosters[sha]

    def of(self, team: Team) -> Iterator[Revision]:
        """``team``'s timeline as it stood at the end of each day that changed the roster,
        newest first, with that day; then the oldest commit's (the baseline). The history ends
        with a revision without the team (None) where it did not exist or did not load."""
        commits = self.commits
        zone = team.zone
        previous: dt.date | None = None
        for index, commit in enumerate(commits):
            if commit.backdated and commit.parent_date is not None:
                # Notice counts in days: seconds of clock skew between two machines within a
                # day change nothing, and would be noise.
                earlier = commit.date.astimezone(zone).date()
                if earlier < commit.parent_date.astimezone(zone).date():
                    self.backdated.setdefault(commit.sha, (commit, team))
            known = commit.known.astimezone(zone).date()
            if known == previous and index != len(commits) - 1:
                continue  # an earlier commit of a day already read: the day's end is what counts
            previous = known
            roster = self._roster(commit.sha)
            older = _team(roster, team.id) if roster is not None else None
            if roster is None or older is None:
                yield Revision(known, None)
                return
            yield Revision(known, compile_team(roster, older, self.first, self.last))

    def backdated_findings(self) -> list[Finding]:
        """A warning for each commit dated before its first parent that a walk went through."""
        found = []
        for commit, team in self.backdated.values():
            zone = team.zone
            found.append(
                Finding(
                    "notice",
                    "warning",
                    team.rules.spans.get("notice_days", team.span),
                    _(
                        "commit {sha} is dated {date}, before the commit it follows on this "
                        "branch ({parent}): for notice it counts from {known}"
                    ).format(
                        sha=commit.sha[:12],
                        date=_minutes(commit.date, zone),
                        parent=_minutes(commit.parent_date or commit.known, zone),
                        known=_minutes(commit.known, zone),
                    ),
                    _(
                        "a date that goes back is a rewritten date, a wrong clock or commits "
                        "fast-forwarded from elsewhere; merge changes with merge or squash "
                        "commits on a protected branch (README, Notice)"
                    ),
                    team.id,
                    commit.date,
                )
            )
        return found


def _minutes(instant: dt.datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat(timespec="minutes")


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
    publication: Path | None = None,
) -> list[Finding]:
    """Every finding of `check` over ``[first, last)``, the notice rule reading the history of
    the git repository that holds ``location``, or the publication log at ``publication`` for
    the teams whose rules say ``notice_from: publication``; where the rule cannot be checked, a
    finding says so (:class:`astreinte_cli.publication_log.LogError` for a log that cannot be
    read)."""
    timelines = [compile_team(roster, t, first, last) for t in teams]
    repository = find_repository(location)
    log = read_log(publication) if publication is not None else None
    extra: list[Finding] = []
    for t in teams:
        if t.rules.notice_days is None:
            continue
        if t.rules.notice_from == "publication" and log is None:
            extra.append(
                Finding(
                    "notice",
                    "warning",
                    t.rules.spans.get("notice_from", t.span),
                    _(
                        "the notice rule was not checked for team '{team}': it reads notice "
                        "from the publication log, and no log was given"
                    ).format(team=t.id),
                    _(
                        "give --publication DIR (the folder `astreinte publish` writes, or its "
                        "publication-log.json)"
                    ),
                    t.id,
                )
            )
        elif t.rules.notice_from == "git" and repository is None:
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
        revisions = None
        if repository is not None:
            revisions = Revisions(repository, Path(tmp), first, last)
        history = revisions.of if revisions is not None else None
        findings = check_timelines(roster, timelines, first, last, now, history, log)
        if revisions is not None:
            extra += revisions.backdated_findings()
    return sorted(findings + extra, key=order_by([t.id for t in teams]))
