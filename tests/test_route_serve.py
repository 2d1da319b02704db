"""`astreinte route serve`, run as a process and asked over HTTP: the right plan, 401 without
the token, answers that go on when the roster breaks (marked stale), a changed roster picked up
without a restart, no phone number in its log, a clean stop on SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from routeservice import TOKEN, Response, Service, environment, running, token_file

ROSTER = Path(__file__).parent / "data" / "route" / "roster"
NUMBERS = ("+33600000001", "+33600000002", "+33600000003", "+33387000009")


@pytest.fixture
def rosters(tmp_path: Path) -> Path:
    copy = tmp_path / "rosters"
    shutil.copytree(ROSTER, copy)
    return copy


@pytest.fixture
def route_schema() -> Any:
    from conftest import _validator

    return _validator("route.schema.json")


def wait_for(service: Service, target: str, accept: Any, seconds: float = 15) -> Response:
    """The first answer ``accept`` takes, asked every 0.1 s for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        answer = service.get(target)
        if accept(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def assert_no_number(log: str) -> None:
    """Neither a whole number in any form nor a run of digits that could be one."""
    digits_only = re.sub(r"[^0-9\n]", "", log)
    for number in NUMBERS:
        national = "0" + number[3:]
        assert number not in log
        assert national not in digits_only
        assert number[1:] not in digits_only
    assert not re.search(
        r"(?:\d[ .-]?){8}", re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+", "", log)
    )


def test_the_plan_over_http(rosters: Path, tmp_path: Path, route_schema: Any) -> None:
    with running(rosters, tmp_path) as service:
        answer = service.get("/route?team=hotline&at=2026-06-10T10:00")
        assert answer.status == 200
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
        assert answer.headers["x-astreinte-complete"] == "yes"
        assert "x-astreinte-stale" not in answer.headers
        document = answer.json()
        route_schema.validate(document)
        assert [(s["level"], s["number"], s["ring_seconds"]) for s in document["steps"]] == [
            (1, "+33600000001", 15), (2, "+33600000003", 25), (None, "+33387000009", 20),
        ]  # fmt: skip
        assert document["valid_until"] == "2026-06-10T20:00:00+02:00"
        dial = service.get("/route?team=hotline&at=2026-06-10T10:00&format=dial")
        assert dial.status == 200
        assert dial.headers["content-type"] == "text/plain; charset=utf-8"
        assert dial.body == "+33600000001,15\n+33600000003,25\n+33387000009,20\n"
        # The same plan later in its stretch (kept, not computed again) has its own instant.
        later = service.get("/route?team=hotline&at=2026-06-10T19:59").json()
        assert later["at"] == "2026-06-10T19:59:00+02:00"
        assert later["steps"] == document["steps"]
        # Without `at`: the clock's instant.
        assert service.get("/route?team=hotline").status == 200
        assert service.get("/route?team=hotline", basic=True).status == 200
        assert service.stop() == 0
    log = service.log()
    assert "GET /route 200 team=hotline format=json steps=3" in log
    assert "+33 6 •• •• •• 01" in log
    assert log.rstrip().endswith("stopped")
    assert_no_number(log)


@pytest.mark.parametrize(
    ("target", "status", "message"),
    [
        ("/route", 400, "give the team: /route?team=ID"),
        ("/route?team=nobody", 404, "no team 'nobody'"),
        ("/route?team=hotline&format=xml", 400, "format is json or dial"),
        ("/route?team=hotline&at=soon", 400, "at: 'soon' is not"),
        ("/elsewhere", 404, "the only path is /route"),
    ],
)
def test_bad_requests(
    rosters: Path, tmp_path: Path, target: str, status: int, message: str
) -> None:
    with running(rosters, tmp_path) as service:
        answer = service.get(target)
    assert answer.status == status
    assert answer.json()["error"].startswith(message)


def test_401_without_the_token(rosters: Path, tmp_path: Path) -> None:
    with running(rosters, tmp_path) as service:
        for token in (None, "", "route-test-token-0123456789abcdeF", TOKEN[:-1]):
            answer = service.get("/route?team=hotline", token=token)
            assert answer.status == 401
            assert answer.headers["www-authenticate"] == (
                'Bearer realm="astreinte", Basic realm="astreinte"'
            )
            assert "steps" not in answer.body
        assert service.get("/route?team=hotline", token="x" + TOKEN, basic=True).status == 401
        # Even a path that does not exist says nothing without the token.
        assert service.get("/elsewhere", token=None).status == 401


def test_keeps_answering_when_the_roster_breaks_then_picks_up_the_fix(
    rosters: Path, tmp_path: Path, route_schema: Any
) -> None:
    target = "/route?team=hotline&at=2026-06-10T10:00"
    with running(rosters, tmp_path) as service:
        good = service.get(target).json()
        hotline = rosters / "hotline.yaml"
        text = hotline.read_text(encoding="utf-8")
        hotline.write_text(text.replace("[ana, ben]", "[ana, bne"), encoding="utf-8")
        stale = wait_for(service, target, lambda a: "x-astreinte-stale" in a.headers)
        assert stale.status == 200
        document = stale.json()
        route_schema.validate(document)
        assert document["stale"]["errors"] >= 1
        assert document["steps"] == good["steps"]
        # Fixed, with a change: level 1 now rings 10 s; picked up without a restart.
        hotline.write_text(text.replace("ring: 15s", "ring: 10s"), encoding="utf-8")
        fixed = wait_for(service, target, lambda a: "x-astreinte-stale" not in a.headers)
        assert fixed.json()["steps"][0]["ring_seconds"] == 10
        assert "stale" not in fixed.json()
        assert service.stop() == 0
    log = service.log()
    assert "the roster does not load (1 error at " in log
    assert "hotline.yaml:" in log
    assert_no_number(log)


def test_a_changed_number_is_picked_up_and_never_logged(rosters: Path, tmp_path: Path) -> None:
    """A *.local.yaml added while the service runs: its number is rung, and the roster error
    of a mistyped number does not put the number in the log."""
    target = "/route?team=hotline&at=2026-06-15T10:00&format=dial"
    with running(rosters, tmp_path) as service:
        assert service.get(target).body == "+33600000002,15\n+33387000009,20\n"
        local = rosters / "contacts.local.yaml"
        local.write_text('people:\n  dan: {phone: "07 60 00 00 0"}\n', encoding="utf-8")
        wait_for(service, target, lambda a: "x-astreinte-stale" in a.headers)
        local.write_text('people:\n  dan: {phone: "07 60 00 00 04"}\n', encoding="utf-8")
        answer = wait_for(service, target, lambda a: "+33760000004" in a.body)
        assert answer.body == "+33600000002,15\n+33760000004,25\n+33387000009,20\n"
        service.stop()
    log = service.log()
    assert "+33 7 •• •• •• 04" in log
    assert "0760" not in re.sub(r"[^0-9]", "", log)
    assert_no_number(log)


def test_a_unix_socket(rosters: Path, tmp_path: Path) -> None:
    socket_path = tmp_path / "route.sock"
    with running(rosters, tmp_path, "--unix-socket", str(socket_path)) as service:
        assert service.address == f"unix:{socket_path}"
        assert socket_path.is_socket()
        answer = service.get("/route?team=hotline&at=2026-06-10T10:00&format=dial")
        assert answer.status == 200
        assert answer.body.startswith("+33600000001,15\n")
        assert service.stop() == 0
    assert not socket_path.exists()


def serve(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "astreinte_cli", "route", "serve", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(tmp_path / "state"),
        check=False,
    )


def test_refuses_a_token_others_can_read(rosters: Path, tmp_path: Path) -> None:
    token = token_file(tmp_path, mode=0o640)
    run = serve(tmp_path, "--rosters", str(rosters), "--token-file", str(token))
    assert run.returncode == 2
    assert run.stderr == (
        f"error: --token-file {token}: readable by others than its owner\nhint: chmod 600 {token}\n"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--listen", "0.0.0.0:8470"), "error: --listen 0.0.0.0: the route service listens on a"),
        (("--listen", "127.0.0.1"), "error: --listen '127.0.0.1' is not HOST:PORT"),
        (("--poll", "0"), "error: --poll must be between 0.1 and 3600 seconds"),
    ],
)  # fmt: skip
def test_refuses_what_it_cannot_serve(
    rosters: Path, tmp_path: Path, arguments: tuple[str, ...], message: str
) -> None:
    token = token_file(tmp_path)
    run = serve(tmp_path, "--rosters", str(rosters), "--token-file", str(token), *arguments)
    assert run.returncode == 2
    assert run.stderr.startswith(message)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/dev/zero", "not a regular file"),
        ("big", "larger than 4096 bytes"),
        ("fifo", "not a regular file"),
    ],
)
def test_refuses_a_token_file_it_would_read_for_ever(
    rosters: Path, tmp_path: Path, name: str, reason: str
) -> None:
    """/dev/zero as the token file grew the service to 5 GB in 5 s; a FIFO would wait for a
    writer: both are refused at once, as a file too large for a token."""
    token = Path(name) if name.startswith("/") else tmp_path / name
    if name == "big":
        token.write_text("x" * 5000, encoding="utf-8")
        token.chmod(0o600)
    elif name == "fifo":
        os.mkfifo(token, 0o600)
    run = serve(tmp_path, "--rosters", str(rosters), "--token-file", str(token))
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: --token-file {token}: cannot read it ({reason})\n")


def test_refuses_a_short_token(rosters: Path, tmp_path: Path) -> None:
    token = token_file(tmp_path, text="secret")
    run = serve(tmp_path, "--rosters", str(rosters), "--token-file", str(token))
    assert run.returncode == 2
    assert "at least 16 characters" in run.stderr


def test_refuses_to_start_on_a_roster_that_never_loaded(rosters: Path, tmp_path: Path) -> None:
    (rosters / "hotline.yaml").write_text("team: [\n", encoding="utf-8")
    token = token_file(tmp_path)
    run = serve(tmp_path, "--rosters", str(rosters), "--token-file", str(token))
    assert run.returncode == 1
    assert "hotline.yaml:" in run.stderr


# --------------------------------------------------------------------------- `now`'s roster


def now_json(rosters: Path, tmp_path: Path, at: str) -> tuple[int, Any]:
    """`astreinte now --json` with the service's state folder, as a switchboard beside it runs
    it: its exit code and document."""
    run = subprocess.run(
        [sys.executable, "-m", "astreinte_cli", "now", "--rosters", str(rosters),
         "--team", "hotline", "--at", at, "--json"],
        capture_output=True, text=True, timeout=60, env=environment(tmp_path / "state"),
        check=False,
    )  # fmt: skip
    return run.returncode, json.loads(run.stdout) if run.stdout else None


def break_hotline(rosters: Path) -> None:
    hotline = rosters / "hotline.yaml"
    text = hotline.read_text(encoding="utf-8")
    hotline.write_text(text.replace("[ana, ben]", "[ana, bne]"), encoding="utf-8")


def test_its_stale_mark_is_nows(rosters: Path, tmp_path: Path) -> None:
    """When the roster breaks, the service and `now` answer from the same last valid roster
    and say so the same way: the same `stale` object, the same people in the same order."""
    target = "/route?team=hotline&at=2026-06-10T10:00"
    with running(rosters, tmp_path) as service:
        assert "x-astreinte-stale" not in service.get(target).headers
        break_hotline(rosters)
        answer = wait_for(service, target, lambda a: "x-astreinte-stale" in a.headers)
        document = answer.json()
        code, now = now_json(rosters, tmp_path, "2026-06-10T10:00")
        assert service.stop() == 0
    assert code == 4
    assert document["stale"] == now["stale"]
    levels = now["teams"][0]["levels"]
    assert [s["who"] for s in document["steps"]] == [
        *(p["id"] for level in levels for p in level["on_call"]),
        "boss",
    ]


def test_starts_on_a_broken_roster_from_the_one_now_kept(rosters: Path, tmp_path: Path) -> None:
    """The last valid roster is `now`'s, in the state folder: a service (re)started after the
    roster broke answers from the roster `now` last loaded, marked as `now` marks it."""
    assert now_json(rosters, tmp_path, "2026-06-10T10:00")[0] == 0
    break_hotline(rosters)
    code, stale = now_json(rosters, tmp_path, "2026-06-10T10:00")
    assert code == 4
    with running(rosters, tmp_path) as service:
        answer = service.get("/route?team=hotline&at=2026-06-10T10:00&format=json")
        assert service.stop() == 0
    assert answer.status == 200
    assert answer.headers["x-astreinte-stale"] == "yes"
    assert answer.json()["stale"] == stale["stale"]
    assert [s["number"] for s in answer.json()["steps"]] == [
        "+33600000001", "+33600000003", "+33387000009",
    ]  # fmt: skip
    assert "the roster does not load (1 error at " in service.log()


def test_what_a_client_sends_never_acts_on_the_log(rosters: Path, tmp_path: Path) -> None:
    """A team id or a path with a line feed or an escape sequence is logged escaped: it forges
    no log line and sends nothing to the terminal that shows the log."""
    with running(rosters, tmp_path) as service:
        team = service.get("/route?team=x%0a2026-01-01%20forged%1b%5b2J")
        path = service.get("/%1b]0;title%07%0aforged")
        assert service.stop() == 0
    assert (team.status, path.status) == (404, 404)
    log = service.log()
    assert "\x1b" not in log
    assert "\x07" not in log
    assert not any(line.startswith(("forged", "2026-01-01 forged")) for line in log.splitlines())
    assert "no team 'x\\n2026-01-01 forged\\x1b[2J'" in log
    assert "/\\x1b]0;title\\x07\\nforged 404" in log


def _clock(*instants: str) -> Any:
    times = [dt.datetime.fromisoformat(instant) for instant in instants]
    return lambda: times.pop(0)


def test_without_a_state_folder_it_answers_from_its_own_last_roster(
    rosters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state folder that cannot be made (here a file stands where it should be) keeps no last
    valid roster: the service answers from the one it loaded, marked stale since it loaded it."""
    from astreinte_cli.route.plan import dial_plan
    from astreinte_cli.route.source import RosterWatch

    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "not-a-folder"))
    errors: list[Any] = []
    watch = RosterWatch(
        rosters,
        clock=_clock("2026-06-10T08:00:00+00:00", "2026-06-10T09:00:00+00:00"),
        report=errors.append,
    )
    first = watch.loaded
    assert first is not None
    assert first.stale is None
    break_hotline(rosters)
    assert watch.refresh()
    loaded = watch.loaded
    assert loaded is not None
    assert loaded.stale is not None
    assert loaded.roster is first.roster
    assert loaded.stale.errors == 1
    assert len(errors) == 1
    assert loaded.stale.roster_loaded == dt.datetime(2026, 6, 10, 8, tzinfo=dt.UTC)
    assert loaded.stale.broken_since == dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC)
    at = dt.datetime(2026, 6, 10, 8, tzinfo=dt.UTC)
    assert [s.who for s in dial_plan(loaded.roster, loaded.roster.team("hotline"), at).steps] == [
        "ana", "cam", "boss",
    ]  # fmt: skip
    assert not watch.refresh()  # nothing changed: nothing loaded, nothing reported again
    assert len(errors) == 1


def test_a_roster_it_could_not_record_is_newer_than_the_state_folders(
    rosters: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state folder holds an older valid roster (the newer could not be recorded): the
    service answers from the newer, the one it loaded."""
    from astreinte_cli.load import last_valid
    from astreinte_cli.route.source import RosterWatch

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    watch = RosterWatch(
        rosters,
        clock=_clock(
            "2026-06-10T08:00:00+00:00", "2026-06-10T09:00:00+00:00", "2026-06-10T10:00:00+00:00"
        ),
    )
    monkeypatch.setattr(last_valid, "record", lambda *arguments: None)
    hotline = rosters / "hotline.yaml"
    hotline.write_text(
        hotline.read_text(encoding="utf-8").replace("ring: 15s", "ring: 10s"), encoding="utf-8"
    )
    assert watch.refresh()
    newer = watch.loaded
    assert newer is not None
    assert newer.stale is None
    break_hotline(rosters)
    assert watch.refresh()
    loaded = watch.loaded
    assert loaded is not None
    assert loaded.stale is not None
    assert loaded.roster is newer.roster
    assert loaded.roster.team("hotline").levels[0].ring == dt.timedelta(seconds=10)
    assert loaded.stale.roster_loaded == dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC)
