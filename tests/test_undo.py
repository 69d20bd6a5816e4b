"""`tracker undo`: a member takes back their own last change as a new change, never by
rewriting history; a note is retracted; a change made since by anyone is named and blocks."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.tracking import CONVENE, REPORTING, seeded


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def _run(db: str, login: str, *args: str):  # type: ignore[no-untyped-def]
    return tracker("--db", db, "--as", login, *args)


def _show(db: str, ref: str = CONVENE) -> dict:  # type: ignore[type-arg]
    return json.loads(tracker("--db", db, "actions", "show", ref, "--json").out)  # type: ignore[no-any-return]


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_undo_a_status_change_is_a_new_change_back(db: str, engine: Engine) -> None:
    """A member who moved the wrong action gets it back where it was, and the history
    still shows both moves (an undo that deleted the row would rewrite the audit)."""
    assert _run(db, "city", "actions", "set-status", CONVENE, "in_progress", "-m", "oops").code == 0
    before = _count(engine, "status_change")
    dry = _run(db, "city", "undo", CONVENE, "--dry-run")
    assert dry.code == 0 and "from planned to in progress" in dry.out and "Nothing was changed" in dry.out
    assert _count(engine, "status_change") == before
    result = _run(db, "city", "undo", CONVENE)
    assert result.code == 0, result.err
    assert "from planned to in progress" in result.out and "moved it back to planned" in result.out
    assert "in_progress" not in result.out
    shown = _show(db)
    assert shown["row"]["status"] == "planned" and shown["row"]["version"] == 3
    history = [(h["from_status"], h["to_status"], h["by"]) for h in shown["history"]]
    assert history[-2:] == [("planned", "in_progress", "city"), ("in_progress", "planned", "city")]
    assert shown["history"][-1]["note"].startswith("undo of city's change from planned to in progress")


def test_undo_an_edit_puts_the_due_date_and_lead_back(db: str, engine: Engine) -> None:
    """A coordinator's slip in the due date and lead is taken back in one step, through
    the edit service: the old values return and the audit records the undo field by field."""
    before = _show(db)["row"]
    edited = _run(db, "coord", "actions", "edit", CONVENE, "--due", "2026-03-31", "--lead", "union-church")
    assert edited.code == 0, edited.err
    assert _show(db)["row"]["lead"]["key"] == "union-church"
    result = _run(db, "coord", "undo", "--json")
    assert result.code == 0, result.err
    done = json.loads(result.out)
    assert done["ref"] == CONVENE and done["kind"] == "edit" and "lead city-of-stamford" in done["done"]
    after = _show(db)["row"]
    assert (after["due"], after["lead"]["key"]) == (before["due"], before["lead"]["key"])
    assert after["version"] == before["version"] + 2
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT field, old, new FROM plan_change WHERE item_kind = 'action' ORDER BY id")
        ).all()
    undone = {r.field: (r.old, r.new) for r in rows[-2:]}
    assert undone["due"] == ("2026-03-31", before["due"])
    assert set(undone) == {"due", "lead_id"}


def test_undo_is_refused_when_someone_changed_it_since(db: str, engine: Engine) -> None:
    """Undoing over a colleague's later change would silently throw theirs away: refused
    with exit 3, naming who and when, and nothing is written."""
    assert _run(db, "city", "actions", "set-status", CONVENE, "in_progress").code == 0
    assert _run(db, "coord", "actions", "edit", CONVENE, "--cost", "900").code == 0
    before = dump(engine)
    refused = _run(db, "city", "undo", CONVENE)
    assert refused.code == 3, refused
    assert "coord changed its cost at" in refused.err and "Nothing was undone" in refused.err
    assert dump(engine) == before
    # the member's own later change of another kind blocks it too: undo reaches that one first
    assert _run(db, "coord", "actions", "set-status", CONVENE, "blocked").code == 0
    dry = _run(db, "coord", "undo", CONVENE, "--dry-run")
    assert "status change of stamford-ct/convene from in progress to blocked" in dry.out


def test_undo_a_note_retracts_it_and_keeps_the_text_in_the_history(db: str, engine: Engine) -> None:
    """A note written on the wrong action must stop reading as current, but what was said
    stays on record: shown struck through in the history, counted on the action's page."""
    assert _run(db, "city", "actions", "note", CONVENE, "Budget approved (wrong action)").code == 0
    result = _run(db, "city", "undo", CONVENE)
    assert result.code == 0, result.err
    assert "retracted the note" in result.out
    shown = _show(db)
    assert shown["notes"] == []
    assert [n["text"] for n in shown["retracted_notes"]] == ["Budget approved (wrong action)"]
    page = tracker("--db", db, "actions", "show", CONVENE).out
    assert "1 note retracted" in page and "Budget approved" not in page
    history = tracker("--db", db, "actions", "history", CONVENE).out
    assert "Budget approved (wrong action) [retracted by city at" in history
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT text FROM action_note")).scalars().all() == [
            "Budget approved (wrong action)"
        ]
    exported = tracker("--db", db, "export", "--format", "json", "-f", "stamford-ct")
    assert exported.code == 0 and "Budget approved" not in exported.out


def test_nothing_to_undo_and_a_viewer_is_refused(db: str, engine: Engine) -> None:
    """A member with nothing of their own to undo is told so (exit 1); a viewer is refused
    (exit 4) with who could; neither writes anything."""
    before = dump(engine)
    nothing = _run(db, "church", "undo", REPORTING)
    assert nothing.code == 1 and "nothing to undo" in nothing.err
    assert _run(db, "church", "undo").code == 1
    viewer = _run(db, "viewer", "undo", CONVENE)
    assert viewer.code == 4 and "viewer" in viewer.err and "coordinator" in viewer.err
    assert _run(db, "viewer", "undo").code == 4
    assert dump(engine) == before


def test_undo_twice_redoes_and_another_members_change_is_not_mine(db: str, engine: Engine) -> None:
    """Undo takes back only the acting member's own change: a colleague's change on the
    same action is never theirs to undo; an undo is itself a change, so a second undo redoes."""
    assert _run(db, "coord", "actions", "set-status", CONVENE, "blocked").code == 0
    assert _run(db, "city", "undo", CONVENE).code == 1
    assert _run(db, "coord", "undo", CONVENE).code == 0
    assert _show(db)["row"]["status"] == "planned"
    assert _run(db, "coord", "undo", CONVENE).code == 0
    assert _show(db)["row"]["status"] == "blocked"


def test_on_postgresql_a_note_is_retracted_only_by_its_author_and_retractions_stay(db: str, engine: Engine) -> None:
    """Through psql, a member could otherwise silence a colleague's note, or take back a
    retraction (or change its reason) after the fact; the author's own undo still works
    under their own database role."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (roles and row-level security): runs when TRACKER_TEST_PG is set")
    import psycopg

    from tests.test_pg_security import _dsn, _role_url
    from tracker.db import write_session
    from tracker.services.access.members import provide_login_role

    with write_session(engine) as session:
        for login in ("city", "domus", "coord"):
            assert provide_login_role(session, login) is None
    assert _run(db, "city", "actions", "note", CONVENE, "the hall is booked").code == 0
    assert _run(db, "domus", "actions", "note", CONVENE, "kids' group is in").code == 0
    with engine.connect() as conn:
        notes = dict(
            conn.execute(sa.text("SELECT m.login, n.id FROM action_note n JOIN member m ON m.id = n.member_id")).all()
        )
    before = dump(engine)
    for login, note in (("domus", notes["city"]), ("coord", notes["city"]), ("city", notes["domus"])):
        with psycopg.connect(_dsn(db, login), autocommit=True) as conn:
            for sql in (
                f"INSERT INTO note_retraction (note_id, at) VALUES ({note}, now())",
                f"INSERT INTO note_retraction (note_id, member_id, at) SELECT {note}, member_id, now() "
                f"FROM action_note WHERE id = {note}",
            ):
                try:
                    touched = conn.execute(sql.encode()).rowcount
                except psycopg.Error:
                    touched = None
                assert touched in (None, 0), (login, sql)
    assert dump(engine) == before
    mine = tracker("--db", _role_url(db, "city"), "undo", CONVENE)
    assert mine.code == 0 and "retracted the note" in mine.out, mine
    after = dump(engine)
    assert len(after["note_retraction"]) == 1
    for login in ("city", "coord", "domus"):
        with psycopg.connect(_dsn(db, login), autocommit=True) as conn:
            for sql in ("UPDATE note_retraction SET reason = 'rewritten'", "DELETE FROM note_retraction"):
                try:
                    touched = conn.execute(sql.encode()).rowcount
                except psycopg.Error:
                    touched = None
                assert touched in (None, 0), (login, sql)
    assert dump(engine) == after


def _service(engine: Engine, login: str, work):  # type: ignore[no-untyped-def]
    from tracker.db import write_session
    from tracker.services.access.members import resolve_member

    with write_session(engine) as session:
        return work(session, resolve_member(session, login))


def test_undo_funding_a_move_and_an_added_action(db: str, engine: Engine) -> None:
    """Money allocated by mistake, a move to the wrong objective and an action added by
    mistake each go back with one undo, through the same services that made them."""
    from tracker.services.plan.edits import set_allocation

    _service(engine, "coord", lambda s, a: set_allocation(
        session=s, actor=a, ref=CONVENE, source="dhs-cp3", fiscal_year=2026, amount="100"
    ))  # fmt: skip
    dry = _run(db, "coord", "undo", CONVENE, "--dry-run")
    assert "remove the allocation dhs-cp3 FY2026" in dry.out, dry
    assert _run(db, "coord", "undo", CONVENE).code == 0
    assert [a["fiscal_year"] for a in _show(db)["allocations"]] == [2025]
    _service(engine, "coord", lambda s, a: set_allocation(
        session=s, actor=a, ref=CONVENE, source="dhs-cp3", fiscal_year=2025, amount="12000"
    ))  # fmt: skip
    assert "put back dhs-cp3 FY2025 at 10000.00" in _run(db, "coord", "undo", CONVENE).out
    assert [a["amount"] for a in _show(db)["allocations"]] == ["10000.00"]
    with engine.begin() as conn:
        ids = conn.execute(sa.text("SELECT framework_id, goal_id FROM objective WHERE key = 'g1-o1'")).one()
        conn.execute(
            sa.text(
                "INSERT INTO objective (framework_id, goal_id, key, title, position) VALUES (:f, :g, 'g1-o2', 'Two', 1)"
            ),
            {"f": ids[0], "g": ids[1]},
        )
    assert _run(db, "coord", "actions", "move", CONVENE, "--objective", "g1-o2").code == 0
    assert _show(db)["row"]["objective_key"] == "g1-o2"
    moved = _run(db, "coord", "undo", CONVENE)
    assert moved.code == 0 and "moved it back under g1-o1" in moved.out, moved
    assert _show(db)["row"]["objective_key"] == "g1-o1"
    new = "stamford-ct/youth-survey"
    add = ["actions", "add", "stamford-ct/g1-o1", "--key", "youth-survey", "--title", "Survey",
           "--lead", "city-of-stamford", "--due", "2025-09-30"]  # fmt: skip
    assert _run(db, "coord", *add).code == 0
    assert _run(db, "coord", "undo").code == 0
    assert tracker("--db", db, "actions", "show", new).code == 2  # gone again; its audit stays
    assert _run(db, "coord", *add).code == 0
    assert _run(db, "coord", "actions", "note", new, "first call made").code == 0
    assert _run(db, "coord", "undo").code == 0  # the note is the last change: retracted
    before = dump(engine)
    kept = _run(db, "coord", "undo", new)
    assert kept.code == 1 and "has notes since you added it" in kept.err, kept
    assert dump(engine) == before


def test_undo_an_edit_of_a_goal_and_of_a_funding_source(db: str, engine: Engine) -> None:
    """A coordinator's edit of a goal's title, or of a source's notes, is undone by the same
    edit a person makes: a new version with the earlier values, audited; a colleague's edit
    since is not thrown away (exit 3, nothing written)."""
    goal = "stamford-ct/g1"
    title = _goal(engine)
    assert _run(db, "coord", "goals", "edit", goal, "--title", "Coordinate everything").code == 0
    undone = _run(db, "coord", "undo")
    assert undone.code == 0, undone
    assert "title" in undone.out and title in undone.out
    assert _goal(engine) == title
    with engine.connect() as conn:
        fields = conn.execute(
            sa.text("SELECT field, old, new FROM plan_change WHERE item_kind = 'goal' ORDER BY id")
        ).all()
    assert [tuple(f) for f in fields] == [
        ("title", title, "Coordinate everything"),
        ("title", "Coordinate everything", title),
    ]
    # a source: a colleague's later edit blocks the undo
    sources = json.loads(tracker("--db", db, "funding", "sources", "--json").out)
    key = sources["sources"][0]["key"] if isinstance(sources, dict) else sources[0]["key"]
    assert _run(db, "coord", "funding", "source-edit", key, "--notes", "renewed").code == 0
    assert tracker("--db", db, "funding", "source-edit", key, "--notes", "ended").code == 0  # the admin, since
    before = dump(engine)
    refused = _run(db, "coord", "undo")
    assert refused.code == 3, refused
    assert "Nothing was undone" in refused.err
    assert dump(engine) == before


def _goal(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT title FROM goal WHERE key = 'g1'")).scalar_one())
