"""Timeline changes (:mod:`astreinte_cli.diff`) in words, one wording for every command that
shows them: `diff` (as text or as a Markdown table), and `override add` and `swap`, which show
what their edit changes. (`diff --json` is :func:`astreinte_cli.export.documents.
diff_document`.)

A change is one sentence, in the active language::

    bob gains level 2 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, taking it from alice
    alice loses level 2 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, and nobody takes it over

then, between brackets, where it stands with the team's notice rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from astreinte_cli.check.findings import local_range, local_text, people_text
from astreinte_cli.diff import Change, TeamChanges
from astreinte_cli.i18n import _, ngettext
from astreinte_cli.model import Team
from astreinte_cli.printable import printable


def change_sentence(change: Change, zone: ZoneInfo, notice: int | None) -> str:
    """Who gains or loses which level over which time, from or to whom, and the notice mark:
    ``bob gains level 2 from … to …, taking it from alice [breaks the 15-day notice]``."""
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
    sentence = (
        head.format(person=change.person, level=change.level)
        + f" {local_range(change.start, change.end, zone)}{tail}"
    )
    mark = notice_text(change, notice)
    return f"{sentence} [{mark}]" if mark else sentence


def notice_text(change: Change, notice: int | None) -> str:
    """Where a change stands with a notice of ``notice`` days: breaking it, inside its window,
    or nothing to say ("")."""
    if change.breaks_notice:
        return _("breaks the {notice}-day notice").format(notice=notice)
    if change.within_notice:
        return _("inside the {notice}-day notice window").format(notice=notice)
    return ""


def kind_text(change: Change) -> str:
    """The kind of a change in one word ("gains" or "loses"), for a table's column."""
    return _("gains") if change.kind == "gains" else _("loses")


def team_heading(team: Team, state: str = "") -> str:
    """The line above a team's changes: ``support (Support client), Europe/Paris:``, with
    ``state`` (" (new team)") after the name."""
    return _("{team} ({name}){state}, {timezone}:").format(
        team=team.id, name=printable(team.name), state=state, timezone=team.timezone
    )


# --------------------------------------------------------------------------- diff


def diff_summary(
    teams: Sequence[TeamChanges],
    revisions: tuple[str, str | None],
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
) -> str:
    """The last line of `diff`: how many changes for how many people, between which revisions
    (the second None for the working tree), and where they stand with the notice rule."""
    changes = [c for t in teams for c in t.changes]
    old, new = revisions[0], _revision_name(revisions[1])
    if not changes:
        return _("no change between {old} and {new}, {range}").format(
            old=old, new=new, range=local_range(start, end, zone)
        )
    return _(
        "{changes} for {people} in {teams} between {old} and {new}, {range}: "
        "{inside} inside the notice window, {broken} breaking the notice rule"
    ).format(
        changes=ngettext("{count} change", "{count} changes", len(changes)).format(
            count=len(changes)
        ),
        people=people_text(len({c.person for c in changes})),
        teams=ngettext("{count} team", "{count} teams", len({c.team for c in changes})).format(
            count=len({c.team for c in changes})
        ),
        old=old,
        new=new,
        range=local_range(start, end, zone),
        inside=sum(1 for c in changes if c.within_notice),
        broken=sum(1 for c in changes if c.breaks_notice),
    )


def diff_lines(
    output: str, teams: Sequence[TeamChanges], revisions: tuple[str, str | None], summary: str
) -> list[str]:
    """`diff --format text` (``output`` "text"), or ``markdown`` for a pull-request comment:
    each team that changes, its changes, then ``summary``."""
    lines: list[str] = []
    if output == "markdown":
        heading = _("### On-call changes: {old} → {new}")
        new = _revision_name(revisions[1])
        lines.append(
            heading.format(old=f"`{revisions[0]}`", new=f"`{new}`" if revisions[1] else new)
        )
        lines.append("")
    for t in teams:
        if not t.changes and not t.added and not t.removed:
            continue
        state = " " + _("(new team)") if t.added else " " + _("(team removed)") if t.removed else ""
        if output == "markdown":
            lines += _markdown_team(t, state)
        else:
            lines.append(team_heading(t.team, state))
            notice = t.team.rules.notice_days
            lines.extend("  " + change_sentence(c, t.team.zone, notice) for c in t.changes)
    lines.append(summary if output == "text" else f"_{summary}_")
    return lines


def _markdown_team(changes: TeamChanges, state: str) -> list[str]:
    team, zone, notice = changes.team, changes.team.zone, changes.team.rules.notice_days
    lines = [
        _("{team} — {name}{state}, times in {timezone}").format(
            team=f"**{team.id}**", name=printable(team.name), state=state, timezone=team.timezone
        ),
        "",
    ]
    if changes.changes:
        lines.append(_("| Person | Change | Level | From | To | Taken from / given to | Notice |"))
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for c in changes.changes:
            lines.append(
                f"| {c.person} | {kind_text(c)} | {c.level} | {local_text(c.start, zone)} | "
                f"{local_text(c.end, zone)} | {', '.join(c.others) or '—'} | "
                f"{'⚠️ ' if c.breaks_notice else ''}{notice_text(c, notice)} |"
            )
        lines.append("")
    return lines


def _revision_name(revision: str | None) -> str:
    return _("the working tree") if revision is None else revision
