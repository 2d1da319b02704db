"""The `now` view: who is on call at each level, until when, who is next, whom to call in turn.

`now` is what a switchboard or a phone system runs at every call, and importing Rich takes
longer than answering. So the view is built as :class:`Line` values, the part of
``rich.text.Text`` it needs, and the CLI writes them in one of two ways:

- on a terminal (or where colours are asked for), :func:`renderable`: the lines as Rich
  ``Text``, printed by Rich with their styles;
- anywhere else (a pipe, a file, a phone system reading the answer), :func:`plain_text`: the
  lines as plain text, in astreinte's own format, without Rich. A line wider than the width is
  wrapped at its spaces by the rule of :func:`wrap`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from astreinte_cli.answers import (
    Contact,
    LevelAnswer,
    Next,
    OnCall,
    Step,
    TeamAnswer,
    escalation,
    step_label,
)
from astreinte_cli.contacts import display_phone
from astreinte_cli.i18n import _, format_instant, ngettext
from astreinte_cli.printable import printable

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from astreinte_cli.load.last_valid import StaleRoster


class Line:
    """Styled text as ``rich.text.Text`` holds it: the characters, a style for all of them, and
    spans ``(start, end, style)`` over parts; :meth:`append` follows ``Text.append``, so that
    :meth:`to_rich` gives the very ``Text`` (and terminal output) the view always gave."""

    __slots__ = ("_length", "_parts", "spans", "style")

    def __init__(self, text: str = "", style: str = "") -> None:
        text = printable(text, lines=True)  # roster text: never acts on the terminal
        self._parts = [text]
        self._length = len(text)
        self.style = style
        self.spans: list[tuple[int, int, str]] = []

    @property
    def plain(self) -> str:
        return "".join(self._parts)

    def append(self, text: str | Line, style: str = "") -> Line:
        if isinstance(text, Line):
            if text._length:
                if text.style:
                    self.spans.append((self._length, self._length + text._length, text.style))
                self.spans.extend(
                    (s + self._length, e + self._length, st) for s, e, st in text.spans
                )
                self._parts.append(text.plain)
                self._length += text._length
        elif text:
            text = printable(text, lines=True)
            if style:
                self.spans.append((self._length, self._length + len(text), style))
            self._parts.append(text)
            self._length += len(text)
        return self

    def to_rich(self) -> Text:
        from rich.text import Span, Text

        return Text(self.plain, style=self.style, spans=[Span(*span) for span in self.spans])


def renderable(lines: Sequence[Line]) -> RenderableType:
    """The view for a Rich console."""
    from rich.console import Group

    return Group(*(line.to_rich() for line in lines))


def plain_text(lines: Sequence[Line], stream: TextIO) -> str | None:
    """The view as plain text for ``stream``, each line wrapped by :func:`wrap` at the width
    of :func:`plain_width`; None where Rich writes it instead: a terminal, an environment that
    asks for colours, and where plain text cannot be written as is (a Windows console, a
    notebook, an encoding other than UTF-8, a tab, whose width depends on where it falls)."""
    width = plain_width(stream)
    if width is None:
        return None
    text = "\n".join(line.plain for line in lines)
    if "\t" in text:
        return None
    return "".join(
        piece + "\n" for paragraph in text.split("\n") for piece in wrap(paragraph, width)
    )


def plain_width(stream: TextIO) -> int | None:
    """The width to wrap plain text at on ``stream``, or None when the view goes through Rich
    there (see :func:`plain_text`).

    Colours are for a terminal, or where TTY_COMPATIBLE or FORCE_COLOR ask for them (as Rich
    reads them, for one behaviour whichever way the view is written). The width is $COLUMNS,
    else that of the first of stdin, stdout, stderr that is a terminal, else 80 columns."""
    if sys.platform == "win32" or "IPython" in sys.modules or "idlelib" in sys.modules:
        return None
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return None
    if (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8":
        return None
    try:
        if stream.isatty():
            return None
    except ValueError:  # closed: let Rich report it
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns) if columns.isascii() and int(columns) > 0 else None
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


# A word: a run of characters other than the space, with the spaces after it (the first word
# of a line also takes the spaces before it: its indent).
_WORD = re.compile(r" *[^ ]+ *| +")


def wrap(paragraph: str, width: int) -> list[str]:
    """``paragraph`` (one line of the view) in lines of at most ``width`` columns.

    The rule, astreinte's own:

    - a paragraph that fits is one line;
    - otherwise it is cut at spaces (U+0020 only: a no-break space never breaks): words, each
      with the spaces after it, go on a line as long as the word without those spaces fits in
      what the line leaves; a word that does not starts the next line;
    - the spaces that end a line stay, up to the width;
    - a word wider than the width starts a line and is cut every ``width`` columns; its last
      piece goes on with the words after it;
    - a character wider than the width (a wide character, at a width of 1) is a line alone.

    Columns are those of a terminal (:func:`columns`).
    """
    if columns(paragraph) <= width:
        return [paragraph]
    lines: list[str] = []
    line, used = "", 0
    for word in _WORD.findall(paragraph):
        body = word.rstrip(" ")
        if used + columns(body) <= width:
            line, used = line + word, used + columns(word)
            continue
        if line:
            lines.append(line)
        line = word
        if columns(body) > width:
            *pieces, last = _cut(body, width)
            lines += pieces
            line = last + word[len(body) :]
        used = columns(line)
    lines.append(line)
    return [_trim(line, width) for line in lines]


def _cut(word: str, width: int) -> list[str]:
    """``word`` in pieces of at most ``width`` columns (a character wider than that alone)."""
    pieces, piece, used = [], "", 0
    for char in word:
        size = columns(char)
        if piece and used + size > width:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + char, used + size
    return [*pieces, piece]


def _trim(line: str, width: int) -> str:
    """``line`` without the spaces that end it beyond ``width`` columns."""
    while line.endswith(" ") and columns(line) > width:
        line = line[:-1]
    return line


def columns(text: str) -> int:
    """How many columns ``text`` takes on a terminal: 2 for each East Asian wide or fullwidth
    character, 0 for combining marks, format characters (a zero-width space) and control
    characters, 1 for every other."""
    if text.isascii() and text.isprintable():
        return len(text)
    import unicodedata

    total = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


# --------------------------------------------------------------------------- the view


def when(instant: dt.datetime, zone: ZoneInfo, *, with_year: bool = False) -> str:
    return format_instant(instant, zone, "day-time-year" if with_year else "day-time")


def span_text(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [_("{days} d").format(days=days)] if days else []
    if hours:
        parts.append(_("{hours} h").format(hours=hours))
    if minutes and not days:
        parts.append(_("{minutes} min").format(minutes=minutes))
    return " ".join(parts) or _("{minutes} min").format(minutes=0)


def person_label(person: Contact | OnCall) -> Line:
    text = Line(person.name, style="bold")
    if person.phone:
        text.append("  " + display_phone(person.phone))
    else:
        text.append("  " + _("(no phone on file)"), style="yellow")
    return text


def stale_banner(stale: StaleRoster, at: dt.datetime, zone: ZoneInfo) -> list[Line]:
    """The red lines that open an answer given from the last valid roster (exit 4)."""

    def moment(instant: dt.datetime) -> str:
        other_year = instant.astimezone(zone).year != at.astimezone(zone).year
        return when(instant, zone, with_year=other_year)

    errors = ngettext(
        "the roster has {count} error since {since}:",
        "the roster has {count} errors since {since}:",
        stale.errors,
    ).format(count=stale.errors, since=moment(stale.broken_since))
    answer = _("answering from the version loaded {loaded}; run `astreinte check`").format(
        loaded=moment(stale.roster_loaded)
    )
    return [
        Line("⚠  " + errors, style="bold white on red"),
        Line("   " + answer, style="bold white on red"),
    ]


def now_lines(
    at: dt.datetime, teams: Sequence[TeamAnswer], stale: StaleRoster | None = None
) -> list[Line]:
    lines: list[Line] = []
    if stale is not None:
        zone = teams[0].zone if teams else ZoneInfo("UTC")
        lines += [*stale_banner(stale, at, zone), Line("")]
    for team in teams:
        zone = team.zone
        header = Line(team.name, style="bold underline")
        header.append(
            f"  ({team.id}) · {team.timezone} · {when(at, zone, with_year=True)}"
            f" {at.astimezone(zone):%Z}",
            style="dim",
        )
        lines.append(header)
        for level in team.levels:
            lines.extend(_level_now(zone, at, level))
        lines.extend(_chain(team, at))
        if team.instructions:
            lines.append(
                Line(_("Instructions:") + " ", style="bold").append(team.instructions.strip())
            )
        lines.append(Line(""))
    return lines


def _level_now(zone: ZoneInfo, at: dt.datetime, state: LevelAnswer) -> list[Line]:
    title = Line(
        _("Level {number} · {name}").format(number=state.number, name=state.name),
        style="bold cyan",
    )
    lines = [title]
    if state.until is not None:
        until = _("until {when} (in {duration})").format(
            when=when(state.until, zone), duration=span_text(state.until - at)
        )
    else:
        until = _("with no change in the next 400 days")
    since = (
        _("since {when}").format(when=when(state.since, zone))
        if state.since
        else _("since more than 400 days")
    )
    if state.is_gap:
        lines.append(
            Line(
                "  ⚠  " + _("NOBODY ON CALL — this level is in its coverage and empty"),
                style="bold white on red",
            )
        )
        lines.append(
            Line("  " + _("gap {since} · {until}").format(since=since, until=until), style="red")
        )
    elif not state.active:
        resume = (
            _("resumes {when}").format(when=when(state.until, zone))
            if state.until
            else _("does not resume within 400 days")
        )
        lines.append(
            Line(
                "  "
                + _("off (outside this level's coverage); astreinte {resume}").format(
                    resume=resume
                ),
                style="dim",
            )
        )
    else:
        for person in state.on_call:
            lines.append(Line("  ● ").append(person_label(person)))
            lines.extend(_why(person))
        lines.append(Line(f"  {since} · {until}", style="dim"))
        lines.append(Line("  " + _("source: {source}").format(source=state.source), style="dim"))
    if state.next is not None and state.until is not None:
        lines.append(Line("  " + _("next:") + " ", style="dim").append(_describe(state.next)))
    if state.instructions and state.active:
        lines.append(
            Line("  " + _("instructions:") + " ", style="dim").append(state.instructions.strip())
        )
    return lines


def _why(person: OnCall) -> list[Line]:
    """Why someone is on call, when the rotation alone does not say it: standing in for
    someone on leave, on call despite their own leave, put there by an override."""
    lines = []
    if person.standing_in_for is not None:
        lines.append(
            Line(
                "    " + _("in place of {name}, on leave").format(name=person.standing_in_for.name),
                style="dim",
            )
        )
    if person.on_leave:
        lines.append(Line("    ⚠ " + _("on call despite being on leave"), style="bold yellow"))
    if person.override is not None and person.reason:
        lines.append(
            Line(
                "    "
                + _("override {number}: {reason}").format(
                    number=person.override, reason=person.reason.strip()
                ),
                style="dim",
            )
        )
    return lines


def _describe(stretch: Next) -> Line:
    if stretch.is_gap:
        return Line(_("NOBODY (gap)"), style="bold red")
    if not stretch.active:
        return Line(_("off (outside coverage)"), style="dim")
    return Line(", ".join(person.name for person in stretch.who))


def _chain(team: TeamAnswer, at: dt.datetime) -> list[Line]:
    """One step per line, so that a phone number never breaks across two. When no level is in
    its coverage, the daytime answer instead: in business hours, call the team; otherwise
    nobody is on call, and the fallback only if it is urgent."""
    if team.off:
        return _daytime(team, at)
    text = Line(_("Escalation:"), style="bold")
    steps = escalation(team)
    if not steps:
        return [text.append(" " + _("nobody to call"), style="red")]
    delays = [_("first")] + [
        _("after {duration}").format(duration=span_text(step.after)) for step in steps[1:]
    ]
    return [text, *_steps(delays, steps)]


def _daytime(team: TeamAnswer, at: dt.datetime) -> list[Line]:
    resumes = team.resumes
    if resumes is None:
        resume = _("astreinte does not resume within 400 days")
    else:
        resume = _("astreinte resumes {when} (in {duration})").format(
            when=when(resumes, team.zone), duration=span_text(resumes - at)
        )
    if team.business_hours:
        return [
            Line(_("Business hours:") + " ", style="bold").append(
                _("call the team; {resume}").format(resume=resume)
            )
        ]
    lines = [
        Line(_("Escalation:") + " ", style="bold").append(
            _("no level on call; {resume}").format(resume=resume)
        )
    ]
    if team.fallback is not None:
        steps = [Step(step_label(None), (team.fallback,), dt.timedelta(0))]
        lines += _steps([_("if urgent")], steps)
    return lines


def _steps(delays: list[str], steps: list[Step]) -> list[Line]:
    width = max(len(delay) for delay in delays)
    lines = []
    for delay, step in zip(delays, steps, strict=True):
        line = Line(f"  {delay:<{width}}  ").append(
            _("{step}:").format(step=step.label) + " ", style="cyan"
        )
        for position, person in enumerate(step.who):
            if position:
                line.append(", ")
            line.append(person_label(person))
        lines.append(line)
    return lines
