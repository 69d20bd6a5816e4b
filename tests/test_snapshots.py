"""How the main screens look, at 120x40 and 80x24 (SVG snapshots; update on purpose
with `pytest tests/test_snapshots.py --snapshot-update` when Textual is bumped)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import ADMIN
from tests.plans import MINIMAL
from tests.tracking import admin
from tracker.db import read_session, write_session
from tracker.models.enums import Role
from tracker.seeding import load_text, seed
from tracker.services.access.members import add_member, find_member
from tracker.services.plan.owners import set_owner
from tracker.tui.app import make_app

# Dates far ahead, so that nothing is overdue whatever day the tests run.
FUTURE = MINIMAL.replace("2025-", "2090-").replace("2024-12-09", "2084-12-09").replace("2023-10-01", "2083-10-01")
SIZES = [(120, 40), (80, 24)]


def _app(engine: Engine):  # type: ignore[no-untyped-def]
    text = FUTURE.replace("title: Open a bias-incident", 'title: "[bold red]Open[/] a bias-incident')
    text = text.replace("reporting line\n", 'reporting line"\n', 1)
    seed(engine, [load_text(text, source="plan.yaml")], actor=ADMIN)
    with write_session(engine) as session:
        add_member(
            session,
            actor=admin(session),
            login="ana",
            role=Role.coordinator,
            framework="stamford-ct",
            stakeholders=["domus-kids"],
        )
    with write_session(engine) as session:  # ana works for a partner of `convene`, and owns it
        set_owner(session=session, actor=find_member(session, "ana"), ref="stamford-ct/convene", login="ana")
    with read_session(engine) as session:
        return make_app(engine, find_member(session, "ana"), poll=False)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview(snap_compare, engine: Engine, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(engine), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_actions(snap_compare, engine: Engine, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def open_actions(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("a")
        await _settle(pilot)

    assert snap_compare(_app(engine), terminal_size=size, run_before=open_actions)


def test_action_detail(snap_compare, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    async def open_detail(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("a")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(_app(engine), terminal_size=(120, 40), run_before=open_detail)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_action_form(snap_compare, engine: Engine, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The coordinator's form for an action's plan, every field reachable at 80x24 too."""

    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("a")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("e")
        await _settle(pilot)

    assert snap_compare(_app(engine), terminal_size=size, run_before=open_form)


def test_item_form(snap_compare, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """The coordinator's form for an indicator (the kind with the most fields), at 80x24."""

    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        from textual.widgets import Tree

        await pilot.press("p")
        await _settle(pilot)
        tree = pilot.app.screen.query_one(Tree)
        goal = tree.root.children[0]
        tree.move_cursor(next(n for n in goal.children[0].children if n.data.kind == "indicator"))
        await pilot.pause()
        await pilot.press("e")
        await _settle(pilot)

    assert snap_compare(_app(engine), terminal_size=(80, 24), run_before=open_form)
