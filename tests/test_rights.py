"""Who may write what, through the real command line: every write path x every kind of login.

Two frameworks share organisations, as real cities do (a state agency, a national
non-profit): a member's organisation counts only in the framework where it was
given, so working for Domus Kids in one city gives no right over another city's
actions that Domus Kids partners on.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import ADMIN, dump
from tests.plans import MINIMAL
from tracker.db import make_engine, upgrade, write_session
from tracker.errors import PermissionDenied
from tracker.models.enums import Role
from tracker.seeding import load_text, seed
from tracker.services.access.members import add_member, find_member, resolve_member

A, B = "stamford-ct", "second-city"
CONVENE = f"{A}/convene"  # led by city-of-stamford, partner domus-kids
MEETINGS = f"{A}/meetings"  # indicator under the objective of convene

SECOND = MINIMAL.replace("key: stamford-ct", f"key: {B}").replace("city: Stamford", "city: Second City")

# login -> (framework, role, organisations); "outsider" has a member row and no role anywhere.
PEOPLE = {
    "coord": (A, Role.coordinator, ["city-of-stamford"]),
    "member": (A, Role.member, ["domus-kids"]),
    "viewer": (A, Role.viewer, ["city-of-stamford"]),
    "elsewhere": (B, Role.member, ["domus-kids"]),  # the same organisation, in the other city
    "coord-b": (B, Role.coordinator, ["domus-kids"]),
}
KINDS = ["nobody", "outsider", "viewer", "member", "elsewhere", "coord-b", "coord", ADMIN]


def two_cities(engine: Engine) -> None:
    seed(engine, [load_text(MINIMAL, source="a.yaml"), load_text(SECOND, source="b.yaml")], actor=ADMIN)
    with write_session(engine) as session:
        admin = resolve_member(session, ADMIN)
        for login, (framework, role, orgs) in PEOPLE.items():
            add_member(session, actor=admin, login=login, role=role, framework=framework, stakeholders=orgs)
        session.execute(sa.text("INSERT INTO member (login, created_at) VALUES ('outsider', CURRENT_TIMESTAMP)"))


# write -> (command line, the logins that may)
TRACKERS = {"member", "coord", ADMIN}
COORDINATORS = {"coord", ADMIN}
WRITES = {
    "set-status": (["actions", "set-status", CONVENE, "in_progress", "-m", "kick-off"], TRACKERS),
    "note": (["actions", "note", CONVENE, "waiting for data"], TRACKERS),
    "record": (["indicators", "record", MEETINGS, "3", "--on", "2025-04-30"], TRACKERS),
    "member-add": (["member", "add", "newbie", "--role", "member", "-f", A, "-s", "union-church"], COORDINATORS),
    "self-coordinator": (["member", "add", "{login}", "--role", "coordinator", "-f", A], COORDINATORS),
    "admin-add": (["admin", "add", "newbie"], {ADMIN}),
}


@pytest.mark.parametrize("login", KINDS)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_path_asks_the_same_rules(engine: Engine, db_url: str, write: str, login: str) -> None:
    """Each kind of login against each write command: the ones the rules allow succeed, every
    other one is exit 4 with a sentence and the database exactly as it was. Broken, a viewer,
    an outsider or a member of another city could change this city's plan or people."""
    two_cities(engine)
    args, allowed = WRITES[write]
    args = [a.replace("{login}", login) for a in args]
    before = dump(engine)
    result = tracker("--db", db_url, "--as", login, *args)
    if login in allowed:
        assert result.code == 0, result.err
        return
    assert result.code == 4, (result.code, result.err)
    assert result.err.startswith("tracker: ") and len(result.err.strip().splitlines()) == 1, result.err
    assert dump(engine) == before


def test_a_refusal_says_who_could_do_it(engine: Engine, db_url: str) -> None:
    """A refused member learns which role could do it, instead of a bare 'no'."""
    two_cities(engine)
    result = tracker("--db", db_url, "--as", "elsewhere", "actions", "set-status", CONVENE, "blocked")
    assert result.code == 4 and "coordinator" in result.err and "elsewhere" in result.err
    result = tracker("--db", db_url, "--as", "member", "member", "add", "x", "--role", "viewer", "-f", A)
    assert result.code == 4 and "coordinator of stamford-ct or an admin" in result.err


def test_an_organisation_counts_only_in_the_framework_where_it_was_given(engine: Engine) -> None:
    """Working for Domus Kids in one city gives no right over another city's Domus Kids actions;
    broken, anyone made a member anywhere could change every city's work of their organisation."""
    two_cities(engine)
    with write_session(engine) as session:
        elsewhere = resolve_member(session, "elsewhere")
    assert [s.key for s in elsewhere.stakeholders_in(B)] == ["domus-kids"]
    assert elsewhere.stakeholders_in(A) == ()


def test_nobody_takes_a_framework_whose_coordinator_stepped_down(engine: Engine, db_url: str) -> None:
    """A framework never loses its last coordinator through a command, and no one may name
    themselves its coordinator: once 'the first coordinator may be added by anyone', now never."""
    two_cities(engine)
    before = dump(engine)
    demote = tracker("--db", db_url, "--as", "coord", "member", "add", "coord", "--role", "viewer", "-f", A)
    assert demote.code == 4 and "last coordinator" in demote.err
    assert dump(engine) == before
    claim = tracker("--db", db_url, "--as", "outsider", "member", "add", "outsider", "--role", "coordinator", "-f", A)
    assert claim.code == 4
    assert dump(engine) == before
    # With a second coordinator named, the first may step down.
    assert (
        tracker("--db", db_url, "--as", "coord", "member", "add", "member", "--role", "coordinator", "-f", A).code == 0
    )
    assert tracker("--db", db_url, "--as", "coord", "member", "add", "coord", "--role", "viewer", "-f", A).code == 0


@pytest.mark.parametrize("whose", ["the admin", "a member of the other city too"])
def test_a_coordinator_cannot_rename_someone_shown_in_other_frameworks(engine: Engine, db_url: str, whose: str) -> None:
    """`member add LOGIN --name` by one city's coordinator renamed the database's admin (or a
    person other cities know) everywhere, while a plan file asking the same kept the name;
    now it is exit 4, nothing written, and renaming someone only this city knows still works."""
    two_cities(engine)
    with write_session(engine) as session:
        add_member(session, actor=resolve_member(session, ADMIN), login="shared", role=Role.member, framework=B)
    login = ADMIN if whose == "the admin" else "shared"
    before = dump(engine)
    renamed = tracker(
        "--db", db_url, "--as", "coord", "member", "add", login, "--role", "viewer", "-f", A, "--name", "X"
    )
    assert renamed.code == 4, renamed.err
    assert "only a coordinator of every framework" in renamed.err and B not in renamed.err
    assert dump(engine) == before
    ok = tracker("--db", db_url, "--as", "coord", "member", "add", "member", "--role", "member", "-f", A, "--name", "M")
    assert ok.code == 0, ok.err
    by_admin = tracker(
        "--db", db_url, "--as", ADMIN, "member", "add", login, "--role", "viewer", "-f", A, "--name", "Y"
    )
    assert by_admin.code == 0, by_admin.err


def test_two_coordinators_stepping_down_at_once_leave_one(engine: Engine) -> None:
    """Two coordinators each demoting the other at the same moment: one wins, the other is told
    why; the framework keeps a coordinator (on PostgreSQL the framework row is locked first;
    SQLite writers queue on the write lock)."""
    two_cities(engine)
    with write_session(engine) as session:
        add_member(session, actor=resolve_member(session, "coord"), login="member", role=Role.coordinator, framework=A)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def demote(actor: str, target: str) -> None:
        barrier.wait()
        try:
            with write_session(engine) as session:
                add_member(session, actor=resolve_member(session, actor), login=target, role=Role.viewer, framework=A)
            results.append("ok")
        except PermissionDenied as refused:
            results.append(refused.message)

    threads = [threading.Thread(target=demote, args=p) for p in (("coord", "member"), ("member", "coord"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results, key=len)[0] == "ok" and len(results) == 2
    with engine.connect() as conn:
        coordinators = conn.execute(
            sa.text("SELECT count(*) FROM membership m JOIN framework f ON f.id = m.framework_id "
                    "WHERE f.key = :k AND m.role = 'coordinator'"),
            {"k": A},
        ).scalar_one()  # fmt: skip
    assert coordinators == 1


def test_admins_manage_admins_and_the_last_one_stays(engine: Engine, db_url: str) -> None:
    """Only admins add or remove admins, and the database always keeps one; broken, a member
    could make themselves admin, or the last admin could lock everyone out of new frameworks."""
    two_cities(engine)
    assert tracker("--db", db_url, "--as", "coord", "admin", "add", "coord").code == 4
    last = tracker("--db", db_url, "admin", "remove", ADMIN)
    assert last.code == 4 and "last admin" in last.err
    assert tracker("--db", db_url, "admin", "add", "coord").code == 0
    listed = tracker("--db", db_url, "--as", "viewer", "admin", "list", "--json")
    assert listed.code == 0 and sorted(json.loads(listed.out)) == sorted([ADMIN, "coord"])
    assert tracker("--db", db_url, "--as", "coord", "admin", "remove", ADMIN).code == 0
    with write_session(engine) as session:
        me = find_member(session, ADMIN)
    assert me is not None and not me.is_admin


@pytest.mark.parametrize("how", ["--as", "TRACKER_USER"])
def test_an_empty_login_is_refused_not_read_as_the_os_login(engine: Engine, db_url: str, how: str) -> None:
    """`--as ''` (an unset variable in a script) must not act as whoever runs the command."""
    two_cities(engine)
    before = dump(engine)
    if how == "--as":
        result = tracker("--db", db_url, "--as", "", "actions", "note", CONVENE, "hello")
    else:
        result = tracker("--db", db_url, "actions", "note", CONVENE, "hello", env={"TRACKER_USER": ""})
    assert result.code == 2 and "empty" in result.err
    assert dump(engine) == before


def test_the_app_refuses_an_empty_login_and_a_stranger(engine: Engine, db_url: str) -> None:
    """Opening the app as '' or as a login that is not a member ends with one sentence (exit 2 and
    4), as a real process; broken, a stranger got a read-only view of every city."""
    two_cities(engine)
    empty = tracker_process("--db", db_url, "--as", "")
    assert empty.code == 2 and "empty" in empty.err and "Traceback" not in empty.err
    stranger = tracker_process("--db", db_url, "--as", "stranger")
    assert stranger.code == 4 and "no member with the login 'stranger'" in stranger.err


def test_a_new_database_names_its_creator_admin(tmp_path: Path) -> None:
    """`tracker db upgrade` on a new file makes the login that ran it the admin, and says so."""
    db = str(tmp_path / "new.db")
    made = tracker("--db", db, "--as", "ana", "db", "upgrade")
    assert made.code == 0 and "ana is its admin" in made.out
    assert json.loads(tracker("--db", db, "--as", "ana", "admin", "list", "--json").out) == ["ana"]


def test_an_old_database_is_upgraded_only_with_an_admin_named(tmp_path: Path) -> None:
    """A database from before admins existed is not upgraded until someone is named admin, and
    its affiliations are given to every framework where each member already works."""
    path = tmp_path / "old.db"
    engine = make_engine(str(path))
    upgrade(engine, "0005")
    from tracker.models import Framework, Member, Membership, Stakeholder

    with engine.begin() as conn:  # the tables these use did not change in 0006
        for key in ("a", "b", "c"):
            conn.execute(
                sa.insert(Framework.__table__).values(  # type: ignore[attr-defined]
                    key=key, city=key.upper(), country="US", title=key, stage="draft",
                    starts=dt.date(2025, 1, 1), near_term_months=6, mid_term_months=24, currency="USD",
                    created_at=dt.datetime.now(dt.UTC), updated_at=dt.datetime.now(dt.UTC),
                )
            )  # fmt: skip
        conn.execute(sa.insert(Stakeholder.__table__).values(key="org", name="Org", sector="other"))  # type: ignore[attr-defined]
        conn.execute(sa.insert(Member.__table__).values(login="ana", created_at=dt.datetime.now(dt.UTC)))  # type: ignore[attr-defined]
        conn.execute(
            sa.insert(Membership.__table__),  # type: ignore[attr-defined]
            [
                {"member_id": 1, "framework_id": 1, "role": "member"},
                {"member_id": 1, "framework_id": 2, "role": "viewer"},
            ],
        )
        conn.execute(sa.text("INSERT INTO affiliation (member_id, stakeholder_id) VALUES (1, 1)"))
    engine.dispose()
    before = path.read_bytes()
    refused = tracker("--db", str(path), "db", "upgrade")
    assert refused.code == 2 and "--admin" in refused.err
    assert path.read_bytes() == before
    done = tracker("--db", str(path), "db", "upgrade", "--admin", "ana")
    assert done.code == 0 and "ana is its admin" in done.out, done.err
    engine = make_engine(str(path))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT member_id, framework_id, stakeholder_id FROM affiliation ORDER BY framework_id")
            ).all()
        assert [tuple(r) for r in rows] == [(1, 1, 1), (1, 2, 1)]  # not in framework 3, where ana has no role
    finally:
        engine.dispose()
    again = tracker("--db", str(path), "db", "upgrade", "--admin", "bo")
    assert again.code == 2 and "admin add" in again.err
