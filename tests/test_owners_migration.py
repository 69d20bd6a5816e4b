"""Migration 0010 on a SQLite file that already holds a plan: the action table is copied
to add the owner's foreign key, and nothing that refers to actions may be lost."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tracker.db import make_engine, upgrade
from tracker.db.migrate import HEAD_REVISION

_ROWS = [
    "INSERT INTO framework (id, key, city, country, title, stage, starts, near_term_months, mid_term_months, "
    "currency, fiscal_year_starts, created_at, updated_at) VALUES (1, 'f', 'Stamford', 'US', 'T', 'draft', "
    "'2025-01-01', 6, 24, 'USD', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
    "INSERT INTO stakeholder (id, key, name, sector) VALUES (1, 'city', 'City', 'local_government')",
    "INSERT INTO stakeholder (id, key, name, sector) VALUES (2, 'kids', 'Kids', 'non_profit')",
    "INSERT INTO goal (id, framework_id, key, position, title) VALUES (1, 1, 'g', 0, 'G')",
    "INSERT INTO objective (id, framework_id, goal_id, key, position, title) VALUES (1, 1, 1, 'o', 0, 'O')",
    "INSERT INTO action (id, framework_id, objective_id, key, position, title, horizon, lead_id, status, "
    "version, created_at, updated_at) VALUES (1, 1, 1, 'a', 0, 'A', 'near_term', 1, 'planned', 1, "
    "'2025-01-01 00:00:00', '2025-01-01 00:00:00')",
    "INSERT INTO action_partner (action_id, stakeholder_id) VALUES (1, 2)",
    "INSERT INTO member (id, login, created_at) VALUES (1, 'ana', '2025-01-01 00:00:00')",
    "INSERT INTO action_note (action_id, member_id, at, text) VALUES (1, 1, '2025-01-01 00:00:00', 'kept')",
]
_COUNTS = ("action", "action_partner", "action_note")


def test_upgrading_a_file_with_a_plan_keeps_every_row_that_refers_to_actions(tmp_path: Path) -> None:
    """Copying a table on SQLite drops the old one; with foreign keys on, that would first
    delete every partner, note, allocation and status change of every action."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0009")
        with engine.begin() as conn:
            for sql in _ROWS:
                conn.execute(sa.text(sql))
        upgrade(engine)
        with engine.connect() as conn:
            counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in _COUNTS}
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1  # on again for the app
        assert counts == {"action": 1, "action_partner": 1, "action_note": 1}
        # The new key works: deleting the owner leaves the action without one.
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE action SET owner_id = 1"))
            conn.execute(sa.text("DELETE FROM action_note"))
            conn.execute(sa.text("DELETE FROM member WHERE id = 1"))
            assert conn.execute(sa.text("SELECT owner_id FROM action")).scalar() is None
    finally:
        engine.dispose()
