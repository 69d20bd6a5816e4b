"""The funding-gap rollup: a framework's gaps by objective, through the service and in raw SQL.

Which service: `tracker.services.funding.objective_gaps(session, framework=..., limit=None)`
(every objective of one framework with a funding gap or actions of unknown cost,
largest gap first), in a `read_session`. To measure another rollup service,
change `service_rollup` (and `RAW_ROLLUP` if its answer differs); the check
that both give the same objectives and gaps keeps the comparison honest.

Reference: `RAW_ROLLUP`, the same aggregate written by hand, run on a plain
sqlite3 connection in a deferred ``BEGIN``/``COMMIT`` with the framework's id
looked up by key, rows fetched as tuples (cents, no Decimal).

In a fresh child process, ``repeat`` x 10 timed calls of each, interleaved, after 3 untimed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from common import Row, connect, med
from database import DbInfo
from measure_reads import in_child, interleaved

CALLS_PER_REPEAT = 10
MAX_RATIO = 1.2

RAW_ROLLUP = """
WITH funded AS (
    SELECT al.action_id,
           sum(al.amount) FILTER (WHERE s.currency = f.currency) AS allocated,
           count(*) FILTER (WHERE al.amount IS NULL) AS unknown,
           count(*) FILTER (WHERE s.currency != f.currency AND al.amount IS NOT NULL) AS other
    FROM allocation al
    JOIN action a ON a.id = al.action_id
    JOIN framework f ON f.id = a.framework_id
    JOIN funding_source s ON s.id = al.source_id
    WHERE a.framework_id = :fid
    GROUP BY al.action_id
), sums AS (
    SELECT a.objective_id,
           sum(a.cost) AS cost,
           coalesce(sum(coalesce(d.allocated, 0)) FILTER (WHERE a.cost IS NOT NULL), 0) AS allocated,
           coalesce(sum(a.cost - coalesce(d.allocated, 0))
                    FILTER (WHERE a.cost IS NOT NULL AND a.cost > coalesce(d.allocated, 0)), 0) AS gap,
           count(*) FILTER (WHERE a.cost IS NOT NULL AND a.cost > coalesce(d.allocated, 0)) AS with_gap,
           count(*) FILTER (WHERE a.cost IS NULL) AS without_cost,
           coalesce(sum(d.unknown), 0) AS unknown,
           coalesce(sum(d.other), 0) AS other
    FROM action a LEFT JOIN funded d ON d.action_id = a.id
    WHERE a.status != 'cancelled' AND a.framework_id = :fid
    GROUP BY a.objective_id
)
SELECT f.key, f.currency, o.key, o.title, g.key, g.title,
       sums.cost, sums.allocated, sums.gap, sums.with_gap, sums.without_cost, sums.unknown, sums.other
FROM sums
JOIN objective o ON o.id = sums.objective_id
JOIN goal g ON g.id = o.goal_id
JOIN framework f ON f.id = o.framework_id
WHERE sums.gap > 0 OR sums.without_cost > 0
ORDER BY sums.gap DESC, sums.without_cost DESC, f.key, o.key
"""


def service_rollup(session: Any, framework: str) -> list[tuple[str, int, int]]:
    """The service measured -- today `objective_gaps` -- as (objective ref, gap in cents, actions with a gap)."""
    from tracker.services.funding import objective_gaps

    return [
        (g.ref, int(g.gap * 100), g.actions_with_gap) for g in objective_gaps(session, framework=framework, limit=None)
    ]


def gap_rows(db: DbInfo, repeat: int) -> list[Row]:
    from tracker.db import make_engine, read_session

    framework = db.frameworks[0]
    engine = make_engine(str(db.path))
    con = connect(db.path)

    def service() -> list[tuple[str, int, int]]:
        with read_session(engine) as session:
            return service_rollup(session, framework)

    def reference() -> list[tuple[Any, ...]]:
        con.execute("BEGIN")
        try:
            (fid,) = con.execute("SELECT id FROM framework WHERE key = ?", (framework,)).fetchone()
            return con.execute(RAW_ROLLUP, {"fid": fid}).fetchall()
        finally:
            con.execute("COMMIT")

    try:
        got, want = service(), reference()
        expected = [(f"{r[0]}/{r[2]}", int(Decimal(r[8])), r[9]) for r in want]
        if got != expected:
            raise AssertionError(f"the rollup service and the raw SQL differ: {got[:3]} vs {expected[:3]}")
        ours, theirs = interleaved([service, reference], repeat, CALLS_PER_REPEAT)
    finally:
        con.close()
        engine.dispose()
    figure, base = med(ours), med(theirs)
    ratio = figure / base
    return [
        Row(
            "funding-gap rollup by objective, one framework (objective_gaps)",
            f"{figure * 1000:.2f} ms",
            f"{base * 1000:.2f} ms (equivalent raw SQL)",
            ratio,
            f"<= {MAX_RATIO}x",
            ratio <= MAX_RATIO,
            values={"objectives": len(got), "median_s": figure, "reference_s": base, "calls": len(ours)},
            notes=[f"gap rollup: {framework}, {len(got)} objectives with a gap or actions of unknown cost"],
        )
    ]


def measure_gaps(bench: Any) -> list[Row]:
    return in_child(gap_rows, bench.database(), bench.settings.repeat)
