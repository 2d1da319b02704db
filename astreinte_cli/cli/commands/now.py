"""``astreinte now`` as Typer parses it. A plain command line never comes here: ``entry.py``
answers it through :mod:`astreinte_cli.cli.fastpath`, which does the work both ways."""

from __future__ import annotations

from astreinte_cli.cli import fastpath
from astreinte_cli.cli.options import JsonOption, NowAt, RostersOption, TeamOption, TzOption
from astreinte_cli.cli.toolkit import DEFAULT_ROSTERS


def now(
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    at: NowAt = "now",
    tz: TzOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who is on call at each level now (or --at WHEN), with phone, until when, and who is next.

    Exit code 3 when a level is inside its coverage with nobody on call."""
    fastpath.now(rosters, team, at, tz, as_json)
