"""Real databases for tests: a SQLite file per test, and PostgreSQL when TRACKER_TEST_PG is set.

`engine` is the backend under test: PostgreSQL when ``TRACKER_TEST_PG`` names a
server (CI runs the whole suite a second time that way), else SQLite. Tests
about SQLite itself use `sqlite_engine`. A PostgreSQL database is made per test
from a migrated template, so every test starts from an empty, current schema.
"""

from __future__ import annotations

import getpass
import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from tracker.db import make_engine, resolve_url, upgrade, write_session
from tracker.services.access.members import ensure_first_admin

PG_URL = os.environ.get("TRACKER_TEST_PG")
REPO = Path(__file__).resolve().parents[1]


# Whoever runs the tests is the test databases' admin, as `tracker db upgrade` makes
# the login that creates a database its admin (commands without --as act as them):
# the OS login on SQLite, the database role on PostgreSQL.
ADMIN = (make_url(resolve_url(PG_URL)).username if PG_URL else None) or getpass.getuser()
SEED_DIR = REPO / "seed"

_counter = itertools.count()


def pytest_report_header(config: pytest.Config) -> str:
    return f"tracker backend: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"tracker_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    template = make_engine(_pg_url(name))
    _upgrade_with_admin(template)
    template.dispose()
    yield name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def admin_login(engine: Engine) -> str:
    """Who the CLI acts as without --as on this database: its admin in tests."""
    return ADMIN if engine.dialect.name == "postgresql" else getpass.getuser()


def _upgrade_with_admin(engine: Engine) -> None:
    upgrade(engine)
    with write_session(engine) as session:
        ensure_first_admin(session, admin_login(engine))


def _pg_url(database: str) -> str:
    assert PG_URL
    return make_url(resolve_url(PG_URL)).set(database=database).render_as_string(hide_password=False)


@contextmanager
def _empty_database(tmp_path: Path, pg_template: str | None, name: str) -> Iterator[str]:
    """URL of an empty, migrated database of the backend under test, dropped afterwards."""
    if pg_template is None:
        path = tmp_path / f"{name}.db"
        engine = make_engine(str(path))
        _upgrade_with_admin(engine)
        engine.dispose()
        yield str(path)
        return
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    database = f"{name}_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{database}" TEMPLATE "{pg_template}"')
    yield _pg_url(database)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path, pg_template: str | None) -> Iterator[str]:
    """URL of an empty, migrated database of the backend under test."""
    with _empty_database(tmp_path, pg_template, "tracker") as url:
        yield url


@pytest.fixture
def fresh_url(tmp_path: Path, pg_template: str | None) -> Iterator[str]:
    """A second empty, migrated database of the backend under test (where an export is seeded)."""
    with _empty_database(tmp_path, pg_template, "fresh") as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """An empty, migrated SQLite file, whatever the backend under test."""
    path = tmp_path / "sqlite.db"
    engine = make_engine(str(path))
    _upgrade_with_admin(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_engine(sqlite_path: Path) -> Iterator[Engine]:
    engine = make_engine(str(sqlite_path))
    yield engine
    engine.dispose()


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows per table: what a user's data is, to compare before and after."""
    from tracker.models import metadata

    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
        }


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: equal dumps mean equal data."""
    from tracker.models import metadata

    with engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in conn.execute(sa.select(table))), key=repr)
            for name, table in metadata.tables.items()
        }
