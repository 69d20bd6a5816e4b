"""`tracker report`: the coordinator's report for a leadership-group meeting, in Markdown
or as a printable HTML page with charts (in English or French)."""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import date_option, reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import check_target, say_written, stderr_console, write_file, write_stdout


class ReportFormat(enum.StrEnum):
    md = "md"
    html = "html"


class ReportLanguage(enum.StrEnum):
    en = "en"
    fr = "fr"


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
    form: Annotated[
        ReportFormat,
        typer.Option("--format", "-F", help="md (Markdown) or html (one printable page with charts)."),
    ] = ReportFormat.md,
    lang: Annotated[
        ReportLanguage | None,
        typer.Option("--lang", help="The language of the HTML report: en or fr (default: en).", show_default=False),
    ] = None,
) -> None:
    """A report to send as is before a leadership-group meeting: what changed
    since the last meeting, overdue, blocked and stale actions with their leads,
    funding gaps and sources, findings not yet answered, indicators off track and
    the next meetings. In Markdown (the default), or with --format html one
    self-contained page with charts (progress by goal, the funding gap by fiscal
    year, the sources over time), in English or French (--lang), that prints
    with a page per section.

    Example: tracker report --framework stamford-ct -o report.md
             tracker report -f stamford-ct --since 2025-06 | pandoc -o report.docx
             tracker report -f stamford-ct --format html --lang fr -o rapport.html
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
        if lang is not None and form is not ReportFormat.html:
            raise BadInput(
                f"--lang {lang} is for the HTML report (add --format html); the Markdown report is in English."
            )
        if output is not None:
            check_target(output, example=f"report.{form}")
        with _progress() as step, reading(settings) as session:
            data = gather_report(session, framework=framework, since=start, today=today, progress=step)
            step("writing")
            if form is ReportFormat.html:
                from tracker.web.report_html import report_html

                text = report_html(data, lang=str(lang or ReportLanguage.en))
            else:
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
