"""The `now` view written without Rich (render/now.py) is what Rich writes: same wrapping at the
same width, same characters; and on a terminal it goes through Rich, which colours it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from astreinte_cli.render.now import Line, plain_text, renderable

# Spaces of several kinds, words, wide and zero-width characters, what the view writes, and
# the control codes Rich removes or keeps.
ALPHABET = st.sampled_from(
    [" ", " ", "  ", "\u00a0", "\n", "a", "Zoé", "word", "longerwordthanmost", "—", "·", "●",
     "⚠", "漢字", "😀", "e\u0301", "\u200b", "\x07", "\r", "\x1b", "+33 3 87 55 00 00"]
)  # fmt: skip
STYLES = st.sampled_from(["", "bold", "dim", "bold red", "yellow"])
TEXTS = st.lists(ALPHABET, max_size=30).map("".join)


@st.composite
def lines(draw: st.DrawFn) -> list[Line]:
    result = []
    for _ in range(draw(st.integers(1, 4))):
        line = Line(draw(TEXTS), style=draw(STYLES))
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                line.append(draw(TEXTS), style=draw(STYLES))
            else:
                line.append(Line(draw(TEXTS), style=draw(STYLES)).append(draw(TEXTS), "cyan"))
        result.append(line)
    return result


def _plain_environment(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8")


def _rich(view: list[Line]) -> str:
    stream = io.StringIO()
    Console(file=stream, highlight=False).print(renderable(view))
    return stream.getvalue()


@given(view=lines(), width=st.integers(1, 90))
def test_plain_text_is_what_rich_writes(view: list[Line], width: int) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _plain_environment(monkeypatch, width)
        assert plain_text(view, _stream()) == _rich(view)


def test_the_example_roster_wraps_as_rich_does(
    monkeypatch: pytest.MonkeyPatch, example_rosters: Path
) -> None:
    import datetime as dt

    from astreinte_cli.load import load_roster
    from astreinte_cli.query import team_now
    from astreinte_cli.render.now import now_lines

    roster = load_roster(example_rosters)
    at = dt.datetime(2026, 12, 24, 19, 0, tzinfo=dt.UTC)
    view = now_lines(roster, at, [(team, team_now(roster, team, at)) for team in roster.teams])
    for width in (20, 40, 80, 200):
        _plain_environment(monkeypatch, width)
        text = plain_text(view, _stream())
        assert text == _rich(view)
        assert "Instructions:" in text


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
