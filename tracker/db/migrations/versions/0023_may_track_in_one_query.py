"""who may track an action, answered in one query; read policies ask for the admin last

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 04:20:00

Written by hand. PostgreSQL only (SQLite has no policies; nothing changes there).

``tracker_private.may_track(action)`` is what the policies ask before a login changes
an action's tracking columns (the ``track`` policy of ``action``, in USING and WITH
CHECK, and so also for its ``FOR UPDATE`` lock) and inserts a status change or a note:
three or four calls a status change. 0007 wrote it as calls of other helpers, each a
function with its own plan: ``is_admin()``, ``frameworks_i_coordinate()`` (an array),
``action_parties()`` (a SECURITY DEFINER set-returning function, its rows materialised)
and ``my_organisations``. Timed in psql at 20,000 actions, 10,000 calls in a row:
about 45 µs a call for a coordinator, 130-170 µs for a member, 100 µs for a viewer.

Now ``tracker_private.my_tracking``, a ``security_barrier`` view with its owner's rights
(as 0007's helper views), lists the actions the calling login may track: those of the
frameworks it coordinates, and those whose lead or a partner is one of its organisations
in a framework where it is a member. ``may_track`` asks it for one id (``=`` on integers
is leakproof, so the id reaches the view's index probe) after the admin check: one plan,
kept by the session. The same timing: about 20 µs for a coordinator, 60 µs for a member
or a viewer. The answers are the same as before (admins: yes, for any id; members'
organisations count only where their membership is ``member`` or ``coordinator``; an
action that does not exist: no), which ``tests/test_pg_may_track.py`` checks against
`tracker.services.access.rules` for every login and action of a plan. The view shows a
login only ids of actions it reads anyway.

The read policies of 0018 test the framework flag before the admin test
(``flags OR is_admin()``, was ``is_admin() OR flags``). Both are ``(SELECT ...)``
initplans, which PostgreSQL runs only when first needed: a login reading rows of its
own frameworks, as every write does a dozen times, no longer calls ``is_admin()`` at
all (seen as ``never executed`` in EXPLAIN ANALYZE); an admin reading another
framework's rows calls both, as before. ``may_track`` asks the view before the admin
row for the same reason. OR has no side effects here: the rows seen are the same.

The downgrade puts 0018's read policies and 0007's function back as they were, word for
word, then drops the view.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

P = "tracker_private"
IS_ADMIN = f"(SELECT {P}.is_admin())"
ME = f"(SELECT {P}.my_member_id())"
# 0018's read policies: table -> framework column, and whether the caller also sees its own rows.
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
FIXED = "SET search_path = pg_catalog, pg_temp"
INVOKER = f"LANGUAGE plpgsql STABLE {FIXED}"


def _my_tracking(s: str) -> str:
    # The caller's member found once by the unique db_role (0018's form); a coordinator's
    # membership covers the framework, a member's only its organisations' actions.
    mine = f"(SELECT m.id FROM {s}.member m WHERE m.db_role = current_user)"
    partner = (
        f"EXISTS (SELECT 1 FROM {s}.action_partner p WHERE p.action_id = a.id AND p.stakeholder_id = af.stakeholder_id)"
    )
    organisation = (
        f"EXISTS (SELECT 1 FROM {s}.affiliation af WHERE af.member_id = ms.member_id "
        f"AND af.framework_id = a.framework_id AND (af.stakeholder_id = a.lead_id OR {partner}))"
    )
    return (
        f"CREATE VIEW {P}.my_tracking WITH (security_barrier) AS "
        f"SELECT a.id AS action_id FROM {s}.action a "
        f"JOIN {s}.membership ms ON ms.framework_id = a.framework_id "
        f"WHERE ms.member_id = {mine} "
        f"AND (ms.role = 'coordinator' OR (ms.role = 'member' AND {organisation}))"
    )


def _flat() -> str:
    # The admin test second: most callers track through the view, and an uncorrelated
    # EXISTS is run only when the OR needs it.
    return (
        f"CREATE OR REPLACE FUNCTION {P}.may_track(p_id integer) RETURNS boolean {INVOKER} AS $$ BEGIN "
        f"RETURN EXISTS (SELECT 1 FROM {P}.my_tracking t WHERE t.action_id = p_id) "
        f"OR EXISTS (SELECT 1 FROM {P}.my_admin); END $$"
    )


def _flag_first(column: str) -> str:
    flags = f"(SELECT {P}.frameworks_i_read_flags())"
    return f"(get_byte(substring({flags} FROM {column} FOR 1) || '\\x00'::bytea, 0) <> 0 OR {IS_ADMIN})"


def _admin_first(column: str) -> str:  # 0018's, for the downgrade
    flags = f"(SELECT {P}.frameworks_i_read_flags())"
    return f"({IS_ADMIN} OR get_byte(substring({flags} FROM {column} FOR 1) || '\\x00'::bytea, 0) <> 0)"


def _alter(reads: Callable[[str], str]) -> None:
    for table, (column, own) in READS.items():
        using = reads(column)
        if own:
            using += f" OR member_id = {ME}"
        op.execute(f'ALTER POLICY "read" ON "{table}" USING ({using})')


def _nested() -> str:  # 0007's, word for word, for the downgrade
    return (
        f"CREATE OR REPLACE FUNCTION {P}.may_track(p_id integer) RETURNS boolean {INVOKER} AS $$ "
        f"DECLARE coordinated integer[]; BEGIN "
        f"IF {P}.is_admin() THEN RETURN true; END IF; "
        f"coordinated := {P}.frameworks_i_coordinate(); "
        f"RETURN EXISTS (SELECT 1 FROM {P}.action_parties(p_id) x WHERE x.framework_id = ANY (coordinated) "
        f"OR (x.framework_id, x.stakeholder_id) IN (SELECT framework_id, stakeholder_id FROM {P}.my_organisations)"
        "); END $$"
    )


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    s = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    prefix = conn.exec_driver_sql(f"SELECT {P}.role_prefix()").scalar_one()
    op.execute(_my_tracking(s))
    op.execute(f'GRANT SELECT ON {P}.my_tracking TO "{prefix}viewer"')  # every group is a viewer
    # CREATE OR REPLACE keeps the function's grants and the policies that name it.
    op.execute(_flat())
    _alter(_flag_first)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _alter(_admin_first)
    op.execute(_nested())
    op.execute(f"DROP VIEW {P}.my_tracking")
