"""Smaller plan forms on an action's page: its funding, moving it, cancelling it.

They write as the action form does (`action_form.Form`): in a worker, closing only once
written, every problem said in the form with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from tracker.errors import BadField
from tracker.services.views import ActionDetail
from tracker.tui.screens.action_form import Form, Saver


class AllocationForm(Form):
    """Add an allocation of a source to the action, change its amount, or remove it."""

    FIELDS = ("source", "year", "amount")

    def __init__(self, detail: ActionDetail, sources: list[tuple[str, str]], saver: Saver) -> None:
        super().__init__(saver, detail.row.version)
        self.detail = detail
        names = dict((k, n) for n, k in sources)
        for a in detail.allocations:  # a source already allocated is offered even if not listed
            names.setdefault(a.source_key, a.source_name)
        self.sources = [(n, k) for k, n in names.items()]

    def compose(self) -> ComposeResult:
        r = self.detail.row
        with Vertical(id="form"):
            yield Label(Text(f"Funding of {r.ref}"), id="dialog-title")
            yield Static(Text(r.title), classes="dialog-text")
            yield Static("", id="form-error", classes="form-error")
            existing = [
                (f"{a.source_name}, FY{a.fiscal_year}: {'unknown' if a.amount is None else f'{a.amount:,.2f}'}", i)
                for i, a in enumerate(self.detail.allocations)
            ]
            if existing:
                yield Select(existing, prompt="change or remove one (or add one below)", compact=True, id="existing")
            yield from self._field("source", Select(self.sources, prompt="the funding source", id="source"))
            yield from self._field(
                "year",
                Input(str(dt.date.today().year), placeholder="such as 2026", type="integer", id="year"),
                "fiscal year",
            )
            yield from self._field("amount", Input(placeholder="empty: not known yet", type="number", id="amount"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", compact=True, id="save")
                if existing:
                    yield Button("Remove", variant="error", compact=True, id="remove")
                yield Button("Cancel", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.hide_errors()
        self.query_one("#existing" if self.detail.allocations else "#source").focus()

    @on(Select.Changed, "#existing")
    def _picked(self, event: Select.Changed) -> None:
        if not isinstance(event.value, int):
            return
        a = self.detail.allocations[event.value]
        self.query_one("#source", Select).value = a.source_key
        self.query_one("#year", Input).value = str(a.fiscal_year)
        self.query_one("#amount", Input).value = "" if a.amount is None else f"{a.amount:f}"

    def typed(self, remove: bool) -> dict[str, Any]:
        source = self.query_one("#source", Select).value
        if not isinstance(source, str):
            raise BadField("source", "source: choose the funding source.")
        year_text = self.query_one("#year", Input).value.strip()
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2200:
            raise BadField("year", "year: write the fiscal year as four digits, such as 2026.")
        amount = self.query_one("#amount", Input).value.strip() or None
        return {"source": source, "fiscal_year": int(year_text), "amount": amount, "remove": remove}

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        self._submit(False)

    @on(Button.Pressed, "#remove")
    def remove_allocation(self) -> None:
        self._submit(True)

    def _submit(self, remove: bool) -> None:
        self.hide_errors()
        try:
            fields = self.typed(remove)
        except BadField as exc:
            self.say(exc.field, exc.message)
            return
        self.save(fields, False)

    def mine(self, fields: dict[str, Any]) -> str:
        what = "remove" if fields["remove"] else f"{fields['amount'] or 'unknown amount'} from"
        return f"{what} {fields['source']} FY{fields['fiscal_year']}"


class MoveDialog(Form):
    """Move the action under another objective of its framework."""

    FIELDS = ("objective",)

    def __init__(self, detail: ActionDetail, objectives: list[tuple[str, str]], saver: Saver) -> None:
        super().__init__(saver, detail.row.version)
        self.detail = detail
        self.objectives = [(label, key) for label, key in objectives if key != detail.row.objective_key]

    def compose(self) -> ComposeResult:
        r = self.detail.row
        with Vertical(id="form"):
            yield Label(Text(f"Move {r.ref}"), id="dialog-title")
            yield Static(Text(f"now under {r.objective_key}: {r.objective_title}"), classes="dialog-text")
            yield Static("", id="form-error", classes="form-error")
            yield from self._field(
                "objective", Select(self.objectives, prompt="the objective to move it to", id="objective")
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Move", variant="primary", compact=True, id="save")
                yield Button("Cancel", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.hide_errors()
        self.query_one("#objective").focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.hide_errors()
        objective = self.query_one("#objective", Select).value
        if not isinstance(objective, str):
            self.say("objective", "objective: choose where the action goes.")
            return
        self.save({"objective": objective}, False)


class CancelDialog(Form):
    """Cancel the action (a status change in its history), after asking, with a note."""

    FIELDS = ("note",)

    def __init__(self, detail: ActionDetail, saver: Saver) -> None:
        super().__init__(saver, detail.row.version)
        self.detail = detail

    def compose(self) -> ComposeResult:
        r = self.detail.row
        with Vertical(id="form"):
            yield Label(Text(f"Cancel {r.ref}?"), id="dialog-title")
            yield Static(
                Text(f"{r.title}\nIt stays in the plan and in its history as cancelled. Escape keeps it as it is."),
                classes="dialog-text",
            )
            yield Static("", id="form-error", classes="form-error")
            yield from self._field("note", Input(placeholder="why (optional)", id="note"), "why")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel the action", variant="error", compact=True, id="save")
                yield Button("Keep it", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.hide_errors()
        self.query_one("#note").focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        self.hide_errors()
        self.save({"note": self.query_one("#note", Input).value.strip() or None}, False)

    def mine(self, fields: dict[str, Any]) -> str:
        return "cancelled" + (f" ({fields['note']})" if fields["note"] else "")
