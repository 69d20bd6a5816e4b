"""Numbers are bounded: amounts, measurements, baselines and targets outside what the
database, its sums and the exports hold are refused where they are typed, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL, with_change

COST_LINE = "            cost: 15000\n"


def _write(tmp_path: Path, text: str, name: str = "plan.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    """A database with the small plan and a coordinator, ``ana``."""
    assert tracker("--db", db_url, "seed", _write(tmp_path, MINIMAL, "good.yaml")).code == 0
    added = tracker("--db", db_url, "member", "add", "ana", "--role", "coordinator", "-f", "stamford-ct")
    assert added.code == 0, added.err
    return db_url


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1e309", "too large"),
        ("1000000000000000000", "too large"),
        ("-1e18", "too large"),
        ("NaN", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("1e-50", "decimal places"),
        ("1.23456789", "decimal places"),
        ("9" * 5000, "digits"),
    ],
)
def test_a_measurement_the_database_cannot_hold_is_refused(db: str, engine: Engine, value: str, says: str) -> None:
    """A member who records 1e309 broke every workbook export afterwards, and 1e-50 was
    stored as 0 on PostgreSQL but kept on SQLite: the value is refused, the data unchanged."""
    before = dump(engine)
    result = tracker("--db", db, "--as", "ana", "indicators", "record", "--", "stamford-ct/meetings", value)
    assert result.code == 2, result
    assert says in result.err and "value" in result.err
    assert dump(engine) == before


@pytest.mark.parametrize("value", ["999999999999999999.999999", "-999999999999999999", "0.000001", "1.5"])
def test_a_measurement_at_the_limits_is_kept_exactly(db: str, value: str) -> None:
    """The largest and smallest values tracker promises are stored as typed on both backends."""
    result = tracker("--db", db, "--as", "ana", "indicators", "record", "--", "stamford-ct/meetings", value)
    assert result.code == 0, result.err
    data = json.loads(tracker("--db", db, "export", "--format", "json").out)
    values = [m["value"] for m in data["frameworks"][0]["tracking"]["indicators"][0]["measurements"]]
    assert values == [value]


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ((COST_LINE, "            cost: 10000000000.01\n"), "the largest amount"),
        ((COST_LINE, "            cost: 999999999999999\n"), "the largest amount"),
        ((COST_LINE, "            cost: 1e309\n"), "the largest amount"),
        ((COST_LINE, "            cost: .nan\n"), "not a finite number"),
        ((COST_LINE, f"            cost: {'9' * 5000}\n"), "digits"),
        ((COST_LINE, f"            cost: {'9' * 5000}.5\n"), "digits"),
        ((COST_LINE, f"            cost: {'1' * 41}\n"), "at most 40 digits"),
        (("baseline: 0,", "baseline: 1e-50,"), "decimal places"),
        (("baseline: 0,", "baseline: 1.23456789,"), "decimal places"),
        (("target: 6,", "target: 1000000000000000000,"), "too large"),
        (("amount: 10000, fiscal_year", f"amount: {'1' * 3000}, fiscal_year"), "digits"),
    ],
)
def test_plan_numbers_out_of_range_are_refused_where_written(
    tmp_path: Path, db_url: str, engine: Engine, edit: tuple[str, str], says: str
) -> None:
    """A plan with a cost or a baseline the database or its sums cannot hold is refused with
    the line and our sentence (a number of thousands of digits was a traceback)."""
    before = dump(engine)
    bad = _write(tmp_path, with_change(*edit))
    for command in ("validate", "seed"):
        result = tracker("--db", db_url, command, bad)
        assert result.code == 2, result
        assert result.err.startswith(f"{bad}:"), result.err
        assert says in result.err
    assert dump(engine) == before


def _many_actions(cost: str, count: int) -> str:
    plan = {
        "framework": {"key": "big", "city": "Big City", "country": "US", "title": "Big", "starts": "2025-01"},
        "stakeholders": [{"key": "city", "name": "City", "sector": "local_government"}],
        "goals": [
            {
                "key": "g",
                "title": "G",
                "objectives": [
                    {
                        "key": "o",
                        "title": "O",
                        "actions": [
                            {"key": f"a{i}", "title": f"A {i}", "lead": "city", "due": "2026-06-30", "cost": cost}
                            for i in range(count)
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(plan)


def test_costs_at_the_limit_add_up_in_every_view(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """10,000 actions costing 999,999,999,999,999 each made summary, report, gaps and the
    workbook fail with 'integer overflow': such a cost is refused, and 10,000 actions at the
    largest cost tracker takes add up everywhere."""
    over = _write(tmp_path, _many_actions("999999999999999", 10_000), "over.json")
    before = dump(engine)
    refused = tracker("--db", db_url, "seed", over)
    assert refused.code == 2 and "the largest amount" in refused.err
    assert dump(engine) == before
    at_limit = _write(tmp_path, _many_actions("10000000000.00", 10_000), "limit.json")
    assert tracker("--db", db_url, "seed", at_limit).code == 0
    for args in (
        ("summary",),
        ("report", "-f", "big"),
        ("funding", "gaps", "--by", "framework"),
        ("funding", "gaps", "--by", "year"),
        ("export", "--format", "xlsx", "-o", str(tmp_path / "plans.xlsx")),
    ):
        result = tracker("--db", db_url, *args)
        assert result.code == 0, (args, result.err)
    gaps = json.loads(tracker("--db", db_url, "funding", "gaps", "--by", "framework", "--json").out)
    assert gaps[0]["cost"] == "100000000000000.00"


def test_a_seed_beyond_the_rows_a_sum_may_cover_is_refused(
    tmp_path: Path, db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sums of money fit in 64-bit cents only up to a number of amounts: a seed that would
    pass it is refused whole. (The limit is lowered here; the real one is 9 million.)"""
    from tracker.seeding import apply

    monkeypatch.setattr(apply, "MAX_SUMMED", 2)  # MINIMAL has 2 actions
    assert tracker("--db", db_url, "seed", _write(tmp_path, MINIMAL)).code == 0
    before = dump(engine)
    third = with_change(
        "          - key: reporting\n",
        "          - {key: third, title: Third, lead: union-church, horizon: mid_term}\n          - key: reporting\n",
    )
    result = tracker("--db", db_url, "seed", _write(tmp_path, third, "more.yaml"))
    assert result.code == 2, result
    assert "3 actions" in result.err and "at most 2" in result.err
    assert dump(engine) == before
