"""Seeding throughput: tracker's `load_data` + `seed` against plain sqlite3 executemany.

Each run uses fresh SQLite files:

* tracker: a database made with `tracker.db.make_engine` + `upgrade` (not timed);
  then, timed, `load_data` of every generated plan (validation) and one
  `seed(engine, plans, actor="bench")` (writing). Then a second `seed` of the
  same plans into the seeded database, which must report 0 created, 0 updated.
* reference: every row tracker wrote (all tables but alembic_version and
  import_run, read back from the first run's database) inserted with plain
  `sqlite3` executemany, table by table in dependency order, in one
  transaction, into a database of the same schema (also made by `upgrade`) with
  the same pragmas (WAL, synchronous=NORMAL, foreign_keys=ON).

The first run's database is offered to the other measurements as the shared one.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import Row, connect, med, timed
from database import Bench

SKIPPED_TABLES = ("alembic_version", "import_run")
MAX_RATIO = 2.0  # issue 16 (issue 6 asked 5x)
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


def new_database(path: Path) -> Any:
    """An engine on a new SQLite file with tracker's schema (not timed)."""
    from tracker.db import make_engine
    from tracker.services.access.admins import upgrade_with_admin

    engine = make_engine(str(path))
    upgrade_with_admin(engine, admin=None, creator=lambda: "bench")  # seeding needs an admin
    return engine


def tracker_run(plans: Sequence[dict[str, Any]], path: Path) -> TrackerRun:
    from tracker.seeding import load_data, seed

    engine = new_database(path)
    try:
        validate, loaded = timed(lambda: [load_data(p, source=f"{p['framework']['key']}.json") for p in plans])
        write, reports = timed(lambda: seed(engine, loaded, actor="bench"))
        reseed, again = timed(lambda: seed(engine, loaded, actor="bench"))
    finally:
        engine.dispose()
    if sum(r.updated for r in reports):
        raise AssertionError("the first seed into an empty database updated rows")
    redone = (sum(r.created for r in again), sum(r.updated for r in again))
    if redone != (0, 0):
        raise AssertionError(f"re-seeding the same plans created/updated {redone}; expected (0, 0)")
    return TrackerRun(validate, write, reseed, sum(r.created for r in reports))


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
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'


def reference_run(rows: list[TableRows], path: Path) -> float:
    from tracker.db import make_engine, upgrade

    # The schema alone: the rows copied in include tracker's admin, so none is made here.
    engine = make_engine(str(path))
    upgrade(engine)
    engine.dispose()
    con = connect(path)
    try:
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


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def measure_seeding(bench: Bench) -> list[Row]:
    """The seeding row: ``--repeat`` runs of each, alternating, on fresh files."""
    plans = bench.plans()
    folder = bench.settings.folder
    repeat = bench.settings.repeat
    runs: list[TrackerRun] = []
    references: list[float] = []
    first = folder / "seed-0.db"
    rows: list[TableRows] | None = None
    for r in range(repeat):
        gc.collect()
        path = folder / f"seed-{r}.db"
        runs.append(tracker_run(plans, path))
        if rows is None:
            rows = read_rows(first)
        gc.collect()
        ref_path = folder / f"reference-{r}.db"
        references.append(reference_run(rows, ref_path))
        if r == 0 and count_rows(ref_path) != count_rows(first):
            raise AssertionError("the reference database does not hold the rows tracker wrote")
        remove(ref_path)
        if r:
            remove(path)
        print(f"  seeding run {r + 1}/{repeat}: tracker {runs[-1].total:.2f} s, sqlite3 {references[-1]:.2f} s")
    assert rows is not None
    total_rows = sum(len(data) for _, _, data in rows)
    del rows
    bench.offer_seeded(first, runs[0].write)

    tracker, reference = med([r.total for r in runs]), med(references)
    ratio = tracker / reference
    return [
        Row(
            "seeding throughput (load_data + seed)",
            f"{total_rows / tracker:,.0f} rows/s",
            f"{total_rows / reference:,.0f} rows/s (sqlite3 executemany, same rows)",
            ratio,
            f"<= {MAX_RATIO:.0f}x slower",
            ratio <= MAX_RATIO,
            values={
                "rows": total_rows,
                "tracker_s": tracker,
                "validate_s": med([r.validate for r in runs]),
                "write_s": med([r.write for r in runs]),
                "reseed_s": med([r.reseed for r in runs]),
                "reference_s": reference,
            },
            notes=[
                f"{total_rows:,} rows in {tracker:.2f} s (validation {med([r.validate for r in runs]):.2f} s, "
                f"writing {med([r.write for r in runs]):.2f} s) vs {reference:.2f} s; re-seeding the same "
                f"plans {med([r.reseed for r in runs]):.2f} s, 0 created, 0 updated"
            ],
        )
    ]
