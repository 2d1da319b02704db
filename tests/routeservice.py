"""A route service (`astreinte route serve`) run as a process for the tests, and a client."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN = "route-test-token-0123456789abcdef"


def token_file(folder: Path, text: str = TOKEN, mode: int = 0o600) -> Path:
    path = folder / "token"
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Service:
    process: subprocess.Popen[str]
    address: str  # http://127.0.0.1:PORT or unix:PATH
    log_path: Path
    closed: bool = field(default=False)

    @property
    def port(self) -> int:
        return int(self.address.rpartition(":")[2])

    def get(self, target: str, token: str | None = TOKEN, basic: bool = False) -> Response:
        headers = {}
        if token is not None:
            if basic:
                credentials = base64.b64encode(f"phone:{token}".encode()).decode()
                headers["Authorization"] = f"Basic {credentials}"
            else:
                headers["Authorization"] = f"Bearer {token}"
        if self.address.startswith("unix:"):
            connection: http.client.HTTPConnection = UnixConnection(self.address[5:])
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", target, headers=headers)
            reply = connection.getresponse()
            headers: dict[str, str] = {}
            for name, value in reply.getheaders():  # repeated headers joined, as HTTP allows
                key = name.lower()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            return Response(reply.status, headers, reply.read().decode("utf-8"))
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def stop(self) -> int:
        """SIGTERM, then the exit code (killed after 10 s: a service that does not stop on
        SIGTERM fails its test rather than hanging the suite)."""
        if not self.closed:
            self.closed = True
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                raise
        return self.process.returncode


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)


def environment(state: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_STATE_HOME"] = str(state)
    env.pop("ASTREINTE_ROSTERS", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def running(rosters: Path, folder: Path, *arguments: str, poll: str = "0.2") -> Iterator[Service]:
    """`astreinte route serve` on a free loopback port (or the --unix-socket given), stopped
    when the block ends, whatever happens in it."""
    log_path = folder / "service.log"
    token = token_file(folder)
    command = [
        sys.executable, "-m", "astreinte_cli", "route", "serve", "--rosters", str(rosters),
        "--token-file", str(token), "--poll", poll, *(arguments or ("--listen", "127.0.0.1:0")),
    ]  # fmt: skip
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment(folder / "state"),
        )
    service = Service(process, "", log_path)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            found = re.search(r"listening on (\S+)", service.log())
            if found:
                service.address = found.group(1)
                break
            if process.poll() is not None:
                raise AssertionError(f"the service exited {process.returncode}:\n{service.log()}")
            time.sleep(0.05)
        else:
            raise AssertionError(f"the service did not start:\n{service.log()}")
        yield service
    finally:
        if not service.closed:
            service.closed = True
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
