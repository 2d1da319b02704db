"""Timeline changes (:mod:`astreinte_cli.diff`) in words, one wording for every command that
shows them: `diff`, and `override add` and `swap`, which show what their edit changes.

A change is one sentence, in the active language::

    bob gains level 2 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, taking it from alice
    alice loses level 2 from Mon 14 Dec 09:00 to Mon 21 Dec 09:00, and nobody takes it over

then, between brackets, where it stands with the team's notice rule.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from astreinte_cli.check.findings import local_range
from astreinte_cli.diff import Change
from astreinte_cli.i18n import _
from astreinte_cli.model import Team


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
    return f"{team.id} ({team.name}){state}, {team.timezone}:"
