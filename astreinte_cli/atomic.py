"""Files and folders replaced in one step: a reader sees the old one or the new one, never half
of it or a mix of the two."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from astreinte_cli.safe_read import resolved

# What a file is given to hold: its bytes, or a function that writes them to the stream it is
# given (for what is too large to hold, a feed or a year of `show --json`).
Content = bytes | Callable[[BinaryIO], object]


def write_content(stream: BinaryIO, content: Content) -> None:
    """Writes ``content`` to ``stream``."""
    if isinstance(content, bytes):
        stream.write(content)
    else:
        content(stream)


def replace_file(
    path: Path,
    content: Content,
    *,
    mode: int | None = None,
    durable: bool = False,
    owner: bool = False,
) -> None:
    """Replaces ``path`` by a file holding ``content``.

    - A device, a pipe or a socket is written to, never replaced: run as root, a rename over
      ``/dev/null`` once made it a plain file.
    - A symbolic link stays: the file it points to is replaced.
    - The new file gets ``mode``, else the replaced file's, else 0o644.
    - ``durable`` has the data synced to disk before the replacement (a roster edit), which a
      feed of hundreds of megabytes rebuilt every hour does without.
    - ``owner`` gives the new file the replaced file's owner and group, as far as the system
      lets this process (root: always; others: a group they belong to).
    - On any failure the temporary file is removed and ``path`` is left as it was.
    """
    if path.exists() and not resolved(path).is_file():
        with path.open("wb") as stream:
            write_content(stream, content)
        return
    path = resolved(path) if path.is_symlink() else path
    previous = path.stat() if path.exists() else None
    if mode is None:
        mode = previous.st_mode & 0o7777 if previous is not None else 0o644
    folder = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            write_content(stream, content)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        if owner and previous is not None:
            _give_owner(temporary, previous.st_uid, previous.st_gid)
        os.chmod(temporary, mode)  # after chown, which may clear set-id bits
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _give_owner(path: str, uid: int, gid: int) -> None:
    if not hasattr(os, "chown"):  # pragma: no cover (Windows)
        return
    info = os.stat(path)
    if (info.st_uid, info.st_gid) == (uid, gid):
        return
    try:
        os.chown(path, uid, gid)
    except PermissionError:  # not root: keep at least the group, if this user is in it
        with contextlib.suppress(PermissionError):
            os.chown(path, -1, gid)


@contextmanager
def replace_folder(directory: Path, marker: str | None = None) -> Iterator[Path]:
    """A new, empty staging folder to fill, put at ``directory`` as a whole when the block ends.

    The staging folder is a temporary sibling of ``directory`` (so that renaming it is one
    step), private (0700) while it is filled; only when the block has written every file is it
    made readable (0755) and swapped in, by an atomic exchange of the two folders where the
    system has one (Linux ``renameat2``), else by two renames. The previous folder, now at the
    staging folder's name, is made private again at once and removed. On any failure, the
    block's included, the staging folder is removed and the previous folder stays as it was.

    With ``marker`` (a file name the block writes into the folder, as ``publish`` does), a run
    that was killed is cleaned up after: the staging folder gets ``marker`` at once, held under
    an exclusive lock (``flock``) until the run ends, and the next run removes every sibling
    staging folder of ``directory`` whose marker nobody holds: a killed run's (files half
    written, or the previous publication, person feeds included), never one being filled.
    """
    directory = directory.absolute()
    directory.parent.mkdir(parents=True, exist_ok=True)
    if marker is not None:
        remove_stale_staging(directory, marker)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=directory.parent))
    held = _hold(staging / marker) if marker is not None else None
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
        _swap(staging, directory)
        if staging.exists():  # the previous folder: private again until it is gone
            staging.chmod(0o700)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after a swap: the previous folder
        if held is not None:
            os.close(held)


def _hold(path: Path) -> int | None:
    """``path`` created and locked (``flock``, exclusive) for as long as the descriptor is
    open; None where the system has no ``flock``."""
    try:
        import fcntl
    except ImportError:  # Windows: no stale-folder cleanup there
        return None
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def remove_stale_staging(directory: Path, marker: str) -> list[Path]:
    """Removes the staging folders of ``directory`` left by runs that were killed: siblings
    named as :func:`replace_folder` names them (``.NAME.new-*``, ``.NAME.old-*``), real
    folders (not links), holding ``marker``, whose marker no running process holds locked.
    Says which it removed."""
    try:
        import fcntl
    except ImportError:
        return []
    removed: list[Path] = []
    prefixes = (f".{directory.name}.new-", f".{directory.name}.old-")
    try:
        siblings = list(directory.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        if not sibling.name.startswith(prefixes) or sibling.is_symlink() or not sibling.is_dir():
            continue
        path = sibling / marker
        if path.is_symlink() or not path.is_file():
            continue  # not one of ours, or being set up: left alone
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # held: a run is filling it
        finally:
            os.close(descriptor)
        sibling.chmod(0o700)
        shutil.rmtree(sibling, ignore_errors=True)
        removed.append(sibling)
    return removed


def _swap(staging: Path, directory: Path) -> None:
    """Puts ``staging`` at ``directory``; the previous folder, if any, ends up at ``staging``."""
    if not directory.exists():
        staging.rename(directory)
        return
    if _exchange(staging, directory):
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
    retired.rmdir()
    directory.rename(retired)
    staging.rename(directory)
    retired.rename(staging)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchanges two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False when the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: the commands that only replace a file do without it

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # glibc ≥ 2.28, musl
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(result == 0)
