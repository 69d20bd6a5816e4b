"""One benchmark harness: every figure of issue 6 against a reference measured in the same run.

    .venv/bin/python tests/perf/bench.py                          # 100,000 actions, medians of 3
    .venv/bin/python tests/perf/bench.py --actions 2000 --repeat 1 --changes 30   # smoke run
    .venv/bin/python tests/perf/bench.py --only seed,writers --db bench.db    # some rows, file kept
    .venv/bin/python tests/perf/bench.py --only notify --pg postgresql://...  # live refresh on PostgreSQL

The plans are generated once (generate.py); the seeding measurement's first
database becomes the shared one every later measurement reads (or ``--db``,
reused when it exists). Each measurement is a function in `MEASUREMENTS`
taking the `Bench` (settings, plans, databases) and returning table rows;
see the measure_*.py modules for what exactly is timed. The table shows each
figure, its reference, the ratio (how many times worse than the reference),
the target and ok / MISSED. ``--strict`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Row, Settings, versions
from database import Bench
from measure_cli import measure_cli
from measure_gaps import measure_gaps
from measure_notify import measure_notify
from measure_paint import measure_paint
from measure_reads import measure_pages
from measure_seed import measure_seeding
from measure_tui import measure_tui
from measure_writers import measure_writers

# (name for --only, measurement), in the order they run: seeding first (its database is
# the shared one), the concurrent writers last (they change the shared database).
MEASUREMENTS: list[tuple[str, Callable[[Bench], list[Row]]]] = [
    ("seed", measure_seeding),
    ("pages", measure_pages),
    ("gaps", measure_gaps),
    ("paint", measure_paint),
    ("tui", measure_tui),
    ("cli", measure_cli),
    ("notify", measure_notify),
    ("writers", measure_writers),
]
COLUMNS = ("measurement", "figure", "reference (same run)", "ratio", "target", "verdict")


def table(rows: Sequence[Row]) -> list[str]:
    cells = [COLUMNS] + [
        (r.name, r.figure, r.reference, f"{r.ratio:.2f}x" if r.ratio is not None else "-", r.target, r.verdict)
        for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    out = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in cells]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return out


def parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    names = [name for name, _ in MEASUREMENTS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--actions", type=int, default=100_000, help="total actions (100000)")
    parser.add_argument("--allocations", type=int, default=None, help="total allocations (3 per action: 300000)")
    parser.add_argument("--frameworks", type=int, default=20, help="plan files (20)")
    parser.add_argument("--stakeholders", type=int, default=2_000, help="stakeholders (2000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (or rounds of calls) per figure, medians (3)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer processes (8)")
    parser.add_argument("--changes", type=int, default=300, help="status changes per writer per run (300)")
    parser.add_argument(
        "--cli-actions", type=int, default=None, help="actions in the CLI row's database (10000, or --actions if fewer)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--only", default=None, help=f"comma-separated rows to run: {', '.join(names)} (all)")
    parser.add_argument("--db", default=None, help="the shared SQLite file: seeded if missing, reused and kept")
    parser.add_argument(
        "--pg",
        default=os.environ.get("TRACKER_TEST_PG"),
        help="a PostgreSQL server (a role that may create databases) for the live refresh row "
        "(TRACKER_TEST_PG; skipped without one)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the rows as JSON to FILE")
    args = parser.parse_args(argv)
    if min(args.repeat, args.writers, args.changes, args.actions) < 1:
        parser.error("--actions, --repeat, --writers and --changes must be at least 1")
    only = names if args.only is None else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(only) - set(names))
    if unknown:
        parser.error(f"--only: no row called {', '.join(unknown)}; the rows are {', '.join(names)}")
    return args, only


def main(argv: Sequence[str] | None = None) -> int:
    args, only = parse(argv)
    print(f"benchmark: {versions()}", flush=True)
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        bench = Bench(
            Settings(
                actions=args.actions,
                frameworks=args.frameworks,
                stakeholders=args.stakeholders,
                allocations=args.allocations,
                seed=args.seed,
                repeat=args.repeat,
                writers=args.writers,
                changes=args.changes,
                cli_actions=args.cli_actions or min(10_000, args.actions),
                folder=Path(tmp),
                db=Path(args.db) if args.db else None,
                pg=args.pg,
            )
        )
        for name, measure in MEASUREMENTS:
            if name not in only:
                continue
            print(f"-- {name}", flush=True)
            rows.extend(measure(bench))
            if name == "seed":
                bench.drop_plans()  # no later measurement needs them in this process
    took = time.perf_counter() - started

    print()
    print(
        f"{args.actions:,} actions in {args.frameworks} frameworks, {bench.settings.total_allocations:,} allocations, "
        f"{args.stakeholders:,} stakeholders; medians of {args.repeat} run(s); ratio = figure / reference "
        f"(for rates: reference / figure), so higher is worse; {took:.0f} s in all"
    )
    for line in table(rows):
        print(line)
    for r in rows:
        for note in r.notes:
            print(f"  {note}")
    missed = [r for r in rows if not r.ok]
    print(f"{len(missed)} target(s) missed" if missed else "all targets met")
    if args.json:
        from tracker.db import describe

        shown = {**vars(args), "pg": describe(args.pg) if args.pg else None}  # no password in the file
        data = {"settings": shown, "versions": versions(), "rows": [r.__dict__ for r in rows]}
        Path(args.json).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
