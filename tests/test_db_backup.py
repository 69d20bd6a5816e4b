"""`tracker db backup`: a consistent copy of a SQLite database taken while members work.

If it failed, a coordinator's nightly backup could miss changes people had already
saved, hold half of a change, be unreadable, or replace something it should not (the
database itself, an earlier backup without --force); and on PostgreSQL they would not
know how to back up at all.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import PG_URL, REPO, dump
from tests.tracking import CONVENE, REPORTING, seeded
from tracker.db import head_revision, make_engine


def _notes(path: Path) -> dict[str, set[int]]:
    """The numbered notes each writer committed, as the database at ``path`` holds them."""
    found: dict[str, set[int]] = {}
    conn = sqlite3.connect(path)
    try:
        for (text,) in conn.execute("SELECT text FROM action_note"):
            login, _, number = text.partition(" #")
            found.setdefault(login, set()).add(int(number))
    finally:
        conn.close()
    return found


def _committed_before(log: Path, moment: float) -> set[int]:
    return {int(n) for n, at in (line.split("\t") for line in log.read_text().splitlines()) if float(at) < moment}


def test_a_backup_taken_during_writes_holds_every_earlier_change_and_restores(
    sqlite_engine: Engine, sqlite_path: Path, tmp_path: Path
) -> None:
    """Two members write notes and status changes in their own processes; a backup is taken
    in the middle. It opens, passes SQLite's integrity check, is at the schema head, holds
    every change committed before it began and, per writer, an unbroken run of changes (one
    state of the database, not a mix); copied over the database, tracker works on it."""
    seeded(sqlite_engine)
    stop = tmp_path / "stop"
    writer = [sys.executable, "-m", "tests.backup_writer", str(sqlite_path)]
    writers = {
        login: subprocess.Popen([*writer, login, ref, str(stop), str(tmp_path / login)], cwd=REPO)
        for login, ref in (("city", CONVENE), ("church", REPORTING))
    }
    try:
        deadline = time.monotonic() + 60
        while not all(_logged(tmp_path / login) >= 20 for login in writers):  # both well under way
            assert time.monotonic() < deadline, "the writers did not get going"
            assert all(w.poll() is None for w in writers.values()), "a writer stopped"
            time.sleep(0.05)
        began = time.time()
        backup = tmp_path / "backups" / "plans.db"
        backup.parent.mkdir()
        made = tracker_process("--db", str(sqlite_path), "db", "backup", "-o", str(backup))
        assert made.code == 0, made.err
        assert all(w.poll() is None for w in writers.values()), "the writers were stopped by the backup"
        after = {login: _logged(tmp_path / login) for login in writers}
        time.sleep(0.3)
    finally:
        stop.touch()
        for w in writers.values():
            w.wait(timeout=60)
    assert all(w.returncode == 0 for w in writers.values())
    assert not list(backup.parent.glob(".*")), "a temporary file was left beside the backup"
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
    finally:
        conn.close()
    held = _notes(backup)
    for login in writers:
        committed = _committed_before(tmp_path / login, began)
        assert committed and committed <= held[login], f"{login}: committed before the backup but missing"
        assert held[login] == set(range(len(held[login]))), f"{login}: the backup holds a broken run"
    assert any(len(_notes(sqlite_path)[login]) > len(held[login]) for login in writers) or any(
        after[login] > len(held[login]) for login in writers
    ), "nothing was written during or after the backup: the test proves nothing"
    # Restore as the README says: nobody working (the engine closed), the old log removed,
    # the backup copied over the database file.
    sqlite_engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, sqlite_path)
    listed = tracker("--db", str(sqlite_path), "actions", "list", "--json")
    assert listed.code == 0, listed.err
    assert _notes(sqlite_path) == held


def _logged(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_a_backup_is_refused_where_it_would_replace_what_it_should_not(
    sqlite_engine: Engine, sqlite_path: Path, tmp_path: Path
) -> None:
    """An existing file needs --force; a missing folder, the database itself, a folder and
    standard output are refused with a sentence (exit 2); a member who is not an admin is
    refused (exit 4); nothing is written and the database is unchanged."""
    seeded(sqlite_engine)
    db = str(sqlite_path)
    before = dump(sqlite_engine)
    target = tmp_path / "b.db"
    assert tracker("--db", db, "db", "backup", "-o", str(target)).code == 0
    first = target.read_bytes()
    assert os.stat(target).st_mode & 0o077 == 0  # a backup holds members' addresses: the owner's alone
    cases = [
        ((str(target),), 2, "exists; give --force"),
        ((str(tmp_path / "none" / "b.db"),), 2, "there is no folder"),
        ((db,), 2, "is the database being backed up"),
        ((str(tmp_path),), 2, "a folder"),
        (("-",), 2, "a file"),
    ]
    for args, code, says in cases:
        result = tracker("--db", db, "db", "backup", "-o", *args)
        assert result.code == code and says in result.err, (args, result)
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
    refused = tracker("--db", db, "--as", "coord", "db", "backup", "-o", str(tmp_path / "c.db"))
    assert refused.code == 4 and "only an admin can back up the database" in refused.err, refused
    assert not (tmp_path / "c.db").exists()
    assert target.read_bytes() == first
    assert dump(sqlite_engine) == before
    forced = tracker("--db", db, "db", "backup", "-o", str(target), "--force")
    assert forced.code == 0, forced.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG")
def test_on_postgresql_the_command_says_which_pg_dump_to_run(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """On PostgreSQL, `db backup` names pg_dump with this database's name, in one sentence,
    exit 2, and writes nothing."""
    result = tracker("--db", db_url, "db", "backup", "-o", str(tmp_path / "b.dump"))
    assert result.code == 2, result
    database = make_engine(db_url).url.database
    assert f"pg_dump --format=custom --file={tmp_path / 'b.dump'}" in result.err
    assert f"--dbname={database}" in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "b.dump").exists()
