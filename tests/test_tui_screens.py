"""The plan, funding and stakeholders screens, driven with Pilot on a real database."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from rich.console import Console, RenderableType
from sqlalchemy.engine import Engine
from textual.widgets import DataTable, Input, Static, Tree

from tests.tracking import CONVENE, REPORTING, seeded
from tests.tui import open_app as _app
from tests.tui import settle as _settle
from tracker.db import write_session
from tracker.models import FundingSource, Measurement
from tracker.models.enums import Role
from tracker.services.access.members import add_member, find_member
from tracker.services.tracking.filters import StakeholderRole
from tracker.tui.app import TrackerApp
from tracker.tui.widgets.action_list import ActionList


def _plain(renderable: RenderableType, width: int = 200) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def _pane(app: TrackerApp) -> str:
    return _plain(app.screen.query_one("#plan-detail", Static).content)  # type: ignore[arg-type]


def _cells(table: DataTable, key: str) -> dict[str, str]:  # type: ignore[type-arg]
    labels = [str(c.label) for c in table.ordered_columns]
    return dict(zip(labels, (str(v) for v in table.get_row(key)), strict=True))


def _shown(app: TrackerApp) -> list[str]:
    actions = app.screen.query_one(ActionList)
    return [row.ref for i in range(actions.total) if (row := actions.row_at(i)) is not None]


def _measurements(engine: Engine) -> list[tuple[object, ...]]:
    t = Measurement.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.c.value, t.c.measured_on, t.c.note))]


# -- plan ------------------------------------------------------------------------------------


async def test_plan_tree_shows_goals_objectives_actions_and_the_translated_finding(engine: Engine) -> None:
    """A member reads the plan as a tree and sees, beside an action, the workshop finding it
    answers with its French translation; Enter opens the action. Broken, the link from the
    plan back to what the community said would be lost."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        assert "Stamford" in str(app.screen.sub_title)
        tree = app.screen.query_one(Tree)
        labels = [str(tree.get_node_at_line(n).label) for n in range(tree.last_line + 1)]  # type: ignore[union-attr]
        assert [label.replace("○!", "○ ") for label in labels[1:]] == [  # ! marks overdue, date-dependent
            "g1 Coordinate prevention across the city",
            "g1-o1 A standing working group",
            "◆ Working-group meetings held",
            "○  Convene the working group",
            "○  Open a bias-incident reporting line",
        ]
        await pilot.press("down", "down", "down", "down")  # framework > goal > objective > indicator > action
        await pilot.pause()
        pane = _pane(app)
        assert f"Action {CONVENE}" in pane and "City of Stamford" in pane and "2025-06-30" in pane
        assert "Leadership group workshop, 2024-12-09, finding 1 (f2)" in pane
        assert "The city should create a working group to coordinate prevention efforts." in pane
        assert "fr: La ville devrait créer un groupe de travail." in pane
        await pilot.press("up")  # the indicator: baseline, target, target date, latest value
        await pilot.pause()
        pane = _pane(app)
        assert "baseline 0, target 6 by 2025-12-31" in pane and "no value recorded yet" in pane
        await pilot.press("down", "enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "ActionDetailScreen"
        assert app.screen.ref == CONVENE  # type: ignore[attr-defined]


async def test_plan_shows_markup_in_user_text_literally(engine: Engine) -> None:
    """A title typed with square brackets is shown as typed, in the tree and in the pane;
    broken, a title could hide itself or restyle the screen."""
    seeded(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE action SET title = '[bold red]Open[/] a line' WHERE key = 'reporting'"))
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        await pilot.press(*["down"] * 5)
        await pilot.pause()
        tree = app.screen.query_one(Tree)
        assert str(tree.cursor_node.label)[3:] == "[bold red]Open[/] a line"  # type: ignore[union-attr]
        assert "[bold red]Open[/] a line" in _pane(app)


async def test_recording_a_measurement_through_the_dialog(engine: Engine) -> None:
    """A member on the indicator presses i, types a value, a date and a note: the value is
    stored and shown as the latest. Broken, members could not report their key metrics."""
    seeded(engine)
    app = _app(engine, "city")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        await pilot.press("down", "down", "down", "i")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeasurementDialog"
        await pilot.press("4", "tab", *"2025-03-01", "tab", *"from the [b]minutes[/b]", "enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"
        assert "latest: 4 on 2025-03-01" in _pane(app)  # reloaded, cursor kept on the indicator
    assert _measurements(engine) == [(Decimal("4"), dt.date(2025, 3, 1), "from the [b]minutes[/b]")]


async def test_an_admin_records_a_measurement_in_any_framework(engine: Engine) -> None:
    """The plan screen judged `i` by the login's own membership, a second copy of the rule:
    an admin (who may do everything everywhere, as the command line lets them) was told
    they were "not a member" and could not record a value in the app."""
    from tests.conftest import admin_login

    seeded(engine)
    app = _app(engine, admin_login(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        await pilot.press("down", "down", "down", "i")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeasurementDialog"
        await pilot.press("5", "tab", *"2025-03-01", "enter")
        await _settle(app, pilot)
    assert [m[:2] for m in _measurements(engine)] == [(Decimal("5"), dt.date(2025, 3, 1))]


async def test_a_refused_measurement_is_explained_and_nothing_is_written(engine: Engine) -> None:
    """A member whose organisations do no work under the objective is told why, in the app,
    before typing a value; broken, the value would vanish silently or the app would crash."""
    seeded(engine)
    with write_session(engine) as session:
        add_member(
            session, actor=find_member(session, "coord"), login="outsider", role=Role.member,
            framework="stamford-ct", stakeholders=[],
        )  # fmt: skip
    app = _app(engine, "outsider")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        await pilot.press("down", "down", "down", "i")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "PlanScreen"  # no dialog to type into
        await pilot.press("4", "enter")
        await _settle(app, pilot)
        told = [n for n in app._notifications if "no action under the objective" in n.message]
        assert told and told[0].severity == "warning"
    assert _measurements(engine) == []


async def test_a_measurement_that_cannot_reach_the_database_is_kept(engine: Engine) -> None:
    """When the connection drops as a member records a value, what they typed is offered again
    on the next try; broken, they would have to find the figures again."""
    seeded(engine)
    app = _app(engine, "city")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        record = app.data.record

        def down(*args: object) -> object:
            raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

        app.data.record = down  # type: ignore[method-assign]
        await pilot.press("down", "down", "down", "i")
        await pilot.pause()
        await pilot.press("7", "tab", *"2025-04-01", "tab", *"count", "enter")
        await _settle(app, pilot)
        assert any(n.title == "Connection lost" for n in app._notifications)
        app.data.record = record  # type: ignore[method-assign]
        await pilot.press("i")
        await pilot.pause()
        assert [app.screen.query_one(f"#{name}", Input).value for name in ("value", "on", "note")] == [
            "7", "2025-04-01", "count",
        ]  # fmt: skip
        await pilot.press("enter")
        await _settle(app, pilot)
    assert _measurements(engine) == [(Decimal("7"), dt.date(2025, 4, 1), "count")]


async def test_a_viewer_cannot_open_the_measurement_dialog(engine: Engine) -> None:
    """A viewer is told before typing that they cannot record values."""
    seeded(engine)
    app = _app(engine, "viewer")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await _settle(app, pilot)
        await pilot.press("down", "down", "down", "i")
        await pilot.pause()
        assert type(app.screen).__name__ == "PlanScreen"
        assert any("viewer" in n.message for n in app._notifications)
    assert _measurements(engine) == []


# -- funding ---------------------------------------------------------------------------------


async def test_funding_shows_sources_gaps_and_the_chart(engine: Engine) -> None:
    """A coordinator sees what each source committed and gave, and which actions are short of
    money; broken, funding gaps would go unnoticed until the money runs out."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
        source = _cells(app.screen.query_one("#funding-sources", DataTable), "dhs-cp3")
        assert source["committed"] == "50,000.00" and source["allocated"] == "10,000.00"
        # the grant ended on 2025-09-30: what it never gave (50,000 - 10,000) has lapsed, not remaining
        assert source["remaining"] == "ended: 40,000.00 lapsed" and source["period"] == "2023-10-01 to 2025-09-30 ENDED"
        gaps = app.screen.query_one("#funding-gaps", DataTable)
        assert [str(k.value) for k in gaps.rows] == [CONVENE, REPORTING]  # largest first, unknown cost last
        assert _cells(gaps, REPORTING)["gap"] == "unknown cost"  # never shown as a gap of zero
        gap = _cells(gaps, CONVENE)
        assert gap["gap"] == "5,000.00 USD" and gap["cost"] == "15,000.00" and gap["allocated"] == "10,000.00"
        chart = _plain(app.screen.query_one("#funding-chart", Static).content)  # type: ignore[arg-type]
        assert "████░░░░░░░░░░░░░░░░   20%  10,000 of 50,000 USD" in chart
        gaps.focus()
        await pilot.press("enter")
        await _settle(app, pilot)
        assert app.screen.ref == CONVENE  # type: ignore[attr-defined]


async def test_an_over_committed_source_is_marked_in_words(engine: Engine) -> None:
    """A source that gave more than it committed says so in words, not only in red, in the
    table and in the chart; broken, a colour-blind coordinator or a plain terminal would miss it."""
    seeded(engine)
    with write_session(engine) as session:
        table = FundingSource.__table__  # type: ignore[attr-defined]
        session.execute(sa.update(table).where(table.c.key == "dhs-cp3").values(amount=Decimal("8000")))
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_filter = app.action_filter.model_copy(update={"framework": "stamford-ct"})
        await pilot.press("f")
        await _settle(app, pilot)
        source = _cells(app.screen.query_one("#funding-sources", DataTable), "dhs-cp3")
        assert source["remaining"] == "-2,000.00 over-committed" and source["to this plan"] == "10,000.00"
        chart = _plain(app.screen.query_one("#funding-chart", Static).content)  # type: ignore[arg-type]
        assert "125% over-committed" in chart
        assert "1 over-committed" in str(app.screen.query_one("#sources-title", Static).content)


async def test_funding_gaps_switch_level_and_risks_are_said_in_words(engine: Engine) -> None:
    """A coordinator reads the gaps per objective, goal, framework and fiscal year with one
    key, and sees the sustainability risks in words; broken, the leadership-group questions
    (what does each budget year need, which grant ends first) go unanswered."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
        gaps = app.screen.query_one("#funding-gaps", DataTable)
        seen = {}
        for _ in range(4):
            await pilot.press("l")
            await _settle(app, pilot)
            seen[app.screen.level] = [str(k.value) for k in gaps.rows]  # type: ignore[attr-defined]
        assert seen["objective"] == ["stamford-ct/g1-o1"] and seen["framework"] == ["stamford-ct"]
        assert seen["year"] == ["stamford-ct/FY2025", "stamford-ct/FY2026"]  # convene in 2025, reporting due 2026
        year = _cells(gaps, "stamford-ct/FY2025")
        assert (year["gap"], year["need"], year["allocated"]) == ("5,000.00 USD", "15,000.00", "10,000.00")
        assert "by year, in time order" in str(app.screen.query_one("#gaps-title", Static).content)
        risks = _plain(app.screen.query_one("#funding-risks", Static).content)  # type: ignore[arg-type]
        # convene, due 2025-06-30 but still in progress, runs until today: past the grant's end
        days = (dt.date.today() - dt.date(2025, 9, 30)).days
        assert f"1 funding cliff: stamford-ct/convene runs {days} days past dhs-cp3 (ENDED 2025-09-30)" in risks
        assert "stamford-ct/convene (dhs-cp3 100%)" in risks
        await pilot.press("enter")  # at the year level nothing opens, and it says why
        await pilot.pause()
        assert type(app.screen).__name__ == "FundingScreen"


# -- stakeholders ----------------------------------------------------------------------------


async def test_enter_on_a_stakeholder_opens_its_actions(engine: Engine) -> None:
    """Enter on an organisation lists the actions it leads or supports; broken, the
    stakeholder view would be a dead end."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k")
        await _settle(app, pilot)
        table = app.screen.query_one(DataTable)
        domus = _cells(table, "domus-kids")
        assert (domus["sector"], domus["organisation"], domus["leads"], domus["supports"]) == (
            "non profit", "Domus Kids", "0", "1",
        )  # fmt: skip
        table.move_cursor(row=table.get_row_index("domus-kids"))
        await pilot.press("enter")
        await _settle(app, pilot)
        assert app.current_mode == "actions"
        assert app.action_filter.stakeholders == ("domus-kids",)
        assert app.action_filter.stakeholder_role is StakeholderRole.either
        assert _shown(app) == [CONVENE]  # a partner of `convene`, nothing else
        assert REPORTING not in _shown(app)


# -- all three -------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "main"), [("p", "#plan-tree"), ("f", "#funding-gaps"), ("k", "#stakeholders")])
async def test_screens_fit_a_small_terminal(engine: Engine, key: str, main: str) -> None:
    """At 80x24 each screen shows its main part and the help key; broken, people on a
    laptop over SSH could not use it."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await _settle(app, pilot)
        region = app.screen.query_one(main).region
        assert region.height >= 3 and region.right <= 80 and region.bottom <= 23
        assert app.screen.focused is not None  # keys work without a mouse click first
        assert "? Help" in " ".join(str(k.render()) for k in app.screen.query("FooterKey") if k.region.right <= 80)
