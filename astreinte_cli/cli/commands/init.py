"""``astreinte init`` and ``astreinte schema``: setting up a repository for a roster, and the
JSON Schema of roster files that editors (and ``init``) use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from astreinte_cli.cli.toolkit import ExitCode
from astreinte_cli.i18n import _

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
    from astreinte_cli.installation import PLACEHOLDER, installed_requirement

    requirement = package.strip() if package and package.strip() else installed_requirement()
    files = {target: _packaged(f"{TEMPLATES}/{source}") for target, source in INIT_FILES}
    if requirement is not None:
        workflow = ".github/workflows/astreinte.yml"
        line = f"  ASTREINTE_PACKAGE: {PLACEHOLDER}\n"
        files[workflow] = files[workflow].replace(line, f"  ASTREINTE_PACKAGE: {requirement}\n")
    files["schemas/roster.schema.json"] = _packaged("schemas/roster.schema.json")
    existing = [name for name in files if (directory / name).exists()]
    if existing and not force:
        for name in existing:
            typer.echo("error: " + _("{path} exists").format(path=directory / name), err=True)
        typer.echo(
            "hint: " + _("nothing was written; use --force to overwrite these files"), err=True
        )
        raise typer.Exit(ExitCode.INVALID)
    try:
        for name, text in files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            typer.echo(_("wrote {path}").format(path=path))
        gitignore = directory / ".gitignore"
        present = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
        missing = [line for line in GITIGNORE_LINES if line not in present]
        if missing:
            header = [] if present else ["# personal phone numbers stay out of git (astreinte)"]
            lead = (
                "\n" if present and not gitignore.read_text(encoding="utf-8").endswith("\n") else ""
            )
            with gitignore.open("a", encoding="utf-8") as stream:
                stream.write(lead + "\n".join(header + missing) + "\n")
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
