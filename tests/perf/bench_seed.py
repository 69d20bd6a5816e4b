"""Seeding throughput: tracker's `load_data` + `seed` against plain sqlite3 executemany.

    .venv/bin/python tests/perf/bench_seed.py                     # 100,000 actions, 3 runs
    .venv/bin/python tests/perf/bench_seed.py --actions 2000      # CI smoke run, a few seconds

Each run uses fresh SQLite files in a temporary folder:

* tracker: a database made with `tracker.db.make_engine` + `upgrade` (not timed);
  then, timed, `load_data` of every generated plan (validation) and one
  `seed(engine, plans, actor="bench")` (writing). Then a second `seed` of the
  same plans into the seeded database, which must report 0 created, 0 updated.
* reference: every row tracker wrote (all tables but alembic_version and
  import_run, read back from the first run's database) inserted with plain
  `sqlite3` executemany, table by table in dependency order, in one
  transaction, into a database of the same schema (also made by `upgrade`) with
  the same pragmas (WAL, synchronous=NORMAL, foreign_keys=ON).

Times are medians of ``--repeat`` runs. ``--max-ratio`` makes the exit status 1
when tracker (validation + writing) is more than that many times the reference.
``--no-gc`` pauses Python's cyclic garbage collector during the tracker steps,
to show its share of the time.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import count_items, generate_plans

T = TypeVar("T")
SKIPPED_TABLES = ("alembic_version", "import_run")
TableRows = tuple[str, list[str], list[tuple[Any, ...]]]


@dataclass
class TrackerRun:
    validate: float
    write: float
    reseed: float
    created: int

    @property
    def total(self) -> float:
        return self.validate + self.write


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_memory_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB


def new_database(path: Path) -> Any:
    """An engine on a new SQLite file with tracker's schema (not timed)."""
    from tracker.db import make_engine, upgrade

    engine = make_engine(str(path))
    upgrade(engine)
    return engine


def tracker_run(plans: Sequence[dict[str, Any]], path: Path, *, pause_gc: bool = False) -> TrackerRun:
    from tracker.seeding import load_data, seed

    engine = new_database(path)
    if pause_gc:
        gc.disable()
    try:
        validate, loaded = timed(lambda: [load_data(p, source=f"{p['framework']['key']}.json") for p in plans])
        write, reports = timed(lambda: seed(engine, loaded, actor="bench"))
        reseed, again = timed(lambda: seed(engine, loaded, actor="bench"))
    finally:
        gc.enable()
        engine.dispose()
    created = sum(r.created for r in reports)
    if sum(r.updated for r in reports):
        raise AssertionError("the first seed into an empty database updated rows")
    redone = (sum(r.created for r in again), sum(r.updated for r in again))
    if redone != (0, 0):
        raise AssertionError(f"re-seeding the same plans created/updated {redone}; expected (0, 0)")
    return TrackerRun(validate, write, reseed, created)


def table_order(con: sqlite3.Connection) -> list[str]:
    """The database's tables, parents before children (tracker's metadata gives the order)."""
    from tracker.models import metadata

    present = {
        name
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not name.startswith("sqlite_") and name not in SKIPPED_TABLES
    }
    ordered = [t.name for t in metadata.sorted_tables if t.name in present]
    unknown = present - set(ordered)
    if unknown:
        raise AssertionError(f"tables the models do not know: {sorted(unknown)}")
    return ordered


def read_rows(path: Path) -> list[TableRows]:
    """Every row of every table (stored values, insertion order), parents first."""
    con = sqlite3.connect(path)
    try:
        tables = []
        for table in table_order(con):
            columns = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
            tables.append((table, columns, rows))
        return tables
    finally:
        con.close()


def insert_sql(table: str, columns: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks})'


def reference_run(rows: list[TableRows], path: Path) -> float:
    new_database(path).dispose()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in (
            "busy_timeout = 15000",
            "foreign_keys = ON",
            "journal_mode = WAL",
            "synchronous = NORMAL",
        ):
            con.execute(f"PRAGMA {pragma}")
        statements = [(insert_sql(table, columns), data) for table, columns, data in rows if data]

        def insert() -> None:
            con.execute("BEGIN IMMEDIATE")
            for sql, data in statements:
                con.executemany(sql, data)
            con.execute("COMMIT")

        elapsed, _ = timed(insert)
        bad = con.execute("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise AssertionError(f"reference database has foreign-key violations: {bad[:5]}")
        return elapsed
    finally:
        con.close()


def count_rows(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in table_order(con)}
    finally:
        con.close()


# -- output --------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def rate(rows: int, value: float) -> str:
    return f"{rows / value:,.0f} rows/s" if value > 0 else "-"


def mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f} MiB"


def versions() -> str:
    import pydantic
    import sqlalchemy

    return (
        f"python {platform.python_version()} ({platform.python_implementation()}, "
        f"{platform.system()} {platform.machine()}), sqlite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {sqlalchemy.__version__}, pydantic {pydantic.__version__}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--actions", type=int, default=100_000, help="total actions (100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, each on fresh databases (3)")
    parser.add_argument("--frameworks", type=int, default=20, help="plan files (20)")
    parser.add_argument("--stakeholders", type=int, default=2_000, help="stakeholders (2000)")
    parser.add_argument("--allocations", type=int, default=None, help="allocations (3 per action)")
    parser.add_argument("--members", type=int, default=0, help="members (0)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="pause Python's cyclic garbage collector during the tracker steps "
        "(a diagnostic: shows the collector's share of the time)",
    )
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=None,
        help="exit 1 when tracker/reference exceeds this (default: report only)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    allocations = 3 * args.actions if args.allocations is None else args.allocations

    print(f"seeding benchmark: {versions()}")
    generating, plans = timed(
        lambda: generate_plans(
            actions=args.actions,
            frameworks=args.frameworks,
            stakeholders=args.stakeholders,
            allocations=allocations,
            seed=args.seed,
            members=args.members,
        )
    )
    items = count_items(plans)
    print(
        f"plans: {len(plans)} files, {items['actions']:,} actions, {items['allocations']:,} "
        f"allocations, {items['stakeholders']:,} stakeholders (seed {args.seed}); "
        f"generated in {seconds(generating)}"
    )
    if args.no_gc:
        print("--no-gc: the cyclic garbage collector is paused during the tracker steps")
    memory = {"after generating": peak_memory_bytes()}

    runs: list[TrackerRun] = []
    references: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        folder = Path(tmp)
        for r in range(args.repeat):
            gc.collect()
            runs.append(tracker_run(plans, folder / f"tracker-{r}.db", pause_gc=args.no_gc))
            print(f"  tracker run {r + 1}/{args.repeat}: {seconds(runs[-1].total)}", flush=True)
        memory["after tracker runs"] = peak_memory_bytes()
        del plans
        tracker_counts = count_rows(folder / "tracker-0.db")
        rows = read_rows(folder / "tracker-0.db")
        for r in range(args.repeat):
            gc.collect()
            references.append(reference_run(rows, folder / f"reference-{r}.db"))
            print(f"  reference run {r + 1}/{args.repeat}: {seconds(references[-1])}", flush=True)
        reference_counts = count_rows(folder / "reference-0.db")
        memory["at the end"] = peak_memory_bytes()
        del rows

    if reference_counts != tracker_counts:
        raise AssertionError(f"row counts differ: {tracker_counts} != {reference_counts}")
    total_rows = sum(tracker_counts.values())
    if runs[0].created == 0:
        raise AssertionError("the first seed created nothing")

    def med(values: list[float]) -> float:
        return statistics.median(values)

    tracker_total = med([r.total for r in runs])
    validate = med([r.validate for r in runs])
    write = med([r.write for r in runs])
    reseed = med([r.reseed for r in runs])
    reference = med(references)
    ratio = tracker_total / reference
    write_ratio = write / reference

    print()
    print(f"rows written per table ({total_rows:,} in all; import_run's 1 row not counted):")
    width = max(len(t) for t in tracker_counts)
    for table, n in tracker_counts.items():
        print(f"  {table:<{width}}  {n:>10,}")
    print()
    label = 50
    header = f"{'':<{label}}{'median':>10}{'min':>10}{'max':>10}  {'throughput':>16}"
    print(f"median of {args.repeat} run(s), each on fresh databases; throughput = rows written / median time")
    print(header)
    print("-" * len(header))

    def line(name: str, values: list[float], rows_done: int | None = total_rows) -> None:
        print(
            f"{name:<{label}}{seconds(med(values)):>10}{seconds(min(values)):>10}"
            f"{seconds(max(values)):>10}  {rate(rows_done, med(values)) if rows_done else '':>16}"
        )

    line("tracker: load_data + seed", [r.total for r in runs])
    line("  validation: load_data (all files)", [r.validate for r in runs])
    line("  writing: seed (one transaction)", [r.write for r in runs])
    line("reference: sqlite3 executemany, same rows", references)
    line("re-seed, nothing changed: seed", [r.reseed for r in runs], None)
    print("-" * len(header))
    verdict = "ok" if ratio <= 5 else "ABOVE TARGET"
    print(f"{'ratio tracker / reference (target <= 5x)':<{label}}{ratio:>9.1f}x  {verdict}")
    print(f"{'ratio writing only / reference':<{label}}{write_ratio:>9.1f}x")
    print(f"{'re-seed result':<{label}}{'0 created, 0 updated (asserted)':>30}")
    for when, n_bytes in memory.items():
        print(f"{'peak memory (ru_maxrss), ' + when:<{label}}{mib(n_bytes):>10}")
    print(
        f"rows written: {total_rows:,}; tracker {seconds(tracker_total)} "
        f"({rate(total_rows, tracker_total)}), validation {seconds(validate)}, "
        f"writing {seconds(write)}; reference {seconds(reference)} "
        f"({rate(total_rows, reference)}); re-seed {seconds(reseed)}"
    )

    if args.max_ratio is not None and ratio > args.max_ratio:
        print(f"FAIL: tracker/reference {ratio:.1f}x is above --max-ratio {args.max_ratio}x")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
