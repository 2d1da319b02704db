"""Shell completion of team ids, person ids and level numbers, read from the roster.

The roster is the one ``--rosters`` names on the command line being completed, else
``$ASTREINTE_ROSTERS``, else ``./rosters``. It is scanned leniently (plain YAML, no validation),
so that completion keeps working while a file is being edited and does not parse holidays or
phone numbers on every TAB. A completion callback never raises: on any error it offers nothing.
The callbacks take the Click context Typer passes; they only read its ``params`` and ``parent``,
so this module needs no Typer import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from astreinte_cli.cli.toolkit import default_rosters

Completions = list[tuple[str, str]]  # (value, help shown by zsh and fish)


class CompletionContext(Protocol):
    """What completion reads from a Click context."""

    @property
    def params(self) -> dict[str, Any]: ...

    @property
    def parent(self) -> CompletionContext | None: ...


@dataclass
class RosterIds:
    """Ids found in a roster folder: teams with their level names, and people."""

    teams: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id → (name, levels)
    people: dict[str, str] = field(default_factory=dict)  # id → name


def roster_location(ctx: CompletionContext | None) -> Path:
    """``--rosters`` from the command line being completed, else the environment, else
    ``./rosters``."""
    context = ctx
    while context is not None:
        value = context.params.get("rosters")
        if value:
            return Path(value)
        context = context.parent
    return default_rosters()


def scan_roster(location: Path) -> RosterIds:
    """Team ids, level names and person ids of every file that can be read as YAML; files
    that cannot are skipped."""
    import yaml

    from astreinte_cli.load.files import roster_files
    from astreinte_cli.safe_read import UnreadableFile, read_roster_file

    # BaseLoader: every scalar a string, only lists and dicts built (no tags, no objects)
    loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    found = RosterIds()
    for path in roster_files(location):
        try:  # read as the loader reads it: a link out of the folder or a huge file is skipped
            text = read_roster_file(path).decode("utf-8-sig")
            document = yaml.load(text, Loader=loader)
        except (UnreadableFile, UnicodeError, yaml.YAMLError):
            continue
        if not isinstance(document, dict):
            continue
        people = document.get("people")
        if isinstance(people, dict):
            for person, value in people.items():
                name = value.get("name") if isinstance(value, dict) else None
                found.people.setdefault(str(person), str(name or person))
        team = document.get("team")
        if isinstance(team, str) and team.strip():
            levels = document.get("levels")
            names = []
            for number, level in enumerate(levels if isinstance(levels, list) else [], start=1):
                name = level.get("name") if isinstance(level, dict) else None
                names.append(str(name or f"Level {number}"))
            found.teams.setdefault(team.strip(), (str(document.get("name") or team), names))
    return found


def _safely(produce: Callable[[], Completions], incomplete: str) -> Completions:
    """The completions ``produce`` gives that start with ``incomplete``. The roster is read
    unvalidated here: an id with a control character (which the loader refuses) is no
    candidate, and control characters leave a help text, so that neither reaches the shell
    (an escape sequence, or a line feed splitting one candidate into two)."""
    from astreinte_cli.printable import control_character, without_controls

    try:
        return [
            (value, without_controls(text))
            for value, text in produce()
            if value.startswith(incomplete or "") and control_character(value) is None
        ]
    except Exception:  # a completion must never break the user's shell
        return []


def complete_team(ctx: CompletionContext, incomplete: str) -> Completions:
    """Team ids, with the team's name as help."""

    def produce() -> Completions:
        ids = scan_roster(roster_location(ctx))
        return [(team, name) for team, (name, _) in ids.teams.items()]

    return _safely(produce, incomplete)


def complete_person(ctx: CompletionContext, incomplete: str) -> Completions:
    """Person ids, with the person's name as help."""

    def produce() -> Completions:
        return list(scan_roster(roster_location(ctx)).people.items())

    return _safely(produce, incomplete)


def complete_level(ctx: CompletionContext, incomplete: str) -> Completions:
    """Level numbers of the team(s) given by ``--team`` (every team when none is), with the
    level names as help."""

    def produce() -> Completions:
        ids = scan_roster(roster_location(ctx))
        chosen = _chosen_teams(ctx)
        names: dict[int, list[str]] = {}
        for team, (_, levels) in ids.teams.items():
            if chosen and team not in chosen:
                continue
            for number, name in enumerate(levels, start=1):
                label = name if len(chosen) == 1 or len(ids.teams) == 1 else f"{team}: {name}"
                names.setdefault(number, []).append(label)
        return [(str(number), " / ".join(labels)) for number, labels in sorted(names.items())]

    return _safely(produce, incomplete)


def _chosen_teams(ctx: CompletionContext | None) -> set[str]:
    context = ctx
    while context is not None:
        value = context.params.get("team")
        if isinstance(value, str):
            return {value}
        if isinstance(value, list | tuple) and value:
            return {str(v) for v in value}
        context = context.parent
    return set()
