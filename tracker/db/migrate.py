"""Alembic migrations run from code, and the check that a database is up to date."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from tracker.errors import DatabaseUnavailable, PermissionDenied, SchemaMismatch

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

UPGRADE_HINT = "run `tracker db upgrade`"
# The newest revision, known without loading Alembic (which costs ~175 ms at
# every start); a test checks it against the migration scripts.
HEAD_REVISION = "0024"
STORED_REVISION = sa.text("SELECT version_num FROM alembic_version")


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """The migrations' configuration, without an alembic.ini on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "tracker.db:migrations")
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None when it has no tracker schema."""
    from alembic.runtime.migration import MigrationContext

    with _connect(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """The revision in ``alembic_version``, read with one plain query."""
    with _connect(engine) as connection:
        try:
            with connection.begin():
                return connection.execute(STORED_REVISION).scalar()
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) == _NO_PRIVILEGE:
                raise _no_role_here(connection) from None
            return None  # no alembic_version table: no tracker schema
        except OperationalError as exc:
            if "no such table" in str(exc.orig):
                return None  # SQLite: no tracker schema
            raise  # a locked or unreadable file is said as such, never as "no tracker tables yet"


# PostgreSQL's "insufficient_privilege": the tables are there, this role holds no group.
_NO_PRIVILEGE = "42501"


def _no_role_here(connection: sa.Connection) -> PermissionDenied:
    """A PostgreSQL role with none of this database's groups: one whose member was taken out
    of every framework (or never added), not a database without tracker's tables."""
    role = connection.execute(sa.text("SELECT current_user")).scalar_one()
    return PermissionDenied(
        f"the database role {role} has no role in any framework of this database, so there is nothing it may "
        "read; a coordinator or an admin can add it with `tracker member add`."
    )


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; returns (before, after)."""
    from alembic import command

    before = current_revision(engine)
    if before is not None and not _known(before):
        raise SchemaMismatch(_newer_message(engine, before))
    with _connect(engine) as connection:
        if connection.dialect.name != "sqlite":
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
        else:
            with _foreign_keys_off(connection):
                command.upgrade(alembic_config(connection), revision)
                connection.commit()
    return before, head_revision()


class _foreign_keys_off:
    """SQLite alters a table by copying it (Alembic's batch mode) and dropping the old
    one; with foreign keys on, that drop first deletes the rows of every table that
    refers to it ON DELETE CASCADE (an action's partners, funding, history). As SQLite's
    documentation says to, keys are off while the schema changes (set outside a
    transaction, where SQLite honours it) and checked before they are on again."""

    def __init__(self, connection: sa.Connection) -> None:
        self.driver = connection.connection.driver_connection
        self.connection = connection

    def __enter__(self) -> None:
        self.driver.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                broken = self.driver.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
                if broken:
                    raise SchemaMismatch(
                        f"The upgrade left {len(broken)} rows referring to missing rows (first in table "
                        f"{broken[0][0]}); restore the database file from its backup and report this."
                    )
        finally:
            self.driver.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def check_schema(engine: Engine) -> None:
    """Refuse a database whose schema is missing, behind, or from a newer tracker."""
    revision = _stored_revision(engine)
    if revision == HEAD_REVISION:
        return
    head = head_revision()
    where = _where(engine)
    if revision is None:
        raise SchemaMismatch(f"The database {where} has no tracker tables yet; {UPGRADE_HINT}.")
    if not _known(revision):
        raise SchemaMismatch(_newer_message(engine, revision))
    raise SchemaMismatch(
        f"The database {where} is at schema revision {revision}, behind this version of "
        f"tracker ({head}); {UPGRADE_HINT}."
    )


def _known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _newer_message(engine: Engine, revision: str) -> str:
    return (
        f"The database {_where(engine)} was written by a newer version of tracker "
        f"(schema revision {revision}); upgrade tracker to use it."
    )


def _where(engine: Engine) -> str:
    from tracker.db.engine import describe

    return describe(engine.url.render_as_string(hide_password=True))


class _connect:
    """A connection whose failures to open become one clear sentence."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: sa.Connection | None = None

    def __enter__(self) -> sa.Connection:
        try:
            self.connection = self.engine.connect()
        except (OperationalError, ProgrammingError) as exc:
            if self.engine.dialect.name == "postgresql" and "FATAL" not in _first_line(exc):
                # No server answered at that address (stopped, wrong host or socket); a server
                # that answered and refused (no such database, bad password) says FATAL.
                raise DatabaseUnavailable(
                    f"Cannot reach the database server for {_where(self.engine)} (is it running?): {_first_line(exc)}."
                ) from None
            raise DatabaseUnavailable(f"Cannot open the database {_where(self.engine)}: {_first_line(exc)}.") from None
        return self.connection

    def __exit__(self, *exc_info: object) -> None:
        if self.connection is not None:
            self.connection.close()


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0].rstrip(".") if str(original).strip() else type(exc).__name__
