"""Every invalid roster of ``tests/data/invalid`` gives exactly the diagnostics it expects.

One case is ``NAME.yaml`` (a one-file roster) or ``NAME/`` (a folder), with ``NAME.expected``:
the text ``format_diagnostic`` renders for every diagnostic, paths relative to
``tests/data/invalid``. ``ASTREINTE_REWRITE_GOLDEN=1 pytest tests/test_invalid_rosters.py``
rewrites the ``.expected`` files from the loader's output: read the diff before keeping it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli

from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
from astreinte_cli.load import load_roster
from astreinte_cli.load.yamlfile import MAX_FILE_BYTES

INVALID = Path(__file__).parent / "data" / "invalid"
REWRITE = os.environ.get("ASTREINTE_REWRITE_GOLDEN") == "1"


def _cases() -> list[str]:
    names = {p.stem for p in INVALID.glob("*.yaml")}
    names |= {p.name for p in INVALID.iterdir() if p.is_dir()}
    return sorted(names)


CASES = _cases()


def _location(name: str) -> str:
    return f"{name}.yaml" if (INVALID / f"{name}.yaml").is_file() else name


def _diagnostics_text(location: str) -> str:
    """What the loader reports for ``location``, rendered as the CLI renders it."""
    try:
        load_roster(Path(location))
    except RosterError as exc:
        sources = SourceLines()
        return "".join(format_diagnostic(d, sources) + "\n" for d in exc.diagnostics)
    pytest.fail(f"{location} loaded without a diagnostic")


@pytest.fixture
def in_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)


@pytest.mark.usefixtures("in_corpus")
@pytest.mark.parametrize("name", CASES)
def test_invalid_roster(name: str) -> None:
    actual = _diagnostics_text(_location(name))
    expected = INVALID / f"{name}.expected"
    if REWRITE:
        expected.write_text(actual, encoding="utf-8", newline="\n")
    assert expected.is_file(), f"{name} has no {expected.name}"
    assert actual == expected.read_text(encoding="utf-8")


def test_corpus_is_complete() -> None:
    """Enough cases, and no .expected left behind by a renamed or deleted case."""
    assert len(CASES) >= 45
    orphans = sorted({p.stem for p in INVALID.glob("*.expected")} - set(CASES))
    assert not orphans


# SEVERAL errors in one file: all are reported in one run, in file order.
@pytest.mark.usefixtures("in_corpus")
def test_several_errors_are_all_reported() -> None:
    with pytest.raises(RosterError) as caught:
        load_roster(Path("several_errors.yaml"))
    lines = [d.span.line for d in caught.value.diagnostics]
    assert len(lines) >= 6
    assert lines == sorted(lines)


@pytest.mark.usefixtures("in_corpus")
def test_alias_bomb_fails_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(RosterError):
        load_roster(Path("alias_bomb.yaml"))
    assert time.perf_counter() - start < 1.0


def test_bigger_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 40)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    assert time.perf_counter() - start < 1.0
    assert "alias bomb" in (caught.value.diagnostics[0].hint or "")


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    body = b"people:\n  alice: {name: Alice Martin}\n"
    path.write_bytes(body + b"#" * (MAX_FILE_BYTES + 1 - len(body)))
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    (diagnostic,) = caught.value.diagnostics
    assert format_diagnostic(diagnostic) == (
        f"{path}:1:1: error: the file is larger than 1024 KiB\n"
        "    1 | people:\n"
        "      | ^\n"
        "hint: a roster file is a few kilobytes; split it, or check that this is a roster"
    )


def test_file_at_the_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "padded.yaml"
    body = b"people:\n  alice: {name: Alice Martin}\n"
    padding = b"# padding\n" * ((MAX_FILE_BYTES - len(body)) // 10)
    path.write_bytes(body + padding + b"#" * (MAX_FILE_BYTES - len(body) - len(padding)))
    assert path.stat().st_size == MAX_FILE_BYTES
    assert set(load_roster(path).people) == {"alice"}


START_HERE = (
    "hint: a roster is a folder of *.yaml files: run 'astreinte init' to write a starter one, "
    "or give --rosters PATH\n"
)
START_HERE_FR = (
    "hint: un planning est un dossier de fichiers *.yaml\u00a0: lancez 'astreinte init' pour en "
    "écrire un premier, ou indiquez --rosters CHEMIN\n"
)


def test_missing_path(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A path has no line: it is named alone (it once read 'rosters:0:0:'), with the hint of
    an empty folder."""
    with pytest.raises(RosterError) as caught:
        load_roster(tmp_path / "nowhere")
    (diagnostic,) = caught.value.diagnostics
    assert format_diagnostic(diagnostic) == (
        f"{tmp_path / 'nowhere'}: error: no roster here: the path does not exist\n"
        + START_HERE.removesuffix("\n")
    )
    monkeypatch.chdir(tmp_path)
    for command in ("check", "now", "show"):
        run = cli(command)
        assert run.code == 1
        assert run.stderr == (
            "rosters: error: no roster here: the path does not exist\n"
            + START_HERE
            + "1 error: the roster was not used\n"
        )
    french = cli("--lang", "fr", "check")
    assert french.stderr == (
        "rosters: error: aucun planning ici\u00a0: le chemin n’existe pas\n"
        + START_HERE_FR
        + "1 erreur\u00a0: le planning n’a pas été utilisé\n"
    )


UNLISTABLE = (
    "error: cannot read the roster folder: Permission denied\n"
    "hint: check its permissions: the user running astreinte must be able to list it\n"
)


def _refuse_listing(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The system refuses to list ``folder`` (as for a folder of mode 000 read by another
    user: the suite runs as root in CI, where permissions do not refuse anything)."""

    def refusing(real: Any) -> Any:
        def call(path: Any = ".") -> Any:
            if isinstance(path, str | os.PathLike) and Path(path) == folder:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        return call

    monkeypatch.setattr(os, "scandir", refusing(os.scandir))
    monkeypatch.setattr(os, "listdir", refusing(os.listdir))


def test_a_folder_that_cannot_be_listed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster folder the system refuses to list is an error of the roster, exit 1, in both
    languages, with the roster's own hint (it was a bare "error: Permission denied: PATH" and
    exit 74, the code of an output that cannot be written); `now` then answers from the last
    valid roster of that path, exit 4."""
    folder = tmp_path / "rosters"
    folder.mkdir()
    (folder / "team.yaml").write_text(
        "people: {ana: {name: Ana}}\nteam: t\ntimezone: Europe/Paris\n"
        "levels:\n  - rotations: [{members: [ana], start: 2026-01-05 09:00, every: 1w}]\n",
        encoding="utf-8",
    )
    assert cli("now", "--rosters", str(folder)).code == 0  # a valid roster, recorded
    _refuse_listing(monkeypatch, folder)
    for command in ("check", "show"):
        run = cli(command, "--rosters", str(folder))
        assert run.code == 1
        assert run.stderr == f"{folder}: " + UNLISTABLE + "1 error: the roster was not used\n"
    french = cli("--lang", "fr", "check", "--rosters", str(folder))
    assert french.stderr == (
        f"{folder}: error: impossible de lire le dossier du planning\u00a0: Permission denied\n"
        "hint: vérifiez ses droits\u00a0: l’utilisateur qui lance astreinte doit pouvoir le "
        "lister\n1 erreur\u00a0: le planning n’a pas été utilisé\n"
    )
    stale = cli("now", "--rosters", str(folder), "--json")
    assert stale.code == 4
    assert stale.stderr.startswith(f"{folder}: " + UNLISTABLE)


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder whatever its mode")
def test_a_folder_of_mode_000(cli: Cli, tmp_path: Path) -> None:
    """The same with real permissions, where the suite runs as an ordinary user."""
    folder = tmp_path / "rosters"
    folder.mkdir()
    folder.chmod(0)
    try:
        run = cli("check", "--rosters", str(folder))
    finally:
        folder.chmod(0o700)
    assert run.code == 1
    assert run.stderr == f"{folder}: " + UNLISTABLE + "1 error: the roster was not used\n"


def test_folder_without_roster_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a roster\n", encoding="utf-8")
    run = cli("check", "--rosters", str(tmp_path))
    assert run.code == 1
    assert run.stderr == (
        f"{tmp_path}: error: no roster files here\n"
        + START_HERE
        + "1 error: the roster was not used\n"
    )
    french = cli("--lang", "fr", "check", "--rosters", str(tmp_path))
    assert french.stderr == (
        f"{tmp_path}: error: aucun fichier de planning ici\n"
        + START_HERE_FR
        + "1 erreur\u00a0: le planning n’a pas été utilisé\n"
    )


def test_long_line_is_shown_around_the_column(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("people:\n  alice: {name: " + "A" * 300 + ", phon: x}\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    (diagnostic,) = caught.value.diagnostics
    _, source, caret, _ = format_diagnostic(diagnostic).split("\n")
    assert source.startswith("    2 | …")
    assert len(source) < 220
    column = caret.index("^")
    assert source[column : column + 4] == "phon"
    assert caret.endswith("^^^^")


# --------------------------------------------------------------------------- the CLI

CLI_CASES = ["yaml_syntax", "binary_nul", "python_tag", "duplicate_person_files", "several_errors"]


@pytest.mark.usefixtures("in_corpus")
@pytest.mark.parametrize("name", CLI_CASES)
def test_check_prints_the_diagnostics(name: str, cli: Cli) -> None:
    expected = (INVALID / f"{name}.expected").read_text(encoding="utf-8")
    count = expected.count(": error: ")
    result = cli("check", "--rosters", _location(name))
    assert result.code == 1
    assert result.stdout == ""
    summary = f"{count} error{'s' if count != 1 else ''}: the roster was not used\n"
    assert result.stderr == expected + summary
    assert "Traceback" not in result.stdout + result.stderr
