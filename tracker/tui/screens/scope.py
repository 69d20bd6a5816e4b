"""Choose the scope: all frameworks, or one city's."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

ALL = "\0all"  # the option id of "all frameworks" (no framework key holds a NUL)


class ScopeDialog(ModalScreen[tuple[str | None] | None]):
    """Every framework the member may read, by city; dismissed with ``(key,)``, ``(None,)`` for all."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, places: dict[str, str], current: str | None, *, everything: bool = True, title: str | None = None
    ) -> None:
        super().__init__()
        self.title_words = title
        self.places = places
        self.current = current
        self.everything = everything  # offer "all frameworks"

    def compose(self) -> ComposeResult:
        options = [Option(Text("All frameworks", style="bold"), id=ALL)] if self.everything else []
        for key, place in sorted(self.places.items(), key=lambda kv: (kv[1], kv[0])):
            options.append(Option(Text.assemble(place, ("  " + key, "dim")), id=key))
        with Vertical(id="dialog"):
            yield Label(self.title_words or ("Work in" if self.everything else "Show the plan of"), id="dialog-title")
            yield OptionList(*options, id="scope-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = options.get_option_index(self.current) if self.current in self.places else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        self.dismiss((None if key == ALL else key,))

    def action_cancel(self) -> None:
        self.dismiss(None)
