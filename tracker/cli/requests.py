"""`tracker requests`: before a meeting, one ready-to-send message per person or organisation
that owes an update, written as `.eml` files (the tool never sends mail)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.common import check_option, date_option, echo_json, reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say_written, write_stdout

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.services.reporting.requests import Debtor

# The files of one run are listed here, so that a later run may replace them (and only them).
MARKER = ".tracker-requests"
MAX_DUE_WITHIN = 3_650


def requests(
    ctx: typer.Context,
    framework: Annotated[
        str, typer.Option("--framework", "-f", help="The framework whose updates are owed.", show_default=False)
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR|-",
            help="A new or empty folder (or one this command wrote before) for the .eml files and "
            "summary.txt; - for a zip of them on standard output.",
            show_default=False,
        ),
    ],
    due_within: Annotated[
        str, typer.Option("--due-within", help="Ask about actions due within this many days: 14, 14d or 2w.")
    ] = "14d",
    stale_days: Annotated[
        str, typer.Option("--stale-days", help="Ask about actions with no update for this many days: 30, 30d or 4w.")
    ] = "30",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="As of this day (default today), e.g. the meeting's: 2026-01-15, +1w."),
    ] = None,
    ssh: Annotated[
        str | None,
        typer.Option(
            "--ssh",
            metavar="USER@HOST",
            help="The team server members answer on (ssh USER@HOST actions set-status ...); "
            "without it the messages offer the attached workbook only.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the summary as JSON on standard output.")] = False,
) -> None:
    """Write update requests: per owner and per organisation, the open actions that are
    due soon, overdue, stale or never updated, as RFC 5322 messages (.eml) with a
    workbook of those actions attached, and summary.txt of who was asked for what.

    An organisation's message goes to its members in the framework who have an
    address; one with none is written without a To line, for you to complete.
    Nothing is sent: open the .eml files in your mail program.

    \b
    Example: tracker requests -f stamford-ct -o requests/
             tracker requests -f stamford-ct --due-within 3w --ssh tracker@plans.example.org -o requests/
             tracker requests -f stamford-ct -o - > requests.zip
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.dates import parse_days
        from tracker.errors import BadInput
        from tracker.services.tracking.filters import MAX_STALE_DAYS

        within_days = check_option("--due-within", parse_days(due_within, "--due-within"), 0, MAX_DUE_WITHIN)
        stale = check_option("--stale-days", parse_days(stale_days, "--stale-days"), 1, MAX_STALE_DAYS)
        today = date_option(as_of) or dt.date.today()
        if ssh is not None:
            _check_ssh(ssh)
        to_zip = output == "-"
        if to_zip and as_json:
            raise BadInput(
                "-o - writes the zip to standard output, so --json has no room there; give -o DIR with --json."
            )
        if to_zip and sys.stdout.isatty():
            raise BadInput(
                "-o - writes a zip, which is binary, not for the terminal: redirect it (> requests.zip) or give -o DIR."
            )
        folder = None
        if not to_zip:
            from tracker.files import check_own_folder

            example = Path(output) / f"requests-{dt.date.today().isoformat()}"
            folder = check_own_folder(Path(output), MARKER, example=example)
        with reading(settings) as session:
            files, summary = _build(session, framework, today, within_days, stale, ssh)
        if folder is None:
            from tracker.files import zip_bytes

            write_stdout(zip_bytes(files))
            return
        from tracker.files import write_own_folder

        write_own_folder(folder, MARKER, files)
        say_written(
            f"Wrote {len(files) - 1} message{'s' if len(files) != 2 else ''} and summary.txt to {folder} "
            "(nothing was sent)."
        )
        if as_json:
            echo_json(summary)


def _check_ssh(ssh: str) -> None:
    import re

    from tracker.errors import BadInput

    if not re.fullmatch(r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]+)?|[A-Za-z0-9.-]+", ssh) or ssh.startswith("-"):
        raise BadInput(f"--ssh takes the team server as USER@HOST (e.g. tracker@plans.example.org), not {ssh[:60]!r}.")


def _build(
    session: Session, framework: str, today: dt.date, within_days: int, stale: int, ssh: str | None
) -> tuple[list[tuple[str, bytes]], dict[str, object]]:
    import sqlalchemy as sa

    from tracker.exports.requests_mail import SUMMARY, summary_json, summary_text, write_all
    from tracker.services.access.emails import visible_emails
    from tracker.services.reporting.requests import update_requests
    from tracker.services.tracking.actions import framework_id, framework_t
    from tracker.services.tracking.mine import reader_login

    fid = framework_id(session, framework)  # unknown or not the reader's: one sentence first
    title = session.execute(sa.select(framework_t.c.title).where(framework_t.c.id == fid)).scalar_one()
    found = update_requests(session, framework=framework, today=today, due_within=within_days, stale_days=stale)
    login = reader_login(session)  # who this read is for (on PostgreSQL, the role's member)
    written = write_all(
        found,
        framework_title=title,
        workbook_for=lambda debtor: _workbook_for(session, framework, debtor),
        ssh=ssh,
        sender=visible_emails(session, [login]).get(login),
        now=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    files = [(w.file, w.message) for w in written]
    files.append((SUMMARY, summary_text(found, written).encode()))
    return files, summary_json(found, written)


def _workbook_for(session: Session, framework: str, debtor: Debtor) -> bytes:
    """The workbook attached to ``debtor``'s message: the for-updates workbook (`export
    --for-updates`) of the open actions the owner owns or the organisation leads or supports,
    where only the new status, a note and a completion date can be filled in; the answer
    comes back through `tracker import-updates`."""
    from tracker.cli.export import for_updates_workbook

    if debtor.kind == "owner":
        return for_updates_workbook(session, framework=framework, owner=debtor.key)
    return for_updates_workbook(session, framework=framework, stakeholder=debtor.key)
