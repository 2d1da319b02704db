"""`astreinte check`: one hand-built roster per rule, with the exact report expected.

Each case is ``tests/data/check/NAME`` (a file or a folder) and ``NAME.expected``, the whole
stdout. Run with ``ASTREINTE_REWRITE_GOLDEN=1`` to rewrite the expected files after a
deliberate change of wording, then read the diff.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from gitrepo import Repo

if TYPE_CHECKING:
    from conftest import Cli

TESTS = Path(__file__).parent
DATA = TESTS / "data" / "check"
REWRITE = os.environ.get("ASTREINTE_REWRITE_GOLDEN") == "1"

# name → (horizon options, exit code)
CASES = {
    "gap.yaml": (["--at", "2027-01-04", "--to", "2027-01-11"], 1),
    "leave.yaml": (["--at", "2027-01-04 09:00", "--to", "2027-01-18 09:00"], 1),
    "double_booking": (["--at", "2027-01-04 09:00", "--to", "2027-01-11 09:00"], 1),
    "dead.yaml": (["--at", "2027-01-04 09:00", "--to", "2027-01-25 09:00"], 0),
    "consecutive.yaml": (["--at", "2027-01-04 09:00", "--to", "2027-01-25 09:00"], 1),
    "rest.yaml": (["--at", "2027-01-04", "--to", "2027-01-18"], 1),
    "share.yaml": (["--at", "2027-01-04 09:00", "--to", "2027-01-25 09:00"], 1),
    "no_holidays.yaml": (["--at", "2027-01-04", "--to", "2027-01-11"], 0),
    "order": (["--at", "2027-01-04", "--to", "2027-02-08"], 1),
    "overlap.yaml": (["--at", "2027-01-04 09:00", "--to", "2027-01-25 09:00"], 0),
    "compensation": (["--at", "2027-01-04", "--to", "2027-01-25"], 1),
    "one_member.yaml": (["--at", "2027-01-04"], 1),
}


@pytest.fixture
def in_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in the reports are relative to the repository's root."""
    monkeypatch.chdir(TESTS.parent)


@pytest.mark.usefixtures("in_repository")
@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_report(cli: Cli, name: str) -> None:
    options, code = CASES[name]
    result = cli("check", "--rosters", f"tests/data/check/{name}", *options)
    expected_file = DATA / (Path(name).stem + ".expected")
    if REWRITE:
        expected_file.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected_file.read_text(encoding="utf-8")
    assert result.stderr == ""
    assert result.code == code


@pytest.mark.usefixtures("in_repository")
def test_warnings_fail_only_with_strict(cli: Cli) -> None:
    options, _ = CASES["dead.yaml"]
    assert cli("check", "--rosters", "tests/data/check/dead.yaml", *options).code == 0
    strict = cli("check", "--rosters", "tests/data/check/dead.yaml", *options, "--strict")
    assert strict.code == 1


@pytest.mark.usefixtures("in_repository")
def test_json_lists_the_findings(cli: Cli, check_schema: Any) -> None:
    options, _ = CASES["leave.yaml"]
    result = cli("check", "--rosters", "tests/data/check/leave.yaml", *options, "--json")
    document = result.json()
    check_schema.validate(document)
    assert result.code == 1
    assert (document["errors"], document["warnings"], document["notes"]) == (2, 0, 0)
    assert document["from"] == "2027-01-04T09:00:00+01:00"
    first = document["findings"][0]
    assert first == {
        "rule": "leave",
        "severity": "error",
        "team": "leave",
        "file": "tests/data/check/leave.yaml",
        "line": 6,
        "column": 11,
        "message": "alice is on leave but on call at leave level 1 (rotation 'semaine') "
        "from Tue 5 Jan 00:00 to Thu 7 Jan 00:00",
        "hint": "swap the turn with an override, or set 'on_leave: next' on the team so that "
        "the next member of the rotation stands in",
        "start": "2027-01-05T00:00:00+01:00",
    }


@pytest.mark.usefixtures("in_repository")
def test_github_annotations(cli: Cli) -> None:
    options, _ = CASES["gap.yaml"]
    result = cli("check", "--rosters", "tests/data/check/gap.yaml", *options, "--format", "github")
    assert result.stdout.splitlines()[2] == (
        "::error file=tests/data/check/gap.yaml,line=9,col=5,title=astreinte gap::"
        "gap level 1 (Level 1) has nobody on call from Sat 9 Jan 00:00 to Mon 11 Jan 00:00 "
        "(Europe/Paris)%0Ahint: add a rotation member or an override for that time, or check "
        "the leave of the people it should fall to"
    )
    assert result.code == 1


@pytest.mark.usefixtures("in_repository")
def test_github_annotations_of_a_roster_that_does_not_load(cli: Cli, tmp_path: Path) -> None:
    """Errors that stop the roster from loading are annotations too, on the lines at fault
    (they were plain lines, which a pull request's diff does not show), and stay
    compiler-style on stderr with exit 1; an error about the folder itself names no line."""
    result = cli("check", "--rosters", "tests/data/invalid/bad_ring.yaml", "--format", "github")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0] == (
        "::error file=tests/data/invalid/bad_ring.yaml,line=7,col=11,title=astreinte roster::"
        "ring must be between 5 s and 120 s, not 3s%0Ahint: give a phone a few seconds to ring "
        "before the next step"
    )
    assert "\x1b" not in result.stdout  # the hostile value of line 19 is shown, not acting
    assert result.stderr.startswith(
        "tests/data/invalid/bad_ring.yaml:7:11: error: ring must be between 5 s and 120 s, not 3s\n"
    )
    empty = cli("check", "--rosters", str(tmp_path), "--format", "github")
    assert empty.code == 1
    assert empty.stdout.startswith(
        f"::error file={str(tmp_path).replace(':', '%3A')},title=astreinte roster::no roster "
        "files here%0Ahint: "
    )


@pytest.mark.usefixtures("in_repository")
@pytest.mark.parametrize("name", sorted(CASES))
def test_json_follows_the_schema(cli: Cli, check_schema: Any, name: str) -> None:
    """Every rule's findings as `check --json` writes them."""
    options, _ = CASES[name]
    result = cli("check", "--rosters", f"tests/data/check/{name}", *options, "--json")
    check_schema.validate(result.json())


def test_json_outside_git_follows_the_schema(
    cli: Cli, check_schema: Any, example_rosters: Path
) -> None:
    """Outside git, a note per team says the notice rule was not checked; the two
    interventions that interrupted a weekly rest are warned about (see test_report.py)."""
    result = cli("check", "--rosters", str(example_rosters), "--at", "2026-12-01", "--json")
    document = result.json()
    check_schema.validate(document)
    rules = sorted(f["rule"] for f in document["findings"])
    assert rules == ["notice", "notice", "weekly-rest", "weekly-rest"]


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (lambda d: d["findings"][0].update(rule="typo"), "an unknown rule"),
        (lambda d: d["findings"][0].update(severity="fatal"), "an unknown severity"),
        (lambda d: d["findings"][0].pop("hint"), "a finding without its hint"),
        (lambda d: d.update(at="2026-12-21 00:00"), "an instant without its offset"),
        (lambda d: d.update(extra=1), "a key the document does not have"),
    ],
)
def test_the_check_schema_rejects(
    cli: Cli, check_schema: Any, damage: Callable[[Any], object], where: str
) -> None:
    options, _ = CASES["leave.yaml"]
    document = cli("check", "--rosters", str(DATA / "leave.yaml"), *options, "--json").json()
    check_schema.validate(document)
    damage(document)
    assert list(check_schema.iter_errors(document)), where


def test_unknown_format_is_a_usage_error(cli: Cli) -> None:
    result = cli("check", "--rosters", str(DATA / "gap.yaml"), "--format", "xml")
    assert result.code == 2
    assert result.stderr == "error: unknown --format 'xml'\nhint: one of: text, json, github\n"


def test_outside_git_the_notice_rule_is_a_note(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "outside"
    folder.mkdir()
    text = (DATA / "consecutive.yaml").read_text(encoding="utf-8")
    (folder / "roster.yaml").write_text(text.replace("notice_days: off, ", ""), encoding="utf-8")
    monkeypatch.chdir(folder)
    result = cli(
        "check",
        "--rosters",
        "roster.yaml",
        "--at",
        "2027-01-04 09:00",
        "--to",
        "2027-01-11 09:00",
        env={"GIT_CEILING_DIRECTORIES": str(tmp_path)},
    )
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[2:] == [
        "roster.yaml:5:7: note: the notice rule was not checked for team 'consecutive': the "
        "roster is not in a git repository, so when each turn became known cannot be told",
        "    5 | team: consecutive",
        "      |       ^^^^^^^^^^^",
        "hint: keep the roster in git; or set 'rules: {notice_days: off}' to silence this",
        "check: 0 errors, 0 warnings, 1 note from 2027-01-04 09:00 to 2027-01-11 09:00 "
        "(Europe/Paris)",
    ]


def test_the_example_roster_passes(cli: Cli, example_rosters: Path) -> None:
    """The example roster has no error on 1 December 2026; its copy is outside git, so the
    notice rule is skipped with a note per team. Two of its call-outs interrupted a weekly
    rest that business hours resume in (warnings: Alice's Saturday night, Bob's Sunday
    morning; hand computations in test_rest.py)."""
    result = cli("check", "--rosters", str(example_rosters), "--at", "2026-12-01")
    assert result.code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "ok: 4 files, 2 teams, 10 people, 2 leave periods"
    assert lines[-1] == (
        "check: 0 errors, 2 warnings, 2 notes from 2026-12-01 00:00 to 2027-03-01 00:00 "
        "(Europe/Paris)"
    )


def test_the_example_roster_passes_in_its_repository(
    cli: Cli, example_rosters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a git repository the notice rule runs on the roster's history: here the example
    roster committed weeks ahead, then its interventions log added four days before --at."""
    repo = Repo(tmp_path / "repo")
    for path in sorted(example_rosters.iterdir()):
        if path.name != "interventions.yaml":
            shutil.copy(path, repo.rosters / path.name)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "the example roster", date="2026-11-02T10:00:00+01:00")
    shutil.copy(example_rosters / "interventions.yaml", repo.rosters / "interventions.yaml")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "interventions", date="2026-11-27T10:00:00+01:00")
    monkeypatch.chdir(repo.root)
    result = cli("check", "--at", "2026-12-01", env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("check: 0 errors, 2 warnings, 0 notes")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("notice_days: ten", "notice_days must be a whole number, not 'ten'"),
        ("min_rest_hours: 11h", "min_rest_hours must be a number of hours, not '11h'"),
        ("max_share: {days: 2}", "unknown key 'days' in 'max_share'"),
        ("notice: 15", "unknown key 'notice' in 'rules'"),
    ],
)
def test_bad_rules_are_roster_errors(cli: Cli, tmp_path: Path, rules: str, message: str) -> None:
    text = (DATA / "gap.yaml").read_text(encoding="utf-8")
    path = tmp_path / "roster.yaml"
    path.write_text(text.replace("rules: {notice_days: off}", f"rules: {{{rules}}}"), "utf-8")
    result = cli("check", "--rosters", str(path))
    assert result.code == 1
    assert f": error: {message}" in result.stderr


def test_rules_default_and_off(tmp_path: Path) -> None:
    from astreinte_cli.load import load_roster

    text = (DATA / "gap.yaml").read_text(encoding="utf-8")
    path = tmp_path / "roster.yaml"
    path.write_text(text.replace("rules: {notice_days: off}\n", ""), "utf-8")
    rules = load_roster(path).teams[0].rules
    # min_rest_hours: the daily rest of Code du travail L3131-1, checked unless turned off
    assert (rules.notice_days, rules.max_consecutive_turns, rules.min_rest_hours) == (
        15,
        None,
        11,
    )
    assert rules.notice_from == "git"
    assert rules.max_share is None
    path.write_text(text.replace("notice_days: off", "notice_days: null"), "utf-8")
    assert load_roster(path).teams[0].rules.notice_days is None


def test_expected_files_are_used() -> None:
    """Every expected file belongs to a case (a renamed case leaves no stale file)."""
    stems = {Path(name).stem for name in CASES}
    assert {p.stem for p in DATA.glob("*.expected")} == stems
    assert shutil.which("git") is not None


def test_a_relative_horizon_counts_from_at(cli: Cli, example_rosters: Path) -> None:
    # `--to +1d` is one day after --at, not after the machine's clock.
    result = cli(
        "check", "--rosters", str(example_rosters), "--at", "2026-12-01 12:00", "--to", "+1d"
    )
    assert result.code == 0, result.stderr
    assert "from 2026-12-01 12:00 to 2026-12-02 12:00" in result.stdout


@pytest.mark.usefixtures("in_repository")
def test_findings_come_in_order_of_time_in_every_format(cli: Cli, check_schema: Any) -> None:
    """Sorted by the instant each finding is about (the one about no instant first), then team
    and level, never by message text: "Sat 16 Jan" before "Sat 9 Jan" buried the first gap."""
    options, _ = CASES["order"]
    rosters = "tests/data/check/order"
    document = cli("check", "--rosters", rosters, *options, "--json").json()
    check_schema.validate(document)
    found = [(f["start"], f["team"], f["line"], f["rule"]) for f in document["findings"]]
    assert found[:6] == [
        (None, "b", 3, "no-holidays"),
        ("2027-01-09T00:00:00+01:00", "a", 15, "gap"),  # level 1
        ("2027-01-09T00:00:00+01:00", "a", 18, "gap"),  # level 2
        ("2027-01-09T00:00:00+01:00", "b", 7, "gap"),
        ("2027-01-13T00:00:00+01:00", "a", 9, "leave"),
        ("2027-01-16T00:00:00+01:00", "a", 15, "gap"),
    ]
    starts = [f["start"] for f in document["findings"][1:]]
    assert starts == sorted(starts)
    assert starts[-1] == "2027-02-06T00:00:00+01:00"

    def located(line: str) -> str:
        return line.split(": ", 1)[0]

    text = cli("check", "--rosters", rosters, *options).stdout.splitlines()
    github = cli("check", "--rosters", rosters, *options, "--format", "github").stdout
    expected = [f"{f['file']}:{f['line']}:{f['column']}" for f in document["findings"]]
    assert [located(line) for line in text if line.startswith(rosters)] == expected
    annotations = [line for line in github.splitlines() if line.startswith("::")]
    assert [
        "{}:{}:{}".format(*(part.split("=")[1] for part in a.split(",")[:3])) for a in annotations
    ] == expected
    messages = [line for line in text if line.startswith(rosters)]
    assert "from Sat 9 Jan" in messages[1]
    assert "from Sat 6 Feb" in messages[-1]
