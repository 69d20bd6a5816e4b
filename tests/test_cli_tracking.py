"""Tracking from the command line: exit codes scripts rely on, one clear line on errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.tracking import CONVENE, MEETINGS, seeded


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def test_set_status_then_show_and_history(db: str) -> None:
    """The walk-through a member does: change, look, read the history."""
    result = tracker(
        "--db",
        db,
        "--as",
        "domus",
        "actions",
        "set-status",
        CONVENE,
        "in_progress",
        "-m",
        "started",
    )
    assert result.code == 0, result.err
    assert result.out.strip() == f"{CONVENE}: planned -> in_progress, version 2"
    shown = json.loads(tracker("--db", db, "actions", "show", CONVENE, "--json").out)
    assert shown["row"]["status"] == "in_progress" and shown["row"]["version"] == 2
    assert shown["history"][0]["by"] == "domus" and shown["history"][0]["note"] == "started"
    history = tracker("--db", db, "actions", "history", CONVENE)
    assert "domus: planned -> in_progress: started" in history.out


def test_exit_codes(db: str, engine: Engine) -> None:
    """0 ok, 2 bad input, 3 conflict, 4 permission; nothing changes on an error."""
    tracker("--db", db, "--as", "domus", "actions", "set-status", CONVENE, "in_progress")
    before = dump(engine)
    cases = [
        (
            3,
            ["--as", "city", "actions", "set-status", CONVENE, "blocked", "--expect-version", "1"],
            "changed since you read it (version 1, now 2): domus moved it from planned to in progress",
        ),
        (
            4,
            ["--as", "church", "actions", "set-status", CONVENE, "blocked"],
            "is not with the lead or a partner",
        ),
        (4, ["--as", "viewer", "actions", "note", CONVENE, "hello"], "viewers read"),
        (
            4,
            ["--as", "nobody", "actions", "note", CONVENE, "hello"],
            "no member with the login 'nobody'",
        ),
        (2, ["--as", "coord", "actions", "set-status", CONVENE, "finished"], "Invalid value"),
        (
            2,
            ["--as", "coord", "actions", "set-status", "stamford-ct/nope", "done"],
            "has no action 'nope'",
        ),
        (2, ["actions", "list", "--due-before", "03/04/2025"], "not a date tracker understands"),
        (2, ["actions", "list", "--framework", "nowhere"], "no framework 'nowhere'"),
        (2, ["actions", "list", "--stakeholder", "nobody-org"], "no stakeholder 'nobody-org'"),
        (2, ["--as", "coord", "indicators", "record", MEETINGS, "lots"], "not a number"),
    ]
    for code, args, words in cases:
        result = tracker("--db", db, *args)
        assert result.code == code, (args, result)
        assert words in result.err, (args, result.err)
        assert "Traceback" not in result.err
        assert len([line for line in result.err.splitlines() if line.strip()]) <= 3, result.err
    assert dump(engine) == before


def test_force_is_recorded(db: str) -> None:
    tracker("--db", db, "--as", "domus", "actions", "set-status", CONVENE, "in_progress")
    result = tracker(
        "--db",
        db,
        "--as",
        "city",
        "actions",
        "set-status",
        CONVENE,
        "blocked",
        "--expect-version",
        "1",
        "--force",
    )
    assert result.code == 0
    assert "(applied over a newer change)" in result.out


def test_missing_database_is_one_sentence_and_creates_no_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A mistyped --db path is reported, not silently created as an empty file."""
    missing = tmp_path / "missing.db"
    result = tracker("--db", str(missing), "actions", "list")
    assert result.code == 1
    assert result.err.strip() == (
        f"tracker: There is no database at {missing}; check --db, or create it with `tracker db upgrade`."
    )
    assert not missing.exists()


def test_csv_neutralises_formulas(db: str) -> None:
    """A title typed as =HYPERLINK(...) must reach the spreadsheet as text."""
    import sqlalchemy as sa

    from tracker.db import make_engine

    engine = make_engine(db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE action SET title = '=HYPERLINK(\"http://x\")' WHERE key = 'convene'"))
    engine.dispose()
    out = tracker("--db", db, "actions", "list", "--csv").out
    assert "'=HYPERLINK" in out
    assert ",=HYPERLINK" not in out and ',"=HYPERLINK' not in out


def test_summary_counts_and_json(db: str) -> None:
    tracker("--db", db, "--as", "coord", "actions", "set-status", CONVENE, "done")
    data = json.loads(tracker("--db", db, "summary", "--json").out)
    [stamford] = data
    assert stamford["key"] == "stamford-ct"
    assert stamford["by_status"] == {"done": 1, "planned": 1}
    assert stamford["progress"] == 0.5


def test_member_add_from_the_cli(db: str) -> None:
    result = tracker(
        "--db",
        db,
        "--as",
        "coord",
        "member",
        "add",
        "zoe",
        "--role",
        "member",
        "-f",
        "stamford-ct",
        "-s",
        "union-church",
    )
    assert result.code == 0 and result.out.strip() == "zoe: member in stamford-ct (union-church)"
    refused = tracker(
        "--db",
        db,
        "--as",
        "zoe",
        "member",
        "add",
        "max",
        "--role",
        "coordinator",
        "-f",
        "stamford-ct",
    )
    assert refused.code == 4 and "only a coordinator of stamford-ct" in refused.err


def test_piped_tables_keep_whole_titles(db_url: str, engine: Engine) -> None:
    """`tracker actions list > file` (no terminal, no COLUMNS) keeps each title whole instead of
    cutting it at Rich's 80 columns, so a saved list or a grep still finds the words."""
    import os

    seeded(engine)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    long_title = "Convene the working group " + "and its partners " * 6
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE action SET title = :t WHERE key = 'convene'"), {"t": long_title.strip()})
    done = subprocess.run(
        [str(Path(sys.executable).parent / "tracker"), "--db", db_url, "actions", "list"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert long_title.strip() in done.stdout
