"""Column types that keep money exact and timestamps in UTC on every backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# How values are stored, shared with the fast path; `utcnow` is used from here everywhere.
from tracker.fast.store import aware_utc, cents, money, naive_utc
from tracker.fast.store import utcnow as utcnow


class Money(sa.types.TypeDecorator[Decimal]):
    """A non-negative amount held as whole cents in a BIGINT.

    Integers add up exactly in SQL on SQLite and PostgreSQL alike (SQLite has no
    decimal type), so rollups can run in the database without float drift.
    Values with fractions of a cent are refused rather than rounded.
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return cents(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return money(value)


class Quantity(sa.types.TypeDecorator[Decimal]):
    """An exact decimal measurement: NUMERIC on PostgreSQL, text on SQLite."""

    impl = sa.Numeric(24, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(sa.Numeric(24, 6))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        return format(value.normalize(), "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # Without trailing zeros (NUMERIC reads back 40.000000) and without an exponent
        # (normalize alone turns 40 into 4E+1), so every reader shows what was recorded.
        return Decimal(format(Decimal(str(value)).normalize(), "f"))


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A moment, stored as naive UTC and read back as an aware UTC datetime."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        return naive_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        return aware_utc(value)


def choice(enum_cls: type, name: str) -> sa.Enum:
    """An enum stored as its text value, guarded by a CHECK constraint (no native types,
    so migrations stay plain on both backends)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
