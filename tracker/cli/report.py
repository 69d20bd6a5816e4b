"""`tracker report`: the coordinator's Markdown report for a leadership-group meeting."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import date_option, reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import document, say, stderr_console


def report(
    ctx: typer.Context,
    framework: Annotated[
        str, typer.Option("--framework", "-f", help="The framework to report on.", show_default=False)
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Changes from this day on: 2025-06-30, 2025-06, -2w, today "
            "(default: the last working-group meeting, else 30 days ago).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (replaced whole, never half-written).")
    ] = None,
) -> None:
    """A Markdown report to send as is before a leadership-group meeting: what changed
    since the last meeting, overdue, blocked and stale actions with their leads,
    funding gaps and sources, findings not yet answered, indicators off track and
    the next meetings.

    Example: tracker report --framework stamford-ct -o report.md
             tracker report -f stamford-ct --since 2025-06 | pandoc -o report.docx
    """
    settings: Settings = ctx.obj
    with user_errors():
        import datetime as dt

        from tracker.errors import BadInput
        from tracker.exports.report_md import report_markdown
        from tracker.services.report import gather_report

        today = dt.date.today()
        start = date_option(since)
        if start is not None and start > today:
            raise BadInput(f"--since {since} is after today ({today.isoformat()}); give a day in the past.")
        if output is not None:
            _check_folder(output)
        with _progress() as step, reading(settings) as session:
            data = gather_report(session, framework=framework, since=start, today=today, progress=step)
            step("writing")
            text = report_markdown(data)
        if output is None:
            document(text)
        else:
            write_atomically(output, text)
            say(f"Wrote the report on {framework} to {output}.", err=True)


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A spinner naming the part being read, when stderr is a terminal; else silence."""
    if not sys.stderr.isatty():
        yield lambda _part: None
        return
    with stderr_console().status("Reading...") as status:
        yield lambda part: status.update(f"Reading {part}...")


def _check_folder(path: Path) -> None:
    from tracker.errors import BadInput

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BadInput(f"{path} is a folder; give a file name, for example {path / 'report.md'}.")
    if not folder.is_dir():
        raise BadInput(f"there is no folder {folder} to write {path.name} in; create it or choose another path.")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``:
    a reader sees the old report or the new one, never half of one."""
    from tracker.errors import TrackerError

    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise TrackerError(f"cannot write in {folder}: {exc.strerror or exc}; nothing was written.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():  # keep the permissions of the report being replaced
            os.chmod(temp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}; it was left as it was.") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
