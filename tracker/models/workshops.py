"""Workshops and the numbered findings that plans answer."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.models import base as _base  # noqa: F401  (naming convention first)


class Workshop(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("framework_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", ondelete="CASCADE")
    key: str = Field(max_length=64)
    title: str = Field(max_length=500)
    held_on: dt.date | None = None
    location: str | None = Field(default=None, max_length=500)
    # Context for the plan (such as a convening about other cities): its findings can be
    # cited, but coverage does not count them as unanswered.
    background: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class WorkshopParticipant(SQLModel, table=True):
    __tablename__ = "workshop_participant"

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    stakeholder_id: int = Field(foreign_key="stakeholder.id", primary_key=True, index=True, ondelete="CASCADE")


class Finding(SQLModel, table=True):
    """A numbered finding of a workshop, in the report's own words."""

    __table_args__ = (sa.UniqueConstraint("workshop_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    key: str = Field(max_length=64)
    number: int
    text: str = Field(sa_type=sa.Text)


class FindingTranslation(SQLModel, table=True):
    __tablename__ = "finding_translation"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True, ondelete="CASCADE")
    lang: str = Field(max_length=8, primary_key=True)
    text: str = Field(sa_type=sa.Text)
