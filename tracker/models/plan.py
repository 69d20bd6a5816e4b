"""The plan: framework > goal > objective > action, and what ties them to findings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.models import base as _base  # noqa: F401  (naming convention first)
from tracker.models.enums import Horizon, Stage, Status, Visibility
from tracker.models.types import Money, UTCDateTime, choice, utcnow


class Framework(SQLModel, table=True):
    """One city's prevention framework."""

    __table_args__ = (
        sa.CheckConstraint("fiscal_year_starts BETWEEN 1 AND 12", name="fiscal_year_month"),
        sa.CheckConstraint("(meeting_rule IS NULL) = (meeting_starts IS NULL)", name="meetings_complete"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    city: str = Field(max_length=500, index=True)
    state: str | None = Field(default=None, max_length=100)
    country: str = Field(max_length=2)
    title: str = Field(max_length=500)
    description: str | None = Field(default=None, sa_type=sa.Text)
    stage: Stage = Field(sa_type=choice(Stage, "stage"))
    starts: dt.date
    near_term_months: int
    mid_term_months: int
    currency: str = Field(max_length=3)
    # The month a fiscal year starts (7: July to June); a fiscal year is named
    # by the calendar year it ends in, as US city budgets are.
    fiscal_year_starts: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Working-group meetings: an RFC 5545 RRULE counted from the first meeting.
    meeting_rule: str | None = Field(default=None, max_length=500)
    meeting_starts: dt.date | None = None
    meeting_place: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Goal(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "key"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", ondelete="CASCADE")
    key: str = Field(max_length=64)
    position: int = 0
    title: str = Field(max_length=500)
    description: str | None = Field(default=None, sa_type=sa.Text)
    # Published by `tracker publish` only when it and every item above it are public.
    visibility: Visibility = Field(
        default=Visibility.internal,
        sa_type=choice(Visibility, "visibility"),
        sa_column_kwargs={"server_default": Visibility.internal.value},
    )
    # Grows by one on every edit, checked against the version the editor read (as an action's).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Objective(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "key"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", ondelete="CASCADE")
    goal_id: int = Field(foreign_key="goal.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=64)
    position: int = 0
    title: str = Field(max_length=500)
    description: str | None = Field(default=None, sa_type=sa.Text)
    # Published by `tracker publish` only when it and every item above it are public.
    visibility: Visibility = Field(
        default=Visibility.internal,
        sa_type=choice(Visibility, "visibility"),
        sa_column_kwargs={"server_default": Visibility.internal.value},
    )
    # Grows by one on every edit, checked against the version the editor read (as an action's).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Action(SQLModel, table=True):
    """A near-, mid- or long-term action with one lead organisation.

    ``version`` grows by one on every change so that a write can check that
    nobody changed the row since the writer read it (optimistic locking).
    """

    __table_args__ = (
        sa.UniqueConstraint("framework_id", "key"),
        sa.Index("ix_action_framework_status", "framework_id", "status"),
        sa.Index("ix_action_framework_due", "framework_id", "due"),
        sa.Index("ix_action_framework_lead_due", "framework_id", "lead_id", "due"),  # one organisation's, in order
        sa.Index("ix_action_framework_horizon", "framework_id", "horizon"),
        sa.Index("ix_action_lead_status", "lead_id", "status"),
        sa.Index("ix_action_status_due", "status", "due"),
        sa.Index("ix_action_title", "title", "id"),  # sorting a big list by title, page by page
        sa.Index("ix_action_due_id", "due", "id"),  # the default order of every action list
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("due IS NULL OR starts IS NULL OR due >= starts", name="due_after_start"),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name="cost_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", ondelete="CASCADE")
    objective_id: int = Field(foreign_key="objective.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=64)
    position: int = 0
    title: str = Field(max_length=500)
    description: str | None = Field(default=None, sa_type=sa.Text)
    horizon: Horizon = Field(sa_type=choice(Horizon, "horizon"))
    lead_id: int = Field(foreign_key="stakeholder.id")
    # The person responsible: a member of the lead's or a partner's organisations in
    # this framework (`tracker.services.plan.owners` checks it on every write).
    owner_id: int | None = Field(default=None, foreign_key="member.id", index=True, ondelete="SET NULL")
    status: Status = Field(sa_type=choice(Status, "status"))
    starts: dt.date | None = None
    due: dt.date | None = None
    completed_on: dt.date | None = None
    cost: Decimal | None = Field(default=None, sa_type=Money)
    # Published by `tracker publish` only when it and every item above it are public.
    visibility: Visibility = Field(
        default=Visibility.internal,
        sa_type=choice(Visibility, "visibility"),
        sa_column_kwargs={"server_default": Visibility.internal.value},
    )
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActionPartner(SQLModel, table=True):
    __tablename__ = "action_partner"

    action_id: int = Field(foreign_key="action.id", primary_key=True, ondelete="CASCADE")
    stakeholder_id: int = Field(foreign_key="stakeholder.id", primary_key=True, index=True, ondelete="CASCADE")


class GoalFinding(SQLModel, table=True):
    """A goal answers a workshop finding."""

    __tablename__ = "goal_finding"

    goal_id: int = Field(foreign_key="goal.id", primary_key=True, ondelete="CASCADE")
    finding_id: int = Field(foreign_key="finding.id", primary_key=True, index=True, ondelete="CASCADE")


class ObjectiveFinding(SQLModel, table=True):
    __tablename__ = "objective_finding"

    objective_id: int = Field(foreign_key="objective.id", primary_key=True, ondelete="CASCADE")
    finding_id: int = Field(foreign_key="finding.id", primary_key=True, index=True, ondelete="CASCADE")


class ActionFinding(SQLModel, table=True):
    __tablename__ = "action_finding"

    action_id: int = Field(foreign_key="action.id", primary_key=True, ondelete="CASCADE")
    finding_id: int = Field(foreign_key="finding.id", primary_key=True, index=True, ondelete="CASCADE")
