"""Small dialogs: change a status, add a note, settle a conflict."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tracker.models.enums import Status
from tracker.services.views import ActionRow


@dataclass(frozen=True)
class StatusChoice:
    status: Status
    note: str | None


class StatusDialog(ModalScreen[StatusChoice | None]):
    """Pick the new status and say why in a few words."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, row: ActionRow, initial: StatusChoice | None = None) -> None:
        super().__init__()
        self.row = row
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Status of {self.row.ref}"), id="dialog-title")
            yield Static(Text(self.row.title), classes="dialog-text")
            yield Select(
                [(s.value.replace("_", " "), s) for s in Status if s is not self.row.status],
                prompt="new status",
                id="status",
            )
            yield Input(placeholder="note (optional): what happened?", id="note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self.initial is not None:  # what the user typed before a failed save
            if self.initial.status is not self.row.status:
                self.query_one("#status", Select).value = self.initial.status
            self.query_one("#note", Input).value = self.initial.note or ""
        self.query_one("#status", Select).focus()

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted, "#note")
    def apply(self) -> None:
        status = self.query_one("#status", Select).value
        if not isinstance(status, Status):
            self.notify("Choose the new status first.", severity="warning")
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.dismiss(StatusChoice(status, note))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, row: ActionRow, kept: str | None = None) -> None:
        super().__init__()
        self.row = row
        self.kept = kept  # what the user typed before a failed save

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Note on {self.row.ref}"), id="dialog-title")
            yield Input(self.kept or "", placeholder="what happened?", id="note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add note", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#note")
    def save(self) -> None:
        text = self.query_one("#note", Input).value
        if not text.strip():
            self.notify("Write the note first.", severity="warning")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictDialog(ModalScreen[bool]):
    """Someone changed the action since it was shown: keep theirs, or apply mine anyway
    (``mine``: a status change, or a plan change in words)."""

    BINDINGS = [Binding("escape", "keep", "Keep theirs")]

    def __init__(self, message: str, mine: StatusChoice | str) -> None:
        super().__init__()
        self.message = message
        self.mine = mine

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Changed by someone else", id="dialog-title")
            yield Static(Text(self.message), classes="dialog-text")
            mine = self.mine
            if isinstance(mine, StatusChoice):
                mine = mine.status.value.replace("_", " ") + (f" ({mine.note})" if mine.note else "")
            yield Static(Text(f"Your change: {mine}"), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep theirs", variant="primary", id="keep")
                yield Button("Apply mine anyway", variant="warning", id="force")

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#force")
    def force(self) -> None:
        self.dismiss(True)


class UndoDialog(ModalScreen[bool]):
    """Say what undo will do, in words, before it does it."""

    BINDINGS = [Binding("escape", "keep", "Keep it")]

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Undo your last change?", id="dialog-title")
            yield Static(Text(self.sentence), classes="dialog-text")
            yield Static("It is undone by a new change: the history keeps both.", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Undo", variant="warning", id="undo")
                yield Button("Keep it", variant="primary", id="keep")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#undo")
    def undo(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)
