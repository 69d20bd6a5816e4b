"""on PostgreSQL, every write notifies the listening apps (ids only)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 06:40:00

Written by hand. PostgreSQL only (SQLite has no notifications; its apps watch
`PRAGMA data_version`): AFTER triggers on every table send `NOTIFY
tracker_changes`, so that the app, the CLI, seeding and any other tool that
writes with SQL (psql, a spreadsheet, a BI tool) all tell the open apps.

The triggers are statement-level with transition tables: each statement sends one
notification per framework it touched, such as ``{"kind": "status", "framework":
3, "action": 41}``: a fixed kind per table and ids, the action only for status
changes, notes and action updates that touched exactly one. A seed of 100,000
actions sends a few notifications, not 100,000 (PostgreSQL folds identical
payloads of a transaction into one). Notifications are
not filtered by row-level security, so a payload never holds a title, note or
login; the listener re-reads what changed as its own role. Delivered at commit,
dropped on rollback (PostgreSQL does that for NOTIFY).
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHANNEL = "tracker_changes"

# How each table's changed rows give (framework id, action id); ``c`` is the changed rows,
# ``s`` the schema. NULL framework: the apps cannot tell whose it is, so all of them look.
# The action is named for status changes, notes and action updates only: the writes that
# touch one action. PostgreSQL sends a payload once per transaction however often it is
# notified, so a seed's thousands of one-row inserts come down to a few notifications.
_OWN_FRAMEWORK = "SELECT c.framework_id, NULL::integer FROM changed c"
_OF_ACTION = "SELECT a.framework_id, c.action_id FROM changed c LEFT JOIN {s}.action a ON a.id = c.action_id"
_VIA_ACTION = "SELECT a.framework_id, NULL::integer FROM changed c LEFT JOIN {s}.action a ON a.id = c.action_id"
_VIA_WORKSHOP = "SELECT w.framework_id, NULL::integer FROM changed c LEFT JOIN {s}.workshop w ON w.id = c.workshop_id"
_NONE = "SELECT NULL::integer, NULL::integer FROM changed c"

TABLES: dict[str, tuple[str, str]] = {  # table: (kind, rows of (framework, action))
    "status_change": ("status", _OF_ACTION),
    "action_note": ("note", _OF_ACTION),
    "measurement": (
        "measurement",
        "SELECT i.framework_id, NULL::integer FROM changed c LEFT JOIN {s}.indicator i ON i.id = c.indicator_id",
    ),
    "plan_change": ("plan", _VIA_ACTION),
    "import_run": ("import", _NONE),
    "action": ("action", "SELECT c.framework_id, CASE WHEN TG_OP = 'UPDATE' THEN c.id END FROM changed c"),
    "action_partner": ("plan", _VIA_ACTION),
    "action_finding": ("plan", _VIA_ACTION),
    "allocation": ("funding", _VIA_ACTION),
    "funding_source": ("funding", _NONE),
    "framework": ("plan", "SELECT c.id, NULL::integer FROM changed c"),
    "goal": ("plan", _OWN_FRAMEWORK),
    "objective": ("plan", _OWN_FRAMEWORK),
    "indicator": ("plan", _OWN_FRAMEWORK),
    "goal_finding": (
        "plan",
        "SELECT g.framework_id, NULL::integer FROM changed c LEFT JOIN {s}.goal g ON g.id = c.goal_id",
    ),
    "objective_finding": (
        "plan",
        "SELECT o.framework_id, NULL::integer FROM changed c LEFT JOIN {s}.objective o ON o.id = c.objective_id",
    ),
    "workshop": ("plan", _OWN_FRAMEWORK),
    "workshop_participant": ("plan", _VIA_WORKSHOP),
    "finding": ("plan", _VIA_WORKSHOP),
    "finding_translation": ("plan", _NONE),
    "stakeholder": ("stakeholder", _NONE),
    "member": ("member", _NONE),
    "membership": ("member", _OWN_FRAMEWORK),
    "affiliation": ("member", _OWN_FRAMEWORK),
    "admin": ("member", _NONE),
}
_EVENTS = (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD"))


def _function(schema: str, table: str) -> str:
    kind, rows = TABLES[table]
    return f"""
CREATE OR REPLACE FUNCTION {schema}.tracker_notify_{table}() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    -- one notification per framework; the action only when the statement touched exactly one
    PERFORM pg_notify('{CHANNEL}', jsonb_strip_nulls(jsonb_build_object(
        'kind', '{kind}',
        'framework', t.framework,
        'action', CASE WHEN count(DISTINCT t.action) = 1 THEN min(t.action) END))::text)
    FROM ({rows.format(s=schema)}) AS t(framework, action)
    GROUP BY t.framework;
    RETURN NULL;
END
$body$"""


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    for table in TABLES:
        op.execute(_function(schema, table))
        for event, which in _EVENTS:
            op.execute(
                f"CREATE TRIGGER tracker_notify_{event} AFTER {event.upper()} ON {schema}.{table} "
                f"REFERENCING {which} TABLE AS changed "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.tracker_notify_{table}()"
            )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    schema = conn.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    for table in TABLES:
        for event, _ in _EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS tracker_notify_{event} ON {schema}.{table}")
        op.execute(f"DROP FUNCTION IF EXISTS {schema}.tracker_notify_{table}()")
