"""The database's answer to "may this login track this action" is the rules' answer.

``tracker_private.may_track`` is what PostgreSQL's policies ask before a login changes an
action's status or adds a note (migration 0023 wrote it as one query). If it said no where
`tracker.services.access.rules` says yes, a member's status change would be refused by the
database after the tool allowed it; if it said yes where the rules say no, psql in a
member's hands would move another organisation's actions. Here every login of two cities
(admin, coordinators, members with organisations in one city or in both, a coordinator of
one city who is a member of the other, a viewer, a member row with no role) asks it about
every action, connected as its own role, and each answer is compared with the rules'.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, _empty_database
from tests.test_pg_security import World, world  # noqa: F401  (the cities and their logins)
from tests.test_read_scope import ADMIN_LOGIN, A, B, _must, shared  # noqa: F401
from tracker.db import make_engine, read_session
from tracker.services.access.members import find_member
from tracker.services.tracking.changes import why_not_track

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG (SQLite has no policies)")

MAY_TRACK = "SELECT x, tracker_private.may_track(x) FROM unnest(%s::integer[]) AS x"


@pytest.fixture(scope="module")
def cities(world: World) -> Iterator[World]:  # noqa: F811
    """The security tests' cities, and a member of domus-kids in the first city who only
    views the second, where domus-kids leads one action and partners another: their
    organisation counts in the first city only."""
    run = world.shared.run
    _must(run(ADMIN_LOGIN, "member", "add", "domus-a", "--role", "member", "-f", A, "-s", "domus-kids"))
    _must(run(ADMIN_LOGIN, "member", "add", "domus-a", "--role", "viewer", "-f", B))
    _must(run(ADMIN_LOGIN, "member", "add", "two-orgs-a", "--role", "member", "-f", A,
              "-s", "union-church", "-s", "domus-kids"))  # fmt: skip
    # a member demoted to viewer keeps their organisation on record, and tracks nothing
    _must(run(ADMIN_LOGIN, "member", "add", "demoted-a", "--role", "member", "-f", A, "-s", "city-of-stamford"))
    _must(run(ADMIN_LOGIN, "member", "set-role", "demoted-a", "--role", "viewer", "-f", A))
    yield world


def _logins_with_roles(url: str) -> dict[str, bool]:
    """Each member with a database role -> whether they are an admin."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT m.login, EXISTS (SELECT 1 FROM admin ad WHERE ad.member_id = m.id) FROM member m "
                    "JOIN pg_roles r ON r.rolname = m.db_role ORDER BY m.login"
                )
            )
            return {login: bool(admin) for login, admin in rows}
    finally:
        engine.dispose()


def _the_rules(url: str, login: str) -> dict[int, bool]:
    """Action id -> whether the rules let ``login`` record progress on it."""
    engine = make_engine(url)
    try:
        with read_session(engine) as session:
            member = find_member(session, login)
            actions = session.execute(
                sa.text("SELECT a.id, f.key || '/' || a.key FROM action a JOIN framework f ON f.id = a.framework_id")
            ).all()
            return {id_: why_not_track(session, member, ref) is None for id_, ref in actions}
    finally:
        engine.dispose()


def test_may_track_answers_as_the_rules_for_every_login_and_action(cities: World) -> None:
    """For every login (as its own role) and every action of both cities: the database's
    yes or no is the rules' yes or no; and an action that does not exist is the admin's
    alone (as before 0023)."""
    logins = _logins_with_roles(cities.url)
    assert {"boss", "coord-a", "coord-b", "member-a", "member-b", "viewer-a", "mixed", "domus-a"} <= set(logins)
    answers: dict[str, dict[int, bool]] = {}
    for login, admin in logins.items():
        rules = _the_rules(cities.url, login)
        missing = max(rules) + 1000
        with cities.connect(login) as conn:
            db: dict[int, Any] = dict(conn.execute(MAY_TRACK, ([*rules, missing],)).fetchall())
        assert db.pop(missing) is admin, login
        assert db == rules, (login, {i for i in rules if db[i] != rules[i]})
        answers[login] = rules
    # The comparison covers each kind of answer: members track some actions and not others,
    # and an organisation shared by both cities counts only where the membership gives it.
    for login in ("member-a", "member-b", "mixed", "domus-a", "two-orgs-a"):
        assert set(answers[login].values()) == {True, False}, login
    assert not any(answers["viewer-a"].values()) and not any(answers["demoted-a"].values())
    a_yes, b_yes = ({i for i, yes in answers[c].items() if yes} for c in ("coord-a", "coord-b"))
    assert all(answers["boss"].values()) and a_yes and b_yes and a_yes.isdisjoint(b_yes)
    assert a_yes | b_yes == set(answers["boss"])
    assert not any(answers["domus-a"][i] for i in b_yes)
    assert answers["two-orgs-a"] != answers["domus-a"]


def _definition(conn: sa.Connection) -> str:
    return str(
        conn.execute(sa.text("SELECT pg_get_functiondef('tracker_private.may_track(integer)'::regprocedure)")).scalar()
    )


READ_POLICIES = ("framework", "goal", "objective", "action", "indicator", "workshop", "membership", "affiliation")


def _read_policies(conn: sa.Connection) -> dict[str, str]:
    rows = conn.execute(
        sa.text(
            "SELECT tablename, qual FROM pg_policies WHERE schemaname = current_schema() "
            "AND policyname = 'read' AND tablename = ANY (:t)"
        ),
        {"t": list(READ_POLICIES)},
    )
    return {table: str(qual) for table, qual in rows}


def _has_view(conn: sa.Connection) -> bool:
    return conn.execute(sa.text("SELECT to_regclass('tracker_private.my_tracking')")).scalar() is not None


def test_the_downgrade_puts_back_the_previous_may_track_exactly(tmp_path: Any, pg_template: str | None) -> None:
    """Migration 0023 replaces ``may_track`` and reorders the read policies' tests; its
    downgrade must leave the function and the policies a database at 0022 has, word for
    word (the policies of 0007 and 0011 call the function), and drop the view it added;
    the upgrade comes back."""
    from alembic import command

    from tracker.db import upgrade
    from tracker.db.migrate import alembic_config

    with _empty_database(tmp_path, pg_template, "maytrack") as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            flat, reads = _definition(conn), _read_policies(conn)
            assert "my_tracking" in flat and "action_parties" not in flat, flat
            assert len(reads) == len(READ_POLICIES), reads
            for qual in reads.values():  # the framework's flag first, the admin test last
                assert qual.index("frameworks_i_read_flags()") < qual.index("is_admin()"), qual
            command.downgrade(alembic_config(conn), "0006")  # before tracker_private existed
            conn.commit()
        upgrade(engine, "0022")
        with engine.connect() as conn:
            at_0020, reads_0020 = _definition(conn), _read_policies(conn)
            assert "action_parties" in at_0020 and not _has_view(conn)
            assert reads_0020 != reads and set(reads_0020) == set(reads), reads_0020
        upgrade(engine)
        with engine.connect() as conn:
            assert _definition(conn) == flat and _has_view(conn) and _read_policies(conn) == reads
            command.downgrade(alembic_config(conn), "0022")
            conn.commit()
        with engine.connect() as conn:
            assert _definition(conn) == at_0020 and not _has_view(conn)
            assert _read_policies(conn) == reads_0020
        upgrade(engine)
        with engine.connect() as conn:
            assert _definition(conn) == flat
        engine.dispose()
