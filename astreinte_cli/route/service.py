"""The route service: `astreinte route serve`. A phone system asks it, at each call, whom to
ring: ``GET /route?team=X`` answers the dial plan as JSON (``&format=dial``: ``number,seconds``
lines; ``&at=WHEN`` another instant than the clock's).

- HTTP is Waitress's (a maintained pure-Python WSGI server, which also listens on Unix
  sockets); this module is a small WSGI application. It listens on a loopback address or a
  Unix socket only: whatever must reach it from elsewhere goes through a reverse proxy.
- Every request carries the token of ``--token-file``: ``Authorization: Bearer TOKEN``, or
  HTTP Basic with the token as password (what a URL like ``http://x:TOKEN@127.0.0.1/`` sends,
  for clients that cannot add a header). Compared in constant time; 401 otherwise.
- The roster stays in memory (:class:`~astreinte_cli.route.source.RosterWatch`), loaded again
  when its files change, as `now` loads it; when they do not load, the last valid roster
  keeps answering, marked ``stale`` as `now --json` marks it. Plans are kept until they change
  (``valid_until``).
- Each answer is logged on stderr with its numbers masked (``+33 6 •• •• •• 78``) and what the
  client sent shown with its control characters escaped; roster errors are logged by place
  only (the source line could hold a number).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hmac
import ipaddress
import json
import logging
import os
import signal
import stat
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from astreinte_cli.diagnostics import RosterError
from astreinte_cli.errors import HintedError
from astreinte_cli.i18n import _
from astreinte_cli.printable import printable
from astreinte_cli.route.documents import dial_text, mask_number, plan_document
from astreinte_cli.route.plan import DialPlan, dial_plan
from astreinte_cli.route.source import Loaded, RosterWatch
from astreinte_cli.safe_read import UnreadableFile, read_own_file

log = logging.getLogger("astreinte.route")

MIN_TOKEN = 16  # characters: a token anyone could guess protects nothing
MAX_TOKEN_FILE_BYTES = 4096  # a token is a word; /dev/zero as the file is no token

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class ServiceError(HintedError):
    """The service cannot start as asked (a token file, an address): a usage error."""


# --------------------------------------------------------------------------- starting


def read_token(path: Path) -> bytes:
    """The token in ``path``, which only its owner may read (a token others can read protects
    nothing): surrounding whitespace removed, at least :data:`MIN_TOKEN` characters."""
    try:
        # A FIFO or a device (/dev/zero) refused, not read for ever; a link to a secrets folder
        # followed.
        text = read_own_file(path, limit=MAX_TOKEN_FILE_BYTES).decode("utf-8").strip()
        info = path.stat()
    except (OSError, UnicodeDecodeError, UnreadableFile) as exc:
        reason = exc.describe() if isinstance(exc, UnreadableFile) else str(exc)
        raise ServiceError(
            _("--token-file {path}: cannot read it ({reason})").format(path=path, reason=reason),
            _(
                "create it with: `umask 077; "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > {path}`"
            ).format(path=path),
        ) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ServiceError(
            _("--token-file {path}: readable by others than its owner").format(path=path),
            _("chmod 600 {path}").format(path=path),
        )
    if len(text) < MIN_TOKEN or any(c.isspace() for c in text):
        raise ServiceError(
            _(
                "--token-file {path}: the token must be one word of at least {count} characters"
            ).format(path=path, count=MIN_TOKEN),
            _(
                "create it with: `umask 077; "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > {path}`"
            ).format(path=path),
        )
    return text.encode()


def read_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6), a loopback address only; ``localhost`` is
    127.0.0.1. Port 0 takes a free port (the log says which)."""
    host, _colon, port_text = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
        port = int(port_text)
        if not 0 <= port <= 65535:
            raise ValueError(port)
    except ValueError:
        raise ServiceError(
            _("--listen '{text}' is not HOST:PORT").format(text=text),
            _("e.g. 127.0.0.1:8470 or [::1]:8470"),
        ) from None
    if not address.is_loopback:
        raise ServiceError(
            _("--listen {host}: the route service listens on a loopback address only").format(
                host=host
            ),
            _("put a reverse proxy with TLS in front of it to reach it from elsewhere"),
        )
    return str(address), port


# --------------------------------------------------------------------------- the application


class RouteApp:
    """The WSGI application of the route service."""

    def __init__(
        self,
        watch: RosterWatch,
        token: bytes,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.watch = watch
        self.token = token
        self.clock = clock
        self._plans: dict[tuple[int, str], DialPlan] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        try:
            status, headers, body, note = self._answer(environ)
        except Exception:  # a bug answers 500 and is logged; the service goes on
            log.exception("internal error")
            status, headers, body, note = _error("500 Internal Server Error", "internal error")
        elapsed = (time.perf_counter() - started) * 1000
        # What the client sent (a path, a team id) is shown, never acting on the log: a line
        # feed or an escape sequence in it would forge a line or rewrite the terminal.
        log.info(
            "%s %s %s %s (%.1f ms)",
            printable(str(environ.get("REQUEST_METHOD", "?"))),
            printable(str(environ.get("PATH_INFO", "?"))),
            status.partition(" ")[0],
            printable(note),
            elapsed,
        )
        headers.append(("Cache-Control", "no-store"))
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def _answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes, str]:
        if not self._authorised(environ.get("HTTP_AUTHORIZATION", "")):
            status, headers, body, _note = _error("401 Unauthorized", "a valid token is needed")
            headers.append(("WWW-Authenticate", 'Bearer realm="astreinte"'))
            headers.append(("WWW-Authenticate", 'Basic realm="astreinte"'))
            return status, headers, body, "unauthorised"
        if environ.get("PATH_INFO") != "/route":
            return _error("404 Not Found", "the only path is /route")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            status, headers, body, note = _error("405 Method Not Allowed", "use GET")
            headers.append(("Allow", "GET, HEAD"))
            return status, headers, body, note
        try:
            query = parse_qs(environ.get("QUERY_STRING", ""), max_num_fields=8)
        except ValueError:
            return _error("400 Bad Request", "too many query parameters")
        team_id = _single(query, "team")
        output = _single(query, "format") or "json"
        if team_id is None:
            return _error("400 Bad Request", "give the team: /route?team=ID")
        if output not in ("json", "dial"):
            return _error("400 Bad Request", "format is json or dial")
        loaded = self.watch.loaded
        if loaded is None:
            return _error("503 Service Unavailable", "no valid roster has loaded yet")
        try:
            team = loaded.roster.team(team_id)
        except KeyError:
            return _error("404 Not Found", f"no team '{team_id}'")
        now = self.clock().replace(microsecond=0)
        at = now
        when = _single(query, "at")
        if when is not None:
            from astreinte_cli.times import TimeSyntaxError
            from astreinte_cli.when import parse_when

            try:
                at = parse_when(when, team.zone, now)
            except TimeSyntaxError as exc:
                return _error("400 Bad Request", f"at: {exc.message}")
        plan = self._plan(loaded, team_id, at)
        headers = [("X-Astreinte-Complete", "no" if plan.can_go_unanswered else "yes")]
        if loaded.stale is not None:
            headers.append(("X-Astreinte-Stale", "yes"))
        if output == "dial":
            body = dial_text(plan).encode()
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        else:
            document = plan_document(plan, now, loaded.stale)
            body = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
            headers.append(("Content-Type", "application/json; charset=utf-8"))
        numbers = ", ".join(mask_number(step.number) for step in plan.steps) or "nobody"
        note = (
            f"team={team_id} format={output} steps={len(plan.steps)} [{numbers}]"
            f"{' stale' if loaded.stale else ''}"
            f"{' incomplete' if plan.can_go_unanswered else ''}"
        )
        return "200 OK", headers, body, note

    def _authorised(self, header: str) -> bool:
        scheme, _space, credentials = header.strip().partition(" ")
        given = b""
        if scheme.lower() == "bearer":
            given = credentials.strip().encode()
        elif scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True)
            except (binascii.Error, ValueError):
                return False
            given = decoded.partition(b":")[2]
        return bool(given) and hmac.compare_digest(given, self.token)

    def _plan(self, loaded: Loaded, team_id: str, at: dt.datetime) -> DialPlan:
        """The plan at ``at``: a kept one while it holds (from its instant to its
        ``valid_until``, for the same roster), else computed and kept."""
        key = (loaded.generation, team_id)
        kept = self._plans.get(key)
        if (
            kept is not None
            and kept.at <= at
            and (kept.valid_until is None or at < kept.valid_until)
        ):
            return dataclasses.replace(kept, at=at)
        plan = dial_plan(loaded.roster, loaded.roster.team(team_id), at)
        if len(self._plans) > 1024 or any(g != loaded.generation for g, _t in self._plans):
            self._plans.clear()
        self._plans[key] = plan
        return plan


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _error(status: str, message: str) -> tuple[str, list[tuple[str, str]], bytes, str]:
    body = (json.dumps({"error": message}) + "\n").encode()
    return status, [("Content-Type", "application/json; charset=utf-8")], body, message


# --------------------------------------------------------------------------- running


def report_roster_error(error: RosterError) -> None:
    """A roster error in the service's log: where, never the source line (it may hold a
    phone number); `astreinte check` shows the whole message."""
    places = [
        f"{printable(str(d.span.path))}:{d.span.line}:{d.span.column}"
        for d in error.diagnostics
        if d.severity == "error"
    ]
    log.warning(
        "the roster does not load (%d error%s at %s): answering from the last valid roster; "
        "run 'astreinte check' for the details",
        len(places),
        "" if len(places) == 1 else "s",
        ", ".join(places[:10]) + (" …" if len(places) > 10 else ""),
    )


def serve(
    location: Path,
    token: bytes,
    where: tuple[str, int] | Path,
    *,
    poll: float = 1.0,
) -> None:
    """Runs the service until SIGTERM or SIGINT. Raises :class:`RosterError` when the roster
    does not load at start and no valid one was ever kept (a service that could only answer
    503 is better refused while someone is watching)."""
    try:
        from waitress.server import create_server
    except ImportError:
        raise ServiceError(
            _("route serve needs the Waitress HTTP server, which is not installed"),
            _("pip install 'astreinte[route]'"),
        ) from None
    logging.basicConfig(format="%(asctime)s astreinte route: %(message)s", level=logging.INFO)
    logging.getLogger("waitress").setLevel(logging.WARNING)
    errors: list[RosterError] = []
    watch = RosterWatch(location, interval=poll, report=errors.append)
    if watch.loaded is None:
        raise errors[-1]
    for error in errors:
        report_roster_error(error)
    watch.report = report_roster_error
    options: dict[str, Any] = {"threads": 4, "ident": "astreinte", "channel_timeout": 30}
    if isinstance(where, Path):
        if where.is_socket():
            where.unlink()  # left by a service that did not stop cleanly
        server = create_server(RouteApp(watch, token), unix_socket=str(where),
                               unix_socket_perms="660", **options)  # fmt: skip
        address = f"unix:{where}"
    else:
        host, port = where
        server = create_server(RouteApp(watch, token), host=host, port=port, **options)
        bound = str(server.effective_host)
        shown = f"[{bound}]" if ":" in bound else bound
        address = f"http://{shown}:{server.effective_port}"

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watch.start()
    log.info("listening on %s (roster %s, pid %d)", address, location, os.getpid())
    try:
        server.run()
    finally:
        watch.stop()
        server.close()
        if isinstance(where, Path):
            where.unlink(missing_ok=True)
        log.info("stopped")
