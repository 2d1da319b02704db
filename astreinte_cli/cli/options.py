"""The options more than one command takes, each declared once: the roster and its teams, the
zone, JSON, the ranges (``--from``/``--to``) and instants (``--at``) of each kind of command,
``--format``, ``-o``, and the feed options of ``export ics`` and ``publish``.

An option's help says what it means for the commands that share it; where the same flag means
something else (``--at`` is the instant looked at by `now`, the day changes are known on by
`check`), it is a separate declaration here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from astreinte_cli.cli.completion import complete_person, complete_team
from astreinte_cli.cli.toolkit import ROSTERS_ENV

# --------------------------------------------------------------------------- what is read

RostersOption = Annotated[
    Path,
    typer.Option(
        "--rosters",
        envvar=ROSTERS_ENV,
        help="Roster folder or file (default ./rosters, or $ASTREINTE_ROSTERS).",
        show_default=False,
    ),
]
TeamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--team",
        help="Only this team (repeatable).",
        show_default=False,
        autocompletion=complete_team,
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option(
        "--tz", help="Zone for WHEN without offset, and for top-level times.", show_default=False
    ),
]

# --------------------------------------------------------------------------- ranges and instants

# `now`: the instant looked at.
NowAt = Annotated[
    str, typer.Option("--at", help="WHEN: ISO 8601, a date, 'now', '+2h', 'tomorrow 08:00'.")
]

# `show`: the days shown.
ShowFrom = Annotated[
    str | None, typer.Option("--from", help="WHEN (default: today 00:00).", show_default=False)
]
ShowTo = Annotated[
    str | None,
    typer.Option("--to", help="WHEN (default: 14 days after --from).", show_default=False),
]

# `check` and `diff`: the horizon, and the day changes count as known on.
HORIZON_DAYS = 90  # the default horizon, as --to's help says
HorizonFrom = Annotated[
    str | None,
    typer.Option("--from", help="WHEN the horizon starts (default: --at).", show_default=False),
]
HorizonTo = Annotated[
    str | None,
    typer.Option("--to", help="WHEN it ends (default: 90 days after --from).", show_default=False),
]
KnownOn = Annotated[
    str, typer.Option("--at", help="WHEN 'now' is: the day the changes are known on.")
]

# `export` and `publish`: the instant the export is made, and the range around it.
ExportFrom = Annotated[
    str | None,
    typer.Option("--from", help="WHEN (default: 30 days before --at).", show_default=False),
]
ExportTo = Annotated[
    str | None,
    typer.Option("--to", help="WHEN (default: 365 days after --at).", show_default=False),
]
ExportAt = Annotated[
    str,
    typer.Option(
        "--at",
        help="WHEN the export is made: the default range is around it, and feeds are stamped "
        "with it (DTSTAMP), so the same --at gives the same bytes.",
    ),
]

# `override add` and `swap`: the period the roster changes over, and when it is changed.
PeriodFrom = Annotated[
    str,
    typer.Option(
        "--from",
        help="WHEN the override starts: ISO 8601 or 'YYYY-MM-DD HH:MM' (a bare date is 00:00), "
        "read in the team's timezone.",
        show_default=False,
    ),
]
PeriodTo = Annotated[
    str,
    typer.Option(
        "--to",
        help="WHEN it ends, excluded (a bare date is 00:00 of that day, so "
        "--to 2026-12-26 stops at the end of the 25th).",
        show_default=False,
    ),
]
EditAt = Annotated[
    str, typer.Option("--at", help="WHEN the change is made, for the notice rule (default now).")
]

# --------------------------------------------------------------------------- what is written

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
CheckFormatOption = Annotated[
    str, typer.Option("--format", help="text, json, or github (Actions annotations).")
]
DiffFormatOption = Annotated[
    str, typer.Option("--format", help="text, json, or markdown (a PR comment).")
]
ReportFormatOption = Annotated[
    str, typer.Option("--format", help="table, csv, markdown (to print and sign), or json.")
]

# `export`: a file, or stdout.
OutputOption = Annotated[
    str,
    typer.Option("--output", "-o", help="File to write, or '-' for stdout.", show_default=False),
]
# `report`: stdout unless a file is given.
ReportOutput = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write to FILE instead of stdout.", show_default=False),
]

# `export`: one person's shifts.
PersonOption = Annotated[
    str | None,
    typer.Option(
        "--person",
        help="Only this person's shifts, across teams.",
        show_default=False,
        autocompletion=complete_person,
    ),
]
# `export ics` and `publish`: what the feeds' events say.
PrivateOption = Annotated[
    bool, typer.Option("--private", help="Mark events CLASS:PRIVATE (others see only 'busy').")
]
RemindOption = Annotated[
    str | None,
    typer.Option(
        "--remind", help="A reminder this long before each event, e.g. 1h.", show_default=False
    ),
]
