"""Seeds of the same framework, one at a time: a new framework is created once, not raced."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

_LOCK = sa.text("SELECT pg_advisory_lock(hashtext('tracker.seed'), hashtext(:key))")


@contextmanager
def one_seed_per_framework(engine: Engine, keys: Iterable[str]) -> Iterator[Engine | Connection]:
    """What to bind the seed's session to, once no other seed of these frameworks runs.

    SQLite needs nothing: every writer starts with BEGIN IMMEDIATE and so waits for
    the others. On PostgreSQL, concurrent seeds of one new framework would each see
    it missing and insert it, and all but one would fail on its unique key. So each
    seed first takes an advisory lock per framework key (in sorted order, so that two
    seeds of overlapping files cannot deadlock), on the connection it then seeds on.

    The locks are session-level and taken in a transaction of their own, before the
    seed's: a seed reads under REPEATABLE READ, whose snapshot is taken by its first
    statement, so a lock taken inside that transaction would leave a seed that waited
    for another's commit still unable to see the framework that one created.
    """
    if engine.dialect.name != "postgresql":
        yield engine
        return
    conn = engine.connect()
    try:
        for key in sorted(set(keys)):
            conn.execute(_LOCK, {"key": key})
        conn.commit()
        yield conn
    finally:
        try:
            conn.rollback()
            conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            conn.commit()
        except sa.exc.DBAPIError:
            # Could not unlock (the connection broke): drop the connection, which ends
            # its server session and with it the locks, rather than pool it locked.
            conn.invalidate()
        conn.close()
