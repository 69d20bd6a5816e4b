"""SQL pieces the funding services share: the source table, money columns, day numbers.

Money is stored as whole cents (`tracker.models.types.Money`), so sums in SQL
are exact; `cents` turns such a sum back into a Decimal of two places without
the per-value cost of the column type, which matters on 100,000-row rollups.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import FundingSource
from tracker.models.base import table_of
from tracker.models.enums import Status
from tracker.models.types import Money

source_t = table_of(FundingSource)
EPOCH = dt.date(1970, 1, 1)
ZERO = Decimal("0.00")
V = TypeVar("V")


def money(expr: sa.ColumnElement[Any]) -> sa.ColumnElement[Decimal]:
    """``expr`` (cents) read back as a Decimal amount by the Money column type."""
    return sa.type_coerce(expr, Money)


def cents(value: Any) -> Decimal | None:
    """A sum of cents from the database (int on SQLite, numeric on PostgreSQL) as an amount."""
    return None if value is None else Decimal(value).scaleb(-2)


def amount(value: Any) -> Decimal:
    """Like `cents`, for a sum that is never unknown (NULL means no rows: zero)."""
    return ZERO if value is None else Decimal(value).scaleb(-2)


def day_number(session: Session, column: Any) -> sa.ColumnElement[int]:
    """Days from 1970-01-01 to a DATE column, as an integer, in SQL (NULL stays NULL).

    SQLite keeps dates as ISO text (``julianday`` of a date is a whole day plus a half,
    so the difference is exact); PostgreSQL subtracts dates to an integer.
    """
    if session.get_bind().dialect.name == "sqlite":
        return sa.cast(sa.func.julianday(column) - 2440587.5, sa.Integer)
    return sa.type_coerce(column - sa.literal(EPOCH, sa.Date), sa.Integer)


def day_of(day: dt.date) -> int:
    """The day number of ``day`` as `day_number` computes it in SQL."""
    return (day - EPOCH).days


def raw(expr: Any) -> sa.ColumnElement[Any]:
    """A money expression read back as it comes (whole cents), for `cents` to convert:
    the Money type would otherwise convert each value on its own, at several times the cost."""
    return sa.type_coerce(expr, sa.BigInteger)


STATUS = {s.value: s for s in Status}


def raw_rows(session: Session, query: sa.Select[Any]) -> list[Any]:
    """The rows of ``query`` as the database driver returns them (tuples, no conversion).

    Rollups of 100,000 actions convert their few column types themselves: without
    SQLAlchemy's C extension its per-row processing costs more than the query.
    The statement is rendered with its values inline (they are numbers and
    constants of ours, never user text) and run on the session's connection, in
    its transaction.
    """
    connection = session.connection()
    sql = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}).string
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def day(value: Any) -> dt.date | None:
    """A date column from `raw_rows`: ISO text on SQLite, a date on PostgreSQL."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def build(cls: type[V], fields: dict[str, Any]) -> V:
    """A frozen dataclass instance from all of its fields, without running ``__init__``:
    a frozen ``__init__`` sets each field through ``object.__setattr__``, which is most of
    the cost of 100,000 views. ``fields`` must name every field."""
    view = object.__new__(cls)
    object.__setattr__(view, "__dict__", fields)
    return view
