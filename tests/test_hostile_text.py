"""Hostile roster text: nothing leaks, nothing is injected.

Rosters come from pull requests and names from people; output goes to terminals, CI logs and
calendars. A roster file that is a link to a file outside the roster folder is not read (nor
quoted); a message quotes a bounded excerpt of a value; control characters in names are refused
at load time, and whatever reaches a terminal, a log or a feed anyway is shown as text (never as
a terminal sequence, a Rich markup tag or a second line); calendar properties carry none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import icalendar
import pytest
from conftest import Cli

from astreinte_cli.diagnostics import MAX_MESSAGE, Diagnostic, Span, excerpt
from astreinte_cli.load import load_roster
from astreinte_cli.model import Override, Roster
from astreinte_cli.printable import control_character, printable, without_controls
from astreinte_cli.safe_read import UnreadableFile, read_roster_file
from astreinte_cli.times import Period, parse_datetime

ASTREINTE = [sys.executable, "-c", "from astreinte_cli.cli.entry import main; main()"]
SECRET = "root:x:0:0:SECRET-LINE-THAT-MUST-NOT-LEAK:/root:/bin/bash"
TEAM = """\
people:
  alice: {name: Alice Martin}
  bob: {name: Bob Lefèvre}
team: support
name: Support client
timezone: Europe/Paris
coverage: always
compensation: {weeknight: 10, saturday: 30, sunday: 40, holiday: 40}
levels:
  - name: %(level)s
    rotations:
      - members: [alice, bob]
        start: 2026-01-05 09:00
        every: 1w
"""
HOSTILE = "Alice\x1b]0;TITLE\x07\x1b[2J\x1b[31m"  # sets the window title, clears the screen


def roster_folder(tmp_path: Path, level: str = "Niveau 1") -> Path:
    folder = tmp_path / "rosters"
    folder.mkdir()
    (folder / "support.yaml").write_text(TEAM % {"level": level}, encoding="utf-8")
    return folder


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real console script, in a process of its own (for what needs one: a FIFO that
    would hang, a feed under ``python -O``)."""
    environment = {**os.environ, "ASTREINTE_CACHE": "off", **(env or {})}
    return subprocess.run(
        [*ASTREINTE, *args], capture_output=True, text=True, env=environment, timeout=timeout,
        check=False,
    )  # fmt: skip


# --------------------------------------------------------------------------- files that leak


def test_a_roster_file_linked_outside_the_folder_is_refused_and_never_quoted(
    tmp_path: Path, cli: Cli
) -> None:
    folder = roster_folder(tmp_path)
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n" + SECRET + "\n", encoding="utf-8")
    (folder / "leak.yaml").symlink_to(secret)
    for output in ("text", "github", "json"):
        result = cli("check", "--rosters", str(folder), "--format", output)
        assert result.code == 1
        assert "SECRET" not in result.stdout + result.stderr
        assert (
            f"{folder / 'leak.yaml'}:1:1: error: this file is a symbolic link to a file outside "
            "the roster folder: not read"
        ) in result.stderr


def test_a_roster_folder_linked_outside_is_refused(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "elsewhere").mkdir()
    outside = roster_folder(tmp_path / "elsewhere")
    project = tmp_path / "project"
    project.mkdir()
    (project / "rosters").symlink_to(outside)
    result = cli("check", "--rosters", str(project / "rosters"))
    assert result.code == 1
    assert "the roster folder is a symbolic link to a folder outside the one that holds it" in (
        result.stderr
    )


def test_a_link_to_a_file_inside_the_folder_is_read(tmp_path: Path, cli: Cli) -> None:
    folder = roster_folder(tmp_path)
    (folder / "teams").mkdir()
    (folder / "support.yaml").rename(folder / "teams" / "support.yaml")
    (folder / "support.yaml").symlink_to(Path("teams") / "support.yaml")
    assert cli("check", "--rosters", str(folder)).code == 0


@pytest.mark.parametrize("cache", ["on", "off"])
def test_a_fifo_in_the_folder_is_an_error_never_waited_on(
    tmp_path: Path, cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO named like a roster file is not read (a read would wait for a writer that never
    comes) and not left out in silence either (the team it stands for would vanish): it is a
    located error, with the roster cache on or off; `now` answers from the last valid roster;
    an edit does not wait on it either. Given as the roster, it is refused."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = {"ASTREINTE_CACHE": cache}
    folder = roster_folder(tmp_path)
    assert run("now", "--rosters", str(folder), env=env).returncode == 0  # the last valid
    os.mkfifo(folder / "fifo.yaml")
    located = (
        f"{folder / 'fifo.yaml'}:1:1: error: this is not a regular file (a FIFO, a device or a "
        "socket): not read"
    )
    result = run("check", "--rosters", str(folder), "--at", "2026-06-01", env=env, timeout=20)
    assert result.returncode == 1
    assert located in result.stderr
    result = run("now", "--rosters", str(folder), "--json", env=env, timeout=20)
    assert result.returncode == 4, result.stderr
    assert json.loads(result.stdout)["stale"]["errors"] == 1
    assert located in result.stderr
    result = run(
        "swap", "alice", "bob", "--rosters", str(folder), "--from", "2027-01-04",
        "--to", "2027-01-11", "--exceptional", env=env, timeout=20,
    )  # fmt: skip
    assert result.returncode == 1
    assert located in result.stderr
    result = run("now", "--rosters", str(folder / "fifo.yaml"), env=env, timeout=20)
    assert result.returncode == 1
    assert "not a roster: this is neither a folder nor a regular file" in result.stderr
    with pytest.raises(UnreadableFile) as refused:  # a FIFO read by name is refused at once
        read_roster_file(folder / "fifo.yaml")
    assert refused.value.reason == "special"


def test_a_link_to_nothing_in_the_folder_is_an_error(tmp_path: Path, cli: Cli) -> None:
    """A link whose target was renamed or never committed would otherwise make its team vanish
    from the roster while `check` passes."""
    folder = roster_folder(tmp_path)
    (folder / "hotline.yaml").symlink_to("teams/hotline.yaml")
    for lang, message, hint in (
        (
            "en",
            "this is a symbolic link to a file that does not exist: not read",
            "point the link at a roster file of the folder, or remove it",
        ),
        (
            "fr",
            "c’est un lien symbolique vers un fichier qui n’existe pas\u00a0: non lu",
            "faites pointer le lien vers un fichier de planning du dossier, ou supprimez-le",
        ),
    ):
        result = cli("--lang", lang, "check", "--rosters", str(folder))
        assert result.code == 1
        assert f"{folder / 'hotline.yaml'}:1:1: error: {message}\nhint: {hint}\n" in (result.stderr)


@pytest.mark.parametrize("command", [["check"], ["now"], ["show"], ["now", "--json"]])
def test_dev_null_as_the_roster_is_a_roster_error(command: list[str], cli: Cli) -> None:
    result = cli(*command, "--rosters", "/dev/null")
    assert result.code == 1, result.stderr
    assert result.stderr.startswith(
        "/dev/null: error: not a roster: this is neither a folder nor a regular file"
    )


def test_the_size_is_checked_before_a_byte_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as stream:
        stream.truncate(3 << 30)  # sparse: 3 GiB that take no room
    read: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(UnreadableFile) as refused:
        read_roster_file(big)
    assert refused.value.reason == "too-large"
    assert read == []


def test_a_message_quotes_a_bounded_excerpt_of_a_value(tmp_path: Path, cli: Cli) -> None:
    folder = roster_folder(tmp_path)
    (folder / "long.yaml").write_text("leave: " + "x" * 500_000 + "\n", encoding="utf-8")
    result = cli("check", "--rosters", str(folder))
    assert result.code == 1
    message = next(line for line in result.stderr.splitlines() if "error:" in line)
    assert message.endswith("not '" + "x" * 60 + "…'")
    assert max(len(line) for line in result.stderr.splitlines()) < 300
    assert len(Diagnostic(Span("f", 1, 1), "m" * 10_000).message) == MAX_MESSAGE + 1
    assert excerpt("a\nb" * 100) == ("a\\nb" * 100)[:60] + "…"


def test_a_file_name_with_a_control_character_is_refused(tmp_path: Path, cli: Cli) -> None:
    folder = roster_folder(tmp_path)
    (folder / "x\x1b[2J.yaml").write_text("people: {carl: {name: Carl}}\n", encoding="utf-8")
    result = cli("check", "--rosters", str(folder))
    assert result.code == 1
    assert "\x1b" not in result.stderr
    assert "x\\x1b[2J.yaml:1:1: error: the file name contains a control character (U+001B)" in (
        result.stderr
    )


# --------------------------------------------------------------------------- terminals and logs


def test_printable_shows_control_characters_as_escapes() -> None:
    assert printable(HOSTILE) == "Alice\\x1b]0;TITLE\\x07\\x1b[2J\\x1b[31m"
    assert printable("a\nb\tc\x85d\u2028") == "a\\nb\\tc\\x85d\\u2028"
    assert printable("a\nb\tc\rd", lines=True) == "a\nb\tc\\rd"
    assert printable("Chloé · Niveau 2 — ok") == "Chloé · Niveau 2 — ok"
    assert control_character("Bob\x07") == "\x07"
    assert control_character("two\nlines", lines=True) is None
    assert without_controls("a\r\nb\x1bc\x07", lines=True) == "a\nbc"


def test_a_key_cannot_start_a_github_annotation_of_its_own(tmp_path: Path, cli: Cli) -> None:
    folder = roster_folder(tmp_path)
    (folder / "evil.yaml").write_text(
        '"\\e[2J\\n::warning file=x.yaml::pwned": 1\npeople: {carl: {name: Carl}}\n',
        encoding="utf-8",
    )
    result = cli("check", "--rosters", str(folder), "--format", "github")
    assert result.code == 1
    assert not any(line.startswith("::warning") for line in result.stderr.splitlines())
    assert "\x1b" not in result.stderr
    assert "unknown key '\\x1b[2J\\n::warning file=x.yaml::pwned'" in result.stderr


def test_annotations_keep_roster_text_on_one_line() -> None:
    from astreinte_cli.check import Finding
    from astreinte_cli.render.check import annotation

    finding = Finding(
        "gap", "error", Span("a.yaml", 3, 1), "gap for\n::warning ::x\x1b[2J", "hint\r\nz", "t"
    )
    line = annotation(finding)
    assert "\n" not in line
    assert "\x1b" not in line
    assert line.endswith("::gap for\\n::warning ::x\\x1b[2J%0Ahint: hint\\r\\nz")


def _hostile_roster(roster: Roster, name: str) -> Roster:
    """``roster`` with every name (people, teams, levels) replaced by ``name`` + the original,
    and an override whose reason is ``name``: what a roster cached by an older version, or
    built by a program, could hold."""
    people = {pid: dataclasses.replace(p, name=name + p.name) for pid, p in roster.people.items()}
    swap = Override(
        1,
        1,
        ("alice",),
        Period(parse_datetime("2026-06-01")[0], parse_datetime("2026-06-02")[0]),
        None,
        name + "swap",
        False,
        Span("support.yaml", 1, 1),
    )
    teams = tuple(
        dataclasses.replace(
            team,
            name=name + team.name,
            instructions=name + "\nline two",
            levels=tuple(dataclasses.replace(lv, name=name + lv.name) for lv in team.levels),
            overrides=(swap,),
        )
        for team in roster.teams
    )
    return dataclasses.replace(roster, people=MappingProxyType(people), teams=teams)


def test_names_never_reach_the_terminal_as_sequences(tmp_path: Path) -> None:
    from rich.console import Console

    from astreinte_cli.compile import compile_team
    from astreinte_cli.query import team_answer
    from astreinte_cli.render import now as now_view
    from astreinte_cli.render.terminal import render_grid, render_show

    roster = _hostile_roster(load_roster(roster_folder(tmp_path)), HOSTILE)
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=7)
    timelines = [compile_team(roster, t, start, end) for t in roster.teams]
    answers = [team_answer(roster, t, start) for t in roster.teams]
    lines = now_view.now_lines(start, answers)
    assert any("override 1:" in line.plain for line in lines)  # the reason is shown
    for renderable in (
        render_show(roster, timelines, start, end),
        render_grid(roster, timelines, start, end),
        now_view.renderable(lines),
    ):
        out = io.StringIO()
        Console(file=out, force_terminal=True, width=200).print(renderable)
        shown = out.getvalue()
        assert "\x1b]0;" not in shown
        assert "\x1b[2J" not in shown
        assert "\x07" not in shown
        assert "Alice\\x1b]0;TITLE\\x07" in shown
    plain = now_view.plain_text(lines, io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert plain is not None
    assert "\x1b" not in plain
    assert "\nline two" in plain  # instructions keep their lines


@pytest.mark.parametrize(
    "level", ["'[link=https://evil.example/x]Niveau 1[/link]'", "'[/bold] closing'"]
)
def test_rich_markup_in_names_is_printed_as_written(tmp_path: Path, cli: Cli, level: str) -> None:
    folder = roster_folder(tmp_path, level)
    written = level.strip("'")
    for args in (["--grid"], []):
        result = cli(
            "show", "--rosters", str(folder), "--from", "2026-06-01", "--to", "2026-06-03", *args,
            env={"FORCE_COLOR": "1"},
        )  # fmt: skip
        assert result.code == 0, result.stderr
        assert "\x1b]8;" not in result.stdout  # no hyperlink
        if args:
            assert written in result.stdout


def test_report_table_and_markdown_never_pass_escape_sequences(tmp_path: Path) -> None:
    from astreinte_cli.cli.commands.report import _render
    from astreinte_cli.report import Month, month_report

    roster = _hostile_roster(load_roster(roster_folder(tmp_path)), HOSTILE)
    found = month_report(roster, list(roster.teams), Month.parse("2026-06"), None)
    for chosen in ("table", "markdown"):
        text = _render(chosen, False, roster, found, None)
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "Alice" in text


# --------------------------------------------------------------------------- calendar feeds


def test_control_characters_never_reach_a_feed(tmp_path: Path) -> None:
    """Built past the loader (which refuses them): every property of the feed is free of
    control characters, and a name cannot add a property or an event."""
    from astreinte_cli.export.events import compile_for_feeds, feed_events
    from astreinte_cli.export.feeds import write_feed
    from astreinte_cli.export.ical import FeedOptions

    name = "Bob\nEND:VEVENT\r\nBEGIN:VEVENT\rSUMMARY:x\x1b[2J\x07\u2028"
    roster = _hostile_roster(load_roster(roster_folder(tmp_path)), name)
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=21)
    events = feed_events(compile_for_feeds(roster, roster.teams, start, end), start, end)
    out = io.BytesIO()
    options = FeedOptions(name + "feed", start, description=name)
    write_feed(out, roster, options, start, end, [events], zones=["Europe/Paris"])
    data = out.getvalue()
    lines = data.split(b"\r\n")
    assert all(not any(b < 0x20 or b == 0x7F for b in line if b != 0x09) for line in lines)
    calendar = icalendar.Calendar.from_ical(data)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == len(events[0].occurrences)  # one per shift, and no event more
    assert len(vevents) == 4  # three weeks from a Monday 02:00, turns from Monday 09:00
    assert str(calendar["X-WR-CALNAME"]) == "Bob END:VEVENT BEGIN:VEVENT SUMMARY:x[2J feed"
    # The name's line breaks are text of the summary (escaped), its other controls are gone.
    summary = "Astreinte N1 · Bob\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:x[2J\nSupport client · "
    assert all(str(e["SUMMARY"]).startswith(summary) for e in vevents)


def test_a_name_with_a_line_break_is_refused_by_export_and_publish(tmp_path: Path) -> None:
    folder = roster_folder(tmp_path)
    (folder / "support.yaml").write_text(
        (folder / "support.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Support client", 'name: "Support\\nX-WR-CALNAME:injected"'),
        encoding="utf-8",
    )
    for optimise in ("", "1"):
        env = {"PYTHONOPTIMIZE": optimise}
        for command in (
            ["export", "ics", "-o", "-"],
            ["publish", str(tmp_path / "public"), "--no-person-feeds"],
        ):
            result = run(*command, "--rosters", str(folder), env=env)
            assert result.returncode == 1, result.stderr
            assert "support.yaml:5:7: error: team name contains a control character (U+000A)" in (
                result.stderr
            )
            assert "X-WR-CALNAME" not in result.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["now", "--team"],
        ["now", "--tz"],
        ["show", "--person"],
        ["report", "--month"],
    ],
)
def test_a_long_option_value_is_quoted_shortened(arguments: list[str], cli: Cli) -> None:
    """A message quotes at most an excerpt of a value, whether it comes from a roster or from
    the command line (a 5,000-character --team was printed whole)."""
    result = cli(*arguments, "x" * 5000, "--rosters", str(Path(__file__).parent.parent / "rosters"))
    assert result.code == 2
    assert "'" + "x" * 60 + "…'" in result.stderr
    assert len(result.stderr) < 400
