"""an action may name its owner: the member responsible for it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 22:30:00

Written by hand. On every backend: ``action.owner_id``, a member (``SET NULL`` when
the member is deleted), indexed for "my actions". Which members may own an action
(one of the lead's or a partner's people in that framework) is a rule of the services,
like every other plan rule.

On PostgreSQL the owner is a plan field: members hold no column privilege on it (0007
grants them the tracking columns only, by name), and coordinators hold UPDATE on the
whole table, so a trigger keeps a coordinator of another framework from setting it
here, as ``guard_action`` does for the other plan columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

P = "tracker_private"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        # SQLite adds a constraint only by copying the table (with foreign keys off
        # meanwhile: `tracker.db.migrate` turns them off, so its dependants keep their rows).
        with op.batch_alter_table("action", schema=None) as batch_op:
            batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                "fk_action_owner_id_member", "member", ["owner_id"], ["id"], ondelete="SET NULL"
            )
            batch_op.create_index(batch_op.f("ix_action_owner_id"), ["owner_id"], unique=False)
        return
    op.add_column("action", sa.Column("owner_id", sa.Integer(), nullable=True))
    op.create_foreign_key("fk_action_owner_id_member", "action", "member", ["owner_id"], ["id"], ondelete="SET NULL")
    op.create_index(op.f("ix_action_owner_id"), "action", ["owner_id"], unique=False)
    owner = conn.execute(
        sa.text("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'action'::regclass")
    ).scalar_one()
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    owner_lit = "'" + str(owner).replace("'", "''") + "'"
    op.execute(
        f"CREATE FUNCTION {P}.guard_action_owner() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path = pg_catalog, pg_temp AS $$ BEGIN "
        f"IF NOT pg_has_role({owner_lit}, 'MEMBER') AND NOT {P}.is_admin() "
        f"AND NOT OLD.framework_id = ANY ({P}.frameworks_i_coordinate()) THEN "
        "RAISE EXCEPTION 'tracker: only a coordinator of the framework changes an action''s owner' "
        "USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        f'CREATE TRIGGER tracker_guard_owner BEFORE UPDATE ON "{schema}".action FOR EACH ROW '
        f"WHEN (NEW.owner_id IS DISTINCT FROM OLD.owner_id) EXECUTE FUNCTION {P}.guard_action_owner()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tracker_guard_owner ON action")
        op.execute(f"DROP FUNCTION IF EXISTS {P}.guard_action_owner()")
    op.drop_index(op.f("ix_action_owner_id"), table_name="action")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_action_owner_id_member", "action", type_="foreignkey")
        op.drop_column("action", "owner_id")
    else:
        # SQLite drops a column in place only when no constraint names it: rebuild the table.
        with op.batch_alter_table("action", schema=None) as batch_op:
            batch_op.drop_column("owner_id")
