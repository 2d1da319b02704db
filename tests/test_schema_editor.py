"""The roster schema in a real editor's language server: what yaml-language-server (the server
behind VS Code's YAML extension, Neovim's yamlls, Helix…) says about a mistake as you type.

It once showed the raw regular expression for a bad date ("String does not match the pattern
of '^\\s*(?:19|2[0-9])…'"): every pattern now has an ``errorMessage`` in words, which the
server shows instead. The server is a Node.js program: ``.ci/run`` installs it under
``.ci/node`` (``ASTREINTE_YAML_LANGUAGE_SERVER`` may name another); without it the test is
skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any, ClassVar

import pytest

ROOT = Path(__file__).parents[1]
SCHEMA = ROOT / "astreinte_cli" / "schemas" / "roster.schema.json"


def _server() -> list[str]:
    named = os.environ.get("ASTREINTE_YAML_LANGUAGE_SERVER")
    installed = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "yaml-language-server"
    found = named or (
        str(installed) if installed.exists() else shutil.which("yaml-language-server")
    )
    if not found:
        message = "yaml-language-server is not installed (.ci/run installs it under .ci/node)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [found, "--stdio"]


class LanguageServer:
    """A minimal LSP client over stdio: enough to open a document and read its diagnostics."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        self.reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self.reader.start()
        capabilities = {"workspace": {"configuration": True}}
        self.request(
            1,
            "initialize",
            {"processId": os.getpid(), "rootUri": None, "capabilities": capabilities},
        )
        self.wait(lambda message: message.get("id") == 1)
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": self.settings}})

    settings: ClassVar[dict[str, Any]] = {"validate": True, "schemaStore": {"enable": False}}

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line:
                return
            self.messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def request(self, ident: int, method: str, params: dict[str, Any]) -> None:
        self._send({"id": ident, "method": method, "params": params})

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def wait(self, wanted: Any, timeout: float = 30) -> dict[str, Any]:
        """The first message ``wanted`` accepts, answering the server's own requests."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            if "id" in message and "method" in message:  # a request from the server
                items = message.get("params", {}).get("items", [])
                answer = [self.settings for _ in items] if items else None
                self._send({"id": message["id"], "result": answer})
            elif wanted(message):
                return message

    def diagnostics(self, uri: str, text: str) -> list[dict[str, Any]]:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": text}})  # fmt: skip
        found = self.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"]["diagnostics"]
            )
        )
        return list(found["params"]["diagnostics"])

    def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.kill()
        self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        self.process.stdout.close()


@pytest.fixture(scope="module")
def server() -> Any:
    running = LanguageServer(_server())
    yield running
    running.close()


def test_a_bad_date_is_explained_in_words(server: LanguageServer, tmp_path: Path) -> None:
    text = (
        f"# yaml-language-server: $schema={SCHEMA.as_uri()}\n"
        "leave:\n"
        "  alice: 2026-13-40 .. 2026-08-23\n"
        "phone_region: FRA\n"
        "interventions:\n"
        "  - {person: alice, team: support, from: 2026-12-12 23h, to: 2026-12-13 00:30}\n"
    )
    found = server.diagnostics((tmp_path / "roster.yaml").as_uri(), text)
    messages = {(d["range"]["start"]["line"], d["message"]) for d in found}
    assert messages == {
        (2, "A period written 'START .. END', e.g. '2026-08-03 .. 2026-08-23' or "
            "'2026-12-24 18:00 .. 2026-12-26 09:00'."),
        (3, "A two-letter region code, e.g. FR, BE or CH."),
        (5, "A date-time written 'YYYY-MM-DD HH:MM', e.g. '2026-12-24 18:00', or a bare date "
            "(00:00); an offset (+01:00, Z) makes it absolute."),
    }  # fmt: skip
    assert not any("pattern" in message for _line, message in messages)
