"""Files replaced in one step: a reader sees the old file or the new one, never half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def replace_file(
    path: Path,
    write: Callable[[BinaryIO], object],
    *,
    mode: int | None = None,
    durable: bool = False,
) -> None:
    """Replaces ``path`` by what ``write`` writes to the stream it is given.

    - A device, a pipe or a socket is written to, never replaced: run as root, a rename over
      ``/dev/null`` once made it a plain file.
    - A symbolic link stays: the file it points to is replaced.
    - The new file gets ``mode``, else the replaced file's, else 0o644.
    - ``durable`` has the data synced to disk before the replacement (a roster edit), which a
      feed of hundreds of megabytes rebuilt every hour does without.
    - On any failure the temporary file is removed and ``path`` is left as it was.
    """
    if path.exists() and not path.resolve().is_file():
        with path.open("wb") as stream:
            write(stream)
        return
    path = path.resolve() if path.is_symlink() else path
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    folder = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            write(stream)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
