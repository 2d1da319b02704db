"""The recipes of `astreinte route recipe`: printed as shipped; the Asterisk AGI script run
under a harness that speaks the AGI protocol on its stdin and stdout; the Twilio webhook asked
as Twilio asks it, its TwiML read by an XML parser. Both against a real route service."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import shutil
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli
from routeservice import Service, running, token_file

from astreinte_cli.route.recipes import RECIPES, recipe_text

ROSTER = Path(__file__).parent / "data" / "route" / "roster"
AGI = Path(__file__).parents[1] / "astreinte_cli" / "route" / "recipes" / "asterisk_agi.py"


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_recipes_are_printed_as_shipped(cli: Cli, name: str) -> None:
    run = cli("route", "recipe", name)
    assert run.code == 0
    assert run.stdout == recipe_text(name)
    assert "astreinte" in run.stdout


def test_an_unknown_recipe(cli: Cli) -> None:
    run = cli("route", "recipe", "asterix")
    assert run.code == 2
    assert run.stderr == "error: no recipe 'asterix'\nhint: did you mean 'asterisk'?\n"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    rosters = tmp_path / "rosters"
    shutil.copytree(ROSTER, rosters)
    with running(rosters, tmp_path) as started:
        yield started


# --------------------------------------------------------------------------- Asterisk AGI


def run_agi(
    tmp_path: Path, url: str, team: str = "hotline"
) -> tuple[dict[str, str], list[str], float]:
    """Runs the AGI script as Asterisk does: the agi_* environment on its stdin, then an
    answer to each command it writes. Returns the variables it set, every command, and how
    long it took."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(AGI), team],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            "ASTREINTE_ROUTE_URL": url,
            "ASTREINTE_TOKEN_FILE": str(tmp_path / "token"),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(
        "agi_request: astreinte-route.agi\nagi_channel: PJSIP/trunk-00000001\n"
        "agi_callerid: +33612345678\nagi_extension: s\nagi_arg_1: hotline\n\n"
    )
    process.stdin.flush()
    commands = []
    variables = {}
    for line in process.stdout:
        command = line.rstrip("\n")
        commands.append(command)
        if command.startswith("SET VARIABLE "):
            name, _space, value = command.removeprefix("SET VARIABLE ").partition(" ")
            assert value.startswith('"')
            assert value.endswith('"')
            variables[name] = value[1:-1]
        process.stdin.write("200 result=1\n")
        process.stdin.flush()
    process.stdin.close()
    code = process.wait(timeout=10)
    assert process.stderr is not None
    errors = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert code == 0, errors
    return variables, commands, time.monotonic() - started


def test_the_agi_script_reads_the_plan(service: Service, tmp_path: Path) -> None:
    variables, commands, _took = run_agi(tmp_path, f"http://127.0.0.1:{service.port}/route")
    plan = service.get("/route?team=hotline&format=dial").body.splitlines()
    assert variables["ASTREINTE_STEPS"] == str(len(plan))
    assert variables["ASTREINTE_STALE"] == "no"
    for position, line in enumerate(plan, start=1):
        number, seconds = line.split(",")
        assert variables[f"ASTREINTE_NUMBER_{position}"] == number
        assert variables[f"ASTREINTE_RING_{position}"] == seconds
    assert all(c.startswith("SET VARIABLE ") for c in commands)


def test_the_agi_script_says_stale(service: Service, tmp_path: Path) -> None:
    hotline = tmp_path / "rosters" / "hotline.yaml"
    hotline.write_text(hotline.read_text(encoding="utf-8") + "levels: twice\n", encoding="utf-8")
    deadline = time.monotonic() + 15
    while "x-astreinte-stale" not in service.get("/route?team=hotline").headers:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    variables, _commands, _took = run_agi(tmp_path, f"http://127.0.0.1:{service.port}/route")
    assert variables["ASTREINTE_STALE"] == "yes"
    assert int(variables["ASTREINTE_STEPS"]) >= 1


def test_the_agi_script_without_the_service(tmp_path: Path) -> None:
    """Nothing listens: no step, within the second the script gives the service, and a
    message on the Asterisk console; the dialplan's fallback takes the call."""
    token_file(tmp_path)
    variables, commands, took = run_agi(tmp_path, "http://127.0.0.1:9/route")
    assert variables == {"ASTREINTE_STEPS": "0", "ASTREINTE_STALE": "no"}
    assert commands[0].startswith('VERBOSE "astreinte: no plan for team hotline (')
    assert took < 5  # the interpreter's start included; the service is given 1 s


def test_the_agi_script_with_a_wrong_token(service: Service, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("not-the-token-at-all-0123456789\n", encoding="utf-8")
    variables, commands, _took = run_agi(tmp_path, f"http://127.0.0.1:{service.port}/route")
    assert variables["ASTREINTE_STEPS"] == "0"
    assert "HTTP Error 401" in commands[0]


def test_the_agi_script_never_lets_a_server_write_a_command(tmp_path: Path) -> None:
    """Something else answers on the service's port, with a line break in its status line:
    the error the script shows quotes it, on one line, so that it starts no AGI command of
    its own."""
    import socket
    import threading

    token_file(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        connection, _address = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"EVIL\rEXEC Dial(PJSIP/+19005550100@trunk)\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        variables, commands, _took = run_agi(tmp_path, f"http://127.0.0.1:{port}/route")
    finally:
        thread.join(timeout=10)
        listener.close()
    assert variables == {"ASTREINTE_STEPS": "0", "ASTREINTE_STALE": "no"}
    assert len(commands) == 3
    assert commands[0].startswith('VERBOSE "astreinte: no plan for team hotline (BadStatusLine')
    assert "EVIL?EXEC Dial(PJSIP/+19005550100@trunk)??" in commands[0]
    assert commands[0].endswith("""): the dialplan's fallback" 1""")


# --------------------------------------------------------------------------- Twilio

AUTH_TOKEN = "twilio-auth-token-for-the-tests"
PUBLIC = "https://oncall.example.fr"


@pytest.fixture
def webhook(service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from astreinte_cli.route.recipes import twilio_webhook

    (tmp_path / "twilio").write_text(AUTH_TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("ASTREINTE_TEAM", "hotline")
    monkeypatch.setenv("ASTREINTE_FALLBACK", "+33387999999")
    monkeypatch.setenv("ASTREINTE_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN_FILE", str(tmp_path / "twilio"))
    monkeypatch.setenv("ASTREINTE_ROUTE_URL", f"http://127.0.0.1:{service.port}/route")
    monkeypatch.setenv("ASTREINTE_TOKEN_FILE", str(tmp_path / "token"))
    return twilio_webhook


def twilio_post(
    webhook: Any, target: str, form: dict[str, str], *, sign: bool = True
) -> tuple[str, ET.Element | None]:
    """POSTs ``form`` to ``target`` as Twilio does, signed with the auth token."""
    path, _mark, query = target.partition("?")
    data = "".join(name + form[name] for name in sorted(form))
    signature = base64.b64encode(
        hmac.new(AUTH_TOKEN.encode(), (PUBLIC + target + data).encode(), hashlib.sha1).digest()
    ).decode()
    body = urllib.parse.urlencode(form).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_X_TWILIO_SIGNATURE": signature if sign else "forged",
    }
    answer: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"] = status

    text = b"".join(webhook.app(environ, start_response)).decode()
    return answer["status"], ET.fromstring(text) if answer["status"] == "200 OK" else None


def dial(element: ET.Element | None) -> tuple[str, str, str | None]:
    assert element is not None
    assert element.tag == "Response"
    found = element.find("Dial")
    assert found is not None
    number = found.find("Number")
    assert number is not None
    assert number.text
    return number.text, found.get("timeout", ""), found.get("action")


def test_twilio_rings_the_steps_in_order(webhook: Any, service: Service) -> None:
    plan = [line.split(",") for line in service.get("/route?team=hotline&format=dial").body.split()]
    status, twiml = twilio_post(webhook, "/twilio/call", {"CallSid": "CA1", "From": "+33612345678"})
    assert status == "200 OK"
    dialled = []
    number, timeout, action = dial(twiml)
    while True:
        dialled.append([number, timeout])
        assert action is not None
        status, twiml = twilio_post(
            webhook, action, {"CallSid": "CA1", "DialCallStatus": "no-answer"}
        )
        assert twiml is not None
        if twiml.find("Dial") is None:
            assert twiml.find("Hangup") is not None
            break
        number, timeout, action = dial(twiml)
        assert len(dialled) <= len(plan)
    assert dialled == plan


def test_twilio_stops_when_a_step_answered(webhook: Any) -> None:
    _status, twiml = twilio_post(webhook, "/twilio/call", {"CallSid": "CA2"})
    _number, _timeout, action = dial(twiml)
    assert action is not None
    _status, twiml = twilio_post(webhook, action, {"CallSid": "CA2", "DialCallStatus": "completed"})
    assert twiml is not None
    assert [child.tag for child in twiml] == ["Hangup"]


def test_twilio_refuses_an_unsigned_request(webhook: Any) -> None:
    status, _twiml = twilio_post(webhook, "/twilio/call", {"CallSid": "CA3"}, sign=False)
    assert status == "403 Forbidden"


def test_twilio_without_the_service_rings_the_fixed_fallback(
    webhook: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASTREINTE_ROUTE_URL", "http://127.0.0.1:9/route")
    _status, twiml = twilio_post(webhook, "/twilio/call", {"CallSid": "CA4"})
    assert dial(twiml) == ("+33387999999", "30", None)
