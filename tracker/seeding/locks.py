"""Seeds of one database, one at a time: a new framework or stakeholder is created once, not raced."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

_LOCK = sa.text("SELECT pg_advisory_lock(hashtext('tracker.seed'))")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(hashtext('tracker.seed'))")


@contextmanager
def one_seed_at_a_time(engine: Engine) -> Iterator[Engine | Connection]:
    """What to bind the seed's session to, once no other seed of the database runs.

    SQLite needs nothing: every writer starts with BEGIN IMMEDIATE and so waits for
    the others. On PostgreSQL, concurrent seeds of one new framework would each see
    it missing and insert it, and all but one would fail on its unique key. Locking
    per framework would not be enough: stakeholders, funding sources and logins are
    shared by all frameworks, so seeds of two new frameworks that bring the same new
    stakeholder race on it too. Seeds are rare, so they simply queue on one advisory
    lock, held by the connection they then seed on.

    The lock is session-level and taken in a transaction of its own, before the
    seed's: a seed reads under REPEATABLE READ, whose snapshot is taken by its first
    statement, so a lock taken inside that transaction would leave a seed that waited
    for another's commit still unable to see what that one created.
    """
    if engine.dialect.name != "postgresql":
        yield engine
        return
    conn = engine.connect()
    try:
        conn.execute(_LOCK)
        conn.commit()
        yield conn
    finally:
        try:
            conn.rollback()
            conn.execute(_UNLOCK)
            conn.commit()
        except sa.exc.DBAPIError:
            # Could not unlock (the connection broke): drop the connection, which ends
            # its server session and with it the lock, rather than pool it locked.
            conn.invalidate()
        conn.close()
