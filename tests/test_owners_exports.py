"""Owners where people read plans outside the tool: the full JSON export, the workbook
and the coordinator's report (next to the lead of each overdue, blocked or stale action)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.tracking import CONVENE, seeded


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    assert tracker("--db", db_url, "--as", "coord", "actions", "edit", CONVENE, "--owner", "city").code == 0
    return db_url


def test_json_export_names_owners(db: str) -> None:
    """A script reading `export --format json` sees each action's owner (null when none)."""
    result = tracker("--db", db, "export", "--format", "json")
    assert result.code == 0, result.err
    actions = json.loads(result.out)["frameworks"][0]["plan"]["goals"][0]["objectives"][0]["actions"]
    assert {a["key"]: a.get("owner") for a in actions} == {"convene": "city", "reporting": None}


def test_workbook_has_an_owner_column(db: str, tmp_path: Path) -> None:
    """The coordinator's spreadsheet says who is responsible for each action."""
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "plan.xlsx"
    wrote = tracker("--db", db, "export", "--format", "xlsx", "--framework", "stamford-ct", "-o", str(path))
    assert wrote.code == 0, wrote.err
    ws = openpyxl.load_workbook(path)["actions"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]
    assert {r["ref"]: r["owner"] for r in rows} == {CONVENE: "city", "stamford-ct/reporting": None}


def test_report_names_the_owner_of_each_action_that_needs_attention(db: str) -> None:
    """The leadership group sees whom to ask about an overdue action, not only which organisation."""
    result = tracker("--db", db, "report", "--framework", "stamford-ct")
    assert result.code == 0, result.err
    overdue = result.out.split("Overdue", 1)[1]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in overdue.splitlines() if line.startswith("|")]
    header, convene = cells[0], next(c for c in cells if c[0] == "convene")
    assert header[2:4] == ["lead", "owner"] and convene[2:4] == ["City of Stamford", "city"]


def test_the_demo_gives_maria_actions_of_her_own_first(tmp_path: Path) -> None:
    """On `tracker demo`, maria's "mine" starts with the actions she owns, then Domus Kids';
    building the demo again with --keep still seeds cleanly."""
    db = tmp_path / "demo.db"
    assert tracker("--as", "demo", "demo", "--file", str(db), "--no-open").code == 0
    mine = tracker("--as", "maria", "--db", str(db), "actions", "list", "--mine", "--limit", "200", "--json")
    assert mine.code == 0, mine.err
    owners = [a["owner"] for a in json.loads(mine.out)["actions"]]
    assert owners[:2] == ["maria", "maria"] and "maria" not in owners[2:] and len(owners) > 2
    assert all(a["framework"] == "stamford-ct" for a in json.loads(mine.out)["actions"])
    again = tracker("--as", "demo", "demo", "--file", str(db), "--keep", "--no-open")
    assert again.code == 0 and "0 items created" in again.out, again.err
