"""Opening the terminal UI from the command line (Textual is imported only here)."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING

from tracker.cli.context import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.tui.data import Data


def open_app(settings: Settings, engine: Engine | None = None, *, remote: bool = False) -> None:
    """Run the app on the configured database as the acting member (refused if not a member).

    The first screen paints before the database layers are even imported: the
    database is opened by a worker, and a failure to open it ends the app with
    the same one sentence the other commands give.
    """
    gc.disable()  # until the first paint (the app re-enables it): start-up makes no garbage worth the pauses
    from tracker.tui.app import TrackerApp

    def connect() -> Data:
        from tracker.db import read_session
        from tracker.services.access.members import resolve_member
        from tracker.services.access.rules import require_reader
        from tracker.tui.data import Data

        opened = engine or settings.engine()
        login = settings.login(opened)
        with read_session(opened) as session:
            # A login that is not a member of any framework is refused with what to do.
            return Data(opened, require_reader(resolve_member(session, login)))

    from tracker.tui.settings import app_settings_path

    # Over ssh (remote) nothing is written on the server but the member's own settings file:
    # no report or workbook files, and never the service account's one settings file.
    settings_file = app_settings_path(settings.actor, remote=remote)
    app = TrackerApp(connect, remote=remote, local_files=not remote, settings=settings_file)
    app.run()
    if app.connect_error:  # already said on the terminal by the app as it closed
        sys.exit(app.connect_exit)
