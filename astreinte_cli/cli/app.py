"""The Typer application: the global ``--lang`` option, and every command, registered from the
modules of ``commands/`` (which never import this one)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from astreinte_cli.cli.commands import (
    check,
    diff,
    export,
    init,
    now,
    overrides,
    report,
    route,
    show,
)
from astreinte_cli.i18n import language_from_env, set_language

if TYPE_CHECKING:
    # Typer (below 0.29) vendors Click as typer._click: its Context is what a group parses with.
    from typer._click.core import Context


class GlobalOptionsGroup(TyperGroup):
    """The top-level group, which takes the options people write on either side of the command
    name: ``--lang`` (the app's own option) after it is moved before it, and ``--rosters`` (each
    command's) before it is moved after it, so that ``astreinte now --lang fr`` and
    ``astreinte --rosters x check`` mean what they say. An option given on both sides: the one
    written last wins, as when it is written twice in one place."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.reordered(ctx, args))

    def reordered(self, ctx: Context, args: Sequence[str]) -> list[str]:
        head: list[str] = []  # the app's options, before the command
        rosters: list[str] = []  # --rosters written before the command
        index = 0
        while index < len(args) and args[index].startswith("-"):
            word = args[index]
            taken = _option_words(args, index, "--rosters") or _option_words(args, index, "--lang")
            if not taken:
                return list(args)  # --help, completion, a typo: Click says what it means
            (rosters if word.startswith("--rosters") else head).extend(taken)
            index += len(taken)
        if index == len(args):
            return list(args)
        path = [args[index]]
        command: Any = self.get_command(ctx, args[index])
        rest = list(args[index + 1 :])
        if command is not None and hasattr(command, "get_command") and rest:
            path.append(rest[0])
            command = command.get_command(ctx, rest.pop(0))
        if command is None:
            return list(args)
        # The command's own options that take a value: their value is never taken for --lang.
        values = {
            name
            for param in command.params
            if param.param_type_name == "option" and not param.is_flag and not param.count
            for name in param.opts
        }
        after: list[str] = []
        index = 0
        while index < len(rest):
            word = rest[index]
            if word == "--":
                after.extend(rest[index:])
                break
            taken = _option_words(rest, index, "--lang") if "--lang" not in values else []
            if taken:
                head.extend(taken)
                index += len(taken)
                continue
            step = 2 if word in values else 1
            after.extend(rest[index : index + step])
            index += step
        return head + path + rosters + after


def _option_words(args: Sequence[str], index: int, option: str) -> list[str]:
    """``option`` and its value at ``args[index]`` (``--lang fr`` or ``--lang=fr``), or []."""
    word = args[index]
    if word.startswith(option + "="):
        return [word]
    if word == option and index + 1 < len(args):
        return [word, args[index + 1]]
    return []


app = typer.Typer(
    name="astreinte",
    cls=GlobalOptionsGroup,
    help="On-call duty (astreinte) rosters in YAML: who to call now, timelines and checks.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Language(enum.StrEnum):
    """The languages of :mod:`astreinte_cli.i18n`, as a choice Click checks and the help lists."""

    en = "en"
    fr = "fr"


@app.callback()
def choose_language(
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang",
            help="Language of tables and messages (default: from LC_ALL, LC_MESSAGES or LANG).",
            show_default=False,
        ),
    ] = None,
) -> None:
    # Before any command runs: the loader already writes its messages in this language.
    set_language(lang.value if lang is not None else language_from_env())


# Commands in the order `astreinte --help` lists them; the groups come after them.
app.command("now")(now.now)
app.command("show")(show.show)
app.command("publish")(export.publish)
app.command("check")(check.check)
app.command("diff")(diff.diff)
app.command("schema")(init.schema)
app.command("init")(init.init)
app.command("swap")(overrides.swap)
app.command("report")(report.report)

export_app = typer.Typer(
    name="export",
    help="Calendar feeds (ics), the timeline as JSON, or shifts as CSV, to a file or stdout.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
export_app.command("ics")(export.export_ics)
export_app.command("json")(export.export_json)
export_app.command("csv")(export.export_csv)
app.add_typer(export_app, name="export")

override_app = typer.Typer(
    name="override",
    help="Change who is on call over a period, by editing the team's file.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
override_app.command("add")(overrides.override_add)
app.add_typer(override_app, name="override")

app.add_typer(route.route_app, name="route")
