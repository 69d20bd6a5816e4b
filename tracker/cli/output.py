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

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tracker.errors import BadInput, PermissionDenied, TrackerError

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
    import os

    from rich.console import Console

    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 400
    return Console(soft_wrap=False, highlight=False, markup=False, emoji=False, file=sys.stdout, width=width)


def say(message: str, *, err: bool = False, one_line: bool = False) -> None:
    """Plain text on stdout (or stderr), inert; with ``one_line``, line breaks are shown as ␊
    (an error message that names a typed key must stay one line)."""
    from tracker.text import visible_controls

    typer.echo(visible_controls(message, keep="" if one_line else "\n"), err=err)


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


# -- where documents go ------------------------------------------------------------------


def check_target(path: Path, *, example: str) -> Path:
    """Refuse, before any work, a path that `write_file` may not replace.

    Only a regular file (or nothing) is replaced: renaming over a symbolic link
    would replace the link, and a device, a pipe or a folder is not a file a user
    keeps output in. ``example`` is a file name to suggest when ``path`` is a folder.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise BadInput(f"cannot look at {path}: {exc.strerror or exc}; choose another -o.") from None
    if found is not None:
        _refuse_unless_regular(path, found.st_mode, example)
    if not folder.is_dir():
        raise BadInput(f"there is no folder {folder} to write {path.name} in; create it or choose another -o.")
    return path


# The first bytes of a SQLite database, of its write-ahead log and of its rollback journal.
_DATABASE_MAGIC = (
    b"SQLite format 3\x00",
    b"\x37\x7f\x06\x82",
    b"\x37\x7f\x06\x83",
    b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7",
)


def not_a_regular_file(mode: int) -> str | None:
    """What a path with this ``lstat`` mode is, in words for a refusal; None for a regular file,
    the only thing a command that replaces files may replace."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file (a device, a pipe or a socket)"


def _refuse_unless_regular(path: Path, mode: int, example: str) -> None:
    kind = not_a_regular_file(mode)
    if kind is None:
        _refuse_a_database(path)
        return
    if stat.S_ISLNK(mode):
        raise BadInput(
            f"{path} is a symbolic link; tracker replaces only a regular file, so it was left as it was: "
            "give the path it points to, or another -o (`-o -`, or no -o, writes to standard output)."
        )
    if stat.S_ISDIR(mode):
        raise BadInput(f"{path} is a folder; give a file name, for example {path / example}.")
    raise BadInput(f"{path} is {kind}; it was left as it was: choose another -o.")


def _refuse_a_database(path: Path) -> None:
    """A regular file that is a SQLite database (the one in use, reached by any name, or
    another), or its log or journal, is someone's data, not output: `-o tracker.db` used
    to replace the working database with an export."""
    try:
        with open(path, "rb") as found:
            head = found.read(16)
    except OSError:
        return  # unreadable: the write itself will say why, and leave it as it was
    if head.startswith(_DATABASE_MAGIC):
        raise BadInput(
            f"{path} is a SQLite database (or its log), so it was left as it was: tracker never replaces "
            "a database with its output; choose another -o."
        )


def write_file(path: Path, data: str | bytes) -> None:
    """Write a temporary file beside ``path``, flush it to disk, then rename it over ``path``:
    a reader sees the old file or the new one, never half of one, and any failure
    (a full disk, say) leaves the old file exactly as it was."""
    content = data.encode() if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise PermissionDenied(f"cannot write in {folder} (permission denied); nothing was written.") from None
    except OSError as exc:
        raise TrackerError(f"cannot write in {folder}: {exc.strerror or exc}; nothing was written.") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _mode_for(path))
        # Checked again just before the rename: something may have appeared there meanwhile.
        check_target(path, example=path.name)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}; it was left as it was.") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _mode_for(path: Path) -> int:
    # mkstemp makes a private file; give it the mode the file had, or a new file's usual mode.
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; where a folder
    # cannot be opened (some file systems), the file itself is already safe.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to standard output; a closed or full output is one sentence, not a traceback.

    A reader that stopped reading (``| head``) ends the command quietly, as it does
    for any Unix tool.
    """
    if sys.stdout is None:  # Python's view of a descriptor 1 closed before start (`>&-`)
        raise TrackerError("standard output is closed, so there is nowhere to write; nothing was written.")
    try:
        typer.echo(data, nl=False)
        sys.stdout.flush()
    except OSError as exc:
        _drop_unwritten_output()
        if exc.errno == errno.EPIPE:
            raise SystemExit(1) from None
        raise TrackerError(
            f"cannot write to standard output: {exc.strerror or exc}; the output is incomplete."
        ) from None


def _drop_unwritten_output() -> None:
    # What stayed in the buffer would be flushed again at exit and fail with a
    # second, raw error: point descriptor 1 at /dev/null so that flush succeeds.
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real descriptor (a test runner's capture)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


def say_written(message: str) -> None:
    """Tell where the output went, on stderr: standard output stays for data only."""
    say(message, err=True)
