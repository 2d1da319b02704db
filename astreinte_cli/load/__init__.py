"""YAML roster files → the validated model, with every problem located.

``load_roster`` and ``roster_files`` are imported on first use, not with the package: a hit in
the roster cache (``load.cache``) needs neither YAML nor the validators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from astreinte_cli.load.files import roster_files
    from astreinte_cli.load.roster import load_roster

__all__ = ["load_roster", "roster_files"]


def __getattr__(name: str) -> object:
    if name == "load_roster":
        from astreinte_cli.load.roster import load_roster

        return load_roster
    if name == "roster_files":
        from astreinte_cli.load.files import roster_files

        return roster_files
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
