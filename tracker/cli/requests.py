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
from tracker.cli.output import say_written, write_file, write_stdout

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
        folder = None if to_zip else _check_folder(Path(output))
        with reading(settings) as session:
            files, summary = _build(session, framework, today, within_days, stale, ssh)
        if folder is None:
            from tracker.exports.requests_mail import zip_bytes

            write_stdout(zip_bytes(files))
            return
        _write_folder(folder, files)
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


def _check_folder(folder: Path) -> Path:
    """``folder`` if it is new, empty, or holds only files an earlier run wrote there and
    nobody changed since (a message someone completed is theirs now); else exit 2."""
    from tracker.errors import BadInput

    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise BadInput(f"-o {folder}: that is not a folder; give a new or empty folder, or - for a zip.")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise BadInput(f"-o {folder}: the folder {folder.parent} does not exist; create it first.")
        return folder
    try:
        listed = _listed(folder)
        others = sorted(
            p.name
            for p in folder.iterdir()
            if p.name != MARKER and not (_plain_file(p) and _digest(p.read_bytes()) in listed.get(p.name, set()))
        )
    except OSError as exc:
        raise BadInput(f"-o {folder}: cannot look into that folder ({exc.strerror or exc}); give another.") from None
    if others:
        raise BadInput(
            f"-o {folder}: the folder holds files this command did not write, or that were changed since "
            f"({others[0]!r}" + (f" and {len(others) - 1} more" if len(others) > 1 else "") + "); "
            f"give a new or empty folder, e.g. -o {folder / ('requests-' + dt.date.today().isoformat())}."
        )
    return folder


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _listed(folder: Path) -> dict[str, set[str]]:
    """File name -> the SHA-256 of the contents this command wrote there (the marker's lines)."""
    marker = folder / MARKER
    if not _plain_file(marker):
        return {}
    found: dict[str, set[str]] = {}
    for line in marker.read_text(encoding="utf-8", errors="replace").splitlines():
        digest, _sep, name = line.partition(" ")
        if name and "/" not in name and name != MARKER:
            found.setdefault(name, set()).add(digest)
    return found


def _marker(entries: list[tuple[str, str]]) -> str:
    return "".join(f"{digest} {name}\n" for name, digest in sorted(entries))


def _write_folder(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Write ``files`` into ``folder``; the files of an earlier run that this one does not
    write again are removed (they are this command's own, unchanged: `_check_folder`)."""
    folder.mkdir(exist_ok=True)
    old = _listed(folder)
    new = [(name, _digest(data)) for name, data in files]
    # The marker first, naming the old contents and the new: a run cut short leaves only
    # files a later run recognises as its own.
    write_file(folder / MARKER, _marker([(n, d) for n, ds in old.items() for d in ds] + new))
    names = {name for name, _data in files}
    for name in old:
        path = folder / name
        if name not in names and _plain_file(path):
            path.unlink()
    for name, data in files:
        write_file(folder / name, data)
    write_file(folder / MARKER, _marker(new))
