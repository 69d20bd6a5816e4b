"""Coordinators changing goals, objectives, indicators, funding sources and allocations from
the command line: each change versioned and audited, each refusal leaves the data as it was."""

from __future__ import annotations

import json

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


def _audit(engine: Engine, kind: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT pc.field, pc.old, pc.new, m.login FROM plan_change pc "
                    "LEFT JOIN member m ON m.id = pc.member_id WHERE pc.item_kind = :kind ORDER BY pc.id"
                ),
                {"kind": kind},
            )
        ]


def _ok(*args: str) -> dict[str, object]:
    result = tracker(*args, "--json")
    assert result.code == 0, result
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_goals_added_edited_reordered_linked_and_shown(db: str, engine: Engine) -> None:
    """A coordinator adds a goal the meeting agreed, puts it first, links its finding; the
    history says who changed what, and every edit is a new version."""
    added = _ok("--db", db, "--as", "coord", "goals", "add", "stamford-ct", "--key", "youth", "--title", "Youth")
    assert added["ref"] == "stamford-ct/youth" and added["version"] == 1 and added["position"] == 2
    edited = _ok(
        "--db", db, "--as", "coord", "goals", "edit", "stamford-ct/youth", "--title", "Young people are safe",
        "--position", "1", "--finding", "2024-12-09/f3", "--expect-version", "1",
    )  # fmt: skip
    assert edited["version"] == 2 and edited["position"] == 1 and edited["findings"] == ["2024-12-09/f3"]
    assert _ok("--db", db, "goals", "show", "stamford-ct/g1")["position"] == 2
    assert _audit(engine, "goal") == [
        ("created", None, "Youth", "coord"),
        ("title", "Youth", "Young people are safe", "coord"),
        ("position", "2", "1", "coord"),
        ("findings", None, "2024-12-09/f3", "coord"),
    ]
    with engine.connect() as conn:
        ats = conn.execute(sa.text("SELECT COUNT(DISTINCT at) FROM plan_change WHERE field <> 'created'")).scalar()
    assert ats == 1  # one edit's rows share their time: an undo can tell the edit apart
    shown = tracker("--db", db, "goals", "show", "stamford-ct/youth")
    assert shown.code == 0 and "Young people are safe" in shown.out and "coord" in shown.out
    unlinked = _ok("--db", db, "--as", "coord", "goals", "edit", "stamford-ct/youth", "--no-finding", "2024-12-09/f3")
    assert unlinked["findings"] == [] and unlinked["version"] == 3


def test_objective_moved_to_another_goal_and_indicator_edited(db: str, engine: Engine) -> None:
    """An objective moves under a new goal; a key metric's target changes and its baseline is cleared."""
    _ok("--db", db, "--as", "coord", "goals", "add", "stamford-ct", "--key", "g2", "--title", "Second")
    moved = _ok("--db", db, "--as", "coord", "objectives", "edit", "stamford-ct/g1-o1", "--goal", "g2")
    assert moved["parent"] == "g2" and moved["version"] == 2
    history = _ok("--db", db, "objectives", "show", "stamford-ct/g1-o1")["plan_changes"]
    assert [(c["field"], c["old"], c["new"]) for c in history] == [("goal", "g1", "g2")]  # type: ignore[index]
    added = _ok(
        "--db", db, "--as", "coord", "objectives", "add", "stamford-ct/g1", "--key", "o2", "--title", "Mentoring",
        "--finding", "2024-12-09/f2",
    )  # fmt: skip
    assert added["parent"] == "g1" and added["findings"] == ["2024-12-09/f2"]
    ind = _ok(
        "--db", db, "--as", "coord", "indicators", "edit", MEETINGS, "--target", "8", "--clear", "baseline",
        "--expect-version", "1",
    )  # fmt: skip
    assert ind["fields"]["target"] == "8" and ind["fields"]["baseline"] is None  # type: ignore[index]
    assert _audit(engine, "indicator") == [("target", "6", "8", "coord"), ("baseline", "0", None, "coord")]
    new = _ok(
        "--db", db, "--as", "coord", "indicators", "add", "stamford-ct/o2", "--key", "mentors", "--name", "Mentors",
        "--unit", "people", "--target", "40", "--target-date", "2027-06",
    )  # fmt: skip
    assert new["fields"]["target_date"] == "2027-06-30" and new["parent"] == "o2"  # type: ignore[index]


def test_sources_and_allocations(db: str, engine: Engine) -> None:
    """A coordinator records a new source and allocates it by fiscal year; each allocation has
    its own version and its changes are in the action's history."""
    added = _ok(
        "--db", db, "--as", "coord", "funding", "source-add", "city-youth", "--name", "City youth fund",
        "--kind", "local_government", "--amount", "80000", "--starts", "2025-07", "--ends", "2027-06",
    )  # fmt: skip
    assert added["version"] == 1 and added["fields"]["amount"] == "80000.00"  # type: ignore[index]
    edited = _ok("--db", db, "--as", "coord", "funding", "source-edit", "city-youth", "--amount", "90000")
    assert edited["version"] == 2
    given = _ok("--db", db, "--as", "coord", "funding", "allocate", CONVENE, "city-youth", "--amount", "5000",
                "--year", "2026")  # fmt: skip
    assert given["version"] == 1 and given["amount"] == "5000.00" and given["action_version"] == 2
    changed = _ok("--db", db, "--as", "coord", "funding", "allocate", CONVENE, "city-youth", "--amount", "6000",
                  "--year", "2026", "--expect-version", "1")  # fmt: skip
    assert changed["version"] == 2
    gone = _ok("--db", db, "--as", "coord", "funding", "unallocate", CONVENE, "dhs-cp3", "--year", "2025")
    assert gone["removed"] is True
    assert _audit(engine, "allocation") == [
        ("funding city-youth FY2026", None, "5000.00", "coord"),
        ("funding city-youth FY2026", "5000.00", "6000.00", "coord"),
        ("funding dhs-cp3 FY2025", "10000.00", None, "coord"),
    ]
    history = _ok("--db", db, "actions", "history", CONVENE)["plan_changes"]
    assert [c["field"] for c in history] == [  # type: ignore[index]
        "funding city-youth FY2026", "funding city-youth FY2026", "funding dhs-cp3 FY2025",
    ]  # fmt: skip


def test_stale_versions_refusals_and_bad_values_change_nothing(db: str, engine: Engine) -> None:
    """Exit 3 for an item changed since it was read, 4 for a login without the right, 2 for a
    bad value naming its option; nothing is written in any of them."""
    _ok("--db", db, "--as", "coord", "goals", "edit", "stamford-ct/g1", "--title", "Coordinate")
    _ok("--db", db, "--as", "coord", "funding", "allocate", CONVENE, "dhs-cp3", "--amount", "9000", "--year", "2025")
    before = dump(engine)
    cases = [
        (3, ["--as", "coord", "goals", "edit", "stamford-ct/g1", "--title", "X", "--expect-version", "1"],
         "coord changed its title"),
        (3, ["--as", "coord", "funding", "allocate", CONVENE, "dhs-cp3", "--amount", "1", "--year", "2025",
             "--expect-version", "1"], "version 1, now 2"),
        (3, ["--as", "coord", "funding", "source-edit", "dhs-cp3", "--amount", "1", "--expect-version", "2"],
         "version 2, now 1"),
        (4, ["--as", "city", "goals", "edit", "stamford-ct/g1", "--title", "X"], "only a coordinator of stamford-ct"),
        (4, ["--as", "viewer", "objectives", "add", "stamford-ct/g1", "--key", "x", "--title", "X"],
         "only a coordinator of stamford-ct"),
        (4, ["--as", "city", "funding", "source-edit", "dhs-cp3", "--amount", "1"], "does not coordinate stamford-ct"),
        (4, ["--as", "city", "funding", "allocate", CONVENE, "dhs-cp3", "--amount", "1", "--year", "2025"],
         "only a coordinator of stamford-ct"),
        (2, ["--as", "coord", "goals", "edit", "stamford-ct/g1", "--position", "5"], "--position"),
        (2, ["--as", "coord", "goals", "edit", "stamford-ct/g1", "--finding", "2024-12-09/nope"], "--finding"),
        (2, ["--as", "coord", "goals", "add", "stamford-ct", "--key", "Bad Key", "--title", "X"], "--key"),
        (2, ["--as", "coord", "goals", "add", "stamford-ct", "--key", "g1", "--title", "X"], "already has a goal"),
        (2, ["--as", "coord", "objectives", "edit", "stamford-ct/g1-o1", "--goal", "nope"], "--goal"),
        (2, ["--as", "coord", "indicators", "edit", MEETINGS, "--target", "many"], "--target"),
        (2, ["--as", "coord", "indicators", "edit", MEETINGS, "--clear", "unit"], "--clear unit"),
        (2, ["--as", "coord", "funding", "source-edit", "dhs-cp3", "--ends", "2020-01"], "--ends"),
        (2, ["--as", "coord", "funding", "source-edit", "dhs-cp3", "--amount", "-1"], "--amount"),
        (2, ["--as", "coord", "funding", "allocate", CONVENE, "dhs-cp3", "--amount", "99999", "--year", "2025"],
         "--amount"),
        (2, ["--as", "coord", "funding", "allocate", CONVENE, "dhs-cp3", "--amount", "1", "--year", "3000"],
         "--year"),
    ]  # fmt: skip
    for code, args, says in cases:
        result = tracker("--db", db, *args)
        assert result.code == code, (args, result)
        assert says in result.err, (args, result.err)
        assert "Traceback" not in result.err
        if code == 2:
            assert result.err.strip().count("\n") == 0, result.err  # one sentence
    assert dump(engine) == before


def test_who_may_change_a_shared_source(db: str, engine: Engine) -> None:
    """A source paying for actions of two frameworks is changed only by an admin or by a
    coordinator of both: one city's coordinator cannot change another city's money."""
    from tests.conftest import admin_login
    from tracker.db import read_session
    from tracker.errors import PermissionDenied
    from tracker.services.access.members import resolve_member
    from tracker.services.access.rules import require_source_editor

    with read_session(engine) as session:
        coord = resolve_member(session, "coord")
        admin = resolve_member(session, admin_login(engine))
        city = resolve_member(session, "city")
    require_source_editor(coord, "dhs-cp3", ["stamford-ct"])
    require_source_editor(coord, "new-fund", [])
    require_source_editor(admin, "dhs-cp3", ["albuquerque-nm", "stamford-ct"])
    with pytest.raises(PermissionDenied, match="does not coordinate albuquerque-nm"):
        require_source_editor(coord, "dhs-cp3", ["albuquerque-nm", "stamford-ct"])
    with pytest.raises(PermissionDenied, match="coordinates none"):
        require_source_editor(city, "new-fund", [])
