"""`tracker funding gaps|sources|risks` on the hand-computed plan of tests/funding_plans.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.funding_plans import seed_funding


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seed_funding(engine)
    return db_url


def test_gaps_as_json_keep_money_exact_and_unknown_cost_unknown(db: str) -> None:
    """Scripts read gaps as JSON: money as exact strings, an unknown cost as null; as floats or
    as 0 a budget sheet built from them would be wrong."""
    result = tracker("--db", db, "funding", "gaps", "--framework", "riverton", "--by", "objective", "--json")
    assert result.code == 0, result.err
    rows = {r["ref"]: r for r in json.loads(result.out)}
    assert (rows["riverton/o1"]["gap"], rows["riverton/o1"]["actions_without_cost"]) == ("23700.00", 1)
    actions = json.loads(tracker("--db", db, "funding", "gaps", "-f", "riverton", "--json").out)
    mural = next(r for r in actions if r["key"] == "a3")
    assert (mural["cost"], mural["gap"], mural["unknown_allocations"]) == (None, None, 1)


def test_gaps_per_year_in_a_table_and_as_safe_csv(db: str) -> None:
    """The coordinator prints the per-fiscal-year gaps for the budget meeting, or opens them in
    a spreadsheet; a title starting with '=' must stay text there."""
    table = tracker("--db", db, "funding", "gaps", "-f", "riverton", "--by", "year")
    assert table.code == 0, table.err
    assert "riverton/FY2026" in table.out and "27,600.00 USD" in table.out and "riverton/unscheduled" in table.out
    rows = list(csv.DictReader(io.StringIO(tracker("--db", db, "funding", "gaps", "--by", "goal", "--csv").out)))
    assert [(r["ref"], r["gap"], r["currency"]) for r in rows] == [
        ("riverton/g1", "35700.00", "USD"), ("lakeside/g1", "0.00", "EUR"), ("riverton/g2", "0.00", "USD"),
    ]  # fmt: skip


def test_sources_show_over_commitment_unknown_amounts_and_totals_per_currency(db: str) -> None:
    """The sources list says in words which source is over-committed and which amount is
    unknown, and never adds euros to dollars."""
    result = tracker("--db", db, "funding", "sources")
    assert result.code == 0, result.err
    assert "OVER-COMMITTED" in result.out and "unknown" in result.out
    data = json.loads(tracker("--db", db, "funding", "sources", "--json").out)
    foundations = [(t["currency"], t["committed"]) for t in data["totals"] if t["group"] == "foundations"]
    assert foundations == [("EUR", "9000.00"), ("USD", None)]
    assert next(s for s in data["sources"] if s["key"] == "fed-grant")["remaining"] == "-5000.00"


def test_risks_as_json(db: str) -> None:
    """A script watching grants gets the cliffs and dependences as JSON."""
    result = tracker("--db", db, "funding", "risks", "-f", "riverton", "--share", "0.5", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    # Read on the real date, after fed-grant ended (2025-09-30): both open actions it funds
    # run past its end, a1 (in progress, due 2025-07-31) included, as it is still open today.
    fed = [(c["ref"], c["at_risk"], c["booked_after_end"], c["source_ended"]) for c in data["cliffs"]
           if c["source"] == "fed-grant"]  # fmt: skip
    assert fed == [("riverton/a2", "24000.00", "4000.00", True), ("riverton/a1", "1000.00", "0.00", True)]
    assert [(d["ref"], d["share"]) for d in data["dependent_frameworks"]] == [("riverton", "0.5283")]
    table = tracker("--db", db, "funding", "risks", "-f", "riverton")
    assert table.code == 0 and "riverton/a2" in table.out and "fed-grant" in table.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["gaps", "--framework", "nowhere"], "there is no framework 'nowhere'"),
        (["gaps", "--by", "week"], "there is no gap level 'week'"),
        (["gaps", "--json", "--csv"], "give --json or --csv, not both"),
        (["risks", "--share", "75"], "--share is a fraction between 0 and 1"),
        (["risks", "--share", "lots"], "--share is a fraction between 0 and 1"),
        (["risks", "--months", "-1"], "--months must be from 0 to 1,200"),
    ],
)
def test_bad_input_gets_one_sentence_and_exit_2(engine: Engine, db: str, args: list[str], says: str) -> None:
    """A mistyped option is refused with one sentence and exit 2, no traceback, nothing changed."""
    before = dump(engine)
    result = tracker("--db", db, "funding", *args)
    assert result.code == 2
    assert says in result.err and "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert dump(engine) == before


def test_every_funding_command_has_an_example_in_its_help() -> None:
    """`tracker funding X --help` shows how to use it; without an example users guess."""
    for command in ("gaps", "sources", "risks"):
        result = tracker("funding", command, "--help")
        assert result.code == 0 and "Example: tracker funding " + command in result.out
