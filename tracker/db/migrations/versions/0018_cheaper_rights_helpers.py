"""who-is-calling helpers find the caller once; read policies ask for their framework flags once

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 01:20:00

Written by hand. PostgreSQL only (SQLite has no policies; nothing changes there).

Profiled at 20,000 actions with ``pg_stat_statements`` (``track = all``) while eight
coordinators of every framework made status changes, a change cost its member role
several times what it cost the owner, and most of that was the helpers the policies
call once per statement and table, not the rows:

- ``frameworks_i_coordinate()`` took 0.2 ms a call (five calls a change): its view
  joined ``membership`` to ``member`` and, with the planner's estimate of one
  coordinator membership (statistics gathered before anyone was named), looped over
  every membership row scanning ``member`` for ``db_role = current_user`` each time.
  The views of 0007 now find the caller's member once (an initplan on ``db_role``, which
  is unique) and then only that member's rows, whatever the statistics say.
- every read policy called ``frameworks_i_read_bytes()`` twice (the byte, and the
  length to clamp the framework id to), each call a PL/pgSQL function that called
  another and built the bytes in a loop: about 0.05 ms a call, two per table a
  statement reads (a dozen tables in a status change). Now ``frameworks_i_read_flags()``
  reads the memberships in one query, byte *n - 1* set for framework *n*, and the
  policy names it once: ``get_byte(substring(flags FROM framework_id FOR 1) || '\\x00', 0) <> 0``.
  ``substring`` gives no byte for an id out of range (zero, negative, or newer than the
  statement), so the appended zero reads as "not mine" and nothing raises, as before;
  the ``<> 0`` keeps the planner's estimate of nearly always true (0015's reason).
- what a write judges its actor's rights on (`tracker.services.access.members.judged_now`)
  was one query joining member, framework, membership, affiliation, stakeholder and
  admin, each under its read policy: planned again at every write with every policy's
  subqueries (0.6 ms as a role, 0.2 ms as the owner) and run with a dozen helper calls.
  ``tracker_private.standing`` is that join as a ``security_barrier`` view with the
  owner's rights, giving a login its own rows only, and only in the frameworks the read
  policies let it see (where it has a membership, or all when an admin), as the join
  under the policies did; the schema owner (and superusers), who bypass the policies
  anyway, see every member's rows, so that the services acting for someone on an
  owner's connection ask the same view.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

P = "tracker_private"
IS_ADMIN = f"(SELECT {P}.is_admin())"
ME = f"(SELECT {P}.my_member_id())"
# The read policies that test the framework (0015's list): table -> framework column,
# and whether the caller also sees its own rows (memberships and affiliations).
READS = {
    "framework": ("id", False),
    "goal": ("framework_id", False),
    "objective": ("framework_id", False),
    "action": ("framework_id", False),
    "indicator": ("framework_id", False),
    "workshop": ("framework_id", False),
    "membership": ("framework_id", True),
    "affiliation": ("framework_id", True),
}
# The caller's member, found once per query by the unique db_role.
MINE = "(SELECT m.id FROM {s}.member m WHERE m.db_role = current_user)"


def _views(s: str) -> dict[str, str]:
    mine = MINE.format(s=s)
    return {
        "my_memberships": f"SELECT ms.framework_id, ms.role FROM {s}.membership ms WHERE ms.member_id = {mine}",
        "my_organisations": (
            f"SELECT a.framework_id, a.stakeholder_id FROM {s}.affiliation a "
            f"JOIN {s}.membership ms ON ms.member_id = a.member_id AND ms.framework_id = a.framework_id "
            f"WHERE a.member_id = {mine} AND ms.role IN ('member', 'coordinator')"
        ),
        "my_admin": f"SELECT a.member_id FROM {s}.admin a WHERE a.member_id = {mine}",
    }


def _views_0007(s: str) -> dict[str, str]:  # for the downgrade
    return {
        "my_memberships": (
            f"SELECT ms.framework_id, ms.role FROM {s}.membership ms JOIN {s}.member m ON m.id = ms.member_id "
            "WHERE m.db_role = current_user"
        ),
        "my_organisations": (
            f"SELECT a.framework_id, a.stakeholder_id FROM {s}.affiliation a "
            f"JOIN {s}.member m ON m.id = a.member_id "
            f"JOIN {s}.membership ms ON ms.member_id = a.member_id AND ms.framework_id = a.framework_id "
            "WHERE m.db_role = current_user AND ms.role IN ('member', 'coordinator')"
        ),
        "my_admin": (
            f"SELECT a.member_id FROM {s}.admin a JOIN {s}.member m ON m.id = a.member_id "
            "WHERE m.db_role = current_user"
        ),
    }


def _standing(s: str, owner: str) -> str:
    admin = f"EXISTS (SELECT 1 FROM {s}.admin ad WHERE ad.member_id = m.id)"
    return (
        f"CREATE VIEW {P}.standing WITH (security_barrier) AS "
        f"SELECT m.login, m.id AS member_id, f.id AS framework_id, f.key AS framework_key, ms.role, "
        f"{admin} AS is_admin, st.id AS org_id, st.key AS org_key, st.name AS org_name "
        f"FROM {s}.member m CROSS JOIN {s}.framework f "
        f"LEFT JOIN {s}.membership ms ON ms.member_id = m.id AND ms.framework_id = f.id "
        f"LEFT JOIN {s}.affiliation af ON af.member_id = m.id AND af.framework_id = f.id "
        f"LEFT JOIN {s}.stakeholder st ON st.id = af.stakeholder_id "
        f"WHERE (m.db_role = current_user AND (ms.id IS NOT NULL OR {admin})) "
        f"OR pg_has_role({_lit(owner)}, 'MEMBER')"
    )


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _by_flag(column: str) -> str:
    flags = f"(SELECT {P}.frameworks_i_read_flags())"
    return f"({IS_ADMIN} OR get_byte(substring({flags} FROM {column} FOR 1) || '\\x00'::bytea, 0) <> 0)"


def _by_byte(column: str) -> str:  # 0015's form, for the downgrade
    bytes_ = f"(SELECT {P}.frameworks_i_read_bytes())"
    return f"({IS_ADMIN} OR get_byte({bytes_}, least(greatest({column}, 0), octet_length({bytes_}) - 1)) <> 0)"


def _alter(reads: Callable[[str], str]) -> None:
    for table, (column, own) in READS.items():
        using = reads(column)
        if own:
            using += f" OR member_id = {ME}"
        op.execute(f'ALTER POLICY "read" ON "{table}" USING ({using})')


def _replace_views(views: dict[str, str]) -> None:
    # Same columns as before: the functions and policies that use them stay as they are.
    for name, query in views.items():
        op.execute(f"CREATE OR REPLACE VIEW {P}.{name} WITH (security_barrier) AS {query}")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    s = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    _replace_views(_views(s))
    # SECURITY INVOKER (the caller's memberships, through the view), PL/pgSQL so that a
    # session keeps its plan; one query, then a byte set per framework.
    op.execute(
        f"CREATE FUNCTION {P}.frameworks_i_read_flags() RETURNS bytea LANGUAGE plpgsql STABLE "
        "SET search_path = pg_catalog, pg_temp AS $$ "
        "DECLARE ids integer[]; flags bytea; id integer; BEGIN "
        f"SELECT coalesce(array_agg(framework_id) FILTER (WHERE framework_id > 0), '{{}}') INTO ids "
        f"FROM {P}.my_memberships; "
        "flags := decode(repeat('00', coalesce((SELECT max(x) FROM unnest(ids) AS x), 0)), 'hex'); "
        "FOREACH id IN ARRAY ids LOOP flags := set_byte(flags, id - 1, 1); END LOOP; "
        "RETURN flags; END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {P}.frameworks_i_read_flags() FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {P}.frameworks_i_read_flags() TO "{prefix}viewer"')
    _alter(_by_flag)
    owner = conn.exec_driver_sql("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'member'::regclass")
    op.execute(_standing(s, owner.scalar_one()))
    op.execute(f'GRANT SELECT ON {P}.standing TO "{prefix}viewer"')


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    s = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    op.execute(f"DROP VIEW {P}.standing")
    _alter(_by_byte)
    op.execute(f"DROP FUNCTION {P}.frameworks_i_read_flags()")
    _replace_views(_views_0007(s))
