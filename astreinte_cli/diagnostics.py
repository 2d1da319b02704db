"""Where a roster value came from, and what is wrong with it.

Every value read from a roster keeps a :class:`Span`. The loader and the checks collect
:class:`Diagnostic` objects and raise one :class:`RosterError` that carries them all, so a run
reports every mistake at once, the way a compiler does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from astreinte_cli.i18n import _
from astreinte_cli.printable import printable
from astreinte_cli.safe_read import MAX_FILE_BYTES, UnreadableFile, read_roster_file

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A position in a roster file: 1-based line and column, and the width to underline. Line
    0 is the path as a whole (a folder, a missing file): it is written without a position."""

    path: str
    line: int
    column: int
    width: int = 1

    def __str__(self) -> str:
        if self.line == 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


EXCERPT = 60  # characters of a roster value that a message quotes
MAX_MESSAGE = 400  # characters of a message or a hint, values quoted in them included


def excerpt(value: str, limit: int = EXCERPT) -> str:
    """``value`` as a message quotes it: its control characters shown as escapes
    (:func:`printable`) and at most ``limit`` characters of it, then '…'. A message never
    prints more of a value than that: a roster file that is a link to ``/etc/passwd``, or a
    megabyte on one line, must not end up whole in a CI log."""
    shown = printable(value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located message. The message and the hint are kept to :data:`MAX_MESSAGE` characters,
    whatever the values quoted in them."""

    span: Span
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", self.message[:MAX_MESSAGE] + "…")
        if self.hint is not None and len(self.hint) > MAX_MESSAGE:
            object.__setattr__(self, "hint", self.hint[:MAX_MESSAGE] + "…")


class RosterError(Exception):
    """The roster cannot be used: it carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=_order))
        super().__init__(f"{len(self.diagnostics)} error(s) in the roster")


def _order(diagnostic: Diagnostic) -> tuple[str, int, int]:
    return (diagnostic.span.path, diagnostic.span.line, diagnostic.span.column)


class Collector:
    """Gathers diagnostics while a roster is read; raises them together at the end."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(span, message, hint))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def raise_if_any(self) -> None:
        if self.has_errors:
            raise RosterError(self.diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A typo hint, or None when nothing is close enough to be worth saying."""
    options = sorted(set(choices))
    import difflib  # here: only a mistake needs it, and `now` imports this module

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return _("did you mean '{name}'?").format(name=close[0]) if close else None


# The line breaks of YAML, by which the parser numbers lines (str.splitlines knows more).
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class SourceLines:
    """Reads the source line a diagnostic points at, once per file."""

    def __init__(self) -> None:
        self._cache: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._cache:
            # Read as the loader reads roster files: only a regular file inside its folder,
            # of a bounded size, never waiting on a FIFO (see astreinte_cli.safe_read). Twice
            # the loader's limit: the line under "the file is larger than 1024 KiB" is shown.
            try:
                raw = read_roster_file(Path(path), limit=2 * MAX_FILE_BYTES)
            except UnreadableFile:
                raw = b""
            text = raw.decode("utf-8-sig", errors="replace")  # as the loader reads it
            lines = LINE_BREAK.split(text)
            self._cache[path] = lines[:-1] if lines[-1] == "" else lines  # no line after the last
        lines = self._cache[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


_SHOWN = 200  # characters of a source line shown under a diagnostic
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def format_diagnostic(diagnostic: Diagnostic, sources: SourceLines | None = None) -> str:
    """Render compiler-style: location, message, the source line, a caret, a hint.

    The message and the hint are in the reader's language; ``PATH:LINE:COL: error:`` and
    ``hint:`` stay English in every language, for the editors and scripts that parse them."""
    span = diagnostic.span
    # A message quotes keys and values of the roster: shown as text, never acting on the
    # terminal or starting a new line a CI would read as a command.
    out = [f"{printable(str(span))}: {diagnostic.severity}: {printable(diagnostic.message)}"]
    source = (sources or SourceLines()).line(span.path, span.line)
    if source is not None and "\x00" not in source:
        # One character per column, so that the caret stays under the token; control
        # characters would act on the terminal, so they are shown as U+FFFD.
        shown = _CONTROL.sub("\ufffd", source.expandtabs(1).rstrip())
        column = span.column
        if len(shown) > _SHOWN:  # show the part of a long line around the column
            first = min(max(0, column - 1 - _SHOWN // 2), len(shown) - _SHOWN)
            before = "…" if first else ""
            after = "…" if first + _SHOWN < len(shown) else ""
            shown = before + shown[first : first + _SHOWN] + after
            column += len(before) - first
        gutter = f"{span.line:>5} | "
        out.append(gutter + shown)
        width = max(1, min(span.width, max(1, len(shown) - column + 1)))
        out.append(" " * 6 + "| " + " " * (column - 1) + "^" * width)
    if diagnostic.hint:
        out.append(f"hint: {printable(diagnostic.hint)}")
    return "\n".join(out)
