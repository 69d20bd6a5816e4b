"""PostgreSQL enforces who may do what: database roles, grants and row-level security

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:40:00

Written by hand. On every backend: ``member.db_role``, the database role a member
connects as. On PostgreSQL only (SQLite has no roles; its file permissions are the
boundary):

- group roles per database, ``tracker_<database>_viewer|member|coordinator|admin``
  (each a member of the one before), and ``tracker_<database>_roles``, a NOLOGIN role
  with CREATEROLE that owns the only two functions that create login roles and
  grant the groups. Created when the migrating login may create roles (a superuser),
  otherwise they must exist (the error gives the SQL). Roles belong to the server, so
  they are created idempotently and never dropped, also not by the downgrade.
- a private schema, ``tracker_private``, with the helpers the policies call;
- row-level security enabled and forced on every table, with policies that mirror
  ``tracker.services.access.rules``, and column privileges for what members may change.

The helpers that ask "who is calling" (``my_member_id``, ``is_admin``,
``frameworks_i_read``...) are SECURITY INVOKER functions over views owned by the
schema owner: inside a SECURITY DEFINER function ``current_user`` is the function's
owner, never the caller, while a view reads its tables with its owner's rights and
``current_user`` stays the caller's. The helpers that need rows the caller cannot see
and do not depend on who calls (an action's organisations, a source's balance) are
SECURITY DEFINER with a fixed ``search_path``, returning ids or aggregates only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
import itertools

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

P = "tracker_private"
GROUPS = ("viewer", "member", "coordinator", "admin")
HISTORY = ("status_change", "action_note", "plan_change", "measurement", "import_run")
# Tables whose rows belong to one framework through a column of their own.
FRAMEWORK_TABLES = ("goal", "objective", "action", "indicator", "workshop")
# Tables whose rows belong to a framework through a parent row: (table, column, parent).
CHILD_TABLES = (
    ("action_partner", "action_id", "action"),
    ("action_finding", "action_id", "action"),
    ("allocation", "action_id", "action"),
    ("goal_finding", "goal_id", "goal"),
    ("objective_finding", "objective_id", "objective"),
    ("workshop_participant", "workshop_id", "workshop"),
    ("finding", "workshop_id", "workshop"),
)
TRACKING_COLUMNS = ("status", "completed_on", "version", "updated_at")

IS_ADMIN = f"(SELECT {P}.is_admin())"
# Ends the subqueries of child rows' policies (a parent row by its primary key): without
# it the planner may hash every visible parent row, a scan of all actions per query
# (pages and status changes 1.5x to 1.7x slower at 100,000 actions); OFFSET 0 keeps
# each check an index probe.
PROBE = " OFFSET 0"
ME = f"(SELECT {P}.my_member_id())"


def _reads(column: str) -> str:
    return f"({IS_ADMIN} OR {column} = ANY ((SELECT {P}.frameworks_i_read())::integer[]))"


def _coordinates(column: str) -> str:
    return f"({IS_ADMIN} OR {column} = ANY ((SELECT {P}.frameworks_i_coordinate())::integer[]))"


def _any_coordinator() -> str:
    return f"({IS_ADMIN} OR cardinality((SELECT {P}.frameworks_i_coordinate())) > 0)"


def upgrade() -> None:
    # Not a batch operation: on SQLite that rebuilds the table, and dropping the old
    # member table would cascade to every membership.
    op.add_column("member", sa.Column("db_role", sa.String(length=63), nullable=True))
    op.create_index(op.f("ix_member_db_role"), "member", ["db_role"], unique=True)
    if op.get_bind().dialect.name != "postgresql":
        return
    conn = op.get_bind()
    prefix = _prefix(conn)
    owner = conn.execute(
        sa.text("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass")
    ).scalar_one()
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    _roles(conn, prefix, owner)
    op.execute("UPDATE member SET db_role = login WHERE db_role IS NULL")
    _private_schema(prefix, owner, schema)
    _policies(prefix, owner, schema, conn)
    _grants(prefix, schema, conn)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        conn = op.get_bind()
        prefix = _prefix(conn)
        tables = _tables(conn)
        for table in tables:
            for name in conn.execute(
                sa.text("SELECT policyname FROM pg_policies WHERE schemaname = current_schema() AND tablename = :t"),
                {"t": table},
            ).scalars():
                op.execute(f'DROP POLICY "{name}" ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
            for group in GROUPS:
                if _role_exists(conn, prefix + group):
                    op.execute(f'REVOKE ALL ON "{table}" FROM "{prefix}{group}"')
        for table in ("status_change", "action_note", "plan_change", "measurement"):
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN member_id DROP DEFAULT')
        op.execute('ALTER TABLE "import_run" ALTER COLUMN actor DROP DEFAULT')
        for group in GROUPS:
            if _role_exists(conn, prefix + group):
                op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{_schema(conn)}" FROM "{prefix}{group}"')
                op.execute(f'REVOKE USAGE ON SCHEMA "{_schema(conn)}" FROM "{prefix}{group}"')
        op.execute(f"DROP SCHEMA {P} CASCADE")  # its functions, views and triggers' functions; never the roles
    op.drop_index(op.f("ix_member_db_role"), table_name="member")
    op.drop_column("member", "db_role")  # SQLite 3.35+ drops a column in place


# -- roles ------------------------------------------------------------------------------------


def _schema(conn: sa.Connection) -> str:
    return str(conn.execute(sa.text("SELECT current_schema()")).scalar_one())


def _prefix(conn: sa.Connection) -> str:
    """``tracker_<database>_``: the database's name, lower-cased, other characters as ``_``;
    a long name is cut and given a hash of the whole, so every role name fits 63 bytes."""
    name = str(conn.execute(sa.text("SELECT current_database()")).scalar_one())
    clean = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in name.lower())
    if len(clean) > 40:
        digest = conn.execute(sa.text("SELECT left(md5(:n), 8)"), {"n": name}).scalar_one()
        clean = f"{clean[:31]}_{digest}"
    return f"tracker_{clean}_"


def _role_exists(conn: sa.Connection, role: str) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def roles_sql(prefix: str, owner: str) -> list[str]:
    """What an administrator runs (as a superuser) before this migration when the
    migrating login may not create roles."""
    sql = [f'CREATE ROLE "{prefix}{group}" NOLOGIN' for group in GROUPS]
    sql += [f'GRANT "{prefix}{lower}" TO "{prefix}{upper}"' for lower, upper in itertools.pairwise(GROUPS)]
    sql += [f'CREATE ROLE "{prefix}roles" NOLOGIN CREATEROLE', f'GRANT "{prefix}roles" TO "{owner}"']
    return sql


def _roles(conn: sa.Connection, prefix: str, owner: str) -> None:
    missing = [r for r in (*[prefix + g for g in GROUPS], prefix + "roles") if not _role_exists(conn, r)]
    if not missing:
        return
    may = conn.execute(
        sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    if not may:
        from tracker.errors import PermissionDenied

        script = "; ".join(roles_sql(prefix, owner))
        raise PermissionDenied(
            f"this database needs its tracker roles, and {owner} may not create roles (nor should it); "
            f"have an administrator run, as a superuser: {script}; then run `tracker db upgrade` again."
        )
    for group in GROUPS:
        if prefix + group in missing:
            op.execute(f'CREATE ROLE "{prefix}{group}" NOLOGIN')
    for lower, upper in itertools.pairwise(GROUPS):
        op.execute(f'GRANT "{prefix}{lower}" TO "{prefix}{upper}"')
    if prefix + "roles" in missing:
        op.execute(f'CREATE ROLE "{prefix}roles" NOLOGIN CREATEROLE')


# -- the private schema -----------------------------------------------------------------------


def _private_schema(prefix: str, owner: str, schema: str) -> None:
    s = f'"{schema}"'
    fixed = "SET search_path = pg_catalog, pg_temp"
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {P}")
    op.execute(f"REVOKE ALL ON SCHEMA {P} FROM PUBLIC")
    # Who is calling: views run with their owner's rights, current_user stays the caller.
    op.execute(
        f"CREATE VIEW {P}.me WITH (security_barrier) AS SELECT id, login FROM {s}.member WHERE db_role = current_user"
    )
    op.execute(
        f"CREATE VIEW {P}.my_memberships WITH (security_barrier) AS "
        f"SELECT ms.framework_id, ms.role FROM {s}.membership ms JOIN {s}.member m ON m.id = ms.member_id "
        "WHERE m.db_role = current_user"
    )
    op.execute(
        f"CREATE VIEW {P}.my_organisations WITH (security_barrier) AS "
        f"SELECT a.framework_id, a.stakeholder_id FROM {s}.affiliation a "
        f"JOIN {s}.member m ON m.id = a.member_id "
        f"JOIN {s}.membership ms ON ms.member_id = a.member_id AND ms.framework_id = a.framework_id "
        "WHERE m.db_role = current_user AND ms.role IN ('member', 'coordinator')"
    )
    op.execute(
        f"CREATE VIEW {P}.my_admin WITH (security_barrier) AS "
        f"SELECT a.member_id FROM {s}.admin a JOIN {s}.member m ON m.id = a.member_id WHERE m.db_role = current_user"
    )
    # The one record of this database's group-role names, for the tool and administrators.
    op.execute(f"CREATE FUNCTION {P}.role_prefix() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT {_lit(prefix)} $$")
    # PL/pgSQL rather than SQL: a session keeps its plans, where a SQL function called
    # from a policy is planned again at every call (it made each status change 3x slower).
    invoker = f"LANGUAGE plpgsql STABLE {fixed}"

    def returns(name: str, result: str, query: str) -> None:
        op.execute(f"CREATE FUNCTION {P}.{name} RETURNS {result} {invoker} AS $$ BEGIN RETURN ({query}); END $$")

    returns("my_member_id()", "integer", f"SELECT id FROM {P}.me")
    returns("my_login()", "text", f"SELECT login FROM {P}.me")
    returns("is_admin()", "boolean", f"SELECT EXISTS (SELECT 1 FROM {P}.my_admin)")
    returns(
        "frameworks_i_read()", "integer[]", f"SELECT coalesce(array_agg(framework_id), '{{}}') FROM {P}.my_memberships"
    )
    returns(
        "frameworks_i_coordinate()",
        "integer[]",
        f"SELECT coalesce(array_agg(framework_id), '{{}}') FROM {P}.my_memberships WHERE role = 'coordinator'",
    )
    # Ids only, whoever asks: the framework and organisations (lead, partners) of an action,
    # and of the actions under an indicator's objective (the framework alone when none).
    definer = f"LANGUAGE plpgsql STABLE SECURITY DEFINER {fixed}"
    op.execute(
        f"CREATE FUNCTION {P}.action_parties(p_action integer) "
        f"RETURNS TABLE (framework_id integer, stakeholder_id integer) {definer} AS $$ BEGIN RETURN QUERY "
        f"SELECT a.framework_id, a.lead_id FROM {s}.action a WHERE a.id = p_action "
        f"UNION ALL SELECT a.framework_id, p.stakeholder_id FROM {s}.action a "
        f"JOIN {s}.action_partner p ON p.action_id = a.id WHERE a.id = p_action; END $$"
    )
    op.execute(
        f"CREATE FUNCTION {P}.indicator_parties(p_indicator integer) "
        f"RETURNS TABLE (framework_id integer, stakeholder_id integer) {definer} AS $$ BEGIN RETURN QUERY "
        f"SELECT i.framework_id, NULL::integer FROM {s}.indicator i WHERE i.id = p_indicator "
        f"UNION ALL SELECT a.framework_id, a.lead_id FROM {s}.indicator i "
        f"JOIN {s}.action a ON a.objective_id = i.objective_id WHERE i.id = p_indicator "
        f"UNION ALL SELECT a.framework_id, p.stakeholder_id FROM {s}.indicator i "
        f"JOIN {s}.action a ON a.objective_id = i.objective_id "
        f"JOIN {s}.action_partner p ON p.action_id = a.id WHERE i.id = p_indicator; END $$"
    )
    for name, parties in (("may_track", "action_parties"), ("may_measure", "indicator_parties")):
        op.execute(
            f"CREATE FUNCTION {P}.{name}(p_id integer) RETURNS boolean {invoker} AS $$ "
            f"DECLARE coordinated integer[]; BEGIN "
            f"IF {P}.is_admin() THEN RETURN true; END IF; "
            f"coordinated := {P}.frameworks_i_coordinate(); "
            f"RETURN EXISTS (SELECT 1 FROM {P}.{parties}(p_id) x WHERE x.framework_id = ANY (coordinated) "
            f"OR (x.framework_id, x.stakeholder_id) IN (SELECT framework_id, stakeholder_id FROM {P}.my_organisations)"
            "); END $$"
        )
    # A shared source's balance over every framework: the aggregate, never the rows.
    op.execute(
        f"CREATE FUNCTION {P}.source_balances() "
        "RETURNS TABLE (source_id integer, allocated bigint, unknown bigint) "
        f"LANGUAGE sql STABLE SECURITY DEFINER {fixed} AS $$ "
        "SELECT source_id, sum(amount)::bigint, count(*) FILTER (WHERE amount IS NULL) "
        f"FROM {s}.allocation GROUP BY source_id $$"
    )
    # Creating login roles and granting the groups: owned by the one role that may.
    op.execute(
        f"CREATE FUNCTION {P}.create_login(p_role text) RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER "
        f"{fixed} AS $$ DECLARE existing pg_roles; BEGIN "
        "IF p_role !~ '^[A-Za-z0-9._@-]{1,63}$' OR p_role ~* '^pg_' OR p_role LIKE 'tracker\\_%' THEN "
        "RAISE EXCEPTION 'tracker: % is not a name tracker creates a login role for', p_role "
        "USING ERRCODE = 'insufficient_privilege'; END IF; "
        "SELECT * INTO existing FROM pg_roles WHERE rolname = p_role; "
        "IF NOT FOUND THEN EXECUTE format('CREATE ROLE %I LOGIN INHERIT', p_role); RETURN; END IF; "
        "IF existing.rolsuper OR existing.rolcreaterole OR existing.rolbypassrls OR existing.rolcreatedb "
        "OR NOT existing.rolcanlogin "
        f"OR pg_has_role(p_role, {_lit(owner)}, 'MEMBER') THEN "
        "RAISE EXCEPTION 'tracker: the role % exists with more rights than a member needs; map another role', "
        "p_role USING ERRCODE = 'insufficient_privilege'; END IF; END $$"
    )
    groups = ", ".join(_lit(prefix + g) for g in GROUPS)
    op.execute(
        f"CREATE FUNCTION {P}.grant_groups(p_role text, p_group text) RETURNS void LANGUAGE plpgsql VOLATILE "
        f"SECURITY DEFINER {fixed} AS $$ DECLARE g text; BEGIN "
        "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_role AND NOT rolsuper AND rolcanlogin) "
        f"OR pg_has_role(p_role, {_lit(owner)}, 'MEMBER') THEN RETURN; END IF; "
        f"FOREACH g IN ARRAY ARRAY[{groups}] LOOP "
        "IF g = p_group AND NOT EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = g::regrole "
        "AND member = p_role::regrole) THEN EXECUTE format('GRANT %I TO %I', g, p_role); "
        "ELSIF g IS DISTINCT FROM p_group AND EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = g::regrole "
        "AND member = p_role::regrole) THEN EXECUTE format('REVOKE %I FROM %I', g, p_role); END IF; "
        "END LOOP; END $$"
    )
    op.execute(f'GRANT USAGE, CREATE ON SCHEMA {P} TO "{prefix}roles"')  # to be given these functions
    for function in ("create_login(text)", "grant_groups(text, text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {P}.{function} FROM PUBLIC")
        op.execute(f'ALTER FUNCTION {P}.{function} OWNER TO "{prefix}roles"')
    op.execute(f'GRANT EXECUTE ON FUNCTION {P}.create_login(text) TO "{prefix}coordinator"')
    op.execute(f'GRANT EXECUTE ON FUNCTION {P}.grant_groups(text, text) TO "{owner}"')
    op.execute(f'GRANT EXECUTE ON FUNCTION {P}.create_login(text) TO "{owner}"')  # the first admin's role
    # The groups follow the admin and membership tables: the highest role anywhere.
    op.execute(
        f"CREATE FUNCTION {P}.sync_groups(p_member integer) RETURNS void LANGUAGE sql VOLATILE "
        f"SECURITY DEFINER {fixed} AS $$ SELECT {P}.grant_groups(m.db_role, {_lit(prefix)} || CASE "
        f"WHEN EXISTS (SELECT 1 FROM {s}.admin a WHERE a.member_id = m.id) THEN 'admin' "
        f"WHEN EXISTS (SELECT 1 FROM {s}.membership ms WHERE ms.member_id = m.id AND ms.role = 'coordinator') "
        "THEN 'coordinator' "
        f"WHEN EXISTS (SELECT 1 FROM {s}.membership ms WHERE ms.member_id = m.id AND ms.role = 'member') "
        "THEN 'member' "
        f"WHEN EXISTS (SELECT 1 FROM {s}.membership ms WHERE ms.member_id = m.id) THEN 'viewer' "
        f"ELSE NULL END) FROM {s}.member m WHERE m.id = p_member AND m.db_role IS NOT NULL $$"
    )
    op.execute(
        f"CREATE FUNCTION {P}.on_role_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {fixed} AS $$ "
        "BEGIN "
        f"IF TG_OP <> 'INSERT' THEN PERFORM {P}.sync_groups(OLD.member_id); END IF; "
        f"IF TG_OP <> 'DELETE' THEN PERFORM {P}.sync_groups(NEW.member_id); END IF; "
        "RETURN NULL; END $$"
    )
    for table in ("membership", "admin"):
        op.execute(
            f"CREATE TRIGGER tracker_groups AFTER INSERT OR UPDATE OR DELETE ON {s}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {P}.on_role_change()"
        )
    # A member's database role is their login unless mapped (by the owner) to another.
    op.execute(
        f"CREATE FUNCTION {P}.default_db_role() RETURNS trigger LANGUAGE plpgsql {fixed} AS $$ "
        "BEGIN NEW.db_role := coalesce(NEW.db_role, NEW.login); RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER tracker_db_role BEFORE INSERT ON {s}.member "
        f"FOR EACH ROW EXECUTE FUNCTION {P}.default_db_role()"
    )
    # A member changes an action's tracking columns only; a coordinator elsewhere holds the
    # coordinator group's column rights, so this trigger keeps them to tracking here.
    changed = " OR ".join(
        f"NEW.{c} IS DISTINCT FROM OLD.{c}"
        for c in (
            "framework_id",
            "objective_id",
            "key",
            "position",
            "title",
            "description",
            "horizon",
            "lead_id",
            "starts",
            "due",
            "cost",
            "created_at",
        )
    )
    op.execute(
        f"CREATE FUNCTION {P}.guard_action() RETURNS trigger LANGUAGE plpgsql {fixed} AS $$ BEGIN "
        f"IF ({changed}) AND NOT pg_has_role({_lit(owner)}, 'MEMBER') AND NOT {P}.is_admin() "
        f"AND NOT OLD.framework_id = ANY ({P}.frameworks_i_coordinate()) THEN "
        "RAISE EXCEPTION 'tracker: only a coordinator of the framework changes an action''s plan' "
        "USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER tracker_guard BEFORE UPDATE ON {s}.action FOR EACH ROW EXECUTE FUNCTION {P}.guard_action()"
    )


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- policies ---------------------------------------------------------------------------------


def _tables(conn: sa.Connection) -> list[str]:
    return list(
        conn.execute(
            sa.text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
            )
        ).scalars()
    )


def _policy(table: str, name: str, command: str, to: str, using: str | None, check: str | None = None) -> None:
    sql = f'CREATE POLICY "{name}" ON "{table}" FOR {command} TO {to}'
    if using is not None:
        sql += f" USING ({using})"
    if check is not None:
        sql += f" WITH CHECK ({check})"
    op.execute(sql)


def _policies(prefix: str, owner: str, schema: str, conn: sa.Connection) -> None:
    s = f'"{schema}"'
    everyone = f'"{prefix}viewer"'  # every group is a member of viewer
    members = f'"{prefix}member"'
    for table in _tables(conn):
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        # The owner runs migrations; FORCE binds it too, so it has a policy of its own.
        _policy(table, "owner", "ALL", f'"{owner}"', "true", "true")

    def writes(table: str, condition: str, *, delete: bool = True) -> None:
        _policy(table, "insert", "INSERT", everyone, None, condition)
        _policy(table, "update", "UPDATE", everyone, condition, condition)
        if delete:
            _policy(table, "delete", "DELETE", everyone, condition)

    _policy("alembic_version", "read", "SELECT", everyone, "true")

    _policy("framework", "read", "SELECT", everyone, _reads("id"))
    _policy("framework", "insert", "INSERT", everyone, None, IS_ADMIN)
    _policy("framework", "update", "UPDATE", everyone, _coordinates("id"), _coordinates("id"))
    _policy("framework", "delete", "DELETE", everyone, IS_ADMIN)

    for table in FRAMEWORK_TABLES:
        _policy(table, "read", "SELECT", everyone, _reads("framework_id"))
        writes(table, _coordinates("framework_id"))
    _policy("action", "track", "UPDATE", members, f"{P}.may_track(id)", f"{P}.may_track(id)")

    for table, column, parent in CHILD_TABLES:
        _policy(
            table, "read", "SELECT", everyone, f"EXISTS (SELECT 1 FROM {s}.{parent} p WHERE p.id = {column}{PROBE})"
        )
        writes(
            table,
            f"EXISTS (SELECT 1 FROM {s}.{parent} p WHERE p.id = {column} AND {_coordinates('p.framework_id')}{PROBE})",
        )
    _policy(
        "finding_translation",
        "read",
        "SELECT",
        everyone,
        f"EXISTS (SELECT 1 FROM {s}.finding f WHERE f.id = finding_id{PROBE})",
    )
    writes(
        "finding_translation",
        f"EXISTS (SELECT 1 FROM {s}.finding f JOIN {s}.workshop w ON w.id = f.workshop_id "
        f"WHERE f.id = finding_id AND {_coordinates('w.framework_id')})",
    )

    # History: read with its action (or indicator); inserted only as oneself; never changed.
    via_action = f"EXISTS (SELECT 1 FROM {s}.action a WHERE a.id = action_id{PROBE})"
    for table in ("status_change", "action_note"):
        _policy(table, "read", "SELECT", everyone, via_action)
        _policy(table, "insert", "INSERT", members, None, f"member_id = {ME} AND {P}.may_track(action_id)")
    _policy("plan_change", "read", "SELECT", everyone, via_action)
    _policy(
        "plan_change",
        "insert",
        "INSERT",
        everyone,
        None,
        f"member_id = {ME} AND EXISTS (SELECT 1 FROM {s}.action a WHERE a.id = action_id "
        f"AND {_coordinates('a.framework_id')})",
    )
    via_indicator = f"EXISTS (SELECT 1 FROM {s}.indicator i WHERE i.id = indicator_id{PROBE})"
    _policy("measurement", "read", "SELECT", everyone, via_indicator)
    _policy("measurement", "insert", "INSERT", members, None, f"member_id = {ME} AND {P}.may_measure(indicator_id)")
    _policy("import_run", "read", "SELECT", everyone, f"{IS_ADMIN} OR actor = (SELECT {P}.my_login())")
    _policy("import_run", "insert", "INSERT", everyone, None, f"actor = (SELECT {P}.my_login())")

    # Shared by frameworks: organisations and sources, seen where a visible framework uses
    # them (coordinators see all, to reuse one in their plan), written by coordinators.
    _policy(
        "stakeholder",
        "read",
        "SELECT",
        everyone,
        f"{_any_coordinator()} OR EXISTS (SELECT 1 FROM {s}.action a WHERE a.lead_id = stakeholder.id) "
        f"OR EXISTS (SELECT 1 FROM {s}.action_partner p WHERE p.stakeholder_id = stakeholder.id) "
        f"OR EXISTS (SELECT 1 FROM {s}.workshop_participant w WHERE w.stakeholder_id = stakeholder.id) "
        f"OR stakeholder.id IN (SELECT stakeholder_id FROM {P}.my_organisations)",
    )
    _policy(
        "funding_source",
        "read",
        "SELECT",
        everyone,
        f"{_any_coordinator()} OR EXISTS (SELECT 1 FROM {s}.allocation al WHERE al.source_id = funding_source.id)",
    )
    for table in ("stakeholder", "funding_source"):
        _policy(table, "insert", "INSERT", everyone, None, _any_coordinator())
        _policy(table, "update", "UPDATE", everyone, _any_coordinator(), _any_coordinator())
        _policy(table, "delete", "DELETE", everyone, IS_ADMIN)

    # People: a login sees itself, the members of the frameworks it reads, and the admins;
    # coordinators see every member (to add someone who works in another city already).
    _policy(
        "member",
        "read",
        "SELECT",
        everyone,
        f"{_any_coordinator()} OR id = {ME} OR id IN (SELECT member_id FROM {s}.membership) "
        f"OR id IN (SELECT member_id FROM {s}.admin)",
    )
    _policy("member", "insert", "INSERT", everyone, None, _any_coordinator())
    _policy("member", "update", "UPDATE", everyone, _any_coordinator(), _any_coordinator())
    _policy("member", "delete", "DELETE", everyone, IS_ADMIN)
    for table in ("membership", "affiliation"):
        _policy(table, "read", "SELECT", everyone, f"{_reads('framework_id')} OR member_id = {ME}")
        writes(table, _coordinates("framework_id"))
    _policy("admin", "read", "SELECT", everyone, "true")
    writes("admin", IS_ADMIN)

    # The actor defaults to the caller's member (and the policies above require it).
    for table in ("status_change", "action_note", "plan_change", "measurement"):
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN member_id SET DEFAULT {P}.my_member_id()')
    op.execute(f'ALTER TABLE "import_run" ALTER COLUMN actor SET DEFAULT {P}.my_login()')


def _grants(prefix: str, schema: str, conn: sa.Connection) -> None:
    viewer, member, coordinator, admin = (f'"{prefix}{g}"' for g in GROUPS)
    op.execute(f"GRANT USAGE ON SCHEMA {P} TO {viewer}")
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {viewer}')
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {P} TO {viewer}")
    for function in (
        "my_member_id()",
        "my_login()",
        "is_admin()",
        "frameworks_i_read()",
        "frameworks_i_coordinate()",
        "action_parties(integer)",
        "indicator_parties(integer)",
        "may_track(integer)",
        "may_measure(integer)",
        "source_balances()",
        "role_prefix()",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {P}.{function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {P}.{function} TO {viewer}")
    for function in ("sync_groups(integer)", "on_role_change()", "default_db_role()", "guard_action()"):
        op.execute(f"REVOKE ALL ON FUNCTION {P}.{function} FROM PUBLIC")
    # Deriving a member's groups again is harmless: who may add members may ask for it.
    op.execute(f"GRANT EXECUTE ON FUNCTION {P}.sync_groups(integer) TO {coordinator}")
    tables = _tables(conn)
    op.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {viewer}')
    # Members: the tracking columns of actions, and history rows in their own name.
    op.execute(f'GRANT UPDATE ({", ".join(TRACKING_COLUMNS)}) ON "action" TO {member}')
    for table in ("status_change", "action_note", "measurement"):
        op.execute(f'GRANT INSERT ON "{table}" TO {member}')
        op.execute(f'GRANT USAGE ON SEQUENCE "{table}_id_seq" TO {member}')
    # Coordinators: the plan, people and funding; history is insert-only for everyone.
    for table in tables:
        if table in ("alembic_version", "admin", "member"):
            continue
        rights = "INSERT" if table in HISTORY else "INSERT, UPDATE, DELETE"
        op.execute(f'GRANT {rights} ON "{table}" TO {coordinator}')
    op.execute(f'GRANT INSERT (login, name, created_at), UPDATE (name) ON "member" TO {coordinator}')
    op.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO {coordinator}')
    op.execute(f'GRANT INSERT, UPDATE, DELETE ON "admin" TO {admin}')
    op.execute(f'GRANT DELETE ON "member" TO {admin}')
