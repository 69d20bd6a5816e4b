"""a version on goals, objectives, indicators, funding sources and allocations

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Every item people edit carries a version, as actions do: an edit made on what someone
# read is refused as a conflict when the item changed since, never silently overwritten.
TABLES = ("goal", "objective", "indicator", "funding_source", "allocation")


P = "tracker_private"
KINDS = ("goal", "objective", "indicator")  # plan_change item kinds of a framework's own tables


def _names(conn: sa.Connection) -> tuple[str, str, str, str, str]:
    """The schema, the group every login is in, and the policies' shared expressions."""
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    is_admin = f"(SELECT {P}.is_admin())"
    coordinated = f"(SELECT {P}.frameworks_i_coordinate())::integer[]"
    me = f"(SELECT {P}.my_member_id())"
    return schema, f'"{prefix}viewer"', is_admin, coordinated, me


def _plan_change_policies(conn: sa.Connection, *, items: bool) -> None:
    """Who reads and writes plan_change: with ``items``, the rows of goals, objectives,
    indicators and funding sources too (they have no action), as their item is."""
    s, everyone, is_admin, coordinated, me = _names(conn)
    coordinates = f"({is_admin} OR a.framework_id = ANY ({coordinated}))"
    read = [f"EXISTS (SELECT 1 FROM {s}.action a WHERE a.id = action_id OFFSET 0)"]
    write = [f"EXISTS (SELECT 1 FROM {s}.action a WHERE a.id = action_id AND {coordinates})"]
    if items:
        for kind in KINDS:
            read.append(f"(item_kind = '{kind}' AND EXISTS (SELECT 1 FROM {s}.{kind} a WHERE a.id = item_id OFFSET 0))")
            write.append(
                f"(item_kind = '{kind}' AND EXISTS (SELECT 1 FROM {s}.{kind} a WHERE a.id = item_id AND {coordinates}))"
            )
        read.append(
            f"(item_kind = 'source' AND EXISTS (SELECT 1 FROM {s}.funding_source f WHERE f.id = item_id OFFSET 0))"
        )
        write.append(f"(item_kind = 'source' AND {P}.may_change_source(item_id))")
    for name in ("read", "insert"):
        op.execute(f'DROP POLICY IF EXISTS "{name}" ON plan_change')
    op.execute(f'CREATE POLICY "read" ON plan_change FOR SELECT TO {everyone} USING ({" OR ".join(read)})')
    op.execute(
        f'CREATE POLICY "insert" ON plan_change FOR INSERT TO {everyone} '
        f"WITH CHECK (member_id = {me} AND ({' OR '.join(write)}))"
    )


def _source_update_policy(conn: sa.Connection, *, shared_rule: bool) -> None:
    """With ``shared_rule``, a source is changed by an admin or a coordinator of every
    framework it pays for (any coordinator while it pays for none), as `access.rules` says."""
    _s, everyone, is_admin, _coordinated, _me = _names(conn)
    rule = (
        f"{P}.may_change_source(id)"
        if shared_rule
        else f"({is_admin} OR cardinality((SELECT {P}.frameworks_i_coordinate())) > 0)"
    )
    op.execute('DROP POLICY IF EXISTS "update" ON funding_source')
    op.execute(f'CREATE POLICY "update" ON funding_source FOR UPDATE TO {everyone} USING ({rule}) WITH CHECK ({rule})')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            batch_op.create_check_constraint(op.f(f"ck_{table}_version_positive"), "version >= 1")
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    s, everyone, is_admin, coordinated, _me = _names(conn)
    fixed = "SET search_path = pg_catalog, pg_temp"
    # The frameworks a source pays for, over every framework (a login sees only its own
    # allocations): their ids alone, as source_balances gives sums alone.
    op.execute(
        f"CREATE FUNCTION {P}.source_frameworks(p_source integer) RETURNS integer[] "
        f"LANGUAGE sql STABLE SECURITY DEFINER {fixed} AS $$ "
        "SELECT coalesce(array_agg(DISTINCT a.framework_id ORDER BY a.framework_id), '{}') "
        f"FROM {s}.allocation al JOIN {s}.action a ON a.id = al.action_id WHERE al.source_id = p_source $$"
    )
    # With the caller's rights: who is calling decides (a definer's current_user is the owner).
    op.execute(
        f"CREATE FUNCTION {P}.may_change_source(p_source integer) RETURNS boolean "
        f"LANGUAGE sql STABLE {fixed} AS $$ "
        f"SELECT {is_admin} OR (cardinality({coordinated}) > 0 "
        f"AND {P}.source_frameworks(p_source) <@ {coordinated}) $$"
    )
    for function in ("source_frameworks(integer)", "may_change_source(integer)"):
        op.execute(f"REVOKE ALL ON FUNCTION {P}.{function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {P}.{function} TO {everyone}")
    _plan_change_policies(conn, items=True)
    _source_update_policy(conn, shared_rule=True)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _plan_change_policies(conn, items=False)
        _source_update_policy(conn, shared_rule=False)
        op.execute(f"DROP FUNCTION {P}.may_change_source(integer)")
        op.execute(f"DROP FUNCTION {P}.source_frameworks(integer)")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_version_positive"), type_="check")
            batch_op.drop_column("version")
