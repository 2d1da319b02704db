"""Where astreinte keeps what it learns between runs — the roster cache and the last valid
roster — so that nothing read back can run code, and only what this user wrote is read back.

Two folders, as the XDG base directory specification names them:

- the **cache** (``$XDG_CACHE_HOME/astreinte``, else ``~/.cache/astreinte``): what can be made
  again (validated roster files, precompiled windows, phone numbers and holidays already
  looked up). Anything in it may go at any time.
- the **state** (``$XDG_STATE_HOME/astreinte``, else ``~/.local/state/astreinte``): what must
  last — the last valid roster of each roster folder (see ``load/last_valid.py``) — and the
  secret key of every entry.

A variable that holds a relative path is ignored (the specification says so), and the default
is used. Each folder is created ``0700``; it is used only if it is a real folder (not a
symlink) that belongs to the current user and that nobody else can write to (one readable by
others is made ``0700``). Every file is opened relative to the open folder, without following
a symlink and without waiting (``O_NONBLOCK``): a FIFO or a device at an entry's place is
skipped, never read. An entry is read only if it is a regular file of this user that nobody
else can write to and that is not larger than its kind allows.

An **entry** is ``MAGIC``, then an HMAC-SHA256 of its name and content keyed by a secret of 32
random bytes kept in the state folder (``key``, ``0600``), then the content: a pickle, read
back by an unpickler that can build only the classes a kind of entry allows (the model's
values, dates) and nothing else. An entry that anyone else wrote (planted, restored from
another machine's cache, copied under another name) fails the HMAC and is ignored; and since
the unpickler cannot reach any other callable, even a forged entry could not run code.

Whatever goes wrong — a folder that cannot be created, is read-only, full, a symlink, someone
else's — the store is simply not used: nothing here raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import os
import pickle
import stat
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

MAGIC = b"astreinte-entry/1\n"
KEY_BYTES = 32
_MAC_BYTES = hashlib.sha256().digest_size
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_SWEEP_EVERY = 24 * 3600  # seconds between two sweeps of unused cache entries
_UNUSED_FOR = 7 * 24 * 3600  # an entry neither read nor written for a week goes


def _user() -> int | None:
    """The effective user id, or None where there is none (no store there)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def base_folder(variable: str, default: str) -> Path | None:
    """``$variable`` if it is an absolute path, else ``~/default`` (XDG: a relative path in
    one of these variables is invalid and ignored); None without a home."""
    value = os.environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    home = os.environ.get("HOME", "")
    if not home or not os.path.isabs(home):
        try:
            home = str(Path.home())
        except (RuntimeError, KeyError, OSError):
            return None
    return Path(home) / default


def cache_path() -> Path | None:
    base = base_folder("XDG_CACHE_HOME", ".cache")
    return None if base is None else base / "astreinte"


def state_path() -> Path | None:
    base = base_folder("XDG_STATE_HOME", os.path.join(".local", "state"))
    return None if base is None else base / "astreinte"


class Folder:
    """A folder checked once and kept open: every name is resolved inside it (``dir_fd``), so
    that it cannot be swapped for another between the check and the use."""

    def __init__(self, descriptor: int, path: Path, user: int) -> None:
        self.descriptor = descriptor
        self.path = path
        self.user = user

    @classmethod
    def open(cls, path: Path | None) -> Folder | None:
        """``path`` as a folder of this user that nobody else can write to, created ``0700``
        (with its missing parents) if need be; None if it cannot be."""
        user = _user()
        if path is None or user is None or not hasattr(os, "O_NOFOLLOW"):
            return None
        with contextlib.suppress(OSError):  # the open below says whether it is there
            os.makedirs(path.parent, mode=0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError, OSError):
            os.mkdir(path, 0o700)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC)
        except OSError:  # missing, a symlink, not a folder, not allowed
            return None
        try:
            found = os.fstat(descriptor)
            if not stat.S_ISDIR(found.st_mode) or found.st_uid != user:
                raise PermissionError(path)
            if found.st_mode & 0o022:  # others can write: not ours alone, whatever it holds
                raise PermissionError(path)
            if found.st_mode & 0o077:  # others can read: the roster's phones are personal
                os.fchmod(descriptor, 0o700)
        except OSError:
            os.close(descriptor)
            return None
        return cls(descriptor, path, user)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.descriptor)

    # ------------------------------------------------------------------ files

    def read(self, name: str, limit: int, *, private: bool = False) -> bytes | None:
        """The content of ``name`` if it is a regular file of this user that nobody else can
        write to (``private``: nor read), of at most ``limit`` bytes; None otherwise."""
        try:
            descriptor = os.open(name, _OPEN_FLAGS | _CLOEXEC, dir_fd=self.descriptor)
        except OSError:
            return None
        try:
            found = os.fstat(descriptor)
            forbidden = 0o077 if private else 0o022
            if (
                not stat.S_ISREG(found.st_mode)
                or found.st_uid != self.user
                or found.st_mode & forbidden
                or found.st_size > limit
            ):
                return None
            chunks = []
            size = 0
            while size <= limit:
                chunk = os.read(descriptor, min(limit + 1 - size, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return None if size > limit else b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(descriptor)

    def write(
        self, name: str, data: bytes, *, durable: bool = False, folder_too: bool = True
    ) -> bool:
        """``name`` replaced in one step by ``data`` (mode ``0600``); ``durable``: on the disk
        before this returns (with ``folder_too=False``, its content only: its name is made
        durable by the next durable write into the folder). False, and nothing left behind,
        if it cannot be written (a read-only or full file system, a folder that went away)."""
        import secrets  # here: reading an entry, what `now` does, writes nothing

        temporary = f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            descriptor = os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC,
                0o600,
                dir_fd=self.descriptor,
            )
        except OSError:
            return False
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
                if durable:
                    os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.replace(temporary, name, src_dir_fd=self.descriptor, dst_dir_fd=self.descriptor)
            if durable and folder_too:
                os.fsync(self.descriptor)  # the renames so far
        except OSError:
            self.remove(temporary)
            return False
        return True

    def remove(self, name: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=self.descriptor)

    def names(self) -> list[str]:
        try:
            return os.listdir(self.descriptor)
        except OSError:
            return []

    def exists(self, name: str) -> bool:
        try:
            os.stat(name, dir_fd=self.descriptor, follow_symlinks=False)
        except OSError:
            return False
        return True

    def sweep(self, keep: Callable[[str], bool]) -> None:
        """Removes the entries nobody read or wrote for a week (and files left by a writer
        that was killed), at most once a day; ``keep`` spares names."""
        now = time.time()
        try:
            swept = os.stat(".swept", dir_fd=self.descriptor, follow_symlinks=False).st_mtime
        except OSError:
            swept = 0.0
        if now - swept < _SWEEP_EVERY:
            return
        self.write(".swept", b"")
        for name in self.names():
            if name == ".swept" or keep(name):
                continue
            try:
                found = os.stat(name, dir_fd=self.descriptor, follow_symlinks=False)
            except OSError:
                continue
            if max(found.st_atime, found.st_mtime) < now - _UNUSED_FOR:
                self.remove(name)


# --------------------------------------------------------------------------- the key


def read_key(state: Folder) -> bytes | None:
    """The secret that signs every entry: ``key`` in the state folder, made on first use
    (32 random bytes, ``0600``). None if it cannot be read or made, or is not this user's
    alone: then nothing is stored and nothing read back."""
    key = state.read("key", KEY_BYTES, private=True)
    if key is not None:
        return key if len(key) == KEY_BYTES else None
    if state.exists("key"):
        return None  # there, but not one to trust
    import secrets

    temporary = f".key.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    if not state.write(temporary, secrets.token_bytes(KEY_BYTES), durable=True, folder_too=False):
        return None
    try:
        # A link fails if another process made the key meanwhile: then that one is read.
        os.link(temporary, "key", src_dir_fd=state.descriptor, dst_dir_fd=state.descriptor)
    except OSError:
        pass
    finally:
        state.remove(temporary)
    key = state.read("key", KEY_BYTES, private=True)
    return key if key is not None and len(key) == KEY_BYTES else None


# --------------------------------------------------------------------------- entries


def seal(key: bytes, name: str, content: bytes) -> bytes:
    """An entry's bytes: ``MAGIC``, the MAC of its name and content, the content."""
    mac = hmac.new(key, name.encode() + b"\0" + content, hashlib.sha256).digest()
    return MAGIC + mac + content


def unseal(key: bytes, name: str, data: bytes) -> bytes | None:
    """The content of an entry whose MAC is right for its name, else None."""
    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + _MAC_BYTES:
        return None
    mac, content = data[head : head + _MAC_BYTES], data[head + _MAC_BYTES :]
    expected = hmac.new(key, name.encode() + b"\0" + content, hashlib.sha256).digest()
    return content if hmac.compare_digest(mac, expected) else None


class _Unpickler(pickle.Unpickler):
    """An unpickler that builds only the globals it is given: no other class or function of
    any module can be reached, so a pickle can make values but never call anything else."""

    def __init__(self, data: bytes, allowed: Collection[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")
        return super().find_class(module, name)


def loads(content: bytes, allowed: Collection[tuple[str, str]] = ()) -> Any:
    """A pickle read back by :class:`_Unpickler`; ``allowed`` lists the (module, name) of the
    globals it may use (none: only plain values — numbers, text, bytes, tuples, lists, dicts,
    sets)."""
    return _Unpickler(content, allowed).load()


class Store:
    """The two folders and the key. Entries are named ``KIND-NAME``; each kind has its size
    limit and the globals its pickle may use."""

    def __init__(self, cache: Folder | None, state: Folder | None, key: bytes | None) -> None:
        self.cache = cache if key is not None else None
        self.state = state if key is not None else None
        self.key = key

    @classmethod
    def open(cls, *, cache: bool = True) -> Store:
        """The user's store; ``cache=False`` (``ASTREINTE_CACHE=off``) leaves the cache out."""
        state = Folder.open(state_path())
        key = read_key(state) if state is not None else None
        folder = Folder.open(cache_path()) if cache and key is not None else None
        return cls(folder, state, key)

    def close(self) -> None:
        for folder in (self.cache, self.state):
            if folder is not None:
                folder.close()

    def read(
        self,
        folder: Folder | None,
        name: str,
        *,
        limit: int,
        allowed: Collection[tuple[str, str]] = (),
    ) -> Any:
        """The value of entry ``name`` of ``folder``, or None: missing, not this user's, too
        large, not signed by this user's key, or not a pickle of allowed values."""
        if folder is None or self.key is None:
            return None
        data = folder.read(name, limit + len(MAGIC) + _MAC_BYTES)
        if data is None:
            return None
        content = unseal(self.key, name, data)
        if content is None:
            return None
        try:
            return loads(content, allowed)
        except Exception:  # a pickle this version cannot read: no entry
            return None

    def write(
        self,
        folder: Folder | None,
        name: str,
        content: bytes,
        *,
        durable: bool = False,
        folder_too: bool = True,
    ) -> bool:
        """Stores ``content`` (a pickle) as entry ``name`` of ``folder`` (see
        :meth:`Folder.write`)."""
        if folder is None or self.key is None:
            return False
        data = seal(self.key, name, content)
        return folder.write(name, data, durable=durable, folder_too=folder_too)
