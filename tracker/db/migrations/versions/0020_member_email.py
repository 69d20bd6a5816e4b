"""members' email, and members changing their own details

Revision ID: 0020
Revises: 0019

Written by hand. ``member.email``: an optional address (checked by `tracker.names.check_email`
before it is stored), personal, so shown only as `access.rules.may_see_email` says.

PostgreSQL (SQLite has no roles; only the column changes there):

- coordinators may write ``email`` as they write ``name`` (0007's column grants), and rename
  a login (``UPDATE (login)``). The ``member`` update policy of 0007 lets any coordinator
  update any member's row, which was enough for names; a login and an email are kept as
  `access.rules.why_not_edit_member` says by a trigger, ``guard_member``: an admin; a
  coordinator of every framework of a member who is not an admin (``may_look_after``,
  as for keys); the member their own email, never their own login (an admin may). The
  schema owner and superusers pass, as in 0007's ``guard_action``.
  A member's ``db_role`` is not granted to anyone: renaming a login keeps the role, so the
  member goes on connecting (or being SET ROLE to) as before.
- the ``email`` column is not readable by the members' roles (the table's SELECT becomes
  SELECT on its other columns): they read addresses through the view
  ``tracker_private.member_emails``, which shows a member's own, every one to an admin,
  and to a coordinator those of the members of the frameworks they coordinate (and of
  admins), as `access.rules.may_see_email` says. A later migration that grants SELECT
  on every table again must leave ``member`` out, or the addresses are open again;
- every login may change its own ``name`` and ``email`` (a policy on its own row, and a
  column grant of those two columns only: never its login, role or anyone else's row);
- ``plan_change`` rows of ``item_kind = 'member'`` record those edits: any login may insert
  one in its own name about itself; a coordinator or admin about anyone. They are read by
  their author, the member they are about, and admins (an old email is as personal as a
  current one; an INSERT ... RETURNING needs the row to be readable by its author).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

P = "tracker_private"
READABLE = ("id", "login", "name", "db_role", "created_at")  # every column of member but email
MAX_EMAIL = 320  # RFC 5321's longest path: 64 for the local part, @, 255 for the domain


def _names(conn: sa.Connection) -> tuple[str, str, str, str, str]:
    """The every-login group, the coordinator group, and the policies' shared expressions."""
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    is_admin = f"(SELECT {P}.is_admin())"
    any_coordinator = f"({is_admin} OR cardinality((SELECT {P}.frameworks_i_coordinate())) > 0)"
    me = f"(SELECT {P}.my_member_id())"
    return f'"{prefix}viewer"', f'"{prefix}coordinator"', is_admin, any_coordinator, me


def _guard(conn: sa.Connection, everyone: str, is_admin: str, me: str) -> None:
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    owner = conn.exec_driver_sql("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass")
    owner_literal = "'" + str(owner.scalar_one()).replace("'", "''") + "'"
    fixed = "SET search_path = pg_catalog, pg_temp"
    # The frameworks a member belongs to, whoever asks (a login sees only its own
    # frameworks' memberships); NULL for an admin, whom only admins look after.
    op.execute(
        f"CREATE FUNCTION {P}.member_frameworks(p_member integer) RETURNS integer[] "
        f"LANGUAGE sql STABLE SECURITY DEFINER {fixed} AS $$ "
        f"SELECT CASE WHEN EXISTS (SELECT 1 FROM {schema}.admin a WHERE a.member_id = p_member) THEN NULL "
        "ELSE coalesce(array_agg(m.framework_id ORDER BY m.framework_id), '{}') END "
        f"FROM {schema}.membership m WHERE m.member_id = p_member $$"
    )
    # With the caller's rights: who is calling decides (a definer's current_user is the owner).
    op.execute(
        f"CREATE FUNCTION {P}.may_look_after(p_member integer) RETURNS boolean "
        f"LANGUAGE sql STABLE {fixed} AS $$ "
        f"SELECT {is_admin} OR coalesce((SELECT f <> '{{}}' AND f <@ (SELECT {P}.frameworks_i_coordinate())::integer[] "
        f"FROM (SELECT {P}.member_frameworks(p_member) AS f) x), false) $$"
    )
    for function in ("member_frameworks(integer)", "may_look_after(integer)"):
        op.execute(f"REVOKE ALL ON FUNCTION {P}.{function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {P}.{function} TO {everyone}")
    op.execute(
        f"CREATE FUNCTION {P}.guard_member() RETURNS trigger LANGUAGE plpgsql {fixed} AS $$ BEGIN "
        f"IF NOT pg_has_role({owner_literal}, 'MEMBER') AND ("
        f"(NEW.login IS DISTINCT FROM OLD.login "
        f"AND NOT ({is_admin} OR (OLD.id <> {me} AND {P}.may_look_after(OLD.id)))) "
        f"OR (NEW.email IS DISTINCT FROM OLD.email AND NOT (OLD.id = {me} OR {P}.may_look_after(OLD.id)))) THEN "
        "RAISE EXCEPTION 'tracker: only an admin or a coordinator of each of their frameworks changes a member''s "
        "login or email (a member their own email, not their login)' USING ERRCODE = 'insufficient_privilege'; "
        "END IF; RETURN NEW; END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {P}.guard_member() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER tracker_guard_member BEFORE UPDATE ON {schema}.member "
        f"FOR EACH ROW EXECUTE FUNCTION {P}.guard_member()"
    )


def _private_emails(conn: sa.Connection, everyone: str, is_admin: str, me: str) -> None:
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    coordinated = f"(SELECT {P}.frameworks_i_coordinate())::integer[]"
    op.execute(f'REVOKE SELECT ON "member" FROM {everyone}')
    op.execute(f'GRANT SELECT ({", ".join(READABLE)}) ON "member" TO {everyone}')
    # A view reads its tables with its owner's rights while current_user stays the caller's
    # (0007's helpers work the same way).
    op.execute(
        f"CREATE VIEW {P}.member_emails WITH (security_barrier) AS SELECT m.id, m.email FROM {schema}.member m "
        f"WHERE m.email IS NOT NULL AND ({is_admin} OR m.id = {me} "
        f"OR EXISTS (SELECT 1 FROM {schema}.membership ms WHERE ms.member_id = m.id "
        f"AND ms.framework_id = ANY ({coordinated})) "
        f"OR (cardinality({coordinated}) > 0 AND EXISTS (SELECT 1 FROM {schema}.admin a WHERE a.member_id = m.id)))"
    )
    op.execute(f"REVOKE ALL ON {P}.member_emails FROM PUBLIC")
    op.execute(f"GRANT SELECT ON {P}.member_emails TO {everyone}")


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=MAX_EMAIL), nullable=True))
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    everyone, coordinator, is_admin, any_coordinator, me = _names(conn)
    _guard(conn, everyone, is_admin, me)
    _private_emails(conn, everyone, is_admin, me)
    op.execute(
        f'CREATE POLICY "read_member" ON "plan_change" FOR SELECT TO {everyone} '
        f"USING (item_kind = 'member' AND ({is_admin} OR member_id = {me} OR item_id = {me}))"
    )
    op.execute(f'GRANT INSERT (email), UPDATE (email, login) ON "member" TO {coordinator}')
    op.execute(f'GRANT UPDATE (name, email) ON "member" TO {everyone}')
    op.execute(
        f'CREATE POLICY "update_own" ON "member" FOR UPDATE TO {everyone} USING (id = {me}) WITH CHECK (id = {me})'
    )
    op.execute(f'GRANT INSERT ON "plan_change" TO {everyone}')
    op.execute(f'GRANT USAGE ON SEQUENCE "plan_change_id_seq" TO {everyone}')
    op.execute(
        f'CREATE POLICY "insert_member" ON "plan_change" FOR INSERT TO {everyone} '
        f"WITH CHECK (item_kind = 'member' AND member_id = {me} AND (item_id = {me} OR {any_coordinator}))"
    )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        everyone, coordinator, _is_admin, _any, _me = _names(conn)
        op.execute(f"DROP VIEW {P}.member_emails")
        op.execute(f'REVOKE SELECT ({", ".join(READABLE)}) ON "member" FROM {everyone}')
        op.execute(f'GRANT SELECT ON "member" TO {everyone}')
        op.execute('DROP TRIGGER IF EXISTS tracker_guard_member ON "member"')
        op.execute(f"DROP FUNCTION {P}.guard_member()")
        op.execute(f"DROP FUNCTION {P}.may_look_after(integer)")
        op.execute(f"DROP FUNCTION {P}.member_frameworks(integer)")
        op.execute('DROP POLICY IF EXISTS "insert_member" ON "plan_change"')
        op.execute('DROP POLICY IF EXISTS "read_member" ON "plan_change"')
        op.execute(f'REVOKE USAGE ON SEQUENCE "plan_change_id_seq" FROM {everyone}')
        op.execute(f'REVOKE INSERT ON "plan_change" FROM {everyone}')
        op.execute('DROP POLICY IF EXISTS "update_own" ON "member"')
        op.execute(f'REVOKE UPDATE (name, email) ON "member" FROM {everyone}')
        op.execute(f'REVOKE INSERT (email), UPDATE (email, login) ON "member" FROM {coordinator}')
    # In place (SQLite 3.35+), not a batch copy of `member`: copying it with foreign keys on
    # (alembic's own downgrade) would cascade-delete every membership, admin and key.
    op.drop_column("member", "email")
