"""Funding sources and the allocations of their money to actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.models import base as _base  # noqa: F401  (naming convention first)
from tracker.models.enums import FundingKind
from tracker.models.types import Money, choice


class FundingSource(SQLModel, table=True):
    """A grant, budget line or foundation; ``amount`` is None when not known."""

    __tablename__ = "funding_source"

    __table_args__ = (
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=500)
    kind: FundingKind = Field(sa_type=choice(FundingKind, "funding_kind"))
    reference: str | None = Field(default=None, max_length=500)
    amount: Decimal | None = Field(default=None, sa_type=Money)
    currency: str = Field(max_length=3)
    starts: dt.date | None = None
    ends: dt.date | None = None
    notes: str | None = Field(default=None, sa_type=sa.Text)
    # Grows by one on every edit, checked against the version the editor read (as an action's).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Allocation(SQLModel, table=True):
    """An amount of a source for an action in one fiscal year (None: not known yet)."""

    __table_args__ = (
        sa.UniqueConstraint("action_id", "source_id", "fiscal_year"),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE")
    source_id: int = Field(foreign_key="funding_source.id", index=True)
    fiscal_year: int
    amount: Decimal | None = Field(default=None, sa_type=Money)
    # Grows by one on every edit, checked against the version the editor read (as an action's).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
