"""Mutated rosters never crash the loader: they load, or every problem is a located diagnostic.

Valid roster texts (the example roster and ``tests/data/valid``) are mutated the ways hands and
tools break files (a deleted span, a duplicated line, two swapped characters, a line indented
differently, a token replaced, a truncation, stray bytes such as NUL, 0xff or control
characters) and loaded. Anything but a :class:`Roster` or a :class:`RosterError` whose every
diagnostic is well formed and renders fails the test. ``tests/conftest.py`` sets the number of
examples: 300 by default, 2000 with ``CI`` set (the suite's longest property test).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from conftest import FUZZ_EXAMPLES
from hypothesis import event, given, settings
from hypothesis import strategies as st

from astreinte_cli.diagnostics import RosterError, SourceLines, format_diagnostic
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster

EXAMPLE = Path(__file__).parents[1] / "rosters"
VALID = Path(__file__).parent / "data" / "valid"


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.suffix == ".yaml"}


def _sources() -> list[dict[str, bytes]]:
    """Rosters as file name → content; one of their files is mutated per example."""
    example = _folder(EXAMPLE)
    with_contacts = {
        **example,
        "contacts.local.yaml": (EXAMPLE / "contacts.local.yaml.example").read_bytes(),
    }
    singles = [{p.name: p.read_bytes()} for p in sorted(VALID.glob("*.yaml"))]
    folders = [_folder(p) for p in sorted(VALID.iterdir()) if p.is_dir()]
    return [example, with_contacts, *singles, *folders]


SOURCES = _sources()

# Pieces that mean something to YAML or to the roster format, so that mutations reach past the
# parser into the roster reader.
NOISE = [
    "\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\t", "\r", "\n", "é", "—",
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "'", '"', "#", "..", " .. ", "---\n",
    "&a ", "*a", "&a [*a]", "!!python/object/apply:os.system ", "!!str ", "!!binary ", "!x ",
    "<<: ", "? ", "|", ">", "~", "null", "[]", "{}", "''", "yes", "no", "[" * 60, "- " * 60,
]  # fmt: skip
WORDS = [
    "team", "name", "timezone", "holidays", "business_hours", "coverage", "on_leave", "fallback",
    "instructions", "levels", "overrides", "rules", "compensation", "interventions", "people",
    "leave", "phone_region", "phone", "email", "kind", "rotations", "members", "start", "every",
    "per_turn", "only", "count", "changes", "end", "level", "who", "from", "to", "replaces",
    "reason", "exceptional", "escalate_after", "closed", "except", "country", "subdiv", "add",
    "remove", "notice_days", "alice", "bob", "bbo", "manager", "thelem", "nobody", "service",
    "person", "active", "calendar", "next", "flag", "always", "weekends", "weekdays",
    "business hours", "outside business hours", "mon", "mon-mon", "fri-mon", "daily",
    "mon,wed,fri", "Europe/Paris", "Europe/Pari", "UTC", "FR", "XX", "57", "67", "none",
    "2026-10-25T02:00+01:00", "2026-03-29 02:30", "2026-02-30", "2026-01-05 09:00", "24:00",
    "25:00", "12:60", "08:00-08:00", "18:00-09:00", "0m", "30m", "1mo", "P1M", "PT0S", "P",
    "1w", "0", "-1", "1", "2", "99", "999999", "1e9", "+33 6 12 34 56 78", "06 12",
    # Extremes: arithmetic on these once left datetime's range, or int()'s digit limit.
    "0001-01-01", "9999-12-31", "9999-12-31T23:59-23:59", "2999-12-31 .. 2999-12-31", "²", "٣",
    "999999999w", "P999999999D", "PT99999999999S", "9" * 5000, "zone.tab", "Europe", "6ae",
]  # fmt: skip
RAW = [b"\x00", b"\xff", b"\xfe", b"\xc3", b"\x80", b"\xef\xbb\xbf", b"\x1b", b"\r", b"\xe2\x80"]
TOKEN = re.compile(r"[^\s:,\[\]{}]+")
Mutation = Callable[[str, st.DataObject], str]


def _position(data: st.DataObject, text: str) -> int:
    return data.draw(st.integers(0, len(text)), label="position")


def _piece(data: st.DataObject) -> str:
    return data.draw(
        st.one_of(st.sampled_from(NOISE), st.sampled_from(WORDS), st.text(max_size=10)),
        label="piece",
    )


def _delete_span(text: str, data: st.DataObject) -> str:
    i = _position(data, text)
    return text[:i] + text[i + data.draw(st.integers(1, 60), label="length") :]


def _duplicate_line(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    k = data.draw(st.integers(0, len(lines) - 1), label="line")
    return "".join([*lines[: k + 1], lines[k], *lines[k + 1 :]])


def _swap(text: str, data: st.DataObject) -> str:
    if len(text) < 2:
        return text
    i = data.draw(st.integers(0, len(text) - 2), label="position")
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _reindent(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    k = data.draw(st.integers(0, len(lines) - 1), label="line")
    indent = data.draw(st.sampled_from(["", " ", "  ", "   ", "    ", "        ", "\t", " \t"]))
    lines[k] = indent + lines[k].lstrip(" \t")
    return "".join(lines)


def _replace_token(text: str, data: st.DataObject) -> str:
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return text
    token = data.draw(st.sampled_from(tokens), label="token")
    return text[: token.start()] + _piece(data) + text[token.end() :]


def _insert(text: str, data: st.DataObject) -> str:
    i = _position(data, text)
    return text[:i] + _piece(data) + text[i:]


def _truncate(text: str, data: st.DataObject) -> str:
    return text[: _position(data, text)]


MUTATIONS: list[Mutation] = [
    _delete_span, _duplicate_line, _swap, _reindent, _replace_token, _insert, _truncate,
]  # fmt: skip


def _mutate(content: bytes, data: st.DataObject) -> bytes:
    text = content.decode("utf-8")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        mutation = data.draw(st.sampled_from(MUTATIONS))
        text = mutation(text, data)
    raw = text.encode("utf-8", errors="surrogatepass")
    if data.draw(st.integers(0, 4), label="raw bytes") == 0:  # mostly keep the text readable
        i = data.draw(st.integers(0, len(raw)), label="byte position")
        junk = data.draw(st.one_of(st.sampled_from(RAW), st.binary(min_size=1, max_size=6)))
        raw = raw[:i] + junk + raw[i:]
    return raw


def _check(location: Path, files: dict[str, bytes]) -> None:
    try:
        roster = load_roster(location)
    except RosterError as exc:
        diagnostics = exc.diagnostics
    else:
        assert isinstance(roster, Roster)
        event("loaded")
        return
    assert diagnostics
    # How deep the mutations reach, for --hypothesis-show-statistics.
    unreadable = ("invalid YAML", "the file is", "YAML ", "a roster file must be")
    event("refused as a file" if diagnostics[0].message.startswith(unreadable) else "refused")
    sources = SourceLines()
    for diagnostic in diagnostics:
        span = diagnostic.span
        assert span.path == str(location) or Path(span.path).parent == location, span
        if span.line == 0:  # a problem with the whole path, not a place in a file
            assert span.column == 0, span
        else:
            assert span.line >= 1, span
            assert span.column >= 1, span
            content = files[Path(span.path).name].decode("utf-8", errors="replace")
            assert span.line <= len(content.splitlines()) + 1, span
        assert diagnostic.message.strip(), diagnostic
        rendered = format_diagnostic(diagnostic, sources)
        assert rendered.startswith(f"{span}: error: {diagnostic.message}")


@settings(max_examples=FUZZ_EXAMPLES)
@given(data=st.data())
def test_mutated_rosters_load_or_report(data: st.DataObject) -> None:
    files = dict(data.draw(st.sampled_from(SOURCES), label="roster"))
    target = data.draw(st.sampled_from(sorted(files)), label="file")
    files[target] = _mutate(files[target], data)
    with tempfile.TemporaryDirectory() as folder:
        location = Path(folder)
        for name, content in files.items():
            (location / name).write_bytes(content)
        _check(location, files)
