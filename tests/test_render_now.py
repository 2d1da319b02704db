"""The `now` view as plain text (render/now.py): astreinte's own wrapping rule, as a table of
examples and as properties; the example roster as it has always been written; and on a
terminal, the same lines through Rich, in colour."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astreinte_cli.i18n import set_language
from astreinte_cli.render.now import Line, columns, now_lines, plain_text, renderable, wrap

DATA = Path(__file__).parent / "data" / "cli"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("paragraph", "width", "lines"),
    [
        pytest.param("abc def", 7, ["abc def"], id="fits"),
        pytest.param("aaa bbb ccc", 7, ["aaa bbb", "ccc"], id="cut at a space"),
        pytest.param("aaa bbb", 5, ["aaa ", "bbb"], id="the ending space stays"),
        pytest.param("aaa    bbb", 5, ["aaa  ", "bbb"], id="spaces stay up to the width"),
        pytest.param(
            "  instructions: call back", 16, ["  instructions: ", "call back"], id="an indent"
        ),
        pytest.param(
            "see https://example.fr/a/very/long/path ok",
            10,
            ["see ", "https://ex", "ample.fr/a", "/very/long", "/path ok"],
            id="a word wider than the width",
        ),
        pytest.param(
            f"Consignes{NBSP}: appeler", 12, [f"Consignes{NBSP}: ", "appeler"], id="no-break space"
        ),
        pytest.param(f"a{NBSP}bc", 2, [f"a{NBSP}", "bc"], id="no-break space in a long word"),
        pytest.param("漢字漢字 ok", 5, ["漢字", "漢字 ", "ok"], id="wide characters"),
        pytest.param("漢", 1, ["漢"], id="a character wider than the width"),
        pytest.param("e\u0301te\u0301 x", 5, ["e\u0301te\u0301 x"], id="combining accents"),
        pytest.param("a\u200bb c", 3, ["a\u200bb ", "c"], id="a zero-width space"),
        pytest.param("      ", 3, ["   "], id="only spaces"),
    ],
)
def test_wrap(paragraph: str, width: int, lines: list[str]) -> None:
    assert wrap(paragraph, width) == lines


def test_columns() -> None:
    assert columns("Zoé · ● —") == 9
    assert columns("漢字😀") == 6
    assert columns("e\u0301\u200b\x1b") == 1


# Spaces of several kinds, words, wide and zero-width characters, and what the view writes.
PARAGRAPHS = st.lists(
    st.sampled_from(
        [" ", "  ", NBSP, "a", "Zoé", "word", "longerwordthanmost", "—", "·", "●", "⚠", "漢字",
         "😀", "e\u0301", "\u200b", "+33 3 87 55 00 00"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@given(paragraph=PARAGRAPHS, width=st.integers(1, 90))
def test_wrap_keeps_the_text_and_the_width(paragraph: str, width: int) -> None:
    """The lines are the paragraph in order, with only spaces left out, and those only at the
    end of a line; no line is wider than the width but a lone character wider than it."""
    lines = wrap(paragraph, width)
    assert re.fullmatch(" *".join(map(re.escape, lines)) + " *", paragraph), lines
    assert all(columns(line) <= width or len(line) == 1 for line in lines), lines


@given(paragraph=PARAGRAPHS, width=st.integers(1, 90))
def test_wrap_fills_each_line(paragraph: str, width: int) -> None:
    """A line ends where the next word would not fit: the text that begins the next line, up
    to its first space, does not fit in what the line before leaves (a word that began on that
    line and goes on, cut at the width, neither)."""
    lines = wrap(paragraph, width)
    for line, following in itertools.pairwise(lines):
        word = following.split(" ")[0]
        assert columns(word) == 0 or columns(line) + columns(word) > width, (line, following)


# --------------------------------------------------------------------------- the plain view


def _plain_environment(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8")


def test_each_line_of_the_view_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    _plain_environment(monkeypatch, 10)
    view = [Line("Level 1 · ", style="bold").append("Opérateur"), Line(""), Line("aaa bbb ccc")]
    assert plain_text(view, _stream()) == "Level 1 · \nOpérateur\n\naaa bbb \nccc\n"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_example_roster_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, example_rosters: Path, language: str
) -> None:
    """The plain `now` of the example roster, byte for byte (an override's reason under the
    person it put on call)."""
    from astreinte_cli.load import load_roster
    from astreinte_cli.query import team_answer

    set_language(language)
    roster = load_roster(example_rosters)
    at = dt.datetime(2026, 12, 24, 19, 0, tzinfo=dt.UTC)
    view = now_lines(at, [team_answer(roster, team, at) for team in roster.teams])
    _plain_environment(monkeypatch, 80)
    expected = (DATA / f"now-example-{language}.txt").read_text(encoding="utf-8")
    assert plain_text(view, _stream()) == expected


@pytest.mark.parametrize(
    "environment", [{"FORCE_COLOR": "1"}, {"TTY_COMPATIBLE": "1"}, {"FORCE_COLOR": ""}]
)
def test_rich_writes_when_asked_for_a_terminal(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    _plain_environment(monkeypatch, 80)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert plain_text([Line("x", style="bold")], _stream()) is None


def test_rich_writes_tabs_and_other_encodings(monkeypatch: pytest.MonkeyPatch) -> None:
    _plain_environment(monkeypatch, 80)
    assert plain_text([Line("a\tb")], _stream()) is None
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert plain_text([Line("a")], latin) is None


def test_on_a_terminal_the_styles_are_those_of_rich_text() -> None:
    line = Line("  ● ").append(Line("Ana", style="bold").append("  (no phone)", style="yellow"))
    from rich.console import Group
    from rich.text import Text

    group = renderable([line])
    assert isinstance(group, Group)
    (text,) = group.renderables
    assert isinstance(text, Text)
    assert text.plain == "  ● Ana  (no phone)"
    assert [(span.start, span.end, span.style) for span in text.spans] == [
        (4, 19, "bold"),
        (7, 19, "yellow"),
    ]
