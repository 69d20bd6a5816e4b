"""Faults from outside: a writer killed half-way, a database server that goes away.

What a user must be able to rely on: a `tracker seed` that dies (power cut,
OOM killer, Ctrl-\\) leaves the database as it was or with the whole import,
never half of it; and a server that disappears gets one sentence on the command
line, and a notice in the app, which keeps what was typed and carries on when
the server is back.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import tracker
from tests.conftest import PG_URL, REPO
from tests.tracking import CONVENE, seeded
from tests.tui import open_app, settle
from tracker.db import make_engine, read_session, upgrade, write_session
from tracker.models import metadata
from tracker.models.enums import Status
from tracker.services.access.admins import upgrade_with_admin
from tracker.services.access.members import find_member
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.actions import get_action
from tracker.tui.widgets.action_list import ActionList

TRACKER = str(Path(sys.executable).parent / "tracker")
ACTIONS = 600
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
    upgrade_with_admin(engine, admin=None, creator=lambda: "crash-test")  # creating frameworks needs an admin
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
    # A fast machine may write the log between two looks: then aim at the write's first half
    # again (a few more runs at most), so that at least three kills land in the middle of it.
    extra = [(None, 1 + wal_max * i // 8) for i in range(1, 4)] * 4
    # ... and where the kills meant for the write land together (all just after its commit,
    # on a quiet machine), aim at it again until 20 different moments are covered (a few
    # more runs of half a second at most).
    again = [(None, 1 + wal_max * i // 16) for i in range(1, 16)]
    while points:
        delay, wal_at = points.pop(0)
        path = tmp_path / f"killed-{len(record)}.db"
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
        if not points and extra and sum(1 for r in record if r[3] == "none" and r[2] > 0) < 3:
            points.append(extra.pop(0))
        if not points and again and len({(round(a, 3), w) for _, a, w, o in record if o != "finished"}) < 20:
            points.append(again.pop(0))
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


def _add_note(engine: Any, ref: str, login: str, text: str) -> None:
    with write_session(engine) as session:
        member = find_member(session, login)
        assert member is not None
        tracking.add_note(session=session, actor=member, ref=ref, text=text)


# -- a PostgreSQL server that goes away ------------------------------------------------------


class ThrowawayServer:
    """A second PostgreSQL server of our own (.ci/pg), to stop and start under a running client."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        started = subprocess.run(
            ["bash", str(REPO / ".ci" / "pg"), "start", str(folder)], capture_output=True, text=True, timeout=180
        )
        assert started.returncode == 0, started.stderr
        line = next(x for x in started.stdout.splitlines() if x.startswith("export TRACKER_TEST_PG="))
        self.url = line.split("=", 1)[1].strip("'")

    def stop(self) -> None:
        subprocess.run(["bash", str(REPO / ".ci" / "pg"), "stop", str(self.folder)], capture_output=True, timeout=120)

    def start_again(self) -> None:
        """Start the stopped server on its data (`.ci/pg start` only makes new ones)."""
        pg_ctl = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))[-1]
        data, log = self.folder / "data", self.folder / "postgres.log"
        started = subprocess.run(
            ["runuser", "-u", "postgres", "--", pg_ctl, "start", "-w", "-t", "60", "-D", str(data), "-l", str(log)],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stderr


@pytest.fixture
def server() -> Iterator[ThrowawayServer]:
    if not PG_URL:
        pytest.skip("needs PostgreSQL: runs when TRACKER_TEST_PG is set (CI's second pass)")
    folder = Path(tempfile.mkdtemp(prefix="pg"))  # short: the socket path must stay under 107 bytes
    own = ThrowawayServer(folder)
    engine = make_engine(own.url)
    upgrade(engine)
    seeded(engine)
    engine.dispose()
    yield own
    own.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_the_cli_says_in_one_sentence_that_the_server_cannot_be_reached(server: ThrowawayServer) -> None:
    """With the server down, reading and writing commands end with exit 1 and one sentence."""
    assert tracker("--db", server.url, "actions", "list").code == 0
    server.stop()
    for command in (["actions", "list"], ["--as", "domus", "actions", "set-status", CONVENE, "in_progress"]):
        result = tracker("--db", server.url, *command)
        assert result.code == 1, result
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tracker: Cannot reach the database server for postgresql")
        assert "(is it running?)" in lines[0] and "Traceback" not in result.err + result.out


async def test_the_app_survives_the_server_going_away_and_coming_back(server: ThrowawayServer) -> None:
    """The server stops under a member who is typing: the app says the connection is lost,
    keeps the search text and the status change with its note, and when the server is back
    it says so by itself, the kept change can be applied, and fresh data shows."""
    engine = make_engine(server.url)
    app = open_app(engine, "domus", poll=True)
    said: list[tuple[str, str]] = []
    notify = app.notify

    def recording_notify(message: str, *, title: str = "", **kwargs: Any) -> None:
        said.append((title, message))
        notify(message, title=title, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("a")
            await settle(app, pilot)
            await pilot.press("slash", *"Convene")
            await pilot.pause(0.5)
            await settle(app, pilot)
            actions = app.screen.query_one(ActionList)
            assert actions.total == 1
            await pilot.press("enter", "enter")  # leave the search box, open the action
            await settle(app, pilot)
            assert type(app.screen).__name__ == "ActionDetailScreen"

            server.stop()
            await pilot.press("s")
            await pilot.pause()
            await pilot.press("enter", "down", "enter", "tab", *"kick-off held", "enter")  # in progress + note
            await settle(app, pilot)
            assert [t for t, _ in said].count("Connection lost") == 1  # said once, not at every failed poll
            assert any("Not saved" in m for _, m in said), (said, app.screen)
            assert type(app.screen).__name__ == "ActionDetailScreen"

            server.start_again()
            for _ in range(100):  # the poll notices by itself (once a second)
                if any(t == "Connected" for t, _ in said):
                    break
                await pilot.pause(0.1)
            assert ("Connected", "The database is back.") in said

            await pilot.press("s")  # the dialog opens with what was chosen and typed
            await pilot.pause()
            assert app.screen.query_one("#note").value == "kick-off held"  # type: ignore[attr-defined]
            assert app.screen.query_one("#status").value == Status.in_progress  # type: ignore[attr-defined]
            await pilot.press("tab", "enter")
            await settle(app, pilot)
            with read_session(engine) as session:
                assert get_action(session, CONVENE).row.status == Status.in_progress

            # Someone else's change after the outage reaches the screen through the poll.
            _add_note(engine, CONVENE, "city", "after the outage")
            for _ in range(50):
                if "after the outage" in str(app.screen.query_one("#detail").render()):
                    break
                await pilot.pause(0.1)
            assert "after the outage" in str(app.screen.query_one("#detail").render())
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen.query_one("#search").value == "Convene"  # type: ignore[attr-defined]
            assert app.screen.query_one(ActionList).total == 1
    finally:
        engine.dispose()


def test_a_connection_lost_during_a_command_is_one_sentence(engine: Any, db_url: str) -> None:
    """The server drops the connection while a status change waits for its lock: the command
    says the server cannot be reached, in one sentence, and the change is not half made."""
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: a server-side disconnect (pg_terminate_backend)")
    import sqlalchemy as sa

    seeded(engine)
    with read_session(engine) as session:
        history = get_action(session, CONVENE).history
    env = {**os.environ, "TRACKER_USER": "domus"}
    with engine.connect() as holder:
        holder.execute(sa.text("SELECT id FROM action WHERE key = 'convene' FOR UPDATE"))  # hold the row
        proc = subprocess.Popen(
            [TRACKER, "--db", db_url, "actions", "set-status", CONVENE, "in_progress", "-m", "lost"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        waiting = None
        for _ in range(400):  # a new transaction each time: pg_stat_activity is a snapshot per transaction
            with engine.connect() as watcher:
                waiting = watcher.execute(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                ).scalar()
                if waiting is not None:
                    watcher.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting})
                    break
            time.sleep(0.05)
        assert waiting is not None, "the command never waited for the lock"
        out, err = proc.communicate(timeout=60)
        holder.rollback()
    assert proc.returncode == 1, (out, err)
    assert err == "tracker: the database server cannot be reached (the connection was lost); nothing was changed.\n"
    with read_session(engine) as session:
        detail = get_action(session, CONVENE)
    assert detail.row.status == Status.planned and detail.history == history
