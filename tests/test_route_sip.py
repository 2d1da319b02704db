"""A real call: Kamailio, configured from the shipped recipe, asks the route service for the
plan and rings it; SIPp is the caller and each person's phone.

Each number of the test roster reaches its own SIPp phone through a second Kamailio, the tests'
carrier: the recipe dials ``sip:NUMBER@TRUNK`` as it would through a real SIP trunk. Ring times
are 5 s (the shortest a roster allows). Needs Debian's kamailio, kamailio-utils-modules
(http_client) and sip-tester (sipp): skipped with the reason when they are missing, failed
under CI (CI=true), where .ci/run installs them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from routeservice import TOKEN, running

SIP = Path(__file__).parent / "data" / "route" / "sip"
ROSTER = SIP / "roster"
# Debian's Kamailio modules, in the folder of the machine's architecture.
MODULE_FOLDERS = "/usr/lib/*/kamailio/modules"
ANA, BEN, CAM, BOSS = "+33600000001", "+33600000002", "+33600000003", "+33387000009"
FIXED_FALLBACK = "+33387999999"  # the phone system's own fallback (not in the roster)
PHONES = (ANA, BEN, CAM, BOSS, FIXED_FALLBACK)
T1 = "2026-06-10T10:00"  # ana at level 1, cam at level 2
T2 = "2026-06-11T10:00"  # after the 02:30 handoff: ben at level 1
RING = 5.0  # the test roster's ring time, seconds


def missing() -> str | None:
    """What the real-call tests need and this machine lacks, or None."""
    for program, package in (("kamailio", "kamailio"), ("sipp", "sip-tester")):
        if shutil.which(program) is None:
            return f"'{program}' is not installed (Debian package {package})"
    if not list(Path("/").glob(MODULE_FOLDERS.lstrip("/") + "/http_client.so")):
        return "Kamailio's http_client module is missing (Debian package kamailio-utils-modules)"
    return None


@pytest.fixture(autouse=True)
def sip_tools() -> None:
    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the real-call tests cannot run in CI: {reason}")
        pytest.skip(reason)


def free_ports(count: int) -> list[int]:
    """Free UDP/TCP ports on 127.0.0.1, held together while chosen so they differ."""
    held = []
    try:
        for _ in range(count):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            held.append(udp)
        return [s.getsockname()[1] for s in held]
    finally:
        for held_socket in held:
            held_socket.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for_sip(port: int, seconds: float = 15) -> None:
    """Until something answers an OPTIONS on 127.0.0.1:PORT (Kamailio answers 404 to it)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    probe.settimeout(0.2)
    local = probe.getsockname()[1]
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            request = (
                f"OPTIONS sip:probe@127.0.0.1:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-probe{time.monotonic_ns()}\r\n"
                f"From: <sip:probe@127.0.0.1:{local}>;tag=probe\r\n"
                f"To: <sip:probe@127.0.0.1:{port}>\r\n"
                f"Call-ID: probe-{time.monotonic_ns()}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
                "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            )
            probe.sendto(request.encode(), ("127.0.0.1", port))
            try:
                if probe.recv(4096).startswith(b"SIP/2.0 "):
                    return
            except (TimeoutError, ConnectionRefusedError):
                continue
        raise AssertionError(f"nothing answers SIP on port {port}")
    finally:
        probe.close()


@dataclass
class Message:
    at: dt.datetime
    received: bool  # else sent
    first_line: str


_STAMP = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n", re.MULTILINE)


def messages(trace: Path) -> list[Message]:
    """The messages of a SIPp -trace_msg file: when (SIPp writes the machine's local time),
    received or sent, and their first line."""
    if not trace.exists():
        return []
    found = []
    parts = _STAMP.split(trace.read_text(encoding="utf-8", errors="replace"))
    for stamp, block in zip(parts[1::2], parts[2::2], strict=True):
        lines = block.strip("\n").splitlines()
        if not lines:
            continue
        first = next((line for line in lines[1:] if line.strip()), "")
        at = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").astimezone()
        found.append(Message(at, "message received" in lines[0], first))
    return found


def received(trace: Path, method: str) -> list[dt.datetime]:
    return [m.at for m in messages(trace) if m.received and m.first_line.startswith(method + " ")]


def sent(trace: Path, method: str) -> list[dt.datetime]:
    found = messages(trace)
    return [m.at for m in found if not m.received and m.first_line.startswith(method + " ")]


@dataclass
class Call:
    """One call through the recipe: the caller's and each phone's traces."""

    folder: Path
    caller_code: int

    def trace(self, number: str) -> Path:
        return self.folder / f"phone{number}.trace"

    @property
    def caller_trace(self) -> Path:
        return self.folder / "caller.trace"

    def invited(self) -> list[str]:
        """The numbers whose phone received an INVITE, in the order they received it."""
        firsts = [(received(self.trace(n), "INVITE"), n) for n in PHONES]
        return [number for times, number in sorted((t[0], n) for t, n in firsts if t)]


class Lab:
    """Kamailio from the recipe, the carrier, and a SIPp phone per number, in ``folder``."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self.folder = folder
        self.stack = stack

    def start_kamailio(self, name: str, config: str, port: int) -> None:
        """Kamailio with ``config`` (its imported files already in the folder), answering."""
        (self.folder / f"{name}.cfg").write_text(config, encoding="utf-8")
        log = (self.folder / f"{name}.log").open("wb")
        self.stack.callback(log.close)
        process = subprocess.Popen(
            [
                "kamailio",
                "-f",
                str(self.folder / f"{name}.cfg"),
                "-DD",
                "-E",
                "-e",
                "-m",
                "32",
                "-M",
                "8",
                "-P",
                str(self.folder / f"{name}.pid"),
                "-Y",
                str(self.folder / f"{name}.run"),
                "-w",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        (self.folder / f"{name}.run").mkdir(exist_ok=True)
        self.stack.callback(stop, process)
        try:
            wait_for_sip(port)
        except AssertionError:
            stop(process)
            raise AssertionError(
                (self.folder / f"{name}.log").read_text(errors="replace")
            ) from None

    def sipp(self, scenario: str, port: int, name: str, *target: str) -> list[str]:
        """SIPp's command line: one call of ``scenario`` from 127.0.0.1:``port`` (to
        ``target``, for the caller), its messages and errors traced as ``name``."""
        return [
            "sipp",
            *target,
            "-sf",
            str(SIP / scenario),
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            "1",
            "-timeout",
            "40s",
            "-nostdin",
            "-trace_msg",
            "-message_file",
            str(self.folder / f"{name}.trace"),
            "-trace_err",
            "-error_file",
            str(self.folder / f"{name}.errors"),
        ]

    def start_phone(self, number: str, port: int, scenario: str) -> None:
        process = subprocess.Popen(
            self.sipp(scenario, port, f"phone{number}"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        self.stack.callback(stop, process)

    def call(self, port: int) -> int:
        run = subprocess.run(
            self.sipp("caller.xml", free_ports(1)[0], "caller", f"127.0.0.1:{port}"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        return run.returncode


@contextmanager
def lab_call(
    tmp_path: Path,
    at: str,
    *,
    ringing: tuple[str, ...] = (),
    service: str = "running",
) -> Iterator[Call]:
    """A call to the on-call line at ``at`` (the plan's instant), with the route service
    ``running``, ``stopped`` (nothing listens on its port) or ``hung`` (it accepts the
    connection and never answers); the phones of ``ringing`` never answer, the others do."""
    from astreinte_cli.route.recipes import recipe_text

    folder = tmp_path / "lab"
    folder.mkdir()
    kamailio_port, carrier_port, service_port, *phone_ports = free_ports(3 + len(PHONES))
    with ExitStack() as stack:
        if service == "running":
            rosters = tmp_path / "rosters"
            shutil.copytree(ROSTER, rosters)
            route = stack.enter_context(running(rosters, tmp_path))
            service_port = route.port
        elif service == "hung":
            # Accepts connections (the kernel completes them) and never reads or answers.
            silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            silent.bind(("127.0.0.1", service_port))
            silent.listen(16)
            stack.callback(silent.close)
        lab = Lab(folder, stack)
        for number, port in zip(PHONES, phone_ports, strict=True):
            scenario = "phone_rings.xml" if number in ringing else "phone_answers.xml"
            lab.start_phone(number, port, scenario)
        numbers = "\n".join(
            f'\tif ($rU == "{number}") {{ $du = "sip:127.0.0.1:{port}"; }}'
            for number, port in zip(PHONES, phone_ports, strict=True)
        )
        (folder / "carrier-local.cfg").write_text(f"listen=udp:127.0.0.1:{carrier_port}\n")
        (folder / "carrier-numbers.cfg").write_text(f"route[NUMBERS] {{\n{numbers}\n}}\n")
        lab.start_kamailio("carrier", (SIP / "carrier.cfg").read_text(), carrier_port)
        query = f"/route?team=hotline&format=dial&at={at.replace(':', '%3A')}"
        (folder / "astreinte-local.cfg").write_text(
            f"listen=udp:127.0.0.1:{kamailio_port}\n"
            '#!define ONCALL_LINE "astreinte"\n'
            f'#!define ROUTE_SERVICE "astreinte=>http://kamailio:{TOKEN}@127.0.0.1:{service_port}'
            ';timeout=1"\n'
            f'#!define ROUTE_QUERY "{query}"\n'
            f'#!define TRUNK "127.0.0.1:{carrier_port}"\n'
            f'#!define FALLBACK "{FIXED_FALLBACK}"\n'
            '#!define FALLBACK_RING "5"\n'
        )
        lab.start_kamailio("kamailio", recipe_text("kamailio"), kamailio_port)
        code = lab.call(kamailio_port)
        yield Call(folder, code)


def diagnose(call: Call) -> str:
    parts = []
    for name in ("kamailio.log", "carrier.log", "caller.errors"):
        path = call.folder / name
        if path.exists():
            parts.append(f"== {name}\n{path.read_text(errors='replace')[-3000:]}")
    return "\n".join(parts)


def test_at_t1_the_call_reaches_level_1(tmp_path: Path) -> None:
    with lab_call(tmp_path, T1) as call:
        assert call.caller_code == 0, diagnose(call)
        assert call.invited() == [ANA], diagnose(call)
        assert received(call.trace(ANA), "BYE")


def test_at_t2_the_call_reaches_the_next_shift(tmp_path: Path) -> None:
    with lab_call(tmp_path, T2) as call:
        assert call.caller_code == 0, diagnose(call)
        assert call.invited() == [BEN], diagnose(call)


def test_level_1_does_not_answer_then_level_2_rings(tmp_path: Path) -> None:
    with lab_call(tmp_path, T1, ringing=(ANA,)) as call:
        assert call.caller_code == 0, diagnose(call)
        assert call.invited() == [ANA, CAM], diagnose(call)
        (invite,) = received(call.trace(ANA), "INVITE")
        (cancel,) = received(call.trace(ANA), "CANCEL")
        rang = (cancel - invite).total_seconds()
        assert RING - 1 <= rang <= RING + 1, rang
        (next_invite,) = received(call.trace(CAM), "INVITE")
        # Level 2 rings as level 1 is cancelled (the two may arrive in either order).
        assert abs((next_invite - cancel).total_seconds()) <= 1
        assert received(call.trace(CAM), "BYE")


@pytest.mark.parametrize("service", ["stopped", "hung"])
def test_without_the_route_service_the_fixed_fallback_rings(tmp_path: Path, service: str) -> None:
    with lab_call(tmp_path, T1, service=service) as call:
        assert call.caller_code == 0, diagnose(call)
        assert call.invited() == [FIXED_FALLBACK], diagnose(call)
        (called,) = sent(call.caller_trace, "INVITE")[:1]
        (rang,) = received(call.trace(FIXED_FALLBACK), "INVITE")
        waited = (rang - called).total_seconds()
        # Stopped: at once. Hung: the recipe's one-second timeout, then at once.
        assert waited <= (0.5 if service == "stopped" else 1.6), waited
    assert "no plan (HTTP status" in (call.folder / "kamailio.log").read_text(errors="replace")
