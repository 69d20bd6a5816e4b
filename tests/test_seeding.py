"""Applying plans: idempotent by keys, never overwriting tracking, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import ADMIN, count_rows, dump
from tests.plans import MINIMAL, with_change
from tracker.models import (
    Action,
    Allocation,
    FindingTranslation,
    Framework,
    Indicator,
    StatusChange,
)
from tracker.seeding import PlanProblems, load_data, load_text, seed


def _seed(engine: Engine, *texts: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    plans = [load_text(t, source=f"plan{i}.yaml") for i, t in enumerate(texts)]
    return seed(engine, plans, actor=ADMIN, dry_run=dry_run)


def _action(engine: Engine, key: str) -> sa.Row:  # type: ignore[type-arg]
    table = Action.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return conn.execute(sa.select(table).where(table.c.key == key)).one()


def test_first_seed_creates_the_whole_plan(engine: Engine) -> None:
    """A coordinator seeding a new plan finds every item in the database, as written."""
    [report] = _seed(engine, MINIMAL)
    assert report.framework == "stamford-ct"
    assert report.tallies["actions"].created == 2
    assert report.tallies["findings"].created == 2
    assert report.updated == 0
    convene = _action(engine, "convene")
    assert convene.title == "Convene the working group"
    assert convene.cost == Decimal("15000.00")
    assert convene.starts == dt.date(2025, 2, 1)  # a bare month starts on its first day
    assert convene.due == dt.date(2025, 6, 30)
    assert convene.status == "planned" and convene.version == 1
    reporting = _action(engine, "reporting")
    assert reporting.due == dt.date(2026, 3, 31)  # a bare month is due on its last day
    assert reporting.horizon == "mid_term"  # derived: due within 24 months of the start
    assert reporting.cost is None  # unknown stays unknown, never 0
    with engine.connect() as conn:
        allocation = conn.execute(sa.select(Allocation.__table__)).one()  # type: ignore[attr-defined]
        assert allocation.amount == Decimal("10000.00") and allocation.fiscal_year == 2025
        fr = conn.execute(sa.select(FindingTranslation.__table__)).one()  # type: ignore[attr-defined]
        assert fr.lang == "fr" and fr.text.startswith("La ville")
        indicator = conn.execute(sa.select(Indicator.__table__)).one()  # type: ignore[attr-defined]
        assert indicator.target == Decimal(6) and indicator.target_date == dt.date(2025, 12, 31)


def test_seeding_twice_changes_nothing(engine: Engine) -> None:
    """Running the same seed again must not duplicate or touch anything."""
    _seed(engine, MINIMAL)
    before = dump(engine)
    [report] = _seed(engine, MINIMAL)
    assert report.created == 0 and report.updated == 0
    assert report.unchanged == sum(t.unchanged for t in report.tallies.values()) > 0
    after = dump(engine)
    after.pop("import_run"), before.pop("import_run")
    assert after == before


def test_edited_file_updates_what_changed_and_bumps_the_version(engine: Engine) -> None:
    """A plan edit is applied and reported, and a member's stale edit would be detected."""
    _seed(engine, MINIMAL)
    edited = with_change("cost: 15000", "cost: 17500.50")
    edited = with_change("partners: [domus-kids]", "partners: [domus-kids, union-church]", edited)
    [report] = _seed(engine, edited)
    assert report.tallies["actions"].updated == 1
    assert report.tallies["actions"].unchanged == 1
    convene = _action(engine, "convene")
    assert convene.cost == Decimal("17500.50")
    assert convene.version == 2
    assert _action(engine, "reporting").version == 1


def test_reseeding_never_overwrites_tracking(engine: Engine) -> None:
    """Statuses and history belong to the members: a re-seed leaves them alone."""
    _seed(engine, MINIMAL)
    action = Action.__table__  # type: ignore[attr-defined]
    changes = StatusChange.__table__  # type: ignore[attr-defined]
    convene = _action(engine, "convene")
    with engine.begin() as conn:
        conn.execute(action.update().where(action.c.id == convene.id).values(status="in_progress"))
        conn.execute(
            changes.insert().values(
                action_id=convene.id,
                from_status="planned",
                to_status="in_progress",
                note="kick-off held",
                at=dt.datetime(2025, 2, 3, tzinfo=dt.UTC),
            )
        )
    edited = with_change("status: planned", "status: done")  # the file's status is initial only
    edited = with_change("title: Convene the working group", "title: Convene the group", edited)
    _seed(engine, edited)
    convene = _action(engine, "convene")
    assert convene.status == "in_progress"
    assert convene.title == "Convene the group"
    with engine.connect() as conn:
        assert conn.execute(sa.select(changes.c.note)).scalars().all() == ["kick-off held"]


def test_items_missing_from_a_newer_file_are_reported_not_deleted(engine: Engine) -> None:
    """Dropping an action from a file must not destroy its tracked work."""
    _seed(engine, MINIMAL)
    shorter = MINIMAL[: MINIMAL.index("          - key: reporting")]
    [report] = _seed(engine, shorter)
    assert report.tallies["actions"].missing == 1
    assert _action(engine, "reporting").title == "Open a bias-incident reporting line"


def test_all_files_or_none(engine: Engine) -> None:
    """When one file of a command fails, the others are not half-applied."""
    _seed(engine, MINIMAL)
    before = dump(engine)
    other_city = with_change("key: stamford-ct", "key: stamford-2").replace("state: CT", "state: NY")
    edited = with_change("cost: 15000", "cost: 99")
    with pytest.raises(PlanProblems) as error:
        _seed(engine, edited, other_city)
    assert "Stamford" in str(error.value) and "CT" in str(error.value)
    assert dump(engine) == before


def test_city_with_another_state_than_the_database_is_refused(engine: Engine) -> None:
    """The reports put Albuquerque in Tennessee once; such a slip must not become a new city."""
    _seed(engine, MINIMAL)
    before = count_rows(engine)
    slip = with_change("key: stamford-ct", "key: stamford-tn").replace("state: CT", "state: TN")
    with pytest.raises(PlanProblems) as error:
        _seed(engine, slip)
    [problem] = error.value.problems
    assert problem.loc == ("framework", "state") and problem.line == 4
    assert "already holds Stamford in CT" in problem.message
    assert count_rows(engine) == before


def test_dry_run_reports_but_writes_nothing(engine: Engine) -> None:
    """--dry-run shows what would change; the database stays as it was."""
    [report] = _seed(engine, MINIMAL, dry_run=True)
    assert report.tallies["actions"].created == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Framework.__table__)).scalar() == 0  # type: ignore[attr-defined]


def test_markup_like_text_is_stored_literally(engine: Engine) -> None:
    """A title such as [bold]x[/] is the user's text, kept exactly."""
    text = with_change("title: Convene the working group", 'title: "[bold red]Convene[/] the [/] group"')
    _seed(engine, text)
    assert _action(engine, "convene").title == "[bold red]Convene[/] the [/] group"


def test_python_api_takes_a_dict(engine: Engine) -> None:
    """Scripts can validate and apply a plan built in Python."""
    plan = load_data(
        {
            "framework": {
                "key": "athens-oh",
                "city": "Athens",
                "state": "OH",
                "country": "US",
                "title": "Athens",
                "stage": "planning",
                "starts": "2025-01",
            },
            "stakeholders": [{"key": "city-of-athens-oh", "name": "City of Athens", "sector": "local_government"}],
            "goals": [
                {
                    "key": "g1",
                    "title": "Form the group",
                    "objectives": [
                        {
                            "key": "o1",
                            "title": "Group formed",
                            "actions": [
                                {
                                    "key": "a1",
                                    "title": "Convene",
                                    "lead": "city-of-athens-oh",
                                    "due": "2025-03-31",
                                }
                            ],
                        }
                    ],
                }
            ],
        },
        source="script",
    )
    [report] = seed(engine, [plan], actor=ADMIN)
    assert report.tallies["actions"].created == 1
    assert _action(engine, "a1").horizon == "near_term"


def test_a_shared_stakeholder_must_agree_across_files(engine: Engine) -> None:
    """Two files naming one organisation differently would flip it back and forth."""
    other = (
        with_change("key: stamford-ct", "key: norwalk-ct")
        .replace("city: Stamford", "city: Norwalk")
        .replace("name: Domus Kids", "name: Domus")
    )
    with pytest.raises(PlanProblems) as error:
        _seed(engine, MINIMAL, other)
    assert "domus-kids" in str(error.value)


def test_an_item_missing_from_the_file_keeps_its_partners_funding_and_findings(engine: Engine) -> None:
    """Leaving an action out of a newer file must not strip it of anything."""
    _seed(engine, MINIMAL)
    convene = _action(engine, "convene")
    before = {t: rows for t, rows in dump(engine).items() if t in ("action_partner", "allocation", "action_finding")}
    without = MINIMAL.replace(
        MINIMAL[MINIMAL.index("          - key: convene") : MINIMAL.index("          - key: reporting")], ""
    )
    [report] = _seed(engine, without)
    assert report.tallies["actions"].missing == 1
    assert report.tallies["actions"].updated == 0 and report.tallies["actions"].created == 0
    after = {t: rows for t, rows in dump(engine).items() if t in ("action_partner", "allocation", "action_finding")}
    assert after == before
    assert _action(engine, "convene").version == convene.version


def test_adding_one_action_and_dropping_another_is_counted_right(engine: Engine) -> None:
    _seed(engine, MINIMAL)
    swapped = with_change("          - key: reporting", "          - key: reporting-line")
    [report] = _seed(engine, swapped)
    assert (report.tallies["actions"].created, report.tallies["actions"].missing) == (1, 1)


def test_framework_fields_can_change(engine: Engine) -> None:
    """Moving a framework from draft to initial in its file is a plain update."""
    _seed(engine, MINIMAL)
    [report] = _seed(engine, with_change("stage: draft", "stage: initial"))
    assert report.tallies["framework"].updated == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT stage FROM framework")).scalar() == "initial"
