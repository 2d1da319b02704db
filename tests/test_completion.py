"""Shell completion of team ids, person ids and level numbers: the callbacks called directly,
and Typer's completion protocol driven through environment variables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from astreinte_cli.cli.completion import complete_level, complete_person, complete_team

if TYPE_CHECKING:
    from conftest import Cli

WORLD = Path(__file__).parent / "data" / "cli" / "world"


@dataclass
class Context:
    """The part of a Click context completion reads."""

    params: dict[str, Any] = field(default_factory=dict)
    parent: Context | None = None


def test_teams_people_and_levels_from_rosters_option() -> None:
    ctx = Context({"rosters": WORLD})
    assert complete_team(ctx, "") == [("paris", "Paris"), ("montreal", "Montréal")]
    assert complete_team(ctx, "mo") == [("montreal", "Montréal")]
    assert complete_person(ctx, "") == [
        ("pia", "Pia Durand"),
        ("marc", "Marc Tremblay"),
        ("lea", "Léa Gagnon"),
    ]
    assert complete_person(ctx, "l") == [("lea", "Léa Gagnon")]
    assert complete_level(Context({"rosters": WORLD, "team": "paris"}), "") == [("1", "Level 1")]
    assert complete_level(ctx, "") == [("1", "paris: Level 1 / montreal: Level 1")]


def test_the_rosters_option_of_a_parent_context() -> None:
    ctx = Context({"team": ["montreal"]}, parent=Context({"rosters": str(WORLD)}))
    assert complete_level(ctx, "") == [("1", "Level 1")]


def test_environment_then_current_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASTREINTE_ROSTERS", str(WORLD))
    assert [v for v, _ in complete_team(Context(), "")] == ["paris", "montreal"]
    monkeypatch.delenv("ASTREINTE_ROSTERS")
    monkeypatch.chdir(tmp_path)
    assert complete_team(Context(), "") == []  # no ./rosters: nothing, no error
    (tmp_path / "rosters").mkdir()
    (tmp_path / "rosters" / "t.yaml").write_text(
        "team: ops\nlevels: [{name: Jour}, {name: Nuit}]\npeople: {ana: {}}\n", encoding="utf-8"
    )
    assert complete_team(Context(), "") == [("ops", "ops")]
    assert complete_level(Context(), "") == [("1", "Jour"), ("2", "Nuit")]
    assert complete_person(Context(), "") == [("ana", "ana")]


def test_a_roster_being_edited_still_completes(tmp_path: Path) -> None:
    """A file that is not YAML (yet) is skipped; odd shapes give nothing, never an error."""
    (tmp_path / "a.yaml").write_text("team: ops\nlevels: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("team: web\npeople: [ana, bob]\nlevels: 3\n", "utf-8")
    (tmp_path / "c.yaml").write_bytes(b"\xff\xfe")
    (tmp_path / "d.yaml").write_text("- just a list\n", encoding="utf-8")
    ctx = Context({"rosters": tmp_path})
    assert complete_team(ctx, "") == [("web", "web")]
    assert complete_person(ctx, "") == []
    assert complete_level(ctx, "") == []


def test_roster_text_reaches_the_shell_as_text(tmp_path: Path) -> None:
    """Completion reads the roster unvalidated: an id with a control character (an escape
    sequence that would retitle the terminal, a line feed that would make two candidates) is no
    candidate, and a name loses its control characters."""
    (tmp_path / "people.yaml").write_text(
        'people:\n  "\\e]0;PWNED\\a": {name: x}\n  "a\\nb": {name: y}\n'
        '  ok: {name: "O\\x1bK\\nZ"}\n',
        encoding="utf-8",
    )
    assert complete_person(Context({"rosters": tmp_path}), "") == [("ok", "OKZ")]


def test_completion_reads_files_as_the_loader_does(tmp_path: Path) -> None:
    """A link out of the roster folder is not followed (its target's ids are not offered), and
    a file over the size limit is skipped unread."""
    outside = tmp_path / "outside.yaml"
    outside.write_text("team: secret\npeople: {eve: {name: Eve}}\n", encoding="utf-8")
    folder = tmp_path / "rosters"
    folder.mkdir()
    (folder / "a.yaml").write_text("team: ops\n", encoding="utf-8")
    (folder / "leak.yaml").symlink_to(outside)
    with (folder / "big.yaml").open("wb") as stream:
        stream.truncate(3 << 30)
    ctx = Context({"rosters": folder})
    assert complete_team(ctx, "") == [("ops", "ops")]
    assert complete_person(ctx, "") == []


class Broken:
    @property
    def params(self) -> dict[str, Any]:
        raise RuntimeError("boom")

    parent = None


def test_a_completion_never_raises(tmp_path: Path) -> None:
    broken: Any = Broken()
    assert complete_team(broken, "") == []
    assert complete_person(broken, "") == []
    assert complete_level(broken, "") == []
    missing = Context({"rosters": tmp_path / "nowhere"})
    assert complete_team(missing, "") == []


# --------------------------------------------------------------------------- the protocol


def _bash(cli: Cli, line: str) -> list[str]:
    words = line.split(" ")
    run = cli(
        env={
            "_ASTREINTE_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
        }
    )
    assert run.code == 0, run.stderr
    return [word for word in run.stdout.splitlines() if word]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"astreinte now --rosters {WORLD} --team ", ["paris", "montreal"]),
        (f"astreinte show --rosters {WORLD} --team p", ["paris"]),
        (f"astreinte swap --rosters {WORLD} ", ["pia", "marc", "lea"]),
        (f"astreinte swap --rosters {WORLD} pia m", ["marc"]),
        (f"astreinte override add --rosters {WORLD} --who ", ["pia", "marc", "lea"]),
        (f"astreinte override add --rosters {WORLD} --team paris --level ", ["1"]),
        ("astreinte override add --rosters /nowhere --team ", []),
        # --person, wherever it is taken (it once completed nothing)
        (f"astreinte show --rosters {WORLD} --person ", ["pia", "marc", "lea"]),
        (f"astreinte show --rosters {WORLD} --person m", ["marc"]),
        (f"astreinte export ics --rosters {WORLD} --person l", ["lea"]),
        (f"astreinte export csv --rosters {WORLD} --person p", ["pia"]),
        (f"astreinte report --rosters {WORLD} --person p", ["pia"]),
        (f"astreinte --rosters {WORLD} show --person m", ["marc"]),  # --rosters first
    ],
)
def test_bash_completion_protocol(cli: Cli, line: str, expected: list[str]) -> None:
    assert _bash(cli, line) == expected


def test_zsh_completion_shows_names(cli: Cli) -> None:
    run = cli(
        env={
            "_ASTREINTE_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": f"astreinte override add --rosters {WORLD} --team ",
        }
    )
    assert run.code == 0
    assert '"paris":"Paris"' in run.stdout
    assert '"montreal":"Montréal"' in run.stdout


def test_the_environment_variable_in_the_protocol(cli: Cli) -> None:
    run = cli(
        env={
            "_ASTREINTE_COMPLETE": "complete_bash",
            "COMP_WORDS": "astreinte now --team ",
            "COMP_CWORD": "3",
            "ASTREINTE_ROSTERS": str(WORLD),
        }
    )
    assert run.stdout.splitlines() == ["paris", "montreal"]


def test_the_completion_script(cli: Cli) -> None:
    """What --install-completion writes and --show-completion prints, for bash."""
    run = cli(env={"_ASTREINTE_COMPLETE": "source_bash"})
    assert run.code == 0
    assert "_ASTREINTE_COMPLETE=complete_bash" in run.stdout
    assert "complete -o default -F" in run.stdout
