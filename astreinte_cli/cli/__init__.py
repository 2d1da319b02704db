"""The command line: Typer options in, a call to the core, text or bytes out, an exit code.

The only part of astreinte that reads the clock, prints, or chooses an exit code. This file
imports nothing, so that importing any module of the package runs no other.

- ``entry.py``: the console script; a plain `astreinte now` is answered without Typer
  (``fastpath.py``), anything else goes to the Typer app (``app.py``);
- ``options.py``: the options several commands share; ``toolkit.py``: what every command does
  around the core (load, select, read WHEN, print errors, choose an exit code, write output);
- ``commands/``: one module per command or command group, registered by ``app.py``;
- ``completion.py``: shell completion of team, person and level ids.
"""
