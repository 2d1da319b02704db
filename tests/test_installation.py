"""Where astreinte was installed from, for the CI workflow `astreinte init` writes: it once
installed ``astreinte==0.1.0``, which no index has, and failed on its first run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from astreinte_cli.installation import PLACEHOLDER, fetchable, requirement, run_git

if TYPE_CHECKING:
    from conftest import Cli

SHA = "0123456789abcdef0123456789abcdef01234567"


def _git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
         "-c", "commit.gpgsign=false", *args],
        cwd=folder, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of astreinte as a developer has it: a commit, and GitHub as its origin."""
    folder = tmp_path / "astreinte"
    folder.mkdir()
    _git(folder, "init", "-q", "-b", "main")
    (folder / "README.md").write_text("astreinte\n", encoding="utf-8")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "first")
    _git(folder, "remote", "add", "origin", "https://github.com/acme/astreinte.git")
    return folder


def _pushed(folder: Path) -> None:
    """What `git fetch` leaves after a push: origin's branch at HEAD, and origin's HEAD."""
    _git(folder, "update-ref", "refs/remotes/origin/main", "HEAD")
    _git(folder, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, "astreinte==0.1.0"),  # from an index
        (
            {"url": "https://github.com/acme/astreinte.git",
             "vcs_info": {"vcs": "git", "commit_id": SHA, "requested_revision": "main"}},
            f"git+https://github.com/acme/astreinte.git@{SHA}",
        ),
        (
            {"url": "ssh://git@github.com/acme/astreinte.git",
             "vcs_info": {"vcs": "git", "commit_id": SHA}},
            f"git+https://github.com/acme/astreinte.git@{SHA}",
        ),
        (
            {"url": "https://files.example.org/astreinte-0.1.0.tar.gz",
             "archive_info": {"hashes": {}}},
            "https://files.example.org/astreinte-0.1.0.tar.gz",
        ),
        ({"url": "file:///tmp/astreinte-0.1.0.tar.gz", "archive_info": {}}, None),
        ({"url": "/somewhere", "vcs_info": {"vcs": "git", "commit_id": SHA}}, None),
    ],
)  # fmt: skip
def test_what_pip_recorded(direct_url: dict[str, object] | None, expected: str | None) -> None:
    assert requirement(direct_url, "0.1.0", run_git) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/astreinte.git", "https://github.com/acme/astreinte.git"),
        ("git@github.com:acme/astreinte.git", "https://github.com/acme/astreinte.git"),
        ("ssh://git@gitlab.example.org:2222/ops/astreinte", "https://gitlab.example.org/ops/astreinte"),
        ("https://token@github.com/acme/astreinte", "https://github.com/acme/astreinte"),
        ("file:///srv/git/astreinte", None),
        ("/srv/git/astreinte", None),
        ("", None),
    ],
)  # fmt: skip
def test_fetchable_addresses(url: str, expected: str | None) -> None:
    assert fetchable(url) == expected


def test_a_clone_whose_commit_is_pushed(clone: Path) -> None:
    _pushed(clone)
    head = _git(clone, "rev-parse", "HEAD")
    found = requirement({"url": clone.as_uri(), "dir_info": {"editable": True}}, "0.1.0", run_git)
    assert found == f"git+https://github.com/acme/astreinte.git@{head}"


def test_a_clone_with_a_local_commit_follows_the_default_branch(clone: Path) -> None:
    _pushed(clone)
    (clone / "notes.txt").write_text("not pushed\n", encoding="utf-8")
    _git(clone, "add", "-A")
    _git(clone, "commit", "-q", "-m", "local")
    found = requirement({"url": clone.as_uri(), "dir_info": {}}, "0.1.0", run_git)
    assert found == "git+https://github.com/acme/astreinte.git@main"


def test_a_clone_without_a_remote_cannot_be_installed_elsewhere(clone: Path) -> None:
    _git(clone, "remote", "remove", "origin")
    assert requirement({"url": clone.as_uri(), "dir_info": {}}, "0.1.0", run_git) is None


def _workflow(folder: Path) -> dict[str, object]:
    text = (folder / ".github" / "workflows" / "astreinte.yml").read_text(encoding="utf-8")
    loaded: dict[str, object] = yaml.safe_load(text)
    return loaded


def test_init_writes_the_requirement_and_every_job_installs_it(cli: Cli, tmp_path: Path) -> None:
    package = f"git+https://github.com/acme/astreinte@{SHA}"
    run = cli("init", str(tmp_path), "--package", package)
    assert run.code == 0, run.stderr
    workflow = _workflow(tmp_path)
    assert workflow["env"] == {"ASTREINTE_PACKAGE": package}
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    for job in jobs.values():
        installs = [s["run"] for s in job["steps"] if "pip install" in s.get("run", "")]
        assert len(installs) == 1
        assert installs[0].endswith('pip install "$ASTREINTE_PACKAGE"\n')
        assert "astreinte==" not in installs[0]
    assert f"CI installs {package} (ASTREINTE_PACKAGE in " in run.stdout


def test_init_without_a_known_source_says_what_to_set(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The placeholder stays, the run says to set it, and the workflow's install step stops
    with an annotation naming the variable rather than a git authentication error."""
    monkeypatch.setattr("astreinte_cli.installation.installed_requirement", lambda: None)
    run = cli("init", str(tmp_path))
    assert run.code == 0, run.stderr
    assert _workflow(tmp_path)["env"] == {"ASTREINTE_PACKAGE": PLACEHOLDER}
    assert "warning: set ASTREINTE_PACKAGE at the top of" in run.stdout
    jobs = _workflow(tmp_path)["jobs"]
    assert isinstance(jobs, dict)
    step = next(s for s in jobs["check"]["steps"] if "pip install" in s.get("run", ""))
    script = step["run"]
    stopped = subprocess.run(
        ["bash", "-c", script.replace('pip install "$ASTREINTE_PACKAGE"', "echo installing")],
        env={**os.environ, "ASTREINTE_PACKAGE": PLACEHOLDER},
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert stopped.returncode == 1
    assert stopped.stdout.startswith(
        "::error file=.github/workflows/astreinte.yml::ASTREINTE_PACKAGE names no repository"
    )
    going = subprocess.run(
        ["bash", "-c", script.replace('pip install "$ASTREINTE_PACKAGE"', "echo installing")],
        env={**os.environ, "ASTREINTE_PACKAGE": f"git+https://github.com/acme/astreinte@{SHA}"},
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    assert (going.returncode, going.stdout) == (0, "installing\n")


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, "astreinte==9.9.9"),
        (
            '{"url": "https://github.com/acme/astreinte", "vcs_info": {"vcs": "git", '
            f'"commit_id": "{SHA}"}}}}',
            f"git+https://github.com/acme/astreinte@{SHA}",
        ),
        ("not json", None),
    ],
)
def test_the_installed_distribution_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_url: str | None, expected: str | None
) -> None:
    """As pip leaves it: a dist-info folder with METADATA and, unless from an index,
    direct_url.json."""
    from astreinte_cli.installation import installed_requirement

    info = tmp_path / "astreinte-9.9.9.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: astreinte\nVersion: 9.9.9\n", encoding="utf-8"
    )
    if direct_url is not None:
        (info / "direct_url.json").write_text(direct_url, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_requirement() == expected
