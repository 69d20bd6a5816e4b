"""Reading updates from people: a filled-in for-updates workbook, its CSV, or a script's lines.

Every reader returns plain `Update` records, one per row, each either ready to apply or
carrying the one-sentence problem found in it (located: sheet, row and column, or line).
Nothing here touches the database: `tracker.services.tracking.bulk` applies them.

Files are bounded (`MAX_BYTES`, `MAX_ROWS`); a workbook is read with openpyxl in read-only
mode (streamed) and with ``data_only=False``, so that a formula typed into a cell is seen as
a formula and reported, never evaluated; text that merely starts with ``=`` is text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import ParseError

from tracker.dates import in_range
from tracker.errors import BadInput
from tracker.files import read_bounded
from tracker.models.enums import Status
from tracker.names import LOGIN_PATTERN
from tracker.seeding.plan import KEY_PATTERN

MAX_BYTES = 20_000_000  # as a plan file: some 100,000 rows
MAX_ROWS = 100_000
# A workbook is a zip: MAX_BYTES bounds it packed, this bounds what it unpacks to (its
# shared strings alone could otherwise grow to gigabytes in memory).
MAX_UNPACKED = 10 * MAX_BYTES

# The for-updates workbook's columns, by sheet (the writer and the readers share them).
ACTIONS_SHEET = "Actions"
INDICATORS_SHEET = "Indicators"
ACTION_COLUMNS = (
    "ref",
    "title",
    "owner",
    "lead",
    "status",
    "due",
    "last update",
    "new status",
    "note",
    "completed on",
    "version",
    "export id",
    "row id",
)
ACTION_EDITABLE = ("new status", "note", "completed on")
INDICATOR_COLUMNS = (
    "ref",
    "name",
    "unit",
    "baseline",
    "target",
    "last value",
    "last measured on",
    "new value",
    "measured on",
    "for",
    "export id",
    "row id",
)
INDICATOR_EDITABLE = ("new value", "measured on")
STATUS_LINE_COLUMNS = ("ref", "status", "note", "expect_version")


@dataclass(frozen=True)
class Update:
    """One row to apply: to an action (status, note, completion date) or to an indicator
    (a value measured on a date). ``problem`` is set when the row cannot be applied as written."""

    place: str  # "sheet Actions, row 5" or "line 3"
    ref: str
    indicator: bool = False
    status: Status | None = None
    note: str | None = None
    completed_on: dt.date | None = None
    expect_version: int | None = None
    value: Decimal | str | None = None
    measured_on: dt.date | None = None
    on_behalf_of: str | None = None  # for an indicator row: the export's person or organisation
    import_key: str | None = None  # "EXPORT-ID/ROW-ID" for a workbook row
    problem: str | None = None

    @property
    def empty(self) -> bool:
        return self.status is None and not self.note and self.value is None and self.completed_on is None


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def read_updates(source: str) -> list[Update]:
    """The rows of a for-updates workbook (``.xlsx``) or its CSV; ``-``: standard input
    (CSV, or a workbook piped in, told apart by its first bytes)."""
    name, raw = _read_bounded(source)
    if raw.startswith(b"PK"):
        return _once_each(_workbook_rows(name, raw))
    if raw.startswith(_OLE):
        raise BadInput(
            f"{name} is an old-format (.xls) or password-protected workbook; "
            "save it as an Excel workbook (.xlsx) without a password."
        )
    text = _text(name, raw)
    return _once_each(_csv_updates(name, text))


def read_status_lines(source: str) -> list[Update]:
    """`tracker actions set-status --from`: JSON lines or CSV with ``ref,status,note,expect_version``."""
    name, raw = _read_bounded(source)
    text = _text(name, raw)
    if text.lstrip().startswith("{"):
        return _json_lines(text)
    rows = list(_csv_rows(name, text, STATUS_LINE_COLUMNS[:2], allowed=STATUS_LINE_COLUMNS))
    return [_status_line(f"line {n}", row) for n, row in rows]


# The first bytes of an OLE file: Excel 97-2003 (.xls), and any workbook saved with a password.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _once_each(updates: list[Update]) -> list[Update]:
    """Rows that carry the same exported row id are each a bad row, naming the other: which
    of them was meant is not known, and the later one must not read as "already applied"."""
    places: dict[str, list[str]] = {}
    for update in updates:
        if update.import_key is not None:
            places.setdefault(update.import_key, []).append(update.place)
    repeated = {key: found for key, found in places.items() if len(found) > 1}
    if not repeated:
        return updates
    checked: list[Update] = []
    for update in updates:
        found = repeated.get(update.import_key or "")
        if found is None or update.problem is not None:
            checked.append(update)
            continue
        row_id = (update.import_key or "").rsplit("/", 1)[-1]
        others = ", ".join(place for place in found if place != update.place)
        why = f"column 'row id' has {row_id}, which {others} has too; keep each exported row once."
        checked.append(replace(update, problem=f"{_at(update.place, update.ref)}, {why}"))
    return checked


# -- sources ------------------------------------------------------------------------------------


def _read_bounded(source: str) -> tuple[str, bytes]:
    return read_bounded(
        source,
        MAX_BYTES,
        stdin_hint="pipe the updates into tracker, or name a file",
        folder_hint="name the workbook or CSV file",
        too_big=f"{MAX_BYTES // 1_000_000} MB, the most an updates file may be; split it",
    )


def _text(name: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadInput(f"{name} is not UTF-8 text (line {line}); save it as UTF-8 CSV.") from None
    if "\x00" in text:
        raise BadInput(f"{name} contains a NUL character; it is not a CSV file.")
    return text


# -- workbooks ----------------------------------------------------------------------------------


# What openpyxl raises on a damaged workbook, when it opens it or as it reads its rows.
# (LookupError: a part or a shared string that is not there; RuntimeError: zipfile's for a
# part that is encrypted, and its NotImplementedError for a compression it does not know.)
_UNREADABLE = (zipfile.BadZipFile, ParseError, LookupError, OSError, ValueError, OverflowError, RuntimeError)


def _unreadable(name: str, exc: Exception) -> BadInput:
    why = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return BadInput(f"{name} is not a readable workbook ({why}); save it again from the spreadsheet program.")


def _workbook_rows(name: str, raw: bytes) -> list[Update]:
    _check_unpacked(name, raw)
    # openpyxl warns of what it skips or cannot read (an extension, a date out of reach) on
    # standard error, with its own source path; what matters is reported per row instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read_workbook(name, raw)


def _read_workbook(name: str, raw: bytes) -> list[Update]:
    from openpyxl import load_workbook  # only when a workbook is read

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except _UNREADABLE as exc:
        raise _unreadable(name, exc) from None
    try:
        sheets = {ws.title.casefold(): ws for ws in book.worksheets}
        found = [sheet for sheet in (ACTIONS_SHEET, INDICATORS_SHEET) if sheet.casefold() in sheets]
        if not found:
            raise BadInput(
                f"{name} has no sheet {ACTIONS_SHEET!r} or {INDICATORS_SHEET!r}; "
                "fill in a workbook made by `tracker export --format xlsx --for-updates`."
            )
        updates: list[Update] = []
        for sheet in found:
            updates.extend(_sheet_updates(name, sheet, sheets[sheet.casefold()]))
        return updates
    finally:
        book.close()


def _check_unpacked(name: str, raw: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED, before reading any.

    The sizes are those the zip declares; `zipfile` never unpacks a part beyond its declared
    size (it stops there and fails the checksum), so their sum bounds what openpyxl can read."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadInput(
            f"{name} is not a readable workbook (not a valid zip: {exc}); save it again from the spreadsheet program."
        ) from None
    if unpacked > MAX_UNPACKED:
        raise BadInput(
            f"{name} unpacks to more than {MAX_UNPACKED // 1_000_000} MB, "
            "the most an updates workbook may; split it into smaller workbooks."
        )


def _sheet_updates(name: str, sheet: str, ws: Any) -> list[Update]:
    indicator = sheet == INDICATORS_SHEET
    wanted = INDICATOR_COLUMNS if indicator else ACTION_COLUMNS
    # The size a sheet claims (its <dimension>) is not trusted: read-only openpyxl pads every
    # row to the claimed width, so a claimed A1:XFD1048576 would take without end.
    ws.reset_dimensions()
    first = next(_read(name, ws.iter_rows(max_row=1)), None)
    if first is None:
        raise BadInput(f"{name}: sheet {sheet} is empty; it needs the header row of the exported workbook.")
    header = _header(name, sheet, [c.value for c in first], wanted)
    updates: list[Update] = []
    # Row numbers count empty rows too, so that a far-off cell is refused, not walked to.
    for row_number, cells in enumerate(_read(name, ws.iter_rows(min_row=2, max_col=max(header.values()) + 1)), start=2):
        if row_number > MAX_ROWS + 1:
            raise BadInput(
                f"{name}: sheet {sheet} has more than {MAX_ROWS:,} rows, the most one import takes; split it."
            )
        values: dict[str, Any] = {}
        formula: str | None = None
        for column, index in header.items():
            cell = cells[index] if index < len(cells) else None
            if cell is None or cell.value is None:
                continue
            if getattr(cell, "data_type", None) == "f" and formula is None:
                formula = f"{cell.coordinate} ({column})"
            values[column] = cell.value
        place = f"sheet {sheet}, row {row_number}"
        if not any(values.get(c) not in (None, "") for c in ("ref", *wanted)):
            continue
        if formula is not None:
            ref = _text_cell(values.get("ref"))
            why = f"{_at(place, ref)}, cell {formula} holds a formula; type the value itself (none is evaluated)."
            updates.append(Update(place, ref, indicator, problem=why))
            continue
        updates.append(_row_update(place, values, indicator))
    return updates


def _read(name: str, rows: Any) -> Iterator[Any]:
    """The rows openpyxl parses as they are read: damage found on the way is one sentence."""
    iterator = iter(rows)
    while True:
        try:
            cells = next(iterator)
        except StopIteration:
            return
        except _UNREADABLE as exc:
            raise _unreadable(name, exc) from None
        yield cells


def _header(name: str, sheet: str, cells: list[Any], wanted: tuple[str, ...]) -> dict[str, int]:
    found = {str(v).strip().casefold(): i for i, v in enumerate(cells) if isinstance(v, str)}
    missing = [c for c in ("ref", "export id", "row id", "version") if c in wanted and c not in found]
    if missing:
        raise BadInput(
            f"{name}: sheet {sheet} has no column {missing[0]!r} in its first row; "
            "fill in a workbook made by `tracker export --format xlsx --for-updates` without removing columns."
        )
    return {c: found[c] for c in wanted if c in found}


# -- CSV ----------------------------------------------------------------------------------------


def _csv_rows(name: str, text: str, required: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> Any:
    """The records after the header, as (line, {column: value}); ``allowed``: the only
    column names the header may hold (a misspelt one would otherwise be ignored unseen)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
        if first is None:
            raise BadInput(f"{name} is empty; it needs a header row ({', '.join(required)}).")
        header = [h.strip().casefold() for h in first]
        missing = [c for c in required if c not in header]
        if missing:
            raise BadInput(
                f"{name} has no column {missing[0]!r} in its header row; name the columns {', '.join(required)}."
            )
        unknown = [h for h in header if h and allowed is not None and h not in allowed]
        if unknown:
            raise BadInput(
                f"{name} has an unknown column {unknown[0][:40]!r} in its header row; use {', '.join(allowed or ())}."
            )
        count = 0
        while True:
            line = reader.line_num + 1  # a record's first line: a quoted value may span several
            values = next(reader, None)
            if values is None:
                return
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise BadInput(f"{name} has more than {MAX_ROWS:,} rows, the most one import takes; split it.")
            yield line, {h: v for h, v in zip(header, values, strict=False) if v != ""}
    except csv.Error as exc:
        raise BadInput(f"{name} is not valid CSV (line {reader.line_num}: {exc}).") from None


def _csv_updates(name: str, text: str) -> list[Update]:
    first = text.split("\n", 1)[0].casefold()
    indicator = "new value" in first
    # The Indicators sheet has no version column: a value measured does not conflict.
    required = ("ref", "export id", "row id") if indicator else ("ref", "version", "export id", "row id")
    return [_row_update(f"{name} line {n}", row, indicator) for n, row in _csv_rows(name, text, required)]


# -- one row ------------------------------------------------------------------------------------


def _row_update(place: str, values: dict[str, Any], indicator: bool) -> Update:
    ref = str(values.get("ref") or "").strip()
    update = Update(place, ref, indicator)
    try:
        if not ref:
            raise _Bad("ref", "has no ref; keep the exported rows' refs as they are")
        key = _import_key(_text_cell(values.get("export id")), _text_cell(values.get("row id")), indicator)
        version = _version(values.get("version"))
        if indicator:
            value = _value(values.get("new value"))
            on = _day(values.get("measured on"), "measured on")
            if on is not None and value is None:
                raise _Bad("measured on", "has a date measured but no new value; give the value too")
            _not_after_today(on, "measured on", "give the day it was measured")
            behalf = _party(_text_cell(values.get("for")))
            return replace(
                update, value=value, measured_on=on, expect_version=version, import_key=key, on_behalf_of=behalf
            )
        status = _status(values.get("new status"), "new status")
        completed = _day(values.get("completed on"), "completed on")
        if completed is not None and status is not Status.done:
            raise _Bad("completed on", "has a completion date but the new status is not done; set it to done")
        _not_after_today(completed, "completed on", "give the day it was done")
        note = _text_cell(values.get("note"))
        if key is not None and version is None and (status is not None or note or completed is not None):
            # The exported version is how a change made since the export is found: never skipped.
            raise _Bad("version", "is empty; keep the exported value")
        return replace(
            update, status=status, note=note or None, completed_on=completed, expect_version=version, import_key=key
        )
    except _Bad as bad:
        return replace(update, problem=f"{_at(place, ref)}, column {bad.column!r} {bad.message}.")


def _status_line(place: str, values: dict[str, Any]) -> Update:
    ref = str(values.get("ref") or "").strip()
    update = Update(place, ref)
    try:
        if not ref:
            raise _Bad("ref", "is missing; give the action as framework-key/action-key")
        status = _status(values.get("status"), "status")
        if status is None:
            raise _Bad("status", f"is missing; give one of {_STATUS_WORDS}")
        note = values.get("note")
        if note is not None and not isinstance(note, str):
            raise _Bad("note", "is not text; write the note as a string")
        return replace(update, status=status, note=note or None, expect_version=_version(values.get("expect_version")))
    except _Bad as bad:
        return replace(update, problem=f"{_at(place, ref)}, {bad.column!r} {bad.message}.")


def _json_lines(text: str) -> list[Update]:
    updates: list[Update] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(updates) >= MAX_ROWS:
            raise BadInput(f"more than {MAX_ROWS:,} lines, the most one run takes; split them.")
        try:
            data = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            why = exc.msg
        except ValueError as exc:  # such as a number of more than 4,300 digits
            why = str(exc).split(";")[0][:100]
        except RecursionError:
            why = "it is nested too deeply"
        else:
            why = ""
        if why:
            updates.append(Update(f"line {n}", "", problem=f"line {n} is not JSON ({why}); write one object a line."))
            continue
        if not isinstance(data, dict):
            updates.append(Update(f"line {n}", "", problem=f"line {n} is not a JSON object; write one object a line."))
            continue
        unknown = sorted(set(data) - set(STATUS_LINE_COLUMNS))
        if unknown:
            updates.append(
                Update(
                    f"line {n}",
                    str(data.get("ref", "")),
                    problem=f"line {n} has an unknown field {unknown[0]!r}; use {', '.join(STATUS_LINE_COLUMNS)}.",
                )
            )
            continue
        updates.append(_status_line(f"line {n}", data))
    return updates


_STATUS_WORDS = ", ".join(s.words for s in Status)


def _status(value: Any, column: str) -> Status | None:
    text = _text_cell(value)
    if not text:
        return None
    wanted = text.strip().casefold().replace("_", " ")
    for status in Status:
        if status.words == wanted:
            return status
    raise _Bad(column, f"has {text[:40]!r}, which is not a status; pick one of {_STATUS_WORDS}")


def _day(value: Any, column: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            day = dt.date.fromisoformat(value.strip())
        else:
            raise ValueError
        return in_range(day)
    except ValueError as exc:
        if "outside" in str(exc):
            raise _Bad(column, f"has {exc}") from None
        raise _Bad(column, f"has {str(value)[:40]!r}, which is not a date; write it as 2026-03-31") from None


def _value(value: Any) -> Decimal | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad("new value", "is not a number; write the value measured, such as 12 or 3.5")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return str(value).strip()


def _version(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
            return int(value.strip())
    except (TypeError, ValueError):
        pass
    raise _Bad("version", f"has {str(value)[:40]!r}, which is not a version number; keep the exported value")


_ROW_ID = re.compile(r"[AI][1-9][0-9]{0,6}")
_PARTY = re.compile(rf"member:{LOGIN_PATTERN.strip('^$')}|stakeholder:{KEY_PATTERN.strip('^$')}")


def _not_after_today(day: dt.date | None, column: str, fix: str) -> None:
    """Work is done, and values measured, on days that have come: a later date is a typo."""
    today = dt.date.today()
    if day is not None and day > today:
        raise _Bad(column, f"has {day.isoformat()}, which is after today ({today.isoformat()}); {fix}")


def _import_key(export_id: str, row_id: str, indicator: bool) -> str | None:
    """ "EXPORT-ID/ROW-ID" as the export wrote them (None for a row without them: a CSV made by
    hand), or a bad row: the key is stored, so it is never free text."""
    if not export_id and not row_id:
        return None
    try:
        export = str(uuid.UUID(export_id.strip()))
    except ValueError:
        raise _Bad("export id", "is not the export id tracker wrote; keep it as exported") from None
    row = row_id.strip()
    if not _ROW_ID.fullmatch(row) or row.startswith("I") is not indicator:
        raise _Bad("row id", "is not a row id tracker wrote on this sheet; keep it as exported")
    return f"{export}/{row}"


def _party(text: str) -> str | None:
    """Whom the export was for ("member:LOGIN" or "stakeholder:KEY"), as written; else None."""
    text = text.strip()
    return text if text and len(text) <= 200 and _PARTY.fullmatch(text) else None


def _at(place: str, ref: str) -> str:
    return f"{place} ({ref[:200]})" if ref else place


def _text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)
