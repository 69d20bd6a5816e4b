"""Organisations and the people who use the tool."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from tracker.models import base as _base  # noqa: F401  (naming convention first)
from tracker.models.enums import Role, Sector
from tracker.models.types import UTCDateTime, choice, utcnow


class Stakeholder(SQLModel, table=True):
    """An organisation; shared by every framework it takes part in."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=500)
    sector: Sector = Field(sa_type=choice(Sector, "sector"))
    description: str | None = Field(default=None, sa_type=sa.Text)


class Member(SQLModel, table=True):
    """A person who uses the tool, known by their login."""

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str | None = Field(default=None, max_length=500)
    # Personal: shown only as `access.rules.may_see_email` says; checked by `names.check_email`.
    email: str | None = Field(default=None, max_length=320)
    # PostgreSQL: the database role this member connects as (or is SET ROLE to by the
    # team server's gateway); the login itself unless mapped to another role. Unused on SQLite.
    db_role: str | None = Field(default=None, max_length=63, unique=True, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    """A member's role in one framework."""

    __table_args__ = (sa.UniqueConstraint("member_id", "framework_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    framework_id: int = Field(foreign_key="framework.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=choice(Role, "role"))


class Affiliation(SQLModel, table=True):
    """A member works for an organisation in one framework (what 'my actions' means there).

    Tied to the membership: an organisation given in one framework counts nowhere
    else, and goes when that membership goes.
    """

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["member_id", "framework_id"],
            ["membership.member_id", "membership.framework_id"],
            name="fk_affiliation_membership",
            ondelete="CASCADE",
        ),
    )

    member_id: int = Field(primary_key=True)
    framework_id: int = Field(primary_key=True)
    stakeholder_id: int = Field(foreign_key="stakeholder.id", primary_key=True, index=True, ondelete="CASCADE")


class Admin(SQLModel, table=True):
    """An admin of the whole database: creates frameworks, names coordinators and admins.

    One table is the one place this is kept (PostgreSQL's group role is derived from it).
    """

    member_id: int = Field(foreign_key="member.id", primary_key=True, ondelete="CASCADE")
    granted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    granted_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")


class MemberKey(SQLModel, table=True):
    """An SSH public key with which a member reaches the team server: the key decides who
    they are there. A disabled key (``disabled_at``) is refused like an unknown one."""

    __tablename__ = "member_key"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    key_type: str = Field(max_length=64)
    key_data: str = Field(max_length=16384, unique=True)  # the base64 blob, as sshd's %k gives it
    fingerprint: str = Field(max_length=64, unique=True)  # SHA256:..., as ssh-keygen -l prints it
    comment: str | None = Field(default=None, max_length=500)
    added_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    added_by: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
