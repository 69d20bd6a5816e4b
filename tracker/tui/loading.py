"""How screens use the database from thread workers: one way to fetch, fail and show.

Every screen loads the same way: run a `Data` call in a thread worker; a
`TrackerError` is said to the user, anything else is a connection problem the
app reports (and recovers from); a result is shown only if no newer load of
the same worker group started meanwhile (a cancelled thread worker still runs
to its end, and its stale result must not replace a newer one). Every screen
writes the same way too (`save`): a failed write keeps what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import get_current_worker

from tracker.errors import Conflict, TrackerError

if TYPE_CHECKING:
    from textual.screen import Screen

    from tracker.tui.data import Data

T = TypeVar("T")
FAILED: Any = object()  # what `fetch` returns after telling the user what went wrong


def fetch(screen: Screen[Any], work: Callable[[Data], T]) -> T:
    """Run ``work`` on the app's data (from a thread worker); FAILED when it could not."""
    app = screen.app
    try:
        return work(app.data)  # type: ignore[attr-defined]
    except TrackerError as exc:
        app.call_from_thread(screen.notify, exc.message, severity="error")
    except Exception as exc:  # a lost connection must not crash the app
        app.call_from_thread(app.connection_trouble, exc)  # type: ignore[attr-defined]
    return FAILED  # type: ignore[no-any-return]


def save(screen: Screen[Any], work: Callable[[Data], T], *, keep: Callable[[], None], key: str) -> T:
    """Run a write (from a thread worker); FAILED when nothing was written.

    On any failure ``keep()`` holds on to what the user typed, so the dialog opened
    again with ``key`` shows it: a refusal (say, a database file deleted under the
    app) is said as it is, anything else is a connection problem the app reports.
    A `Conflict` is left to the caller, who settles it with the user.
    """
    app = screen.app
    try:
        return work(app.data)  # type: ignore[attr-defined]
    except Conflict:
        raise
    except TrackerError as exc:
        keep()
        app.call_from_thread(screen.notify, exc.message, title="Not saved: what you typed is kept", severity="error")
    except Exception as exc:
        keep()
        app.call_from_thread(app.connection_trouble, exc)  # type: ignore[attr-defined]
        app.call_from_thread(
            screen.notify, f"Not saved. Press {key} when the database is back: what you typed is kept."
        )
    return FAILED  # type: ignore[no-any-return]


def deliver(screen: Screen[Any], show: Callable[..., None], *args: Any) -> None:
    """Show a worker's result on screen, unless a newer load has started since or the screen is gone."""
    worker = get_current_worker()

    def maybe_show() -> None:
        # A screen taken down while its result was on the way (the app closing, a test
        # ending) has no widgets left to show it in: the result is dropped, not a crash.
        if not worker.is_cancelled and screen.is_attached:
            show(*args)

    screen.app.call_from_thread(maybe_show)


def load(screen: Screen[Any], work: Callable[[Data], T], show: Callable[[T], None]) -> None:
    """`fetch`, then `deliver` the result to ``show``."""
    result = fetch(screen, work)
    if result is not FAILED:
        deliver(screen, show, result)
