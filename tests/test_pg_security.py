"""PostgreSQL refuses by itself what a login may not do: row-level security, grants, roles.

Other tools (psql, spreadsheets, BI) connect to the team's database with the members'
own roles, so the database must hold the rules of `tracker.services.access.rules`, not only
the tool. Superusers bypass row-level security: every attack here connects as an
ordinary role that `tracker member add` made, through plain SQL, and the database
(dumped as the superuser) is compared before and after. Then the CLI runs as those
roles, without --as, so that a policy stricter than the rules fails a test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.cli import tracker
from tests.conftest import ADMIN, PG_URL, _empty_database, dump
from tests.test_read_scope import (  # noqa: F401  (shared: the two cities and their logins)
    A_ACTION,
    ADMIN_LOGIN,
    B_ACTION,
    MORE_READS,
    PLAN_A,
    PLAN_B,
    READERS,
    READS,
    A,
    B,
    Shared,
    _args,
    _must,
    shared,
)
from tracker.db import make_engine, resolve_url

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG (SQLite has no roles)")

GATEWAY = "tracker_test_gateway"
# Every kind of login: (login, the framework it works in, its role there).
LOGINS = {
    "viewer-a": "viewer",
    "member-a": "member",
    "member-b": "member elsewhere",
    "coord-b": "coordinator elsewhere",
    "coord-a": "coordinator",
    ADMIN_LOGIN: "admin",
}


def _role_url(url: str, role: str) -> str:
    """``url`` connecting as ``role`` (the test server trusts local connections)."""
    return make_url(resolve_url(url)).set(username=role, password=None).render_as_string(hide_password=False)


def _dsn(url: str, role: str) -> str:
    parsed = make_url(resolve_url(url))
    host = parsed.query.get("host") or parsed.host or ""
    return f"dbname={parsed.database} user={role} host={host}"


@dataclass(frozen=True)
class World:
    url: str
    shared: Shared
    ids: dict[str, Any]

    def connect(self, role: str) -> psycopg.Connection[Any]:
        return psycopg.connect(_dsn(self.url, role), autocommit=True)


@pytest.fixture(scope="module")
def world(shared: Shared) -> Iterator[World]:  # noqa: F811
    """The two cities of the read tests, plus a coordinator of the first and a gateway role
    (NOINHERIT, member of member-a's role, as the team server's would be)."""
    _must(shared.run(ADMIN_LOGIN, "member", "add", "coord-a", "--role", "coordinator", "-f", A))
    # a coordinator of the second city who is a member of the first
    _must(shared.run(ADMIN_LOGIN, "member", "add", "mixed", "--role", "coordinator", "-f", B))
    _must(shared.run(ADMIN_LOGIN, "member", "add", "mixed", "--role", "member", "-f", A, "-s", "city-of-stamford"))
    engine = make_engine(shared.url)
    with engine.begin() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": GATEWAY}).first():
            conn.execute(sa.text(f'CREATE ROLE "{GATEWAY}" LOGIN NOINHERIT'))
        conn.execute(sa.text(f'GRANT "member-a" TO "{GATEWAY}"'))
        one = lambda sql: conn.execute(sa.text(sql)).scalar_one()  # noqa: E731
        ids = {
            "A": one(f"SELECT id FROM framework WHERE key = '{A}'"),
            "B": one(f"SELECT id FROM framework WHERE key = '{B}'"),
            "a_action": one(f"SELECT a.id FROM action a JOIN framework f ON f.id = a.framework_id "
                            f"WHERE f.key = '{A}' AND a.key = 'convene'"),
            "b_action": one("SELECT id FROM action WHERE key = 'bravo-patrol'"),
            # an action of the first city that member-a's organisation neither leads nor partners
            "a_not_mine": conn.execute(sa.text(
                "SELECT a.id FROM action a JOIN framework f ON f.id = a.framework_id "
                "JOIN stakeholder s ON s.id = a.lead_id WHERE f.key = :a AND s.key <> 'city-of-stamford' "
                "AND NOT EXISTS (SELECT 1 FROM action_partner p JOIN stakeholder ps ON ps.id = p.stakeholder_id "
                "WHERE p.action_id = a.id AND ps.key = 'city-of-stamford') LIMIT 1"
            ), {"a": A}).scalar(),
            "b_indicator": one("SELECT id FROM indicator WHERE key = 'bravo-contacts'"),
            "member": {login: one(f"SELECT id FROM member WHERE login = '{login}'") for login in LOGINS},
        }  # fmt: skip
    engine.dispose()
    yield World(shared.url, shared, ids)


def test_every_table_has_row_level_security_forced(db_url: str) -> None:
    """A table without forced row-level security is open to every login that can reach the
    database with another tool; a new table must come with its policies."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
            )
        ).all()
    engine.dispose()
    assert len(rows) >= 25
    unprotected = [name for name, enabled, forced, policies in rows if not (enabled and forced and policies)]
    assert not unprotected, f"tables without forced row-level security and policies: {unprotected}"


# -- attacks in plain SQL -----------------------------------------------------------------------


def _attacks(w: World, login: str) -> list[str]:
    """What ``login`` may not do, as the SQL another tool would send."""
    i = w.ids
    me = i["member"][login]
    other = i["member"]["member-b" if login != "member-b" else "member-a"]
    now = "now()"
    mine, theirs = (i["A"], i["B"]) if login in ("viewer-a", "member-a", "coord-a") else (i["B"], i["A"])
    their_action = i["b_action"] if theirs == i["B"] else i["a_action"]
    attacks = [
        # history is append-only, for everyone but the owner
        "UPDATE status_change SET note = 'rewritten', member_id = member_id",
        "DELETE FROM status_change",
        "UPDATE action_note SET text = 'rewritten'",
        "DELETE FROM action_note",
        "UPDATE measurement SET value = 0",
        "DELETE FROM measurement",
        "UPDATE plan_change SET new = 'x'",
        "DELETE FROM import_run",
        # a forged actor, even on an action one may track
        f"INSERT INTO status_change (action_id, member_id, to_status, forced, at) "
        f"VALUES ({i['a_action']}, {other}, 'done', false, {now})",
        f"INSERT INTO action_note (action_id, member_id, text, at) VALUES ({i['a_action']}, {other}, 'x', {now})",
        f"INSERT INTO measurement (indicator_id, value, measured_on, member_id, recorded_at) "
        f"VALUES ({i['b_indicator']}, 1, '2025-01-01', {other}, {now})",
        f"INSERT INTO import_run (at, actor, sources, summary) VALUES ({now}, 'someone-else', 'x', 'x')",
        # one's own identity, membership and rights
        f"UPDATE member SET db_role = 'postgres' WHERE id = {me}",
        # members' addresses are read through tracker_private.member_emails only
        "SELECT email FROM member",
        "SELECT * FROM member",
        "UPDATE alembic_version SET version_num = '0001'",
    ]
    if login != ADMIN_LOGIN:
        # A login, or another's email, is changed by an admin or a coordinator of each of the
        # member's frameworks (`member edit`); one's own login by an admin alone.
        stranger = i["member"]["member-a"] if login == "coord-b" else other
        attacks += [
            f"UPDATE member SET login = 'x' WHERE id = {stranger}",
            f"UPDATE member SET email = 'x@example.org' WHERE id = {stranger}",
            f"UPDATE member SET login = 'x' WHERE id = {me}",
        ]
        attacks += [
            f"INSERT INTO admin (member_id, granted_at) VALUES ({me}, {now})",
            f"DELETE FROM admin WHERE member_id <> {me}",
            f"DELETE FROM member WHERE id = {other}",
            # the other city: its rows, read and write
            f"UPDATE action SET status = 'done', version = version + 1 WHERE framework_id = {theirs}",
            f"UPDATE action SET title = 'hijacked' WHERE framework_id = {theirs}",
            f"DELETE FROM action WHERE framework_id = {theirs}",
            f"UPDATE framework SET title = 'hijacked' WHERE id = {theirs}",
            f"INSERT INTO status_change (action_id, to_status, forced, at) "
            f"VALUES ({their_action}, 'done', false, {now})",
            f"INSERT INTO action_note (action_id, text, at) VALUES ({their_action}, 'x', {now})",
            f"INSERT INTO membership (member_id, framework_id, role) VALUES ({me}, {theirs}, 'coordinator')",
            f"UPDATE membership SET role = 'coordinator' WHERE framework_id = {theirs}",
            f"DELETE FROM membership WHERE framework_id = {theirs}",
            f"INSERT INTO affiliation (member_id, framework_id, stakeholder_id) "
            f"SELECT {me}, {theirs}, id FROM stakeholder LIMIT 1",
        ]
    if login in ("viewer-a", "member-a", "member-b"):
        attacks += [
            f"UPDATE membership SET role = 'coordinator' WHERE member_id = {me}",
            f"UPDATE action SET title = 'renamed' WHERE framework_id = {mine}",
            f"UPDATE action SET cost = 1 WHERE framework_id = {mine}",
            f"INSERT INTO allocation (action_id, source_id, fiscal_year, amount) "
            f"SELECT {i['a_action']}, id, 2030, 100 FROM funding_source LIMIT 1",
            "INSERT INTO stakeholder (key, name, sector) VALUES ('x', 'x', 'other')",
        ]
    if login == "member-a":  # another organisation's action in one's own framework
        attacks += [
            f"UPDATE action SET status = 'done', version = version + 1 WHERE id = {i['a_not_mine']}",
            f"INSERT INTO status_change (action_id, to_status, forced, at) "
            f"VALUES ({i['a_not_mine']}, 'done', false, {now})",
        ]
    if login == "viewer-a":
        attacks += [
            f"UPDATE action SET status = 'done', version = version + 1 WHERE framework_id = {mine}",
            f"INSERT INTO action_note (action_id, text, at) VALUES ({i['a_action']}, 'x', {now})",
        ]
    if login == "coord-b":  # a coordinator elsewhere who is no member of the first city
        attacks.append(f"UPDATE action SET title = 'renamed' WHERE id = {i['a_action']}")
    return attacks


def _try(conn: psycopg.Connection[Any], sql: str) -> int | None:
    """Rows ``sql`` touched, or None when the database refused it."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql.encode())
            return cur.rowcount
    except psycopg.Error:
        return None


@pytest.mark.parametrize("login", list(LOGINS), ids=[f"{k} ({v})" for k, v in LOGINS.items()])
def test_each_forbidden_thing_is_refused_by_the_database(world: World, login: str) -> None:
    """Through psql or any other tool, a login could otherwise rewrite history, act in
    another's name, change another city's plan or give itself rights."""
    engine = make_engine(world.url)
    before = dump(engine)
    done = []
    with world.connect(login) as conn:
        for sql in _attacks(world, login):
            touched = _try(conn, sql)
            if touched not in (None, 0):
                done.append((sql, touched))
    assert not done, f"{login} was allowed: {done}"
    assert dump(engine) == before
    engine.dispose()


@pytest.mark.parametrize("login", list(LOGINS), ids=[f"{k} ({v})" for k, v in LOGINS.items()])
def test_a_login_reads_only_its_frameworks(world: World, login: str) -> None:
    """Another city's plan, notes, members and history stay unseen by plain SQL."""
    i = world.ids
    theirs = i["B"] if login in ("viewer-a", "member-a", "coord-a") else i["A"]
    their_action = i["b_action"] if theirs == i["B"] else i["a_action"]
    queries = {
        "action": f"SELECT count(*) FROM action WHERE framework_id = {theirs}",
        "framework": f"SELECT count(*) FROM framework WHERE id = {theirs}",
        "goal": f"SELECT count(*) FROM goal WHERE framework_id = {theirs}",
        "status_change": f"SELECT count(*) FROM status_change WHERE action_id = {their_action}",
        "action_note": f"SELECT count(*) FROM action_note WHERE action_id = {their_action}",
        "allocation": f"SELECT count(*) FROM allocation WHERE action_id = {their_action}",
        "membership": f"SELECT count(*) FROM membership WHERE framework_id = {theirs}",
        "workshop": f"SELECT count(*) FROM workshop WHERE framework_id = {theirs}",
        # what writes judge a login's rights on (migration 0018): its own rows only
        "standing": f"SELECT count(*) FROM tracker_private.standing WHERE framework_id = {theirs}",
    }
    with world.connect(login) as conn:
        seen = {name: conn.execute(sql.encode()).fetchone()[0] for name, sql in queries.items()}  # type: ignore[index]
        mine = conn.execute(b"SELECT count(*) FROM action").fetchone()[0]  # type: ignore[index]
        standing = conn.execute(b"SELECT DISTINCT login FROM tracker_private.standing").fetchall()
    assert standing == [(login,)], (login, standing)
    if login == ADMIN_LOGIN:
        assert seen["action"] and seen["framework"] and seen["membership"] and seen["status_change"], seen
        assert seen["standing"], seen
    else:
        assert not any(seen.values()), (login, seen)
        assert mine > 0


def test_a_coordinator_elsewhere_tracks_but_does_not_plan_here(world: World) -> None:
    """The coordinator group's column rights are the same in every framework: without the
    trigger, a coordinator of one city who is a member of another could rename its actions."""
    engine = make_engine(world.url)
    before = dump(engine)
    action = world.ids["a_action"]
    with world.connect("mixed") as conn:
        assert _try(conn, f"UPDATE action SET title = 'renamed' WHERE id = {action}") is None
        assert _try(conn, f"UPDATE action SET cost = 1, version = version + 1 WHERE id = {action}") is None
        with conn.transaction(force_rollback=True):
            assert _try(conn, f"UPDATE action SET status = 'blocked', version = version + 1 WHERE id = {action}") == 1
    assert dump(engine) == before
    engine.dispose()


def test_a_gateway_that_resets_its_role_holds_nothing(world: World) -> None:
    """The team server's gateway does SET ROLE to the member; RESET ROLE is open to anyone,
    so the gateway role itself must have no rights at all."""
    with world.connect(GATEWAY) as conn:
        conn.execute(b'SET ROLE "member-a"')
        assert conn.execute(b"SELECT current_user").fetchone() == ("member-a",)
        assert conn.execute(b"SELECT count(*) FROM action").fetchone()[0] > 0  # type: ignore[index]
        conn.execute(b"RESET ROLE")
        for sql in ("SELECT count(*) FROM action", "SELECT count(*) FROM member", "DELETE FROM status_change"):
            assert _try(conn, sql) is None, sql


def test_a_login_has_only_the_group_of_its_highest_role(world: World) -> None:
    """The group roles follow the admin and membership tables (a grant the tables do not
    explain would give a login rights the rules never gave)."""
    engine = make_engine(world.url)
    with engine.connect() as conn:
        prefix = conn.execute(sa.text("SELECT tracker_private.role_prefix()")).scalar_one()
        groups = {
            login: sorted(
                conn.execute(
                    sa.text(
                        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                        "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :r AND starts_with(g.rolname, :p)"
                    ),
                    {"r": login, "p": prefix},
                ).scalars()
            )
            for login in LOGINS
        }
    engine.dispose()
    assert groups == {
        "viewer-a": [f"{prefix}viewer"],
        "member-a": [f"{prefix}member"],
        "member-b": [f"{prefix}member"],
        "coord-b": [f"{prefix}coordinator"],
        "coord-a": [f"{prefix}coordinator"],
        ADMIN_LOGIN: [f"{prefix}admin"],
    }
    tool_roles = {r for g in groups.values() for r in g}
    engine = make_engine(world.url)
    with engine.connect() as conn:
        creators = conn.execute(
            sa.text("SELECT rolname FROM pg_roles WHERE rolcreaterole AND rolname = ANY(:r)"), {"r": list(tool_roles)}
        ).scalars()
        assert list(creators) == []  # none of the roles members use may create roles
    engine.dispose()


# -- the tool as the members' own roles ---------------------------------------------------------


def test_the_cli_acts_as_the_database_role_and_refuses_as(world: World) -> None:
    """`--as` on PostgreSQL naming someone else would let any login act in another's name."""
    url = _role_url(world.url, "member-a")
    refused = tracker("--db", url, "--as", ADMIN_LOGIN, "actions", "list")
    assert refused.code == 4 and "member-a" in refused.err, refused
    env_refused = tracker("--db", url, "actions", "list", env={"TRACKER_USER": "coord-a"})
    assert env_refused.code == 4
    assert tracker("--db", url, "--as", "member-a", "actions", "list", "--json").code == 0


def test_members_and_coordinators_work_under_their_own_roles(world: World) -> None:
    """A policy stricter than the rules would refuse a member's everyday work: status,
    notes and measurements as themselves, a coordinator's plan edits and new members."""
    member = _role_url(world.url, "member-a")
    coord = _role_url(world.url, "coord-b")
    coord_a = _role_url(world.url, "coord-a")
    _must_run = lambda *a: _must(tracker(*a))  # noqa: E731
    _must_run("--db", member, "actions", "set-status", A_ACTION, "blocked", "-m", "waiting for the hall")
    _must_run("--db", member, "actions", "note", A_ACTION, "the hall is booked for May")
    _must_run("--db", coord, "actions", "set-status", B_ACTION, "in_progress", "-m", "the chief agreed")
    _must_run("--db", coord, "actions", "note", B_ACTION, "first patrol on Friday")
    _must_run("--db", coord, "indicators", "record", f"{B}/bravo-contacts", "20", "--on", "2025-06-30")
    _must_run("--db", coord, "member", "add", "viewer-b", "--role", "viewer", "-f", B)
    _must_run("--db", coord_a, "actions", "set-status", A_ACTION, "in_progress")
    refused = tracker("--db", member, "actions", "set-status", B_ACTION, "done")
    assert refused.code == 2 and "no framework" in refused.err, refused  # the database hides that it exists
    engine = make_engine(world.url)
    with engine.connect() as conn:
        authors = conn.execute(
            sa.text(
                "SELECT m.login, s.to_status FROM status_change s JOIN member m ON m.id = s.member_id "
                "WHERE s.at > now() - interval '1 hour' ORDER BY s.id DESC LIMIT 3"
            )
        ).all()
        viewer_b = conn.execute(sa.text("SELECT db_role FROM member WHERE login = 'viewer-b'")).scalar()
    engine.dispose()
    assert [tuple(a) for a in authors] == [
        ("coord-a", "in_progress"),
        ("coord-b", "in_progress"),
        ("member-a", "blocked"),
    ]
    assert viewer_b == "viewer-b"
    with psycopg.connect(_dsn(world.url, "viewer-b"), autocommit=True) as conn:  # the new login works
        assert conn.execute(b"SELECT count(*) FROM action").fetchone()[0] > 0  # type: ignore[index]


def test_coordinators_and_admins_seed_under_their_own_roles(world: World) -> None:
    """Seeding creates and updates a plan, its organisations and sources, and logs the
    import in the seeder's name; a policy too strict for it would stop a city's update."""
    from tests.test_read_scope import PLAN_B

    path = world.shared.tmp / "b2.yaml"
    path.write_text(PLAN_B.replace("title: Bravo school reporting line", "title: Bravo school reporting line, v2"))
    seeded = tracker("--db", _role_url(world.url, "coord-b"), "seed", str(path))
    assert seeded.code == 0, seeded.err
    path.write_text(PLAN_B.replace("title: Bravo school reporting line", "title: Bravo line, by a member"))
    refused = tracker("--db", _role_url(world.url, "member-b"), "seed", str(path))
    assert refused.code == 4, refused  # the seeding service says why, before the database would
    engine = make_engine(world.url)
    with engine.connect() as conn:
        title = conn.execute(sa.text("SELECT title FROM action WHERE key = 'bravo-line'")).scalar_one()
        actor = conn.execute(sa.text("SELECT actor FROM import_run ORDER BY id DESC LIMIT 1")).scalar_one()
    engine.dispose()
    assert (title, actor) == ("Bravo school reporting line, v2", "coord-b")


@pytest.mark.parametrize("command", [*sorted(READS), *MORE_READS], ids=" ".join)
def test_reads_as_the_role_show_what_the_tool_shows_as_that_login(
    world: World, command: tuple[str, ...], tmp_path: Path
) -> None:
    """Connected as their own role, readers see exactly what the tool shows them (a policy
    hiding a row they may read, such as a shared source's balance, would change it)."""
    read = READS.get(command)
    args = read.mine if read is not None else command
    for login, fw in READERS.items():
        # {out}: the folder of commands that write documents (both runs write the same one)
        full = [str(tmp_path / "out") if a == "{out}" else a for a in _args(args, fw)]
        as_owner = tracker("--db", world.url, "--as", login, *full)
        as_role = tracker("--db", _role_url(world.url, login), *full)
        assert as_role.code == as_owner.code == 0, (login, as_role.err)
        assert _stable(as_role.out) == _stable(as_owner.out), (login, command)


def _stable(text: str) -> str:
    """Output without what differs by connection alone: the moment it was made (exports
    stamp it), the URL it names, and the order of JSON keys."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        if isinstance(data, dict):
            data.pop("exported_at", None)
        return json.dumps(data, sort_keys=True)
    return "\n".join(line for line in text.splitlines() if "DTSTAMP" not in line and "://" not in line)


def test_the_migration_goes_down_and_up_again_keeping_the_roles(tmp_path: Any, pg_template: str | None) -> None:
    """A downgrade that dropped roles would break every other database on the server that
    shares none of them, and one that left policies would block the old schema."""
    from alembic import command

    from tracker.db import upgrade
    from tracker.db.migrate import alembic_config

    with _empty_database(tmp_path, pg_template, "updown") as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            roles_before = set(conn.execute(sa.text("SELECT rolname FROM pg_roles")).scalars())
            command.downgrade(alembic_config(conn), "0006")
            conn.commit()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM pg_policies")).scalar_one() == 0
            assert not conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'tracker_private'")).first()
            assert set(conn.execute(sa.text("SELECT rolname FROM pg_roles")).scalars()) >= roles_before
        upgrade(engine)
        upgrade(engine)  # idempotent
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM pg_policies")).scalar_one() > 25
        engine.dispose()


def test_the_owner_is_a_plan_field_that_only_coordinators_set(world: World) -> None:
    """Through plain SQL a member could otherwise make themselves (or anyone) the owner of
    an action of their organisation, and a coordinator of another city could set it here."""
    engine = make_engine(world.url)
    before = dump(engine)
    action, me = world.ids["a_action"], world.ids["member"]["member-a"]
    for login in ("member-a", "viewer-a", "member-b", "coord-b", "mixed"):
        with world.connect(login) as conn:
            assert _try(conn, f"UPDATE action SET owner_id = {me} WHERE id = {action}") in (None, 0), login
            touched = _try(conn, f"UPDATE action SET owner_id = {me}, version = version + 1 WHERE id = {action}")
            assert touched in (None, 0), login
    assert dump(engine) == before
    with world.connect("coord-a") as conn, conn.transaction(force_rollback=True):
        assert _try(conn, f"UPDATE action SET owner_id = {me}, version = version + 1 WHERE id = {action}") == 1
    assert dump(engine) == before
    engine.dispose()


def test_owners_are_named_and_found_under_the_logins_own_roles(world: World) -> None:
    """A coordinator names an owner as their own role, a member's `--mine` (which reads their
    organisations and their own member row) works under theirs, and a member naming an
    owner is refused by the tool before the database would."""
    member, coord_a = _role_url(world.url, "member-a"), _role_url(world.url, "coord-a")
    refused = tracker("--db", member, "actions", "edit", A_ACTION, "--owner", "member-a")
    assert refused.code == 4 and "only a coordinator" in refused.err, refused
    _must(tracker("--db", coord_a, "actions", "edit", A_ACTION, "--owner", "member-a"))
    try:
        mine = tracker("--db", member, "actions", "list", "--mine", "--json")
        assert mine.code == 0, mine.err
        rows = json.loads(mine.out)["actions"]
        assert (rows[0]["ref"], rows[0]["owner"]) == (A_ACTION, "member-a")
        as_owner = tracker("--db", world.url, "--as", "member-a", "actions", "list", "--mine", "--json")
        assert json.loads(as_owner.out)["actions"] == rows
    finally:
        _must(tracker("--db", coord_a, "actions", "edit", A_ACTION, "--no-owner"))


def test_coordinators_change_plan_items_under_their_own_roles(world: World) -> None:
    """A coordinator changes goals, objectives, indicators, their own city's source and its
    allocations as their database role; a member of the city, and a coordinator for a
    source another city shares, are refused (exit 4) and nothing changes."""
    coord, member = _role_url(world.url, "coord-a"), _role_url(world.url, "member-a")
    engine = make_engine(world.url)
    before = dump(engine)
    refusals = [
        (member, ["goals", "edit", f"{A}/g1", "--title", "Mine"]),
        (member, ["objectives", "add", f"{A}/g1", "--key", "mine", "--title", "Mine"]),
        (member, ["indicators", "edit", f"{A}/meetings", "--target", "1"]),
        (member, ["funding", "allocate", A_ACTION, "stamford-fund", "--amount", "1", "--year", "2025"]),
        (member, ["funding", "source-edit", "stamford-fund", "--notes", "mine"]),
        (coord, ["funding", "source-edit", "dhs-cp3", "--notes", "ours"]),  # bravo-town's money too
    ]
    for url, args in refusals:
        refused = tracker("--db", url, *args)
        assert refused.code == 4, (args, refused)
    assert dump(engine) == before
    for args in (
        ["goals", "edit", f"{A}/g1", "--title", "Coordinate", "--expect-version", "1"],
        ["objectives", "add", f"{A}/g1", "--key", "mentoring", "--title", "Mentoring"],
        ["indicators", "edit", f"{A}/meetings", "--target", "7"],
        ["funding", "source-edit", "stamford-fund", "--notes", "renewed"],
        ["funding", "allocate", A_ACTION, "stamford-fund", "--amount", "900", "--year", "2025"],
    ):
        _must(tracker("--db", coord, *args))
    with engine.connect() as conn:
        who = conn.execute(
            sa.text(
                "SELECT DISTINCT m.login FROM plan_change p JOIN member m ON m.id = p.member_id "
                "WHERE p.item_kind IN ('goal', 'objective', 'indicator', 'source', 'allocation')"
            )
        ).all()
        b_goal = conn.execute(
            sa.text("SELECT g.id FROM goal g JOIN framework f ON f.id = g.framework_id WHERE f.key = :b LIMIT 1"),
            {"b": B},
        ).scalar_one()
    engine.dispose()
    assert [tuple(w) for w in who] == [("coord-a",)]
    # The database's policies say the same to SQL sent by another tool.
    with world.connect("coord-a") as conn:
        assert _try(conn, "UPDATE funding_source SET notes = 'ours' WHERE key = 'dhs-cp3'") == 0
        assert _try(conn, "UPDATE funding_source SET notes = 'ours' WHERE key = 'stamford-fund'") == 1
        audit = "INSERT INTO plan_change (item_kind, item_id, field, forced, at) VALUES ('goal', {}, 't', false, now())"
        assert _try(conn, audit.format(b_goal)) is None  # another city's goal


def _read_policy(conn: sa.Connection, table: str) -> str:
    return str(
        conn.execute(
            sa.text(
                "SELECT qual FROM pg_policies "
                "WHERE schemaname = current_schema() AND tablename = :t AND policyname = 'read'"
            ),
            {"t": table},
        ).scalar_one()
    )


def test_the_read_policies_go_back_to_the_array_and_on_to_the_bytes(tmp_path: Any, pg_template: str | None) -> None:
    """Migration 0015 swaps the read policies' framework test; a downgrade that left the
    byte test behind would call a function that no longer exists, and every read as a
    role would fail."""
    from alembic import command

    from tracker.db import upgrade
    from tracker.db.migrate import alembic_config

    tables = ("framework", "goal", "objective", "action", "indicator", "workshop", "membership", "affiliation")
    with _empty_database(tmp_path, pg_template, "bytes") as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            assert all("get_byte" in _read_policy(conn, t) for t in tables)
            command.downgrade(alembic_config(conn), "0009")
            conn.commit()
        with engine.connect() as conn:
            for table in tables:
                qual = _read_policy(conn, table)
                assert "frameworks_i_read()" in qual and "get_byte" not in qual, (table, qual)
            assert not conn.execute(sa.text("SELECT 1 FROM pg_proc WHERE proname = 'frameworks_i_read_bytes'")).first()
        upgrade(engine)
        with engine.connect() as conn:
            assert all("get_byte" in _read_policy(conn, t) for t in tables)
        engine.dispose()


def test_the_read_policies_go_back_to_the_bytes_and_on_to_the_flags(tmp_path: Any, pg_template: str | None) -> None:
    """Migration 0018 swaps the read policies' framework test and the views behind the
    helpers; its downgrade must leave 0015's policies, function and 0007's views, whose
    helpers still answer for the caller, and the upgrade must come back."""
    from alembic import command

    from tracker.db import upgrade
    from tracker.db.migrate import alembic_config

    tables = ("framework", "goal", "objective", "action", "indicator", "workshop", "membership", "affiliation")

    def state(conn: sa.Connection) -> tuple[set[str], set[str], Any]:
        policies = {
            "flags" if "frameworks_i_read_flags()" in q else "bytes" if "frameworks_i_read_bytes()" in q else q
            for q in (_read_policy(conn, t) for t in tables)
        }
        functions = set(
            conn.execute(
                sa.text("SELECT proname FROM pg_proc WHERE proname LIKE 'frameworks\\_i\\_read\\_%'")
            ).scalars()
        )
        view = conn.execute(sa.text("SELECT pg_get_viewdef('tracker_private.my_memberships'::regclass)")).scalar_one()
        return policies, functions, view

    with _empty_database(tmp_path, pg_template, "flags") as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            policies, functions, view = state(conn)
            assert policies == {"flags"} and functions == {"frameworks_i_read_flags", "frameworks_i_read_bytes"}
            assert "JOIN" not in view.upper(), view
            command.downgrade(alembic_config(conn), "0015")
            conn.commit()
        with engine.connect() as conn:
            policies, functions, view = state(conn)
            assert policies == {"bytes"} and functions == {"frameworks_i_read_bytes"}, (policies, functions)
            assert "JOIN" in view.upper(), view
        upgrade(engine)
        with engine.connect() as conn:
            policies, functions, view = state(conn)
            assert policies == {"flags"} and "JOIN" not in view.upper(), (policies, view)
        engine.dispose()


def test_a_login_reads_its_frameworks_whatever_their_ids(tmp_path: Any, pg_template: str | None) -> None:
    """The read policies look a row's framework up by its id: a framework whose id is far
    from the others' (ids only grow as frameworks come and go) must read like any other,
    for its members alone, and one newer than all of a login's stays unseen."""
    (tmp_path / "a.yaml").write_text(PLAN_A)
    (tmp_path / "b.yaml").write_text(PLAN_B)
    with _empty_database(tmp_path, pg_template, "far") as url:
        boss = Shared(url, tmp_path)
        _must(boss.run(ADMIN, "seed", str(tmp_path / "a.yaml")))
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT setval('framework_id_seq', 299)"))
        _must(boss.run(ADMIN, "seed", str(tmp_path / "b.yaml")))
        _must(boss.run(ADMIN, "admin", "add", ADMIN_LOGIN))
        for login, frameworks in (("far-a", (A,)), ("far-b", (B,)), ("far-ab", (A, B))):
            for fw in frameworks:
                _must(boss.run(ADMIN_LOGIN, "member", "add", login, "--role", "viewer", "-f", fw))
        with engine.connect() as conn:
            ids = dict(conn.execute(sa.text("SELECT key, id FROM framework")).all())
            actions = dict(conn.execute(sa.text("SELECT framework_id, count(*) FROM action GROUP BY 1")).all())
        engine.dispose()
        assert ids[B] == 300 and ids[A] < 8, ids
        world = World(url, boss, {})
        for login, frameworks in (("far-a", (A,)), ("far-b", (B,)), ("far-ab", (A, B))):
            with world.connect(login) as conn:
                seen = dict(conn.execute(b"SELECT framework_id, count(*) FROM action GROUP BY 1").fetchall())
                goals = {row[0] for row in conn.execute(b"SELECT DISTINCT framework_id FROM goal").fetchall()}
                cities = {row[0] for row in conn.execute(b"SELECT id FROM framework").fetchall()}
            mine = {ids[fw] for fw in frameworks}
            assert seen == {fid: actions[fid] for fid in mine}, (login, seen)
            assert goals == mine and cities == mine, (login, goals, cities)
