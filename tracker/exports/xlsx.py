"""The coordinator's workbook: sheets of actions, funding gaps, sources and indicators.

Every sheet has a frozen header row and an autofilter; amounts are numbers
formatted with their currency, dates are dates. User text is always written as
a text cell, never parsed: a title such as ``=HYPERLINK(...)`` stays text; control
characters, which a cell cannot show, are left out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tracker.services.reporting.export_views import WorkbookData
from tracker.text import visible_controls


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # text, money, number, int, date
    value: Callable[[Any], Any]
    width: int = 14


def _t(header: str, value: Callable[[Any], Any], width: int = 14) -> Column:
    return Column(header, "text", value, width)


def _money(header: str, value: Callable[[Any], Any]) -> Column:
    return Column(header, "money", value, 16)


def _date(header: str, value: Callable[[Any], Any]) -> Column:
    return Column(header, "date", value, 12)


def _int(header: str, value: Callable[[Any], Any]) -> Column:
    return Column(header, "int", value, 10)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


ACTIONS = (
    _t("ref", lambda r: r.ref, 30),
    _t("framework", lambda r: r.framework),
    _t("title", lambda r: r.title, 50),
    _t("status", lambda r: r.status.words, 12),
    _t("horizon", lambda r: r.horizon.words, 12),
    _t("lead", lambda r: r.lead.name, 30),
    _t("partners", lambda r: ", ".join(p.name for p in r.partners), 30),
    _t("goal", lambda r: r.goal_title, 30),
    _t("objective", lambda r: r.objective_title, 30),
    _date("starts", lambda r: r.starts),
    _date("due", lambda r: r.due),
    _date("completed on", lambda r: r.completed_on),
    _t("overdue", lambda r: _yes(r.overdue), 9),
    _money("cost", lambda r: r.cost),
    _money("allocated", lambda r: r.funded),
    _int("allocations of unknown amount", lambda r: r.unknown_allocations),
    _int("version", lambda r: r.version),
    _t("owner", lambda r: r.owner, 16),  # last, so the columns before keep their letters
)
GAPS = (
    _t("ref", lambda r: r.ref, 30),
    _t("title", lambda r: r.title, 50),
    _t("status", lambda r: r.status.words, 12),
    _t("lead", lambda r: r.lead, 30),
    _money("cost", lambda r: r.cost),
    _money("allocated", lambda r: r.allocated),
    _money("gap", lambda r: r.gap),
    _t("currency", lambda r: r.currency, 9),
    _int("allocations of unknown amount", lambda r: r.unknown_allocations),
    _int("allocations in other currencies", lambda r: r.other_currency_allocations),
)
OBJECTIVE_GAPS = (
    _t("ref", lambda r: r.ref, 30),
    _t("framework", lambda r: r.framework),
    _t("goal", lambda r: r.goal_title, 30),
    _t("objective", lambda r: r.title, 40),
    _money("cost", lambda r: r.cost),
    _money("allocated", lambda r: r.allocated),
    _money("gap", lambda r: r.gap),
    _t("currency", lambda r: r.currency, 9),
    _int("actions with a gap", lambda r: r.actions_with_gap),
    _int("actions without cost", lambda r: r.actions_without_cost),
    _int("allocations of unknown amount", lambda r: r.unknown_allocations),
    _int("allocations in other currencies", lambda r: r.other_currency_allocations),
)
SOURCES = (
    _t("key", lambda r: r.key, 24),
    _t("name", lambda r: r.name, 40),
    _t("kind", lambda r: r.kind.value, 16),
    _t("reference", lambda r: r.reference, 24),
    _money("committed", lambda r: r.committed),
    _money("allocated (all frameworks)", lambda r: r.allocated),
    _money("allocated here", lambda r: r.allocated_here),
    _money("remaining", lambda r: r.remaining),
    _money("lapsed (ended, never allocated)", lambda r: r.lapsed),
    _t("currency", lambda r: r.currency, 9),
    _t("over-committed", lambda r: _yes(r.over_committed), 9),
    _int("allocations of unknown amount", lambda r: r.unknown_allocations),
    _date("starts", lambda r: r.starts),
    _date("ends", lambda r: r.ends),
    _t("ended", lambda r: _yes(r.ended), 7),
)
INDICATORS = (
    _t("ref", lambda r: r.ref, 30),
    _t("name", lambda r: r.name, 40),
    _t("objective", lambda r: r.objective_title, 30),
    _t("unit", lambda r: r.unit, 12),
    _t("direction", lambda r: r.direction.value, 10),
    Column("baseline", "number", lambda r: r.baseline),
    Column("target", "number", lambda r: r.target),
    _date("target date", lambda r: r.target_date),
    Column("latest value", "number", lambda r: r.latest),
    _date("latest on", lambda r: r.latest_on),
    _int("measurements", lambda r: r.measurements),
    Column("progress", "number", lambda r: r.progress),
    _t("off track", lambda r: _yes(r.off_track), 9),
)


def workbook_bytes(
    data: WorkbookData,
    *,
    title: str = "tracker export",
    comments: str = "",
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """The workbook as .xlsx bytes; ``progress`` hears the name of each sheet as it is written."""
    import xlsxwriter  # a dependency of this export only

    out = io.BytesIO()
    # No conversions of text at all: user text stays text, whatever it starts with.
    book = xlsxwriter.Workbook(
        out,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    book.set_properties({"title": title, "comments": comments, "created": dt.datetime.now(dt.UTC)})
    writer = _Writer(book)
    sheets: Sequence[tuple[str, Sequence[Any], Sequence[Column], Callable[[Any], str | None]]] = (
        ("actions", data.actions, ACTIONS, lambda r: data.currencies.get(r.framework)),
        ("gaps", data.gaps, GAPS, lambda r: r.currency),
        ("objective gaps", data.objective_gaps, OBJECTIVE_GAPS, lambda r: r.currency),
        ("sources", data.sources, SOURCES, lambda r: r.currency),
        ("indicators", data.indicators, INDICATORS, lambda _r: None),
    )
    for name, rows, columns, currency in sheets:
        if progress is not None:
            progress(f"sheet {name}")
        writer.sheet(name, rows, columns, currency)
    book.close()
    return out.getvalue()


class _Writer:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.plain = book.add_format({"num_format": "#,##0.00"})
        self.number = book.add_format({"num_format": "General"})
        self._money: dict[str, Any] = {}

    def money(self, currency: str | None) -> Any:
        if currency is None:
            return self.plain
        if currency not in self._money:
            # The code inside the format: the cell stays a number that sums and sorts.
            self._money[currency] = self.book.add_format({"num_format": f'#,##0.00 "{currency}"'})
        return self._money[currency]

    def sheet(
        self, name: str, rows: Sequence[Any], columns: Sequence[Column], currency: Callable[[Any], str | None]
    ) -> None:
        ws = self.book.add_worksheet(name)
        for c, column in enumerate(columns):
            ws.write_string(0, c, column.header, self.header)
            ws.set_column(c, c, column.width)
        for r, row in enumerate(rows, start=1):
            for c, column in enumerate(columns):
                self.cell(ws, r, c, column.kind, column.value(row), currency(row))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)

    def cell(self, ws: Any, r: int, c: int, kind: str, value: Any, currency: str | None) -> None:
        if value is None:
            return
        if kind == "text":
            ws.write_string(r, c, visible_controls(str(value), keep="\n\t"))
        elif kind == "date":
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.date)
        elif kind == "money":
            ws.write_number(r, c, float(value), self.money(currency))
        elif kind == "number":
            ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, self.number)
        else:
            ws.write_number(r, c, int(value))
