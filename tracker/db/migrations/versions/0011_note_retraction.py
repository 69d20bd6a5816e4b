"""a note is taken back by a retraction record, never by changing or deleting it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:30:00

Written by hand. ``note_retraction`` says that a note no longer counts, who said so and
when; the note itself stays as written (history is append-only). On PostgreSQL the table
is append-only like the other history: row-level security enabled and forced, read with
the note's action, inserted only by the note's author in their own name while they may
still track the action, never updated or deleted by anyone but the owner; and it
notifies the open apps, as every table does (0008).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.models.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

P = "tracker_private"
ME = f"(SELECT {P}.my_member_id())"
CHANNEL = "tracker_changes"  # as 0008


def upgrade() -> None:
    op.create_table(
        "note_retraction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("at", tracker.models.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["note_id"], ["action_note.id"], name=op.f("fk_note_retraction_note_id_action_note"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_note_retraction_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_retraction")),
        sa.UniqueConstraint("note_id", name=op.f("uq_note_retraction_note_id")),
    )
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    owner = conn.exec_driver_sql(
        "SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass"
    ).scalar_one()
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    viewer, member = f'"{prefix}viewer"', f'"{prefix}member"'
    op.execute("ALTER TABLE note_retraction ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE note_retraction FORCE ROW LEVEL SECURITY")
    op.execute(f'CREATE POLICY "owner" ON note_retraction FOR ALL TO "{owner}" USING (true) WITH CHECK (true)')
    # Read with the note (and so with its action); as access.rules.why_not_retract says:
    # only the note's author, in their own name, while they may still track the action.
    op.execute(
        f'CREATE POLICY "read" ON note_retraction FOR SELECT TO {viewer} USING '
        f"(EXISTS (SELECT 1 FROM {schema}.action_note n WHERE n.id = note_id OFFSET 0))"
    )
    op.execute(
        f'CREATE POLICY "insert" ON note_retraction FOR INSERT TO {member} WITH CHECK '
        f"(member_id = {ME} AND EXISTS (SELECT 1 FROM {schema}.action_note n WHERE n.id = note_id "
        f"AND n.member_id = {ME} AND {P}.may_track(n.action_id)))"
    )
    op.execute(f"ALTER TABLE note_retraction ALTER COLUMN member_id SET DEFAULT {P}.my_member_id()")
    op.execute(f"GRANT SELECT ON note_retraction TO {viewer}")
    op.execute(f"GRANT INSERT ON note_retraction TO {member}")
    op.execute(f"GRANT USAGE ON SEQUENCE note_retraction_id_seq TO {member}")
    op.execute(
        f"CREATE FUNCTION {schema}.tracker_notify_note_retraction() RETURNS trigger LANGUAGE plpgsql AS $body$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', jsonb_strip_nulls(jsonb_build_object("
        "'kind', 'note', 'framework', t.framework, "
        "'action', CASE WHEN count(DISTINCT t.action) = 1 THEN min(t.action) END))::text) "
        f"FROM (SELECT a.framework_id, n.action_id FROM changed c LEFT JOIN {schema}.action_note n "
        f"ON n.id = c.note_id LEFT JOIN {schema}.action a ON a.id = n.action_id) AS t(framework, action) "
        "GROUP BY t.framework; RETURN NULL; END $body$"
    )
    for event, which in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        op.execute(
            f"CREATE TRIGGER tracker_notify_{event} AFTER {event.upper()} ON {schema}.note_retraction "
            f"REFERENCING {which} TABLE AS changed "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.tracker_notify_note_retraction()"
        )


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_table("note_retraction")  # its policies and triggers go with it
    if conn.dialect.name == "postgresql":
        schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
        op.execute(f"DROP FUNCTION IF EXISTS {schema}.tracker_notify_note_retraction()")
