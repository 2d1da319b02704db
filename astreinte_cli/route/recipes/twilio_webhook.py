"""astreinte: the dial plan for Twilio, as a webhook (a WSGI application, standard library only).

Printed by `astreinte route recipe twilio`. Twilio asks this webhook what to do with a call
to the on-call number; the webhook asks the route service (`astreinte route serve`, on the
same machine) for the team's plan and answers TwiML that dials its first step:

    <Response><Dial timeout="20" action="/twilio/next?step=1&amp;at=…" method="POST">
      <Number>+33…</Number></Dial></Response>

When that step does not answer within its ring time, Twilio requests the ``action`` URL, which
dials the next step, and so on; when a step answered (``DialCallStatus=completed``), the call
ends there. Every step of a call comes from the plan at the instant the call arrived (``at``),
so a handoff during a call does not reshuffle it. When the route service does not answer
within one second, the webhook dials FALLBACK, the fixed number configured here.

Settings (environment):

    ASTREINTE_TEAM            the team whose on-call line this is (required)
    ASTREINTE_FALLBACK        the fixed fallback number, E.164 (required)
    ASTREINTE_PUBLIC_URL      this webhook's public base URL, as Twilio calls it, e.g.
                              https://oncall.example.fr (Twilio signs the full URL)
    TWILIO_AUTH_TOKEN_FILE    the file holding your Twilio auth token (signatures are checked)
    ASTREINTE_ROUTE_URL       default http://127.0.0.1:8470/route
    ASTREINTE_TOKEN_FILE      the route service's token, default /etc/astreinte/route.token

Run it behind your HTTPS reverse proxy, e.g. ``waitress-serve --listen 127.0.0.1:8471
twilio_webhook:app``, and set the number's "A call comes in" webhook to
``https://oncall.example.fr/twilio/call`` (HTTP POST).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape, quoteattr

STEP = re.compile(r"(\+[1-9][0-9]{1,14}),([0-9]{1,3})")
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if not value:
        raise RuntimeError(f"set {name} in the webhook's environment")
    return value


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as stream:
        return stream.read().strip()


def signature_valid(auth_token: str, url: str, form: dict[str, str], given: str) -> bool:
    """Twilio's request signature: HMAC-SHA1 of the URL followed by each POST parameter's name
    and value, sorted by name, with the account's auth token; base64."""
    data = url + "".join(name + form[name] for name in sorted(form))
    expected = base64.b64encode(
        hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    ).decode()
    return hmac.compare_digest(expected, given)


def plan(at: str | None) -> tuple[list[tuple[str, int]], str]:
    """The steps of the team's plan at ``at`` (None: now) and the plan's instant; no step
    when the route service fails."""
    query = {"team": _setting("ASTREINTE_TEAM"), "format": "json"}
    if at is not None:
        query["at"] = at
    url = _setting("ASTREINTE_ROUTE_URL", "http://127.0.0.1:8470/route")
    token = _read(_setting("ASTREINTE_TOKEN_FILE", "/etc/astreinte/route.token"))
    request = urllib.request.Request(
        f"{url}?{urllib.parse.urlencode(query)}", headers={"Authorization": f"Bearer {token}"}
    )
    import json

    try:
        with urllib.request.urlopen(request, timeout=1) as reply:
            document = json.loads(reply.read(1_000_000))
        steps = [(str(s["number"]), int(s["ring_seconds"])) for s in document["steps"]]
        if not all(STEP.fullmatch(f"{n},{r}") for n, r in steps):
            return [], at or ""
        return steps, str(document["at"])
    except Exception:  # anything at all: the fixed fallback takes the call
        return [], at or ""


def _twiml(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{body}</Response>\n'.encode()


def _dial(number: str, seconds: int, action: str | None) -> str:
    attributes = f" timeout={quoteattr(str(seconds))}"
    if action is not None:
        attributes += f' action={quoteattr(action)} method="POST"'
    return f"<Dial{attributes}><Number>{escape(number)}</Number></Dial>"


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The webhook: POST /twilio/call for a new call, POST /twilio/next?step=N&at=… after a
    step that was not answered."""
    path = environ.get("PATH_INFO", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(min(length, 65536)).decode("utf-8", "replace")
    form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
    query = {k: v[-1] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).items()}
    url = _setting("ASTREINTE_PUBLIC_URL").rstrip("/") + path
    if environ.get("QUERY_STRING"):
        url += "?" + environ["QUERY_STRING"]
    auth_token = _read(_setting("TWILIO_AUTH_TOKEN_FILE"))
    given = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
    if environ.get("REQUEST_METHOD") != "POST" or not signature_valid(auth_token, url, form, given):
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [b"forbidden\n"]
    if path == "/twilio/call":
        step, at = 0, None
    elif path == "/twilio/next" and query.get("step", "").isdigit():
        if form.get("DialCallStatus") == "completed":  # answered, and now over
            start_response("200 OK", [("Content-Type", "text/xml")])
            return [_twiml("<Hangup/>")]
        step, at = int(query["step"]), query.get("at")
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    steps, instant = plan(at)
    if not steps:  # the route service failed: the fixed fallback
        body = _dial(_setting("ASTREINTE_FALLBACK"), 30, None)
    elif step >= len(steps):
        body = "<Hangup/>"
    else:
        number, seconds = steps[step]
        action = "/twilio/next?" + urllib.parse.urlencode({"step": step + 1, "at": instant})
        body = _dial(number, seconds, action)
    start_response("200 OK", [("Content-Type", "text/xml")])
    return [_twiml(body)]
