"""The terminal UI driven as a person would, with Pilot, on a real database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.tracking import CONVENE, REPORTING, seeded
from tests.tui import open_app as _app
from tests.tui import settle as _settle
from tracker.db import read_session, write_session
from tracker.models.enums import Status
from tracker.services.access.members import resolve_member
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.actions import list_actions
from tracker.services.tracking.filters import ActionFilter, StakeholderRole
from tracker.tui.app import TrackerApp
from tracker.tui.widgets.action_list import ActionList


def _shown(app: TrackerApp) -> list[str]:
    actions = app.screen.query_one(ActionList)
    return [row.ref for i in range(actions.total) if (row := actions.row_at(i)) is not None]


async def test_filters_show_what_the_service_selects(engine: Engine) -> None:
    """Filtering by stakeholder and by status in the app gives the service's actions."""
    seeded(engine)
    app = _app(engine, "church")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        assert sorted(_shown(app)) == [CONVENE, REPORTING]
        await pilot.press("m")  # mine: Union Church leads `reporting`
        await _settle(app, pilot)
        flt = ActionFilter(mine="church")
        with read_session(engine) as session:
            assert _shown(app) == [r.ref for r in list_actions(session, flt)] == [REPORTING]
        await pilot.press("m", "1")  # mine off, status 1 = planned
        await _settle(app, pilot)
        with read_session(engine) as session:
            expected = [r.ref for r in list_actions(session, ActionFilter(statuses=(Status.planned,)))]
        assert _shown(app) == expected
        assert "status planned" in str(app.screen.query_one("#filter-text").render())
        await pilot.press("v", "a")  # the filter is kept when moving between screens
        await _settle(app, pilot)
        assert app.action_filter.statuses == (Status.planned,)
        assert _shown(app) == expected


async def test_stakeholder_select_as_partner(engine: Engine) -> None:
    """A filter set from elsewhere (another screen, the palette) is shown in the filter bar, and clearing
    it empties the bar: what the bar says is what the list holds."""
    from textual.widgets import Input, Select

    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        app.action_filter = app.action_filter.model_copy(
            update={"stakeholders": ("domus-kids",), "stakeholder_role": StakeholderRole.partner}
        )
        app.screen.reload()  # type: ignore[attr-defined]
        await _settle(app, pilot)
        assert _shown(app) == [CONVENE]
        assert app.screen.query_one("#stakeholder", Select).value == "domus-kids"
        assert app.screen.query_one("#role", Select).value == StakeholderRole.partner
        app.action_filter = app.action_filter.model_copy(update={"text": "convene"})
        app.screen.reload()  # type: ignore[attr-defined]
        await _settle(app, pilot)
        assert app.screen.query_one("#search", Input).value == "convene"
        await pilot.press("x")
        await _settle(app, pilot)
        assert app.screen.query_one("#stakeholder", Select).is_blank()
        assert app.screen.query_one("#role", Select).value == StakeholderRole.either
        assert app.screen.query_one("#search", Input).value == ""


async def test_status_change_through_the_dialog(engine: Engine) -> None:
    """A member opens their action, presses s, picks a status, types a note: it is saved."""
    seeded(engine)
    app = _app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        app.screen.query_one(ActionList).cursor = _shown(app).index(CONVENE)
        await pilot.press("enter")
        await _settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "StatusDialog"
        await pilot.press("enter", "down", "enter")  # open the list, take "in progress"
        await pilot.press("tab")
        await pilot.press(*"kick-off held")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
    with engine.connect() as conn:
        status, version = conn.execute(sa.text("SELECT status, version FROM action WHERE key='convene'")).one()
        change = conn.execute(sa.text("SELECT from_status, to_status, note FROM status_change")).one()
    assert (status, version) == ("in_progress", 2)
    assert tuple(change) == ("planned", "in_progress", "kick-off held")


async def test_a_conflict_is_shown_and_can_be_forced(engine: Engine) -> None:
    """Someone else changed the action after it was shown: the user sees it and decides."""
    seeded(engine)
    app = _app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        from tracker.tui.screens.detail import ActionDetailScreen

        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        with write_session(engine) as session:  # another member, another connection
            tracking.set_status(
                session=session, actor=resolve_member(session, "city"), ref=CONVENE, status=Status.blocked
            )
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter", "down", "enter", "tab", *"my note", "enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ConflictDialog"
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "city moved it from planned to blocked" in text and "my note" in text
        await pilot.click("#force")
        await _settle(app, pilot)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT to_status, forced, note FROM status_change ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("blocked", False, None), ("in_progress", True, "my note")]


async def test_another_clients_change_appears(engine: Engine) -> None:
    """A change made by someone else shows up without moving the cursor or losing the filter."""
    seeded(engine)
    app = _app(engine, "coord", poll=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a", "1")  # planned only
        await _settle(app, pilot)
        assert sorted(_shown(app)) == [CONVENE, REPORTING]
        with write_session(engine) as session:
            tracking.set_status(
                session=session, actor=resolve_member(session, "church"), ref=REPORTING, status=Status.done
            )
        app.check_for_changes()
        await _settle(app, pilot)
        assert _shown(app) == [CONVENE]
        assert app.action_filter.statuses == (Status.planned,)
        assert any("church" in n.message for n in app._notifications)


async def test_a_hidden_screen_shows_others_changes_when_it_comes_back(engine: Engine) -> None:
    """Someone else's change reloads the screen in view at once; the list hidden under the
    action waits until it is shown again, and then shows the change."""
    seeded(engine)
    app = _app(engine, "coord", poll=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        actions = app.screen
        app.screen.query_one(ActionList).cursor = _shown(app).index(CONVENE)
        await pilot.press("enter")
        await _settle(app, pilot)
        for login, ref, status in (("church", REPORTING, Status.done), ("city", CONVENE, Status.blocked)):
            with write_session(engine) as session:
                tracking.set_status(session=session, actor=resolve_member(session, login), ref=ref, status=status)
        app.check_for_changes()
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
        assert "blocked" in str(app.screen.query_one("#detail").render())  # the screen in view: at once

        def hidden_status(ref: str) -> Status | None:
            found = actions.query_one(ActionList)
            rows = [found.row_at(i) for i in range(found.total)]
            return next(row.status for row in rows if row is not None and row.ref == ref)

        assert hidden_status(REPORTING) is Status.planned  # out of sight: not reloaded yet
        await pilot.press("escape")
        await _settle(app, pilot)
        assert app.screen is actions
        assert (hidden_status(REPORTING), hidden_status(CONVENE)) == (Status.done, Status.blocked)


async def test_a_viewer_is_told_before_typing(engine: Engine) -> None:
    seeded(engine)
    app = _app(engine, "viewer")
    async with app.run_test(size=(120, 40)) as pilot:
        from tracker.tui.screens.detail import ActionDetailScreen

        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        assert "viewers read" in str(app.screen.query_one("#refusal").render())
        await pilot.press("s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ActionDetailScreen"
        assert any("viewers read" in n.message for n in app._notifications)


async def test_markup_in_titles_is_shown_literally(engine: Engine) -> None:
    """A title like [bold red]x[/] must neither style the screen nor crash it."""
    seeded(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE action SET title = '[bold red]x[/] and [/]' WHERE key = 'convene'"))
    app = _app(engine, "coord")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        actions = app.screen.query_one(ActionList)
        line = actions.render_line(_shown(app).index(CONVENE))
        assert "[bold red]x[/] and [/]" in line.text
        from tracker.tui.screens.detail import ActionDetailScreen

        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        assert "[bold red]x[/] and [/]" in str(app.screen.query_one("#detail").render())


async def test_a_member_demoted_while_the_app_is_open_can_no_longer_write(engine: Engine) -> None:
    """The app judged every write by the role its user had when it opened: a member made a
    viewer (or removed from an organisation) by a coordinator kept changing the city's
    actions for as long as their app stayed open. Now each write asks who they are now."""
    from tracker.models.enums import Role
    from tracker.services.access.members import add_member
    from tracker.tui.screens.detail import ActionDetailScreen

    seeded(engine)
    app = _app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        with write_session(engine) as session:  # the coordinator, in another terminal
            coord = resolve_member(session, "coord")
            add_member(session, actor=coord, login="domus", role=Role.viewer, framework="stamford-ct")
        app.screen.save_note("still mine?")  # type: ignore[attr-defined]
        await _settle(app, pilot)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM action_note")).scalar_one() == 0
