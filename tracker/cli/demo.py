"""`tracker demo`: a fresh database with the bundled plans, ready to look at."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from tracker.cli.context import Settings
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


def run_demo(settings: Settings, *, keep: bool, file: Path | None = None) -> None:
    from tracker.db import describe, read_session, upgrade
    from tracker.db.engine import default_sqlite_path
    from tracker.seeding import load_files, seed
    from tracker.services.frameworks import framework_summaries

    # The demo builds its own file and never touches the working database
    # (--db / TRACKER_DB): re-applying the bundled plans there would undo edits.
    path = (file or default_sqlite_path().with_name("demo.db")).expanduser().absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings.db = str(path)
    engine = settings.engine(check=False)
    upgrade(engine)
    files = sorted(bundled_seed_dir().glob("*.yaml"))
    reports = seed(engine, load_files(files), actor=settings.login())
    created = sum(r.created for r in reports)
    typer.echo(f"Demo database: {describe(str(engine.url))} ({len(reports)} plans, {created} items created)")
    with read_session(engine) as session:
        summaries = framework_summaries(session)
    from tracker.cli.render import print_framework_summaries

    print_framework_summaries(summaries)
    typer.echo(f"\nNext: tracker --db {path} summary, tracker --db {path} actions list --framework stamford-ct")
