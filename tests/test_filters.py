"""The one filter model: every criterion selects exactly the actions it says, in order."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import ADMIN
from tests.perf.generate import generate_plans
from tracker.db import read_session
from tracker.models.enums import Horizon, Status
from tracker.models.types import utcnow
from tracker.seeding import load_data, seed
from tracker.services.tracking.actions import count_actions, list_actions
from tracker.services.tracking.filters import ActionFilter, SortField, StakeholderRole

TODAY = dt.date(2025, 9, 1)


@pytest.fixture
def plan(engine: Engine) -> dict[str, Any]:
    """300 actions over 2 frameworks, with varied statuses, dates and stale work."""
    plans = generate_plans(actions=300, frameworks=2, stakeholders=40, allocations=600, seed=7)
    seed(engine, [load_data(p, source=p["framework"]["key"]) for p in plans], actor=ADMIN)
    rng = random.Random(3)
    old = utcnow() - dt.timedelta(days=45)
    with engine.begin() as conn:
        ids = conn.execute(sa.text("SELECT id FROM action ORDER BY id")).scalars().all()
        for aid in ids:
            status = rng.choice(list(Status))
            stale = status is Status.in_progress and rng.random() < 0.5
            conn.execute(
                sa.text("UPDATE action SET status = :s, updated_at = :u WHERE id = :id"),
                {
                    "s": status.value,
                    "u": (old if stale else utcnow()).replace(tzinfo=None),
                    "id": aid,
                },
            )
        rows = (
            conn.execute(
                sa.text(
                    "SELECT a.id, f.key AS fw, a.key, a.title, a.description, a.status, a.horizon, a.due,"
                    " s.key AS lead, a.updated_at FROM action a JOIN framework f ON f.id = a.framework_id"
                    " JOIN stakeholder s ON s.id = a.lead_id"
                )
            )
            .mappings()
            .all()
        )
        partners: dict[int, set[str]] = {}
        for aid, key in conn.execute(
            sa.text("SELECT p.action_id, s.key FROM action_partner p JOIN stakeholder s ON s.id = p.stakeholder_id")
        ):
            partners.setdefault(aid, set()).add(key)
    return {"rows": rows, "partners": partners, "old": old.replace(tzinfo=None)}


def _expected(plan: dict[str, Any], keep) -> set[str]:  # type: ignore[no-untyped-def]
    return {f"{r['fw']}/{r['key']}" for r in plan["rows"] if keep(r, plan["partners"].get(r["id"], set()))}


def _due(r: dict[str, Any]) -> dt.date | None:
    value = r["due"]
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _stamp(r: dict[str, Any]) -> dt.datetime:
    value = r["updated_at"]
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _busy_stakeholder(plan: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for r in plan["rows"]:
        counts[r["lead"]] = counts.get(r["lead"], 0) + 1
    return max(counts, key=lambda k: counts[k])


OPEN = {"planned", "in_progress", "blocked"}

CASES = {
    "framework": (
        lambda p: ActionFilter(framework="bench-city-002"),
        lambda p: lambda r, _: r["fw"] == "bench-city-002",
    ),
    "two statuses": (
        lambda p: ActionFilter(statuses=(Status.blocked, Status.done)),
        lambda p: lambda r, _: r["status"] in ("blocked", "done"),
    ),
    "horizon": (
        lambda p: ActionFilter(horizons=(Horizon.mid_term,)),
        lambda p: lambda r, _: r["horizon"] == "mid_term",
    ),
    "lead": (
        lambda p: ActionFilter(stakeholders=(_busy_stakeholder(p),), stakeholder_role=StakeholderRole.lead),
        lambda p: lambda r, _: r["lead"] == _busy_stakeholder(p),
    ),
    "partner": (
        lambda p: ActionFilter(stakeholders=(_busy_stakeholder(p),), stakeholder_role=StakeholderRole.partner),
        lambda p: lambda r, partners: _busy_stakeholder(p) in partners,
    ),
    "either": (
        lambda p: ActionFilter(stakeholders=(_busy_stakeholder(p),)),
        lambda p: lambda r, partners: r["lead"] == _busy_stakeholder(p) or _busy_stakeholder(p) in partners,
    ),
    "overdue": (
        lambda p: ActionFilter(overdue=True),
        lambda p: lambda r, _: _due(r) is not None and _due(r) < TODAY and r["status"] in OPEN,
    ),
    "stale": (
        lambda p: ActionFilter(stale=True),
        lambda p: lambda r, _: r["status"] == "in_progress" and _stamp(r) <= p["old"] + dt.timedelta(minutes=1),
    ),
    "due window": (
        lambda p: ActionFilter(due_after=dt.date(2025, 3, 31), due_before=dt.date(2026, 1, 1)),
        lambda p: lambda r, _: _due(r) is not None and dt.date(2025, 3, 31) < _due(r) < dt.date(2026, 1, 1),
    ),
    "combined": (
        lambda p: ActionFilter(
            framework="bench-city-001",
            statuses=(Status.in_progress,),
            horizons=(Horizon.near_term,),
        ),
        lambda p: (
            lambda r, _: r["fw"] == "bench-city-001" and r["status"] == "in_progress" and r["horizon"] == "near_term"
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_criterion_selects_exactly_its_actions(engine: Engine, plan: dict[str, Any], case: str) -> None:
    """Every view built on the filter (CLI, TUI, exports) shows the right actions."""
    make_filter, make_keep = CASES[case]
    flt = make_filter(plan).model_copy(update={"limit": None})
    expected = _expected(plan, make_keep(plan))
    assert expected, "the case must select something to be a test"
    with read_session(engine) as session:
        got = {r.ref for r in list_actions(session, flt, today=TODAY)}
        assert count_actions(session, flt, today=TODAY) == len(expected)
    assert got == expected


def test_text_search_matches_title_and_description_literally(engine: Engine, plan: dict[str, Any]) -> None:
    word = plan["rows"][0]["title"].split()[0]
    flt = ActionFilter(text=word.upper(), limit=None)
    expected = _expected(plan, lambda r, _: word.lower() in (r["title"] + " " + (r["description"] or "")).lower())
    with read_session(engine) as session:
        assert {r.ref for r in list_actions(session, flt)} == expected
        assert list_actions(session, ActionFilter(text="100%_")) == []  # wildcards are text


def test_pages_are_stable_and_ordered(engine: Engine, plan: dict[str, Any]) -> None:
    """Paging through a sorted list shows every action once, in order, unknown dates last."""
    seen = []
    with read_session(engine) as session:
        for offset in range(0, 400, 50):
            seen += list_actions(session, ActionFilter(sort=SortField.due, limit=50, offset=offset))
    assert len(seen) == len({r.ref for r in seen}) == 300
    dues = [r.due for r in seen]
    known = [d for d in dues if d is not None]
    assert known == sorted(known) and dues[: len(known)] == known


def test_cli_json_and_service_agree(engine: Engine, db_url: str, plan: dict[str, Any]) -> None:
    busy = _busy_stakeholder(plan)
    result = tracker(
        "--db", db_url, "actions", "list", "--stakeholder", busy, "--as-lead", "--status", "in_progress",
        "--status", "blocked", "--limit", "500", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    data = json.loads(result.out)
    flt = ActionFilter(
        stakeholders=(busy,),
        stakeholder_role=StakeholderRole.lead,
        statuses=(Status.in_progress, Status.blocked),
        limit=500,
    )
    with read_session(engine) as session:
        assert [a["ref"] for a in data["actions"]] == [r.ref for r in list_actions(session, flt)]
    assert data["total"] == len(data["actions"])
    first = data["actions"][0]
    assert {
        "ref",
        "title",
        "status",
        "lead",
        "partners",
        "due",
        "cost",
        "funded",
        "version",
        "last_change",
    } <= set(first)
