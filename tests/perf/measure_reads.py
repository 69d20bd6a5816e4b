"""Reading: filtered pages of actions, and the funding-gap rollup, against the same queries in raw SQL.

Both run in a fresh child process (as fresh as a CLI's) on the shared database.

Pages. For each filter, ``repeat`` x 20 timed calls (after 3 untimed) of

* tracker: ``with read_session(engine) as s: list_actions(s, filter)`` (a page
  of 50 full `ActionRow` views: partners, funding totals, latest change);
* reference: plain `sqlite3` on the same file, one kept connection, each call
  in a deferred ``BEGIN``/``COMMIT``: the same lookups (framework key, stakeholder
  keys), the hand-written page query (same WHERE, ORDER BY ... NULLS LAST, id,
  LIMIT/OFFSET, joins to framework/objective/goal/stakeholder, same columns) and
  the three per-page queries the service makes (partners, allocation totals,
  latest status change), the rows assembled into tuples (no type conversion).

The two pages must hold the same actions in the same order (asserted).

The gap rollup: see measure_gaps.py.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common import Row, connect, marks, med
from database import DbInfo

PAGE = 50
CALLS_PER_REPEAT = 20
WARMUP_CALLS = 3
TEXT_WORD = "mentoring"  # in about one title in fourteen (generate._OBJECTS)
OPEN = ("planned", "in_progress", "blocked")
MAX_MS = 10.0
MAX_RATIO = 2.0

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


def cases(db: DbInfo, today: dt.date) -> list[Case]:
    from tracker.models.enums import Horizon, Status
    from tracker.services.tracking.filters import ActionFilter, SortField

    fw = db.frameworks[0]
    who = (db.busiest_stakeholder,)
    offset = min(5000, db.actions // 2)
    pattern = f"%{TEXT_WORD}%"
    by_due = "a.due ASC NULLS LAST, a.id ASC"
    return [
        Case(
            "(a) one framework, in_progress|blocked, by due",
            ActionFilter(framework=fw, statuses=(Status.in_progress, Status.blocked)),
            "a.framework_id = ? AND a.status IN (?, ?)",
            lambda fid, sids: [fid, "in_progress", "blocked"],
            by_due,
            framework=fw,
        ),
        Case(
            "(b) busiest stakeholder, lead or partner, by due",
            ActionFilter(stakeholders=who),
            "(a.lead_id IN ({sids}) OR EXISTS (SELECT 1 FROM action_partner p "
            "WHERE p.action_id = a.id AND p.stakeholder_id IN ({sids})))",
            lambda fid, sids: [*sids, *sids],
            by_due,
            stakeholders=who,
        ),
        Case(
            "(c) one framework, overdue, by due",
            ActionFilter(framework=fw, overdue=True),
            "a.framework_id = ? AND a.due < ? AND a.status IN (?, ?, ?)",
            lambda fid, sids: [fid, today.isoformat(), *OPEN],
            by_due,
            framework=fw,
        ),
        Case(
            f"(d) one framework, near_term, text {TEXT_WORD!r}",
            ActionFilter(framework=fw, horizons=(Horizon.near_term,), text=TEXT_WORD),
            f"a.framework_id = ? AND a.horizon IN (?) AND {TEXT_CLAUSE}",
            lambda fid, sids: [fid, "near_term", pattern, pattern],
            by_due,
            framework=fw,
        ),
        Case(
            f"(e) all actions, by title, offset {offset:,}",
            ActionFilter(sort=SortField.title, offset=offset),
            "",
            lambda fid, sids: [],
            "a.title ASC NULLS LAST, a.id ASC",
        ),
    ]


class RawReader:
    """The reference: the service's queries written by hand on a plain sqlite3 connection."""

    def __init__(self, path: Any) -> None:
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
    def page_sql(case: Case, sids: list[int]) -> str:
        where = f"WHERE {case.where.replace('{sids}', marks(len(sids)))}" if case.where else ""
        return (
            f"SELECT {RAW_COLUMNS} FROM {RAW_FROM} {where} "
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


def interleaved(fns: list[Callable[[], Any]], repeat: int, calls: int) -> list[list[float]]:
    """Seconds per call of each function: warm-up, then ``repeat`` rounds of ``calls`` each, in turn
    (so drift hits all alike)."""
    for fn in fns:
        for _ in range(WARMUP_CALLS):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, into in zip(fns, times, strict=True):
            for _ in range(calls):
                start = time.perf_counter()
                fn()
                into.append(time.perf_counter() - start)
    return times


def page_rows(db: DbInfo, repeat: int) -> list[Row]:
    """The page rows (run in the child)."""
    from tracker.db import make_engine, read_session
    from tracker.services.tracking.actions import count_actions, list_actions

    today = dt.date.today()
    engine = make_engine(str(db.path))
    raw = RawReader(db.path)
    rows = []
    try:
        for case in cases(db, today):

            def service(case: Case = case) -> list[Any]:
                with read_session(engine) as session:
                    return list_actions(session, case.filter, today=today)

            def reference(case: Case = case) -> list[Any]:
                return raw.page(case)

            got, want = service(), reference()  # the same answer, else the comparison means nothing
            if [r.ref for r in got] != [f"{r[1]}/{r[2]}" for r in want]:
                raise AssertionError(f"{case.label}: the service and the reference pages differ")
            if [len(r.partners) for r in got] != [len(r[18]) for r in want]:
                raise AssertionError(f"{case.label}: partners differ")
            if [r.last_change is not None for r in got] != [r[20] is not None for r in want]:
                raise AssertionError(f"{case.label}: latest changes differ")
            with read_session(engine) as session:
                matched = count_actions(session, case.filter, today=today)
            if case.filter.offset < matched and not got:
                raise AssertionError(f"{case.label}: empty page")
            ours, theirs = interleaved([service, reference], repeat, CALLS_PER_REPEAT)
            figure, base = med(ours), med(theirs)
            ratio = figure / base
            rows.append(
                Row(
                    f"page of {PAGE} actions {case.label}",
                    f"{figure * 1000:.2f} ms",
                    f"{base * 1000:.2f} ms (same queries, raw SQL)",
                    ratio,
                    f"< {MAX_MS:.0f} ms, <= {MAX_RATIO:.0f}x",
                    figure * 1000 < MAX_MS and ratio <= MAX_RATIO,
                    values={"matched": matched, "median_s": figure, "reference_s": base, "calls": len(ours)},
                )
            )
            print(f"  {rows[-1].name}: {matched:,} matched, {rows[-1].figure} vs {base * 1000:.2f} ms", flush=True)
    finally:
        raw.close()
        engine.dispose()
    return rows


def in_child(fn: Callable[..., list[Row]], *args: Any) -> list[Row]:
    """``fn(*args)`` in a fresh process (multiprocessing 'spawn')."""
    with mp.get_context("spawn").Pool(1) as pool:
        return list(pool.apply(fn, args))


def measure_pages(bench: Any) -> list[Row]:
    return in_child(page_rows, bench.database(), bench.settings.repeat)
