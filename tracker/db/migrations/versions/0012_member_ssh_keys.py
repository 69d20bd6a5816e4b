"""members' SSH public keys, with which they reach the team server as themselves

Revision ID: 0012
Revises: 0011

Written by hand. ``member_key``: a member's public keys (type, base64 blob, SHA256
fingerprint, comment), who added each and when, its last use, and when it was disabled.
On PostgreSQL, like every table: row-level security enabled and forced, policies (a
login reads its own keys; coordinators and admins read and manage keys, the finer rule
of who may manage whose key is `tracker.services.access.rules.require_key_manager`),
grants, and the notification triggers of 0008.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.models.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

P = "tracker_private"
IS_ADMIN = f"(SELECT {P}.is_admin())"
ANY_COORDINATOR = f"({IS_ADMIN} OR cardinality((SELECT {P}.frameworks_i_coordinate())) > 0)"


def upgrade() -> None:
    op.create_table(
        "member_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("key_type", sa.String(length=64), nullable=False),
        sa.Column("key_data", sa.String(length=16384), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("added_at", tracker.models.types.UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("last_used_at", tracker.models.types.UTCDateTime(), nullable=True),
        sa.Column("disabled_at", tracker.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by"], ["member.id"], name=op.f("fk_member_key_added_by_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_member_key_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_key")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_member_key_fingerprint")),
        sa.UniqueConstraint("key_data", name=op.f("uq_member_key_key_data")),
    )
    op.create_index(op.f("ix_member_key_member_id"), "member_key", ["member_id"], unique=False)
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    prefix = conn.execute(sa.text(f"SELECT {P}.role_prefix()")).scalar_one()
    owner = conn.execute(
        sa.text("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass")
    ).scalar_one()
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    viewer, coordinator = f'"{prefix}viewer"', f'"{prefix}coordinator"'
    op.execute('ALTER TABLE "member_key" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "member_key" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY "owner" ON "member_key" FOR ALL TO "{owner}" USING (true) WITH CHECK (true)')
    op.execute(
        f'CREATE POLICY "read" ON "member_key" FOR SELECT TO {viewer} '
        f"USING ({ANY_COORDINATOR} OR member_id = (SELECT {P}.my_member_id()))"
    )
    op.execute(f'CREATE POLICY "insert" ON "member_key" FOR INSERT TO {viewer} WITH CHECK ({ANY_COORDINATOR})')
    op.execute(
        f'CREATE POLICY "update" ON "member_key" FOR UPDATE TO {viewer} '
        f"USING ({ANY_COORDINATOR}) WITH CHECK ({ANY_COORDINATOR})"
    )
    op.execute(f'CREATE POLICY "delete" ON "member_key" FOR DELETE TO {viewer} USING ({ANY_COORDINATOR})')
    op.execute(f'GRANT SELECT ON "member_key" TO {viewer}')
    op.execute(f'GRANT INSERT, UPDATE, DELETE ON "member_key" TO {coordinator}')
    op.execute(f'GRANT USAGE ON SEQUENCE "member_key_id_seq" TO {coordinator}')
    # The notifications of 0008: a key changed, no framework of its own (ids only).
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.tracker_notify_member_key() RETURNS trigger "
        "LANGUAGE plpgsql AS $body$ BEGIN "
        "PERFORM pg_notify('tracker_changes', jsonb_build_object('kind', 'member')::text) "
        "FROM (SELECT 1 FROM changed LIMIT 1) AS t; RETURN NULL; END $body$"
    )
    for event, which in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        op.execute(
            f"CREATE TRIGGER tracker_notify_{event} AFTER {event.upper()} ON {schema}.member_key "
            f"REFERENCING {which} TABLE AS changed "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.tracker_notify_member_key()"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_member_key_member_id"), table_name="member_key")
    op.drop_table("member_key")  # on PostgreSQL with its policies, grants and triggers
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
        op.execute(f"DROP FUNCTION IF EXISTS {schema}.tracker_notify_member_key()")
