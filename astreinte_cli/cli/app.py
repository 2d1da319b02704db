"""The Typer application: the global ``--lang`` option, and every command, registered from the
modules of ``commands/`` (which never import this one)."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from astreinte_cli.cli.commands import (
    check,
    diff,
    export,
    init,
    now,
    overrides,
    report,
    show,
)
from astreinte_cli.i18n import language_from_env, set_language

app = typer.Typer(
    name="astreinte",
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
