"""a version on goals, objectives, indicators, funding sources and allocations

Revision ID: 0012
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None

# Every item people edit carries a version, as actions do: an edit made on what someone
# read is refused as a conflict when the item changed since, never silently overwritten.
TABLES = ("goal", "objective", "indicator", "funding_source", "allocation")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            batch_op.create_check_constraint(op.f(f"ck_{table}_version_positive"), "version >= 1")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_version_positive"), type_="check")
            batch_op.drop_column("version")
