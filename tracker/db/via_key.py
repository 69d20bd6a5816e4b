"""Connections of a team-server session that stamp its key's fingerprint on every history row.

`tracker ssh-session` knows which key the member came in with; the history tables'
``via_key`` column (migration 0017) records it. The services never pass it: the
session's engine marks its own connections, so every write path (CLI, app, seeding,
undo) records it alike, and nothing outside the session can.

- SQLite: TEMP triggers, which live and die with the connection and are never in the
  file: after a history row is inserted, they set its ``via_key``.
- PostgreSQL: the session setting ``tracker.via_key``, which migration 0017's trigger
  copies into each new history row, trusting it only from a login role that is no
  member's (the schema owner or the gateway role): a member writing SQL cannot forge it.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.errors import BadInput

# Written by the connection, as migration 0017 lists them.
HISTORY = ("status_change", "action_note", "note_retraction", "measurement", "plan_change", "import_run")
SETTING = "tracker.via_key"
_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")


def stamp_key(engine: Engine, fingerprint: str) -> None:
    """Make every connection ``engine`` opens from now on record ``fingerprint`` as the
    key of the history rows it writes. Call before the engine first connects."""
    if not _FINGERPRINT.fullmatch(fingerprint):
        raise BadInput(f"{fingerprint!r} is not a key fingerprint as ssh-keygen -lf prints it (SHA256:...).")
    if engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _set(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, false)", (SETTING, fingerprint))
            dbapi_connection.commit()

        return

    @sa.event.listens_for(engine, "connect")
    def _triggers(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        for table in HISTORY:
            try:
                dbapi_connection.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS tracker_via_key_{table} AFTER INSERT ON main.{table} "
                    f"BEGIN UPDATE {table} SET via_key = '{fingerprint}' WHERE rowid = NEW.rowid; END"
                )
            except sqlite3.OperationalError:
                return  # a database without the tables yet: the schema check says to upgrade it
