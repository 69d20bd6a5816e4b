"""Owners in the app: `m` shows the actions I own first, the list has an owner column,
and the action page names the owner; at 120x40 and at 80x24."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.tracking import CONVENE, REPORTING, seeded
from tests.tui import open_app, settle
from tracker.db import read_session, write_session
from tracker.services.access.members import resolve_member
from tracker.services.plan.edits import edit_action
from tracker.services.plan.owners import set_owner
from tracker.services.tracking.actions import list_actions
from tracker.services.tracking.filters import ActionFilter
from tracker.tui.app import TrackerApp
from tracker.tui.widgets.action_list import ActionList


def _shown(app: TrackerApp) -> list[str]:
    actions = app.screen.query_one(ActionList)
    return [row.ref for i in range(actions.total) if (row := actions.row_at(i)) is not None]


def _line(app: TrackerApp, y: int) -> str:
    return "".join(segment.text for segment in app.screen.query_one(ActionList).render_line(y))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_mine_shows_my_own_actions_first_with_their_owner(engine: Engine, size: tuple[int, int]) -> None:
    """church owns `convene` (due first anyway) and their church leads `reporting`: `m`
    lists the owned one first in either order, the owner column names them, and the
    action page says who owns it; `m` again shows everyone's."""
    seeded(engine)
    with write_session(engine) as session:
        coord = resolve_member(session, "coord")
        edit_action(session=session, actor=coord, ref=CONVENE, changes={}, add_partners=["union-church"])
        set_owner(session=session, actor=coord, ref=CONVENE, login="church")
    app = open_app(engine, "church")
    async with app.run_test(size=size) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        app.action_filter = app.action_filter.model_copy(update={"descending": True})  # reporting first
        app.screen.reload()  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert _shown(app) == [REPORTING, CONVENE]
        await pilot.press("m")
        await settle(app, pilot)
        with read_session(engine) as session:
            service = [r.ref for r in list_actions(session, ActionFilter(mine="church", descending=True))]
        assert _shown(app) == service == [CONVENE, REPORTING]
        assert "church's (owned first" in str(app.screen.query_one("#filter-text").render())
        first, second = _line(app, 0), _line(app, 1)
        assert first.rstrip().endswith("church") and not second.rstrip().endswith("church")
        assert len(first) == app.screen.query_one(ActionList).scrollable_content_region.width
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
        assert "owner  church" in str(app.screen.query_one("#detail").render())
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("m")  # mine off: everyone's again
        await settle(app, pilot)
        assert app.action_filter.mine is None
        assert _shown(app) == [REPORTING, CONVENE]
