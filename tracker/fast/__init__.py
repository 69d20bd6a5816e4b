"""The command line's fast path: the commands scripts and people repeat most, without SQLAlchemy.

Loading SQLAlchemy, SQLModel, pydantic and Typer costs most of a command's time (a
status change took 0.9 s where Taskwarrior's took 0.1 s). For the common shapes of
``actions list --json`` and ``actions set-status`` on a SQLite file, `tracker.fast.run`
answers on the sqlite3 driver with statements compiled ahead of time from the services'
own Core statements (`tracker.fast.compiled`, written by `tracker.fast.generate`; a test
fails when they drift apart), makes the member and the rows with the services' own code,
and asks the same rules (`tracker.services.access.decisions`). Anything else, and anything
unusual on the way (an unknown login, a refusal, a conflict, a locked file, an older
schema), is handed back untouched to the full command line, which says what to say.
``TRACKER_NO_FAST=1`` turns it off.
"""
