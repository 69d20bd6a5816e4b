"""Row-level security's cost on PostgreSQL: writers and pages as member roles against the owner.

    python tests/perf/measure_rls.py --url postgresql://postgres@host/postgres [--actions 100000]

Makes a scratch database on the server named by ``--url`` (a superuser: it creates the
database and the writers' login roles; the database is dropped afterwards), seeds
generated plans, gathers PostgreSQL's statistics (``ANALYZE``, as autovacuum
would a little later: without it a run's plans depend on whether autovacuum has got
there yet), and names ``--writers`` coordinators of every framework, each with
their own login role (`tracker member add` makes them). Then, twice, once connected
as the superuser acting as each writer (row-level security does not bind it: the
reference) and once connected as each writer's own role (every policy applies):

* writers: ``--writers`` processes each make ``--changes`` status changes on 200
  shared actions (read the version, then `set_status` with it, as the CLI does);
  the figure is applied changes a second (with ``--rounds N``, the median of N phases
  each, owner and roles alternated: on a busy machine one phase of each swung the
  ratio from 0.8x to 1.8x between runs);
* pages: pages of 50 (`list_actions`, the default order and a status filter, at
  random offsets), median milliseconds of ``--pages`` calls; each page is read as
  the owner and then as the role, so that a busy machine slows both alike;
* reports (information, no goal): the reports that add up every action, the
  funding-gap rollup by framework and the plan coverage, median milliseconds of
  ``--reports`` calls each.

Prints each figure beside the reference and the goal (writers at most 1.3x slower,
pages at most 1.2x).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_plans

GOALS = {"writers": 1.3, "pages": 1.2}
STATUSES = ("planned", "in_progress", "blocked", "done", "cancelled")


def writer_login(n: int) -> str:
    return f"bench-rls-writer-{n + 1:02d}"


def _url(url: str, *, database: str | None = None, user: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    from tracker.db import resolve_url

    parsed = make_url(resolve_url(url))
    if database is not None:
        parsed = parsed.set(database=database)
    if user is not None:
        parsed = parsed.set(username=user, password=None)
    return parsed.render_as_string(hide_password=False)


def prepare(url: str, args: argparse.Namespace) -> list[str]:
    """Seed the plans and name the writers; returns the refs of the 200 shared actions."""
    import sqlalchemy as sa

    from tracker.db import make_engine, upgrade, write_session
    from tracker.seeding import load_data, seed
    from tracker.services.access.members import add_member, ensure_first_admin, find_member, provide_login_role

    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        admin = str(conn.execute(sa.text("SELECT current_user")).scalar_one())
    with write_session(engine) as session:
        ensure_first_admin(session, admin)
    plans = generate_plans(
        actions=args.actions, frameworks=args.frameworks, stakeholders=args.stakeholders, allocations=3 * args.actions
    )
    seed(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor=admin)
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    keys = [p["framework"]["key"] for p in plans]
    with write_session(engine) as session:
        boss = find_member(session, admin)
        for n in range(args.writers):
            for key in keys:
                add_member(session, actor=boss, login=writer_login(n), role=_coordinator(), framework=key)
            why = provide_login_role(session, writer_login(n))
            assert why is None, why
    with engine.connect() as conn:
        refs = [
            f"{fw}/{key}"
            for fw, key in conn.execute(
                sa.text("SELECT f.key, a.key FROM action a JOIN framework f ON f.id = a.framework_id ORDER BY a.id")
            )
        ]
    engine.dispose()
    return random.Random(1).sample(refs, min(200, len(refs)))


def _coordinator() -> Any:
    from tracker.models.enums import Role

    return Role.coordinator


def _writer(url: str, login: str, refs: list[str], changes: int, seed: int, start: Any, done: Any) -> None:
    import sqlalchemy as sa

    from tracker.db import make_engine, read_session, write_session
    from tracker.errors import Conflict
    from tracker.services.access.members import resolve_member
    from tracker.services.tracking.actions import split_ref
    from tracker.services.tracking.changes import set_status

    engine = make_engine(url)
    rng = random.Random(seed)
    with read_session(engine) as session:
        member = resolve_member(session, login)
    start.wait()
    applied = 0
    for _ in range(changes):
        ref = rng.choice(refs)
        fw, key = split_ref(ref)
        with read_session(engine) as session:
            version, status = session.execute(
                sa.text(
                    "SELECT a.version, a.status FROM action a JOIN framework f ON f.id = a.framework_id "
                    "WHERE f.key = :f AND a.key = :k"
                ),
                {"f": fw, "k": key},
            ).one()
        target = rng.choice([s for s in STATUSES if s != status])
        try:
            with write_session(engine) as session:
                set_status(session=session, actor=member, ref=ref, status=target, expected_version=version)
            applied += 1
        except Conflict:
            pass
    engine.dispose()
    done.put(applied)


def writers(url: str, as_roles: bool, refs: list[str], args: argparse.Namespace) -> float:
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(args.writers + 1)
    done = ctx.Queue()
    procs = []
    for n in range(args.writers):
        login = writer_login(n)
        target = _url(url, user=login) if as_roles else url
        procs.append(ctx.Process(target=_writer, args=(target, login, refs, args.changes, n, start, done)))
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    applied = sum(done.get() for _ in procs)
    took = time.perf_counter() - began
    for p in procs:
        p.join()
    return applied / took


def pages(url: str, args: argparse.Namespace) -> tuple[float, float]:
    """Median milliseconds of a page as the owner and as the role: the same pages, one
    after the other, so that a busy machine slows both alike."""
    from tracker.db import make_engine, read_session
    from tracker.models.enums import Status
    from tracker.services.access.members import resolve_member
    from tracker.services.access.rules import scope_session
    from tracker.services.tracking.actions import list_actions
    from tracker.services.tracking.filters import ActionFilter

    login = writer_login(0)
    engines = [make_engine(url), make_engine(_url(url, user=login))]
    with read_session(engines[0]) as session:
        member = resolve_member(session, login)
    rng = random.Random(2)
    timings: list[list[float]] = [[], []]
    for i in range(args.pages + 3):
        offset = rng.randrange(0, max(1, args.actions - 50))
        f = (
            ActionFilter(offset=offset, limit=50)
            if i % 2
            else ActionFilter(statuses=(Status.planned,), offset=offset // 10, limit=50)
        )
        for engine, times in zip(engines, timings, strict=True):
            began = time.perf_counter()
            with read_session(engine) as session:
                rows = list_actions(scope_session(session, member), f)
            if i >= 3:
                times.append((time.perf_counter() - began) * 1000)
            assert rows, f
    for engine in engines:
        engine.dispose()
    return statistics.median(timings[0]), statistics.median(timings[1])


def reports(url: str, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """Median milliseconds of each report as the owner and as the role, interleaved."""
    from tracker.db import make_engine, read_session
    from tracker.services.access.members import resolve_member
    from tracker.services.access.rules import scope_session
    from tracker.services.funding.gaps import gap_rollup
    from tracker.services.reporting.coverage import plan_coverage

    login = writer_login(0)
    engines = [make_engine(url), make_engine(_url(url, user=login))]
    with read_session(engines[0]) as session:
        member = resolve_member(session, login)
    calls: dict[str, Any] = {
        "gap rollup by framework": lambda s: gap_rollup(s, by="framework"),
        "plan coverage": plan_coverage,
    }
    timings: dict[str, list[list[float]]] = {name: [[], []] for name in calls}
    for i in range(args.reports + 1):
        for name, call in calls.items():
            for engine, times in zip(engines, timings[name], strict=True):
                began = time.perf_counter()
                with read_session(engine) as session:
                    assert call(scope_session(session, member)), name
                if i:
                    times.append((time.perf_counter() - began) * 1000)
    for engine in engines:
        engine.dispose()
    return {name: (statistics.median(o), statistics.median(r)) for name, (o, r) in timings.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=os.environ.get("TRACKER_TEST_PG"), help="a superuser's URL (TRACKER_TEST_PG)")
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--frameworks", type=int, default=20)
    parser.add_argument("--stakeholders", type=int, default=2_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--changes", type=int, default=300, help="status changes per writer")
    parser.add_argument(
        "--rounds", type=int, default=1, help="writer phases, owner and roles alternated; the medians are compared"
    )
    parser.add_argument("--pages", type=int, default=40, help="timed pages per run")
    parser.add_argument("--reports", type=int, default=5, help="timed calls of each report (0: none)")
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("--url (or TRACKER_TEST_PG) must name a PostgreSQL server, as a superuser")
    from tracker.db import make_engine

    server = make_engine(args.url, isolation_level="AUTOCOMMIT")
    name = f"tracker_rls_bench_{os.getpid()}"
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = _url(args.url, database=name)
    try:
        began = time.perf_counter()
        refs = prepare(url, args)
        print(f"seeded {args.actions:,} actions and {args.writers} writers in {time.perf_counter() - began:.0f} s")
        owners, roles = [], []
        for _ in range(args.rounds):  # alternated, so that a machine busy for a while slows both alike
            owners.append(writers(url, False, refs, args))
            roles.append(writers(url, True, refs, args))
        if args.rounds > 1:
            print(
                "writers, each round (owner/roles changes/s): "
                + ", ".join(f"{o:.0f}/{r:.0f}" for o, r in zip(owners, roles, strict=True))
            )
        rows = [
            ("writers (changes/s)", statistics.median(owners), statistics.median(roles), True),
            ("pages of 50 (ms)", *pages(url, args), False),
        ]
        if args.reports:
            rows += [(f"{name} (ms)", owner, roles, None) for name, (owner, roles) in reports(url, args).items()]
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()
    print(f"{'figure':<30}{'owner, no RLS':>15}{'member roles':>15}{'ratio':>8}{'goal':>8}")
    missed = False
    for label, owner, roles, higher_is_better in rows:
        ratio = owner / roles if higher_is_better else roles / owner
        if higher_is_better is None:  # information: no goal
            print(f"{label:<30}{owner:>15.1f}{roles:>15.1f}{ratio:>7.2f}x{'-':>8}")
            continue
        goal = GOALS["writers" if higher_is_better else "pages"]
        missed |= ratio > goal
        print(f"{label:<30}{owner:>15.1f}{roles:>15.1f}{ratio:>7.2f}x{goal:>7.1f}x")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
