"""sshd's key lookup (`tracker server authorized-keys`), as a whole process, in milliseconds.

    .venv/bin/python tests/perf/bench_key_lookup.py                  # 1,000 keys, 50 lookups each way
    .venv/bin/python tests/perf/bench_key_lookup.py --keys 50 --runs 5   # a smoke run
    .venv/bin/python tests/perf/bench_key_lookup.py --pg postgresql://postgres@/postgres?host=/sock  # and PostgreSQL

sshd runs the lookup for every key a client offers, more than once per login (twice on
OpenSSH 9.2), so each login pays it several times. A SQLite database (made with `tracker
db upgrade`, one framework) gets ``--keys`` members with one registered ed25519 key each
(rows written with sqlite3; not timed); `tracker server setup` writes the helper script
into a scratch folder. Timed, ``--runs`` times each, from spawning to exit, for a key in
the middle of the table:

* helper: the script sshd runs (`python -I -S` and one query: what a login costs);
* command: the console script, `tracker --db FILE server authorized-keys USER TYPE KEY`;
* reference: `python -I -S -c pass`, the interpreter's own start.

With ``--pg URL`` (a superuser's; default ``TRACKER_TEST_PG``) the same on PostgreSQL: a
scratch database (made, migrated and dropped here) with the same members and keys, the
helper logging in as the database's lookup role (psycopg and one function call).

Prints median and 95th percentile; the goal is a helper median under 50 ms on each
database (``--strict``: exit status 1 when missed).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import os
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MS = 50.0


def _blob(i: int) -> str:
    name = b"ssh-ed25519"
    key = i.to_bytes(32, "big")
    return base64.b64encode(struct.pack(">I", len(name)) + name + struct.pack(">I", 32) + key).decode()


def make_database(folder: Path, keys: int) -> Path:
    tracker = str(Path(sys.executable).parent / "tracker")
    db = folder / "keys.db"
    plan = folder / "plan.yaml"
    plan.write_text(
        "framework: {key: bench, city: Bench, country: US, title: Bench, stage: draft, starts: 2025-01,"
        " near_term_months: 6, mid_term_months: 24}\n"
    )
    for args in (["db", "upgrade"], ["seed", str(plan)]):
        subprocess.run([tracker, "--db", str(db), *args], check=True, capture_output=True)
    from tracker.sshkeys import fingerprint

    with sqlite3.connect(db) as c:
        fid = c.execute("SELECT id FROM framework").fetchone()[0]
        for i in range(keys):
            mid = c.execute("INSERT INTO member (login, created_at) VALUES (?, '2026-01-01')", (f"m{i}",)).lastrowid
            c.execute("INSERT INTO membership (member_id, framework_id, role) VALUES (?, ?, 'member')", (mid, fid))
            blob = _blob(i)
            c.execute(
                "INSERT INTO member_key (member_id, key_type, key_data, fingerprint, added_at)"
                " VALUES (?, 'ssh-ed25519', ?, ?, '2026-01-01')",
                (mid, blob, fingerprint(base64.b64decode(blob))),
            )
    return db


def make_pg_database(url: str, keys: int, plan: Path) -> tuple[str, str]:
    """A scratch PostgreSQL database like `make_database`'s: (its superuser URL, its gateway URL)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from tracker.db import resolve_url
    from tracker.sshkeys import fingerprint

    name = f"tracker_keys_{os.getpid()}"
    base = make_url(resolve_url(url)).set(drivername="postgresql")
    with psycopg.connect(base.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"'.encode())
    db = base.set(database=name).render_as_string(hide_password=False)
    tracker = str(Path(sys.executable).parent / "tracker")
    for step in (["db", "upgrade"], ["seed", str(plan)]):
        subprocess.run([tracker, "--db", db, *step], check=True, capture_output=True)
    with psycopg.connect(db) as c:
        fid = c.execute(b"SELECT id FROM framework").fetchone()[0]  # type: ignore[index]
        for i in range(keys):
            mid = c.execute(
                b"INSERT INTO member (login, db_role, created_at) VALUES (%s, %s, now()) RETURNING id",
                (f"m{i}", f"tracker_bench_m{i}"),
            ).fetchone()[0]  # type: ignore[index]
            c.execute(b"INSERT INTO membership (member_id, framework_id, role) VALUES (%s, %s, 'member')", (mid, fid))
            blob = _blob(i)
            c.execute(
                b"INSERT INTO member_key (member_id, key_type, key_data, fingerprint, added_at) "
                b"VALUES (%s, 'ssh-ed25519', %s, %s, now())",
                (mid, blob, fingerprint(base64.b64decode(blob))),
            )
        prefix = c.execute(b"SELECT tracker_private.role_prefix()").fetchone()[0]  # type: ignore[index]
    return db, base.set(database=name, username=prefix + "gateway").render_as_string(hide_password=False)


def drop_pg_database(url: str, db: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from tracker.db import resolve_url

    base = make_url(resolve_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{make_url(db).database}" WITH (FORCE)'.encode())


def lookups(folder: Path, db: str, keys: int, runs: int) -> dict[str, list[float]]:
    """The helper and the console script for the key in the middle, on ``db``."""
    tracker = str(Path(sys.executable).parent / "tracker")
    helper = folder / "libexec" / "authorized-keys"
    user = getpass.getuser()
    subprocess.run(
        [tracker, "server", "setup", "--user", user, "--db", db, "--helper", str(helper),
         "--drop-in", str(folder / "tracker.conf")],
        check=True, capture_output=True,
    )  # fmt: skip
    key = _blob(keys // 2)
    expect = f"--member m{keys // 2} "
    return {
        "helper (what sshd runs)": timed([str(helper), user, "ssh-ed25519", key], runs, expect),
        "tracker server authorized-keys": timed(
            [tracker, "--db", db, "server", "authorized-keys", user, "ssh-ed25519", key], runs, expect
        ),
    }


def timed(argv: list[str], runs: int, expect: str) -> list[float]:
    subprocess.run(argv, check=True, capture_output=True)  # warm-up: files in the OS cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
        assert done.returncode == 0 and expect in done.stdout, (done.stdout, done.stderr)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pg", default=os.environ.get("TRACKER_TEST_PG"), help="a superuser's PostgreSQL URL")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    tables: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        tables["SQLite"] = lookups(folder / "sqlite", str(make_database(folder, args.keys)), args.keys, args.runs)
        if args.pg:
            pg, gateway = make_pg_database(args.pg, args.keys, folder / "plan.yaml")
            try:
                tables["PostgreSQL"] = lookups(folder / "pg", gateway, args.keys, args.runs)
            finally:
                drop_pg_database(args.pg, pg)
    reference = timed([sys.executable, "-I", "-S", "-c", "pass"], args.runs, "")
    print(
        f"key lookup, {args.keys:,} keys, {args.runs} runs each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    missed = False
    for database, rows in tables.items():
        print(f"{database}:")
        for name, times in rows.items():
            print(f"  {name:34} {_figures(times)}")
        helper_ms = statistics.median(rows["helper (what sshd runs)"])
        verdict = "ok" if helper_ms < GOAL_MS else "MISSED"
        missed = missed or helper_ms >= GOAL_MS
        print(f"  goal: helper median under {GOAL_MS:.0f} ms: {verdict}")
    print(f"reference: python -I -S -c pass       {_figures(reference)}")
    if not args.pg:
        print("PostgreSQL: skipped (no --pg URL and no TRACKER_TEST_PG)")
    return 1 if args.strict and missed else 0


def _figures(times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    return f"median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms"


if __name__ == "__main__":
    sys.exit(main())
