"""logins never differ only by case

Revision ID: 0014
Revises: 0013

Written by hand. A login is its exact text (on PostgreSQL the name of the member's
role, which is case-sensitive), and no two members' logins differ only by case. The services refuse
such a login with a sentence (`tracker.services.access.members.case_twins`); on
PostgreSQL, where other tools (psql, BI) write the member table too, a unique index on
``lower(login)`` is the backstop. (Not on SQLite, whose file's owner may write anything,
and which SQLAlchemy cannot reflect an expression index of.) A database that already
holds such a pair is not upgraded until someone decides who is who.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEX = "ix_member_login_folded"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    pairs = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT a.login, b.login FROM member a JOIN member b "
                "ON lower(a.login) = lower(b.login) AND a.login < b.login ORDER BY 1, 2"
            )
        )
        .all()
    )
    if pairs:
        from tracker.errors import BadInput

        shown = ", ".join(f"{a!r} and {b!r}" for a, b in pairs[:5]) + (" ..." if len(pairs) > 5 else "")
        raise BadInput(
            f"members' logins differ only by case ({shown}), which this version of tracker never allows; "
            "give one of each pair another login (UPDATE member SET login = ... WHERE login = ...) "
            "and run `tracker db upgrade` again."
        )
    op.create_index(INDEX, "member", [sa.text("lower(login)")], unique=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="member")
