"""Valid rosters load without a diagnostic: the example roster and ``tests/data/valid``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Cli

from astreinte_cli.load import load_roster

EXAMPLE = Path(__file__).parents[1] / "rosters"
VALID = Path(__file__).parent / "data" / "valid"


def test_example_roster_loads() -> None:
    roster = load_roster(EXAMPLE)
    assert [team.id for team in roster.teams] == ["exploitation", "support"]
    assert len(roster.people) == 10
    assert roster.files == tuple(str(EXAMPLE / name) for name in _example_files())
    # Personal numbers stay out of git: without contacts.local.yaml only work numbers are set.
    assert roster.people["alice"].phone is None
    assert roster.people["manager"].phone == "+33387550000"


def _example_files() -> list[str]:
    return ["exploitation.yaml", "interventions.yaml", "people.yaml", "support.yaml"]


def test_check_accepts_the_example_roster(cli: Cli) -> None:
    result = cli("check", "--rosters", str(EXAMPLE))
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "ok: 4 files, 2 teams, 10 people, 2 leave periods"
    assert any(line.strip().startswith("exploitation: 1 level, 1 rotation") for line in lines)
    assert any(line.strip().startswith("support: 2 levels, 3 rotations") for line in lines)


def test_contacts_local_example_sets_phones(tmp_path: Path) -> None:
    roster_dir = tmp_path / "rosters"
    shutil.copytree(EXAMPLE, roster_dir)
    shutil.copy(roster_dir / "contacts.local.yaml.example", roster_dir / "contacts.local.yaml")
    roster = load_roster(roster_dir)
    assert Path(roster.files[-1]).name == "contacts.local.yaml"  # read after the others
    phones = {pid: p.phone for pid, p in roster.people.items()}
    assert phones["alice"] == "+33612345678"
    assert phones["hugo"] == "+33789012345"
    assert phones["manager"] == "+33387550000"  # not in the local file: left as it was
    assert roster.people["alice"].email == "alice.martin@example.fr"
    assert roster.people["alice"].name == "Alice Martin"


@pytest.mark.parametrize("name", sorted(p.name for p in VALID.iterdir() if p.name[0] != "."))
def test_valid_data_loads(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VALID)
    roster = load_roster(Path(name))
    assert roster.teams


def test_file_with_a_byte_order_mark_loads() -> None:
    path = VALID / "bom.yaml"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    roster = load_roster(path)
    assert set(roster.people) == {"lea", "marc"}
    (team,) = roster.teams
    assert team.id == "astreinte-dsi"
    assert team.span.line == 5  # the BOM shifts neither lines nor columns
    assert team.span.column == 7


def test_split_roster_reads_the_local_file_last() -> None:
    roster = load_roster(VALID / "split")
    assert [Path(f).name for f in roster.files] == [
        "nuit.yaml",
        "people.yaml",
        "contacts.local.yaml",
    ]
    assert roster.people["nina"].phone == "+33611223344"
    assert roster.people["nina"].email == "nina.roux@example.fr"
    assert roster.people["paul"].email == "paul@example.fr"
    assert roster.people["omar"].phone is None


def test_leave_is_indexed_by_person_in_file_order(tmp_path: Path) -> None:
    """``Roster.leave_by_person``: each person's entries with their place in ``Roster.leave``,
    across files."""
    (tmp_path / "a.yaml").write_text(
        "people: {ana: {name: Ana}, ben: {name: Ben}}\n"
        "leave:\n"
        "  ana: [2027-01-04 .. 2027-01-05, 2027-03-01 .. 2027-03-02]\n"
        "  ben: 2027-02-01 .. 2027-02-02\n",
        encoding="utf-8",
    )
    (tmp_path / "b.yaml").write_text("leave:\n  ana: 2027-05-03 .. 2027-05-04\n", encoding="utf-8")
    roster = load_roster(tmp_path)
    leave = roster.leave
    assert [(item.person, Path(item.span.path).name, item.span.line) for item in leave] == [
        ("ana", "a.yaml", 3),
        ("ana", "a.yaml", 3),
        ("ben", "a.yaml", 4),
        ("ana", "b.yaml", 2),
    ]
    assert dict(roster.leave_by_person) == {
        "ana": ((0, leave[0]), (1, leave[1]), (3, leave[3])),
        "ben": ((2, leave[2]),),
    }
