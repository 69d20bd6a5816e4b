"""read policies test a row's framework with one byte lookup, estimated as nearly always true

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:55:00

Written by hand. PostgreSQL only (SQLite has no policies; nothing changes there).

The read policies of the tables that hold a ``framework_id`` (and of ``framework``
itself) were ``is_admin() OR framework_id = ANY (frameworks_i_read())``. Profiled at
100,000 actions as a coordinator of all 20 frameworks, that form was what made a page
of 50 slower as a role than as the owner, not the child tables' parent probes
(partners, allocations and the latest change cost a millisecond or less either way):

- ``= ANY`` over an array that is not a constant is a linear search, a function call
  per element, for every row the page walks past (its OFFSET): about 0.1 µs a row, a
  few milliseconds per page deep into the list;
- worse, the planner estimates it true for only about 70% of rows, so past an offset
  of about 25,000 it sorted every action where the owner (estimated 100%) still walked
  the ``(due, id)`` index, and past about 7,000 planned actions likewise: those pages
  took 2 to 3 times as long as the owner's.

Now the policy reads one byte: ``frameworks_i_read_bytes()`` (once per statement, like
the array before it) gives a ``bytea`` with byte *n* set to 1 when the caller reads
framework *n*, and the row's framework id, clamped to the bytes' ends (both always
0, so an id out of range, negative or newer than the statement reads as "not mine"
and never raises), picks its byte: ``get_byte(bytes, least(greatest(id, 0),
length - 1)) <> 0``. A few operator calls per row whatever the number of frameworks,
and an ``<>`` that the planner estimates true for nearly every row, so a role's page
gets the owner's plan. The write policies keep the array: they test a few rows each.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

P = "tracker_private"
IS_ADMIN = f"(SELECT {P}.is_admin())"
ME = f"(SELECT {P}.my_member_id())"
# The read policies of 0007 that test the framework: table -> framework column, and
# whether the caller also sees its own rows (memberships and affiliations).
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


def _by_byte(column: str) -> str:
    bytes_ = f"(SELECT {P}.frameworks_i_read_bytes())"
    return f"({IS_ADMIN} OR get_byte({bytes_}, least(greatest({column}, 0), octet_length({bytes_}) - 1)) <> 0)"


def _by_array(column: str) -> str:  # 0007's form, for the downgrade
    return f"({IS_ADMIN} OR {column} = ANY ((SELECT {P}.frameworks_i_read())::integer[]))"


def _alter(reads: Callable[[str], str]) -> None:
    for table, (column, own) in READS.items():
        using = reads(column)
        if own:
            using += f" OR member_id = {ME}"
        op.execute(f'ALTER POLICY "read" ON "{table}" USING ({using})')


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    # Byte 0 and the last byte stay 0: the clamped ends. PL/pgSQL, like the other
    # helpers, so a session keeps its plan; SECURITY INVOKER, so it is the caller's
    # frameworks (frameworks_i_read reads them through the views of 0007).
    op.execute(
        f"CREATE FUNCTION {P}.frameworks_i_read_bytes() RETURNS bytea LANGUAGE plpgsql STABLE "
        "SET search_path = pg_catalog, pg_temp AS $$ "
        f"DECLARE ids integer[] := {P}.frameworks_i_read(); bytes bytea; id integer; BEGIN "
        "bytes := decode(repeat('00', coalesce((SELECT max(x) FROM unnest(ids) AS x), 0) + 2), 'hex'); "
        "FOREACH id IN ARRAY ids LOOP IF id > 0 THEN bytes := set_byte(bytes, id, 1); END IF; END LOOP; "
        "RETURN bytes; END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {P}.frameworks_i_read_bytes() FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {P}.frameworks_i_read_bytes() TO "{prefix}viewer"')
    _alter(_by_byte)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _alter(_by_array)
    op.execute(f"DROP FUNCTION {P}.frameworks_i_read_bytes()")
