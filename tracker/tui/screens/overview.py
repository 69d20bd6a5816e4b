"""Overview: every framework's health at a glance, by city; Enter works in one framework."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tracker.models.enums import Status
from tracker.tui.loading import load

BAR = 12
STATUS_MARK = {s.value: s.symbol for s in Status}


def bar(share: float | None, width: int = BAR) -> Text:
    """A progress bar that reads without colour too: filled blocks and a percentage."""
    if share is None:
        return Text("-".ljust(width + 5))
    filled = round(share * width)
    return Text("█" * filled + "░" * (width - filled) + f" {share:4.0%}")


class OverviewScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Work in it", tooltip="Limit every screen to this framework (G: all)"),
        Binding(
            "R",
            "write('report')",
            "Report",
            tooltip="Write the report of the highlighted framework (Markdown or HTML)",
        ),
        Binding("W", "write('workbook')", "XLSX", tooltip="Write the workbook (XLSX) of the frameworks in scope"),
    ]
    _frameworks: Any = None  # the table, once the first data came

    def compose(self) -> ComposeResult:
        # The first screen anyone sees: the title and a line while the database opens
        # (in a worker). The table and the footer come with the data, so that this
        # screen paints as soon as a bare Textual app does.
        yield Header()
        yield Static("Frameworks · ○ planned ◐ in progress ✖ blocked ● done – cancelled", id="overview-title")
        yield Static("Opening the database…", id="overview-loading")

    def on_screen_resume(self) -> None:
        self.load()  # first shown, or back from another screen: the numbers as they are now

    def refresh_data(self) -> None:
        self.load()

    def _table(self) -> Any:
        """The frameworks table, made when the first data arrives (with the footer)."""
        from textual.widgets import DataTable

        if self._frameworks is not None:
            return self._frameworks
        table: DataTable[Any] = DataTable(id="frameworks", cursor_type="row", zebra_stripes=True)
        self._frameworks = table
        # The city first, as people name a plan, then the most telling columns: at 80
        # columns the rest scrolls sideways. The key is for scripts (and the palette).
        for label in (
            "city", "stage", "progress", "blocked", "overdue", "stale", "actions", "by status", "funding",
            "next due", "next meeting",
        ):  # fmt: skip
            table.add_column(label, key=label)
        self.query_one("#overview-loading").remove()
        self.mount(table, Footer())
        table.focus()
        return table

    @work(thread=True, exclusive=True, group="overview")
    def load(self) -> None:
        load(self, lambda data: data.overview(), self.show)

    def show(self, rows: list[Any]) -> None:
        self.app.set_places({r.key: ", ".join(p for p in (r.city, r.state) if p) for r in rows})  # type: ignore[attr-defined]
        table = self._table()
        keep = table.cursor_row
        table.clear()
        for r in rows:
            coverage = getattr(r, "coverage", None)
            funding = "cost unknown" if coverage is None else f"{coverage:.0%} covered"
            next_due = getattr(r, "next_due", ())
            dates = [d.due for d in next_due]  # the next few, perhaps on one day
            due = (
                ", ".join(
                    f"{day:%Y-%m-%d}" + (f" ×{dates.count(day)}" if dates.count(day) > 1 else "")
                    for day in sorted(set(dates))[:2]
                )
                or "-"
            )
            meetings = getattr(r, "next_meetings", ())
            statuses = " ".join(f"{n}{STATUS_MARK[s.value]}" for s in Status if (n := r.by_status.get(s, 0)))
            table.add_row(
                Text(", ".join(p for p in (r.city, r.state) if p)),
                Text(r.stage.value),
                bar(r.progress),
                Text(str(r.blocked), style="bold red" if r.blocked else ""),
                Text(str(r.overdue), style="bold red" if r.overdue else ""),
                Text(str(r.stale), style="yellow" if r.stale else ""),
                str(r.actions),
                Text(statuses or "-"),
                Text(funding),
                Text(due),
                Text(f"{meetings[0]:%a %Y-%m-%d}" if meetings else "-"),
                key=r.key,
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "write":
            return self.app.local_files  # type: ignore[attr-defined,no-any-return]
        return True

    def action_write(self, kind: str) -> None:
        """The report is on one framework: the one worked in, else the highlighted one."""
        from tracker.tui.screens.save_file import write_document

        scope = self.app.scope  # type: ignore[attr-defined]
        framework = scope
        if framework is None and kind == "report":
            table = self._frameworks
            if table is None or not table.row_count:
                return
            framework = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        write_document(self, kind, framework)

    def on_data_table_row_selected(self, event: Any) -> None:
        self.open(str(event.row_key.value))

    def action_open(self) -> None:
        table = self._frameworks
        if table is not None and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.open(str(key))

    def open(self, key: str) -> None:
        """Work in this framework (the header says so; G returns to all) and show its actions."""
        self.app.set_scope(key)  # type: ignore[attr-defined]
        self.app.show_mode("actions")  # type: ignore[attr-defined]
