"""Shared test setup: Hypothesis profiles, and fixtures for the CLI tests (below).

Hypothesis runs the "dev" profile by default, "ci" when the environment variable CI is set;
``HYPOTHESIS_PROFILE`` picks one explicitly. Each profile also fixes how many examples the
loader fuzz test runs (:data:`FUZZ_EXAMPLES`): it is the suite's longest property, so it gets
its own number rather than the profile's default.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=500,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)

# Examples of tests/test_fuzz_loader.py: the full count in CI, where time is budgeted for it;
# fewer in everyday runs.
FUZZ_EXAMPLES = {"ci": 2000, "dev": 300}.get(PROFILE, 300)

# Examples of tests/test_compiler_reference.py (compiler vs brute-force reference, minute by
# minute); HYPOTHESIS_EXAMPLES overrides it for a longer local run.
REFERENCE_EXAMPLES = int(
    os.environ.get("HYPOTHESIS_EXAMPLES") or {"ci": 2000, "dev": 200}.get(PROFILE, 200)
)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English (the expected outputs are English) and leaves it so, even
    after a test that ran the CLI with ``--lang fr``; the developer's locale variables are
    removed so that an ``astreinte`` run in a subprocess speaks English too."""
    from astreinte_cli.i18n import set_language

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def roster_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster cache (astreinte_cli/load/cache.py) and the last valid rosters
    (load/last_valid.py) of CLI runs go to folders of the test session, shared by its tests,
    never to the developer's ``~/.cache`` and ``~/.local/state``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-state"))
    monkeypatch.delenv("ASTREINTE_CACHE", raising=False)


# --------------------------------------------------------------------------- CLI tests

TESTS = Path(__file__).parent


@dataclass(frozen=True)
class CliRun:
    """One run of the CLI: its exit code, with stdout and stderr kept apart."""

    code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        return json.loads(self.stdout)


Cli = Callable[..., CliRun]


@pytest.fixture
def cli() -> Cli:
    """Runs ``astreinte ARGS…`` in-process on an 80-column, colourless terminal.

    Click ≥ 8.2 keeps ``stdout`` and ``stderr`` apart (its ``output`` mixes them)."""
    from typer.testing import CliRunner

    from astreinte_cli.cli.app import app

    runner = CliRunner()

    def run(*args: str, env: Mapping[str, str | None] | None = None) -> CliRun:
        environment: dict[str, str | None] = {
            "COLUMNS": "80",
            "LINES": "50",
            "ASTREINTE_ROSTERS": None,
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
            "TTY_INTERACTIVE": None,
            # English whatever the developer's locale: expected outputs are English
            "LC_ALL": None,
            "LC_MESSAGES": None,
            "LANG": None,
        }
        environment.update(env or {})
        result = runner.invoke(app, list(args), env=environment)
        return CliRun(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


@pytest.fixture(scope="session")
def example_rosters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``rosters/`` without ``*.local.yaml``: a developer's own contacts file (which
    git ignores) must not change what the tests see."""
    target = tmp_path_factory.mktemp("example") / "rosters"
    target.mkdir()
    for path in sorted((TESTS.parent / "rosters").iterdir()):
        local = path.name.endswith((".local.yaml", ".local.yml"))
        if path.suffix in (".yaml", ".yml") and not local:
            shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def cli_data() -> Path:
    """Rosters written for the CLI tests."""
    return TESTS / "data" / "cli"


def _validator(name: str) -> Any:
    from importlib.resources import files

    import jsonschema

    schema = json.loads((files("astreinte_cli") / "schemas" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def now_schema() -> Any:
    """Validator of ``astreinte_cli/schemas/now.schema.json``."""
    return _validator("now.schema.json")


@pytest.fixture(scope="session")
def show_schema() -> Any:
    """Validator of ``astreinte_cli/schemas/show.schema.json``."""
    return _validator("show.schema.json")


@pytest.fixture(scope="session")
def check_schema() -> Any:
    """Validator of ``astreinte_cli/schemas/check.schema.json``."""
    return _validator("check.schema.json")


@pytest.fixture(scope="session")
def diff_schema() -> Any:
    """Validator of ``astreinte_cli/schemas/diff.schema.json``."""
    return _validator("diff.schema.json")
