"""Which files make a roster (SPEC §1), apart from reading them: the roster cache needs the list
without the YAML machinery."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a roster is a few kilobytes; anything larger is a mistake


class TooLarge(OSError):
    """A roster file larger than :data:`MAX_FILE_BYTES`, found so before reading it."""


class NotRegular(OSError):
    """A FIFO, a device or a socket where a roster file is expected: never read (it could
    wait forever, or never end)."""


def read_roster_file(path: Path) -> bytes:
    """The bytes of a roster file, its size checked before anything is read: a FIFO or a
    device is refused without waiting (:class:`NotRegular`), a file larger than
    :data:`MAX_FILE_BYTES` without being read (:class:`TooLarge`, even a sparse file of
    gigabytes). Other problems raise the :class:`OSError` of the system."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise NotRegular(str(path))
        if found.st_size > MAX_FILE_BYTES:
            raise TooLarge(str(path))
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(MAX_FILE_BYTES + 1)  # a file that grew since the check
    finally:
        os.close(descriptor)
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(str(path))
    return data


def roster_files(location: Path) -> list[Path]:
    """The files of a roster: ordinary files by name, then ``*.local.yaml`` by name. A path
    that is not a folder is the roster's one file, whatever it is (the reader refuses a FIFO
    or a device with a located error rather than waiting on it)."""
    if not location.is_dir():
        return [location]
    files = sorted(
        (p for p in location.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()),
        key=lambda p: p.name,
    )
    return [p for p in files if not is_local(p)] + [p for p in files if is_local(p)]


def is_local(path: Path) -> bool:
    return path.name.endswith((".local.yaml", ".local.yml"))
