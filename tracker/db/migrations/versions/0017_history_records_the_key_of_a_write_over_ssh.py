"""history records the ssh key fingerprint of every write made through the team server

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:20:00

Written by hand. A nullable ``via_key`` (the key's ``SHA256:...`` fingerprint) on every
history table a member or coordinator writes: ``status_change``, ``action_note``,
``note_retraction``, ``measurement``, ``plan_change`` and ``import_run``. NULL for a
write made locally.

Who fills it is the database connection, never the services' arguments: a session that
`tracker ssh-session` opens marks its own connections (`tracker.cli.context.Settings`):

- SQLite: a TEMP trigger per connection (nothing in the file; members never touch the
  file on the team server, the service account does);
- PostgreSQL: the session setting ``tracker.via_key``, which a trigger made here copies
  into every new history row, whatever the row says. Any role may set a custom setting,
  so the trigger trusts it only when the session's login role (``session_user``, which
  `SET ROLE` does not change) is a superuser, holds the schema owner's rights, or is no
  member's role (the team server's gateway role, which `SET ROLE`s to the member). A
  member who connects with their own role and writes SQL gets NULL, whatever they set or
  insert, even after `SET ROLE` to a group; and no one's UPDATE changes a row's ``via_key``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

P = "tracker_private"
TABLES = ("status_change", "action_note", "note_retraction", "measurement", "plan_change", "import_run")
SETTING = "tracker.via_key"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("via_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    # SECURITY DEFINER: it reads every member's role whoever writes (RLS hides them from
    # a member); session_user stays the login role that connected.
    op.execute(
        f"CREATE FUNCTION {P}.stamp_via_key() RETURNS trigger LANGUAGE plpgsql VOLATILE SECURITY DEFINER "
        "SET search_path = pg_catalog, pg_temp AS $body$ BEGIN "
        "IF TG_OP = 'UPDATE' THEN NEW.via_key := OLD.via_key; RETURN NEW; END IF; "
        f"IF EXISTS (SELECT 1 FROM {schema}.member m WHERE m.db_role = session_user::text) "
        "AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user AND r.rolsuper) "
        "AND NOT pg_has_role(session_user, "
        f"(SELECT c.relowner FROM pg_class c WHERE c.oid = '{schema}.member'::regclass), 'MEMBER') THEN "
        "NEW.via_key := NULL; "
        f"ELSE NEW.via_key := left(nullif(current_setting('{SETTING}', true), ''), 64); END IF; "
        "RETURN NEW; END $body$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER tracker_via_key BEFORE INSERT OR UPDATE ON {schema}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {P}.stamp_via_key()"
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS tracker_via_key ON {schema}.{table}")
        op.execute(f"DROP FUNCTION IF EXISTS {P}.stamp_via_key()")
    for table in TABLES:
        op.drop_column(table, "via_key")  # SQLite 3.35+ drops a column in place
