"""Core statements run straight on the SQLite driver, for the few that run under the write lock.

On SQLite one writer at a time holds the database's write lock, and every other
writer waits for it; what a writer does between BEGIN IMMEDIATE and COMMIT is
their wait. Through SQLAlchemy a cached Core statement costs about 37 us of
Python (cache key, execution context, result) against about 7 us in the driver,
so a status change held the lock several times longer than the same three
statements in plain sqlite3 (tests/perf/bench.py, concurrent writers).

`Fast` keeps the Core statement as the one source of truth: on SQLite it is
compiled once by SQLAlchemy's own SQLite dialect and its values are converted
by the columns' own bind processors (so what is stored is exactly what Core
would store); on any other database it simply runs through SQLAlchemy. It does
not autoflush a Session and fires no SQLAlchemy statement events: use it only
for Core writes, and the reads under their write lock, with no ORM objects pending (the
tracking writes: the framework held, the writer's standing, the action's parties). Values
come back as the driver gives them (no result processors): use it for ids and text.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

Plan = tuple[str, list[tuple[str, Any]], Any]  # SQL, (parameter, bind processor) in order, row type


class Fast:
    """One Core statement, run on the SQLite driver connection of a `sa.Connection` when it is SQLite."""

    def __init__(
        self, statement: sa.Select[Any] | sa.Update | sa.Insert, *, column_keys: Sequence[str] | None = None
    ) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._plans: dict[type, Plan] = {}

    def _plan(self, dialect: sa.Dialect) -> Plan:
        plan = self._plans.get(type(dialect))
        if plan is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
            binds = {b.key: b for b in compiled.binds.values()}
            order = [(name, binds[name].type.bind_processor(dialect)) for name in compiled.positiontup or []]
            columns = [c.key for c in getattr(self.statement, "selected_columns", ())]
            row = namedtuple("FastRow", columns, rename=True) if columns else None  # type: ignore[misc]
            plan = self._plans[type(dialect)] = (compiled.string, order, row)
        return plan

    def execute(self, conn: sa.Connection, params: Mapping[str, Any]) -> Any:
        """A cursor-like result: ``.rowcount``, and ``.first()`` for a SELECT."""
        if conn.dialect.name != "sqlite":
            return conn.execute(self.statement, dict(params))
        sql, order, row = self._plan(conn.dialect)
        driver = conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        values = [params[name] if process is None else process(params[name]) for name, process in order]
        try:
            cursor = driver.execute(sql, values)
        except sqlite3.Error as exc:  # as SQLAlchemy would raise it, so that callers see one kind of error
            raise sa.exc.DBAPIError.instance(sql, values, exc, sqlite3.Error, dialect=conn.dialect) from exc
        return _Result(cursor, row)


class _Result:
    def __init__(self, cursor: sqlite3.Cursor, row: Any) -> None:
        self.cursor = cursor
        self.row = row

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    def first(self) -> Any:
        found = self.cursor.fetchone()
        self.cursor.close()
        return None if found is None else self.row(*found)

    def all(self) -> list[Any]:
        return [self.row(*found) for found in self.cursor.fetchall()]

    def scalar(self) -> Any:
        found = self.cursor.fetchone()
        self.cursor.close()
        return None if found is None else found[0]
