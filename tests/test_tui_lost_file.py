"""The app notices a SQLite file deleted or replaced under it before it writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from textual.widgets import Input, Select

from tests.tracking import CONVENE, seeded
from tests.tui import open_app as _app
from tests.tui import settle as _settle
from tracker.db import make_engine, upgrade, write_session
from tracker.errors import DatabaseUnavailable
from tracker.services.access.members import resolve_member
from tracker.services.tracking import changes as tracking
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import ActionDetailScreen

NOTE = "met the principal on Tuesday"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _replace(path: Path) -> None:
    """Put another tracker database at ``path``, as restoring a copy would."""
    other = path.with_name("restored.db")
    engine = make_engine(str(other))
    upgrade(engine)
    seeded(engine)
    engine.dispose()
    _remove(path)
    os.replace(other, path)


def _notes(path: Path) -> int:
    engine = make_engine(str(path))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM action_note")).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("change", ["deleted", "replaced"])
async def test_a_note_into_a_deleted_or_replaced_file_is_refused_and_kept(
    sqlite_engine: Engine, sqlite_path: Path, change: str
) -> None:
    """The app said "note added" for a note written into a SQLite file deleted under it, and
    the note vanished on exit; now the write is refused with a sentence that says what
    happened and what to do, nothing claims success, and the typed note is still there."""
    seeded(sqlite_engine)
    app = _app(sqlite_engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        (_remove if change == "deleted" else _replace)(sqlite_path)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*NOTE, "enter")
        await _settle(app, pilot)
        said = [n.message for n in app._notifications]
        assert any("deleted or replaced" in m and "nothing was written" in m and "Restart" in m for m in said), said
        assert not any("note added" in m for m in said)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#note", Input).value == NOTE
    if change == "replaced":
        assert _notes(sqlite_path) == 0  # not written into the file put there either
    else:
        assert not sqlite_path.exists()


def _refused(app: TrackerApp) -> None:
    said = [n.message for n in app._notifications]
    assert any("deleted or replaced" in m and "nothing was written" in m for m in said), said
    assert not any(word in m for m in said for word in ("→", "recorded for"))  # no success claimed


async def test_a_status_change_into_a_replaced_file_is_refused_and_kept(
    sqlite_engine: Engine, sqlite_path: Path
) -> None:
    """A status change (with its note) aimed at a replaced file is refused, not lost, and the
    status dialog opened again shows what the member chose and typed."""
    seeded(sqlite_engine)
    app = _app(sqlite_engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        _replace(sqlite_path)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter", "down", "enter", "tab", *NOTE, "enter")
        await _settle(app, pilot)
        _refused(app)
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.query_one("#note", Input).value == NOTE
        assert app.screen.query_one("#status", Select).value is not Select.BLANK
    engine = make_engine(str(sqlite_path))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM status_change")).scalar_one() == 0
    engine.dispose()


async def test_a_measurement_into_a_deleted_file_is_refused_and_kept(sqlite_engine: Engine, sqlite_path: Path) -> None:
    """A value recorded while the database file is gone is refused, not lost, and the dialog
    opened again holds the value, the day and the note the member typed."""
    seeded(sqlite_engine)
    app = _app(sqlite_engine, "city")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        _remove(sqlite_path)
        await pilot.press("down", "down", "down", "i")
        await pilot.pause()
        await pilot.press("7", "tab", *"2025-04-01", "tab", *"count", "enter")
        await _settle(app, pilot)
        _refused(app)
        await pilot.press("i")
        await pilot.pause()
        assert [app.screen.query_one(f"#{name}", Input).value for name in ("value", "on", "note")] == [
            "7", "2025-04-01", "count",
        ]  # fmt: skip
    assert not sqlite_path.exists()


@pytest.mark.parametrize("change", ["deleted", "replaced"])
def test_a_command_writing_into_a_deleted_or_replaced_file_is_refused(
    sqlite_engine: Engine, sqlite_path: Path, change: str
) -> None:
    """The same guard serves every write, the command line's included: a write that would
    land in a file nobody can see any more is refused, never reported as done."""
    seeded(sqlite_engine)
    (_remove if change == "deleted" else _replace)(sqlite_path)
    with pytest.raises(DatabaseUnavailable, match="deleted or replaced"), write_session(sqlite_engine) as session:
        tracking.add_note(session=session, actor=resolve_member(session, "domus"), ref=CONVENE, text=NOTE)
