"""Goals, objectives, indicators and funding sources added and edited in the app, driven with
Pilot on a real database, as a coordinator and as a member who may not."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from textual.widgets import DataTable, Input, Select, SelectionList, Tree

from tests.tracking import seeded
from tests.tui import open_app as _app
from tests.tui import settle as _settle
from tracker.db import write_session
from tracker.models.enums import Direction, FundingKind
from tracker.services.access.members import resolve_member
from tracker.services.plan.items import edit_item
from tracker.tui.app import TrackerApp


def _nodes(node: Any) -> Any:
    yield node
    for child in node.children:
        yield from _nodes(child)


def _errors(app: TrackerApp) -> dict[str, str]:
    return {
        w.id.removesuffix("-error"): str(w.render())
        for w in app.screen.query(".field-error, .form-error")
        if w.display and w.id
    }


async def _type(pilot: Any, field: str, text: str) -> None:
    """Replace what a field holds, by keys, as a person would."""
    widget = pilot.app.screen.query_one(f"#{field}", Input)
    widget.focus()
    await pilot.pause()
    widget.action_select_all()
    await pilot.press("backspace", *text)


async def _on_plan(app: TrackerApp, pilot: Any, node_id: str | None) -> Tree[Any]:
    """Open Plan with the cursor on the node ``node_id`` (None: the plan itself)."""
    await pilot.press("p")
    await _settle(app, pilot)
    tree: Tree[Any] = app.screen.query_one(Tree)
    target = next(n for n in _nodes(tree.root) if (n.data.id if n.data else None) == (node_id or "fw"))
    tree.move_cursor(target)
    await pilot.pause()
    return tree


def _one(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


async def test_add_a_goal_an_objective_and_an_indicator_from_the_tree(engine: Engine) -> None:
    """`A` on the plan adds a goal (its key from the title, linked to a finding), on that goal
    an objective, on that objective an indicator; the tree shows each, in the database at
    version 1 with a "created" audit row of its kind."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        tree = await _on_plan(app, pilot, None)
        await pilot.press("A")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ItemForm"
        await _type(pilot, "title", "Report bias incidents safely")
        assert app.screen.query_one("#key", Input).value == "report-bias-incidents-safely"
        app.screen.query_one("#findings", SelectionList).select("2024-12-09/f3")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert tree.cursor_node is not None and tree.cursor_node.data.id == "g:report-bias-incidents-safely"
        await pilot.press("A")
        await _settle(app, pilot)
        await _type(pilot, "title", "A reporting line people trust")
        await _type(pilot, "key", "g2-o1")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen", _errors(app)
        assert tree.cursor_node is not None and tree.cursor_node.data.id == "o:g2-o1"
        await pilot.press("A")
        await _settle(app, pilot)
        await _type(pilot, "name", "Reports received")
        await _type(pilot, "unit", "reports")
        await _type(pilot, "target", "40")
        await _type(pilot, "target_date", "2026-12")
        app.screen.query_one("#direction", Select).value = Direction.decrease
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert any(n.data and n.data.id == "i:stamford-ct/reports-received" for n in _nodes(tree.root))
    goal = _one(engine, "SELECT id, title, version FROM goal WHERE key = 'report-bias-incidents-safely'")
    assert (goal.title, goal.version) == ("Report bias incidents safely", 1)
    linked = _one(engine, "SELECT count(*) AS n FROM goal_finding WHERE goal_id = :g", g=goal.id)
    assert linked.n == 1
    objective = _one(engine, "SELECT o.goal_id FROM objective o WHERE o.key = 'g2-o1'")
    assert objective.goal_id == goal.id
    indicator = _one(engine, "SELECT target, target_date, direction FROM indicator WHERE key = 'reports-received'")
    assert (int(indicator.target), str(indicator.target_date), indicator.direction) == (40, "2026-12-31", "decrease")
    with engine.connect() as conn:
        kinds = conn.execute(sa.text("SELECT item_kind FROM plan_change WHERE field = 'created' ORDER BY id"))
        assert [k for (k,) in kinds] == ["goal", "objective", "indicator"]


async def test_edit_a_goal_title_shows_in_the_tree_and_is_audited(engine: Engine) -> None:
    """`e` on a goal opens it as it is; a new title is saved as version 2, the tree shows it,
    and plan_change says who changed which field of which goal."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        tree = await _on_plan(app, pilot, "g:g1")
        await pilot.press("e")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ItemForm"
        assert app.screen.query_one("#title", Input).value == "Coordinate prevention across the city"
        assert app.screen.query_one("#findings", SelectionList).selected == ["2024-12-09/f2"]
        await _type(pilot, "title", "Coordinate prevention in every neighbourhood")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        goal = next(n for n in _nodes(tree.root) if n.data and n.data.id == "g:g1")
        assert "every neighbourhood" in str(goal.label)
    assert _one(engine, "SELECT title, version FROM goal WHERE key = 'g1'").version == 2
    audit = _one(engine, "SELECT item_kind, field, old, new, forced FROM plan_change WHERE item_kind = 'goal'")
    assert tuple(audit) == (
        "goal", "title", "Coordinate prevention across the city", "Coordinate prevention in every neighbourhood", False,
    )  # fmt: skip


async def test_a_bad_baseline_is_said_under_its_field_and_kept(engine: Engine) -> None:
    """An indicator's baseline "abc" is said under the baseline field with what was typed kept,
    and nothing is written; fixed, it saves."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _on_plan(app, pilot, "i:stamford-ct/meetings")
        await pilot.press("e")
        await _settle(app, pilot)
        await _type(pilot, "baseline", "abc")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ItemForm"
        errors = _errors(app)
        assert list(errors) == ["baseline"] and "number" in errors["baseline"].lower()
        assert app.screen.query_one("#baseline", Input).value == "abc"
        assert _one(engine, "SELECT version FROM indicator WHERE key = 'meetings'").version == 1
        await _type(pilot, "baseline", "2")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
    row = _one(engine, "SELECT baseline, version FROM indicator WHERE key = 'meetings'")
    assert (int(row.baseline), row.version) == (2, 2)


async def _conflicting_edit(engine: Engine, app: TrackerApp, pilot: Any) -> None:
    """Open the goal, let another session change its description meanwhile, then save a new title."""
    await _on_plan(app, pilot, "g:g1")
    await pilot.press("e")
    await _settle(app, pilot)
    with write_session(engine) as session:  # another coordinator, another connection
        actor = resolve_member(session, "coord")
        edit_item(
            session=session, actor=actor, kind_name="goal", ref="stamford-ct/g1", changes={"description": "Theirs"}
        )
    await _type(pilot, "title", "Mine")
    await pilot.click("#save")
    await _settle(app, pilot)
    assert type(app.screen).__name__ == "ConflictDialog"
    text = " ".join(str(w.render()) for w in app.screen.query("Static"))
    assert "changed since you read it (version 1, now 2)" in text and "title → Mine" in text


async def test_a_conflict_keep_theirs_writes_nothing_of_mine(engine: Engine) -> None:
    """The goal changed while the form was open: keeping theirs writes nothing."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _conflicting_edit(engine, app, pilot)
        await pilot.click("#keep")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
    row = _one(engine, "SELECT title, description, version FROM goal WHERE key = 'g1'")
    assert tuple(row) == ("Coordinate prevention across the city", "Theirs", 2)


async def test_a_conflict_apply_mine_is_recorded_as_forced(engine: Engine) -> None:
    """Applying mine anyway writes it over theirs, audited as forced."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _conflicting_edit(engine, app, pilot)
        await pilot.click("#force")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
    row = _one(engine, "SELECT title, description, version FROM goal WHERE key = 'g1'")
    assert tuple(row) == ("Mine", "Theirs", 3)
    with engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT field, forced FROM plan_change WHERE item_kind = 'goal' ORDER BY id"))
        assert [tuple(a) for a in audit] == [("description", False), ("title", True)]


async def test_a_member_sees_no_item_keys_and_is_refused_before_typing(engine: Engine) -> None:
    """A member gets no Edit or Add keys on Plan or Funding; pressing one says who could, and no
    form opens."""
    seeded(engine)
    app = _app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await _on_plan(app, pilot, "g:g1")
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "e Edit" not in footer and "A Add" not in footer
        for key in ("e", "A"):
            await pilot.press(key)
            await _settle(app, pilot)
            assert type(app.screen).__name__ == "PlanScreen"
        await pilot.press("f")
        await _settle(app, pilot)
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "e Edit" not in footer and "A Add" not in footer
        for key in ("e", "A"):
            await pilot.press(key)
            await _settle(app, pilot)
            assert type(app.screen).__name__ == "FundingScreen"
        said = [n.message for n in app._notifications]
        assert len(said) == 4
        assert all("only a coordinator of stamford-ct or an admin can" in m for m in said[:2])
        assert all("domus coordinates none" in m for m in said[2:])
    assert _one(engine, "SELECT version FROM goal WHERE key = 'g1'").version == 1


async def test_edit_and_add_a_source_on_funding(engine: Engine) -> None:
    """On Funding, `e` edits the highlighted source (the table shows the new amount) and `A`
    adds one; each audited as a source."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "e Edit" in footer and "A Add" in footer
        await pilot.press("e")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ItemForm"
        assert app.screen.query_one("#amount", Input).value == "50000"
        await _type(pilot, "amount", "75000")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "FundingScreen"
        table = app.screen.query_one("#funding-sources", DataTable)
        assert "75,000" in str(table.get_row_at(0)[1])
        await pilot.press("A")
        await _settle(app, pilot)
        await _type(pilot, "name", "Stamford Community Foundation")
        app.screen.query_one("#kind", Select).value = FundingKind.foundation
        await _type(pilot, "amount", "20000")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "FundingScreen"
    row = _one(engine, "SELECT amount, version FROM funding_source WHERE key = 'dhs-cp3'")
    assert (int(row.amount), row.version) == (7_500_000, 2)  # in cents
    new = _one(engine, "SELECT kind, version FROM funding_source WHERE key = 'stamford-community-foundation'")
    assert tuple(new) == ("foundation", 1)
    with engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT item_kind, field FROM plan_change ORDER BY id"))
        assert [tuple(a) for a in audit] == [("source", "amount"), ("source", "created")]


async def test_a_new_goal_put_first_and_a_position_out_of_range(engine: Engine) -> None:
    """The position field puts a new goal among its siblings (1 first); a position past the end
    is said under the field, with nothing written."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(80, 24)) as pilot:
        tree = await _on_plan(app, pilot, None)
        await pilot.press("A")
        await _settle(app, pilot)
        await _type(pilot, "title", "Know the city first")
        await _type(pilot, "position", "3")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert _errors(app) == {"position": "Give 1 to 2."}
        assert app.screen.query_one("#position", Input).value == "3"
        await _type(pilot, "position", "1")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert [n.data.id for n in tree.root.children] == ["g:know-the-city-first", "g:g1"]
    with engine.connect() as conn:
        order = conn.execute(sa.text("SELECT key FROM goal ORDER BY position"))
        assert [k for (k,) in order] == ["know-the-city-first", "g1"]


async def test_e_on_an_action_in_the_tree_edits_its_plan(engine: Engine) -> None:
    """`e` on an action of the tree opens the action form (as on its page); the tree shows the
    new title."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        tree = await _on_plan(app, pilot, "a:stamford-ct/convene")
        await pilot.press("e")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        await _type(pilot, "title", "Convene the prevention working group")
        await pilot.click("#save")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert tree.cursor_node is not None and "prevention working group" in str(tree.cursor_node.label)
    assert _one(engine, "SELECT version FROM action WHERE key = 'convene'").version == 2
