"""Concurrent writers: status changes through tracker against plain sqlite3 with BEGIN IMMEDIATE.

``--writers`` processes (multiprocessing 'spawn'), started together once every
one has imported tracker and connected; each makes ``--changes`` attempts on a
shared set of 200 actions (random, overlapping): read the action's version and
status (tracker: in a `read_session`; reference: a plain autocommit SELECT),
then change it to another status:

* tracker: ``with write_session(engine): set_status(..., expected_version=v)``
  acting as the writer's coordinator member; `Conflict` counts as refused,
  any other exception as an error;
* reference: ``BEGIN IMMEDIATE``; SELECT version; if it moved: ROLLBACK
  (refused); else ``UPDATE action ... WHERE id = ? AND version = ?``,
  ``INSERT INTO status_change``, ``COMMIT``.

After each run the new status_change rows must equal the applied changes, and
so must the growth of the 200 actions' versions ("0 lost"). ``--repeat`` runs
of each, alternating; the figure is the median rate (applied changes a second).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import Row, connect, marks, med, p95, stored_now
from database import DbInfo, writer_login

STATUSES = ("planned", "in_progress", "blocked", "done", "cancelled")
MAX_RATIO = 2.0  # issue 16 (issue 6 asked 3x)


@dataclass
class WriteRun:
    kind: str
    wall: float
    attempts: int
    applied: int
    conflicts: int
    errors: list[str]
    latencies: list[float]
    new_changes: int
    version_growth: int

    @property
    def rate(self) -> float:
        return self.applied / self.wall if self.wall > 0 else 0.0

    @property
    def lost(self) -> int:
        return abs(self.applied - self.new_changes) + abs(self.applied - self.version_growth)


def _tracker_writer(
    path: str, login: str, shared: list[tuple[int, str]], changes: int, seed: int
) -> Callable[[], dict[str, Any]]:
    import sqlalchemy as sa

    from tracker.db import make_engine, read_session, write_session
    from tracker.errors import Conflict
    from tracker.models.enums import Status
    from tracker.services.access.members import resolve_member
    from tracker.services.tracking.actions import action_t
    from tracker.services.tracking.changes import set_status

    engine = make_engine(path)
    with read_session(engine) as session:
        member = resolve_member(session, login)
    rng = random.Random(seed)
    query = sa.select(action_t.c.version, action_t.c.status).where(action_t.c.id == sa.bindparam("aid"))

    def work() -> dict[str, Any]:
        out: dict[str, Any] = {"applied": 0, "conflicts": 0, "errors": [], "latencies": []}
        for _ in range(changes):
            aid, ref = rng.choice(shared)
            start = time.perf_counter()
            try:
                with read_session(engine) as session:
                    version, status = session.execute(query, {"aid": aid}).one()
                new = rng.choice([s for s in Status if s != Status(status)])
                with write_session(engine) as session:
                    set_status(session=session, actor=member, ref=ref, status=new, expected_version=version)
                out["applied"] += 1
            except Conflict:
                out["conflicts"] += 1
            except Exception as exc:  # counted and reported
                out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
            out["latencies"].append(time.perf_counter() - start)
        engine.dispose()
        return out

    return work


def _raw_writer(
    path: str, login: str, shared: list[tuple[int, str]], changes: int, seed: int
) -> Callable[[], dict[str, Any]]:
    con = connect(path)
    (member_id,) = con.execute("SELECT id FROM member WHERE login = ?", (login,)).fetchone()
    rng = random.Random(seed)

    def work() -> dict[str, Any]:
        out: dict[str, Any] = {"applied": 0, "conflicts": 0, "errors": [], "latencies": []}
        for _ in range(changes):
            aid, _ref = rng.choice(shared)
            start = time.perf_counter()
            try:
                version, status = con.execute("SELECT version, status FROM action WHERE id = ?", (aid,)).fetchone()
                new = rng.choice([s for s in STATUSES if s != status])
                con.execute("BEGIN IMMEDIATE")
                try:
                    (now_version,) = con.execute("SELECT version FROM action WHERE id = ?", (aid,)).fetchone()
                    if now_version != version:
                        con.execute("ROLLBACK")
                        out["conflicts"] += 1
                        continue
                    at = stored_now()
                    updated = con.execute(
                        "UPDATE action SET status = ?, version = ?, updated_at = ?, completed_on = ? "
                        "WHERE id = ? AND version = ?",
                        (new, version + 1, at, dt.date.today().isoformat() if new == "done" else None, aid, version),
                    ).rowcount
                    if updated != 1:
                        raise RuntimeError("the row moved under the write lock")
                    con.execute(
                        "INSERT INTO status_change (action_id, member_id, from_status, to_status, note, forced, at) "
                        "VALUES (?, ?, ?, ?, NULL, 0, ?)",
                        (aid, member_id, status, new, at),
                    )
                    con.execute("COMMIT")
                    out["applied"] += 1
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise
            except Exception as exc:  # counted and reported
                out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
            finally:
                out["latencies"].append(time.perf_counter() - start)
        con.close()
        return out

    return work


def writer_process(
    kind: str,
    path: str,
    login: str,
    shared: list[tuple[int, str]],
    changes: int,
    seed: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """One writer: set up (imports, connection, member), say ready, wait, work, report."""
    try:
        make = _tracker_writer if kind == "tracker" else _raw_writer
        work = make(path, login, shared, changes, seed)
        ready.put(login)
        go.wait()
        out = work()
        out["finished"] = time.perf_counter()
    except BaseException as exc:  # reported to the parent
        ready.put(login)
        out = {
            "applied": 0,
            "conflicts": 0,
            "errors": [f"writer crashed: {type(exc).__name__}: {exc}"],
            "latencies": [],
            "finished": time.perf_counter(),
        }
    results.put(out)


def change_state(path: Path, shared: list[tuple[int, str]]) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        (changes,) = con.execute("SELECT count(*) FROM status_change").fetchone()
        ids = [aid for aid, _ in shared]
        (versions,) = con.execute(f"SELECT sum(version) FROM action WHERE id IN ({marks(len(ids))})", ids).fetchone()
        return int(changes), int(versions)
    finally:
        con.close()


def run_writers(kind: str, db: DbInfo, writers: int, changes: int, seed: int) -> WriteRun:
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    before = change_state(db.path, db.shared)
    procs = [
        ctx.Process(
            target=writer_process,
            args=(kind, str(db.path), writer_login(n), db.shared, changes, seed * 1000 + n, ready, go, results),
        )
        for n in range(writers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=300)
    start = time.perf_counter()
    go.set()
    outs = [results.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    after = change_state(db.path, db.shared)
    return WriteRun(
        kind=kind,
        wall=max(o["finished"] for o in outs) - start,
        attempts=writers * changes,
        applied=sum(o["applied"] for o in outs),
        conflicts=sum(o["conflicts"] for o in outs),
        errors=[e for o in outs for e in o["errors"]],
        latencies=[x for o in outs for x in o["latencies"]],
        new_changes=after[0] - before[0],
        version_growth=after[1] - before[1],
    )


def measure_writers(bench: Any) -> list[Row]:
    s = bench.settings
    db = bench.database()
    runs: dict[str, list[WriteRun]] = {"tracker": [], "sqlite3": []}
    for r in range(s.repeat):
        for kind in ("tracker", "sqlite3") if r % 2 == 0 else ("sqlite3", "tracker"):
            runs[kind].append(run_writers(kind, db, s.writers, s.changes, s.seed + r))
        print(
            f"  writers run {r + 1}/{s.repeat}: tracker {runs['tracker'][-1].rate:,.0f}/s, "
            f"sqlite3 {runs['sqlite3'][-1].rate:,.0f}/s",
            flush=True,
        )
    problems = []
    for kind, kind_runs in runs.items():
        errors = [e for run in kind_runs for e in run.errors]
        lost = sum(run.lost for run in kind_runs)
        if errors:
            problems.append(f"{kind}: {len(errors)} errors, e.g. {errors[0]}")
        if lost:
            problems.append(f"{kind}: {lost} LOST")
        if any(run.applied + run.conflicts + len(run.errors) != run.attempts for run in kind_runs):
            problems.append(f"{kind}: attempts do not add up")
    ours, theirs = med([w.rate for w in runs["tracker"]]), med([w.rate for w in runs["sqlite3"]])
    ratio = theirs / ours if ours else float("inf")
    latencies = [x for w in runs["tracker"] for x in w.latencies]
    raw_latencies = [x for w in runs["sqlite3"] for x in w.latencies]
    lost = sum(w.lost for k in runs.values() for w in k)
    return [
        Row(
            f"{s.writers} concurrent writers, status changes",
            f"{ours:,.0f} changes/s, {lost} lost",
            f"{theirs:,.0f} changes/s (plain sqlite3, BEGIN IMMEDIATE)",
            ratio,
            f"<= {MAX_RATIO:.0f}x slower, 0 lost",
            ratio <= MAX_RATIO and not problems,
            values={
                "rate": ours,
                "reference_rate": theirs,
                "lost": lost,
                "applied": [w.applied for w in runs["tracker"]],
                "refused": [w.conflicts for w in runs["tracker"]],
            },
            notes=[
                f"writers: {s.writers} x {s.changes} attempts on {len(db.shared)} shared actions; latency "
                f"median / p95 {med(latencies) * 1000:.2f} / {p95(latencies) * 1000:.2f} ms "
                f"(sqlite3 {med(raw_latencies) * 1000:.2f} / {p95(raw_latencies) * 1000:.2f} ms); "
                f"refused as stale: {sum(w.conflicts for w in runs['tracker'])} "
                f"(sqlite3 {sum(w.conflicts for w in runs['sqlite3'])})",
                *problems,
            ],
        )
    ]
