"""Tracking speed: filtered pages of actions, and concurrent status changes, against plain sqlite3.

    .venv/bin/python tests/perf/bench_tracking.py                              # 100,000 actions
    .venv/bin/python tests/perf/bench_tracking.py --actions 2000 --changes 30  # CI smoke run

One SQLite file in a temporary folder, made with `tracker.db.make_engine` +
`upgrade` and seeded once with tracker's `seed` (plans from generate.py). Not
timed: then, through `tracker.services.members.add_member`, one coordinator
member per writer in every framework; and with plain SQL a few thousand actions
(3 %) are moved to in_progress or blocked, with an ``updated_at`` 31 to 400 days
old, a version bump and a status_change row each (so the filters select
something and the pages show a latest change).

1. Reading. For each filter, ``--repeat`` x 20 timed calls (after 3 untimed) of

   * tracker: ``with read_session(engine) as s: list_actions(s, filter)`` (a page
     of 50 full `ActionRow` views: partners, funding totals, latest change), and
     the same with `count_actions`;
   * reference: plain `sqlite3` on the same file, one kept connection, each call
     in a deferred ``BEGIN``/``COMMIT``: the same lookups (framework key, stakeholder
     keys), the hand-written page query (same WHERE, ORDER BY ... NULLS LAST, id,
     LIMIT/OFFSET, joins to framework/objective/goal/stakeholder, same columns) and
     the three per-page queries the service makes (partners, allocation totals,
     latest status change), the rows assembled into tuples (no type conversion);
     and the equivalent ``count(*)``.

   The page of the service and of the reference must hold the same actions in the
   same order, and the counts must agree (asserted). ``EXPLAIN QUERY PLAN`` of the
   statement the service actually sent says, per filter, how the action table is
   read (index or scan) and whether the ORDER BY needs a temporary B-tree.

2. Writing. ``--writers`` processes (multiprocessing, 'spawn'), started together
   once every one has imported tracker and connected; each makes ``--changes``
   attempts on a shared set of 200 actions (random, overlapping): read the
   action's version and status (tracker: in a `read_session`; reference: a plain
   autocommit SELECT), then change it to another status:

   * tracker: ``with write_session(engine): set_status(..., expected_version=v)``
     acting as the writer's coordinator member; `Conflict` counts as refused,
     any other exception as an error;
   * reference: ``BEGIN IMMEDIATE``; SELECT version; if it moved: ROLLBACK
     (refused); else ``UPDATE action ... WHERE id = ? AND version = ?``,
     ``INSERT INTO status_change``, ``COMMIT``.

   After each run the new status_change rows must equal the applied changes, and
   so must the growth of the 200 actions' versions ("0 lost").

Targets (report only; ``--strict`` makes the exit status 1 when one is missed):
a page and a count under 10 ms and at most 2x the reference; writes at most 3x
slower than the reference, with 0 errors and 0 lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import multiprocessing as mp
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import count_items, generate_plans

PAGE = 50
CALLS_PER_REPEAT = 20
WARMUP_CALLS = 3
SHARED_ACTIONS = 200
STAGED_SHARE = 0.03
TEXT_WORD = "mentoring"  # in about one title in fourteen (generate._OBJECTS)
STATUSES = ("planned", "in_progress", "blocked", "done", "cancelled")
OPEN = ("planned", "in_progress", "blocked")
PRAGMAS = ("busy_timeout = 15000", "foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL")

MAX_MS = 10.0
MAX_READ_RATIO = 2.0
MAX_WRITE_RATIO = 3.0


# -- helpers -------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def ms(value: float) -> str:
    return f"{value * 1000:.2f}"


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def versions() -> str:
    import pydantic
    import sqlalchemy

    return (
        f"python {platform.python_version()} ({platform.python_implementation()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs), "
        f"sqlite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}, "
        f"pydantic {pydantic.__version__}"
    )


def connect(path: Path | str) -> sqlite3.Connection:
    """A plain sqlite3 connection with tracker's pragmas, transactions by hand."""
    con = sqlite3.connect(path, isolation_level=None, timeout=15)
    for pragma in PRAGMAS:
        con.execute(f"PRAGMA {pragma}")
    return con


def stored_now(moment: dt.datetime | None = None) -> str:
    """A UTC moment as tracker stores it on SQLite (naive, microseconds)."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def writer_login(n: int) -> str:
    return f"bench-writer-{n + 1:02d}"


# -- the database --------------------------------------------------------------------------


@dataclass
class Database:
    path: Path
    frameworks: list[str]
    actions: int
    seconds_seeding: float
    staged: int
    busiest_stakeholder: str
    busiest_count: int
    shared: list[tuple[int, str]]  # (action id, "framework/key")


def build_database(args: argparse.Namespace, folder: Path) -> Database:
    from tracker.db import make_engine, upgrade, write_session
    from tracker.models.enums import Role
    from tracker.seeding import load_data, seed
    from tracker.services.members import add_member

    plans = generate_plans(
        actions=args.actions,
        frameworks=args.frameworks,
        stakeholders=args.stakeholders,
        allocations=3 * args.actions,
        seed=args.seed,
    )
    items = count_items(plans)
    print(
        f"plans: {len(plans)} files, {items['actions']:,} actions, {items['allocations']:,} "
        f"allocations, {items['stakeholders']:,} stakeholders (seed {args.seed})",
        flush=True,
    )
    path = folder / "tracker.db"
    engine = make_engine(str(path))
    upgrade(engine)
    frameworks = [p["framework"]["key"] for p in plans]
    start = time.perf_counter()
    seed(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor="bench")
    seeding = time.perf_counter() - start
    del plans

    # One coordinator member per writer, in every framework (the first one of a framework
    # needs no actor; the others are added by it).
    with write_session(engine) as session:
        for key in frameworks:
            first = None
            for n in range(args.writers):
                made = add_member(session, actor=first, login=writer_login(n), role=Role.coordinator, framework=key)
                first = first or made
    engine.dispose()

    rng = random.Random(args.seed)
    con = connect(path)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM action ORDER BY id")]
        members = [r[0] for r in con.execute("SELECT id FROM member ORDER BY id")]
        staged = rng.sample(ids, max(50, int(len(ids) * STAGED_SHARE)))
        now = dt.datetime.now(dt.UTC)
        con.execute("BEGIN IMMEDIATE")
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
        if args.analyze:
            con.execute("ANALYZE")
        busiest, busiest_count = con.execute(
            """
            SELECT s.key, count(*) FROM (
                SELECT lead_id AS sid FROM action
                UNION ALL SELECT stakeholder_id FROM action_partner
            ) JOIN stakeholder s ON s.id = sid
            GROUP BY s.id ORDER BY count(*) DESC, s.key LIMIT 1
            """
        ).fetchone()
        shared_ids = rng.sample(ids, min(SHARED_ACTIONS, len(ids)))
        shared = [
            (aid, f"{fkey}/{akey}")
            for aid, fkey, akey in con.execute(
                "SELECT a.id, f.key, a.key FROM action a JOIN framework f ON f.id = a.framework_id "
                f"WHERE a.id IN ({','.join('?' * len(shared_ids))}) ORDER BY a.id",
                shared_ids,
            )
        ]
    finally:
        con.close()
    return Database(path, frameworks, len(ids), seeding, len(staged), busiest, busiest_count, shared)


# -- 1. reading ----------------------------------------------------------------------------

RAW_COLUMNS = """
    a.id, f.key, a.key, a.title, a.status, a.horizon, s.key, s.name, a.starts, a.due,
    a.completed_on, a.cost, a.version, a.updated_at, g.key, g.title, o.key, o.title
"""
RAW_FROM = """
    action a
    JOIN framework f ON f.id = a.framework_id
    JOIN objective o ON o.id = a.objective_id
    JOIN goal g ON g.id = o.goal_id
    JOIN stakeholder s ON s.id = a.lead_id
"""
TEXT_CLAUSE = "(lower(a.title) LIKE lower(?) ESCAPE '\\' OR lower(a.description) LIKE lower(?) ESCAPE '\\')"


@dataclass
class Case:
    label: str
    filter: Any  # ActionFilter
    where: str  # over action a ("" for none); '{sids}' is filled in after the lookups
    params: Callable[[int | None, list[int]], list[Any]]
    order: str
    framework: str | None = None
    stakeholders: tuple[str, ...] = ()


def cases(db: Database, today: dt.date) -> list[Case]:
    from tracker.models.enums import Horizon, Status
    from tracker.services.filters import ActionFilter, SortField

    fw = db.frameworks[0]
    who = (db.busiest_stakeholder,)
    offset = min(5000, db.actions // 2)
    pattern = f"%{TEXT_WORD}%"
    by_due = "a.due ASC NULLS LAST, a.id ASC"
    return [
        Case(
            f"(a) {fw}, in_progress|blocked, by due",
            ActionFilter(framework=fw, statuses=(Status.in_progress, Status.blocked)),
            "a.framework_id = ? AND a.status IN (?, ?)",
            lambda fid, sids: [fid, "in_progress", "blocked"],
            by_due,
            framework=fw,
        ),
        Case(
            f"(b) {who[0]} lead or partner, by due",
            ActionFilter(stakeholders=who),
            "(a.lead_id IN ({sids}) OR EXISTS (SELECT 1 FROM action_partner p "
            "WHERE p.action_id = a.id AND p.stakeholder_id IN ({sids})))",
            lambda fid, sids: [*sids, *sids],
            by_due,
            stakeholders=who,
        ),
        Case(
            f"(c) {fw}, overdue, by due",
            ActionFilter(framework=fw, overdue=True),
            "a.framework_id = ? AND a.due < ? AND a.status IN (?, ?, ?)",
            lambda fid, sids: [fid, today.isoformat(), *OPEN],
            by_due,
            framework=fw,
        ),
        Case(
            f"(d) {fw}, near_term, text {TEXT_WORD!r}",
            ActionFilter(framework=fw, horizons=(Horizon.near_term,), text=TEXT_WORD),
            f"a.framework_id = ? AND a.horizon IN (?) AND {TEXT_CLAUSE}",
            lambda fid, sids: [fid, "near_term", pattern, pattern],
            by_due,
            framework=fw,
        ),
        Case(
            f"(e) all, by title, offset {offset:,}",
            ActionFilter(sort=SortField.title, offset=offset),
            "",
            lambda fid, sids: [],
            "a.title ASC NULLS LAST, a.id ASC",
        ),
    ]


def marks(n: int) -> str:
    return ", ".join("?" * n)


class RawReader:
    """The reference: the service's queries written by hand on a plain sqlite3 connection."""

    def __init__(self, path: Path) -> None:
        self.con = connect(path)

    def close(self) -> None:
        self.con.close()

    def _lookups(self, case: Case) -> tuple[int | None, list[int]]:
        fid = None
        if case.framework:
            (fid,) = self.con.execute("SELECT id FROM framework WHERE key = ?", (case.framework,)).fetchone()
        sids: list[int] = []
        if case.stakeholders:
            found = dict(
                self.con.execute(
                    f"SELECT key, id FROM stakeholder WHERE key IN ({marks(len(case.stakeholders))})",
                    case.stakeholders,
                ).fetchall()
            )
            sids = [found[k] for k in case.stakeholders]
        return fid, sids

    @staticmethod
    def where(case: Case, sids: list[int]) -> str:
        return f"WHERE {case.where.replace('{sids}', marks(len(sids)))}" if case.where else ""

    def page_sql(self, case: Case, sids: list[int]) -> str:
        return (
            f"SELECT {RAW_COLUMNS} FROM {RAW_FROM} {self.where(case, sids)} "
            f"ORDER BY {case.order} LIMIT {PAGE} OFFSET {case.filter.offset}"
        )

    def page(self, case: Case) -> list[tuple[Any, ...]]:
        con = self.con
        con.execute("BEGIN")
        try:
            fid, sids = self._lookups(case)
            rows = con.execute(self.page_sql(case, sids), case.params(fid, sids)).fetchall()
            ids = [r[0] for r in rows]
            if not ids:
                return []
            inn = marks(len(ids))
            partners: dict[int, list[tuple[str, str]]] = {}
            for aid, key, name in con.execute(
                "SELECT p.action_id, s.key, s.name FROM action_partner p "
                f"JOIN stakeholder s ON s.id = p.stakeholder_id WHERE p.action_id IN ({inn}) "
                "ORDER BY s.name",
                ids,
            ):
                partners.setdefault(aid, []).append((key, name))
            funding = {
                aid: (total or 0, unknown)
                for aid, total, unknown in con.execute(
                    "SELECT action_id, sum(amount), count(*) FILTER (WHERE amount IS NULL) "
                    f"FROM allocation WHERE action_id IN ({inn}) GROUP BY action_id",
                    ids,
                )
            }
            latest = {
                r[1]: r
                for r in con.execute(
                    "SELECT c.id, c.action_id, c.member_id, c.from_status, c.to_status, c.note, "
                    "c.forced, c.at, m.login FROM status_change c "
                    "JOIN (SELECT action_id, max(id) AS id FROM status_change "
                    f"WHERE action_id IN ({inn}) GROUP BY action_id) n ON n.id = c.id "
                    "LEFT JOIN member m ON m.id = c.member_id",
                    ids,
                )
            }
            return [(*r, tuple(partners.get(r[0], ())), funding.get(r[0], (0, 0)), latest.get(r[0])) for r in rows]
        finally:
            con.execute("COMMIT")

    def count(self, case: Case) -> int:
        con = self.con
        con.execute("BEGIN")
        try:
            fid, sids = self._lookups(case)
            sql = f"SELECT count(*) FROM action a {self.where(case, sids)}"
            (n,) = con.execute(sql, case.params(fid, sids)).fetchone()
            return int(n)
        finally:
            con.execute("COMMIT")

    def plan(self, sql: str, params: Sequence[Any]) -> str:
        """How the action table is read (index search or full scan), and whether the
        ORDER BY needs a temporary B-tree."""
        details = [r[3] for r in self.con.execute(f"EXPLAIN QUERY PLAN {sql}", tuple(params))]
        action = [d for d in details if re.match(r"(SCAN|SEARCH) (action|a)( |$)", d)]
        multi = any(d.startswith("MULTI-INDEX OR") for d in details)
        how = "; ".join(re.sub(r"^(SCAN|SEARCH) (action|a)\b", r"\1 action", d) for d in action)
        if multi:
            kind = "index (multi-index OR)"
        elif action and all(d.startswith("SEARCH") for d in action):
            kind = "index"
        else:
            kind = "NO INDEX (full scan)"
        if any("TEMP B-TREE FOR ORDER BY" in d for d in details):
            sort = "ORDER BY sorts in a temp B-tree"
        elif any("TEMP B-TREE" in d and "ORDER BY" in d for d in details):
            sort = "ORDER BY partly sorted in a temp B-tree"
        else:
            sort = "ORDER BY follows the index"
        return f"{kind}: {how or '?'}; {sort}"


@dataclass
class ReadResult:
    case: Case
    matched: int
    service: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    service_count: list[float] = field(default_factory=list)
    raw_count: list[float] = field(default_factory=list)
    plan: str = ""
    raw_plan: str = ""


def capture_main_query(engine: Any, fn: Callable[[], Any]) -> tuple[str, Sequence[Any]]:
    """The page statement (the one with ORDER BY) the service sends while ``fn`` runs."""
    import sqlalchemy as sa

    seen: list[tuple[str, Sequence[Any]]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    pages = [s for s in seen if "ORDER BY" in s[0] and "JOIN framework" in s[0]]
    if len(pages) != 1:
        raise AssertionError(f"expected one page statement, saw {len(pages)}")
    return pages[0]


def run_reads(db: Database, repeat: int, today: dt.date) -> list[ReadResult]:
    from tracker.db import make_engine, read_session
    from tracker.services.actions import count_actions, list_actions

    def list_actions_on(eng: Any, case: Case) -> list[Any]:
        with read_session(eng) as session:
            return list_actions(session, case.filter, today=today)

    engine = make_engine(str(db.path))
    spy = make_engine(str(db.path))  # listens for the statements; the timed engine never does
    raw = RawReader(db.path)
    results = []
    try:
        for case in cases(db, today):

            def service_page(case: Case = case) -> list[Any]:
                with read_session(engine) as session:
                    return list_actions(session, case.filter, today=today)

            def service_count(case: Case = case) -> int:
                with read_session(engine) as session:
                    return count_actions(session, case.filter, today=today)

            def raw_page(case: Case = case) -> list[Any]:
                return raw.page(case)

            def raw_count(case: Case = case) -> int:
                return raw.count(case)

            # Same answer, else the comparison means nothing.
            got, want = service_page(), raw_page()
            refs = [r.ref for r in got]
            if refs != [f"{r[1]}/{r[2]}" for r in want]:
                raise AssertionError(f"{case.label}: the service and the reference pages differ")
            if [len(r.partners) for r in got] != [len(r[18]) for r in want]:
                raise AssertionError(f"{case.label}: partners differ")
            if [r.last_change is not None for r in got] != [r[20] is not None for r in want]:
                raise AssertionError(f"{case.label}: latest changes differ")
            matched = service_count()
            if matched != raw_count():
                raise AssertionError(f"{case.label}: counts differ")
            if case.filter.offset < matched and not got:
                raise AssertionError(f"{case.label}: empty page")
            result = ReadResult(case, matched)
            sql, params = capture_main_query(spy, functools.partial(list_actions_on, spy, case))
            result.plan = raw.plan(sql, params)
            fid, sids = raw._lookups(case)
            result.raw_plan = raw.plan(raw.page_sql(case, sids), case.params(fid, sids))

            timings = (
                (service_page, result.service),
                (raw_page, result.raw),
                (service_count, result.service_count),
                (raw_count, result.raw_count),
            )
            for fn, _ in timings:
                for _ in range(WARMUP_CALLS):
                    fn()
            for _ in range(repeat):  # interleaved, so drift hits all four alike
                for fn, into in timings:
                    for _ in range(CALLS_PER_REPEAT):
                        start = time.perf_counter()
                        fn()
                        into.append(time.perf_counter() - start)
            results.append(result)
            print(
                f"  {case.label}: {result.matched:,} matched; page {ms(statistics.median(result.service))} ms "
                f"vs {ms(statistics.median(result.raw))} ms raw",
                flush=True,
            )
    finally:
        raw.close()
        engine.dispose()
        spy.dispose()
    return results


# -- 2. writing ----------------------------------------------------------------------------


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
    from tracker.services.actions import action_t
    from tracker.services.members import resolve_member
    from tracker.services.tracking import set_status

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
        (versions_,) = con.execute(f"SELECT sum(version) FROM action WHERE id IN ({marks(len(ids))})", ids).fetchone()
        return int(changes), int(versions_)
    finally:
        con.close()


def run_writers(kind: str, db: Database, writers: int, changes: int, seed: int) -> WriteRun:
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
    wall = max(o["finished"] for o in outs) - start
    return WriteRun(
        kind=kind,
        wall=wall,
        attempts=writers * changes,
        applied=sum(o["applied"] for o in outs),
        conflicts=sum(o["conflicts"] for o in outs),
        errors=[e for o in outs for e in o["errors"]],
        latencies=[x for o in outs for x in o["latencies"]],
        new_changes=after[0] - before[0],
        version_growth=after[1] - before[1],
    )


# -- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--actions", type=int, default=100_000, help="total actions (100000)")
    parser.add_argument("--repeat", type=int, default=5, help=f"rounds of {CALLS_PER_REPEAT} calls per filter (5)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer processes (8)")
    parser.add_argument("--changes", type=int, default=300, help="status changes per writer (300)")
    parser.add_argument("--frameworks", type=int, default=20, help="plan files (20)")
    parser.add_argument("--stakeholders", type=int, default=2_000, help="stakeholders (2000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after seeding (tracker does not)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed (default: report only)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.writers < 1 or args.changes < 1:
        parser.error("--repeat, --writers and --changes must be at least 1")

    print(f"tracking benchmark: {versions()}")
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        # In a child process, so that the measuring process is as fresh as a CLI's.
        with mp.get_context("spawn").Pool(1) as pool:
            total, db = timed(lambda: pool.apply(build_database, (args, Path(tmp))))
        print(
            f"database: {db.actions:,} actions, seeded in {seconds(db.seconds_seeding)} "
            f"({seconds(total)} with generating, members and staging); {db.staged:,} staged "
            f"in_progress/blocked with old updated_at; {db.path.stat().st_size / 2**20:,.0f} MiB"
            + ("; ANALYZE run" if args.analyze else "; no ANALYZE (as tracker leaves it)"),
            flush=True,
        )
        reads = run_reads(db, args.repeat, today)
        print(f"  writers: {args.writers} x {args.changes} changes, tracker ...", flush=True)
        tracked = run_writers("tracker", db, args.writers, args.changes, args.seed)
        print(f"  writers: {args.writers} x {args.changes} changes, plain sqlite3 ...", flush=True)
        reference = run_writers("sqlite3", db, args.writers, args.changes, args.seed)

    missed: list[str] = []
    label = max(44, *(len(r.case.label) + 1 for r in reads))
    calls = args.repeat * CALLS_PER_REPEAT
    print()
    print(
        f"1. a page of {PAGE} actions out of {db.actions:,}: median / p95 ms over {calls} calls each; "
        "ratio = service median / raw median"
    )
    header = (
        f"{'filter':<{label}}{'matched':>8} | {'list_actions':>16}{'raw':>16}{'ratio':>7} | "
        f"{'count_actions':>16}{'raw':>16}{'ratio':>7} | verdict"
    )
    print(header)
    print("-" * len(header))
    for r in reads:
        page, page_raw = statistics.median(r.service), statistics.median(r.raw)
        cnt, cnt_raw = statistics.median(r.service_count), statistics.median(r.raw_count)
        page_ratio, cnt_ratio = page / page_raw, cnt / cnt_raw
        problems = []
        if page * 1000 > MAX_MS or cnt * 1000 > MAX_MS:
            problems.append(f">{MAX_MS:.0f} ms")
        if page_ratio > MAX_READ_RATIO or cnt_ratio > MAX_READ_RATIO:
            problems.append(f">{MAX_READ_RATIO:.0f}x raw")
        if problems:
            missed.append(f"{r.case.label}: {', '.join(problems)}")
        print(
            f"{r.case.label:<{label}}{r.matched:>8,} | "
            f"{ms(page) + ' / ' + ms(p95(r.service)):>16}{ms(page_raw) + ' / ' + ms(p95(r.raw)):>16}"
            f"{page_ratio:>6.1f}x | "
            f"{ms(cnt) + ' / ' + ms(p95(r.service_count)):>16}{ms(cnt_raw) + ' / ' + ms(p95(r.raw_count)):>16}"
            f"{cnt_ratio:>6.1f}x | {'ABOVE TARGET: ' + ', '.join(problems) if problems else 'ok'}"
        )
    print("-" * len(header))
    print(f"target: median under {MAX_MS:.0f} ms and at most {MAX_READ_RATIO:.0f}x raw")
    print("query plans (EXPLAIN QUERY PLAN of the page statement the service sent):")
    for r in reads:
        same = "" if r.raw_plan == r.plan else f"  [raw: {r.raw_plan}]"
        print(f"  {r.case.label[:3]} {r.plan}{same}")

    print()
    print(
        f"2. {args.writers} concurrent writer processes x {args.changes} status changes on "
        f"{len(db.shared)} shared actions"
    )
    header = (
        f"{'':<{label}}{'wall':>9}{'applied':>9}{'changes/s':>11}{'refused':>9}{'errors':>8}"
        f"{'lost':>6}{'latency med / p95':>20}"
    )
    print(header)
    print("-" * len(header))
    for run, name in ((tracked, "tracker: set_status in write_session"), (reference, "reference: plain sqlite3")):
        latency = f"{ms(statistics.median(run.latencies))} / {ms(p95(run.latencies))} ms" if run.latencies else "-"
        print(
            f"{name:<{label}}{seconds(run.wall):>9}{run.applied:>9,}{run.rate:>11,.0f}"
            f"{run.conflicts:>9,}{len(run.errors):>8,}{run.lost:>6,}{latency:>20}"
        )
    print("-" * len(header))
    write_ratio = reference.rate / tracked.rate if tracked.rate else math.inf
    verdict = "ok" if write_ratio <= MAX_WRITE_RATIO else "ABOVE TARGET"
    name = f"ratio reference / tracker changes/s (target <= {MAX_WRITE_RATIO:.0f}x)"
    print(f"{name:<{label}}{write_ratio:>9.1f}x  {verdict}")
    if write_ratio > MAX_WRITE_RATIO:
        missed.append(f"writes: tracker {write_ratio:.1f}x slower than plain sqlite3")
    for run in (tracked, reference):
        print(
            f"{run.kind}: {run.new_changes:,} status_change rows and {run.version_growth:,} version "
            f"steps for {run.applied:,} applied changes -> {'0 lost' if not run.lost else f'{run.lost} LOST'}"
        )
        if run.errors:
            locked = sum("database is locked" in e for e in run.errors)
            missed.append(f"{run.kind}: {len(run.errors)} errors ({locked} 'database is locked')")
            for e in sorted(set(run.errors))[:5]:
                print(f"    error: {e}")
        if run.lost:
            missed.append(f"{run.kind}: {run.lost} lost")
        if run.applied + run.conflicts + len(run.errors) != run.attempts:
            missed.append(f"{run.kind}: attempts do not add up")

    print()
    if missed:
        print("targets missed:")
        for m in missed:
            print(f"  {m}")
    else:
        print("all targets met")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
