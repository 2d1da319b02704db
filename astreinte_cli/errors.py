"""The one shape of a user-facing error outside the roster: a message and an optional hint.

Errors of this kind that reach the command line's boundary (``cli.toolkit.boundary``) are
printed as ``error: …`` and ``hint: …`` and exit with the usage code; a command that wants to
add context (the option or file concerned) catches its own and says more.
"""

from __future__ import annotations


class HintedError(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
