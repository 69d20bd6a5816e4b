"""One engine factory for SQLite (embedded default) and PostgreSQL (team server)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from tracker.errors import BadInput, DatabaseUnavailable
from tracker.fast.store import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from tracker.fast.store import default_sqlite_path as default_sqlite_path
from tracker.fast.store import prepare_sqlite

READ_ONLY = "tracker_read_only"


def resolve_url(url: str | None = None) -> str:
    """The SQLAlchemy URL for ``--db``, else ``TRACKER_DB``, else the default file.

    A plain path is taken as a SQLite file; ``postgresql://`` and ``postgres://``
    go through psycopg 3.
    """
    url = url or os.environ.get("TRACKER_DB") or None
    if url is None:
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" not in url:
        try:
            return f"sqlite:///{Path(url).expanduser().absolute()}"
        except RuntimeError:  # ~name of no user on this system
            raise BadInput(
                f"The database path {url!r} names the home folder of an unknown user; give the full path."
            ) from None
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def describe(url: str) -> str:
    """The URL as it may be shown to a user: no password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str | None = None, *, role: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see `resolve_url`), set up for safe concurrent writes.

    ``role`` (PostgreSQL): the role every connection ``SET ROLE``s to as it opens, pooled
    or not (the team server's gateway acting as a member); the login must belong to it.
    """
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError:
        raise BadInput(
            f"The database URL {resolved!r} is not valid; give a file path, "
            "sqlite:///path/to/file.db or postgresql://user@host/dbname."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(resolved, parsed.database, **kwargs)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgresql_engine(parsed, role=role, **kwargs)
    raise BadInput(
        f"The database URL {describe(resolved)!r} is for {backend}; tracker works with "
        "SQLite (a file path) or PostgreSQL (postgresql://...)."
    )


# A team-server session's pool (the gateway acting as a member): the app's workers opened
# 4 connections at once at its first screen; capped so that max_connections can be sized
# per session (this + 2 overflow + the LISTEN connection: at most 7).
SESSION_POOL = {"pool_size": 4, "max_overflow": 2}


def _postgresql_engine(url: sa.URL, *, role: str | None, **kwargs: Any) -> Engine:
    if role is not None:
        kwargs = {**SESSION_POOL, **kwargs}
    engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # No JIT compilation: under row-level security the planner prices every
        # policy's parent probe, so a report over 20,000 actions looked costly enough
        # for JIT with inlining and optimisation, which then spent 3 s compiling a
        # statement that runs in 0.8 s without it. Nothing tracker asks runs long
        # enough to win that time back. (A SET, not a startup option, so that a
        # connection pooler in between need not know the option.)
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            if role is not None:
                # Before the connection does anything else, and committed: a SET rolled back
                # would be undone. Row-level security and current_user are then the member's.
                from psycopg import sql

                cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: str, database: str | None, **kwargs: Any) -> Engine:
    on_disk = bool(database) and database != ":memory:" and not str(database).startswith("file:")
    if on_disk:
        folder = Path(str(database)).parent
        if not folder.is_dir():
            raise DatabaseUnavailable(
                f"The folder {folder} for the database file does not exist; create it or give another --db path."
            )
    engine = sa.create_engine(url, **kwargs)
    opened = _FileIdentity(str(database)) if on_disk else None

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # SQLAlchemy's `begin` event owns transactions (see `prepare_sqlite`).
        prepare_sqlite(dbapi_connection)
        if opened is not None:
            opened.remember()

    @sa.event.listens_for(engine, "do_connect")
    def _on_do_connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        # Once the file is known, a new connection (the pool grows) opens that file or
        # fails: SQLite would otherwise create an empty database where one was deleted.
        if opened is None or opened.first is None:
            return
        opened.check()
        cargs[0] = f"{Path(cargs[0]).absolute().as_uri()}?mode=rw"
        cparams["uri"] = True

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front, so they wait for each other
        # (busy_timeout) instead of failing half-way; readers stay deferred.
        # Straight to the driver: SQLAlchemy's statement machinery after BEGIN
        # IMMEDIATE would be time every other writer waits for.
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        writing = not connection.get_execution_options().get(READ_ONLY)
        begin = "BEGIN IMMEDIATE" if writing else "BEGIN"
        try:
            driver.execute(begin)
        except sqlite3.Error as exc:  # as SQLAlchemy raises driver errors (a locked or read-only file)
            raise sa.exc.DBAPIError.instance(begin, (), exc, sqlite3.Error, dialect=connection.dialect) from exc
        if writing and opened is not None:
            try:
                opened.check()
            except DatabaseUnavailable:
                driver.execute("ROLLBACK")
                raise

    return engine


class _FileIdentity:
    """Which file a SQLite path named when the engine first opened it.

    A connection keeps writing to the file it opened even after that file was
    deleted or replaced (a copy put in its place, a restore): the writes would
    vanish with the old file while the user is told they were saved. Writers
    compare the path's file with this one after taking the write lock.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.first: tuple[int, int] | None = None

    def _now(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def remember(self) -> None:
        if self.first is None:
            self.first = self._now()

    def check(self) -> None:
        """Refuse when the path no longer names the file first opened."""
        if self.first is not None and self._now() != self.first:
            raise DatabaseUnavailable(
                f"the database file {self.path} was deleted or replaced since tracker opened it; nothing was "
                "written. Restart tracker to work on the file now at that path (or restore the file)."
            )


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def _read_only(engine: Engine) -> Engine:
    """The engine with the read-only option, made once per engine and kept on it
    (making it anew cost a fifth of a one-row read). On PostgreSQL its transactions
    begin READ ONLY (psycopg's ``read_only``, set as a connection leaves the pool and
    reset as it returns: no extra statement), so a write there fails instead of being
    committed by `read_session`."""
    found: Engine | None = engine.__dict__.get("_tracker_read_only")
    if found is None:
        options: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        found = engine.__dict__["_tracker_read_only"] = engine.execution_options(**options)
    return found


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading only; on SQLite it does not take the write lock.

    On PostgreSQL a read that went well ends in COMMIT of its read-only transaction, not
    ROLLBACK: psycopg forgets every prepared statement of a connection at a rollback, so
    the statements that reads and writes repeat on a pooled connection were parsed and
    planned again every time (under row-level security with every policy's subqueries);
    after a commit they are prepared at their fifth use and kept.
    """
    with Session(_read_only(engine)) as session:
        if engine.dialect.name != "postgresql":
            try:
                yield session
            finally:
                session.rollback()
            return
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()
