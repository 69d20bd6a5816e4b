"""Alembic environment: runs on the connection tracker hands it (see tracker.db.migrate)."""

from __future__ import annotations

from alembic import context

import tracker.models

config = context.config
target_metadata = tracker.models.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic` on the command line, for developers: TRACKER_DB or the default file.
        from tracker.db.engine import make_engine

        with make_engine().connect() as connection:
            _run(connection)
            connection.commit()
        return
    _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
