"""Live refresh on PostgreSQL: another session's status change, from its commit to the app's screen.

Needs a PostgreSQL server: ``--pg URL`` or ``TRACKER_TEST_PG`` (a role that may
create databases). Without one the row is skipped and says why, so the smoke run
on SQLite stays quick; SQLite apps poll ``PRAGMA data_version`` every second.

In a fresh process: a new database on that server (dropped at the end), migrated
and seeded with the generated plans at ``--cli-actions`` actions; an admin's app
(``make_app``, polling on, so it listens) on the Actions screen, 120 x 40; a
coordinator with an engine of its own (a thread of the same process) sets one of
the first page's actions to another status, ``--changes`` times (10 to 100), a
random 20-200 ms after the last one showed. Timed from the writer's commit
returning until the app's list shows the new status and has been refreshed.
The reference: the same with the listener off, so only the poll (every second)
brings the change, for up to 10 changes. The figures are median and p95.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from common import Row, med, p95, seconds
from measure_paint import SIZE
from measure_reads import in_child

MAX_MEDIAN_S = 1.0
TIMEOUT = 60.0
WRITER = "bench-writer"
ADMIN = "bench"


@dataclass
class Latencies:
    actions: int = 0
    notified: list[float] = field(default_factory=list)
    polled: list[float] = field(default_factory=list)
    seeded_in: float = 0.0


def measure_notify(bench: Any) -> list[Row]:
    s = bench.settings
    if not s.pg:
        reason = "no PostgreSQL server: give --pg URL or set TRACKER_TEST_PG (SQLite apps poll every second)"
        print(f"live refresh: skipped, {reason}", flush=True)
        return [
            Row(
                "live refresh on PostgreSQL (notification to screen)",
                "skipped",
                "-",
                None,
                f"median <= {MAX_MEDIAN_S:.0f} s",
                True,
                notes=[f"live refresh skipped: {reason}"],
                skipped=True,
            )
        ]
    actions = min(s.cli_actions, s.actions)
    changes = max(10, min(s.changes, 100))
    return in_child(notify_rows, s.pg, s.plan_args(actions), changes, s.seed)


def notify_rows(pg: str, plan_args: dict[str, Any], changes: int, seed: int) -> list[Row]:
    """In the child: a database of its own, the two runs, the row."""
    run = measure(pg, plan_args, changes, seed)
    median, high = med(run.notified), p95(run.notified)
    poll = med(run.polled)
    return [
        Row(
            f"live refresh on PostgreSQL at {run.actions:,} actions (notification to screen)",
            f"{seconds(median)} median, {seconds(high)} p95",
            f"{seconds(poll)} median, {seconds(p95(run.polled))} p95 (the poll alone)",
            median / poll if poll > 0 else None,
            f"median <= {MAX_MEDIAN_S:.0f} s",
            median <= MAX_MEDIAN_S,
            values={"median_s": median, "p95_s": high, "poll_median_s": poll, "changes": len(run.notified)},
            notes=[
                f"live refresh: {len(run.notified)} status changes by another session, commit to screen, "
                f"max {seconds(max(run.notified))}; the poll alone: {len(run.polled)} changes; "
                f"database seeded in {run.seeded_in:.1f} s"
            ],
        )
    ]


def measure(pg: str, plan_args: dict[str, Any], changes: int, seed: int) -> Latencies:
    from sqlalchemy.engine import make_url

    from tracker.db import make_engine, resolve_url

    admin = make_engine(pg, isolation_level="AUTOCOMMIT")
    name = f"tracker_bench_notify_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(resolve_url(pg)).set(database=name).render_as_string(hide_password=False)
    try:
        return _measure(url, plan_args, changes, seed)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _measure(url: str, plan_args: dict[str, Any], changes: int, seed: int) -> Latencies:
    from generate import generate_plans

    from tracker.db import make_engine, read_session, upgrade, write_session
    from tracker.models.enums import Role
    from tracker.seeding import load_data
    from tracker.seeding import seed as seed_plans
    from tracker.services.access.members import add_member, ensure_first_admin, find_member

    result = Latencies()
    engine = make_engine(url)
    writer_engine = make_engine(url)
    try:
        upgrade(engine)
        with write_session(engine) as session:
            ensure_first_admin(session, ADMIN)
        plans = generate_plans(**plan_args)
        start = time.perf_counter()
        seed_plans(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor=ADMIN)
        result.seeded_in = time.perf_counter() - start
        with write_session(engine) as session:
            admin = find_member(session, ADMIN)
            for plan in plans:
                key = plan["framework"]["key"]
                add_member(session, actor=admin, login=WRITER, role=Role.coordinator, framework=key)
        with read_session(engine) as session:
            me = find_member(session, ADMIN)
        result.actions = plan_args["actions"]
        rng = random.Random(seed)
        result.notified = asyncio.run(_drive(engine, writer_engine, me, changes, rng, listen=True))
        result.polled = asyncio.run(_drive(engine, writer_engine, me, min(changes, 10), rng, listen=False))
    finally:
        engine.dispose()
        writer_engine.dispose()
    return result


async def _drive(
    engine: Any, writer_engine: Any, me: Any, changes: int, rng: random.Random, *, listen: bool
) -> list[float]:
    from tracker.db import write_session
    from tracker.models.enums import Status
    from tracker.services.access.members import find_member
    from tracker.services.tracking import changes as tracking
    from tracker.tui.app import make_app
    from tracker.tui.screens.actions import ActionsScreen
    from tracker.tui.widgets.action_list import ActionList

    app = make_app(engine, me)
    if not listen:
        app.data.listener = lambda: None  # type: ignore[method-assign]  # as on SQLite: the poll alone
    latencies: list[float] = []
    async with app.run_test(headless=True, size=SIZE):
        await app.run_action("switch_mode('actions')")
        await _wait(lambda: isinstance(app.screen, ActionsScreen) and bool(app.screen.query(ActionList)), "Actions")
        actions = app.screen.query_one(ActionList)
        await _wait(lambda: actions.row_at(0) is not None, "the first page")
        if listen:
            await _wait(lambda: app.listening, "the listener")
        assert app.listening == listen
        rows = [r for i in range(min(20, actions.total)) if (r := actions.row_at(i)) is not None]
        statuses = [Status.planned, Status.in_progress, Status.blocked]

        def shown(ref: str) -> Status | None:
            for i in range(min(50, actions.total)):
                row = actions.row_at(i)
                if row is not None and row.ref == ref:
                    return row.status  # type: ignore[no-any-return]
            return None

        for n in range(changes):
            ref = rows[n % len(rows)].ref
            now = shown(ref)
            new = next(s for s in statuses[n % 3 :] + statuses if s != now)

            def write(ref: str = ref, new: Status = new) -> float:
                with write_session(writer_engine) as session:
                    writer = find_member(session, WRITER)
                    assert writer is not None
                    tracking.set_status(session=session, actor=writer, ref=ref, status=new)
                return time.perf_counter()

            committing = asyncio.create_task(asyncio.to_thread(write))
            await _wait(lambda ref=ref, new=new: shown(ref) == new, f"{ref} shown as {new}")
            await actions.wait_for_refresh()
            shown_at = time.perf_counter()
            latencies.append(shown_at - await committing)
            await asyncio.sleep(rng.uniform(0.02, 0.2))
    return latencies


async def _wait(predicate: Any, what: str) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {TIMEOUT:.0f} s for {what}")
        await asyncio.sleep(0.001)


if __name__ == "__main__":  # by hand: python tests/perf/measure_notify.py [URL]
    import sys

    from common import Settings

    class _Bench:
        settings = Settings(pg=sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRACKER_TEST_PG"))

    for row in measure_notify(_Bench()):
        print(row)
