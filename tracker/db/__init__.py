"""Engines, sessions and schema migrations (never knowledge of screens)."""

from tracker.db.engine import (
    default_sqlite_path,
    describe,
    make_engine,
    read_session,
    resolve_url,
    write_session,
)
from tracker.db.migrate import check_schema, current_revision, head_revision, upgrade

__all__ = [
    "check_schema",
    "current_revision",
    "default_sqlite_path",
    "describe",
    "head_revision",
    "make_engine",
    "read_session",
    "resolve_url",
    "upgrade",
    "write_session",
]
