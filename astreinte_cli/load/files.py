"""Which files make a roster (SPEC §1), and reading one of them safely, apart from parsing them:
the roster cache needs the list without the YAML machinery.

Roster files come from pull requests, and CI prints what is wrong with them. So a file is read
only when it is a regular file inside the roster folder, of a bounded size, checked before a
byte is read:

- a symbolic link (a file, or the roster folder itself) that resolves outside the folder that
  holds it is refused: ``rosters/leak.yaml -> /etc/passwd`` would otherwise be quoted into the
  CI log; a link to another file of the folder is fine;
- a FIFO, a device or a socket is refused without being opened for reading in a way that could
  wait (``O_NONBLOCK``): a FIFO would hang the command;
- the size is taken from the open file (``fstat``) before reading: a 3 GB sparse file is refused
  at once, not after being read into memory.

:func:`astreinte_cli.safe_read.read_roster_file` is the one way a roster file is read: by the
loader, by the roster cache (whose keys hash what it returns, and whose parts are read from those
very bytes), by the last valid roster's check of what changed, and for the source line shown
under an error. It lives low in the house (``safe_read.py``) so that ``diagnostics.py`` reads
that source line without importing the loader.
"""

from __future__ import annotations

import os
from pathlib import Path

from astreinte_cli.safe_read import resolves_inside


class RosterLocation(Exception):
    """Why a ``--rosters`` path is no roster to read: ``reason`` is ``missing``, ``special``
    (neither a folder nor a regular file), ``outside`` (a link to a folder outside the one
    that holds it) or ``unreadable`` (the system refuses to look at it or list it: ``error``
    says why). The loader says so with a located error; the roster cache, finding it, leaves
    the path to the loader."""

    def __init__(self, reason: str, error: OSError | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


def check_location(location: Path) -> Path | None:
    """The folder whose files make the roster at ``location`` (None for a roster of one file,
    read from the folder that holds it); :class:`RosterLocation` when ``location`` is no
    roster to read."""
    try:
        if location.is_dir():
            if not resolves_inside(location):
                raise RosterLocation("outside")
            with os.scandir(location):  # a folder that cannot be listed (its permissions)
                pass
            return location
        if location.is_file():
            return None
        exists = location.exists()
    except OSError as error:  # a folder on the way that cannot be searched
        raise RosterLocation("unreadable", error) from None
    raise RosterLocation("special" if exists else "missing")


def roster_files(location: Path) -> list[Path]:
    """The files of a roster: ordinary files by name, then ``*.local.yaml`` by name; nothing
    when ``location`` is neither a folder nor a file, or cannot be listed (the loader says
    so). Every entry named like a roster file is one, but a folder: a FIFO, a device, a
    socket or a link to nothing named ``team.yaml`` is listed too, so that the loader says
    what it is (a located error; reading never waits on a FIFO, see
    :func:`~astreinte_cli.safe_read.read_roster_file`) instead of the team vanishing from the
    roster without a word, and the roster cache, unable to read it, leaves it to the loader."""
    try:
        if location.is_file():
            return [location]
        if not location.is_dir():
            return []
        files = sorted(
            (p for p in location.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir()),
            key=lambda p: p.name,
        )
    except OSError:
        return []
    return [p for p in files if not is_local(p)] + [p for p in files if is_local(p)]


def is_local(path: Path) -> bool:
    return path.name.endswith((".local.yaml", ".local.yml"))
