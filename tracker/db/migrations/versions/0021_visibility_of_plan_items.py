"""goals, objectives, actions and indicators are public or internal

Revision ID: 0021
Revises: 0020

Written by hand. ``visibility`` ('public' or 'internal', internal for every item there is)
on ``goal``, ``objective``, ``action`` and ``indicator``: `tracker publish` puts an item on
the public page only when it and every item above it are public.

PostgreSQL: a CHECK constraint keeps the two words (as the models' ``choice`` does); the
column is covered by the coordinators' table-wide UPDATE grants of 0007, and members, whose
UPDATE on ``action`` is granted column by column (its tracking columns), get no grant of
it: only coordinators and admins change what is published. The tables' policies stay.
SQLite has no roles; the column and its CHECK (in the column's definition) are added in
place.
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("goal", "objective", "action", "indicator")
WORDS = "visibility IN ('public', 'internal')"


def upgrade() -> None:
    for table in TABLES:
        # In place, with its CHECK named as the models' naming convention names it (no copy
        # of the table on SQLite: other tables point at these).
        op.execute(
            f"ALTER TABLE \"{table}\" ADD COLUMN visibility VARCHAR(32) DEFAULT 'internal' NOT NULL "
            f"CONSTRAINT ck_{table}_visibility CHECK ({WORDS})"
        )


def downgrade() -> None:
    for table in TABLES:
        # The column's CHECK goes with it. In place (SQLite 3.35+): a batch copy of these
        # tables would cascade-delete their children.
        op.drop_column(table, "visibility")
