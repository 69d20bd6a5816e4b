"""Changing the plan in the app: the action form, funding, moving and cancelling, driven with
Pilot on a real database, as a coordinator and as those who may not."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from textual.widgets import Input, Select, SelectionList

from tests.plans import MINIMAL, with_change
from tests.tracking import CONVENE, seeded
from tests.tui import open_app as _app
from tests.tui import settle as _settle
from tracker.db import write_session
from tracker.services.access.members import resolve_member
from tracker.services.plan.edits import edit_action
from tracker.tui.app import TrackerApp

# A second objective, to move actions to.
TWO_OBJECTIVES = with_change(
    "          - key: reporting\n",
    "      - key: g1-o2\n        title: A reporting line people trust\n        actions:\n"
    "          - key: reporting\n",
    MINIMAL,
)


def _row(engine: Engine, key: str = "convene") -> sa.Row:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT a.title, a.due, a.version, a.status, s.key AS lead, o.key AS objective FROM action a "
                "JOIN stakeholder s ON s.id = a.lead_id JOIN objective o ON o.id = a.objective_id WHERE a.key = :k"
            ),
            {"k": key},
        ).one()


def _errors(app: TrackerApp) -> dict[str, str]:
    """The problems the form shows, by field (``form`` for the one above the fields)."""
    return {
        w.id.removesuffix("-error").replace("form", "form"): str(w.render())
        for w in app.screen.query(".field-error, .form-error")
        if w.display and w.id
    }


async def _open_detail(app: TrackerApp, pilot, ref: str = CONVENE) -> None:  # type: ignore[no-untyped-def]
    from tracker.tui.screens.detail import ActionDetailScreen

    await app.push_screen(ActionDetailScreen(ref))
    await _settle(app, pilot)


async def _type(pilot, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Replace what a field holds, by keys, as a person would."""
    widget = pilot.app.screen.query_one(f"#{field}", Input)
    widget.focus()
    await pilot.pause()
    widget.action_select_all()
    await pilot.press("backspace", *text)


async def test_edit_with_a_bad_date_says_so_under_the_field_and_keeps_what_was_typed(engine: Engine) -> None:
    """A coordinator changes the due date and lead of an action in the app; a due date before the
    start is said under the due field (the plan-file rule), nothing is written, and what was typed
    stays until it is fixed; then the change is saved as one new version, audited."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("e")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        await _type(pilot, "title", "Convene the prevention working group")
        await _type(pilot, "due", "2024-01-31")
        await pilot.press("enter")
        await _settle(app, pilot)
        errors = _errors(app)
        assert list(errors) == ["due"], errors
        assert "due" in errors["due"] and "start" in errors["due"]
        assert type(app.screen).__name__ == "ActionForm"
        assert app.screen.query_one("#title", Input).value == "Convene the prevention working group"
        assert _row(engine).version == 1  # nothing written
        await _type(pilot, "due", "2026-01")
        app.screen.query_one("#lead", Select).value = "union-church"
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
    row = _row(engine)
    assert (row.title, str(row.due), row.lead, row.version) == (
        "Convene the prevention working group", "2026-01-31", "union-church", 2,
    )  # fmt: skip
    with engine.connect() as conn:
        fields = conn.execute(sa.text("SELECT field FROM plan_change ORDER BY field")).scalars().all()
    assert fields == ["due", "lead_id", "title"]
