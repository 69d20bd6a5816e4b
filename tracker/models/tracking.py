"""What members record as the work goes on: the audit trail, notes, indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.models import base as _base  # noqa: F401  (naming convention first)
from tracker.models.enums import Direction, Status, Visibility
from tracker.models.types import Quantity, UTCDateTime, choice, utcnow


class StatusChange(SQLModel, table=True):
    """Who moved which action from what to what, when and why. Never rewritten.

    ``forced`` marks a change applied over somebody else's newer change.
    """

    __tablename__ = "status_change"

    __table_args__ = (
        sa.Index("ix_status_change_action_at", "action_id", "at"),
        sa.Index("ix_status_change_import_key", "import_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    via_key: str | None = Field(default=None, max_length=64)  # the ssh key of a write over the team server
    from_status: Status | None = Field(default=None, sa_type=choice(Status, "from_status"))
    to_status: Status = Field(sa_type=choice(Status, "to_status"))
    note: str | None = Field(default=None, sa_type=sa.Text)
    forced: bool = False
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # Entered by ``member_id`` for somebody else (`tracker import-updates`): "member:LOGIN" or
    # "stakeholder:KEY"; and the workbook row it came from ("EXPORT-ID/ROW-ID"), unique, so that
    # importing the same workbook again applies nothing twice.
    on_behalf_of: str | None = Field(default=None, max_length=200)
    import_key: str | None = Field(default=None, max_length=80)


class ActionNote(SQLModel, table=True):
    __tablename__ = "action_note"

    __table_args__ = (
        sa.Index("ix_action_note_action_at", "action_id", "at"),
        sa.Index("ix_action_note_import_key", "import_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    via_key: str | None = Field(default=None, max_length=64)  # the ssh key of a write over the team server
    text: str = Field(sa_type=sa.Text)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Entered by ``member_id`` for somebody else (`tracker import-updates`): "member:LOGIN" or
    # "stakeholder:KEY"; and the workbook row it came from ("EXPORT-ID/ROW-ID"), unique, so that
    # importing the same workbook again applies nothing twice.
    on_behalf_of: str | None = Field(default=None, max_length=200)
    import_key: str | None = Field(default=None, max_length=80)


class NoteRetraction(SQLModel, table=True):
    """A note taken back by its author: the note stays (in the audit and history), this
    record says it no longer counts, who said so and when. Never rewritten; one per note."""

    __tablename__ = "note_retraction"

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="action_note.id", ondelete="CASCADE", unique=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    via_key: str | None = Field(default=None, max_length=64)  # the ssh key of a write over the team server
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_type=sa.Text)


class Indicator(SQLModel, table=True):
    """A key metric on an objective."""

    __table_args__ = (
        sa.UniqueConstraint("framework_id", "key"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", ondelete="CASCADE")
    objective_id: int = Field(foreign_key="objective.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=64)
    position: int = 0
    name: str = Field(max_length=500)
    unit: str = Field(max_length=100)
    baseline: Decimal | None = Field(default=None, sa_type=Quantity)
    target: Decimal | None = Field(default=None, sa_type=Quantity)
    target_date: dt.date | None = None
    direction: Direction = Field(sa_type=choice(Direction, "direction"))
    description: str | None = Field(default=None, sa_type=sa.Text)
    # Published by `tracker publish` only when it and every item above it are public.
    visibility: Visibility = Field(
        default=Visibility.internal,
        sa_type=choice(Visibility, "visibility"),
        sa_column_kwargs={"server_default": Visibility.internal.value},
    )
    # Grows by one on every edit, checked against the version the editor read (as an action's).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Measurement(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_measurement_indicator_on", "indicator_id", "measured_on"),
        sa.Index("ix_measurement_import_key", "import_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE")
    value: Decimal = Field(sa_type=Quantity)
    measured_on: dt.date
    note: str | None = Field(default=None, sa_type=sa.Text)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    via_key: str | None = Field(default=None, max_length=64)  # the ssh key of a write over the team server
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Entered by ``member_id`` for somebody else (`tracker import-updates`): "member:LOGIN" or
    # "stakeholder:KEY"; and the workbook row it came from ("EXPORT-ID/ROW-ID"), unique, so that
    # importing the same workbook again applies nothing twice.
    on_behalf_of: str | None = Field(default=None, max_length=200)
    import_key: str | None = Field(default=None, max_length=80)


class ImportRun(SQLModel, table=True):
    """One `tracker seed` that wrote something: who ran it, on which files, what it did."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=64)
    via_key: str | None = Field(default=None, max_length=64)  # the ssh key of a write over the team server
    sources: str = Field(sa_type=sa.Text)
    summary: str = Field(sa_type=sa.Text)


class PlanChange(SQLModel, table=True):
    """A change to an item of the plan (an action's field or funding, its creation, its
    deletion) made in the tool: who, when, what it was and what it became. Never rewritten.

    Keyed by ``item_kind`` and ``item_id`` so that the record outlives the item: deleting
    an action keeps its history and the deletion itself. ``action_id`` links the rows of a
    live action (set to NULL when it goes, so that a new action given the same id on
    SQLite never inherits a deleted one's history)."""

    __tablename__ = "plan_change"
    __table_args__ = (
        sa.Index("ix_plan_change_action_at", "action_id", "at"),
        sa.Index("ix_plan_change_item", "item_kind", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_kind: str = Field(default="action", max_length=16)
    item_id: int
    action_id: int | None = Field(default=None, foreign_key="action.id", ondelete="SET NULL")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    via_key: str | None = Field(default=None, max_length=64)  # the ssh key of a write over the team server
    field: str = Field(max_length=64)
    old: str | None = Field(default=None, sa_type=sa.Text)
    new: str | None = Field(default=None, sa_type=sa.Text)
    forced: bool = False
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
