"""The demo's database file: built where nothing is, and replaced only if the demo made it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.cli.output import not_a_regular_file
from tracker.errors import BadInput

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# A table outside the models and the migrations (so a schema check never sees it),
# written by the demo only: a database holding it is one the demo may rebuild.
MARKER_TABLE = "demo_marker"
_SIDECARS = ("-wal", "-shm")


def claim_demo_file(path: Path, *, keep: bool) -> None:
    """Make ``path`` ready for the demo: remove a demo database found there (unless
    ``keep``), refuse anything else found there with one sentence, touching nothing."""
    found = _lstat(path)
    if found is None:
        return
    _refuse_unless_regular(path, found.st_mode)
    if not is_demo_database(path):
        raise BadInput(
            f"{path} is not a database that `tracker demo` made (a demo from an older tracker has no mark "
            "either), so it was left as it was: give --file a new path, or remove the file yourself."
        )
    if keep:
        return
    sidecars = [Path(f"{path}{suffix}") for suffix in _SIDECARS]
    for sidecar in sidecars:  # all checked before anything is removed
        mode = _lstat(sidecar)
        if mode is not None:
            _refuse_unless_regular(sidecar, mode.st_mode)
    for doomed in (path, *sidecars):
        try:
            doomed.unlink(missing_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot remove the old demo database {doomed}: {exc.strerror or exc}.") from None


def is_demo_database(path: Path) -> bool:
    """True when ``path`` is a SQLite database carrying the demo's mark (read only, never changed)."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute(f"SELECT count(*) FROM {MARKER_TABLE}").fetchone()[0] > 0
    except sqlite3.Error:  # not a database, or no mark
        return False
    finally:
        conn.close()


def mark_demo_database(engine: Engine) -> None:
    """Put the demo's mark in the database it builds, so that the next demo may replace it.

    Plain SQL, not a model: the mark is no part of tracker's schema.
    """
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (made_by TEXT NOT NULL)"))
        if conn.execute(sa.text(f"SELECT count(*) FROM {MARKER_TABLE}")).scalar_one() == 0:
            conn.execute(sa.text(f"INSERT INTO {MARKER_TABLE} (made_by) VALUES ('tracker demo')"))


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BadInput(f"cannot look at {path}: {exc.strerror or exc}; give --file another path.") from None


def _refuse_unless_regular(path: Path, mode: int) -> None:
    kind = not_a_regular_file(mode)
    if kind is not None:
        raise BadInput(
            f"{path} is {kind}, so the demo left it as it was: give --file a new path for the demo database."
        )
