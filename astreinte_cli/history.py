"""Git access: the roster as it was at a revision, and the revisions that changed it.

Everything is read with git itself (``git ls-tree``, ``git show``, ``git log``) into temporary
folders: the working tree, the index and HEAD are never touched, and a shallow clone works as
long as the revisions asked for are in it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _
from astreinte_cli.safe_read import MAX_FILE_BYTES

ROSTER_SUFFIXES = (".yaml", ".yml")


class GitError(HintedError):
    """Git could not answer: not a repository, an unknown revision, git missing."""


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit of the branch's first-parent history. ``date`` is its committer date, as
    written; ``known`` is the date it counts from for notice: never earlier than any of its
    ancestors' (a change cannot have been known before the commit it builds on), so that a
    commit dated before its parent hides nothing. ``parent_date`` is its first parent's
    ``known`` (None for the oldest)."""

    sha: str
    date: dt.datetime  # committer date, aware
    known: dt.datetime
    parent_date: dt.datetime | None = None

    @property
    def backdated(self) -> bool:
        """Dated before its first parent: a rewritten date, a wrong clock, or a fast-forward of
        commits made elsewhere."""
        return self.parent_date is not None and self.date < self.parent_date


@dataclass(frozen=True, slots=True)
class Repository:
    """The git repository that holds a roster, and the roster's path inside it."""

    root: Path
    roster: str  # POSIX path relative to root ("." for the root itself)
    is_file: bool

    @property
    def name(self) -> str:
        return Path(self.roster).name if self.roster != "." else self.root.name

    def git(self, *args: str) -> bytes:
        return run_git(self.root, *args)

    def resolve(self, revision: str) -> str:
        """The commit a revision names, or GitError."""
        try:
            return (
                self.git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
                .decode("ascii")
                .strip()
            )
        except GitError:
            raise GitError(
                _("unknown git revision '{revision}'").format(revision=revision),
                _(
                    "give a branch, a tag or a commit that this clone has (in a shallow CI "
                    "clone, fetch the base revision first)"
                ),
            ) from None

    def commits(self) -> Iterator[Commit]:
        """Commits of the current branch's first-parent history that changed the roster,
        newest first, each with the date it counts from for notice (:class:`Commit`).

        Two calls to git, whatever the length of the history: every commit reachable from
        HEAD with its date and parents (for the dates that count), then the first-parent
        commits that touched the roster."""
        try:
            dated = self.git("log", "--topo-order", "--reverse", "--format=%H %cI %P", "HEAD")
            touched = self.git(
                "log", "--first-parent", "--format=%H", "HEAD", "--", self.roster
            ).split()
        except GitError:
            return  # no commit yet
        known: dict[str, dt.datetime] = {}
        own: dict[str, dt.datetime] = {}
        first_parent: dict[str, str | None] = {}
        for line in dated.decode("ascii").splitlines():
            sha, date, *parents = line.split()
            when = dt.datetime.fromisoformat(date)
            own[sha] = when
            # --topo-order --reverse: parents come before their children
            known[sha] = max([when, *(known[p] for p in parents if p in known)])
            first_parent[sha] = parents[0] if parents else None
        for raw in touched:
            sha = raw.decode("ascii")
            if sha not in own:
                continue
            parent = first_parent[sha]
            before = known[parent] if parent is not None and parent in known else None
            yield Commit(sha, own[sha], known[sha], before)

    def materialise(self, revision: str, into: Path) -> Path:
        """Write the roster files of ``revision`` under ``into``; returns what to load.

        Each blob's size is asked of git (``ls-tree -l``) before it is read: one larger than
        a roster file may be (:data:`~astreinte_cli.safe_read.MAX_FILE_BYTES`) is written as
        a sparse file of that size, which the loader refuses by its size as it would in the
        working tree, without a byte of it read into memory (a 300 MB blob made `diff` take
        600 MB)."""
        commit = self.resolve(revision)
        if self.is_file:
            target = into / self.name
            into.mkdir(parents=True, exist_ok=True)
            size = int(self.git("cat-file", "-s", f"{commit}:{self.roster}").strip() or b"0")
            self._write_blob(target, f"{commit}:{self.roster}", size)
            return target
        folder = into / self.name
        folder.mkdir(parents=True, exist_ok=True)
        prefix = "" if self.roster == "." else self.roster.rstrip("/") + "/"
        listing = self.git("ls-tree", "-l", "-z", commit, "--", prefix or ".")
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _tab, raw_path = entry.partition(b"\t")
            fields = meta.split()  # mode, type, object, size
            kind = fields[1] if len(fields) >= 4 else b""
            path = raw_path.decode("utf-8", errors="surrogateescape")
            name = path[len(prefix) :] if path.startswith(prefix) else path
            if kind != b"blob" or "/" in name or not name.endswith(ROSTER_SUFFIXES):
                continue
            size = int(fields[3]) if fields[3].isdigit() else 0
            if fields[0] == b"120000" and size <= 4096:
                # A symbolic link stays one: the loader judges where it leads, as it does in
                # the working tree (a link out of the roster folder is not read).
                link = self.git("cat-file", "blob", fields[2].decode("ascii"))
                (folder / name).symlink_to(os.fsdecode(link))
                continue
            self._write_blob(folder / name, fields[2].decode("ascii"), size)
        return folder

    def _write_blob(self, target: Path, blob: str, size: int) -> None:
        if size > MAX_FILE_BYTES:
            with target.open("wb") as stream:
                stream.truncate(size)  # sparse: refused by its size, never read
            return
        target.write_bytes(self.git("cat-file", "blob", blob))


def run_git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise GitError(
            _("git is not installed"), _("install git, or run outside a repository")
        ) from None
    except subprocess.TimeoutExpired:
        raise GitError(_("git {command} took too long").format(command=args[0])) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise GitError(
            _("git {command} failed: {reason}").format(
                command=args[0], reason=message[-1] if message else done.returncode
            )
        )
    return done.stdout


def find_repository(location: Path) -> Repository | None:
    """The repository holding ``location``, or None outside git."""
    location = location.resolve()
    folder = location if location.is_dir() else location.parent
    try:
        top = run_git(folder, "rev-parse", "--show-toplevel").decode("utf-8").strip()
    except (GitError, OSError):
        return None
    root = Path(top).resolve()
    try:
        relative = location.relative_to(root).as_posix()
    except ValueError:
        return None
    return Repository(root, relative or ".", location.is_file())


def roster_commit(location: Path) -> str | None:
    """The commit a roster is read at, for the documents that must name it: ``SHA``,
    ``SHA (uncommitted changes)`` when the roster's files differ from it, ``uncommitted
    changes`` before the first commit, or None outside git."""
    if not location.exists():
        return None
    repository = find_repository(location)
    if repository is None:
        return None
    try:
        status = repository.git("status", "--porcelain", "--", repository.roster).strip()
    except GitError:
        return None
    try:
        sha = repository.git("rev-parse", "--verify", "--quiet", "HEAD").decode("ascii").strip()
    except GitError:
        return _("uncommitted changes")
    return _("{sha} (uncommitted changes)").format(sha=sha) if status else sha
