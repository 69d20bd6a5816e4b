"""The funding-gap rollup on the whole database, through the service and in hand-written SQL.

Which service: `tracker.services.funding.gaps.gap_rollup(session, by=LEVEL, limit=None)`
over every framework (100,000 actions and 300,000 allocations at the default
size), for each rollup level: objective, goal, framework, and fiscal year. The
per-action list (every action as a row, not a rollup) is shown too, as are
its first page of 50. Reference: the same aggregate written by hand in
`bench_gaps.py`, run on a plain sqlite3 connection; both must give the same
rows and figures, or the run stops (see `bench_gaps.measure`).

In a fresh child process, ``repeat`` timed calls of each, interleaved, after one untimed.
"""

from __future__ import annotations

from typing import Any

from common import Row
from database import DbInfo
from measure_reads import in_child

MAX_RATIO = 1.2
ROLLUPS = ("objective", "goal", "framework", "year")
LABELS = {
    "objective": "by objective",
    "goal": "by goal",
    "framework": "by framework",
    "year": "by fiscal year",
    "action": "per action, all rows (info)",
    "action-page": "per action, first 50 (info)",
}


def gap_rows(db: DbInfo, repeat: int) -> list[Row]:
    from bench_gaps import measure

    levels = measure(db.path, max(repeat, 3))["levels"]
    rows = []
    for level, figures in levels.items():
        rollup = level in ROLLUPS
        ratio = figures["ratio"]
        rows.append(
            Row(
                f"funding-gap rollup {LABELS[level]} (gap_rollup, {db.actions:,} actions)",
                f"{figures['tracker_s'] * 1000:,.0f} ms",
                f"{figures['sql_s'] * 1000:,.0f} ms (equivalent raw SQL, {figures['rows']:,} rows)",
                ratio,
                f"<= {MAX_RATIO}x" if rollup else "-",
                ratio <= MAX_RATIO if rollup else True,
                values=dict(figures),
            )
        )
    return rows


def measure_gaps(bench: Any) -> list[Row]:
    return in_child(gap_rows, bench.database(), bench.settings.repeat)
