"""CSV that spreadsheets open safely: cells that would run as formulas are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from tracker.text import visible_controls

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The text of a cell; one starting like a formula gets a leading apostrophe.

    Spreadsheets run ``=HYPERLINK(...)`` and friends from CSV; a title typed by a
    user must stay text (OWASP's CSV injection advice). Control characters other
    than line breaks and tabs (an escape sequence, say, which acts when the file
    is shown in a terminal) are written as visible symbols (ESC as ␛). A carriage
    return becomes a line feed: the writer quotes cells with line feeds only, and
    readers split rows at a bare CR, so an unquoted ``x\r=1`` would start a new row
    with a live formula.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return visible_controls(text.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
