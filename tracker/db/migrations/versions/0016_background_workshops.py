"""a workshop can be background: its findings inform the plan but are not counted as unanswered

Revision ID: 0016
Revises: 0015

Written by hand. ``workshop.background`` (false for every workshop there is) marks a
convening whose findings are context for the plan, such as one held about other cities:
coverage and the report do not count them as unanswered. On PostgreSQL nothing else
changes: the column is covered by the table-wide grants and the workshop's policies (0007).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workshop", sa.Column("background", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # In place on both backends (SQLite 3.35+ drops a column without copying the table): a
    # copy would drop the old workshop table, and with foreign keys on its findings with it.
    op.drop_column("workshop", "background")
