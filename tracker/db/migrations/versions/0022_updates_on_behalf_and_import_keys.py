"""updates entered for someone else, and the workbook row each came from

Revision ID: 0022
Revises: 0021

Written by hand. `tracker import-updates` records a workbook's rows as status changes,
notes and measurements entered by the acting login for the action's owner or organisation.
Two nullable columns on ``status_change``, ``action_note`` and ``measurement``:

- ``on_behalf_of``: "member:LOGIN" or "stakeholder:KEY", whom the entry was made for
  (NULL: for themselves, as every entry before);
- ``import_key``: "EXPORT-ID/ROW-ID", the workbook row the entry came from, with a unique
  index: the history row itself is the record that a row was applied, so importing the same
  workbook again finds it and applies nothing twice, even when two imports race.

No new table, so no new policies: the history tables keep 0007's policies (a member
inserts rows in their own name on actions they may track; nobody updates or deletes them)
and 0008's NOTIFY triggers. Members' INSERT on these tables is table-wide (0007), so they
may fill both columns on their own rows, which is what importing their own workbook does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("status_change", "action_note", "measurement")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("on_behalf_of", sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column("import_key", sa.String(length=80), nullable=True))
        op.create_index(f"ix_{table}_import_key", table, ["import_key"], unique=True)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_import_key", table_name=table)
        # In place (SQLite 3.35+), never a batch copy of a table others point at.
        op.drop_column(table, "import_key")
        op.drop_column(table, "on_behalf_of")
