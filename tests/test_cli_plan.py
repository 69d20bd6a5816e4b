"""Coordinators changing the plan of actions from the command line: add, edit, move,
cancel, delete; each refusal leaves the database as it was, each change is in the audit."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.tracking import CONVENE, seeded

NEW = "stamford-ct/youth-survey"
ADD = [
    "actions", "add", "stamford-ct/g1-o1", "--key", "youth-survey", "--title", "Survey young people",
    "--lead", "city-of-stamford", "--partner", "domus-kids", "--starts", "2025-03", "--due", "2025-09-30",
    "--cost", "1500",
]  # fmt: skip


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def _plan_changes(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT pc.item_kind, pc.field, pc.old, pc.new, m.login FROM plan_change pc "
                    "LEFT JOIN member m ON m.id = pc.member_id ORDER BY pc.id"
                )
            )
        ]


def _version(db: str, ref: str) -> int:
    return int(json.loads(tracker("--db", db, "actions", "show", ref, "--json").out)["row"]["version"])


def test_add_then_show(db: str, engine: Engine) -> None:
    """A coordinator adds an action the workshop asked for; it is listed, planned, with its partners."""
    result = tracker("--db", db, "--as", "coord", *ADD, "--json")
    assert result.code == 0, result.err
    row = json.loads(result.out)
    assert row["ref"] == NEW and row["status"] == "planned" and row["version"] == 1
    assert row["horizon"] == "mid_term"  # derived from --due and the plan's windows, as a plan file's
    shown = json.loads(tracker("--db", db, "actions", "show", NEW, "--json").out)
    assert shown["row"]["lead"]["key"] == "city-of-stamford" and shown["row"]["cost"] == "1500.00"
    assert _plan_changes(engine) == [("action", "created", None, "Survey young people", "coord")]


def test_add_refusals_change_nothing(db: str, engine: Engine) -> None:
    """Only a coordinator (or an admin) adds actions; a bad value names the option at fault."""
    before = dump(engine)
    cases = [
        (4, ["--as", "city", *ADD], "only a coordinator of stamford-ct or an admin"),
        (4, ["--as", "viewer", *ADD], "only a coordinator of stamford-ct or an admin"),
        (2, ["--as", "coord", *ADD, "--due", "2025-01-31"], "--due"),
        (2, ["--as", "coord", *ADD[:-2], "--cost", "-5"], "--cost"),
        (2, ["--as", "coord", *ADD, "--partner", "nobody-inc"], "--partner"),
        (2, ["--as", "coord", *ADD[:8], "nobody-inc", *ADD[9:]], "--lead"),
        (2, ["--as", "coord", *ADD[:4], "Bad Key", *ADD[5:]], "--key"),
        (2, ["--as", "coord", "actions", "add", "stamford-ct/g1-o1", "--key", "convene", "--title", "T",
             "--lead", "city-of-stamford", "--due", "2025-06"], "already has an action"),
        (2, ["--as", "coord", "actions", "add", "stamford-ct/nope", *ADD[3:]], "--objective"),
    ]  # fmt: skip
    for code, args, says in cases:
        result = tracker("--db", db, *args)
        assert result.code == code, (args, result)
        assert says in result.err, (args, result.err)
    assert dump(engine) == before


def test_edit_records_each_field_and_shows_in_history(db: str, engine: Engine) -> None:
    """An edit changes only what was given, bumps the version, and says who changed what, field by field."""
    version = _version(db, CONVENE)
    result = tracker(
        "--db", db, "--as", "coord", "actions", "edit", CONVENE, "--title", "Convene the leadership group",
        "--due", "2025-08", "--partner", "union-church", "--no-partner", "domus-kids",
        "--expect-version", str(version), "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    row = json.loads(result.out)
    assert row["version"] == version + 1 and row["due"] == "2025-08-31"
    assert sorted(_plan_changes(engine)) == sorted(
        [
            ("action", "title", "Convene the working group", "Convene the leadership group", "coord"),
            ("action", "due", "2025-06-30", "2025-08-31", "coord"),
            ("action", "partners", "domus-kids", "union-church", "coord"),
        ]
    )
    history = tracker("--db", db, "actions", "history", CONVENE)
    assert "coord changed due: 2025-06-30 -> 2025-08-31" in history.out, history.out
    fields = {
        c["field"] for c in json.loads(tracker("--db", db, "actions", "history", CONVENE, "--json").out)["plan_changes"]
    }
    assert fields == {"title", "due", "partners"}


def test_edit_conflict_refusal_and_bad_input(db: str, engine: Engine) -> None:
    """A stale version is refused naming who changed what; members cannot edit the plan; a due date
    before the start names --due; nothing is written in any of these."""
    version = _version(db, CONVENE)
    assert tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--cost", "900").code == 0
    before = dump(engine)
    stale = tracker(
        "--db", db, "--as", "coord", "actions", "edit", CONVENE, "--title", "X", "--expect-version", str(version)
    )
    assert stale.code == 3 and "coord changed its cost" in stale.err, stale
    refused = tracker("--db", db, "--as", "city", "actions", "edit", CONVENE, "--title", "X")
    assert refused.code == 4 and "only a coordinator of stamford-ct or an admin" in refused.err
    bad = tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--due", "2025-01-15")
    assert bad.code == 2 and "--due: the action is due 2025-01-15, before it starts (2025-02-01)" in bad.err, bad
    negative = tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--cost", "-1")
    assert negative.code == 2 and "--cost" in negative.err
    assert dump(engine) == before
    forced = tracker(
        "--db", db, "--as", "coord", "actions", "edit", CONVENE, "--title", "X",
        "--expect-version", str(version), "--force",
    )  # fmt: skip
    assert forced.code == 0, forced.err


def test_clear_takes_a_date_away(db: str, engine: Engine) -> None:
    """A due date set by mistake is taken away with --clear due, in the history; a field that
    an action always has cannot be cleared, and nothing changes then."""
    cleared = tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--clear", "due", "--json")
    assert cleared.code == 0, cleared
    assert json.loads(cleared.out)["due"] is None
    assert ("action", "due", "2025-06-30", None, "coord") in _plan_changes(engine)
    before = dump(engine)
    for args, says in (
        (["--clear", "title"], "--clear title: only description, starts, due, cost can be emptied."),
        (["--clear", "starts", "--starts", "2025-03"], "give --starts or --clear starts, not both"),
    ):
        refused = tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, *args)
        assert refused.code == 2 and says in refused.err, refused
    assert dump(engine) == before


def test_move_and_cancel(db: str, engine: Engine) -> None:
    """A coordinator moves an action to another objective and cancels one; members may not."""
    with engine.begin() as conn:
        ids = conn.execute(sa.text("SELECT framework_id, goal_id FROM objective WHERE key = 'g1-o1'")).one()
        conn.execute(
            sa.text(
                "INSERT INTO objective (framework_id, goal_id, key, title, position) VALUES (:f, :g, 'g1-o2', 'Two', 1)"
            ),
            {"f": ids[0], "g": ids[1]},
        )
    before = dump(engine)
    assert tracker("--db", db, "--as", "city", "actions", "move", CONVENE, "--objective", "g1-o2").code == 4
    assert tracker("--db", db, "--as", "city", "actions", "cancel", CONVENE).code == 4
    assert dump(engine) == before
    moved = tracker("--db", db, "--as", "coord", "actions", "move", CONVENE, "--objective", "g1-o2", "--json")
    assert moved.code == 0, moved.err
    assert json.loads(moved.out)["objective_key"] == "g1-o2"
    assert "coord changed objective: g1-o1 -> g1-o2" in tracker("--db", db, "actions", "history", CONVENE).out
    cancelled = tracker("--db", db, "--as", "coord", "actions", "cancel", CONVENE, "-m", "merged")
    assert cancelled.code == 0 and "-> cancelled" in cancelled.out, cancelled


def test_delete_only_a_mistake_and_keep_the_record(db: str, engine: Engine) -> None:
    """An action added by mistake can go; one with any history or from a plan file cannot;
    the deletion stays in the audit."""
    assert tracker("--db", db, "--as", "coord", *ADD).code == 0
    before = dump(engine)
    for args, says in [
        (["--as", "city", "actions", "delete", NEW], "only a coordinator"),
        (["--as", "coord", "actions", "delete", CONVENE], "came from a plan file"),
    ]:
        result = tracker("--db", db, *args)
        assert result.code == 4 and says in result.err, result
    assert dump(engine) == before
    deleted = tracker("--db", db, "--as", "coord", "actions", "delete", NEW)
    assert deleted.code == 0, deleted.err
    assert tracker("--db", db, "actions", "show", NEW).code == 2
    assert _plan_changes(engine)[-1] == ("action", "deleted", f"{NEW}: Survey young people", None, "coord")

    assert tracker("--db", db, "--as", "coord", *ADD).code == 0
    assert tracker("--db", db, "--as", "coord", "actions", "note", NEW, "first call made").code == 0
    before = dump(engine)
    refused = tracker("--db", db, "--as", "coord", "actions", "delete", NEW)
    assert refused.code == 4 and "has a note" in refused.err and "cancel it instead" in refused.err
    assert dump(engine) == before
    # the first action's audit rows did not move to the new one
    history = json.loads(tracker("--db", db, "actions", "history", NEW, "--json").out)["plan_changes"]
    assert [c["field"] for c in history] == ["created"]
