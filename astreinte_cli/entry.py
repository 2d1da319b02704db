"""``astreinte``: the program's entry point. A plain `now` is answered without importing Typer;
every other command line goes to the Typer app in ``cli.py``.

Why not always Typer: importing it (with the Click it carries) and parsing a command line with
it costs about 12 ms, a quarter of what `now` takes to answer, and `now` is what a
switchboard or a phone system runs at every call. (Typer 0.29 builds a pydantic validator for
every option at every call, 70 ms: ``pyproject.toml`` keeps it below 0.29.)
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    # A run is short, and over a year of a large organisation allocates millions of small
    # objects: at Python's default threshold (700) the cyclic collector kept rescanning them,
    # 10 % of `show` and 17 % of `export ics` for 200 teams. Cycles are still collected, rarely.
    # (mypy's command line does the same, with the same numbers.)
    gc.set_threshold(200_000, 30, 30)
    try:
        plain = _plain_now(sys.argv[1:])
        if plain is None:
            from astreinte_cli.cli import app

            app()
            return
        from astreinte_cli import run
        from astreinte_cli.i18n import language_from_env, set_language

        set_language(language_from_env())  # what the app's callback does without --lang
        run.now(**plain)
    finally:
        # Python's exit runs the cyclic collector over every object still alive: 0.3 s for a
        # roster with 50,000 leave entries. Frozen objects are left out of that last pass.
        gc.freeze()


_NOW_OPTIONS = {"--rosters": "rosters", "--team": "team", "--at": "at", "--tz": "tz"}


def _plain_now(argv: list[str]) -> dict[str, Any] | None:
    """The arguments of `now` when its command line is plain (``now``, then ``--json`` and
    ``--rosters/--team/--at/--tz VALUE`` or ``=VALUE``); None for anything else (help,
    completion, ``--lang``, a typo, a value that starts with '-'), which Typer parses.

    Both ways end in the same function, :func:`astreinte_cli.run.now`.
    """
    if not argv or argv[0] != "now" or "_ASTREINTE_COMPLETE" in os.environ:
        return None
    found: dict[str, Any] = {}
    teams: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word == "--json":
            found["as_json"] = True
            continue
        name, equals, value = word.partition("=")
        if name not in _NOW_OPTIONS:
            return None
        if not equals:
            value = next(words, "")
        if not value or value.startswith("-"):
            return None
        if name == "--team":
            teams.append(value)
        else:
            found[_NOW_OPTIONS[name]] = value
    rosters = found.get("rosters", os.environ.get("ASTREINTE_ROSTERS", "rosters"))
    if not rosters:
        return None
    return found | {"rosters": Path(rosters), "team": teams or None}


if __name__ == "__main__":
    main()
