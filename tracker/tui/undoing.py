"""`u` on a screen: undo my own last change (on one action, or anywhere), after saying what.

The look-up and the write run in thread workers, as every database call of the app does;
a refusal is said as the service's sentence, with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from tracker.errors import TrackerError
from tracker.tui.loading import FAILED, fetch
from tracker.tui.screens.dialogs import UndoDialog


def undo_last(screen: Screen[Any], ref: str | None, reload: Callable[[], object]) -> None:
    """Find my last change (on ``ref``, else anywhere), confirm it in a dialog, undo it,
    say what was done, then ``reload`` (called from the worker thread)."""
    app = screen.app

    def look() -> None:
        found = fetch(screen, lambda data: data.undo_plan(ref))
        if found is FAILED:
            return
        change, since = found
        if since is not None:
            app.call_from_thread(
                screen.notify, f"{change.ref} changed after {change.what}: {since}.", title="Not undone",
                severity="warning",
            )  # fmt: skip
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                screen.run_worker(lambda: write(change), thread=True, exclusive=True, group="write")

        app.call_from_thread(app.push_screen, UndoDialog(change.sentence), confirmed)

    def write(change: Any) -> None:
        try:
            done = app.data.undo(ref, change)  # type: ignore[attr-defined]
        except TrackerError as exc:
            app.call_from_thread(screen.notify, exc.message, title="Not undone", severity="warning")
        except Exception as exc:  # a lost connection must not crash the app
            app.call_from_thread(app.connection_trouble, exc)  # type: ignore[attr-defined]
            return
        else:
            app.call_from_thread(screen.notify, f"Undone: {done.what}; {done.undo}.", title="Undone")
        reload()

    screen.run_worker(look, thread=True, exclusive=True, group="undo")
