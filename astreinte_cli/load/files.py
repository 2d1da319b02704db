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

:func:`read_roster_file` is the one way a roster file is read: by the loader, by the roster
cache (whose keys hash what it returns, and whose parts are read from those very bytes), by the
last valid roster's check of what changed, and for the source line shown under an error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a roster is a few kilobytes; anything larger is a mistake


class UnreadableFile(Exception):
    """Why a roster file is not read: ``reason`` is one of ``outside``, ``special``,
    ``folder``, ``too-large`` or ``os`` (then ``error`` is the OSError)."""

    def __init__(self, reason: str, error: OSError | None = None, size: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.size = size


class RosterLocation(Exception):
    """Why a ``--rosters`` path is no roster to read: ``reason`` is ``missing``, ``special``
    (neither a folder nor a regular file) or ``outside`` (a link to a folder outside the one
    that holds it). The loader says so with a located error; the roster cache, finding it,
    leaves the path to the loader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_location(location: Path) -> Path | None:
    """The folder whose files make the roster at ``location`` (None for a roster of one file,
    read from the folder that holds it); :class:`RosterLocation` when ``location`` is no
    roster to read."""
    if location.is_dir():
        if not resolves_inside(location):
            raise RosterLocation("outside")
        return location
    if location.is_file():
        return None
    raise RosterLocation("special" if location.exists() else "missing")


def roster_files(location: Path) -> list[Path]:
    """The files of a roster: ordinary files by name, then ``*.local.yaml`` by name; nothing
    when ``location`` is neither a folder nor a file (the loader says so). An entry that is not
    a regular file once links are followed (a FIFO, a device, a dangling link) is no roster
    file: it is left out, so that neither the loader nor the roster cache ever opens it."""
    if location.is_file():
        return [location]
    if not location.is_dir():
        return []
    files = sorted(
        (p for p in location.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()),
        key=lambda p: p.name,
    )
    return [p for p in files if not is_local(p)] + [p for p in files if is_local(p)]


def is_local(path: Path) -> bool:
    return path.name.endswith((".local.yaml", ".local.yml"))


def resolves_inside(path: Path, folder: Path | None = None) -> bool:
    """Whether ``path`` (a link followed to its end) lies in ``folder`` (default: the folder
    that holds ``path``) once that is resolved too. A link that cannot be resolved (a loop)
    counts as outside."""
    try:
        target = path.resolve(strict=False)
        home = (folder if folder is not None else path.absolute().parent).resolve(strict=False)
    except (OSError, RuntimeError):
        return False
    return target == home or home in target.parents


_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO is not waited on
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_roster_file(
    path: Path, folder: Path | None = None, *, limit: int = MAX_FILE_BYTES
) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes that resolves inside
    ``folder`` (default: the folder that holds it); :class:`UnreadableFile` otherwise.

    A file that is no link, directly in ``folder``, is inside it: it is opened without
    following links (``O_NOFOLLOW``), which costs no resolving of paths and leaves no time
    between a check and the opening. A link is resolved first, and opened only when its
    target is inside the folder."""
    direct = _NOFOLLOW and (folder is None or path.parent == folder)
    try:
        if direct:
            try:
                descriptor = os.open(path, _FLAGS | _NOFOLLOW)
            except OSError:
                if not os.path.islink(path):
                    raise
                direct = False
        if not direct:
            if not resolves_inside(path, folder):
                raise UnreadableFile("outside")
            descriptor = os.open(path, _FLAGS)
    except IsADirectoryError as exc:
        raise UnreadableFile("folder", exc) from None
    except OSError as exc:
        raise UnreadableFile("os", exc) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFile("folder")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("special")
        if info.st_size > limit:
            raise UnreadableFile("too-large", size=info.st_size)
        chunks = []
        left = limit + 1  # a file that grew since fstat is still cut off
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise UnreadableFile("too-large", size=len(data))
        return data
    except OSError as exc:
        raise UnreadableFile("os", exc) from None
    finally:
        os.close(descriptor)
