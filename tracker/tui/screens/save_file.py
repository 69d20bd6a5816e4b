"""Writing the report or the workbook from the app: where to (a path the person may edit),
never over an existing file without asking, and then where it went. The report is written
as Markdown or as the printable HTML page in English or French (a choice in the dialog).

Only when the app runs on the person's own machine (`TrackerApp.local_files`): over the
team server's SSH session a path would name a file on the server, not theirs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from tracker.errors import BadInput, TrackerError

OTHER = "another path in the field"  # how a refusal says to give another path, here

# The report's forms: (choice, what the dialog says, the file name's ending, format, language).
REPORT_FORMATS = (
    ("md", "Markdown", ".md", "md", "en"),
    ("html-en", "HTML to print, in English", ".html", "html", "en"),
    ("html-fr", "HTML to print, in French", "-fr.html", "html", "fr"),
)


def default_folder() -> Path:
    """The person's documents folder when there is one (where they look for files), else the
    folder tracker was started in."""
    from platformdirs import user_documents_dir

    documents = Path(user_documents_dir())
    return documents if documents.is_dir() else Path.cwd()


class OverwriteDialog(ModalScreen[bool]):
    """``path`` exists: replace it, or keep it (and choose another name)."""

    BINDINGS = [Binding("escape", "keep", "Keep it")]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Replace the file?", id="dialog-title")
            yield Static(Text(f"{self.path} exists already. Replace it with the new one?"), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep it", variant="primary", id="keep")
                yield Button("Replace it", variant="warning", id="replace")

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#replace")
    def replace(self) -> None:
        self.dismiss(True)


class SaveFileDialog(ModalScreen[Path | None]):
    """Where to write ``what``: the suggested path, editable; an existing file is replaced
    only when the person says so."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, suggested: Path, *, formats: bool = False) -> None:
        """``formats``: offer the report's forms (`REPORT_FORMATS`); the one picked is
        ``choice`` when the dialog closes, and the suggested name's ending follows it."""
        super().__init__()
        self.what = what
        self.suggested = suggested
        self.formats = formats
        self.choice = REPORT_FORMATS[0][0]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text(f"Write {self.what}"), id="dialog-title")
            if self.formats:
                with RadioSet(id="format"):
                    for choice, words, *_ in REPORT_FORMATS:
                        yield RadioButton(words, value=choice == self.choice, id=f"format-{choice}")
            yield Static("to this file (edit the path if you like):", classes="form-label")
            yield Input(str(self.suggested), id="path")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write", variant="primary", id="write")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.say(None)
        self.query_one("#path", Input).focus()

    @on(RadioSet.Changed, "#format")
    def pick(self, event: RadioSet.Changed) -> None:
        """Another form: the file name's ending follows (the rest of the path as typed)."""
        old = next(f[2] for f in REPORT_FORMATS if f[0] == self.choice)
        self.choice = str(event.pressed.id).removeprefix("format-")
        new = next(f[2] for f in REPORT_FORMATS if f[0] == self.choice)
        field = self.query_one("#path", Input)
        if field.value.endswith(old):
            field.value = field.value.removesuffix(old) + new

    def say(self, message: str | None) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(message or ""))
        error.display = bool(message)

    @on(Button.Pressed, "#write")
    @on(Input.Submitted, "#path")
    def write(self) -> None:
        from tracker.files import check_target

        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            self.say("Give the file a name, for example " + str(self.suggested))
            return
        path = Path(typed).expanduser()
        try:
            check_target(path, example=self.suggested.name, other=OTHER)
        except BadInput as exc:
            self.say(exc.message)
            return
        if path.exists():

            def replace(yes: bool | None) -> None:
                if yes:
                    self.dismiss(path)
                else:
                    self.query_one("#path", Input).focus()

            self.app.push_screen(OverwriteDialog(path), replace)
        else:
            self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def write_document(screen: Screen[Any], kind: str, framework: str | None) -> None:
    """Ask where, then write the report (``kind`` "report", of one ``framework``) or the
    workbook ("workbook", of ``framework`` or every framework read) in a worker, and say
    where it went."""
    app: Any = screen.app
    if not app.local_files:
        screen.notify(
            "Files cannot be written from here: this app runs on the server. Use `tracker report` or "
            "`tracker export --format xlsx` on your own machine.",
            severity="warning",
        )
        return
    today = dt.date.today().isoformat()
    place = app.place(framework) if framework else "every framework"
    if kind == "report":
        assert framework is not None
        what, name = f"the report on {place}", f"report-{framework}-{today}.md"
    else:
        what, name = f"the workbook of {place}", f"tracker-{framework or 'all-frameworks'}-{today}.xlsx"

    dialog = SaveFileDialog(what, default_folder() / name, formats=kind == "report")

    def chosen(path: Path | None) -> None:
        if path is not None:
            form = next(f for f in REPORT_FORMATS if f[0] == dialog.choice)
            screen.notify(f"Writing {what}…", timeout=2)
            screen.run_worker(
                lambda: _write(screen, kind, framework, path, what, form=form[3], lang=form[4]),
                thread=True,
                group="document",
            )

    app.push_screen(dialog, chosen)


def _write(
    screen: Screen[Any], kind: str, framework: str | None, path: Path, what: str, *, form: str, lang: str
) -> None:
    from tracker.files import write_file

    app: Any = screen.app
    try:
        report = kind == "report"
        data = app.data.report(framework, form=form, lang=lang) if report else app.data.workbook(framework)
        write_file(path, data, other=OTHER)
    except TrackerError as exc:
        app.call_from_thread(screen.notify, exc.message, title="Not written", severity="error")
        return
    except Exception as exc:  # a lost connection: said by the app, which reconnects
        app.call_from_thread(app.connection_trouble, exc)
        return
    app.call_from_thread(screen.notify, f"Wrote {what} to {path.resolve()}", title="Written", timeout=10)
