"""Writers (`export -o`, `report -o`, standard output) never destroy what is at the path."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.report_plans import FW, PLAN, seed_riverton

WRITERS = {
    "export": ["export", "--format", "json"],
    "report": ["report", "--framework", FW],
}
SCRIPT_OUTPUT = {**WRITERS, "actions list --json": ["actions", "list", "--json"]}


@pytest.fixture
def seeded(engine: Engine, db_url: str) -> str:
    seed_riverton(engine, measured=False)
    return db_url


def _special(kind: str, folder: Path) -> tuple[Path, Path | None]:
    """A thing at a path that is not a regular file, and the file a link points to."""
    path = folder / "out.txt"
    if kind == "symlink":
        target = folder / "precious.txt"
        target.write_text("precious\n")
        path.symlink_to(target)
        return path, target
    if kind == "dangling symlink":
        path.symlink_to(folder / "nowhere.txt")
        return path, None
    if kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text("inside\n")
        return path, None
    if kind == "fifo":
        os.mkfifo(path)
        return path, None
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path, None


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "folder", "fifo", "socket"])
def test_o_refuses_what_is_not_a_regular_file(seeded: str, tmp_path: Path, writer: str, kind: str) -> None:
    """`-o` aimed at a link, a folder, a pipe or a socket used to replace it with a file (a
    link to a user's document was swapped for the export); now it is refused with exit 2 and
    the thing there, and whatever a link points to, stay exactly as they were."""
    path, target = _special(kind, tmp_path)
    before = os.lstat(path)
    link = os.readlink(path) if path.is_symlink() else None
    result = tracker("--db", seeded, *WRITERS[writer], "-o", str(path))
    assert result.code == 2, result.err
    assert str(path) in result.err and "Traceback" not in result.err
    assert any(word in result.err for word in ("symbolic link", "is a folder", "not a regular file"))
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if link is not None:
        assert os.readlink(path) == link
    if target is not None:
        assert target.read_text() == "precious\n"
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def null_device(folder: Path) -> Path:
    """A character device like /dev/null, made where a test may lose it (never the real one)."""
    path = folder / "null"
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here (needs root): {exc.strerror}")
    return path


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_o_refuses_a_device(seeded: str, tmp_path: Path, writer: str) -> None:
    """`-o /dev/null` (or any device) was unlinked and replaced by a regular file, which breaks
    every program on the machine that writes there; now it is refused and left alone."""
    device = null_device(tmp_path)
    before = os.lstat(device)
    result = tracker("--db", seeded, *WRITERS[writer], "-o", str(device))
    assert result.code == 2 and "not a regular file" in result.err
    after = os.lstat(device)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB file system, filled up but for an old output file already there."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {mounted.stderr.decode().strip()}")
    try:
        (folder / "old.out").write_text("the old output\n")
        try:
            with open(folder / "filler", "wb") as filler:
                while True:
                    filler.write(b"x" * 4096)
                    filler.flush()
        except OSError:
            pass
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_o_on_a_full_disk_is_one_sentence_and_the_old_file_stays(seeded: str, full_disk: Path, writer: str) -> None:
    """`export -o` on a full disk ended in a traceback; now both writers say it in one
    sentence with exit 1, leave the previous file byte for byte, and no temporary file."""
    old = full_disk / "old.out"
    result = tracker_process("--db", seeded, *WRITERS[writer], "-o", str(old))
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert "cannot write" in result.err and "left as it was" in result.err
    assert old.read_text() == "the old output\n"
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "old.out"]


@pytest.mark.parametrize("writer", sorted(SCRIPT_OUTPUT))
@pytest.mark.parametrize("stdout", ["/dev/full", "closed"])
def test_a_full_or_closed_stdout_is_one_sentence(seeded: str, writer: str, stdout: str) -> None:
    """`>/dev/full` ended in a traceback, and `>&-` exited 0 having written nothing, so a
    script believed it had its export; now both are one sentence and exit 1."""
    result = tracker_process("--db", seeded, *SCRIPT_OUTPUT[writer], stdout=stdout)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "Exception ignored" not in result.err
    assert result.err.count("\n") == 1 and "standard output" in result.err


def test_o_still_replaces_a_regular_file_and_says_where(seeded: str, tmp_path: Path) -> None:
    """The ordinary case keeps working: an old export is replaced whole, with its permissions."""
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "all.json"
    path.write_text("old\n")
    path.chmod(0o600)
    result = tracker("--db", seeded, *WRITERS["export"], "-o", str(path))
    assert result.code == 0 and result.out == "" and str(path) in result.err
    assert path.read_text().startswith("{") and path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["all.json"]


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_o_refuses_the_database_in_use(sqlite_path: Path, tmp_path: Path, writer: str) -> None:
    """`export -o tracker.db`, a slip of the tab key, replaced the working SQLite database
    with the export, and every plan in it was lost; now a database at `-o` is refused with
    exit 2 and stays byte for byte."""
    url = str(sqlite_path)
    plan = tmp_path / "riverton.yaml"
    plan.write_text(PLAN)
    assert tracker("--db", url, "seed", str(plan)).code == 0
    before = sqlite_path.read_bytes()
    result = tracker("--db", url, *WRITERS[writer], "-o", url)
    assert result.code == 2, result.err
    assert "SQLite database" in result.err and "Traceback" not in result.err
    assert sqlite_path.read_bytes() == before


@pytest.mark.parametrize("kind", ["another database", "its write-ahead log", "its journal"])
def test_o_refuses_any_database_file(seeded: str, tmp_path: Path, kind: str) -> None:
    """Another tracker database (a second city's file, a backup), or the log beside one, is
    data too: `-o` refuses them and leaves them alone, on either backend."""
    path = tmp_path / "other.db"
    heads = {
        "another database": b"SQLite format 3\x00" + bytes(100),
        "its write-ahead log": b"\x37\x7f\x06\x82" + bytes(100),
        "its journal": b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(100),
    }
    path.write_bytes(heads[kind])
    result = tracker("--db", seeded, *WRITERS["export"], "-o", str(path))
    assert result.code == 2 and "SQLite database" in result.err, result.err
    assert path.read_bytes() == heads[kind]


def test_o_dev_stdout_points_to_dash(seeded: str) -> None:
    """`-o /dev/stdout` is a link (to /proc/self/fd/1, a link too), so "give the path it
    points to" sent the user round in circles; the refusal now says how to write to
    standard output."""
    result = tracker("--db", seeded, *WRITERS["export"], "-o", "/dev/stdout")
    assert result.code == 2 and "symbolic link" in result.err
    assert "`-o -`" in result.err and "standard output" in result.err
