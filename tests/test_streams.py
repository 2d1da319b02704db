"""Output streams and encodings, with the real console script in a process of its own: what a
locale, a reader that stops early, a closed or full stdout do to every command.

- JSON (and CSV) is UTF-8 whatever the locale; text degrades to what the stream can show.
- A reader that stops early (``| head``) ends the run quietly with 141, as SIGPIPE would.
- A closed stdout (``>&-``) or one that refuses writes (``/dev/full``) gives one line on
  stderr and exit 74, never a traceback, never 70, never a silent 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ASTREINTE = [sys.executable, "-c", "from astreinte_cli.cli.entry import main; main()"]
ROSTERS = str(Path(__file__).parent.parent / "rosters")
AT = "2026-12-24T20:00+01:00"

COMMANDS = {
    "now": ["now", "--at", AT],
    "now --json": ["now", "--at", AT, "--json"],
    "show": ["show", "--from", "2026-12-01", "--to", "2027-02-01"],
    "show --grid": ["show", "--grid", "--from", "2026-12-01", "--to", "2026-12-15"],
    "show --json": ["show", "--json", "--from", "2026-12-01", "--to", "2027-02-01"],
    "check": ["check", "--at", AT],
    "check --format json": ["check", "--at", AT, "--format", "json"],
    "check --format github": ["check", "--at", AT, "--format", "github"],
    "report": ["report", "--month", "2026-12"],
    "report --format markdown": ["report", "--month", "2026-12", "--format", "markdown"],
    "report --format json": ["report", "--month", "2026-12", "--format", "json"],
    "report --format csv": ["report", "--month", "2026-12", "--format", "csv"],
    "export ics": ["export", "ics", "--at", AT, "-o", "-"],
    "export json": ["export", "json", "--at", AT, "-o", "-"],
    "export csv": ["export", "csv", "--at", AT, "-o", "-"],
}
NO_ROSTER = {"schema": ["schema"], "--help": ["--help"], "show --help": ["show", "--help"]}
JSON_OUTPUT = ["now --json", "show --json", "check --format json", "report --format json"]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "LC_CTYPE")}
    return {**env, "ASTREINTE_ROSTERS": ROSTERS, "COLUMNS": "80", **extra}


def command(name: str) -> list[str]:
    return [*ASTREINTE, *({**COMMANDS, **NO_ROSTER}[name])]


@pytest.mark.parametrize("name", JSON_OUTPUT)
@pytest.mark.parametrize(
    "locale",
    [
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
        {"PYTHONIOENCODING": "ascii"},
        {"PYTHONIOENCODING": "latin-1"},
    ],
    ids=["C", "ascii", "latin-1"],
)
def test_json_is_utf8_whatever_the_locale(name: str, locale: dict[str, str]) -> None:
    done = subprocess.run(
        command(name), capture_output=True, env=environment(**locale), check=False
    )
    assert done.returncode in (0, 1), done.stderr  # check has findings on the example roster
    assert b"internal error" not in done.stderr
    document = json.loads(done.stdout.decode("utf-8"))
    if name != "check --format json":  # the example roster passes: no name in the findings
        assert "é" in json.dumps(document, ensure_ascii=False)  # Supervision réseau, Lefèvre…


@pytest.mark.parametrize("name", ["now", "show", "show --grid", "report", "check"])
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_text_degrades_to_what_the_stream_can_show(name: str, encoding: str) -> None:
    """Text the stream's encoding cannot show is replaced. (Lines written by Click, as
    `report`'s, are UTF-8 on an ASCII stream: Click takes ASCII for a misconfigured locale.)"""
    done = subprocess.run(
        command(name), capture_output=True, env=environment(PYTHONIOENCODING=encoding),
        check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert b"Traceback" not in done.stderr
    assert b"internal error" not in done.stderr
    done.stdout.decode("utf-8" if name == "report" and encoding == "ascii" else encoding)


@pytest.mark.parametrize("name", [*COMMANDS, *NO_ROSTER])
def test_a_reader_that_stops_early_ends_the_run_quietly(name: str) -> None:
    """The pipe is closed before the command writes a byte: its first write fails (EPIPE),
    whatever the size of its output."""
    process = subprocess.Popen(
        command(name), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment()
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()
    with process.stderr:
        error = process.stderr.read()
    assert process.wait(timeout=120) == 141
    assert error == b""


def test_head_reads_one_line_of_a_feed() -> None:
    shell = " ".join(f"'{word}'" for word in command("export ics"))
    done = subprocess.run(
        ["bash", "-c", f"{shell} | head -1; echo \"${{PIPESTATUS[0]}}\" >&2"],
        capture_output=True, env=environment(), check=False,
    )  # fmt: skip
    assert done.stdout == b"BEGIN:VCALENDAR\r\n"
    assert done.stderr.strip() in (b"0", b"141")  # 0 if the feed fitted in the pipe at once


@pytest.mark.parametrize("name", ["now", "now --json", "show --json", "export ics", "schema"])
def test_a_closed_stdout_is_one_line_and_exit_74(name: str) -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *command(name)],
        capture_output=False, stderr=subprocess.PIPE, text=True, env=environment(), check=False,
    )  # fmt: skip
    assert done.returncode == 74
    assert done.stderr == "astreinte: standard output is closed; give it a file or /dev/null\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("name", ["now", "now --json", "show", "schema", "--help", "export ics"])
def test_a_full_stdout_is_one_line_and_exit_74(name: str) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            command(name), stdout=full, stderr=subprocess.PIPE, text=True, env=environment(),
            check=False,
        )  # fmt: skip
    assert done.returncode == 74
    assert done.stderr == "astreinte: cannot write the output: No space left on device\n"


def test_a_closed_stderr_does_not_stop_the_answer() -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" 2>&-', "sh", *command("now --json")],
        stdout=subprocess.PIPE, text=True, env=environment(), check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert json.loads(done.stdout)["teams"]
