"""The database layer: migrations match the models, old or new schemas are refused."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import PG_URL
from tracker.db import (
    check_schema,
    current_revision,
    head_revision,
    make_engine,
    read_session,
    upgrade,
    write_session,
)
from tracker.errors import SchemaMismatch
from tracker.models import metadata

# Indexes that only the migrations know: on PostgreSQL only, over an expression that SQLite
# could not reflect (declared in the models, Alembic warns on SQLite that it cannot compare it).
MIGRATIONS_ONLY = {"ix_member_login_folded"}


def test_migrations_build_exactly_the_schema_of_the_models(engine: Engine) -> None:
    """A model change without a migration would break every existing database."""

    def compared(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        return not (type_ == "index" and name in MIGRATIONS_ONLY)

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": compared})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert upgrade(engine) == (head_revision(), head_revision())
    check_schema(engine)


def test_an_empty_database_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    """A user pointing tracker at a new file is told to run `tracker db upgrade`."""
    engine = make_engine(str(tmp_path / "new.db"))
    with pytest.raises(SchemaMismatch, match=r"has no tracker tables yet; run `tracker db upgrade`"):
        check_schema(engine)
    engine.dispose()
    result = tracker("--db", str(tmp_path / "new.db"), "seed", "seed/stamford-ct.yaml")
    assert result.code == 1
    assert result.err.strip().endswith("run `tracker db upgrade`.")


def test_unknown_or_missing_revisions_are_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(SchemaMismatch, match="newer version of tracker"):
        check_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
    with pytest.raises(SchemaMismatch, match="no tracker tables yet"):
        check_schema(engine)


def test_a_database_from_a_newer_tracker_is_refused_and_left_alone(engine: Engine, db_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    for command in (
        ["db", "upgrade"],
        ["validate", "seed/stamford-ct.yaml"],
        ["seed", "seed/stamford-ct.yaml"],
    ):
        result = tracker("--db", db_url, *command)
        if command[0] == "validate":
            assert result.code == 0  # validating files needs no database
            continue
        assert result.code == 1, result
        assert "newer version of tracker" in result.err
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "ffff9999"


def test_sqlite_is_set_up_for_concurrent_use(sqlite_engine: Engine) -> None:
    """WAL, a busy timeout and foreign keys: what several members on one file need."""
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_concurrent_read_modify_writes_lose_nothing_on_sqlite(sqlite_engine: Engine) -> None:
    """Writers queue for the lock instead of overwriting each other or failing 'locked'.

    This is what BEGIN IMMEDIATE buys on SQLite; with pysqlite's deferred BEGIN
    the same loop loses updates or fails with "database is locked".
    """
    engine = sqlite_engine
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO stakeholder (key, name, sector) VALUES ('counter', '0', 'other')"))
    errors: list[BaseException] = []

    def bump(times: int) -> None:
        try:
            for _ in range(times):
                with write_session(engine) as session:
                    value = int(
                        session.execute(sa.text("SELECT name FROM stakeholder WHERE key='counter'")).scalar_one()
                    )
                    session.execute(
                        sa.text("UPDATE stakeholder SET name = :v WHERE key='counter'"),
                        {"v": str(value + 1)},
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM stakeholder WHERE key='counter'")).scalar() == "100"


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO goal (framework_id, key, position, title) VALUES (999, 'g', 0, 't')"))


def test_bad_database_urls_get_one_sentence(tmp_path: Path) -> None:
    result = tracker("--db", "mysql://x@y/z", "db", "upgrade")
    assert result.code == 2 and "tracker works with SQLite" in result.err
    result = tracker("--db", str(tmp_path / "no" / "such" / "dir" / "t.db"), "db", "upgrade")
    assert result.code == 1 and "does not exist" in result.err
    result = tracker("--db", "postgresql://nobody@/nodb?host=/nonexistent", "db", "upgrade")
    assert result.code == 1 and result.err.startswith("tracker: Cannot reach the database server for postgresql")
    assert "Traceback" not in result.err


def test_the_head_revision_constant_matches_the_migrations() -> None:
    """check_schema trusts this constant to skip loading Alembic at every start."""
    from tracker.db.migrate import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


# -- disk and permission trouble: one sentence, non-zero exit, the file untouched ----------------


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _seeded_sqlite(path: Path) -> Path:
    """A migrated, seeded SQLite file with members, checkpointed into one file."""
    from tests.tracking import seeded

    engine = make_engine(str(path))
    upgrade(engine)
    seeded(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


WRITES = (
    ["seed", "seed/stamford-ct.yaml"],
    ["--as", "domus", "actions", "set-status", "stamford-ct/convene", "in_progress", "-m", "started"],
)


def _refused(db: str, command: list[str], *, says: str, path: Path) -> None:
    before = _sha(path)
    result = tracker("--db", db, *command)
    assert result.code != 0, (command, result)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracker: ") and says in lines[0], (command, result.err)
    assert "Traceback" not in result.err + result.out
    assert _sha(path) == before, f"{command} changed the file"


def _permissions_apply() -> list[str]:
    """A command prefix under which file permissions bind: none needed for a normal user;
    for root (as in CI), setpriv dropping the capabilities that let root ignore them."""
    import os
    import shutil
    import subprocess

    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    drop = "-dac_override,-dac_read_search"
    if setpriv is None:
        pytest.skip("root ignores file permissions, and setpriv (util-linux) is not there to drop that right")
    prefix = [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}"]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("root ignores file permissions, and setpriv cannot drop that right here")
    return prefix


def test_a_read_only_database_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    """A database file the user may not write (chmod 0444): writing commands say so in
    one sentence and leave the file as it was; reading still works. Run as a real
    process without the right to ignore permissions (root has it, and CI runs as root)."""
    import stat
    import subprocess
    import sys

    prefix = _permissions_apply()
    path = _seeded_sqlite(tmp_path / "plans.db")
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = _sha(path)
    command = [*prefix, str(Path(sys.executable).parent / "tracker"), "--db", str(path)]
    try:
        for args in WRITES:
            result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)
            assert result.returncode == 1, (args, result)
            assert result.stderr == (
                "tracker: the database is read-only (check the permissions of the file and its folder); "
                "nothing was changed.\n"
            )
            assert _sha(path) == before
        listed = subprocess.run([*command, "actions", "list", "--json"], capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0 and '"total": 2' in listed.stdout, listed.stderr
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert _sha(path) == before


def test_a_database_opened_read_only_refuses_writes_in_one_sentence(tmp_path: Path) -> None:
    """SQLite opened read-only (a URI with mode=ro, e.g. a shared copy): SQLite itself
    refuses the write, as for a read-only file, whoever runs tracker (root included)."""
    path = _seeded_sqlite(tmp_path / "plans.db")
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    for command in WRITES:
        _refused(url, command, says="the database is read-only", path=path)
    listed = tracker("--db", url, "actions", "list", "--json")
    assert listed.code == 0 and '"total": 2' in listed.out


def test_a_missing_folder_in_the_database_path_is_one_sentence(tmp_path: Path) -> None:
    """--db in a folder that does not exist: every command says so, creates nothing."""
    db = tmp_path / "no" / "such" / "dir" / "plans.db"
    for command in (*WRITES, ["actions", "list"], ["summary"]):
        result = tracker("--db", str(db), *command)
        assert result.code == 1, (command, result)
        assert result.err.strip() == (
            f"tracker: The folder {db.parent} for the database file does not exist; "
            "create it or give another --db path."
        )
    assert not (tmp_path / "no").exists()
    opened = tracker_process("--db", str(db))  # the app itself, as a person starts it
    assert opened.code == 1 and "for the database file does not exist" in " ".join(opened.err.split())
    assert "Traceback" not in opened.err


def test_a_database_from_a_newer_tracker_is_left_byte_for_byte(tmp_path: Path) -> None:
    """A file stamped by a newer tracker (an unknown revision): seed, set-status, list and
    the app refuse in one sentence and the file keeps every byte."""
    path = _seeded_sqlite(tmp_path / "plans.db")
    engine = make_engine(str(path))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    engine.dispose()
    for command in (*WRITES, ["actions", "list"], ["db", "upgrade"]):
        _refused(str(path), command, says="was written by a newer version of tracker", path=path)
    before = _sha(path)
    opened = tracker_process("--db", str(path))
    assert opened.code == 1 and "was written by a newer version of tracker" in " ".join(opened.err.split())
    assert _sha(path) == before


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG")
def test_postgresql_connections_compile_no_statement_with_jit(db_url: str) -> None:
    """Under row-level security a member's report looked costly enough for PostgreSQL's
    JIT, which then spent seconds compiling what runs in under one: every connection the
    tool opens turns it off, also the ones the pool opens later."""
    engine = make_engine(db_url, pool_size=1, max_overflow=1)
    with engine.connect() as first, engine.connect() as second:
        assert first.execute(sa.text("SHOW jit")).scalar_one() == "off"
        assert second.execute(sa.text("SHOW jit")).scalar_one() == "off"
    engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG")
def test_postgresql_connections_keep_their_prepared_statements_across_reads(db_url: str) -> None:
    """psycopg prepares a statement at its fifth use on a connection and forgets them all at
    a ROLLBACK: when every read ended in one, each status change parsed and planned its
    statements again, under row-level security with every policy (writers as member roles
    1.35x slower than the owner). Reads and writes on a pooled connection keep them now."""
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    query = sa.text("SELECT count(*) FROM framework WHERE id > :n")
    for n in range(8):
        with read_session(engine) as session:
            session.execute(query, {"n": n}).scalar_one()
        with write_session(engine) as session:
            session.execute(sa.text("UPDATE framework SET title = title WHERE id = :n"), {"n": -n})
    with read_session(engine) as session:
        prepared = session.execute(sa.text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    engine.dispose()
    assert any("FROM framework WHERE id >" in s for s in prepared), prepared
    assert any(s.startswith("UPDATE framework") for s in prepared), prepared


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG")
def test_a_write_in_a_read_session_is_refused_on_postgresql(db_url: str) -> None:
    """Read sessions end in COMMIT on PostgreSQL (to keep prepared statements), so their
    transactions are READ ONLY: a write there by mistake fails and changes nothing, where
    before it was rolled back silently; the connection serves the next read and write."""
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"), read_session(engine) as session:
        session.execute(sa.text("UPDATE member SET name = 'changed in a read'"))
    with read_session(engine) as session:
        assert session.execute(sa.text("SHOW transaction_read_only")).scalar_one() == "on"
        names = session.execute(sa.text("SELECT name FROM member")).scalars().all()
        assert names and "changed in a read" not in names, names
    with write_session(engine) as session:
        assert session.execute(sa.text("SHOW transaction_read_only")).scalar_one() == "off"
    engine.dispose()
