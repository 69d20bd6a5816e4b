"""`tracker demo`: a fresh database with the bundled plans, ready to look at."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.cli.context import Settings
from tracker.cli.output import say

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
from tracker.errors import TrackerError


def bundled_seed_dir() -> Path:
    """The plans shipped with tracker: `seed/` in a checkout, or share/tracker/seed."""
    candidates = [
        Path(__file__).resolve().parents[2] / "seed",
        Path(sys.prefix) / "share" / "tracker" / "seed",
    ]
    for folder in candidates:
        if any(folder.glob("*.yaml")):
            return folder
    raise TrackerError("the bundled plans (seed/*.yaml) are not installed with this tracker.")


DEMO_PEOPLE = (
    # (login, name, role, organisation key in the Stamford plan); addresses at example.org,
    # a domain reserved for examples, so `tracker requests` shows its To lines and no mail can
    # reach anyone
    ("maria", "Maria (demo)", "member", "domus-kids"),
    ("sam", "Sam (demo)", "member", "city-of-stamford"),
    ("lee", "Lee (demo)", "viewer", "city-of-stamford"),
)
DEMO_DOMAIN = "example.org"


def add_demo_activity(engine: Engine, login: str) -> None:
    """Members and some tracked history, so that the demo's views are alive.

    ``login`` (whoever runs the demo) coordinates every framework. All of it
    goes through the services, like a member's own work would.
    """
    from tracker.db import write_session
    from tracker.models.enums import Role, Status
    from tracker.services.access.members import add_member, find_member
    from tracker.services.plan.frameworks import framework_summaries
    from tracker.services.tracking import changes as tracking
    from tracker.services.tracking.actions import list_actions
    from tracker.services.tracking.filters import ActionFilter

    with write_session(engine) as session:
        keys = [f.key for f in framework_summaries(session)]
        for key in keys:
            add_member(session, actor=find_member(session, login), login=login, role=Role.coordinator, framework=key)
        me = find_member(session, login)
        for person, name, role, org in DEMO_PEOPLE:
            add_member(
                session,
                actor=me,
                login=person,
                role=Role(role),
                framework="stamford-ct",
                stakeholders=[org],
                name=name,
                email=f"{person}@{DEMO_DOMAIN}",
            )
    moves = [
        ("maria", Status.in_progress, "First meeting with the youth services partners held."),
        ("sam", Status.in_progress, "Terms of reference drafted; circulating to the leadership group."),
        ("sam", Status.done, "Adopted at the leadership group meeting."),
        ("maria", Status.blocked, "Waiting for the City's data-sharing agreement."),
    ]
    with write_session(engine) as session:
        rows = list_actions(session, ActionFilter(framework="stamford-ct", limit=200))
    for (person, status, note), row in zip(moves, [r for r in rows if r.partners][: len(moves)], strict=False):
        with write_session(engine) as session:
            actor = find_member(session, person)
            if actor is None or tracking.why_not_track(session, actor, row.ref):
                actor = find_member(session, login)
            assert actor is not None
            if status is Status.done:
                tracking.set_status(session=session, actor=actor, ref=row.ref, status=Status.in_progress)
            tracking.set_status(session=session, actor=actor, ref=row.ref, status=status, note=note)
    _demo_measurements(engine, login)


def _demo_measurements(engine: Engine, login: str) -> None:
    import datetime as dt

    from tracker.cli.demo_plans import DEMO_INDICATOR_NOTE, DEMO_INDICATORS
    from tracker.db import write_session
    from tracker.services.access.members import find_member
    from tracker.services.tracking import changes as tracking

    with write_session(engine) as session:
        me = find_member(session, login)
        assert me is not None
        for key, (_baseline, _target, measured) in DEMO_INDICATORS.items():
            for on, value in measured:
                tracking.record_measurement(
                    session=session, actor=me, ref=f"stamford-ct/{key}", value=value,
                    on=dt.date.fromisoformat(on), note=DEMO_INDICATOR_NOTE,
                )  # fmt: skip


def run_demo(settings: Settings, *, keep: bool, file: Path | None = None, open_app: bool = True) -> None:
    from tracker.cli.demo_file import claim_demo_file, mark_demo_database
    from tracker.db import describe, read_session, upgrade
    from tracker.db.engine import default_sqlite_path
    from tracker.seeding import load_files, seed
    from tracker.services.plan.frameworks import framework_summaries

    # The demo builds its own file and replaces only a demo database it made: never
    # the working database (--db / TRACKER_DB, even named by --file), nor any other file.
    path = (file or default_sqlite_path().with_name("demo.db")).expanduser().absolute()
    claim_demo_file(path, keep=keep)
    path.parent.mkdir(parents=True, exist_ok=True)
    settings.db = str(path)
    engine = settings.engine(check=False)
    upgrade(engine)
    mark_demo_database(engine)  # first, so that a demo stopped half-way is still known as one
    from tracker.db import write_session
    from tracker.services.access.members import ensure_first_admin

    with write_session(engine) as session:  # whoever builds the demo is its admin
        ensure_first_admin(session, settings.login())
    files = sorted(bundled_seed_dir().glob("*.yaml"))
    from tracker.cli.demo_plans import demo_plan

    reports = seed(engine, [demo_plan(p) for p in load_files(files)], actor=settings.login())
    if not keep:
        add_demo_activity(engine, settings.login())
    created = sum(r.created for r in reports)
    say(f"Demo database: {describe(str(engine.url))} ({len(reports)} plans, {created} items created)")
    if open_app:
        from tracker.cli.tui import open_app as start

        start(settings, engine)
        return
    with read_session(engine) as session:
        summaries = framework_summaries(session)
    from tracker.cli.render import print_framework_summaries

    print_framework_summaries(summaries)
    say(f"\nNext: tracker --db {path} summary, tracker --db {path} actions list --framework stamford-ct")
