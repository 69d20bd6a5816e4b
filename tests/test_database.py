"""The database layer: migrations match the models, old or new schemas are refused."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tracker.db import (
    check_schema,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
    write_session,
)
from tracker.errors import SchemaMismatch
from tracker.models import metadata


def test_migrations_build_exactly_the_schema_of_the_models(engine: Engine) -> None:
    """A model change without a migration would break every existing database."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
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
    assert result.code == 1 and result.err.startswith("tracker: Cannot open the database")
    assert "Traceback" not in result.err


def test_the_head_revision_constant_matches_the_migrations() -> None:
    """check_schema trusts this constant to skip loading Alembic at every start."""
    from tracker.db.migrate import HEAD_REVISION

    assert head_revision() == HEAD_REVISION
