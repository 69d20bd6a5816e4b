"""The for-updates workbook: the actions and indicators of one person or organisation, to
fill in and give back to `tracker import-updates`.

Sheet "Actions": only the new status (a drop-down of statuses in words), a note and a
completion date can be edited; sheet "Indicators": only a new value and the date it was
measured. Every other cell is locked and the sheets are protected (without a password, so
that spreadsheet programs show them read-only, not to keep anyone out). Each row carries
the version its action had at export, the export id and a row id, which the import uses to
find conflicts and rows already applied. User text is written as text, never parsed.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from tracker.models.enums import Status
from tracker.services.reporting.update_sheets import UpdateSheets
from tracker.services.tracking.update_files import (
    ACTION_COLUMNS,
    ACTION_EDITABLE,
    ACTIONS_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_EDITABLE,
    INDICATORS_SHEET,
)
from tracker.text import visible_controls

_WIDTHS = {"ref": 32, "title": 50, "name": 40, "note": 50, "lead": 28, "owner": 14, "export id": 38}
_ROWS_VALIDATED = 1_048_575  # to the sheet's last row: rows a person adds are checked too


def updates_workbook_bytes(data: UpdateSheets, *, title: str, comments: str = "") -> bytes:
    """The workbook as .xlsx bytes; its properties hold the export id as well."""
    import xlsxwriter  # a dependency of the workbook exports only

    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    book.set_properties(
        {"title": title, "subject": f"export id {data.export_id}", "comments": comments, "created": data.exported_at}
    )
    book.set_custom_property("tracker export id", data.export_id)
    fmt = _Formats(book)
    actions = [
        {
            "ref": a.ref,
            "title": a.title,
            "owner": a.owner,
            "lead": a.lead.name,
            "status": a.status.words,
            "due": a.due,
            "last update": a.updated_at.date(),
            "version": a.version,
        }
        for a in data.actions
    ]
    indicators = [
        {
            "ref": i.ref,
            "name": i.name,
            "unit": i.unit,
            "baseline": i.baseline,
            "target": i.target,
            "last value": i.latest,
            "last measured on": i.latest_on,
            "for": data.party,
        }
        for i in data.indicators
    ]
    ws = _sheet(book, fmt, ACTIONS_SHEET, ACTION_COLUMNS, ACTION_EDITABLE, actions, data.export_id, "A")
    col = ACTION_COLUMNS.index
    ws.data_validation(
        1,
        col("new status"),
        _ROWS_VALIDATED,
        col("new status"),
        {
            "validate": "list",
            "source": [s.words for s in Status],
            "error_title": "A status",
            "error_message": "Pick a status from the list.",
        },
    )
    _dates(ws, col("completed on"))
    ws = _sheet(book, fmt, INDICATORS_SHEET, INDICATOR_COLUMNS, INDICATOR_EDITABLE, indicators, data.export_id, "I")
    col = INDICATOR_COLUMNS.index
    ws.data_validation(
        1,
        col("new value"),
        _ROWS_VALIDATED,
        col("new value"),
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e17,
            "maximum": 1e17,
            "error_title": "A number",
            "error_message": "Type the value measured, a number.",
        },
    )
    _dates(ws, col("measured on"))
    book.close()
    return out.getvalue()


class _Formats:
    def __init__(self, book: Any) -> None:
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.open = book.add_format({"locked": False, "bg_color": "#FFF2CC"})
        self.open_date = book.add_format({"locked": False, "bg_color": "#FFF2CC", "num_format": "yyyy-mm-dd"})


def _sheet(
    book: Any,
    fmt: _Formats,
    name: str,
    columns: tuple[str, ...],
    editable: tuple[str, ...],
    rows: list[dict[str, Any]],
    export_id: str,
    prefix: str,
) -> Any:
    ws = book.add_worksheet(name)
    for c, column in enumerate(columns):
        ws.write_string(0, c, column, fmt.header)
        if column in editable:
            dated = column in ("completed on", "measured on")
            ws.set_column(c, c, 12 if dated else _WIDTHS.get(column, 16), fmt.open_date if dated else fmt.open)
        else:
            ws.set_column(c, c, _WIDTHS.get(column, 12))
    for r, row in enumerate(rows, start=1):
        row = {**row, "export id": export_id, "row id": f"{prefix}{r}"}
        for c, column in enumerate(columns):
            if column in editable:  # written blank but unlocked, so every program sees it open
                dated = column in ("completed on", "measured on")
                ws.write_blank(r, c, None, fmt.open_date if dated else fmt.open)
            else:
                _cell(ws, fmt, r, c, row.get(column))
    ws.freeze_panes(1, 1)
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
    ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    return ws


def _cell(ws: Any, fmt: _Formats, r: int, c: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt.date)
    elif isinstance(value, int):
        ws.write_number(r, c, value)
    elif isinstance(value, str):
        ws.write_string(r, c, visible_controls(value, keep="\n\t"))
    else:  # Decimal: baselines, targets and values
        ws.write_number(r, c, float(value))


def _dates(ws: Any, column: int) -> None:
    ws.data_validation(
        1,
        column,
        _ROWS_VALIDATED,
        column,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(1900, 1, 1),
            "maximum": dt.date(2200, 12, 31),
            "error_title": "A date",
            "error_message": "Type a date such as 2026-03-31.",
        },
    )
