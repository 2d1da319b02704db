"""``astreinte init`` and ``astreinte schema``: setting up a repository for a roster, and the
JSON Schema of roster files that editors (and ``init``) use."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Annotated

import typer

from astreinte_cli.cli.toolkit import ExitCode, boundary, fail_usage
from astreinte_cli.i18n import _
from astreinte_cli.printable import control_character
from astreinte_cli.safe_read import resolved

TEMPLATES = "templates"
INIT_FILES = (
    ("rosters/astreinte.yaml", "init/astreinte.yaml"),
    ("rosters/contacts.local.yaml.example", "init/contacts.local.yaml.example"),
    (".github/workflows/astreinte.yml", "init/astreinte.yml"),
)
GITIGNORE_LINES = ("*.local.yaml", "*.local.yml")


def _packaged(name: str) -> str:
    """A text file shipped inside the package (templates, the schema)."""
    from importlib import resources

    return resources.files("astreinte_cli").joinpath(name).read_text(encoding="utf-8")


def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of roster files, for editors to complete and
    check them."""
    from astreinte_cli.cli.toolkit import utf8_stdout

    with utf8_stdout() as out:
        out.write(_packaged("schemas/roster.schema.json").rstrip("\n") + "\n")


def init(
    directory: Annotated[
        Path,
        typer.Argument(help="The repository to set up (default: the current folder)."),
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    package: Annotated[
        str | None,
        typer.Option(
            "--package",
            help="The astreinte CI installs, as a pip requirement (default: the one running, "
            "e.g. git+https://github.com/OWNER/astreinte@COMMIT).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a commented starter roster (rosters/astreinte.yaml), its schema, a .gitignore for
    personal contacts, and a CI workflow that checks pull requests and publishes the calendars.

    The workflow installs the astreinte this one was installed from (its git commit, or its
    release), or --package. Existing files are left alone (exit 1) unless --force; a
    .gitignore is completed, never replaced."""
    with boundary():
        _init(directory, force, package)


def _init(directory: Path, force: bool, package: str | None) -> None:
    from astreinte_cli.installation import PLACEHOLDER, installed_requirement

    if package is not None and control_character(package) is not None:
        fail_usage(
            _("--package: the requirement has a control character"),
            _("give one pip requirement on one line, e.g. {example}").format(
                example="git+https://github.com/OWNER/astreinte@TAG"
            ),
        )
    requirement = package.strip() if package and package.strip() else installed_requirement()
    files = {target: _packaged(f"{TEMPLATES}/{source}") for target, source in INIT_FILES}
    if requirement is not None:
        workflow = ".github/workflows/astreinte.yml"
        line = f"  ASTREINTE_PACKAGE: {PLACEHOLDER}\n"
        value = _yaml_scalar(requirement)
        files[workflow] = files[workflow].replace(line, f"  ASTREINTE_PACKAGE: {value}\n")
    files["schemas/roster.schema.json"] = _packaged("schemas/roster.schema.json")
    gitignore = directory / ".gitignore"
    # Everything is checked before anything is written: a link (even dangling) is never
    # followed, out of DIR or in it, and a FIFO or a device is never opened (it would hang).
    found = [_unsafe(directory, name, force) for name in files]
    # Each problem once: a loop of links at DIR is the same problem for every file.
    problems = list(dict.fromkeys(i for i in [*found, _unsafe(directory, ".gitignore", True)] if i))
    if problems:
        for message, _exists in problems:
            typer.echo("error: " + message, err=True)
        hint = (
            _("nothing was written; use --force to overwrite these files")
            if all(exists for _message, exists in problems)
            else _("nothing was written; a link or a special file is never written through")
        )
        typer.echo("hint: " + hint, err=True)
        raise typer.Exit(ExitCode.INVALID)
    try:
        for name, text in files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_new(path, text.encode("utf-8"))
            typer.echo(_("wrote {path}").format(path=path))
        present = _read_regular(gitignore)
        lines = present.splitlines() if present is not None else []
        missing = [line for line in GITIGNORE_LINES if line.encode() not in lines]
        if missing:
            # Bytes, not text: a .gitignore in Latin-1 is completed as it is.
            header = [] if present else ["# personal phone numbers stay out of git (astreinte)"]
            lead = b"\n" if present and not present.endswith(b"\n") else b""
            _append(gitignore, lead + "\n".join(header + missing).encode() + b"\n")
            done = _("updated {path}") if present else _("wrote {path}")
            typer.echo(done.format(path=gitignore))
    except OSError as exc:
        message = _("cannot write in {directory}: {reason}").format(
            directory=directory, reason=exc.strerror or exc
        )
        typer.echo("error: " + message, err=True)
        raise typer.Exit(ExitCode.INVALID) from None
    workflow_path = directory / ".github" / "workflows" / "astreinte.yml"
    if requirement is None:
        typer.echo(
            _(
                "warning: set ASTREINTE_PACKAGE at the top of {path} to the astreinte CI should "
                "install (e.g. git+https://github.com/OWNER/astreinte@TAG): where this one comes "
                "from cannot be told"
            ).format(path=workflow_path)
        )
    else:
        typer.echo(
            _("CI installs {requirement} (ASTREINTE_PACKAGE in {path})").format(
                requirement=requirement, path=workflow_path
            )
        )
    roster = directory / "rosters"
    typer.echo(
        _("next: edit {path}, then run 'astreinte check --rosters {roster}' and commit").format(
            path=roster / "astreinte.yaml", roster=roster
        )
    )


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML value on a line of its own: as it is when YAML reads it back the same
    (``git+https://…@TAG``), else quoted (a JSON string is a YAML double-quoted one): a
    requirement like ``x; python_version >= "3.11"`` or ``[x]`` must not break the workflow."""
    import json

    import yaml

    try:
        if yaml.safe_load(f"key: {text}") == {"key": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


# Files are opened without following a link at their own name, and without waiting on a FIFO.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _unsafe(directory: Path, name: str, replaceable: bool) -> tuple[str, bool] | None:
    """Why ``name`` cannot be written in ``directory`` (and whether only because it exists),
    or None: a link (dangling or not), a folder on the way that leads out of ``directory``,
    something that is not a regular file, or an existing file without ``replaceable``."""
    path = directory / name
    if path.is_symlink():
        return _("{path} is a symbolic link: not following it").format(path=path), False
    try:
        home, parent = resolved(directory), resolved(path.parent)
    except OSError as exc:  # a loop of links on the way
        reason = exc.strerror or exc
        return _("cannot write in {directory}: {reason}").format(
            directory=directory, reason=reason
        ), False
    if parent != home and home not in parent.parents:
        message = _("{path} leads out of {directory} through a symbolic link")
        return message.format(path=path, directory=directory), False
    if not path.exists():
        return None
    if not path.is_file():
        return _("{path} is not a regular file").format(path=path), False
    return None if replaceable else (_("{path} exists").format(path=path), True)


def _write_new(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NO_FOLLOW, 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path``, or None when there is no such file (checked by :func:`_unsafe`)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, _("not a regular file"))
        return stream.read()


def _append(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NO_FOLLOW, 0o644)
    with os.fdopen(descriptor, "ab") as stream:
        stream.write(data)
