"""The team server on PostgreSQL: the key-lookup role, the gateway role, and members over ssh.

On PostgreSQL sshd's key lookup logs in as the database's lookup role, which may call one
function and read nothing else, and each session logs in as the gateway role and SET
ROLEs to the member's own role, so that row-level security decides as if the member had
connected. If the lookup role could read tables, anyone who can run the helper could read
every plan; if the gateway did not SET ROLE, every member would act with its rights (or
none). The tests without sshd run whenever TRACKER_TEST_PG is set; those through a real
sshd also need TRACKER_TEST_SSHD=1 (as root), as CI's PostgreSQL pass has.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.cli import tracker, tracker_process
from tests.conftest import PG_URL, _empty_database, dump
from tests.plans import MINIMAL
from tests.test_ssh_session import FP, KEY
from tests.test_team_server import (
    ME,
    SSHD,
    Server,
    _clean_env,
    _free_port,
    _keygen,
    _launcher,
    open_app_over_ssh,
    running_sshd,
    service_account,
)
from tracker.db import make_engine, resolve_url
from tracker.server.setup import CONNECTIONS_PER_SESSION

KEY_TYPE, KEY_DATA = KEY.split()[:2]
pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG")
needs_sshd = pytest.mark.skipif(
    os.environ.get("TRACKER_TEST_SSHD") != "1" or os.geteuid() != 0 or not Path(SSHD).exists(),
    reason="needs root and sshd: set TRACKER_TEST_SSHD=1 (`.ci/run` installs openssh-server and sets it)",
)


@dataclass(frozen=True)
class Team:
    url: str  # the superuser's URL of the database: the tests' administrator
    prefix: str

    @property
    def gateway(self) -> str:
        return self.prefix + "gateway"

    @property
    def lookup(self) -> str:
        return self.prefix + "lookup"

    def as_role(self, role: str) -> str:
        return make_url(resolve_url(self.url)).set(drivername="postgresql", username=role).render_as_string(False)

    def connect(self, role: str) -> psycopg.Connection[Any]:
        return psycopg.connect(self.as_role(role), autocommit=True)

    def run(self, *args: str, input: str | None = None) -> Any:
        return tracker("--db", self.url, *args, input=input)

    def dump(self) -> str:
        """Every row, but the keys' last use, which every login records."""
        engine = make_engine(self.url)
        try:
            rows = dump(engine)
            rows.pop("member_key")
            return repr(rows)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def team(pg_template: str | None) -> Iterator[Team]:
    """A database with two cities; domus is a member in the first (domus-kids), vera a
    viewer there; domus's key is registered."""
    with _empty_database(Path("/nonexistent"), pg_template, "teamserver") as url:
        t = Team(url, "")
        for args, text in [
            (("seed", "-"), MINIMAL),
            (("seed", "-"), MINIMAL.replace("key: stamford-ct", "key: riverton", 1)),
            (("member", "add", "domus", "--role", "member", "-f", "stamford-ct", "-s", "domus-kids"), None),
            (("member", "add", "vera", "--role", "viewer", "-f", "stamford-ct"), None),
            (("member", "key", "add", "domus", "-"), KEY),
        ]:
            done = t.run(*args, input=text)
            assert done.code == 0, done.err
        engine = make_engine(url)
        with engine.connect() as conn:
            prefix = conn.execute(sa.text("SELECT tracker_private.role_prefix()")).scalar_one()
        engine.dispose()
        yield Team(url, prefix)


def _refused(conn: psycopg.Connection[Any], sql: str) -> bool:
    try:
        conn.execute(sql.encode())
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_lookup_role_reads_nothing_but_the_functions_answer(team: Team) -> None:
    """sshd's lookup runs before anyone has logged in: its role may learn whose a key is
    and nothing else, not the keys, the people, nor the plan."""
    with team.connect(team.lookup) as conn:
        for table in ("member", "member_key", "action", "framework", "status_change", "membership", "admin"):
            assert _refused(conn, f"SELECT count(*) FROM {table}"), table
        assert _refused(conn, "SELECT tracker_private.open_session('domus', 'x')")
        assert _refused(conn, "SELECT tracker_private.role_prefix()")
        assert _refused(conn, 'SET ROLE "domus"')
        found = conn.execute(
            b"SELECT login, fingerprint FROM tracker_private.key_owner(%s, %s)", (KEY_TYPE, KEY_DATA)
        ).fetchall()
        assert found == [("domus", FP)]
        assert conn.execute(b"SELECT * FROM tracker_private.key_owner(%s, %s)", ("ssh-rsa", KEY_DATA)).fetchall() == []


def test_the_gateway_role_holds_nothing_until_it_acts_as_a_member(team: Team) -> None:
    """The gateway may only become a member (SET ROLE); by itself, or after RESET ROLE,
    it reads and writes nothing, and it cannot become a role that is no member's."""
    with team.connect(team.gateway) as conn:
        for sql in ("SELECT count(*) FROM action", "SELECT count(*) FROM member_key", "DELETE FROM status_change"):
            assert _refused(conn, sql), sql
        assert _refused(conn, "SELECT * FROM tracker_private.key_owner('ssh-ed25519', 'x')")
        # Nor the role creator, nor a built-in role that reads or writes every table. (It may
        # become an admin whose key it serves, and so the admins' group: here the template's
        # group roles are shared by every test database, so some test's admin may be one.)
        for role in (f"{team.prefix}roles", "pg_read_all_data", "pg_write_all_data", "postgres"):
            assert _refused(conn, f'SET ROLE "{role}"'), role
        conn.execute(b'SET ROLE "domus"')
        assert conn.execute(b"SELECT current_user").fetchone() == ("domus",)
        conn.execute(b"RESET ROLE")
        assert _refused(conn, "SELECT count(*) FROM action")


def test_the_lookup_prints_the_gateway_command_and_loads_no_orm(team: Team) -> None:
    """`tracker server authorized-keys` on the gateway's URL answers through the lookup
    role with psycopg alone: no SQLAlchemy, Typer or pydantic at every key sshd asks about."""
    gateway = team.as_role(team.gateway)
    code = (
        "import sys\n"
        f"sys.argv = ['tracker', '--db', {gateway!r}, 'server', 'authorized-keys', {ME!r}, {KEY_TYPE!r}, "
        f"{KEY_DATA!r}]\n"
        "from tracker.cli.entry import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'typer', 'pydantic', "
        "'rich', 'textual', 'alembic', 'yaml'})\n"
        "print('heavy:', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    line = done.stdout.splitlines()[0]
    assert line.startswith('restrict,pty,command="/') and line.endswith(
        f" --db '{gateway}' ssh-session --member domus --key {FP}\" {KEY_TYPE} {KEY_DATA}"
    ), done.stdout + done.stderr
    assert done.stdout.strip().endswith("heavy: []"), done.stdout
    other = tracker_process("--db", gateway, "server", "authorized-keys", ME, KEY_TYPE, KEY_DATA[:-4] + "AAAA")
    assert (other.code, other.out) == (0, "")


def _session(team: Team, command: str, fingerprint: str = FP, member: str = "domus") -> Any:
    """The forced command as sshd runs it, without sshd: the gateway's URL, the key's member."""
    script = os.path.join(os.path.dirname(sys.executable), "tracker")
    args = ["--db", team.as_role(team.gateway), "ssh-session", "--member", member, "--key", fingerprint]
    return subprocess.run(
        [script, *args], env={**_clean_env(), "SSH_ORIGINAL_COMMAND": command}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_a_session_acts_as_the_members_own_role(team: Team) -> None:
    """Through the gateway, domus reads Stamford only, and the database itself (its
    policies, current_user) records the status change as domus; an action of another
    organisation is refused (4) and a key that is not domus's gets nothing."""
    listed = _session(team, "actions list --json")
    assert listed.returncode == 0, listed.stderr
    assert {a["framework"] for a in json.loads(listed.stdout)["actions"]} == {"stamford-ct"}
    done = _session(team, "actions set-status stamford-ct/convene blocked --note 'via the gateway'")
    assert done.returncode == 0, done.stderr
    engine = make_engine(team.url)
    with engine.connect() as conn:
        by = conn.execute(
            sa.text(
                "SELECT m.login, m.db_role, s.via_key FROM status_change s JOIN member m ON m.id = s.member_id "
                "WHERE s.note = 'via the gateway'"
            )
        ).one()
        used = conn.execute(sa.text("SELECT last_used_at FROM member_key WHERE fingerprint = :f"), {"f": FP}).scalar()
    engine.dispose()
    assert tuple(by) == ("domus", "domus", FP) and used is not None  # the key, though the member's role wrote it
    before = team.dump()
    assert _session(team, "actions set-status stamford-ct/reporting done").returncode == 4
    stranger = _session(team, "actions list", fingerprint="SHA256:" + "A" * 43)
    assert stranger.returncode == 4 and "not an enabled key of domus" in stranger.stderr
    assert team.dump() == before


def test_check_names_a_member_the_gateway_cannot_act_as(team: Team, tmp_path: Path) -> None:
    """`tracker server check` logs in as both roles: nothing to say about them on a sound
    database; a member's role taken from the gateway is named, one line, exit 1."""
    args = ["server", "check", "--user", ME, "--db", team.as_role(team.gateway),
            "--helper", str(tmp_path / "helper"), "--drop-in", str(tmp_path / "d.conf")]  # fmt: skip
    lines = tracker(*args).out.splitlines()
    assert not [line for line in lines if team.gateway in line or team.lookup in line], lines
    engine = make_engine(team.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'REVOKE "vera" FROM "{team.gateway}"'))
        try:
            result = tracker(*args)
        finally:
            conn.execute(sa.text(f'GRANT "vera" TO "{team.gateway}"'))
    engine.dispose()
    assert result.code == 1
    assert [line for line in result.out.splitlines() if "vera" in line] == [
        f"the gateway role {team.gateway} cannot act as vera's database role vera: as a superuser, "
        f'GRANT "vera" TO "{team.gateway}" (or `tracker member add` again).'
    ]


def test_check_says_when_a_role_cannot_log_in(team: Team, tmp_path: Path) -> None:
    """A database the roles cannot reach (here: one that does not exist) is one line per
    role, saying who tried and where to look, not a traceback."""
    missing = make_url(team.as_role(team.gateway)).set(database="no_such_tracker_db").render_as_string(False)
    result = tracker("server", "check", "--user", ME, "--db", missing, "--helper", str(tmp_path / "h"),
                     "--drop-in", str(tmp_path / "d.conf"))  # fmt: skip
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "cannot connect" in line]
    assert len(lines) == 2, result.out
    assert lines[0].startswith(f"{ME} cannot connect as the key-lookup role {team.lookup}: ")
    assert lines[1].startswith(f"{ME} cannot connect as the gateway role {team.gateway}: ")
    assert all("pg_hba.conf" in line and "no_such_tracker_db" in line for line in lines), lines


def test_setup_names_the_gateway_and_prints_the_roles_setup(tmp_path: Path) -> None:
    """The helper and forced command name the gateway role, never a password; the
    administrator gets the pg_ident and pg_hba lines for the service account."""
    url = "postgresql://owner@/plans?host=/var/run/postgresql"
    result = tracker("server", "setup", "--user", "svc", "--db", url, "--print")
    assert result.code == 0, result.err
    assert "'postgresql://tracker_plans_gateway@/plans?host=%2Fvar%2Frun%2Fpostgresql' \"$@\"" in result.out
    assert "tracker-server  svc  tracker_plans_lookup" in result.out
    assert "local  plans  tracker_plans_lookup,tracker_plans_gateway  peer map=tracker-server" in result.out
    secret = tracker("server", "setup", "--db", "postgresql://owner:s3cret@/plans", "--print")
    assert secret.code == 2 and "password" in secret.err and "s3cret" not in secret.out + secret.err


# -- through a real sshd --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_server(team: Team) -> Iterator[tuple[Server, dict[str, Path]]]:
    """A private sshd whose helper and sessions use the database's lookup and gateway
    roles, for a service account made for the test; keys for domus and vera."""
    with service_account() as (base, user):
        server = Server(base, user, _free_port(), team.as_role(team.gateway), _launcher(base), None)  # type: ignore[arg-type]
        keys = {}
        for login in ("domus", "vera"):
            keys[login] = _keygen(base / f"{login}_key")
            done = team.run("member", "key", "add", login, "-", input=keys[login].with_suffix(".pub").read_text())
            assert done.code == 0, done.err
        with running_sshd(server):
            yield server, keys


@needs_sshd
def test_check_as_the_service_account_finds_nothing_wrong(pg_server: tuple[Server, dict[str, Path]]) -> None:
    """Run as the service account, as the README says, check logs in to both roles."""
    server, _ = pg_server
    done = subprocess.run(
        ["runuser", "-u", server.user, "--", server.tracker, "server", "check", "--user", server.user,
         "--db", str(server.db), "--helper", str(server.base / "libexec" / "authorized-keys"),
         "--drop-in", str(server.base / "sshd_config.d" / "tracker.conf")],
        capture_output=True, text=True, env=_clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@needs_sshd
def test_a_members_key_over_ssh_works_as_their_role(team: Team, pg_server: tuple[Server, dict[str, Path]]) -> None:
    """`ssh tracker@server actions list` reads domus's city only; a status change over ssh
    is recorded as domus by the database's own default (their role's member)."""
    server, keys = pg_server
    done = server.ssh("actions list --json", key=keys["domus"])
    assert done.returncode == 0, done.stderr
    assert {a["framework"] for a in json.loads(done.stdout)["actions"]} == {"stamford-ct"}
    done = server.ssh("actions set-status stamford-ct/convene in_progress --note 'over ssh on pg'", key=keys["domus"])
    assert done.returncode == 0, done.stderr
    history = json.loads(team.run("actions", "history", "stamford-ct/convene", "--json").out)
    assert [(c["by"], c["note"]) for c in history["changes"]][-1] == ("domus", "over ssh on pg")
    assert history["changes"][-1]["via_key"] is not None  # the audit names the key it came with


@needs_sshd
def test_a_viewers_key_cannot_write_over_ssh(team: Team, pg_server: tuple[Server, dict[str, Path]]) -> None:
    """vera reads Stamford over ssh but a status change is refused (4), nothing changed."""
    server, keys = pg_server
    assert server.ssh("actions list", key=keys["vera"]).returncode == 0
    before = team.dump()
    done = server.ssh("actions set-status stamford-ct/convene done", key=keys["vera"])
    assert done.returncode == 4 and done.stderr.startswith("tracker: "), done.stderr
    assert team.dump() == before


@needs_sshd
def test_the_app_over_ssh_listens_as_the_member(team: Team, pg_server: tuple[Server, dict[str, Path]]) -> None:
    """`ssh -t` opens the app as domus; its connections, the pool's and the LISTEN one for
    live refresh, are the gateway's logins, each acting as domus (the figure the README
    gives for max_connections: CONNECTIONS)."""
    import time

    server, keys = pg_server
    seen: list[tuple[str, str]] = []

    def connections() -> None:
        deadline = time.monotonic() + 20
        with team.connect("postgres") as conn:
            while time.monotonic() < deadline:
                seen[:] = conn.execute(
                    b"SELECT backend_type, left(query, 6) FROM pg_stat_activity WHERE usename = %s "
                    b"AND datname = current_database()",
                    (team.gateway,),
                ).fetchall()
                if any(query == "LISTEN" for _, query in seen):
                    return
                time.sleep(0.2)

    assert open_app_over_ssh(server, keys["domus"], "Stamford", while_open=connections) == 0
    print(f"CONNECTIONS: {len(seen)} {seen}")
    assert any(query == "LISTEN" for _, query in seen), seen
    assert 2 <= len(seen) <= CONNECTIONS_PER_SESSION, seen


def test_the_migration_goes_down_and_up_keeping_the_roles(pg_template: str | None, tmp_path: Path) -> None:
    """Down to 0015 the lookup and gateway functions go, the roles stay (other databases on
    the server may share them) and the gateway is given no new member; up again, all back."""
    from alembic import command

    from tracker.db import upgrade
    from tracker.db.migrate import alembic_config

    with _empty_database(tmp_path, pg_template, "updown16") as url:
        engine = make_engine(url)
        functions = "SELECT to_regprocedure('tracker_private.key_owner(text, text)') IS NOT NULL"
        with engine.connect() as conn:
            prefix = conn.execute(sa.text("SELECT tracker_private.role_prefix()")).scalar_one()
            command.downgrade(alembic_config(conn), "0015")
            conn.commit()
        roles = "SELECT count(*) FROM pg_roles WHERE rolname IN (:l, :g)"
        names = {"l": prefix + "lookup", "g": prefix + "gateway"}
        with engine.connect() as conn:
            assert conn.execute(sa.text(functions)).scalar_one() is False
            assert conn.execute(sa.text(roles), names).scalar_one() == 2
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text(functions)).scalar_one() is True
        engine.dispose()


def test_an_owner_who_is_no_superuser_makes_the_roles_through_the_role_creator(tmp_path: Path) -> None:
    """As the README has it, the schema's owner migrates: it makes the lookup and gateway
    roles as the database's role creator (0007), and a member it adds is given to the
    gateway; nobody needs a superuser after the first script."""
    assert PG_URL
    name = f"ownerpath_{os.getpid()}"
    owner = f"tracker_test_owner_{os.getpid()}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    base = make_url(resolve_url(PG_URL))
    url = base.set(database=name, username=owner).render_as_string(hide_password=False)
    prefix = f"tracker_{name}_"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
        first = tracker("--db", url, "db", "upgrade", "--admin", "ana")
        assert first.code == 4 and "CREATE ROLE" in first.err, first.err
        script = first.err.split("as a superuser: ", 1)[1].split("; then run", 1)[0]
        for statement in script.split("; "):
            conn.execute(sa.text(statement))
    try:
        done = tracker("--db", url, "db", "upgrade", "--admin", "ana")
        assert done.code == 0, done.err
        for args in (("seed", "-"), ("member", "add", "olu", "--role", "viewer", "-f", "stamford-ct")):
            done = tracker("--db", url, "--as", "ana", *args, input=MINIMAL)
            assert done.code == 0, done.err
        with admin.connect() as conn:
            made = conn.execute(
                sa.text("SELECT rolname, rolcanlogin, rolinherit FROM pg_roles WHERE rolname IN (:l, :g) ORDER BY 1"),
                {"l": prefix + "lookup", "g": prefix + "gateway"},
            ).all()
            given = conn.execute(sa.text("SELECT pg_has_role(:g, 'olu', 'MEMBER')"), {"g": prefix + "gateway"})
            assert [tuple(r) for r in made] == [(prefix + "gateway", True, False), (prefix + "lookup", True, False)]
            assert given.scalar_one() is True
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'DROP OWNED BY "{owner}"'))
            conn.execute(sa.text(f'DROP ROLE "{owner}"'))
        admin.dispose()
