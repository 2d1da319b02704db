"""Roster text made safe to print: the one function every view, message and feed passes roster
text (names, reasons, instructions, keys and values quoted in errors) through before it reaches
a terminal, a CI log or a calendar.

Roster files come from pull requests and names from people. A control character in them would
act on whatever shows it: ESC starts a terminal sequence (clear the screen, set the window
title, make a hyperlink), a line break in a CI log starts a new line that the CI reads as a
command (``::warning …::`` in GitHub Actions), and a calendar feed forbids them outright
(RFC 5545 §3.1). So every control character (C0, DEL, C1) and the Unicode line and paragraph
separators are shown as a visible escape instead — ``\\x1b``, ``\\n``, ``\\u2028`` — which also
tells the reader that something odd is in the roster. Multi-line text (instructions, an error
with its source line) keeps its line feeds and tabs with ``lines=True``.

The loader refuses control characters in names and ids (:func:`control_character`), so a valid
roster has none there; this is the second line of defence, for what reaches output anyway
(keys and values quoted in errors, a roster from the cache of an older version).
"""

from __future__ import annotations

import functools
import re

_SEPARATORS = (0x2028, 0x2029)  # LINE SEPARATOR, PARAGRAPH SEPARATOR: line breaks to YAML


def _escape(code: int) -> str:
    named = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
    if code in named:
        return named[code]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROLS = [*range(0x20), *range(0x7F, 0xA0), *_SEPARATORS]
_ONE_LINE = {code: _escape(code) for code in _CONTROLS}
_LINES = {code: text for code, text in _ONE_LINE.items() if code not in (0x09, 0x0A)}


@functools.cache
def _finder(lines: bool) -> re.Pattern[str]:
    """The same sets, to remove: a regular expression finds them at C speed, where
    str.translate looked each character up in a dict (1.6 s of the 200-team publication's
    feeds, whose descriptions all have line feeds). Compiled when a feed first needs it, not
    by every `now`."""
    return re.compile("[" + re.escape("".join(map(chr, _LINES if lines else _ONE_LINE))) + "]")


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (see the module doc); with
    ``lines``, line feeds and tabs are kept."""
    if text.isprintable():  # the common case: nothing to do (a space is printable, a tab not)
        return text
    return text.translate(_LINES if lines else _ONE_LINE)


def control_character(text: str, *, lines: bool = False) -> str | None:
    """The first control character of ``text`` (a line feed or a tab allowed with ``lines``),
    or None."""
    if text.isprintable():
        return None
    table = _LINES if lines else _ONE_LINE
    return next((char for char in text if ord(char) in table), None)


def without_controls(text: str, *, lines: bool = False) -> str:
    """``text`` with its control characters removed (a calendar feed, where an escape would only
    be noise); with ``lines``, line breaks (CR LF, a lone CR, NEL, U+2028 and U+2029) become
    line feeds, and those and tabs stay."""
    if text.isprintable():
        return text
    if lines:
        for line_break in ("\r\n", "\r", "\x85", "\u2028", "\u2029"):
            text = text.replace(line_break, "\n")
    return _finder(lines).sub("", text)
