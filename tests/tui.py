"""Opening the app in tests as a given member, and waiting for its workers."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tracker.db import read_session
from tracker.services.access.members import find_member
from tracker.tui.app import TrackerApp, make_app


def open_app(engine: Engine, login: str | None, *, poll: bool = False) -> TrackerApp:
    """The app as ``login`` (None: not a member); polling for others' changes off unless asked."""
    with read_session(engine) as session:
        member = find_member(session, login) if login else None
    return make_app(engine, member, poll=poll)


async def settle(app: TrackerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the database workers are done and the screen shows their results.

    A worker replaced by a newer one of its group (a poll, a filter) ends as
    cancelled, which is normal: wait again for the one that replaced it. The
    listener (PostgreSQL, polling on) runs as long as the app: not waited for.
    """
    import asyncio

    from textual.worker import WorkerCancelled

    rounds = 0
    for _ in range(50):  # a bound, should workers keep replacing each other
        try:
            # (an empty list would mean every worker to wait_for_complete)
            await asyncio.gather(*(w.wait() for w in app.workers if w.group != "listen"))
        except WorkerCancelled:
            await pilot.pause()
            continue
        await pilot.pause()
        rounds += 1
        if rounds == 3:
            return
    raise AssertionError("the app's workers kept being cancelled and replaced")
