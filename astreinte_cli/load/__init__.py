"""YAML roster files → the validated model, with every problem located."""

from astreinte_cli.load.roster import load_roster, roster_files

__all__ = ["load_roster", "roster_files"]
