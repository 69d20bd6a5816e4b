"""`tracker import-updates`: a filled-in for-updates workbook (or its CSV) back into the database;
and the report the bulk-apply service gives, shared with `actions set-status --from`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.context import Settings, user_errors

if TYPE_CHECKING:
    from tracker.services.tracking.bulk import Outcome
    from tracker.services.tracking.update_files import Update


def import_updates(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="FILE.xlsx|FILE.csv|-", help="The filled-in workbook, its CSV, or - for stdin.")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would apply; change nothing.")] = False,
    atomic: Annotated[bool, typer.Option("--atomic", help="Apply nothing unless every row can.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The report as JSON, for scripts.")] = False,
) -> None:
    """Apply a workbook made by `tracker export --format xlsx --for-updates` and filled in.

    Each row with a new status, a note or a completion date (sheet Actions), or a new value
    (sheet Indicators) is recorded as entered by you on behalf of the action's owner or
    organisation. A row whose action changed since the export is a conflict (who changed
    what is said); bad rows, refused rows and formula cells are reported by sheet, row and
    column. By default the good rows apply; --atomic: nothing unless every row can. The same
    file imported again reports its rows as already applied.

    Exit 0 when every row applied (or already had); else 2 (bad rows), 4 (refused) or
    3 (conflicts), the first of these found.

    \b
    Example: tracker --as ana import-updates maria-updates.xlsx --dry-run
             tracker --as ana import-updates maria-updates.xlsx
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.tracking.update_files import read_updates

        run_bulk(settings, lambda: read_updates(source), atomic=atomic, dry_run=dry_run, as_json=as_json)


def run_bulk(
    settings: Settings, read: Callable[[], Sequence[Update]], *, atomic: bool, dry_run: bool, as_json: bool
) -> None:
    """Read the updates, apply them through the bulk-apply service, report each, exit with its code."""
    from tracker.db import read_session
    from tracker.services.access.members import resolve_member
    from tracker.services.tracking.bulk import apply_updates, exit_code

    updates = read()
    engine = settings.engine()
    login = settings.login(engine)
    with read_session(engine) as session:
        member = resolve_member(session, login)
    outcomes = apply_updates(engine=engine, actor=member, updates=updates, atomic=atomic, dry_run=dry_run)
    _report(outcomes, as_json=as_json, dry_run=dry_run)
    code = exit_code(outcomes)
    if code:
        raise SystemExit(code)


def _report(outcomes: Sequence[Outcome], *, as_json: bool, dry_run: bool) -> None:
    from collections import Counter

    from tracker.cli.output import say

    counts = Counter(o.result.value for o in outcomes)
    summary = ", ".join(f"{n} {what}" for what, n in counts.items()) or "no rows"
    if as_json:
        from tracker.cli.common import echo_json

        echo_json({"dry_run": dry_run, "counts": dict(counts), "rows": [o.plain() for o in outcomes]})
        return
    from tracker.services.tracking.bulk import Result

    for outcome in outcomes:
        if outcome.result is not Result.nothing:  # rows left blank are only counted (--json lists them)
            say(outcome.message, one_line=True)
    say(f"{summary}{' (dry run: nothing was changed)' if dry_run else ''}.")
