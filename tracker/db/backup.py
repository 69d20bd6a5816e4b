"""`tracker db backup`: a consistent copy of a SQLite database while people work.

SQLite's online backup API (`sqlite3.Connection.backup`) copies the database as one read
transaction sees it: in WAL mode writers go on meanwhile, and the copy holds every change
committed before the copy began and none made during it. The copy is written to a
temporary file beside the target, checked, flushed to disk and only then given its name,
so a backup file is whole or absent, never half written. PostgreSQL is backed up with its
own tool, `pg_dump` (`pg_dump_advice` says how).
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from tracker.errors import BadInput, TrackerError
from tracker.files import _sync_folder, not_a_regular_file, temp_beside


@dataclass(frozen=True)
class Backup:
    path: Path
    pages: int
    size: int  # bytes


def pg_dump_advice(url: str, target: str) -> str:
    """The sentence that says how to back up the PostgreSQL database at ``url`` into ``target``."""
    parsed = make_url(url)
    args = ["pg_dump", "--format=custom", f"--file={target}"]
    host = parsed.host or parsed.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args.append(f"--host={host}")
    if parsed.port:
        args.append(f"--port={parsed.port}")
    if parsed.username:
        args.append(f"--username={parsed.username}")
    args.append(f"--dbname={parsed.database or 'postgres'}")
    command = " ".join(shlex.quote(a) for a in args)
    return (
        "tracker db backup copies SQLite databases; back up this PostgreSQL database with its own tool, "
        f"as its owner or a superuser: {command} (restore with pg_restore)."
    )


def check_backup_target(target: Path, database: Path, *, force: bool) -> None:
    """Refuse, before any copying, a target that is missing its folder, is the database
    itself, exists (without ``force``) or is not a regular file."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BadInput(f"there is no folder {folder} to write {target.name} in; create it or choose another -o.")
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        return
    kind = not_a_regular_file(found.st_mode)
    if kind is not None:
        raise BadInput(f"{target} is {kind}; a backup is written only as a regular file: choose another -o.")
    same = [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]
    if any(os.path.samefile(target, p) for p in same):
        raise BadInput(f"{target} is the database being backed up (or its log); choose another -o.")
    if not force:
        raise BadInput(f"{target} exists; give --force to replace it with this backup, or choose another -o.")


def backup_sqlite(url: URL | str, target: Path, *, force: bool = False) -> Backup:
    """Copy the SQLite database at ``url`` to ``target`` (see the module's docstring).

    The file is private to its owner (mode 0600): a backup holds everything, members'
    email addresses included."""
    parsed = make_url(url) if isinstance(url, str) else url
    if not parsed.database or parsed.database == ":memory:":
        raise BadInput("this database lives in memory and has no file to back up.")
    database = Path(parsed.database)
    check_backup_target(target, database, force=force)
    fd, name = temp_beside(target)
    os.close(fd)
    temp = Path(name)
    try:
        pages = _copy(database, temp)
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())
        if force:
            check_backup_target(target, database, force=True)  # again: something may have appeared there
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # never over a file that appeared meanwhile
            except FileExistsError:
                raise BadInput(
                    f"{target} appeared while the backup was made; give --force to replace it, or choose another -o."
                ) from None
            temp.unlink()
    except OSError as exc:
        raise TrackerError(f"cannot write {target}: {exc.strerror or exc}; nothing was written.") from None
    finally:
        temp.unlink(missing_ok=True)
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{temp}{suffix}").unlink(missing_ok=True)
    _sync_folder(target.parent if str(target.parent) else Path("."))
    return Backup(target, pages, target.stat().st_size)


def _copy(database: Path, temp: Path) -> int:
    """Copy ``database`` into ``temp`` in one step (one read transaction: one state of the
    database), check the copy, and leave it as one self-contained file; its page count."""
    try:
        source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as exc:
        raise TrackerError(f"cannot open {database} to back it up: {exc}; nothing was written.") from None
    try:
        copy = sqlite3.connect(temp)
        try:
            source.backup(copy)  # pages=-1: every page under one read lock, so one consistent state
            # The copy keeps the source's WAL mode; leave it with no log beside it.
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise TrackerError(f"the copy of {database} failed its check ({problems[0]}); nothing was written.")
            return int(copy.execute("PRAGMA page_count").fetchone()[0])
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise TrackerError(f"the backup of {database} failed: {exc}; nothing was written.") from None
    finally:
        source.close()
