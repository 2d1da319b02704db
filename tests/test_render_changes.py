"""One wording of a timeline change (render/changes.py), which `diff`, `override add` and
`swap` all print: each sentence shape, in English and in French, exact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import pytest

from astreinte_cli.diff import Change
from astreinte_cli.i18n import set_language
from astreinte_cli.render.changes import change_sentence

if TYPE_CHECKING:
    from conftest import Cli

PARIS = ZoneInfo("Europe/Paris")
START = dt.datetime(2026, 12, 14, 9, tzinfo=PARIS)
END = dt.datetime(2026, 12, 21, 9, tzinfo=PARIS)
EN_RANGE = "from Mon 14 Dec 09:00 to Mon 21 Dec 09:00"
FR_RANGE = "du lundi 14 décembre, 09:00 au lundi 21 décembre, 09:00"


def change(
    person: str,
    kind: Literal["gains", "loses"],
    others: tuple[str, ...],
    *,
    within: bool = False,
    breaks: bool = False,
) -> Change:
    return Change("support", 2, "Niveau 2", person, kind, START, END, others, None, within, breaks)


SHAPES = [
    pytest.param(
        change("bob", "gains", ("alice",)),
        f"bob gains level 2 {EN_RANGE}, taking it from alice",
        f"bob prend le niveau 2 {FR_RANGE}, le prenant à alice",
        id="gains from others",
    ),
    pytest.param(
        change("bob", "gains", ()),
        f"bob gains level 2 {EN_RANGE}, where nobody was on call",
        f"bob prend le niveau 2 {FR_RANGE}, où personne n’était d’astreinte",
        id="gains where nobody was on call",
    ),
    pytest.param(
        change("alice", "loses", ("bob", "chloe")),
        f"alice loses level 2 {EN_RANGE}, giving it to bob, chloe",
        f"alice cède le niveau 2 {FR_RANGE}, au profit de bob, chloe",
        id="loses to others",
    ),
    pytest.param(
        change("alice", "loses", ()),
        f"alice loses level 2 {EN_RANGE}, and nobody takes it over",
        f"alice cède le niveau 2 {FR_RANGE}, et personne ne le reprend",
        id="loses and nobody takes over",
    ),
    pytest.param(
        change("alice", "loses", ("bob",), within=True),
        f"alice loses level 2 {EN_RANGE}, giving it to bob [inside the 15-day notice window]",
        f"alice cède le niveau 2 {FR_RANGE}, au profit de bob "
        "[dans le délai de prévenance de 15 jours]",
        id="inside the notice window",
    ),
    pytest.param(
        change("bob", "gains", ("alice",), within=True, breaks=True),
        f"bob gains level 2 {EN_RANGE}, taking it from alice [breaks the 15-day notice]",
        f"bob prend le niveau 2 {FR_RANGE}, le prenant à alice "
        "[enfreint le délai de prévenance de 15 jours]",
        id="breaks the notice",
    ),
]


@pytest.mark.parametrize(("found", "in_english", "in_french"), SHAPES)
def test_each_sentence_shape(found: Change, in_english: str, in_french: str) -> None:
    assert change_sentence(found, PARIS, 15) == in_english
    set_language("fr")
    assert change_sentence(found, PARIS, 15) == in_french


def test_swap_speaks_french_as_diff_does(cli: Cli, tmp_path: Path) -> None:
    """`swap` (and `override add`, which prints its changes the same way) once wrote
    "alice loses level 2 du lundi…": half English, half French."""
    folder = tmp_path / "rosters"
    folder.mkdir()
    (folder / "ops.yaml").write_text(
        "people:\n  ana: {name: Ana}\n  bob: {name: Bob}\n"
        "team: ops\ntimezone: Europe/Paris\nrules: {notice_days: off}\n"
        "levels:\n  - name: Primary\n    rotations:\n"
        "      - members: [ana, bob]\n        start: 2026-01-05 09:00\n",
        encoding="utf-8",
    )
    run = cli(
        "--lang", "fr", "swap", "ana", "bob", "--rosters", str(folder),
        "--from", "2026-01-05 09:00", "--to", "2026-01-12 09:00", "--at", "2026-01-01",
        "--dry-run",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.stdout.splitlines()[-4:-1] == [
        "ops (ops), Europe/Paris\u00a0:",
        "  ana cède le niveau 1 du lundi 5 janvier, 09:00 au lundi 12 janvier, 09:00, "
        "au profit de bob",
        "  bob prend le niveau 1 du lundi 5 janvier, 09:00 au lundi 12 janvier, 09:00, "
        "le prenant à ana",
    ]
