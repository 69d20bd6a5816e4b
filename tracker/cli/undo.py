"""`tracker undo [REF]`: take back one's own last change, as a new change."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say


def undo(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            help="framework-key/action-key: your last change on this action (default: your last change anywhere).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be undone; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Undo your own last change (a status change, a plan edit, funding, a note) as a new change.

    History is never rewritten: a status goes back with a note saying it was an undo, an
    edit puts the earlier values back (recorded like any edit), a note is retracted (its
    text stays in the history). Refused (exit 3), saying who and when, if anybody changed
    the action since; exit 1 when there is nothing to undo; exit 4 for a viewer. Undoing
    twice re-applies the change.

    Example: tracker undo stamford-ct/convene --dry-run
             tracker undo
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.tracking import undo as undoing

        if dry_run:
            from tracker.services.access.members import resolve_member

            with reading(settings) as session:
                change = undoing.last_change(session, resolve_member(session, settings.login(settings.engine())), ref)
                since = undoing.changed_since(session, change)
            if as_json:
                echo_json(
                    {"ref": change.ref, "kind": change.kind, "would_undo": change.what, "undo": change.undo,
                     "changed_since": since}
                )  # fmt: skip
            elif since is not None:
                say(f"{change.ref} changed after {change.what}: {since}; undo would be refused.")
            else:
                say(f"would undo {change.what}: {change.undo}. Nothing was changed.")
            return
        done = writing(settings, lambda session, actor: undoing.undo(session=session, actor=actor, ref=ref))
        if as_json:
            echo_json(
                {"ref": done.ref, "kind": done.kind, "undone": done.what, "done": done.undo, "version": done.version}
            )
        else:
            version = f", version {done.version}" if done.version is not None else ""
            say(f"undid {done.what}: {done.undo}{version}.")
