"""Activity: the latest changes by everyone, newest first."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.services.views import for_whom
from tracker.tui.loading import load


class ActivityScreen(Screen[None]):
    items: list[Any] = []  # what the table shows, by row
    BINDINGS = [
        # priority: the table's own Enter would otherwise hide this one from the Footer
        Binding("enter", "open", "Open", tooltip="Open the action, or the indicator in the plan", priority=True),
        Binding("u", "undo", "Undo", tooltip="Undo your own last change, wherever it was"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Latest changes by everyone, newest first", id="overview-title")
        yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("when", "who", "city", "action or indicator", "what"):
            table.add_column(label, key=label)

    def on_screen_resume(self) -> None:
        self.load()  # first shown, or back from another screen: the latest as it is now

    def refresh_data(self) -> None:
        self.load()

    def action_undo(self) -> None:
        from tracker.tui.undoing import undo_last

        undo_last(self, None, self.load)

    @work(thread=True, exclusive=True, group="activity")
    def load(self) -> None:
        load(self, lambda data: data.activity(limit=200), self.show)

    def show(self, items: list[Any]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.items = items
        place = self.app.place  # type: ignore[attr-defined]
        for n, item in enumerate(items):
            framework, _, key = (item.ref or "").partition("/")
            table.add_row(
                Text(f"{item.at:%Y-%m-%d %H:%M}"),
                Text((item.by or "?") + for_whom(item.on_behalf_of)),
                Text(place(framework) if framework else ""),
                Text(("◆ " if item.kind == "measurement" else "") + (key or item.ref or "")),
                Text(item.text),
                key=str(n),
            )
        if items:
            table.move_cursor(row=min(keep, len(items) - 1))

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        self.open(int(str(event.row_key.value)))  # a click; Enter goes to action_open

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.open(table.cursor_row)

    def open(self, n: int) -> None:
        item = self.items[n] if n < len(self.items) else None
        if item is None or "/" not in (item.ref or ""):
            return
        if item.kind == "measurement" or item.item in ("goal", "objective", "indicator"):
            # a value or an edit of a goal, objective or indicator: its place is the plan, not an action page
            framework, _, key = item.ref.partition("/")
            place = f"i:{item.ref}" if item.item in ("indicator", "action") else f"{item.item[0]}:{key}"
            self.app.show_mode("plan")  # type: ignore[attr-defined]
            self.app.screen.reveal(framework, place)  # type: ignore[attr-defined]
            return
        from tracker.tui.screens.detail import ActionDetailScreen

        self.app.push_screen(ActionDetailScreen(item.ref))
