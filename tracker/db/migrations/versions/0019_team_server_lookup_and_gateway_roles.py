"""the team server on PostgreSQL: a key-lookup role and a gateway role

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 01:40:00

Written by hand. PostgreSQL only (on SQLite the team server's account owns the file;
nothing changes there). Two login roles per database, named with its role prefix like
the groups of 0007, created when the migrating login may (a superuser, or the owner
through ``<prefix>roles``), otherwise the error gives a superuser's SQL; created
idempotently and never dropped, also not by the downgrade (roles belong to the server):

- ``<prefix>lookup``: sshd's AuthorizedKeysCommand logs in as it at every key a client
  offers. It may call one SECURITY DEFINER function, ``tracker_private.key_owner(key
  type, base64 key)``, which answers the login and fingerprint of an enabled key of a
  member who belongs to a framework (or is an admin), and nothing else: no table.
- ``<prefix>gateway``: `tracker ssh-session` logs in as it and ``SET ROLE``s to the
  member's own role on every connection, so row-level security and ``current_user``
  are the member's. NOINHERIT and no table privilege: ``RESET ROLE`` is open to anyone,
  so the gateway itself must hold nothing. It may call ``open_session(login,
  fingerprint)`` (the member's role for an enabled key, recording its use) and
  ``gateway_gaps()`` (members the gateway cannot act as, for `tracker server check`;
  not those whose role is a superuser's, a role creator's or the owner's, which the
  gateway is never given: such a login works on the database directly, not over ssh).
  It becomes a member of each member's role where 0007's ``grant_groups`` gives a
  login its group, so ``member add``, ``admin add`` and every membership change keep it
  in step; existing members are given to it here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.db.roles import GATEWAY, LOOKUP, quote_role, server_roles_sql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

P = "tracker_private"
FIXED = "SET search_path = pg_catalog, pg_temp"
GROUPS = ("viewer", "member", "coordinator", "admin")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    owner = conn.execute(
        sa.text("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass")
    ).scalar_one()
    _roles(conn, prefix)
    lookup, gateway = quote_role(prefix + LOOKUP), quote_role(prefix + GATEWAY)
    reader = (
        f"EXISTS (SELECT 1 FROM {schema}.membership ms WHERE ms.member_id = m.id) "
        f"OR EXISTS (SELECT 1 FROM {schema}.admin a WHERE a.member_id = m.id)"
    )
    op.execute(
        f"CREATE FUNCTION {P}.key_owner(p_type text, p_key text) RETURNS TABLE (login text, fingerprint text) "
        f"LANGUAGE sql STABLE SECURITY DEFINER {FIXED} AS $$ "
        f"SELECT m.login::text, k.fingerprint::text FROM {schema}.member_key k JOIN {schema}.member m "
        "ON m.id = k.member_id WHERE k.key_data = p_key AND k.key_type = p_type AND k.disabled_at IS NULL "
        f"AND ({reader}) $$"
    )
    op.execute(
        f"CREATE FUNCTION {P}.open_session(p_login text, p_fingerprint text) RETURNS text "
        f"LANGUAGE sql VOLATILE SECURITY DEFINER {FIXED} AS $$ "
        f"UPDATE {schema}.member_key k SET last_used_at = now() AT TIME ZONE 'UTC' FROM {schema}.member m "
        "WHERE m.id = k.member_id AND m.login = p_login AND k.fingerprint = p_fingerprint "
        f"AND k.disabled_at IS NULL AND m.db_role IS NOT NULL AND ({reader}) RETURNING m.db_role::text $$"
    )
    op.execute(
        f"CREATE FUNCTION {P}.gateway_gaps() RETURNS TABLE (login text, db_role text) "
        f"LANGUAGE sql STABLE SECURITY DEFINER {FIXED} AS $$ "
        f"SELECT m.login::text, m.db_role::text FROM {schema}.member m WHERE ({reader}) "
        "AND (m.db_role IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = m.db_role) "
        f"OR NOT pg_has_role({_lit(prefix + GATEWAY)}, m.db_role, 'MEMBER')) "
        # never given to the gateway: roles above a member's (such a login works directly)
        "AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = m.db_role AND (r.rolsuper OR r.rolcreaterole "
        f"OR r.rolbypassrls OR pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = '{schema}.member'"
        "::regclass), 'MEMBER'))) ORDER BY m.login $$"
    )
    for function, role in (
        ("key_owner(text, text)", lookup),
        ("open_session(text, text)", gateway),
        ("gateway_gaps()", gateway),
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {P}.{function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {P}.{function} TO {role}")
    op.execute(f"GRANT USAGE ON SCHEMA {P} TO {lookup}, {gateway}")
    _grant_groups(prefix, owner, gateway=True)
    # Members from before: their roles go to the gateway as the groups are derived again.
    op.execute(f"SELECT {P}.sync_groups(id) FROM {schema}.member WHERE db_role IS NOT NULL")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    owner = conn.execute(
        sa.text("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass")
    ).scalar_one()
    for function in ("key_owner(text, text)", "open_session(text, text)", "gateway_gaps()"):
        op.execute(f"DROP FUNCTION {P}.{function}")
    op.execute(f"REVOKE USAGE ON SCHEMA {P} FROM {quote_role(prefix + LOOKUP)}, {quote_role(prefix + GATEWAY)}")
    _grant_groups(prefix, owner, gateway=False)
    # The roles stay (they belong to the server), and so do the gateway's memberships in
    # members' roles: harmless without the functions above, and other databases may share them.


def _role_exists(conn: sa.Connection, role: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def _roles(conn: sa.Connection, prefix: str) -> None:
    missing = [r for r in (prefix + LOOKUP, prefix + GATEWAY) if not _role_exists(conn, r)]
    if not missing:
        return
    may = conn.execute(
        sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    through = not may and bool(
        conn.execute(sa.text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": prefix + "roles"}).scalar()
    )
    if not may and not through:
        from tracker.errors import PermissionDenied

        script = "; ".join(server_roles_sql(prefix))
        raise PermissionDenied(
            "this database needs the team server's lookup and gateway roles, and the migrating login may not "
            f"create roles; have an administrator run, as a superuser: {script}; then run `tracker db upgrade` again."
        )
    if through:  # the owner creates roles only as the database's role creator (0007)
        op.execute(f"SET LOCAL ROLE {quote_role(prefix + 'roles')}")
    for statement, role in zip(server_roles_sql(prefix), (prefix + LOOKUP, prefix + GATEWAY), strict=True):
        if role in missing:
            op.execute(statement)
    if through:
        op.execute("RESET ROLE")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _grant_groups(prefix: str, owner: str, *, gateway: bool) -> None:
    """0007's ``grant_groups``, and with ``gateway`` the member's role given to the gateway
    too: only an ordinary login (never a superuser, a role creator, one that bypasses
    row-level security, or the owner's), and a refusal (a role this creator may not
    grant) leaves the membership change alone; `tracker server check` names the gap."""
    groups = ", ".join(_lit(prefix + g) for g in GROUPS)
    extra = ""
    if gateway:
        extra = (
            "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role AND (rolcreaterole OR rolbypassrls)) "
            f"AND NOT pg_has_role({_lit(prefix + GATEWAY)}, p_role, 'MEMBER') THEN BEGIN "
            f"EXECUTE format('GRANT %I TO %I', p_role, {_lit(prefix + GATEWAY)}); "
            "EXCEPTION WHEN insufficient_privilege OR undefined_object THEN "
            "RAISE WARNING 'tracker: the gateway role could not be given %', p_role; END; END IF; "
        )
    op.execute(
        f"CREATE OR REPLACE FUNCTION {P}.grant_groups(p_role text, p_group text) RETURNS void LANGUAGE plpgsql "
        f"VOLATILE SECURITY DEFINER {FIXED} AS $$ DECLARE g text; BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role AND NOT rolsuper AND rolcanlogin) "
        f"OR pg_has_role(p_role, {_lit(owner)}, 'MEMBER') THEN RETURN; END IF; "
        f"{extra}"
        f"FOREACH g IN ARRAY ARRAY[{groups}] LOOP "
        "IF g = p_group AND NOT EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = g::regrole "
        "AND member = p_role::regrole) THEN EXECUTE format('GRANT %I TO %I', g, p_role); "
        "ELSIF g IS DISTINCT FROM p_group AND EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = g::regrole "
        "AND member = p_role::regrole) THEN EXECUTE format('REVOKE %I FROM %I', g, p_role); END IF; "
        "END LOOP; END $$"
    )
