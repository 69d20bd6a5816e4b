"""`?`: what the symbols and words mean, and the keys of the screen underneath."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

LEGEND = [
    ("○ planned", "not started yet"),
    ("◐ in progress", "under way"),
    ("✖ blocked", "waiting on something or someone; say what in a note"),
    ("● done", "finished"),
    ("– cancelled", "dropped from the plan; its history stays"),
    ("!  overdue", "the due date has passed and the action is not done or cancelled"),
    ("stale", "in progress with no status change or note for 30 days"),
    ("◆ indicator", "a key metric of an objective: baseline, target and the values recorded"),
    ("near / mid / long term", "the horizon: the plan's windows, in months from its start"),
    ("owner", "the person responsible for an action (m: the actions you own first, then your organisations')"),
    ("funding gap", "the estimated cost minus what is allocated to it"),
    ("over-committed", "a source with more allocated than it commits"),
    ("ENDED, lapsed", "a source past its end date: nothing remains; what it never allocated has lapsed"),
    ("funding cliff", "open work running past the end of a source that funds it (open work runs until today at least)"),
    ("scope", "all frameworks or one (g to pick, G for all), named in the header"),
    ("owes silent quiet", "updates an organisation owes; days since its last; open actions quiet 30 days, of all"),
]


def _keys(bindings: list[tuple[str, str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", min_width=6)
    grid.add_column()
    for key, description, tooltip in bindings:
        grid.add_row(Text(key), Text(f"{description}: {tooltip}" if tooltip else description))
    return grid


class HelpDialog(ModalScreen[None]):
    """The legend and ``bindings`` (key, description, tooltip) of the screen it was opened on."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        legend = Table.grid(padding=(0, 2))
        legend.add_column(style="bold", min_width=14)
        legend.add_column()
        for term, meaning in LEGEND:
            legend.add_row(Text(term), Text(meaning))
        with Vertical(id="dialog"):
            yield Label("Symbols and words", id="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(legend, classes="dialog-text")
                yield Static(Text("Keys here", style="bold underline"))
                yield Static(_keys(self.bindings), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)
