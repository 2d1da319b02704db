"""CSV export: one row per shift, safe to open in a spreadsheet.

Named ``table`` rather than ``csv`` so that it never shadows the standard library's module.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from astreinte_cli.model import Roster

COLUMNS = ("team", "level", "level_name", "who", "names", "start", "end", "source")
# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"); tab and carriage return are the sneaky variants.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell, prefixed with an apostrophe when a spreadsheet would run it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def shift_rows(roster: Roster, shifts: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """Rows for the ``shifts`` of a ``show --json`` document (who: ids space-separated)."""
    rows = []
    for shift in shifts:
        team = roster.team(shift["team"])
        rows.append(
            [
                shift["team"],
                str(shift["level"]),
                team.level(shift["level"]).name,
                " ".join(shift["who"]),
                roster.names(shift["who"]),
                shift["start"],
                shift["end"],
                shift["source"] or "",
            ]
        )
    return rows


# A decimal number as the report writes it ("7.50", "304.94"): written "7,50" in excel-fr.
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]], dialect: str = "rfc4180") -> str:
    """CSV text (CRLF line ends), header first, every cell neutralised against formulas.

    ``rfc4180``: commas, decimal points. ``excel-fr``: what a spreadsheet set to French opens
    right with a double click: semicolons between cells, decimal commas, and a UTF-8 byte
    order mark first (without it, Excel reads the file in the machine's legacy code page)."""
    french = dialect == "excel-fr"
    buffer = io.StringIO()
    if french:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        cells = [neutralise(cell) for cell in row]
        if french:
            cells = [c.replace(".", ",") if _DECIMAL.fullmatch(c) else c for c in cells]
        writer.writerow(cells)
    return buffer.getvalue()


def shifts_csv(roster: Roster, shifts: Iterable[Mapping[str, Any]]) -> str:
    """RFC 4180 text (CRLF line ends), header first, every cell neutralised."""
    return csv_text(COLUMNS, shift_rows(roster, shifts))
