"""`tracker demo --file PATH` replaces only a demo database it made itself."""

from __future__ import annotations

import hashlib
import os
import socket
import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import admin_login
from tests.plans import MINIMAL
from tracker.seeding import load_text, seed

REFUSED = "so the demo left it as it was"
NOT_A_DEMO = "is not a database that `tracker demo` made"


def _demo(path: Path, *options: str, env: dict[str, str] | None = None, db: Path | None = None) -> tuple[int, str, str]:
    where = ("--db", str(db)) if db else ()
    result = tracker("--as", "demo", *where, "demo", "--file", str(path), "--no-open", *options, env=env)
    return result.code, result.out, result.err


def _fingerprint(path: Path) -> tuple[int, int, str]:
    found = os.lstat(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(found.st_mode) else ""
    return found.st_mode, found.st_ino, digest


@pytest.fixture
def working_db(sqlite_engine: Engine, sqlite_path: Path) -> Path:
    """A tracker database with someone's plan in it (no demo mark)."""
    seed(sqlite_engine, [load_text(MINIMAL)], actor=admin_login(sqlite_engine))
    sqlite_engine.dispose()
    return sqlite_path


@pytest.mark.parametrize("named", ["--file only", "--db too", "TRACKER_DB too"])
@pytest.mark.parametrize("keep", [False, True])
def test_the_demo_refuses_a_working_database(working_db: Path, named: str, keep: bool) -> None:
    """`tracker demo --file work.db` deleted a city's working database and put the demo in its
    place, also when --db or TRACKER_DB named the same file (and --keep re-seeded the demo
    plans into it); now it is refused with exit 2 and the file stays byte for byte."""
    before = _fingerprint(working_db)
    db = working_db if named == "--db too" else None
    env = {"TRACKER_DB": str(working_db)} if named == "TRACKER_DB too" else None
    code, _out, err = _demo(working_db, *(("--keep",) if keep else ()), env=env, db=db)
    assert code == 2 and NOT_A_DEMO in err and "left as it was" in err, err
    assert "Traceback" not in err and err.count("\n") == 1
    assert _fingerprint(working_db) == before
    assert not Path(f"{working_db}-wal").exists() or Path(f"{working_db}-wal").stat().st_size == 0


def _thing(kind: str, folder: Path) -> Path:
    path = folder / "demo.db"
    if kind == "text file":
        path.write_text("minutes of the leadership group\n")
    elif kind == "empty file":
        path.touch()
    elif kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text("kept\n")
    elif kind == "symlink to a demo":
        made = folder / "real-demo.db"
        assert _demo(made)[0] == 0
        path.symlink_to(made)
    elif kind == "dangling symlink":
        path.symlink_to(folder / "nowhere.db")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    else:  # a device node, made here so that losing it harms nothing
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except OSError as exc:
            pytest.skip(f"cannot make a device node here (needs root): {exc.strerror}")
    return path


@pytest.mark.parametrize(
    "kind",
    ["text file", "empty file", "folder", "symlink to a demo", "dangling symlink", "fifo", "socket", "device"],
)
def test_the_demo_refuses_anything_else_at_the_path(tmp_path: Path, kind: str) -> None:
    """The demo turned a text file into a database and unlinked a device node; now whatever
    is at --file that the demo did not make is refused with one sentence and exit 2, and
    stays as it was (a link is not followed, even to a demo database)."""
    path = _thing(kind, tmp_path)
    before = _fingerprint(path)
    code, _out, err = _demo(path)
    assert code == 2 and str(path) in err and "Traceback" not in err and err.count("\n") == 1
    assert REFUSED in err or NOT_A_DEMO in err
    assert _fingerprint(path) == before
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-journal").exists()
    if kind == "folder":
        assert (path / "inside.txt").read_text() == "kept\n"


def test_the_demo_rebuilds_its_own_database(tmp_path: Path) -> None:
    """Running the demo again must still start afresh on the demo database it made before
    (and keep it with --keep), or trying things out in the demo would get stuck."""
    path = tmp_path / "demo.db"
    code, first, _ = _demo(path)
    assert code == 0 and "items created" in first
    code, again, err = _demo(path)
    assert code == 0, err
    created = first.split("items created")[0].rsplit("(", 1)[1]
    assert created != "0 " and f"({created}items created)" in again  # everything anew: a new file
    code, kept, err = _demo(path, "--keep")
    assert code == 0 and "0 items created" in kept, err
