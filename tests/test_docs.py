"""Every command is documented: a help text in the app, and a mention in the README."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.main import get_command

from astreinte_cli.cli.app import app

if TYPE_CHECKING:
    from conftest import Cli

README = Path(__file__).parent.parent / "README.md"


def commands() -> dict[str, Any]:
    """The app's commands as Click objects (Typer ships its own copy of Click, so they are
    read by attribute rather than checked against the installed ``click``)."""
    return dict(get_command(app).commands)  # type: ignore[attr-defined]


COMMANDS = sorted(commands())


def test_the_app_has_commands() -> None:
    assert {"now", "show", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_help_text(name: str) -> None:
    command = commands()[name]
    assert command.help is not None
    assert command.help.strip()
    assert command.get_short_help_str().strip()


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_a_help_text(name: str) -> None:
    undocumented = [
        parameter.name
        for parameter in commands()[name].params
        if parameter.param_type_name == "option" and not (parameter.help or "").strip()
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", COMMANDS)
def test_help_runs(cli: Cli, name: str) -> None:
    run = cli(name, "--help")
    assert run.code == 0
    assert run.stderr == ""
    assert "Usage:" in run.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    if not README.exists():
        pytest.skip("README.md is not written yet")
    assert f"astreinte {name}" in README.read_text(encoding="utf-8")
