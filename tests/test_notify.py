"""Every write on PostgreSQL notifies the open apps, with ids only, at commit.

What a user relies on: nobody learns a title, note or login of a framework they do
not belong to from the notifications (the server does not filter them by role),
and any write, by the app, the CLI, a seed or plain SQL, reaches the open apps.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import admin_login
from tests.tracking import CONVENE, MEETINGS, REPORTING, seeded
from tracker.db import upgrade, write_session
from tracker.db.migrate import HEAD_REVISION
from tracker.db.notify import CHANNEL, KINDS, Change, parse
from tracker.models import metadata
from tracker.models.enums import Role, Status
from tracker.services.access.members import add_member, resolve_member
from tracker.services.plan.edits import edit_action
from tracker.services.tracking import changes as tracking

HOSTILE = "SECRET\x1b]8;;http://x\x07[bold]é\"'}{"  # quote, brace, escape, markup: all must stay out


def _pg(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (LISTEN/NOTIFY): runs when TRACKER_TEST_PG is set (CI's second pass)")


def _listen(engine: Engine) -> psycopg.Connection[Any]:
    """A plain psycopg connection listening on the channel, as any tool could."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def _payloads(conn: psycopg.Connection[Any], timeout: float = 0.3) -> list[str]:
    return [n.payload for n in conn.notifies(timeout=timeout)]


def test_payloads_that_are_not_ids_tell_only_that_something_changed() -> None:
    """Anyone who may connect can NOTIFY the channel with any text: the app takes from a
    payload a known kind and integer ids, and nothing else."""
    assert parse('{"kind": "status", "framework": 3, "action": 41}') == Change("status", 3, 41)
    assert parse('{"kind": "member"}') == Change("member")
    for hostile in (
        "",
        "not json",
        "[1, 2]",
        '{"kind": "status", "title": "x"}',
        '{"kind": "evil"}',
        '{"kind": "status", "framework": "3"}',
        '{"kind": "status", "framework": true}',
        '{"kind": "status", "framework": -1}',
        '{"kind": "status", "framework": 1.5}',
        '{"kind": "status", "action": 1' + " " * 300 + "}",
        json.dumps({"kind": HOSTILE}),
    ):
        assert parse(hostile) == Change("other"), hostile


def test_every_table_notifies_and_the_migration_goes_both_ways(engine: Engine) -> None:
    """A table without the triggers would change silently for every open app: a new table
    fails here until the notify migration (or a later one) gives it its triggers."""
    _pg(engine)

    def triggers() -> dict[str, set[str]]:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname LIKE 'tracker_notify_%' AND c.relnamespace = current_schema()::regnamespace"
                )
            ).all()
        found: dict[str, set[str]] = {}
        for table, name in rows:
            found.setdefault(table, set()).add(name)
        return found

    every = {"tracker_notify_insert", "tracker_notify_update", "tracker_notify_delete"}
    assert triggers() == {name: every for name in metadata.tables}
    from alembic import command

    from tracker.db.migrate import alembic_config

    with engine.connect() as conn:
        command.downgrade(alembic_config(conn), "0007")
        conn.commit()
    assert triggers() == {}
    upgrade(engine, HEAD_REVISION)
    assert triggers() == {name: every for name in metadata.tables}


def test_notifications_carry_ids_only_and_come_at_commit(engine: Engine, db_url: str) -> None:
    """Status, note, measurement, plan edit, member change and seeding, all with hostile text:
    every payload is a known kind and integer ids; nothing arrives before the commit or
    after a rollback."""
    _pg(engine)
    seeded(engine)
    listener = _listen(engine)
    try:
        _payloads(listener)  # the seeding's
        with write_session(engine) as session:
            tracking.set_status(
                session=session,
                actor=resolve_member(session, "coord"),
                ref=CONVENE,
                status=Status.in_progress,
                note=HOSTILE,
            )
            assert _payloads(listener, 0.2) == []  # not before the commit
        got = _payloads(listener)
        with engine.connect() as conn:
            action, framework = conn.execute(sa.text("SELECT id, framework_id FROM action WHERE key = 'convene'")).one()
        assert {"kind": "status", "framework": framework, "action": action} in [json.loads(p) for p in got]

        with pytest.raises(RuntimeError), write_session(engine) as session:
            tracking.add_note(session=session, actor=resolve_member(session, "coord"), ref=CONVENE, text="undone")
            raise RuntimeError("rolled back")
        assert _payloads(listener) == []

        with write_session(engine) as session:
            coord = resolve_member(session, "coord")
            tracking.add_note(session=session, actor=coord, ref=CONVENE, text=HOSTILE)
            tracking.record_measurement(session=session, actor=coord, ref=MEETINGS, value="3", note=HOSTILE)
            edit_action(session=session, actor=coord, ref=REPORTING, changes={"title": HOSTILE})
            add_member(
                session, actor=coord, login="hostile-login", name=HOSTILE, role=Role.viewer, framework="stamford-ct"
            )
        got += _payloads(listener)
        # the CLI acts as the database role (the test database's admin): no --as, which PostgreSQL may refuse
        cli = tracker("--db", db_url, "actions", "set-status", REPORTING, "blocked", "-m", HOSTILE)
        assert cli.code == 0, cli
        got += _payloads(listener)

        kinds = set()
        for payload in got:
            assert "SECRET" not in payload and "hostile" not in payload
            found = json.loads(payload)
            assert set(found) <= {"kind", "framework", "action"}, payload
            assert found["kind"] in KINDS and all(type(found[k]) is int for k in set(found) - {"kind"}), payload
            assert parse(payload) != Change("other")
            kinds.add(found["kind"])
        assert {"status", "note", "measurement", "plan", "member", "action"} <= kinds, kinds
    finally:
        listener.close()


def test_a_seed_of_many_actions_sends_a_few_notifications(engine: Engine) -> None:
    """Seeding hundreds of actions sends notifications per statement and framework, not per
    row: a large import does not flood every open app."""
    _pg(engine)
    from tests.perf.generate import generate_plans
    from tracker.seeding import load_data, seed

    plans = generate_plans(actions=400, frameworks=2, stakeholders=40, allocations=400)
    listener = _listen(engine)
    try:
        seed(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor=admin_login(engine))
        got = _payloads(listener, 1.0)
    finally:
        listener.close()
    assert 0 < len(got) < 100, len(got)
