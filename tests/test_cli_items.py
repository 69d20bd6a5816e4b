"""Coordinators changing goals, objectives, indicators, funding sources and allocations from
the command line: each change versioned and audited, each refusal leaves the data as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import Result, tracker
from tests.conftest import dump
from tests.plans import MINIMAL
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
    stale = tracker("--db", db, "--as", "coord", "goals", "edit", "stamford-ct/youth", "--title", "X",
                    "--expect-version", "1")  # fmt: skip
    assert stale.code == 3 and "coord changed its title, position, findings at" in stale.err, stale
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
    moved = _ok("--db", db, "--as", "coord", "indicators", "edit", MEETINGS, "--objective", "o2", "--position", "1")
    assert moved["parent"] == "o2" and moved["position"] == 1 and moved["version"] == 3
    assert _ok("--db", db, "indicators", "show", "stamford-ct/mentors")["position"] == 2


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


def _seed(db: str, tmp_path: Path, text: str, *extra: str) -> Result:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    return tracker("--db", db, "seed", *extra, str(plan))


G2 = "  - key: g2\n    title: Second\n"  # the goal added in the tool, written into the file


def test_reseeding_an_older_file_undoes_no_tool_edit(db: str, engine: Engine, tmp_path: Path) -> None:
    """The plan file from before the meeting, seeded again, would put back an old goal title,
    an objective under its old goal, an old target, an old committed amount and old funding:
    the seed refuses, saying who changed what, and changes nothing."""
    _ok("--db", db, "--as", "coord", "goals", "add", "stamford-ct", "--key", "g2", "--title", "Second")
    for args in (
        ["goals", "edit", "stamford-ct/g1", "--title", "Coordinate"],
        ["objectives", "edit", "stamford-ct/g1-o1", "--goal", "g2"],
        ["indicators", "edit", MEETINGS, "--target", "8"],
        ["funding", "source-edit", "dhs-cp3", "--amount", "60000"],
        ["funding", "allocate", CONVENE, "dhs-cp3", "--amount", "12000", "--year", "2025"],
    ):
        _ok("--db", db, "--as", "coord", *args)
    before = dump(engine)
    refused = _seed(db, tmp_path, MINIMAL)
    assert refused.code == 2, refused
    # The first kind refused stops the seed; each kind is checked in its own test below too.
    assert "was changed in the tool by coord" in refused.err and "--overwrite" in refused.err
    assert dump(engine) == before
    newer = (
        MINIMAL.replace("amount: 50000", "amount: 60000")
        .replace("title: Coordinate prevention across the city", "title: Coordinate")
        .replace("target: 6,", "target: 8,")
        .replace("amount: 10000, fiscal_year: 2025", "amount: 12000, fiscal_year: 2025")
        .replace("    objectives:\n      - key: g1-o1", f"{G2}    objectives:\n      - key: g1-o1")
    )
    assert newer.count("key: g2") == 1
    applied = _seed(db, tmp_path, newer)
    assert applied.code == 0, applied  # brought up to date with the edits, the file applies


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (["goals", "edit", "stamford-ct/g1", "--title", "Coordinate"], "title was changed in the tool by coord"),
        (["objectives", "edit", "stamford-ct/g1-o1", "--title", "Group"], "title was changed in the tool by coord"),
        (["indicators", "edit", MEETINGS, "--target", "8"], "target was changed in the tool by coord on"),
        (["funding", "source-edit", "dhs-cp3", "--ends", "2026-09"], "ends was changed in the tool by coord"),
        (["funding", "allocate", CONVENE, "dhs-cp3", "--amount", "12000", "--year", "2025"],
         "the allocation from dhs-cp3 for FY2025 was set to '12000.00' in the tool by coord"),
        (["funding", "unallocate", CONVENE, "dhs-cp3", "--year", "2025"],
         "the allocation from dhs-cp3 for FY2025 was removed in the tool by coord"),
    ],
)  # fmt: skip
def test_each_kind_of_tool_edit_survives_a_reseed(
    db: str, engine: Engine, tmp_path: Path, edit: list[str], says: str
) -> None:
    """Whatever kind of item was edited, the older file is refused and names the edit;
    --overwrite replaces the edit on purpose."""
    _ok("--db", db, "--as", "coord", *edit)
    before = dump(engine)
    refused = _seed(db, tmp_path, MINIMAL)
    assert refused.code == 2 and says in refused.err, refused
    assert dump(engine) == before
    assert _seed(db, tmp_path, MINIMAL, "--overwrite").code == 0
    assert _seed(db, tmp_path, MINIMAL).code == 0  # the file's values are back: nothing left to undo


def test_items_added_in_the_tool_outlive_a_reseed(db: str, engine: Engine, tmp_path: Path) -> None:
    """A goal, objective, indicator, action and allocation added in the tool are not in the
    workshop's file; seeding that file again keeps them all (a seed deletes only what it made)."""
    for args in (
        ["goals", "add", "stamford-ct", "--key", "g2", "--title", "Second"],
        ["objectives", "add", "stamford-ct/g2", "--key", "o2", "--title", "Mentoring"],
        ["indicators", "add", "stamford-ct/o2", "--key", "mentors", "--name", "Mentors", "--unit", "people"],
        ["actions", "add", "stamford-ct/o2", "--key", "recruit", "--title", "Recruit", "--lead", "domus-kids",
         "--due", "2026-06"],
        ["funding", "source-add", "city-youth", "--name", "City youth", "--kind", "local_government"],
        ["funding", "allocate", CONVENE, "city-youth", "--amount", "700", "--year", "2026"],
        ["funding", "allocate", "stamford-ct/recruit", "dhs-cp3", "--amount", "800", "--year", "2026"],
    ):  # fmt: skip
        _ok("--db", db, "--as", "coord", *args)
    before = dump(engine)
    applied = _seed(db, tmp_path, MINIMAL)
    assert applied.code == 0, applied
    assert dump(engine) == before
    shown = _ok("--db", db, "actions", "show", CONVENE)["allocations"]
    assert {(a["source_key"], a["fiscal_year"]) for a in shown} == {("dhs-cp3", 2025), ("city-youth", 2026)}  # type: ignore[index]


def test_edits_of_every_kind_are_in_the_activity_feed(db: str, engine: Engine) -> None:
    """Colleagues see in Activity who changed a goal, an indicator, a source or an allocation;
    a reader of another framework does not see a source that pays nothing of theirs."""
    from tracker.db import read_session
    from tracker.services.access.rules import scope_session
    from tracker.services.tracking.activity import recent_activity

    _ok("--db", db, "--as", "coord", "goals", "edit", "stamford-ct/g1", "--title", "Coordinate")
    _ok("--db", db, "--as", "coord", "indicators", "edit", MEETINGS, "--target", "8")
    _ok("--db", db, "--as", "coord", "funding", "source-edit", "dhs-cp3", "--notes", "renewed")
    _ok("--db", db, "--as", "coord", "funding", "allocate", CONVENE, "dhs-cp3", "--amount", "9000", "--year", "2025")
    _ok("--db", db, "--as", "coord", "funding", "source-add", "lonely", "--name", "Lonely", "--kind", "other")
    with read_session(engine) as session:
        items = recent_activity(session)
    assert [(i.item, i.ref, i.text) for i in items if i.kind == "plan"] == [
        ("source", "lonely", "created: none → Lonely"),
        ("action", CONVENE, "funding dhs-cp3 FY2025: 10000.00 → 9000.00"),
        ("source", "dhs-cp3", "notes: none → renewed"),
        ("indicator", MEETINGS, "target: 6 → 8"),
        ("goal", "stamford-ct/g1", "title: Coordinate prevention across the city → Coordinate"),
    ]
    with read_session(engine) as session:
        from tracker.services.access.members import resolve_member

        viewer = resolve_member(session, "viewer")
        seen = recent_activity(scope_session(session, viewer))
    # A source that pays for nothing in the viewer's framework is not theirs to follow.
    assert "lonely" not in {i.ref for i in seen} and "dhs-cp3" in {i.ref for i in seen}
    hidden = tracker("--db", db, "--as", "viewer", "funding", "source-show", "lonely")
    assert hidden.code == 2 and "there is no funding source 'lonely'" in hidden.err and hidden.out == ""
    assert tracker("--db", db, "--as", "viewer", "funding", "source-show", "dhs-cp3").code == 0
    assert tracker("--db", db, "--as", "coord", "funding", "source-show", "lonely").code == 0  # theirs to use


def test_an_objective_moved_in_the_tool_is_not_moved_back_by_a_seed(db: str, engine: Engine, tmp_path: Path) -> None:
    """The older file still has the objective under its first goal: the seed says it was
    moved in the tool (naming goals by key) instead of moving it back."""
    _ok("--db", db, "--as", "coord", "goals", "add", "stamford-ct", "--key", "g2", "--title", "Second")
    _ok("--db", db, "--as", "coord", "objectives", "edit", "stamford-ct/g1-o1", "--goal", "g2")
    before = dump(engine)
    refused = _seed(db, tmp_path, MINIMAL)
    assert refused.code == 2 and "goal was changed in the tool by coord" in refused.err, refused
    assert "to 'g2', and this file says 'g1'" in refused.err
    assert dump(engine) == before
