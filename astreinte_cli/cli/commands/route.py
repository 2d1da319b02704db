"""``astreinte route``: the dial plan for a call arriving now (or --at WHEN); ``route serve``,
the HTTP route service a phone system asks at each call; ``route recipe``, the configurations
that connect a phone system to it. The work is done by :mod:`astreinte_cli.route`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astreinte_cli.cli.options import RostersOption
from astreinte_cli.cli.toolkit import (
    DEFAULT_ROSTERS,
    ExitCode,
    boundary,
    choose_format,
    echo_error,
    fail_usage,
    find_team,
    json_text,
    print_roster_error,
    read_when,
)
from astreinte_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from astreinte_cli.route.plan import DialPlan

FORMATS = ("text", "json", "dial")

route_app = typer.Typer(
    name="route",
    help="The dial plan of a team for a phone system: whom to ring, in order, how long each.",
    rich_markup_mode=None,
)


@route_app.callback(invoke_without_command=True)
def route(
    context: typer.Context,
    team: Annotated[
        str | None,
        typer.Option("--team", help="The team whose line is called.", show_default=False),
    ] = None,
    rosters: RostersOption = DEFAULT_ROSTERS,
    at: Annotated[
        str, typer.Option("--at", help="WHEN the call arrives (default now), in the team's zone.")
    ] = "now",
    as_json: Annotated[bool, typer.Option("--json", help="The same as --format json.")] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="text, json, or dial (one 'number,seconds' a line).")
    ] = "text",
) -> None:
    """The dial plan for a call to TEAM's on-call line arriving now (or --at WHEN): each level
    that has someone on call, in order, then the fallback, with the number and ring time.

    Exit code 3 when nobody can be rung or a level inside its coverage has nobody to ring and
    no fallback follows; 4 when the roster does not load and the plan comes from the last
    valid roster (3 wins). See 'route serve' and 'route recipe' for phone systems."""
    if context.invoked_subcommand is not None:
        return
    from astreinte_cli.load.last_valid import load_or_last_valid
    from astreinte_cli.route.plan import dial_plan

    clock = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with boundary():
        chosen = choose_format(output_format, FORMATS, as_json=as_json, machine=("json", "dial"))
        if team is None:
            fail_usage(_("route needs --team"), _("name the team whose line is called"))
        roster, stale = load_or_last_valid(rosters, clock)
        if stale is not None:
            print_roster_error(stale.error, _stale_summary)
        chosen_team = find_team(roster, team)
        instant = read_when(at, chosen_team.zone, "--at", clock)
        plan = dial_plan(roster, chosen_team, instant)
        _warn(plan)
        if chosen == "json":
            from astreinte_cli.route.documents import plan_document

            sys.stdout.write(json_text(plan_document(plan, clock, stale)))
        elif chosen == "dial":
            from astreinte_cli.route.documents import dial_text

            sys.stdout.write(dial_text(plan))
        else:
            from astreinte_cli.render.route import plan_text

            sys.stdout.write(plan_text(plan, stale))
    if plan.can_go_unanswered:
        raise SystemExit(ExitCode.GAP)
    if stale is not None:
        raise SystemExit(ExitCode.STALE)


def _stale_summary(count: int) -> str:
    return ngettext(
        "{count} error: the plan comes from the last valid roster",
        "{count} errors: the plan comes from the last valid roster",
        count,
    ).format(count=count)


def _warn(plan: DialPlan) -> None:
    """What a phone system's operator must know, on stderr whatever the format; "warning:"
    stays English, as "error:" and "hint:" do (scripts read it)."""
    for skipped in plan.skipped:
        where = (
            _("the fallback")
            if skipped.level is None
            else _("level {number}").format(number=skipped.level)
        )
        echo_error(
            "warning: "
            + _("{name} ({who}), on call at {where}, has no phone number: left out").format(
                name=skipped.name, who=skipped.who, where=where
            )
        )
    for number in plan.unreached:
        echo_error(
            "warning: "
            + _("level {number} is inside its coverage with nobody to ring").format(number=number)
        )
    if plan.can_go_unanswered:
        echo_error(
            "warning: "
            + _(
                "this plan can leave a call unanswered: "
                "the phone system's own fallback must take it"
            )
        )


@route_app.command("serve")
def serve(
    token_file: Annotated[
        Path,
        typer.Option(
            "--token-file",
            help="File holding the token clients must send (readable by its owner only).",
            show_default=False,
        ),
    ],
    rosters: RostersOption = DEFAULT_ROSTERS,
    listen: Annotated[
        str,
        typer.Option("--listen", help="HOST:PORT to listen on: a loopback address only."),
    ] = "127.0.0.1:8470",
    unix_socket: Annotated[
        Path | None,
        typer.Option(
            "--unix-socket",
            help="Listen on this Unix socket instead of --listen.",
            show_default=False,
        ),
    ] = None,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between checks of the roster files.")
    ] = 1.0,
) -> None:
    """The route service: GET /route?team=X answers the dial plan as JSON (&format=dial for
    'number,seconds' lines), to clients that send the token. Reloads the roster when its
    files change and keeps answering from the last valid one (marked stale) when they do not
    load. Stops on SIGTERM or Ctrl-C."""
    from astreinte_cli.route import service

    with boundary():
        if not 0.1 <= poll <= 3600:
            fail_usage(_("--poll must be between 0.1 and 3600 seconds"))
        token = service.read_token(token_file)
        where = service.read_listen(listen) if unix_socket is None else unix_socket
        service.serve(rosters, token, where, poll=poll)


@route_app.command("recipe")
def recipe(
    name: Annotated[str, typer.Argument(help="kamailio, asterisk or twilio.", show_default=False)],
) -> None:
    """Print a configuration that connects a phone system to the route service: a Kamailio
    configuration, an Asterisk AGI script, or a Twilio webhook."""
    from astreinte_cli.route.recipes import RECIPES, recipe_text

    with boundary():
        if name not in RECIPES:
            from astreinte_cli.diagnostics import did_you_mean

            fail_usage(
                _("no recipe '{name}'").format(name=name),
                did_you_mean(name, RECIPES)
                or _("one of: {choices}").format(choices=", ".join(RECIPES)),
            )
        sys.stdout.write(recipe_text(name))
