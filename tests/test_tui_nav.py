"""Finding one's way in the app: the scope, cities instead of keys, fresh screens, the plan
switcher, driven with Pilot on two frameworks."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import DataTable, Tree

from tests.conftest import admin_login
from tests.tracking import CONVENE, seeded
from tests.tui import open_app
from tests.tui import settle as _settle
from tracker.db import write_session
from tracker.models.enums import Role, Status
from tracker.seeding import load_text, seed
from tracker.services.access.members import add_member, find_member
from tracker.services.tracking import changes as tracking
from tracker.tui.app import TrackerApp
from tracker.tui.widgets.action_list import ActionList

OP = "overland-park-ks"
LONG = "Youth patrol alternative for the southern quarters"  # 50 characters

PLAN_OP = f"""\
framework:
  key: {OP}
  city: Overland Park
  state: KS
  country: US
  title: Overland Park prevention framework
  stage: draft
  starts: 2025-01
  near_term_months: 6
  mid_term_months: 24
stakeholders:
  - {{key: op-police, name: Overland Park Police Department, sector: law_enforcement}}
  - {{key: op-schools, name: Overland Park Schools, sector: education}}
goals:
  - key: g1
    title: Safer streets
    objectives:
      - key: g1-o1
        title: Outreach
        indicators:
          - {{key: op-contacts, name: Outreach contacts, unit: contacts, baseline: 0, target: 100,
             target_date: 2090-06, direction: increase}}
        actions:
          - key: patrol
            title: {LONG}
            lead: op-police
            due: 2090-06-30
"""


def _two(engine: Engine) -> Engine:
    """Stamford (the test plan, with its members) and Overland Park; `city` works in Stamford
    and only reads Overland Park."""
    seeded(engine)
    seed(engine, [load_text(PLAN_OP, source="op.yaml")], actor=admin_login(engine))
    with write_session(engine) as session:
        boss = find_member(session, admin_login(engine))
        add_member(session, actor=boss, login="city", role=Role.viewer, framework=OP)
        # a member whose organisation has no action under the indicator's objective
        add_member(session, actor=boss, login="teacher", role=Role.member, framework=OP, stakeholders=["op-schools"])
    return engine


def _refs(app: TrackerApp) -> list[str]:
    actions = app.screen.query_one(ActionList)
    return [row.ref for i in range(actions.total) if (row := actions.row_at(i)) is not None]


def _lines(app: TrackerApp) -> str:
    actions = app.screen.query_one(ActionList)
    return "\n".join(actions.render_line(y).text for y in range(min(actions.total, actions.size.height)))


def _row(table: DataTable, key: str) -> list[str]:  # type: ignore[type-arg]
    return [str(cell) for cell in table.get_row(key)]


async def test_the_scope_is_set_on_the_overview_shown_in_the_header_and_left_with_one_key(engine: Engine) -> None:
    """Enter on a framework limited every screen to it for the rest of the session, and
    nothing returned to all frameworks: a coordinator could no longer compare cities."""
    _two(engine)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        assert app.title == "tracker · all frameworks"
        table = app.screen.query_one("#frameworks", DataTable)
        table.move_cursor(row=table.get_row_index(OP))
        await pilot.press("enter")
        await _settle(app, pilot)
        assert app.current_mode == "actions" and app.scope == OP
        assert "Overland Park, KS" in app.title
        assert {r.split("/")[0] for r in _refs(app)} == {OP}
        await pilot.press("f")
        await _settle(app, pilot)
        assert "Overland Park, KS" in str(app.screen.sub_title)
        await pilot.press("G")  # back to all frameworks, from any screen
        await _settle(app, pilot)
        assert app.scope is None and app.title == "tracker · all frameworks"
        await pilot.press("a")
        await _settle(app, pilot)
        assert {r.split("/")[0] for r in _refs(app)} == {OP, "stamford-ct"}
        await pilot.press("g")  # the picker: all frameworks first, then by city
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # Stamford, after Overland Park
        await _settle(app, pilot)
        assert app.scope == "stamford-ct" and "Stamford, CT" in app.title
        assert {r.split("/")[0] for r in _refs(app)} == {"stamford-ct"}


@pytest.mark.parametrize("typed", ["Overland Park", "KS"])
async def test_the_palette_finds_a_framework_by_city_and_state(engine: Engine, typed: str) -> None:
    """Typing the city in the palette found only a stakeholder: a person names a plan by its
    city, not by its key."""
    from textual.command import CommandList, CommandPalette

    _two(engine)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*typed)
        for _ in range(20):  # the palette searches in the background
            await pilot.pause(0.05)
        options = app.screen.query_one(CommandList)
        first = str(options.get_option_at_index(0).prompt)
        assert "scope: Overland Park, KS" in first and OP in first  # the key is the second line
        await pilot.press("enter")
        await _settle(app, pilot)
        assert app.scope == OP and "Overland Park, KS" in app.title


async def test_the_overview_leads_with_the_city_and_lists_over_all_frameworks_name_it(engine: Engine) -> None:
    """The overview showed slugs and the city was the 11th of 12 columns, off-screen at 120
    columns; the actions of two cities differed only by a truncated lead."""
    _two(engine)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        table = app.screen.query_one("#frameworks", DataTable)
        assert [str(c.label) for c in table.ordered_columns][:3] == ["city", "stage", "progress"]
        assert _row(table, OP)[:2] == ["Overland Park, KS", "draft"]
        assert not any(OP in cell for cell in _row(table, OP))  # the key is for scripts
        await pilot.press("a")
        await _settle(app, pilot)
        lines = _lines(app)
        assert "Overland Park" in lines and "Stamford, CT" in lines
        await pilot.press("g", "down", "down", "enter")  # one framework: no city column
        await _settle(app, pilot)
        assert "Stamford, CT" not in _lines(app)


async def test_a_screen_shows_current_data_when_it_is_shown_again(engine: Engine) -> None:
    """Back on the overview the numbers were old (a status change made elsewhere missing)
    until another change arrived while it was on screen."""
    _two(engine)
    app = open_app(engine, admin_login(engine))  # polling off: only showing the screen reloads
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        table = app.screen.query_one("#frameworks", DataTable)
        assert _row(table, "stamford-ct")[3] == "0"  # blocked
        await pilot.press("a")
        await _settle(app, pilot)
        with write_session(engine) as session:
            tracking.set_status(
                session=session, actor=find_member(session, "city"), ref=CONVENE, status=Status.blocked,
                note=None, expected_version=1,
            )  # fmt: skip
        await pilot.press("v")
        await _settle(app, pilot)
        assert _row(app.screen.query_one("#frameworks", DataTable), "stamford-ct")[3] == "1"


async def test_screen_keys_always_open_their_screen(engine: Engine) -> None:
    """On Funding, an action opened from the palette, then v, then f showed that old action
    page instead of Funding; a screen key must open its screen."""
    from tracker.tui.screens.detail import ActionDetailScreen
    from tracker.tui.screens.funding import FundingScreen
    from tracker.tui.screens.overview import OverviewScreen

    _two(engine)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
        app.push_screen(ActionDetailScreen(CONVENE))  # as the palette's `go: action` does
        await _settle(app, pilot)
        await pilot.press("v")
        await _settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        await pilot.press("f")
        await _settle(app, pilot)
        assert isinstance(app.screen, FundingScreen)


async def test_plan_opens_the_members_own_framework_with_a_switcher_and_whole_titles(engine: Engine) -> None:
    """Plan opened the first framework by key (a Stamford member got another city), had no
    switcher, and cut tree titles at about 30 characters at 120 columns."""
    import html

    _two(engine)
    app = open_app(engine, "city")  # reads Overland Park (first by key), works in Stamford
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        assert app.screen.plan is not None and app.screen.plan.key == "stamford-ct"  # type: ignore[attr-defined]
        assert "Stamford, CT" in str(app.screen.sub_title)
        await pilot.press("w")  # the switcher lists the plans by city
        await pilot.pause()
        await pilot.press("up", "enter")  # from Stamford (shown) up to Overland Park
        await _settle(app, pilot)
        assert app.screen.plan.key == OP  # type: ignore[attr-defined]
        assert app.scope is None  # the plan's switcher leaves the other screens alone
        app.screen.query_one(Tree).focus()
        shown = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert LONG in shown


async def test_escape_leaves_the_search_box(engine: Engine) -> None:
    """Escape did not leave the search box: a person typing a search was stuck in it, with
    every key going into the text."""
    from textual.widgets import Input

    _two(engine)
    app = open_app(engine, "city")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        await pilot.press("slash", *"conv")
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        await _settle(app, pilot)
        assert isinstance(app.focused, ActionList)
        assert _refs(app) == [CONVENE]  # the search typed so far stays


def _filter_line(app: TrackerApp) -> str:
    return str(app.screen.query_one("#filter-text").render())


async def test_sort_reverses_and_due_soon_filters(engine: Engine) -> None:
    """`S` sorted ascending only, so "updated" listed the oldest first, and the app had no
    "due soon" filter; the filter line says which order and which window."""
    import datetime as dt

    _two(engine)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        by_due = _refs(app)
        await pilot.press("S")  # due, reversed
        await _settle(app, pilot)
        assert "sorted by due descending" in _filter_line(app)
        assert _refs(app) == list(reversed(by_due))
        await pilot.press("S")  # status
        await _settle(app, pilot)
        assert "sorted by status;" in _filter_line(app) + ";"
        await pilot.press(*"SSSSSS")  # status reversed, lead, lead reversed, title, title reversed, updated
        await _settle(app, pilot)
        assert "sorted by updated descending" in _filter_line(app)  # the newest first
        await pilot.press("x", "d")  # due within 7 days: nothing in the test plans
        await _settle(app, pilot)
        soon = dt.date.today() + dt.timedelta(days=7)
        assert f"due within 7 days (before {soon})" in _filter_line(app)
        assert all(row.due is not None and row.due < soon for row in _rows(app))
        await pilot.press(*"dddd")  # 14, 30, 90 days, then any time again
        await _settle(app, pilot)
        assert "due" not in _filter_line(app).split(";")[0]
        assert len(_refs(app)) == 3


def _rows(app: TrackerApp) -> list:  # type: ignore[type-arg]
    actions = app.screen.query_one(ActionList)
    return [row for i in range(actions.total) if (row := actions.row_at(i)) is not None]


async def test_question_mark_explains_the_symbols_and_words(engine: Engine) -> None:
    """`?` listed keys only: a new member could not tell what ✖, !, stale or ◆ mean."""
    import html

    _two(engine)
    app = open_app(engine, "city")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        shown = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        for words in ("✖ blocked", "overdue", "stale", "◆ indicator"):
            assert words in shown, words
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, ActionList)


async def test_recording_a_value_is_refused_before_typing(engine: Engine) -> None:
    """A member whose organisation has no action under the objective typed a value and a
    note, and only then was refused; action pages warn first, and so does the plan now."""
    _two(engine)
    app = open_app(engine, "teacher")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        await pilot.press("down", "down", "down", "i")  # framework > goal > objective > indicator
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert any("has no action under the objective" in n.message for n in app._notifications)


async def test_enter_on_a_measurement_in_activity_opens_its_indicator(engine: Engine) -> None:
    """Enter on a measurement row opened an empty action page whose footer offered status
    and note keys; it now shows the indicator in the plan."""
    _two(engine)
    with write_session(engine) as session:
        tracking.record_measurement(
            session=session, actor=find_member(session, admin_login(engine)), ref=f"{OP}/op-contacts", value="12"
        )
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        await _settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert "Overland Park, KS" in _row(table, "0")  # the city, not the key
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        node = app.screen.query_one(Tree).cursor_node
        assert node is not None and node.data is not None and node.data.id == f"i:{OP}/op-contacts"


async def test_the_conflict_dialog_speaks_words_not_commands(engine: Engine) -> None:
    """The conflict dialog said `in_progress` and told a person in the app to run a CLI
    command; it says "in progress" and offers the two buttons it has."""
    from tracker.tui.screens.detail import ActionDetailScreen

    _two(engine)
    app = open_app(engine, "domus")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.push_screen(ActionDetailScreen(CONVENE))
        await _settle(app, pilot)
        with write_session(engine) as session:  # another member, another connection
            tracking.set_status(
                session=session, actor=find_member(session, "city"), ref=CONVENE, status=Status.in_progress
            )
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter", "down", "down", "enter", "tab", *"mine", "enter")  # blocked
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ConflictDialog"
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "city moved it from planned to in progress" in text and "Your change: blocked (mine)" in text
        assert "_" not in text.replace(CONVENE, "") and "tracker " not in text


async def test_at_80_columns_the_lead_is_readable_and_the_filter_bar_does_not_wrap(engine: Engine) -> None:
    """At 80x24 the lead column was 8 characters ("City of …") and the filter bar's select
    texts wrapped over its edge; a person on a laptop over SSH could read neither."""
    from textual.widgets import Select

    _two(engine)
    app = open_app(engine, admin_login(engine))  # two frameworks: the city column is shown too
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await _settle(app, pilot)
        lines = _lines(app)
        assert "City of Stamford" in lines and "Overland Park Pol" in lines
        for select in app.screen.query("#filter-bar Select").results(Select):
            label = select.query_one("SelectCurrent Static#label")
            assert label.region.height == 1, select.id
            assert label.region.bottom <= app.screen.query_one("#filter-bar").region.bottom - 1


async def test_funding_gaps_over_every_framework_name_the_city(engine: Engine) -> None:
    """Over all frameworks the funding gaps listed keys only, so two cities' actions of the
    same name could not be told apart; a city column says whose gap it is."""
    _two(engine)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
        gaps = app.screen.query_one("#funding-gaps", DataTable)
        assert [str(c.label) for c in gaps.ordered_columns][:2] == ["gap", "city"]
        assert _row(gaps, CONVENE)[1] == "Stamford, CT"
        await pilot.press("g", "down", "down", "enter")  # Stamford only: the header says it
        await _settle(app, pilot)
        assert "city" not in [str(c.label) for c in gaps.ordered_columns]


async def test_enter_on_a_goal_edit_in_activity_shows_the_goal_in_the_plan(engine: Engine) -> None:
    """An edit of a goal is in Activity; Enter on it shows that goal in the plan, not an
    empty action page."""
    from tracker.services.plan.items import add_item, edit_item

    _two(engine)
    with write_session(engine) as session:
        admin = find_member(session, admin_login(engine))
        assert admin is not None
        add_item(session=session, actor=admin, kind_name="goal", under=OP, fields={"key": "newer", "title": "Newer"})
        edit_item(session=session, actor=admin, kind_name="goal", ref=f"{OP}/newer", changes={"title": "Renamed"})
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("y")
        await _settle(app, pilot)
        assert "title: Newer → Renamed" in _row(app.screen.query_one(DataTable), "0")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        node = app.screen.query_one(Tree).cursor_node
        assert node is not None and node.data is not None and node.data.id == "g:newer"
