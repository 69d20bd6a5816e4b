"""Coordinators edit an action's plan and funding: version-checked and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import count_rows
from tests.tracking import CONVENE, seeded
from tracker.db import write_session
from tracker.errors import BadInput, Conflict, PermissionDenied
from tracker.services.access.members import resolve_member
from tracker.services.plan.edits import edit_action, set_allocation


def _edit(engine: Engine, login: str, **kw):  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        return edit_action(session=session, actor=resolve_member(session, login), ref=CONVENE, **kw)


def _fund(engine: Engine, login: str, **kw):  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        return set_allocation(session=session, actor=resolve_member(session, login), ref=CONVENE, **kw)


def _audit(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT field, old, new FROM plan_change ORDER BY id"))]


def test_coordinator_edits_plan_fields_with_an_audit_trail(engine: Engine) -> None:
    seeded(engine)
    detail = _edit(
        engine, "coord", changes={"title": "Convene the group", "cost": "16000.50", "lead": "union-church"},
        expected_version=1,
    )  # fmt: skip
    assert detail.row.title == "Convene the group" and detail.row.cost == Decimal("16000.50")
    assert detail.row.lead.key == "union-church" and detail.row.version == 2
    fields = {f: (old, new) for f, old, new in _audit(engine)}
    assert fields["title"] == ("Convene the working group", "Convene the group")
    assert fields["cost"] == ("15000.00", "16000.50")


def test_plan_edit_on_a_stale_version_is_a_conflict(engine: Engine) -> None:
    seeded(engine)
    _edit(engine, "coord", changes={"title": "A"}, expected_version=1)
    before = count_rows(engine)
    with pytest.raises(Conflict, match="version 1, now 2"):
        _edit(engine, "coord", changes={"title": "B"}, expected_version=1)
    assert count_rows(engine) == before


def test_members_cannot_edit_the_plan(engine: Engine) -> None:
    seeded(engine)
    with pytest.raises(PermissionDenied, match="only a coordinator of stamford-ct"):
        _edit(engine, "city", changes={"title": "Mine now"})


def test_bad_plan_edits_are_refused(engine: Engine) -> None:
    seeded(engine)
    with pytest.raises(BadInput, match="before it starts"):
        _edit(engine, "coord", changes={"due": dt.date(2025, 1, 1)})
    with pytest.raises(BadInput, match="non-negative"):
        _edit(engine, "coord", changes={"cost": "-3"})
    with pytest.raises(BadInput, match="cannot be edited here"):
        _edit(engine, "coord", changes={"status": "done"})


def test_allocations_added_changed_removed_and_audited(engine: Engine) -> None:
    seeded(engine)
    added = _fund(engine, "coord", source="dhs-cp3", fiscal_year=2026, amount="2500")
    assert {(a.fiscal_year, a.amount) for a in added.allocations} == {
        (2025, Decimal("10000.00")),
        (2026, Decimal("2500.00")),
    }
    changed = _fund(engine, "coord", source="dhs-cp3", fiscal_year=2026, amount=None)
    assert {(a.fiscal_year, a.amount) for a in changed.allocations} == {(2025, Decimal("10000.00")), (2026, None)}
    removed = _fund(engine, "coord", source="dhs-cp3", fiscal_year=2025, amount=None, remove=True)
    assert [(a.fiscal_year, a.amount) for a in removed.allocations] == [(2026, None)]
    assert removed.row.version == 4
    assert _audit(engine) == [
        ("funding dhs-cp3 FY2026", None, "2500.00"),
        ("funding dhs-cp3 FY2026", "2500.00", "unknown"),
        ("funding dhs-cp3 FY2025", "10000.00", None),
    ]


def test_an_allocation_above_the_committed_amount_is_refused(engine: Engine) -> None:
    seeded(engine)
    with pytest.raises(BadInput, match="more than dhs-cp3's committed amount 50000"):
        _fund(engine, "coord", source="dhs-cp3", fiscal_year=2026, amount="60000")


def test_reseeding_an_older_file_does_not_undo_a_tool_edit(engine: Engine, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A coordinator's edit in the tool is not silently reverted by applying the old file again."""
    from tests.cli import tracker
    from tests.conftest import dump
    from tests.plans import MINIMAL, with_change

    seeded(engine)
    _edit(engine, "coord", changes={"title": "Convene the group", "cost": "16000"})
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    before = dump(engine)
    refused = tracker("--db", db_url, "seed", str(plan))
    assert refused.code == 2, refused
    assert "title was changed in the tool by coord" in refused.err and "'Convene the group'" in refused.err
    assert "cost was changed in the tool by coord" in refused.err
    assert dump(engine) == before
    # The file brought up to date with the edit applies cleanly...
    plan.write_text(
        with_change("title: Convene the working group", "title: Convene the group").replace(
            "cost: 15000", "cost: 16000"
        )
    )
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    # ...and --overwrite replaces an edit on purpose.
    _edit(engine, "coord", changes={"title": "Edited again"})
    assert tracker("--db", db_url, "seed", "--overwrite", str(plan)).code == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT title FROM action WHERE key = 'convene'")).scalar() == "Convene the group"
