"""Visibility, which decides what `tracker publish` shows: set by coordinators on the command
line and in the app, kept by plan files, and on PostgreSQL not writable by members' roles."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests import test_pg_role_writes as role_writes
from tests import test_publish
from tests.cli import tracker
from tests.conftest import PG_URL
from tests.test_pg_role_writes import World
from tests.test_publish import _publish
from tests.test_read_scope import A

db = test_publish.db  # the fixture: the hand-computed plan with its people, notes and measurements


def test_visibility_is_set_by_coordinators_and_survives_an_export(db: str, tmp_path: Path) -> None:
    """A coordinator makes items public with the edit commands; a member may not; a plan file
    exported and seeded elsewhere publishes the same page."""
    for command, ref in (("goals", "g2"), ("objectives", "o2"), ("indicators", "secret-indicator"), ("actions", "a4")):
        result = tracker("--db", db, "--as", "coord", command, "edit", f"stamford-ct/{ref}", "--visibility", "public")
        assert result.code == 0, result
        shown = tracker("--db", db, command, "show", f"stamford-ct/{ref}", "--json")
        assert '"visibility": "public"' in shown.out, shown
    shown = tracker("--db", db, "--as", "coord", "goals", "show", "stamford-ct/g2")
    assert "visibility" in shown.out and "internal" in shown.out  # its history: internal -> public
    refused = tracker("--db", db, "--as", "city", "actions", "edit", "stamford-ct/a2", "--visibility", "internal")
    assert refused.code == 4
    bad = tracker("--db", db, "--as", "coord", "actions", "edit", "stamford-ct/a2", "--visibility", "secret")
    assert bad.code == 2
    page = _publish(db, tmp_path / "site")
    assert "INTERNAL-GOAL" in page.texts and "UNDER-INTERNAL-GOAL-ACTION" in page.texts
    assert "Objective: INTERNAL-OBJECTIVE" in page.texts
    exported = tmp_path / "plan.yaml"
    result = tracker("--db", db, "export", "--format", "plan", "--framework", "stamford-ct", "-o", str(exported))
    assert result.code == 0, result
    assert exported.read_text(encoding="utf-8").count("visibility: public") == 3 + 4 + 3 + 8
    fresh = tmp_path / "fresh.db"
    assert tracker("--db", str(fresh), "db", "upgrade").code == 0
    assert tracker("--db", str(fresh), "seed", str(exported)).code == 0
    with sa.create_engine(f"sqlite:///{fresh}").connect() as conn:
        public = {
            table: sorted(conn.execute(sa.text(f"SELECT key FROM {table} WHERE visibility = 'public'")).scalars())
            for table in ("goal", "objective", "action", "indicator")
        }
    assert public == {
        "goal": ["g1", "g2", "g3"],
        "objective": ["o1", "o2", "o3", "o4"],
        "action": ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"],
        "indicator": ["meetings", "secret-indicator", "under-indicator"],
    }


async def test_the_app_shows_and_changes_visibility_on_the_plan(engine: Engine, db: str, tmp_path: Path) -> None:
    """On Plan a coordinator sees whether a goal is public and makes it internal with `e`; the
    action form changes an action's visibility; the page then leaves them out."""
    from textual.widgets import Select, Tree

    from tests.test_tui_item_forms import _nodes, _one
    from tests.test_tui_screens import _pane
    from tests.tui import open_app, settle
    from tracker.models.enums import Visibility

    app = open_app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await settle(app, pilot)
        tree: Tree[object] = app.screen.query_one(Tree)
        tree.move_cursor(next(n for n in _nodes(tree.root) if n.data and n.data.id == "g:g3"))  # type: ignore[attr-defined]
        await settle(app, pilot)
        pane = _pane(app)
        assert re.search(r"visibility +public", pane), pane
        await pilot.press("e")
        await settle(app, pilot)
        assert app.screen.query_one("#visibility", Select).value is Visibility.public
        app.screen.query_one("#visibility", Select).value = Visibility.internal
        await pilot.click("#save")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        tree = app.screen.query_one(Tree)
        tree.move_cursor(next(n for n in _nodes(tree.root) if n.data and n.data.id == "a:stamford-ct/a2"))  # type: ignore[attr-defined]
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ActionForm"
        assert app.screen.query_one("#visibility", Select).value is Visibility.public
        app.screen.query_one("#visibility", Select).value = Visibility.internal
        await pilot.click("#save")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
    assert _one(engine, "SELECT visibility, version FROM goal WHERE key = 'g3'") == ("internal", 2)
    assert _one(engine, "SELECT visibility FROM action WHERE key = 'a2'") == ("internal",)
    page = _publish(db, tmp_path / "after")
    assert "Second public goal" not in page.texts and "Write the terms" not in page.texts
    assert "Convene the group" in page.texts


world = role_writes.world  # the fixture: two cities, each role under its own login role


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG (SQLite has no roles)")
def test_on_postgresql_only_a_coordinators_role_changes_visibility_and_publishes(world: World, tmp_path: Path) -> None:
    """Under their own database roles: a coordinator makes an action public and publishes; a
    member's role may not write the column even with SQL of its own (no column grant)."""
    ref = f"{A}/convene"
    for command, item in (("goals", "g1"), ("objectives", "g1-o1"), ("actions", "convene")):
        assert world.run("coord-a", command, "edit", f"{A}/{item}", "--visibility", "public").code == 0
    page = tmp_path / "page"
    done = world.run("coord-a", "publish", "-f", A, "-o", str(page))
    assert done.code == 0, done.err
    assert (page / "index.html").exists()
    refused = world.run("member-a", "actions", "edit", ref, "--visibility", "internal")
    assert refused.code == 4
    assert world.run("member-a", "publish", "-f", A, "-o", str(tmp_path / "no")).code == 4
    # Another city's coordinator: under their own role the database shows them no such framework.
    other = world.run("coord-b", "publish", "-f", A, "-o", str(tmp_path / "no"))
    assert other.code == 2 and f"there is no framework {A!r}" in other.err
    assert not (tmp_path / "no").exists()
    with world.connect("member-a") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE action SET visibility = 'internal' WHERE key = 'convene'")
    assert world.sql("SELECT visibility FROM action WHERE key = 'convene'") == [("public",)]
