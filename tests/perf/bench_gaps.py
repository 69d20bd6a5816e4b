"""Funding-gap rollup speed: `gap_rollup` against the same figures from hand-written SQL.

    .venv/bin/python tests/perf/bench_gaps.py                       # 100,000 actions, 5 runs
    .venv/bin/python tests/perf/bench_gaps.py --actions 2000        # CI smoke run, seconds
    .venv/bin/python tests/perf/bench_gaps.py --db gaps.db          # reuse (or keep) a database

The database (one SQLite file, made with `tracker.db.make_engine` + `upgrade`,
seeded once with `seed` from generate.py's plans with three allocations per
action; every other framework budgets July to June and one framework is in CAD,
so its USD allocations count as another currency) is not timed.

For each level (action, a page of 50 actions, objective, goal, framework,
year) and each of ``--repeat`` runs, after one untimed run of each:

* tracker: ``with read_session(engine) as s: gap_rollup(s, by=level)`` (every
  row, as `GapRollupView` objects with Decimal money);
* reference: plain `sqlite3` on the same file, one kept connection, the
  hand-written query of the level in a deferred BEGIN/COMMIT, rows fetched as
  tuples (money as whole cents, no conversion).

The two results must hold the same rows in the same order with the same
figures (asserted, after the timed runs). Times are medians; the target is
tracker <= 1.2x the reference (``--strict``: exit status 1 when missed).

`measure(db_path, repeat)` does the timing on an existing database and returns
the figures as a dict, for the benchmark harness.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_plans

TARGET = 1.2
LEVELS = ("action", "action-page", "objective", "goal", "framework", "year")

PER_ACTION = """
pa AS (
  SELECT a.id, a.framework_id, a.objective_id, a.cost, a.starts, a.due,
         COALESCE(SUM(CASE WHEN s.currency = f.currency THEN al.amount END), 0) AS allocated,
         COUNT(al.id) AS n,
         COUNT(al.id) - COUNT(al.amount) AS unknown,
         COUNT(CASE WHEN s.currency <> f.currency THEN al.amount END) AS other
  FROM action a
  JOIN framework f ON f.id = a.framework_id
  LEFT JOIN allocation al ON al.action_id = a.id
  LEFT JOIN funding_source s ON s.id = al.source_id
  WHERE a.status <> 'cancelled'
  GROUP BY a.id
)"""

ACTIONS = f"""
WITH {PER_ACTION}
SELECT f.key || '/' || a.key, pa.cost, pa.allocated,
       CASE WHEN pa.cost IS NULL THEN NULL WHEN pa.cost > pa.allocated THEN pa.cost - pa.allocated ELSE 0 END AS gap,
       CASE WHEN pa.allocated > pa.cost THEN pa.allocated - pa.cost ELSE 0 END,
       1, pa.cost > pa.allocated, pa.cost IS NULL, pa.n = 0, pa.unknown, pa.other,
       a.title, a.status, st.name, o.key, g.key
FROM pa
JOIN action a ON a.id = pa.id
JOIN framework f ON f.id = pa.framework_id
JOIN objective o ON o.id = pa.objective_id
JOIN goal g ON g.id = o.goal_id
JOIN stakeholder st ON st.id = a.lead_id
ORDER BY gap DESC NULLS LAST, f.key, a.key
"""

SUMS = """
SUM(cost) AS cost, SUM(allocated) AS allocated,
SUM(CASE WHEN cost > allocated THEN cost - allocated WHEN cost IS NOT NULL THEN 0 END) AS gap,
SUM(CASE WHEN allocated > cost THEN allocated - cost ELSE 0 END) AS surplus,
COUNT(*) AS actions, SUM(cost > allocated) AS with_gap, SUM(cost IS NULL) AS without_cost,
SUM(n = 0) AS without_allocation, SUM(unknown) AS unknown, SUM(other) AS other
"""


def _group_sql(level: str) -> str:
    if level == "objective":
        sums = f"SELECT objective_id AS gid, {SUMS} FROM pa GROUP BY objective_id"
        names = "JOIN objective x ON x.id = sums.gid JOIN framework f ON f.id = x.framework_id"
        ref = "f.key || '/' || x.key"
    elif level == "goal":
        sums = f"SELECT o.goal_id AS gid, {SUMS} FROM pa JOIN objective o ON o.id = pa.objective_id GROUP BY o.goal_id"
        names = "JOIN goal x ON x.id = sums.gid JOIN framework f ON f.id = x.framework_id"
        ref = "f.key || '/' || x.key"
    else:
        sums = f"SELECT framework_id AS gid, {SUMS} FROM pa GROUP BY framework_id"
        names = "JOIN framework x ON x.id = sums.gid JOIN framework f ON f.id = x.id"
        ref = "f.key"
    return f"""
WITH {PER_ACTION}, sums AS ({sums})
SELECT {ref}, cost, allocated, gap, surplus, actions, with_gap, without_cost, without_allocation, unknown, other
FROM sums {names}
ORDER BY gap DESC NULLS LAST, without_cost DESC, f.key, x.key
"""


def _year_sql(con: sqlite3.Connection) -> str:
    """The per-fiscal-year query; its fiscal years (day numbers from 1970) are written in."""
    from tracker.services.plan.schedule import fiscal_year_span

    first, last = con.execute(
        "SELECT MIN(COALESCE(starts, due)), MAX(COALESCE(due, starts)) FROM action WHERE status <> 'cancelled'"
    ).fetchone()
    epoch = __import__("datetime").date(1970, 1, 1)
    rows = ["(0, 0, 0, 0)"]
    for (month,) in con.execute("SELECT DISTINCT fiscal_year_starts FROM framework"):
        for year in range(int(first[:4]), int(last[:4]) + 2):
            begins, ends = fiscal_year_span(year, month)
            rows.append(f"({month}, {year}, {(begins - epoch).days}, {(ends - epoch).days})")
    return f"""
WITH fy(m, y, d0, d1) AS (VALUES {", ".join(rows)}),
{PER_ACTION},
sp AS (
  SELECT pa.*, CAST(julianday(COALESCE(starts, due)) - 2440587.5 AS INTEGER) AS b,
         CAST(julianday(COALESCE(due, starts)) - 2440587.5 AS INTEGER) AS e
  FROM pa
),
parts AS (
  SELECT sp.framework_id AS fw, fy.y AS y,
         SUM(CASE WHEN fy.y IS NULL THEN cost
                  ELSE cost * (CASE WHEN fy.d1 < e THEN fy.d1 - b + 1 ELSE e - b + 1 END) / (e - b + 1)
                     - cost * (CASE WHEN fy.d0 > b THEN fy.d0 - b ELSE 0 END) / (e - b + 1) END) AS need,
         COUNT(*) AS actions, COUNT(CASE WHEN cost > allocated THEN 1 END) AS with_gap,
         COUNT(CASE WHEN cost IS NULL THEN 1 END) AS without_cost, COUNT(CASE WHEN n = 0 THEN 1 END) AS without_alloc,
         0 AS allocated, 0 AS allocated_without_cost, 0 AS unknown, 0 AS other
  FROM sp JOIN framework f ON f.id = sp.framework_id
  LEFT JOIN fy ON fy.m = f.fiscal_year_starts AND fy.d0 <= sp.e AND fy.d1 >= sp.b
  GROUP BY sp.framework_id, fy.y
  UNION ALL
  SELECT a.framework_id, al.fiscal_year, NULL, 0, 0, 0, 0,
         COALESCE(SUM(CASE WHEN s.currency = f.currency THEN al.amount END), 0),
         COALESCE(SUM(CASE WHEN s.currency = f.currency AND a.cost IS NULL THEN al.amount END), 0),
         COUNT(*) - COUNT(al.amount), COUNT(CASE WHEN s.currency <> f.currency THEN al.amount END)
  FROM allocation al
  JOIN action a ON a.id = al.action_id
  JOIN framework f ON f.id = a.framework_id
  JOIN funding_source s ON s.id = al.source_id
  WHERE a.status <> 'cancelled'
  GROUP BY a.framework_id, al.fiscal_year
)
SELECT f.key || '/' || CASE WHEN parts.y IS NULL THEN 'unscheduled' ELSE 'FY' || parts.y END,
       SUM(need), SUM(allocated), SUM(allocated_without_cost), SUM(actions), SUM(with_gap), SUM(without_cost),
       SUM(without_alloc), SUM(unknown), SUM(other)
FROM parts JOIN framework f ON f.id = parts.fw
GROUP BY parts.fw, parts.y
ORDER BY f.key, parts.y IS NULL, parts.y
"""


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def _view_figures(view: Any) -> tuple[Any, ...]:
    return (
        view.ref, _cents(view.cost), _cents(view.allocated), _cents(view.gap), _cents(view.surplus), view.actions,
        view.actions_with_gap, view.actions_without_cost, view.actions_without_allocation,
        view.unknown_allocations, view.other_currency_allocations,
    )  # fmt: skip


def _reference_figures(level: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    if level != "year":
        return (*row[:6], *(int(v or 0) for v in row[6:11]))
    ref, need, allocated, without_cost_alloc, *counts = row
    to_costed = allocated - without_cost_alloc
    gap = None if need is None else max(need - to_costed, 0)
    surplus = to_costed if need is None else max(to_costed - need, 0)
    actions, with_gap, without_cost, without_alloc, unknown, other = counts
    return (ref, need, allocated, gap, surplus, actions, with_gap, without_cost, without_alloc, unknown, other)


def build_database(path: Path, actions: int, seed: int) -> None:
    from tracker.db import make_engine
    from tracker.seeding import load_data
    from tracker.seeding import seed as apply
    from tracker.services.access.admins import upgrade_with_admin

    plans = generate_plans(actions=actions, allocations=3 * actions, seed=seed)
    for n, plan in enumerate(plans):
        if n % 2:
            plan["framework"]["fiscal_year_starts"] = 7
        if n == 5:
            plan["framework"]["currency"] = "CAD"
    engine = make_engine(str(path))
    upgrade_with_admin(engine, admin=None, creator=lambda: "bench")  # seeding needs an admin
    start = time.perf_counter()
    apply(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor="bench")
    engine.dispose()
    print(f"seeded {actions:,} actions, {3 * actions:,} allocations in {time.perf_counter() - start:.1f} s", flush=True)


def measure(db_path: str | Path, repeat: int = 5) -> dict[str, Any]:
    """Median seconds of `gap_rollup` and of the hand-written SQL per level, their ratio,
    and the rows compared; raises AssertionError when the two disagree."""
    from tracker.db import make_engine, read_session
    from tracker.services.funding.gaps import gap_rollup

    engine = make_engine(str(db_path))
    con = sqlite3.connect(str(db_path), isolation_level=None)
    results: dict[str, Any] = {"target": TARGET, "levels": {}}
    try:
        for level in LEVELS:
            by = "action" if level == "action-page" else level
            limit = 50 if level == "action-page" else None
            if level == "year":
                sql = _year_sql(con)
            elif by == "action":
                sql = ACTIONS + (" LIMIT 50" if limit else "")
            else:
                sql = _group_sql(level)

            def service(by: str = by, limit: int | None = limit) -> list[Any]:
                with read_session(engine) as session:
                    return gap_rollup(session, by=by, limit=limit)

            def reference(sql: str = sql) -> list[Any]:
                con.execute("BEGIN")
                try:
                    return con.execute(sql).fetchall()
                finally:
                    con.execute("COMMIT")

            ours, theirs = _interleaved(service, reference, repeat)
            got = [_view_figures(v) for v in service()]
            expected = [_reference_figures(by, r) for r in reference()]
            if got != expected:
                bad = next(i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b) if got else 0
                raise AssertionError(
                    f"{level}: rollup and SQL differ (rows {len(got)}/{len(expected)}, first at {bad})"
                )
            results["levels"][level] = {
                "rows": len(got),
                "tracker_s": statistics.median(ours),
                "sql_s": statistics.median(theirs),
                "ratio": statistics.median(ours) / statistics.median(theirs),
            }
    finally:
        con.close()
        engine.dispose()
    return results


def _interleaved(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Times of ``a`` and ``b``, alternated so that a busy machine slows both alike."""
    a(), b()  # warm the caches and the statement compilers
    times_a, times_b = [], []
    for _ in range(repeat):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return times_a, times_b


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--actions", type=int, default=100_000, help="actions to seed (100000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per level (5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--db", help="SQLite file to use; seeded first if it does not exist (default: a temporary one)")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 when a level is above {TARGET}x")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.db) if args.db else Path(folder) / "gaps.db"
        if not path.exists():
            build_database(path, args.actions, args.seed)
        figures = measure(path, args.repeat)
    print(f"{'level':<12} {'rows':>8} {'tracker':>10} {'SQL':>10} {'ratio':>7}  target <= {TARGET}x")
    missed = False
    for level, f in figures["levels"].items():
        ok = f["ratio"] <= TARGET
        missed |= not ok
        print(
            f"{level:<12} {f['rows']:>8,} {f['tracker_s'] * 1000:>8.1f}ms {f['sql_s'] * 1000:>8.1f}ms "
            f"{f['ratio']:>6.2f}x  {'ok' if ok else 'MISSED'}"
        )
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
