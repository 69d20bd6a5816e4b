"""Activity: the latest changes by everyone, newest first."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.tui.loading import load


class ActivityScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Latest changes by everyone, newest first", id="overview-title")
        yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("when", "who", "action", "what"):
            table.add_column(label, key=label)
        self.load()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="activity")
    def load(self) -> None:
        load(self, lambda data: data.activity(limit=200), self.show)

    def show(self, items: list[Any]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for n, item in enumerate(items):
            table.add_row(
                Text(f"{item.at:%Y-%m-%d %H:%M}"),
                Text(item.by or "?"),
                Text(item.ref or ""),
                Text(item.text),
                key=f"{n}:{item.ref}",
            )

    @on(DataTable.RowSelected)
    def open(self, event: DataTable.RowSelected) -> None:
        ref = str(event.row_key.value).split(":", 1)[1]
        if "/" in ref:
            from tracker.tui.screens.detail import ActionDetailScreen

            self.app.push_screen(ActionDetailScreen(ref))
