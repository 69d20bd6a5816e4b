"""The command line: `tracker actions list --json` listing every action of a 10,000-action database.

The real console script (``tracker`` next to this Python), as a subprocess:
``tracker --db FILE actions list --limit N --json`` where N is the number of
actions in the file (``--limit`` has no "all"; a limit at least the total lists
every action). Timed from spawning the process to its exit, output read from a
pipe; one untimed warm-up (bytecode compiled to a PYTHONPYCACHEPREFIX in the
scratch folder, files in the OS cache), then ``--repeat`` runs (at least 3),
median. The JSON must parse and hold every action. Shown for context, not as a
reference: ``python -c pass`` timed the same way (the interpreter's own start).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import Row, med, seconds

MAX_SECONDS = 0.5
BENCH_ADMIN = "bench"  # who seeded the databases; reads are scoped to their reader, so the row reads as an admin


def console_script() -> Path:
    script = Path(sys.executable).parent / "tracker"
    if not script.exists():
        raise RuntimeError(f"no tracker console script next to {sys.executable}; pip install -e . first")
    return script


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    took = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return took, done.stdout


def make_admin(path: str) -> None:
    """The seeder becomes the file's admin (a seeded file has none yet), as whom the row reads."""
    from tracker.db import make_engine, write_session
    from tracker.services.access.members import ensure_first_admin

    engine = make_engine(path)
    with write_session(engine) as session:
        ensure_first_admin(session, BENCH_ADMIN)
    engine.dispose()


def measure_cli(bench: Any) -> list[Row]:
    path = bench.cli_database()
    con = sqlite3.connect(path)
    try:
        (total,) = con.execute("SELECT count(*) FROM action").fetchone()
    finally:
        con.close()
    with mp.get_context("spawn").Pool(1) as pool:  # tracker is not imported in the harness's process
        pool.apply(make_admin, (str(path),))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "PYTHONPYCACHEPREFIX"))}
    env["PYTHONPYCACHEPREFIX"] = str(bench.settings.folder / "pycache")
    # As the database's admin (who seeded it), who reads every framework.
    argv = [
        str(console_script()),
        "--db",
        str(path),
        "--as",
        BENCH_ADMIN,
        "actions",
        "list",
        "--limit",
        str(total),
        "--json",
    ]
    repeat = max(3, bench.settings.repeat)
    run_once(argv, env)  # warm-up
    times, bare = [], []
    for _ in range(repeat):
        took, out = run_once(argv, env)
        times.append(took)
        bare.append(run_once([sys.executable, "-c", "pass"], env)[0])
    listed = json.loads(out)
    if listed["count"] != total or len(listed["actions"]) != total or listed["total"] != total:
        raise AssertionError(f"listed {listed['count']} of {total} actions")
    figure = med(times)
    return [
        Row(
            f"CLI `actions list --json`, all {total:,} actions",
            seconds(figure),
            f"process start to exit (python -c pass: {seconds(med(bare))}, info)",
            None,
            f"< {MAX_SECONDS} s",
            figure < MAX_SECONDS,
            values={"median_s": figure, "python_s": med(bare), "actions": total, "bytes": len(out)},
            notes=[f"CLI: {' '.join(['tracker', *argv[1:]])} -> {len(out) / 1e6:.1f} MB of JSON"],
        )
    ]
