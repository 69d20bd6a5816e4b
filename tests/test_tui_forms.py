"""Changing the plan in the app: the action form, funding, moving and cancelling, driven with
Pilot on a real database, as a coordinator and as those who may not."""

from __future__ import annotations

from pathlib import Path

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
    "      - key: g1-o2\n        title: A reporting line people trust\n        actions:\n          - key: reporting\n",
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
        shown = str(app.screen.query_one("#detail").render())
        assert "coord: due: 2025-06-30 → 2026-01-31" in shown  # the edit, in the action's history
    row = _row(engine)
    assert (row.title, str(row.due), row.lead, row.version) == (
        "Convene the prevention working group", "2026-01-31", "union-church", 2,
    )  # fmt: skip
    with engine.connect() as conn:
        fields = conn.execute(sa.text("SELECT field FROM plan_change ORDER BY field")).scalars().all()
    assert fields == ["due", "lead_id", "title"]


async def test_add_an_action_on_an_objective_of_the_plan(engine: Engine) -> None:
    """On the plan tree, `a` on an objective opens an empty form under it; the key follows the
    title; the new action is planned, under that objective, and the tree shows it."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        tree = app.screen.query_one("Tree")
        objective = next(n for n in _nodes(tree.root) if n.data and n.data.kind == "objective")
        tree.move_cursor(objective)
        await pilot.pause()
        await pilot.press("a")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        await _type(pilot, "title", "Survey young people")
        assert app.screen.query_one("#key", Input).value == "survey-young-people"
        app.screen.query_one("#lead", Select).value = "domus-kids"
        app.screen.query_one("#partners", SelectionList).select("union-church")
        await _type(pilot, "due", "2026-09")
        await _type(pilot, "cost", "2500")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert any(n.data and n.data.id == "a:stamford-ct/survey-young-people" for n in _nodes(tree.root))
    row = _row(engine, "survey-young-people")
    assert (row.lead, row.objective, str(row.due), row.status, row.version) == (
        "domus-kids", "g1-o1", "2026-09-30", "planned", 1,
    )  # fmt: skip


async def test_an_owner_is_chosen_in_the_form_and_the_owner_rule_is_said_under_it(engine: Engine) -> None:
    """The form offers the framework's people as owners; one who works for none of the action's
    organisations is refused under the owner field with nothing written, and one of the lead's
    people is saved as the owner, audited by login."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("e")
        await _settle(app, pilot)
        owner = app.screen.query_one("#owner", Select)
        offered = {login for _label, login in owner._options if isinstance(login, str)}
        assert {"city", "domus", "church"} <= offered
        lead = app.screen.query_one("#lead", Select).value
        outsider = "church" if lead != "union-church" else "domus"
        owner.value = outsider
        await pilot.click("#save")
        await _settle(app, pilot)
        errors = _errors(app)
        assert list(errors) == ["owner"], errors
        assert outsider in errors["owner"]
        assert _row(engine).version == 1  # nothing written
        insider = {"city-of-stamford": "city", "domus-kids": "domus", "union-church": "church"}[str(lead)]
        app.screen.query_one("#owner", Select).value = insider
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
    with engine.connect() as conn:
        owner_login = conn.execute(
            sa.text("SELECT m.login FROM action a JOIN member m ON m.id = a.owner_id WHERE a.key = 'convene'")
        ).scalar_one()
        audit = conn.execute(sa.text("SELECT field, old, new FROM plan_change")).all()
    assert owner_login == insider
    assert [tuple(r) for r in audit] == [("owner", None, insider)]


async def test_add_from_the_actions_list_asks_for_the_objective(engine: Engine) -> None:
    """On Actions, within one framework, `a` adds an action there: the form asks which objective,
    and says so under the field when none is chosen."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        app.set_scope("stamford-ct")
        await pilot.press("a")
        await _settle(app, pilot)
        await pilot.press("a")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        await _type(pilot, "title", "Train school staff")
        app.screen.query_one("#lead", Select).value = "city-of-stamford"
        await _type(pilot, "due", "2026-12-31")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert "objective" in _errors(app)
        app.screen.query_one("#objective", Select).value = "g1-o1"
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionsScreen"
    assert _row(engine, "train-school-staff").objective == "g1-o1"


async def test_a_member_sees_no_plan_keys_and_is_refused_before_typing(engine: Engine) -> None:
    """A member (not a coordinator) gets no edit, funding, move or cancel keys in the footer;
    pressing one says why and who could, and no form opens."""
    seeded(engine)
    app = _app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show and b.enabled}
        assert "plan('edit')" not in shown and "status" in shown
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "Edit" not in footer and "Status" in footer
        for key in ("e", "dollar_sign", "m", "c"):
            await pilot.press(key)
            await _settle(app, pilot)
            assert type(app.screen).__name__ == "ActionDetailScreen"
        said = [n.message for n in app._notifications]
        assert len(said) == 4 and all("only a coordinator of stamford-ct or an admin can" in m for m in said)
    assert _row(engine).version == 1


async def test_a_coordinator_sees_the_plan_keys(engine: Engine) -> None:
    """The coordinator's footer on an action page offers the plan's keys."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert all(word in footer for word in ("Edit", "Funding", "Move", "Cancel it"))


async def _conflicting_edit(engine: Engine, app: TrackerApp, pilot) -> None:  # type: ignore[no-untyped-def]
    """Open the form, let another coordinator change the title meanwhile, then save a new due date."""
    await _open_detail(app, pilot)
    await pilot.press("e")
    await _settle(app, pilot)
    with write_session(engine) as session:  # another coordinator, another connection
        edit_action(session=session, actor=resolve_member(session, "coord"), ref=CONVENE, changes={"cost": "16000"})
    await _type(pilot, "due", "2026-02-28")
    await pilot.click("#save")
    await _settle(app, pilot)
    assert type(app.screen).__name__ == "ConflictDialog"
    text = " ".join(str(w.render()) for w in app.screen.query("Static"))
    assert "changed since you read it (version 1, now 2)" in text and "due → 2026-02-28" in text


async def test_a_conflict_keep_theirs_writes_nothing(engine: Engine) -> None:
    """Someone changed the action while the form was open: keeping theirs writes nothing of mine."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _conflicting_edit(engine, app, pilot)
        await pilot.click("#keep")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
        assert "16,000.00" in str(app.screen.query_one("#detail").render())
    row = _row(engine)
    assert (str(row.due), row.version) == ("2025-06-30", 2)


async def test_a_conflict_apply_mine_is_recorded_as_forced(engine: Engine) -> None:
    """Applying mine anyway writes it over theirs, and the audit says it was applied over a newer change."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _conflicting_edit(engine, app, pilot)
        await pilot.click("#force")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
    row = _row(engine)
    assert (str(row.due), row.version) == ("2026-02-28", 3)
    with engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT field, forced FROM plan_change ORDER BY id")).all()
    assert [tuple(a) for a in audit] == [("cost", False), ("due", True)]


async def test_move_an_action_to_another_objective(engine: Engine) -> None:
    """`m` on an action page offers the framework's other objectives and moves it there."""
    from tracker.seeding import load_text, seed

    seeded(engine)
    seed(engine, [load_text(TWO_OBJECTIVES, source="plan.yaml")], actor=_admin(engine))  # a second objective
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("m")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "MoveDialog"
        select = app.screen.query_one("#objective", Select)
        assert [key for _, key in select._options if isinstance(key, str)] == ["g1-o2"]
        select.value = "g1-o2"
        await pilot.click("#save")
        await _settle(app, pilot)
        assert "g1-o2" in str(app.screen.query_one("#detail").render())
    assert _row(engine).objective == "g1-o2"


async def test_cancel_an_action_after_confirming(engine: Engine) -> None:
    """`c` asks first (Escape keeps the action as it is); confirming cancels it with the note."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "CancelDialog"
        await pilot.press("escape")
        await _settle(app, pilot)
        assert _row(engine).status == "planned"
        await pilot.press("c")
        await _settle(app, pilot)
        await pilot.press(*"merged into the survey")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
    assert _row(engine).status == "cancelled"
    with engine.connect() as conn:
        note = conn.execute(sa.text("SELECT note FROM status_change")).scalar_one()
    assert note == "merged into the survey"


def _allocations(engine: Engine) -> list[tuple[int, str | None]]:
    from tracker.db import read_session
    from tracker.services.tracking.actions import get_action

    with read_session(engine) as session:
        found = get_action(session, CONVENE).allocations
    return sorted((a.fiscal_year, None if a.amount is None else f"{a.amount:.2f}") for a in found)


async def test_allocations_added_changed_and_removed(engine: Engine) -> None:
    """`$` on an action page adds money from a source for a fiscal year, changes an allocation
    picked from the list, and removes one; an amount over the source's commitment is said in
    the form, which stays open with what was typed."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("dollar_sign")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "AllocationForm"
        app.screen.query_one("#source", Select).value = "dhs-cp3"
        await _type(pilot, "year", "2026")
        await _type(pilot, "amount", "90000")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert "committed amount" in _errors(app)["amount"]  # under the field it is about
        assert app.screen.query_one("#amount", Input).value == "90000"
        await _type(pilot, "amount", "2500")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert _allocations(engine) == [(2025, "10000.00"), (2026, "2500.00")]
        await pilot.press("dollar_sign")  # change the 2025 one, picked from the list
        await _settle(app, pilot)
        app.screen.query_one("#existing", Select).value = 0
        await pilot.pause()
        assert app.screen.query_one("#year", Input).value == "2025"
        await _type(pilot, "amount", "12000")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert _allocations(engine) == [(2025, "12000.00"), (2026, "2500.00")]
        await pilot.press("dollar_sign")  # and remove the 2026 one
        await _settle(app, pilot)
        app.screen.query_one("#existing", Select).value = 1
        await pilot.pause()
        await pilot.click("#remove")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
    assert _allocations(engine) == [(2025, "12000.00")]
    assert _row(engine).version == 4


def _nodes(node):  # type: ignore[no-untyped-def]
    yield node
    for child in node.children:
        yield from _nodes(child)


def _admin(engine: Engine) -> str:
    from tests.conftest import admin_login

    return admin_login(engine)


async def test_a_member_pressing_e_on_the_actions_list_is_told_why(engine: Engine) -> None:
    """On Actions, a member sees no Edit key; pressing e says who could, and opens no form."""
    seeded(engine)
    app = _app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "Edit" not in footer
        await pilot.press("e")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionsScreen"
        assert any("only a coordinator of stamford-ct" in n.message for n in app._notifications)


async def test_a_save_into_a_deleted_database_file_keeps_the_form_open(
    sqlite_engine: Engine, sqlite_path: Path
) -> None:
    """The database file disappears while the form is open: saving says so in the form, which
    stays open with everything typed (nothing is lost), and nothing claims success."""
    seeded(sqlite_engine)
    app = _app(sqlite_engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_detail(app, pilot)
        await pilot.press("e")
        await _settle(app, pilot)
        await _type(pilot, "title", "Convene the group, with the schools")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        assert "Not saved" in _errors(app)["form"]
        assert app.screen.query_one("#title", Input).value == "Convene the group, with the schools"
        assert not any("saved" in n.message and "Not" not in n.message for n in app._notifications)
