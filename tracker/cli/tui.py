"""Opening the terminal UI from the command line (Textual is imported only here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.cli.context import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def open_app(settings: Settings, engine: Engine | None = None) -> None:
    """Run the app on the configured database as the acting member (read only if unknown)."""
    import gc

    gc.disable()  # until the first paint (the app re-enables it): start-up makes no garbage worth the pauses
    from tracker.db import read_session
    from tracker.services.members import find_member

    engine = engine or settings.engine()
    login = settings.login(engine)
    with read_session(engine) as session:
        member = find_member(session, login)
    from tracker.tui.app import make_app

    make_app(engine, member).run()
