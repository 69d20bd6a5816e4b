"""The benchmark's databases: plans generated once, one seeded SQLite file shared by the measurements.

`Bench` hands them out lazily. The shared database is, in order of preference:
the ``--db`` file when it exists (reused as it is); the first database the
seeding measurement wrote (it holds exactly the generated plans); else a new
file seeded in a child process. Either way it is then prepared once for the
other measurements: one coordinator per writer in every framework, and 3 % of
the actions moved to in_progress or blocked with an old ``updated_at`` and a
status_change row (so filters select something and pages show a latest change).
The CLI row uses a second, smaller database (``--cli-actions``), seeded in a child.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import random
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import Settings, connect, marks, stored_now
from generate import generate_plans

SHARED_ACTIONS = 200  # the actions the concurrent writers fight over
STAGED_SHARE = 0.03


def writer_login(n: int) -> str:
    return f"bench-writer-{n + 1:02d}"


@dataclass(frozen=True)
class DbInfo:
    path: Path
    frameworks: list[str]
    actions: int
    login: str | None  # a member who may write and belongs to an organisation (the TUI's --as)
    busiest_stakeholder: str  # the stakeholder in the most actions, as lead or partner
    busiest_count: int
    shared: list[tuple[int, str]]  # (action id, "framework/key") for the writers
    seeded_in: float | None  # None: reused


def seed_file(path: str, plan_args: dict[str, Any]) -> float:
    """Generate plans and seed them into a new file; the seconds ``seed`` took (run in a child)."""
    from tracker.db import make_engine
    from tracker.seeding import load_data, seed
    from tracker.services.access.admins import upgrade_with_admin

    plans = generate_plans(**plan_args)
    engine = make_engine(path)
    upgrade_with_admin(engine, admin=None, creator=lambda: "bench")  # seeding needs an admin
    start = time.perf_counter()
    seed(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor="bench")
    took = time.perf_counter() - start
    engine.dispose()
    return took


def seed_in_child(path: Path, plan_args: dict[str, Any]) -> float:
    """`seed_file` in a fresh process: nothing of it stays in this one."""
    with mp.get_context("spawn").Pool(1) as pool:
        return float(pool.apply(seed_file, (str(path), plan_args)))


def prepare(path: Path, writers: int, seed: int) -> None:
    """Writer members and staged status changes (idempotent: done once per file)."""
    rng = random.Random(seed)
    con = connect(path)
    try:
        if con.execute("SELECT 1 FROM member WHERE login = ?", (writer_login(0),)).fetchone():
            return
        now = dt.datetime.now(dt.UTC)
        con.execute("BEGIN IMMEDIATE")
        fids = [r[0] for r in con.execute("SELECT id FROM framework ORDER BY id")]
        for n in range(writers):
            (mid,) = con.execute(
                "INSERT INTO member (login, name, created_at) VALUES (?, ?, ?) RETURNING id",
                (writer_login(n), f"Bench writer {n + 1}", stored_now(now)),
            ).fetchone()
            con.executemany(
                "INSERT INTO membership (member_id, framework_id, role) VALUES (?, ?, 'coordinator')",
                [(mid, fid) for fid in fids],
            )
        # The app's login (see `describe`) reads every framework, as the measurements assume.
        con.execute(
            """
            INSERT OR IGNORE INTO admin (member_id, granted_at)
            SELECT m.id, ? FROM member m
            WHERE m.login NOT LIKE 'bench-writer-%'
              AND EXISTS (SELECT 1 FROM membership s WHERE s.member_id = m.id AND s.role != 'viewer')
              AND EXISTS (SELECT 1 FROM affiliation a WHERE a.member_id = m.id)
            ORDER BY m.id LIMIT 1
            """,
            (stored_now(now),),
        )
        ids = [r[0] for r in con.execute("SELECT id FROM action ORDER BY id")]
        members = [r[0] for r in con.execute("SELECT id FROM member ORDER BY id")]
        staged = rng.sample(ids, min(len(ids), max(50, int(len(ids) * STAGED_SHARE))))
        for n, aid in enumerate(staged):
            (old,) = con.execute("SELECT status FROM action WHERE id = ?", (aid,)).fetchone()
            new = "blocked" if n % 3 == 0 else "in_progress"
            at = stored_now(now - dt.timedelta(days=rng.randint(31, 400), seconds=rng.randint(0, 86399)))
            con.execute(
                "UPDATE action SET status = ?, completed_on = NULL, updated_at = ?, version = version + 1 WHERE id = ?",
                (new, at, aid),
            )
            con.execute(
                "INSERT INTO status_change (action_id, member_id, from_status, to_status, note, forced, at) "
                "VALUES (?, ?, ?, ?, ?, 0, ?)",
                (aid, rng.choice(members), old, new, "staged by the benchmark" if n % 2 else None, at),
            )
        con.execute("COMMIT")
    finally:
        con.close()


def describe(path: Path, seed: int, seeded_in: float | None) -> DbInfo:
    con = sqlite3.connect(path)
    try:
        (actions,) = con.execute("SELECT count(*) FROM action").fetchone()
        frameworks = [r[0] for r in con.execute("SELECT key FROM framework ORDER BY key")]
        found = (
            con.execute(
                """
            SELECT m.login FROM member m
            WHERE m.login NOT LIKE 'bench-writer-%'
              AND EXISTS (SELECT 1 FROM membership s WHERE s.member_id = m.id AND s.role != 'viewer')
              AND EXISTS (SELECT 1 FROM affiliation a WHERE a.member_id = m.id)
            ORDER BY m.id LIMIT 1
            """
            ).fetchone()
            or con.execute("SELECT login FROM member ORDER BY id LIMIT 1").fetchone()
        )
        busiest, count = con.execute(
            """
            SELECT s.key, count(*) FROM (
                SELECT lead_id AS sid FROM action
                UNION ALL SELECT stakeholder_id FROM action_partner
            ) JOIN stakeholder s ON s.id = sid
            GROUP BY s.id ORDER BY count(*) DESC, s.key LIMIT 1
            """
        ).fetchone()
        ids = [r[0] for r in con.execute("SELECT id FROM action ORDER BY id")]
        picked = random.Random(seed).sample(ids, min(SHARED_ACTIONS, len(ids)))
        shared = [
            (aid, f"{fkey}/{akey}")
            for aid, fkey, akey in con.execute(
                "SELECT a.id, f.key, a.key FROM action a JOIN framework f ON f.id = a.framework_id "
                f"WHERE a.id IN ({marks(len(picked))}) ORDER BY a.id",
                picked,
            )
        ]
    finally:
        con.close()
    login = found[0] if found else None
    return DbInfo(path, frameworks, actions, login, busiest, count, shared, seeded_in)


class Bench:
    """Settings plus the plans and databases, made when a measurement first asks."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._plans: list[dict[str, Any]] | None = None
        self._info: DbInfo | None = None
        self._cli: Path | None = None
        self._adopted: tuple[Path, float] | None = None
        self.log: list[str] = []  # what was set up, printed above the table

    def say(self, text: str) -> None:
        print(text, flush=True)
        self.log.append(text)

    def plans(self) -> list[dict[str, Any]]:
        if self._plans is None:
            start = time.perf_counter()
            self._plans = generate_plans(**self.settings.plan_args())
            self.say(f"plans generated in {time.perf_counter() - start:.1f} s")
        return self._plans

    def drop_plans(self) -> None:
        self._plans = None

    def offer_seeded(self, path: Path, seconds: float) -> None:
        """A file the seeding measurement filled with exactly the plans: the shared database, if none yet."""
        if self._info is None and self._adopted is None and not (self.settings.db and self.settings.db.exists()):
            self._adopted = (path, seconds)

    def database(self) -> DbInfo:
        if self._info is not None:
            return self._info
        s = self.settings
        path = s.db.absolute() if s.db else s.folder / "shared.db"
        seeded_in: float | None = None
        if path.exists():
            self.say(f"database: reusing {path}")
        elif self._adopted is not None:
            source, seeded_in = self._adopted
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{source}{suffix}").exists():
                    shutil.copyfile(f"{source}{suffix}", f"{path}{suffix}")
        else:
            seeded_in = seed_in_child(path, s.plan_args())
        prepare(path, s.writers, s.seed)
        self._info = describe(path, s.seed, seeded_in)
        if self._info.actions != s.actions:
            self.say(f"note: {path} holds {self._info.actions:,} actions, not --actions {s.actions:,}")
        self.say(
            f"database: {self._info.actions:,} actions, {path.stat().st_size / 2**20:,.0f} MiB"
            + (f", seeded in {seeded_in:.1f} s" if seeded_in is not None else "")
        )
        return self._info

    def cli_database(self) -> Path:
        """A database of ``--cli-actions`` actions (the shared one when it is that size)."""
        if self._cli is None:
            n = self.settings.cli_actions
            if n == self.settings.actions:
                self._cli = self.database().path
            else:
                self._cli = self.settings.folder / f"cli-{n}.db"
                took = seed_in_child(self._cli, self.settings.plan_args(n))
                self.say(f"database for the CLI: {n:,} actions, seeded in {took:.1f} s")
        return self._cli
