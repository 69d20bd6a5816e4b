"""`u` in the app: undo my own last change after a dialog that says what, with a notice;
a refusal said in a sentence; a retracted note shown as retracted."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.tracking import CONVENE, seeded
from tests.tui import open_app, settle
from tracker.db import write_session
from tracker.models.enums import Status
from tracker.services.access.members import resolve_member
from tracker.services.plan.edits import edit_action
from tracker.services.tracking import changes as tracking
from tracker.tui.app import TrackerApp
from tracker.tui.screens.detail import ActionDetailScreen


def _recording(app: TrackerApp) -> list[tuple[str, str]]:
    said: list[tuple[str, str]] = []
    notify = app.notify

    def recording_notify(message: str, *, title: str = "", **kwargs: Any) -> None:
        said.append((title, message))
        notify(message, title=title, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    return said


def _status(engine: Engine) -> tuple[str, int]:
    with engine.connect() as conn:
        status, version = conn.execute(sa.text("SELECT status, version FROM action WHERE key = 'convene'")).one()
    return str(status), int(version)


def _text(app: TrackerApp) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static"))


async def test_u_on_the_action_page_asks_then_undoes_my_status_change(engine: Engine) -> None:
    """A member who moved an action by mistake presses u: the dialog says in words what
    will be undone, Undo puts the status back, and a notice says what was done."""
    seeded(engine)
    with write_session(engine) as session:
        tracking.set_status(session=session, actor=resolve_member(session, "city"), ref=CONVENE, status=Status.done)
    app = open_app(engine, "city")
    said = _recording(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await settle(app, pilot)
        keys = {active.binding.key: active.binding.description for active in app.screen.active_bindings.values()}
        assert keys["u"] == "Undo"  # the Footer offers it
        await pilot.press("u")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "UndoDialog"
        shown = _text(app)
        assert "from planned to done" in shown and "move it back to planned" in shown and "in_progress" not in shown
        await pilot.press("escape")  # "Keep it": nothing happens
        await settle(app, pilot)
        assert type(app.screen) is ActionDetailScreen and _status(engine) == ("done", 2)
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.click("#undo")
        await settle(app, pilot)
        assert type(app.screen) is ActionDetailScreen
        assert "planned" in _text(app).split("status", 1)[1].split("\n", 1)[0]
    assert _status(engine) == ("planned", 3)
    assert any(title == "Undone" and "moved it back to planned" in message for title, message in said), said


async def test_u_is_refused_in_a_sentence_when_someone_changed_it_since(engine: Engine) -> None:
    """Undo must not throw away a colleague's later change: the app says who changed it
    and when, opens no dialog, and writes nothing."""
    seeded(engine)
    with write_session(engine) as session:
        tracking.set_status(
            session=session, actor=resolve_member(session, "city"), ref=CONVENE, status=Status.in_progress
        )
    with write_session(engine) as session:
        edit_action(session=session, actor=resolve_member(session, "coord"), ref=CONVENE, changes={"cost": "900"})
    app = open_app(engine, "city")
    said = _recording(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert type(app.screen) is ActionDetailScreen
    assert _status(engine) == ("in_progress", 3)
    [(_title, message)] = [s for s in said if s[0] == "Not undone"]
    assert "coord changed its cost at" in message and "tracker " not in message


async def test_a_note_undone_in_the_app_is_shown_struck_through(engine: Engine) -> None:
    """A note taken back must not read as current on the action's page, yet stays visible
    as what was said, marked as retracted."""
    seeded(engine)
    with write_session(engine) as session:
        tracking.add_note(session=session, actor=resolve_member(session, "city"), ref=CONVENE, text="hall booked")
    app = open_app(engine, "city")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await settle(app, pilot)
        assert "city noted: hall booked" in _text(app) and "retracted" not in _text(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert "retract it" in _text(app)
        await pilot.click("#undo")
        await settle(app, pilot)
        detail = app.screen.query_one("#detail")
        rendered = detail.render()
        assert "(retracted by city at" in str(rendered)
        spans = [span for span in rendered.spans if "strike" in str(span.style)]  # type: ignore[attr-defined]
        assert [str(rendered)[s.start : s.end] for s in spans] == ["hall booked"]  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM note_retraction")).scalar_one() == 1


async def test_u_in_the_actions_list_undoes_my_last_change_on_the_highlighted_action(engine: Engine) -> None:
    """From the list, u works on the highlighted action without opening it."""
    from tracker.tui.widgets.action_list import ActionList

    seeded(engine)
    with write_session(engine) as session:
        tracking.set_status(session=session, actor=resolve_member(session, "city"), ref=CONVENE, status=Status.blocked)
    app = open_app(engine, "city")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        actions = app.screen.query_one(ActionList)
        actions.cursor = [actions.row_at(i).ref for i in range(actions.total)].index(CONVENE)  # type: ignore[union-attr]
        await pilot.press("u")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "UndoDialog" and "from planned to blocked" in _text(app)
        await pilot.click("#undo")
        await settle(app, pilot)
        row = app.screen.query_one(ActionList).row_at(actions.cursor)
        assert row is not None and row.ref == CONVENE and row.status is Status.planned
    assert _status(engine) == ("planned", 3)
