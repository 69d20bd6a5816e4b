"""The one way a command writes: every table, line and message for people, and every
document for programs, to standard output or to a file replaced in one step.

User text (titles, names, notes, findings, and what was typed on the command line)
is shown literally, Rich markup included, and its control, bidi and zero-width
characters as symbols (`tracker.text.visible_controls`): an OSC 52 sequence in a
funding source's name cannot write the clipboard, ``ESC [2J`` in a goal's title
cannot clear the screen. Documents for other programs (JSON, CSV, Markdown, YAML,
iCalendar, XLSX) are made inert by their own writers and leave through `document`.
A test keeps the other command modules from printing, or building a table, themselves.

`-o FILE` replaces only a regular file that is not a SQLite database, atomically
(`check_target`, `write_file`); a closed or full standard output is one sentence, not a
traceback (`write_stdout`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# Where documents go: one check and one way of writing, shared with the app.
from tracker.files import check_target as check_target
from tracker.files import not_a_regular_file as not_a_regular_file
from tracker.files import say as say
from tracker.files import write_file as write_file
from tracker.files import write_stdout as write_stdout

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text


def text(value: str, style: str = "") -> Text:
    """User text for Rich: never read as markup, control characters shown as symbols."""
    from rich.text import Text

    from tracker.text import visible_controls

    return Text(visible_controls(value, keep="\n\t"), style=style)


def console() -> Console:
    """Standard output for people. Piped to a file or another program (and no COLUMNS set),
    tables take the width their content needs instead of Rich's 80 columns, so titles are
    not cut for `less -S`, grep or a saved file."""

    from rich.console import Console

    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 400
    return Console(soft_wrap=False, highlight=False, markup=False, emoji=False, file=sys.stdout, width=width)


def stderr_console() -> Console:
    """Standard error for spinners and progress bars; their messages go through `visible`."""
    from rich.console import Console

    return Console(stderr=True, markup=False, highlight=False, emoji=False)


def visible(message: str) -> str:
    """A progress message (which may name a framework or file) made inert."""
    from tracker.text import visible_controls

    return visible_controls(message)


def document(data: str | bytes) -> None:
    """A whole document (JSON, CSV, Markdown, YAML, iCalendar, a workbook) as its writer made it."""
    write_stdout(data)


def show(*lines: RenderableType | str, out: Console | None = None) -> None:
    """Rich renderables (tables from `table`, Text from `text`) or plain strings, inert."""
    target = out or console()
    target.print(*(text(line) if isinstance(line, str) else line for line in lines))


@dataclass(frozen=True)
class Column:
    """A table column: its header and Rich's options for it (justify, width, overflow...)."""

    header: str
    options: dict[str, Any] = field(default_factory=dict)


Cell = str | tuple[str, str]  # text, or (text, style)


def table(
    title: str,
    columns: Sequence[Column | str],
    rows: Iterable[Sequence[Cell]],
    *,
    caption: str | None = None,
    **options: Any,
) -> Table:
    """A Rich table whose title, caption and every cell are user text made inert."""
    from rich.table import Table

    options = {"title_justify": "left", "caption_justify": "left", **options}
    t = Table(title=text(title), caption=None if caption is None else text(caption), **options)
    for column in columns:
        if isinstance(column, str):
            column = Column(column)
        t.add_column(text(column.header), **column.options)
    for row in rows:
        t.add_row(*(text(cell) if isinstance(cell, str) else text(*cell) for cell in row))
    return t


def say_written(message: str) -> None:
    """Tell where the output went, on stderr: standard output stays for data only."""
    say(message, err=True)
