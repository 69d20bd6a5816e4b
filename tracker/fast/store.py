"""How tracker stores values and opens a SQLite file: one definition for SQLAlchemy's column
types and engine (`tracker.models.types`, `tracker.db.engine`) and for the fast path, which
runs on the SQLite driver without loading SQLAlchemy. No database library is imported here.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 15_000
# Every connection to a SQLite file, whoever opens it: wait for other writers rather than
# fail, keep foreign keys, write-ahead log (readers never wait for a writer).
SQLITE_SETUP = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
)

_CENT = Decimal("0.01")


def prepare_sqlite(connection: sqlite3.Connection) -> None:
    """Set up a new connection: transactions are begun explicitly (pysqlite's own BEGIN is
    deferred, which lets two read-modify-write transactions interleave), then the pragmas."""
    connection.isolation_level = None
    for pragma in SQLITE_SETUP:
        connection.execute(pragma)


def default_sqlite_path() -> Path:
    """The embedded database: a file in the platform's user data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir("tracker", appauthor=False)) / "tracker.db"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def cents(value: Any) -> int | None:
    """An amount as the whole cents stored; fractions of a cent are refused, never rounded."""
    if value is None:
        return None
    amount = Decimal(value) * 100
    if amount != amount.to_integral_value():
        raise ValueError(f"{value} has fractions of a cent")
    return int(amount)


def money(stored: Any) -> Decimal | None:
    """Stored cents as an amount with two decimals."""
    if stored is None:
        return None
    return (Decimal(int(stored)) / 100).quantize(_CENT)


def naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as stored: naive, in UTC (a moment without a timezone is refused)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a timezone")
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def aware_utc(stored: dt.datetime | None) -> dt.datetime | None:
    """A stored moment read back as an aware UTC datetime."""
    return None if stored is None else stored.replace(tzinfo=dt.UTC)
