"""`astreinte now` without Typer: the answer both ways of running it end in (:func:`now`), and
its plain command line read by hand (:func:`plain_arguments`).

`now` is what a switchboard or a phone system runs at every call, and importing Typer (with the
Click it carries) and parsing a command line with it takes longer than answering. So ``entry.py``
answers a plain `now` through this module, and the Typer command (``commands/now.py``) calls the
same :func:`now`. Nothing here imports Typer, Click or, for plain text, Rich.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from astreinte_cli.cli.toolkit import (
    ExitCode,
    boundary,
    console,
    default_rosters,
    machine_readable,
    print_json,
    print_roster_error,
    read_when,
    read_zone,
    select_ids,
)
from astreinte_cli.i18n import ngettext

# `now`'s options as the plain command line reads them: the flag → the parameter of :func:`now`.
# The Typer command declares the same flags (tests/test_cli_now.py fails when they differ).
NOW_VALUES = {"--rosters": "rosters", "--team": "team", "--at": "at", "--tz": "tz"}
NOW_SWITCHES = {"--json": "as_json"}


def plain_arguments(argv: Sequence[str]) -> dict[str, Any] | None:
    """The arguments of :func:`now` when the command line is plain (``now``, then ``--json``
    and ``--rosters/--team/--at/--tz VALUE`` or ``=VALUE``); None for anything else (help,
    completion, ``--lang``, a typo, a value that starts with '-'), which Typer parses."""
    if not argv or argv[0] != "now" or "_ASTREINTE_COMPLETE" in os.environ:
        return None
    found: dict[str, Any] = {}
    teams: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word in NOW_SWITCHES:
            found[NOW_SWITCHES[word]] = True
            continue
        name, equals, value = word.partition("=")
        if name not in NOW_VALUES:
            return None
        if not equals:
            value = next(words, "")
        if not value or value.startswith("-"):
            return None
        if name == "--team":
            teams.append(value)
        else:
            found[NOW_VALUES[name]] = value
    rosters = Path(found["rosters"]) if "rosters" in found else default_rosters()
    return found | {"rosters": rosters, "team": teams or None}


def now(
    rosters: Path,
    team: list[str] | None = None,
    at: str = "now",
    tz: str | None = None,
    as_json: bool = False,
) -> None:
    """`astreinte now`: who is on call at each level at ``at``, in JSON or as the terminal view;
    exits 3 when a level is inside its coverage with nobody on call, 4 when the roster does
    not load and the answer comes from its last valid version (3 wins)."""
    from astreinte_cli.load.cache import Invalid, open_store, reload
    from astreinte_cli.load.last_valid import open_for_answer

    if as_json:
        machine_readable()
    clock = dt.datetime.now(dt.UTC)
    store = open_store()
    try:
        with boundary():
            index, stale = open_for_answer(rosters, store, clock)
            chosen = select_ids([team_id for team_id, _zone in index.teams], team)
            zones = dict(index.teams)
            zone = read_zone(tz, ()) if tz is not None or not chosen else ZoneInfo(zones[chosen[0]])
            instant = read_when(at, zone, "--at", clock)
            try:
                answers = [index.answer(team_id, instant, clock.date()) for team_id in chosen]
            except Invalid:  # an entry of the index went missing meanwhile
                if stale is not None:
                    raise stale.error from None
                index = reload(index)
                answers = [index.answer(team_id, instant, clock.date()) for team_id in chosen]
            if stale is not None:  # the errors as always, and what was done instead
                print_roster_error(stale.error, _stale_summary)
            if as_json:
                from astreinte_cli.export.documents import now_document

                print_json(now_document(instant, zone, answers, stale))
            else:
                from astreinte_cli.render import now as view

                lines = view.now_lines(instant, answers, stale)
                # Plain text (not a terminal) is written without Rich: see render/now.py.
                plain = view.plain_text(lines, sys.stdout)
                if plain is None:
                    console().print(view.renderable(lines))
                else:
                    sys.stdout.write(plain)
    finally:
        store.close()
    if any(answer.has_gap for answer in answers):
        raise SystemExit(ExitCode.GAP)
    if stale is not None:
        raise SystemExit(ExitCode.STALE)


def _stale_summary(count: int) -> str:
    return ngettext(
        "{count} error: answering from the last valid roster",
        "{count} errors: answering from the last valid roster",
        count,
    ).format(count=count)
