"""Live refresh on PostgreSQL: another member's change shows in an open app at once.

What a user relies on: on the team's server another member's change appears on
their screen within a second, not at the next poll, also after the server was
restarted (the app reconnects by itself and reloads what it missed).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import admin_login
from tests.test_faults import ThrowawayServer, server  # noqa: F401  (a fixture)
from tests.tracking import CONVENE, REPORTING, seeded
from tests.tui import open_app, settle
from tracker.db import make_engine, read_session, write_session
from tracker.models.enums import Status
from tracker.services.access.members import resolve_member
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.actions import get_action
from tracker.tui import app as app_module
from tracker.tui.widgets.action_list import ActionList

SOON = 5.0  # seconds a notified change may take to show, on a loaded machine (the poll is off)


def _pg(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (LISTEN/NOTIFY): runs when TRACKER_TEST_PG is set (CI's second pass)")


# -- two app sessions -----------------------------------------------------------------------


@pytest.fixture
def no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The poll is off (an hour between looks): what shows came by notification."""
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(app_module, "SLOW_POLL_SECONDS", 3600.0, raising=False)


def _status_shown(app: Any, ref: str) -> Status | None:
    actions = app.screen.query_one(ActionList)
    for i in range(actions.total):
        row = actions.row_at(i)
        if row is not None and row.ref == ref:
            return row.status  # type: ignore[no-any-return]
    return None


async def _until(pilot: Any, check: Any, what: str, within: float = SOON) -> float:
    """Seconds until ``check()`` holds, pausing the app between looks; fails after ``within``."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > within:
            raise AssertionError(f"{what}: not within {within} s")
        await pilot.pause(0.01)
    return time.monotonic() - start


async def _listening(app: Any, pilot: Any) -> None:
    # (an app that cannot listen is taken as ready: then what follows fails, showing why)
    await _until(pilot, lambda: getattr(app, "listening", True), "the app listening", within=15)


async def test_a_change_in_one_app_shows_in_another_at_once(engine: Engine, db_url: str, no_poll: None) -> None:
    """Two members in two apps on one server: a status set in one shows in the other's list
    within a second or so, with the poll off; so does a change made with the CLI."""
    _pg(engine)
    seeded(engine)
    watcher = open_app(engine, "coord", poll=True)
    writer_engine = make_engine(db_url)
    writer = open_app(writer_engine, "domus", poll=True)
    go, saved, close = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def the_other_member() -> None:
        """The writer's app in a task of its own (Textual keeps the running app in the task's context)."""
        from tracker.tui.screens.detail import ActionDetailScreen

        async with writer.run_test(size=(120, 40)) as pilot:
            await writer.push_screen(ActionDetailScreen(CONVENE))
            await settle(writer, pilot)
            await go.wait()
            await pilot.press("s")
            await pilot.pause()
            await pilot.press("enter", "down", "enter", "tab", *"started", "enter")  # in progress, a note
            await settle(writer, pilot)
            saved.set()
            await close.wait()

    other = asyncio.create_task(the_other_member())
    try:
        async with watcher.run_test(size=(120, 40)) as pilot:
            await pilot.press("a")
            await settle(watcher, pilot)
            await _listening(watcher, pilot)
            assert _status_shown(watcher, CONVENE) == Status.planned

            go.set()
            await asyncio.wait_for(saved.wait(), 30)
            with read_session(engine) as session:
                assert get_action(session, CONVENE).row.status == Status.in_progress
            await _until(pilot, lambda: _status_shown(watcher, CONVENE) == Status.in_progress, "app change")

            # as the database role, the test database's admin (no --as: PostgreSQL may refuse it)
            result = tracker("--db", db_url, "actions", "set-status", REPORTING, "done")
            assert result.code == 0, result
            took = await _until(pilot, lambda: _status_shown(watcher, REPORTING) == Status.done, "CLI change")
            print(f"\na CLI status change on screen {took * 1000:.0f} ms after the command ended")
            assert any(admin_login(engine) in n.message for n in watcher._notifications)  # who changed what
    finally:
        close.set()
        await asyncio.wait_for(other, 30)
        writer_engine.dispose()


async def test_the_listener_comes_back_after_the_server_restarts(
    server: ThrowawayServer,  # noqa: F811
    no_poll: None,
) -> None:
    """The server restarts under an open app: it says the connection is lost, then that the
    database is back (by itself, the poll being off), reloads, and a change made after
    the restart still shows at once."""
    engine = make_engine(server.url)
    app = open_app(engine, "coord", poll=True)
    said: list[str] = []
    notify = app.notify

    def recording_notify(message: str, **kwargs: Any) -> None:
        said.append(kwargs.get("title", ""))
        notify(message, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a")
            await settle(app, pilot)
            await _listening(app, pilot)
            server.stop()
            await _until(pilot, lambda: "Connection lost" in said and not app.listening, "the loss noticed")
            # written while the app cannot hear: lost as a notification, shown by the reload
            server.start_again()
            with write_session(engine) as session:
                tracking.set_status(
                    session=session, actor=resolve_member(session, "city"), ref=CONVENE, status=Status.blocked
                )
            await _until(pilot, lambda: app.listening and "Connected" in said, "listening again", within=20)
            await _until(pilot, lambda: _status_shown(app, CONVENE) == Status.blocked, "the reload")

            with write_session(engine) as session:
                tracking.set_status(
                    session=session, actor=resolve_member(session, "church"), ref=REPORTING, status=Status.done
                )
            await _until(pilot, lambda: _status_shown(app, REPORTING) == Status.done, "a change after the restart")
            assert said.count("Connection lost") == 1
    finally:
        engine.dispose()
