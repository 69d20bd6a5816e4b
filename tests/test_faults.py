"""Faults from outside: a writer killed half-way, a database server that goes away.

What a user must be able to rely on: a `tracker seed` that dies (power cut,
OOM killer, Ctrl-\\) leaves the database as it was or with the whole import,
never half of it; and a server that disappears gets one sentence on the command
line, and a notice in the app, which keeps what was typed and carries on when
the server is back.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tracker.db import make_engine, upgrade
from tracker.models import metadata

TRACKER = str(Path(sys.executable).parent / "tracker")
ACTIONS = 1000
KILLS_BEFORE_OPENING = 4  # while the files are read and checked
KILLS_WHILE_WRITING = 20  # (and 2 while the changes are worked out, before the first page is written)
POLL = 0.0005


def _counts(path: Path) -> dict[str, int]:
    """Rows per table, read with plain sqlite3 (which also recovers the WAL a killed writer left)."""
    with sqlite3.connect(path) as conn:
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in metadata.tables}


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))


def _wal_size(path: Path) -> int:
    wal = Path(f"{path}-wal")
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return -1


def _seed(path: Path, plans: list[Path]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRACKER_USER": "crash-test"}
    env.pop("TRACKER_DB", None)
    return subprocess.Popen(
        [TRACKER, "--db", str(path), "seed", *map(str, plans)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


@pytest.mark.skipif(bool(PG_URL), reason="kills a writer of a SQLite file; runs in the SQLite pass of the suite")
def test_a_seed_killed_at_any_point_leaves_all_of_the_import_or_none(tmp_path: Path) -> None:
    """SIGKILL a real `tracker seed` at 26 different moments: each time the file is
    intact and holds the whole import or none of it, and seeding again completes.

    Kill points: some at set times before the seed opens the database (reading and
    checking the files) and while it works out the changes; the rest when the
    write-ahead log has grown to a set share of its final size, so that they land
    in the write itself (a window of a few hundred milliseconds, whose place in
    time varies with the machine's load; triggering on the log's size keeps the
    kills in it). Every kill is recorded: time, log size, outcome.
    """
    from tests.perf.generate import generate_plans, write_plans

    plans = write_plans(
        generate_plans(actions=ACTIONS, frameworks=4, stakeholders=150, allocations=3 * ACTIONS), tmp_path / "plans"
    )
    base = tmp_path / "base.db"
    engine = make_engine(str(base))
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints: one self-contained file to copy
    empty = _counts(base)

    # One run to the end: the whole import, when it opens the database, starts writing pages, ends.
    calibration = tmp_path / "calibration.db"
    shutil.copy(base, calibration)
    started = time.monotonic()
    proc = _seed(calibration, plans)
    opened_at = first_page_at = None
    wal_max = 0
    while proc.poll() is None:
        wal = _wal_size(calibration)
        now = time.monotonic() - started
        if opened_at is None and wal >= 0:
            opened_at = now
        if first_page_at is None and wal > 0:
            first_page_at = now
        wal_max = max(wal_max, wal)
        time.sleep(POLL)
    assert proc.returncode == 0 and opened_at is not None and first_page_at is not None and wal_max > 0
    full = _counts(calibration)
    assert full["action"] == ACTIONS and full["import_run"] == 1

    points: list[tuple[float | None, int | None]] = []  # (kill at this time, or when the WAL reaches this size)
    points += [(opened_at * i / (KILLS_BEFORE_OPENING + 1), None) for i in range(1, KILLS_BEFORE_OPENING + 1)]
    points += [(opened_at + (first_page_at - opened_at) * i / 3, None) for i in range(1, 3)]
    points += [(None, 1 + wal_max * i // KILLS_WHILE_WRITING) for i in range(KILLS_WHILE_WRITING)]
    record: list[tuple[str, float, int, str]] = []  # (trigger, seconds after start, WAL bytes at the kill, outcome)
    last_half_way: Path | None = None
    for n, (delay, wal_at) in enumerate(points):
        path = tmp_path / f"killed-{n}.db"
        shutil.copy(base, path)
        started = time.monotonic()
        proc = _seed(path, plans)
        while proc.poll() is None:
            wal = _wal_size(path)
            if (delay is not None and time.monotonic() - started >= delay) or (wal_at is not None and wal >= wal_at):
                break
            time.sleep(POLL)
        at = time.monotonic() - started
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        trigger = f"at {delay:.3f}s" if delay is not None else f"WAL >= {wal_at:,}"
        assert _integrity(path) == "ok", f"kill {trigger} corrupted the file"
        counts = _counts(path)
        assert counts in (empty, full), f"kill {trigger} left part of the import: {counts}"
        outcome = "finished" if proc.returncode == 0 else "all" if counts == full else "none"
        record.append((trigger, at, wal, outcome))
        if outcome == "none" and wal > 0:
            last_half_way = path
    shown = "\n".join(f"  kill {t:<16} at {a:.3f}s, WAL {w:>9,} bytes: {o}" for t, a, w, o in record)
    print(f"\nseed of {ACTIONS:,} actions: database opened at {opened_at:.3f}s, first page at {first_page_at:.3f}s")
    print(shown)

    killed = [(round(a, 3), w) for _, a, w, o in record if o != "finished"]
    assert len(set(killed)) >= 20, "fewer than 20 different kill points\n" + shown
    half_way = [r for r in record if r[3] == "none" and r[2] > 0]
    assert len(half_way) >= 3, "too few kills landed while pages were being written\n" + shown

    # The next seed after a crash in the middle of the write completes and gives the whole plan.
    assert last_half_way is not None
    proc = _seed(last_half_way, plans)
    assert proc.wait(timeout=120) == 0
    assert _integrity(last_half_way) == "ok"
    assert _counts(last_half_way) == full
