"""`tracker report`: the coordinator's Markdown report for a leadership-group meeting."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import date_option, reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import check_target, say_written, stderr_console, write_file, write_stdout


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
        from tracker.services.reporting.report import gather_report

        today = dt.date.today()
        start = date_option(since)
        if start is not None and start > today:
            raise BadInput(f"--since {since} is after today ({today.isoformat()}); give a day in the past.")
        if output is not None:
            check_target(output, example="report.md")
        with _progress() as step, reading(settings) as session:
            data = gather_report(session, framework=framework, since=start, today=today, progress=step)
            step("writing")
            text = report_markdown(data)
        if output is None:
            write_stdout(text)
        else:
            write_file(output, text)
            say_written(f"Wrote the report on {framework} to {output}.")


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A spinner naming the part being read, when stderr is a terminal; else silence."""
    if not sys.stderr.isatty():
        yield lambda _part: None
        return
    with stderr_console().status("Reading...") as status:
        yield lambda part: status.update(f"Reading {part}...")
