"""plan change audit keyed by item kind and id, kept when the item is deleted

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
    # Every row so far is an action's.
    op.execute("UPDATE plan_change SET item_kind = 'action', item_id = action_id")
    with op.batch_alter_table("plan_change", schema=None) as batch_op:
        batch_op.alter_column("item_kind", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("item_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("action_id", existing_type=sa.Integer(), nullable=True)
        # The audit outlives the action: deleting it unlinks its rows instead of deleting them.
        batch_op.drop_constraint("fk_plan_change_action_id_action", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_plan_change_action_id_action", "action", ["action_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_plan_change_item", ["item_kind", "item_id"], unique=False)


def downgrade() -> None:
    # Rows of deleted items have no action to go back to.
    op.execute("DELETE FROM plan_change WHERE action_id IS NULL")
    with op.batch_alter_table("plan_change", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_change_item")
        batch_op.drop_constraint("fk_plan_change_action_id_action", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_plan_change_action_id_action", "action", ["action_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.alter_column("action_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("item_id")
        batch_op.drop_column("item_kind")
