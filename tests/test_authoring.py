"""``astreinte override add`` and ``astreinte swap``: the entry is spliced into the team's file
(every other byte kept), the whole roster is loaded with it before anything is written, and
what it changes in the timeline is printed."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from astreinte_cli.authoring import (
    EditError,
    OverrideEntry,
    add_overrides,
    write_atomically,
    written_instant,
)
from astreinte_cli.compile import compile_team
from astreinte_cli.load import load_roster

if TYPE_CHECKING:
    from conftest import Cli

PARIS = ZoneInfo("Europe/Paris")
OPS = """\
# Ops team: one file, two levels.
people:
  ana: {name: Ana Roux}    # week 1
  bob: {name: Bob Roux}
  cyd: {name: Cyd Roux}

team: ops
timezone: Europe/Paris
levels:
  - name: Primary
    rotations:
      - members: [ana, bob]     # weekly, from Monday 5 January
        start: 2026-01-05 09:00
  - name: Secondary
    rotations:
      - members: [cyd]
"""
ADD = (
    "--team", "ops", "--level", "1", "--who", "cyd",
    "--from", "2026-01-07 18:00", "--to", "2026-01-08 09:00", "--at", "2026-01-01",
)  # fmt: skip
ENTRY = "  - level: 1\n    who: cyd\n    from: 2026-01-07 18:00\n    to: 2026-01-08 09:00\n"


def _roster(tmp_path: Path, text: str = OPS, name: str = "ops.yaml") -> Path:
    folder = tmp_path / "rosters"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def _only_insertions(old: str, new: str) -> list[str]:
    """The lines ``new`` adds to ``old``; fails if anything of ``old`` changed."""
    matcher = difflib.SequenceMatcher(None, old.splitlines(True), new.splitlines(True), False)
    inserted = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), (tag, new)
        if tag == "insert":
            inserted += new.splitlines(True)[j1:j2]
    return inserted


# --------------------------------------------------------------------------- override add


@pytest.mark.parametrize("command", ["override", "swap"])
def test_a_reason_with_a_control_character_is_refused_before_anything(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    """It was reported as a roster error at a line of a file that is never written."""
    folder = _roster(tmp_path)
    before = (folder / "ops.yaml").read_text(encoding="utf-8")
    arguments = (
        ["override", "add", *ADD]
        if command == "override"
        else ["swap", "ana", "cyd", "--from", "2026-01-07", "--to", "2026-01-08"]
    )
    run = cli(*arguments, "--rosters", str(folder), "--reason", "dentist\nsee: Bob")
    assert run.code == 2
    assert run.stderr == (
        "error: --reason: the text has a control character (U+000A)\n"
        "hint: write the reason on one line\n"
    )
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == before


def test_a_file_without_overrides_gets_one(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    run = cli("override", "add", "--rosters", str(folder), *ADD, "--reason", "ana: dentist")
    assert run.code == 0, run.stderr
    new = (folder / "ops.yaml").read_text(encoding="utf-8")
    assert new == OPS + "overrides:\n" + ENTRY + "    reason: 'ana: dentist'\n"
    assert "ana loses level 1 from Wed 7 Jan 18:00 to Thu 8 Jan 09:00, giving it to cyd" in (
        run.stdout
    )
    assert "cyd gains level 1 from Wed 7 Jan 18:00 to Thu 8 Jan 09:00, taking it from ana" in (
        run.stdout
    )
    assert "[breaks the 15-day notice]" in run.stdout
    assert f"wrote {folder / 'ops.yaml'}" in run.stdout
    (team,) = load_roster(folder).teams
    assert team.overrides[0].reason == "ana: dentist"


def test_the_example_roster_keeps_every_byte(cli: Cli, tmp_path: Path) -> None:
    """Comments, blank lines, quotes, flow mappings and block scalars stay as they were."""
    folder = tmp_path / "rosters"
    shutil.copytree(Path(__file__).parents[1] / "rosters", folder)
    for local in folder.glob("*.local.yaml"):
        local.unlink()
    old = (folder / "support.yaml").read_text(encoding="utf-8")
    run = cli(
        "override", "add", "--rosters", str(folder), "--team", "support", "--level", "2",
        "--who", "david", "--replaces", "alice", "--from", "2026-12-07 18:00",
        "--to", "2026-12-08 09:00", "--reason", "échange", "--exceptional", "--at", "2026-12-01",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    new = (folder / "support.yaml").read_text(encoding="utf-8")
    assert _only_insertions(old, new) == [
        "  - level: 2\n",
        "    who: david\n",
        "    replaces: alice\n",
        "    from: 2026-12-07 18:00\n",
        "    to: 2026-12-08 09:00\n",
        "    reason: échange\n",
        "    exceptional: true\n",
    ]
    assert "alice loses level 2 from Mon 7 Dec 18:00 to Tue 8 Dec 09:00, giving it to david" in (
        run.stdout
    )
    (team,) = (t for t in load_roster(folder).teams if t.id == "support")
    assert team.overrides[-1].exceptional


BLOCK = "overrides:\n  - level: 2\n    who: cyd\n    from: 2026-01-01\n    to: 2026-01-02\n"
STYLES = [
    pytest.param(
        BLOCK + "# the end\n",
        BLOCK + ENTRY + "# the end\n",
        id="block",
    ),
    pytest.param(
        "overrides:\n- {level: 2, who: cyd, from: 2026-01-01, to: 2026-01-02}  # xmas\n",
        "overrides:\n- {level: 2, who: cyd, from: 2026-01-01, to: 2026-01-02}  # xmas\n"
        "- {level: 1, who: cyd, from: 2026-01-07 18:00, to: 2026-01-08 09:00}\n",
        id="block-of-flow-mappings",
    ),
    pytest.param(
        "overrides: [{level: 2, who: cyd, from: 2026-01-01, to: 2026-01-02}]  # one line\n",
        "overrides: [{level: 2, who: cyd, from: 2026-01-01, to: 2026-01-02}, "
        "{level: 1, who: cyd, from: 2026-01-07 18:00, to: 2026-01-08 09:00}]  # one line\n",
        id="flow",
    ),
    pytest.param(
        "overrides: [\n    {level: 2, who: cyd, from: 2026-01-01, to: 2026-01-02},\n]\n",
        "overrides: [\n    {level: 2, who: cyd, from: 2026-01-01, to: 2026-01-02},\n"
        "    {level: 1, who: cyd, from: 2026-01-07 18:00, to: 2026-01-08 09:00},\n]\n",
        id="flow-multi-line",
    ),
    pytest.param(
        "overrides: []   # none yet\n",
        "overrides: [{level: 1, who: cyd, from: 2026-01-07 18:00, to: 2026-01-08 09:00}]"
        "   # none yet\n",
        id="flow-empty",
    ),
]


@pytest.mark.parametrize(("before", "after"), STYLES)
def test_overrides_lists_of_every_style(cli: Cli, tmp_path: Path, before: str, after: str) -> None:
    folder = _roster(tmp_path, OPS + before)
    run = cli("override", "add", "--rosters", str(folder), *ADD)
    assert run.code == 0, run.stderr
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == OPS + after
    (team,) = load_roster(folder).teams
    assert team.overrides[-1].who == ("cyd",)
    assert team.overrides[-1].level == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--who", "zoe"), "ops.yaml:19:10: error: unknown person 'zoe' in who"),
        (("--level", "9"), "ops.yaml:18:12: error: level 9 does not exist"),
        (("--replaces", "cyd"), "error: 'cyd' is in none of the rotations of level 1"),
    ],
)
def test_an_invalid_request_changes_nothing(
    cli: Cli, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    folder = _roster(tmp_path)
    before = (folder / "ops.yaml").read_bytes()
    args = list(ADD)
    if change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args += change
    run = cli("override", "add", "--rosters", str(folder), *args)
    assert run.code == 1
    assert message in run.stderr
    assert "nothing was written" in run.stderr
    assert (folder / "ops.yaml").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["ops.yaml"]  # no temporary file left


def test_usage_errors(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    before = (folder / "ops.yaml").read_bytes()
    args = ["override", "add", "--rosters", str(folder), "--team", "ops", "--who", "cyd"]
    backwards = cli(*args, "--level", "1", "--from", "2026-01-08", "--to", "2026-01-07")
    assert backwards.code == 2
    assert "--to must be after --from" in backwards.stderr
    no_level = cli(*args, "--from", "2026-01-07", "--to", "2026-01-08")
    assert no_level.code == 2
    assert "which level?" in no_level.stderr
    no_team = cli(*args[:-4], "--who", "cyd", "--team", "opz", "--level", "1",
                  "--from", "2026-01-07", "--to", "2026-01-08")  # fmt: skip
    assert no_team.code == 2
    assert "did you mean 'ops'?" in no_team.stderr
    assert (folder / "ops.yaml").read_bytes() == before


def test_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    run = cli("override", "add", "--rosters", str(folder), *ADD, "--dry-run")
    assert run.code == 0, run.stderr
    assert "+  - level: 1" in run.stdout
    assert "dry run: nothing was written" in run.stdout
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == OPS


def test_a_single_file_roster_with_crlf_and_bom(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ops.yaml"
    old = ("\ufeff" + OPS).replace("\n", "\r\n")
    path.write_text(old, encoding="utf-8", newline="")
    run = cli("override", "add", "--rosters", str(path), *ADD)
    assert run.code == 0, run.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# Ops team")
    assert raw.decode("utf-8") == old + ("overrides:\n" + ENTRY).replace("\n", "\r\n")


def test_several_people_and_a_level_name(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    args = list(ADD)
    args[args.index("--level") + 1] = "Primary"
    args[args.index("--who") + 1] = "cyd,bob"
    run = cli("override", "add", "--rosters", str(folder), *args)
    assert run.code == 0, run.stderr
    text = (folder / "ops.yaml").read_text(encoding="utf-8")
    assert text.endswith("  - level: Primary\n    who: [cyd, bob]\n" + ENTRY.split("\n", 2)[2])


# --------------------------------------------------------------------------- swap


def test_swap_two_weeks(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    run = cli(
        "swap", "ana", "bob", "--rosters", str(folder),
        "--from", "2026-01-05 09:00", "--to", "2026-01-19 09:00", "--at", "2025-12-01",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    text = (folder / "ops.yaml").read_text(encoding="utf-8")
    assert text == OPS + (
        "overrides:\n"
        "  - level: 1\n    who: bob\n    replaces: ana\n"
        "    from: 2026-01-05 09:00\n    to: 2026-01-12 09:00\n    reason: swap ana ↔ bob\n"
        "  - level: 1\n    who: ana\n    replaces: bob\n"
        "    from: 2026-01-12 09:00\n    to: 2026-01-19 09:00\n    reason: swap ana ↔ bob\n"
    )
    roster = load_roster(folder)
    start = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
    timeline = compile_team(roster, roster.teams[0], start, start + dt.timedelta(days=21))
    primary = timeline.levels[0]
    week = dt.timedelta(weeks=1)
    assert primary.at(start + dt.timedelta(days=1)).who == ("bob",)
    assert primary.at(start + dt.timedelta(days=1) + week).who == ("ana",)
    assert primary.at(start + dt.timedelta(days=1) + 2 * week).who == ("ana",)  # after: as before
    assert "ana loses level 1 from Mon 5 Jan 09:00 to Mon 12 Jan 09:00, giving it to bob" in (
        run.stdout
    )


def test_swap_with_nobody_on_call(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    run = cli("swap", "ana", "bob", "--rosters", str(folder),
              "--from", "2025-01-05", "--to", "2025-01-19", "--at", "2024-12-01")  # fmt: skip
    assert run.code == 2
    assert "nothing to swap" in run.stderr
    unknown = cli("swap", "ana", "bbo", "--rosters", str(folder),
                  "--from", "2026-01-05", "--to", "2026-01-19")  # fmt: skip
    assert unknown.code == 2
    assert "did you mean 'bob'?" in unknown.stderr
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == OPS


def test_a_swap_entirely_in_the_past_is_refused_unless_allowed(cli: Cli, tmp_path: Path) -> None:
    """History is what the monthly report pays: a swap that ends before --at rewrites it, so it
    takes --allow-past (a correction); a period that reaches the future is an ordinary swap."""
    folder = _roster(tmp_path)
    period = ("--from", "2026-01-05 09:00", "--to", "2026-01-19 09:00")
    run = cli("swap", "ana", "bob", "--rosters", str(folder), *period, "--at", "2026-01-19 09:00")
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr == (
        "error: the swap from Mon 5 Jan 09:00 to Mon 19 Jan 09:00 is entirely in the past "
        "(before Mon 19 Jan 09:00)\n"
        "hint: who was on call then is what the monthly report pays; to correct that record, "
        "run the command again with --allow-past\n"
    )
    french = cli(
        "--lang", "fr", "swap", "ana", "bob", "--rosters", str(folder), *period,
        "--at", "2026-02-01",
    )  # fmt: skip
    assert french.code == 2
    assert french.stderr == (
        "error: l’échange du lundi 5 janvier, 09:00 au lundi 19 janvier, 09:00 est entièrement "
        "dans le passé (avant le dimanche 1 février, 00:00)\n"
        "hint: qui était d’astreinte alors, c’est ce que paie le relevé mensuel\u00a0; pour "
        "corriger ce relevé, relancez la commande avec --allow-past\n"
    )
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == OPS
    partly = cli("swap", "ana", "bob", "--rosters", str(folder), *period, "--at", "2026-01-19",
                 "--dry-run")  # fmt: skip
    assert partly.code == 0, partly.stderr
    allowed = cli(
        "swap", "ana", "bob", "--rosters", str(folder), *period, "--at", "2026-02-01",
        "--allow-past",
    )  # fmt: skip
    assert allowed.code == 0, allowed.stderr
    assert "replaces: ana" in (folder / "ops.yaml").read_text(encoding="utf-8")


def test_an_override_entirely_in_the_past_is_refused_unless_allowed(
    cli: Cli, tmp_path: Path
) -> None:
    folder = _roster(tmp_path)
    past = (*ADD[:-1], "2026-01-08 09:00")  # --at: the override's end
    run = cli("override", "add", "--rosters", str(folder), *past)
    assert run.code == 2
    assert run.stderr == (
        "error: the override from Wed 7 Jan 18:00 to Thu 8 Jan 09:00 is entirely in the past "
        "(before Thu 8 Jan 09:00)\n"
        "hint: who was on call then is what the monthly report pays; to correct that record, "
        "run the command again with --allow-past\n"
    )
    french = cli("--lang", "fr", "override", "add", "--rosters", str(folder), *past)
    assert french.stderr.startswith(
        "error: la dérogation du mercredi 7 janvier, 18:00 au jeudi 8 janvier, 09:00 est "
        "entièrement dans le passé (avant le jeudi 8 janvier, 09:00)\n"
    )
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == OPS
    allowed = cli("override", "add", "--rosters", str(folder), *past, "--allow-past")
    assert allowed.code == 0, allowed.stderr
    assert (folder / "ops.yaml").read_text(encoding="utf-8") == OPS + "overrides:\n" + ENTRY


WEEK = ("--from", "2026-01-05 09:00", "--to", "2026-01-12 09:00", "--dry-run")
FOR_EXCEPTIONAL = (
    "warning: this breaks the notice rule; 'astreinte check' will report it (use --exceptional "
    "for a change made for exceptional circumstances)"
)
NO_JOUR_FRANC = (
    "warning: this breaks the notice rule even for an exceptional change, which needs one whole "
    "day (jour franc) between the day it is made and the day it starts (so a start on Tue 6 Jan "
    "00:00 at the earliest); 'astreinte check' will report it"
)


@pytest.mark.parametrize(
    ("at", "options", "warning"),
    [
        ("2026-01-01", (), FOR_EXCEPTIONAL),  # a jour franc between: --exceptional would do
        ("2026-01-01", ("--exceptional",), None),
        ("2026-01-04", (), NO_JOUR_FRANC),  # --exceptional would not do
        ("2026-01-04", ("--exceptional",), NO_JOUR_FRANC),  # once hinted "use --exceptional"
    ],
)
def test_the_notice_warning_fits_the_case(
    cli: Cli, tmp_path: Path, at: str, options: tuple[str, ...], warning: str | None
) -> None:
    folder = _roster(tmp_path)
    run = cli("swap", "ana", "bob", "--rosters", str(folder), *WEEK, "--at", at, *options)
    assert run.code == 0, run.stderr
    found = [line for line in run.stdout.splitlines() if line.startswith("warning:")]
    assert found == ([warning] if warning else [])


def test_the_notice_warning_in_french(cli: Cli, tmp_path: Path) -> None:
    folder = _roster(tmp_path)
    run = cli("--lang", "fr", "swap", "ana", "bob", "--rosters", str(folder), *WEEK,
              "--at", "2026-01-04", "--exceptional")  # fmt: skip
    assert run.stdout.splitlines()[-2] == (
        "attention\u00a0: cela enfreint la règle de prévenance, même pour un changement "
        "exceptionnel, qui demande un jour franc entre le jour où il est fait et celui où il "
        "commence (donc un début au plus tôt le mardi 6 janvier, 00:00)\u00a0; 'astreinte "
        "check' le signalera"
    )
    earlier = cli("--lang", "fr", "swap", "ana", "bob", "--rosters", str(folder), *WEEK,
                  "--at", "2026-01-01")  # fmt: skip
    assert earlier.stdout.splitlines()[-2] == (
        "attention\u00a0: cela enfreint la règle de prévenance\u00a0; 'astreinte check' le "
        "signalera (utilisez --exceptional pour un changement dû à des circonstances "
        "exceptionnelles)"
    )


# --------------------------------------------------------------------------- pieces


def test_written_instants_name_the_same_instant() -> None:
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30+02:00, first occurrence
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30+01:00, second
    assert written_instant(first, PARIS) == "2026-10-25 02:30"
    assert written_instant(second, PARIS) == "2026-10-25T02:30+01:00"
    assert written_instant(dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC), PARIS) == "2026-01-05 09:00"


def test_a_flow_mapping_file_is_refused() -> None:
    entry = OverrideEntry(1, ("a",), "2026-01-01", "2026-01-02")
    with pytest.raises(EditError, match="not a block mapping"):
        add_overrides("{team: t, timezone: UTC}\n", [entry])
    with pytest.raises(EditError, match="not a list"):
        add_overrides("team: t\noverrides:\n", [entry])


def test_write_atomically(tmp_path: Path) -> None:
    path = tmp_path / "ops.yaml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    with pytest.raises(EditError, match="changed while"):
        write_atomically(path, "new\n", expected=b"something else\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    write_atomically(path, "new\n", expected=b"old\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["ops.yaml"]
