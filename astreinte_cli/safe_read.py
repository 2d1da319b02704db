"""Reading one roster file safely: a regular file inside the roster folder, of a bounded size
checked before a byte is read, never waiting on a FIFO (see :mod:`astreinte_cli.load.files`
for why). Low in the house: the loader, the roster cache, the history walk, completion and the
source line shown under an error (``diagnostics.py``) all read roster files this one way, and
the operator's own files (the publication log, the route service's token) are read the same way
wherever a link leads (:func:`read_own_file`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from astreinte_cli.i18n import _

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a roster is a few kilobytes; anything larger is a mistake


class UnreadableFile(Exception):
    """Why a roster file is not read: ``reason`` is one of ``outside``, ``special``,
    ``folder``, ``too-large`` (then ``size`` and ``limit``) or ``os`` (then ``error`` is the
    OSError)."""

    def __init__(
        self, reason: str, error: OSError | None = None, size: int = 0, limit: int = 0
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.size = size
        self.limit = limit

    def describe(self) -> str:
        """Why, in a few words, for a message about a file that is not a roster file (the
        loader words its own, with hints)."""
        if self.error is not None:
            return self.error.strerror or str(self.error)
        if self.reason == "too-large":
            return _("larger than {size} bytes").format(size=self.limit)
        if self.reason == "outside":
            return _("a link out of its folder")
        return _("not a regular file")  # a FIFO, a device, a socket, a folder


def resolved(path: Path) -> Path:
    """``path.resolve()``, a loop of links being the OSError the system gives (ELOOP, "Too many
    levels of symbolic links") rather than Python 3.11's RuntimeError, which no caller expects:
    ``-o LOOP`` then says it cannot write there instead of stopping on an internal error."""
    try:
        return path.resolve()
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


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


# How every file that might be a FIFO or a device is opened for reading (roster files here,
# the edit lock in ``authoring.py``): never waiting on a FIFO's writer, never taking a terminal.
READ_FLAGS = (
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
                descriptor = os.open(path, READ_FLAGS | _NOFOLLOW)
            except OSError:
                if not os.path.islink(path):
                    raise
                direct = False
        if not direct:
            if not resolves_inside(path, folder):
                raise UnreadableFile("outside")
            descriptor = os.open(path, READ_FLAGS)
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
            raise UnreadableFile("too-large", size=info.st_size, limit=limit)
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
            raise UnreadableFile("too-large", size=len(data), limit=limit)
        return data
    except OSError as exc:
        raise UnreadableFile("os", exc) from None
    finally:
        os.close(descriptor)


def read_own_file(path: Path, *, limit: int) -> bytes:
    """A file of the operator's own (a publication log, a token file), read as a roster file
    is (a regular file, its size checked before a byte is read, a FIFO never waited on) but
    wherever a link leads: it comes from whoever runs astreinte, not from a pull request.
    :class:`UnreadableFile` otherwise, a loop of links included."""
    try:
        folder = resolved(path).parent
    except OSError as exc:
        raise UnreadableFile("os", exc) from None
    return read_roster_file(path, folder, limit=limit)
