"""``astreinte init``: a starter roster that passes ``check``, its schema, a .gitignore, a
contacts example and a CI workflow; existing files are refused unless --force."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from astreinte_cli.load import load_roster

if TYPE_CHECKING:
    from conftest import Cli

WRITTEN = [
    ".github/workflows/astreinte.yml",
    ".gitignore",
    "rosters/astreinte.yaml",
    "rosters/contacts.local.yaml.example",
    "schemas/roster.schema.json",
]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_init_writes_a_roster_that_passes_check(cli: Cli, tmp_path: Path) -> None:
    run = cli("init", str(tmp_path))
    assert run.code == 0, run.stderr
    assert _files(tmp_path) == WRITTEN
    roster = load_roster(tmp_path / "rosters")
    (team,) = roster.teams
    assert len(team.levels) == 2
    assert team.holidays is not None
    assert team.holidays.country == "FR"
    assert team.business_hours is not None
    check = cli("check", "--rosters", str(tmp_path / "rosters"), "--at", "2027-03-01")
    assert check.code == 0, check.stdout + check.stderr
    assert "0 errors, 0 warnings" in check.stdout
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == [
        "*.local.yaml",
        "*.local.yml",
    ]


def test_the_contacts_example_works_once_copied(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", str(tmp_path)).code == 0
    rosters = tmp_path / "rosters"
    (rosters / "contacts.local.yaml").write_text(
        (rosters / "contacts.local.yaml.example").read_text(encoding="utf-8"), encoding="utf-8"
    )
    roster = load_roster(rosters)
    assert roster.people["alice"].phone == "+33612345678"


def test_the_modeline_finds_the_schema(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", str(tmp_path)).code == 0
    first = (tmp_path / "rosters" / "astreinte.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/roster.schema.json"
    assert (tmp_path / "rosters" / "../schemas/roster.schema.json").is_file()
    assert cli("schema").stdout == (tmp_path / "schemas" / "roster.schema.json").read_text(
        encoding="utf-8"
    )


def test_the_workflow(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", str(tmp_path)).code == 0
    text = (tmp_path / ".github" / "workflows" / "astreinte.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    check, publish = workflow["jobs"]["check"], workflow["jobs"]["publish"]
    runs = [step.get("run", "") for step in check["steps"]]
    uses = [step.get("uses", "") for step in check["steps"] + publish["steps"]]
    assert check["steps"][0]["with"]["fetch-depth"] == 0
    assert "astreinte check --format github" in runs
    assert any('astreinte diff "origin/$BASE" --format markdown' in r for r in runs)
    assert "actions/github-script@v7" in uses
    assert "actions/upload-pages-artifact@v3" in uses
    assert "actions/deploy-pages@v4" in uses
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert "refs/heads/main" in publish["if"]
    steps = {step.get("name"): step for step in publish["steps"]}
    build = steps["Build the calendars"]
    assert build["run"].startswith('astreinte publish public --secret "$ASTREINTE_FEED_SECRET"')
    assert build["env"]["ASTREINTE_FEED_SECRET"] == "${{ secrets.ASTREINTE_FEED_SECRET }}"


def test_the_package_is_one_yaml_value(cli: Cli, tmp_path: Path) -> None:
    """--package goes into the workflow as one value, quoted when YAML needs it; a control
    character (a line feed would add a line to the workflow) is refused."""
    requirement = 'astreinte[route] @ git+https://example.org/a.git@v1 ; python_version >= "3.11"'
    for value in (requirement, "[x]: y #z"):
        target = tmp_path / str(len(value))
        assert cli("init", str(target), "--package", value).code == 0
        workflow = target / ".github" / "workflows" / "astreinte.yml"
        assert yaml.safe_load(workflow.read_text("utf-8"))["env"]["ASTREINTE_PACKAGE"] == value
    result = cli("init", str(tmp_path / "bad"), "--package", "x\ny: [")
    assert result.code == 2
    assert result.stderr.startswith("error: --package: the requirement has a control character")
    assert not (tmp_path / "bad").exists()


def test_a_loop_of_links_is_refused_not_crashed_on(cli: Cli, tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = cli("init", str(loop))
    assert result.code == 1
    assert result.stderr == (
        f"error: cannot write in {loop}: Too many levels of symbolic links\n"
        "hint: nothing was written; a link or a special file is never written through\n"
    )


def test_existing_files_are_kept_unless_force(cli: Cli, tmp_path: Path) -> None:
    roster = tmp_path / "rosters" / "astreinte.yaml"
    roster.parent.mkdir()
    roster.write_text("mine\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.pyc", encoding="utf-8")
    run = cli("init", str(tmp_path))
    assert run.code == 1
    assert f"{roster} exists" in run.stderr
    assert roster.read_text(encoding="utf-8") == "mine\n"
    assert _files(tmp_path) == [".gitignore", "rosters/astreinte.yaml"]
    forced = cli("init", str(tmp_path), "--force")
    assert forced.code == 0, forced.stderr
    assert roster.read_text(encoding="utf-8") != "mine\n"
    # A .gitignore is completed, never replaced.
    assert (tmp_path / ".gitignore").read_text(
        encoding="utf-8"
    ) == "*.pyc\n*.local.yaml\n*.local.yml\n"
    again = cli("init", str(tmp_path), "--force")
    assert again.code == 0
    assert (tmp_path / ".gitignore").read_text(
        encoding="utf-8"
    ) == "*.pyc\n*.local.yaml\n*.local.yml\n"


def test_init_in_the_current_folder(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("init").code == 0
    assert _files(tmp_path) == WRITTEN


def test_the_pre_commit_hook() -> None:
    hooks = yaml.safe_load(
        (Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text("utf-8")
    )
    assert hooks == [
        {
            "id": "astreinte-check",
            "name": "astreinte check",
            "description": hooks[0]["description"],
            "entry": "astreinte check",
            "language": "python",
            "files": r"\.ya?ml$",
            "pass_filenames": False,
        }
    ]


def test_the_templates_are_package_data() -> None:
    import tomllib

    root = Path(__file__).parents[1]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["astreinte_cli"]
    package = root / "astreinte_cli"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    needed = {
        *(package / "templates" / "init").iterdir(),
        package / "schemas" / "roster.schema.json",
    }
    assert needed <= shipped
    assert any(d.startswith("ruamel.yaml>=") for d in pyproject["project"]["dependencies"])
