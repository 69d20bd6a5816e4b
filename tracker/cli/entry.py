"""The console script: `tracker` alone opens the terminal UI without loading the command line.

Opening the app is what people do most, and its first screen should paint as
soon as a bare Textual app's. Typer (and the pydantic it imports) costs about
a third of that, so a command line made only of the global options (``--db``,
``--as``) goes straight to the app; everything else, ``--help`` included, goes
through the Typer app in `tracker.cli.main`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

_GLOBAL = ("--db", "--as")


def app_options(argv: Sequence[str]) -> dict[str, str] | None:
    """``{"--db": ..., "--as": ...}`` when ``argv`` holds only global options, else None."""
    found: dict[str, str] = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, sep, value = arg.partition("=")
        if name not in _GLOBAL or name in found:
            return None
        if not sep:
            if not args or args[0].startswith("-"):
                return None  # a missing value: Typer says so properly
            value = args.pop(0)
        found[name] = value
    return found


def run() -> None:
    """Console-script entry point."""
    options = app_options(sys.argv[1:])
    if options is None:
        from tracker.cli.main import run as run_cli

        run_cli()
        return
    from tracker.cli.context import Settings, user_errors
    from tracker.cli.tui import open_app

    # The same defaults as the Typer options: the environment when an option is absent.
    settings = Settings(
        db=options.get("--db") or os.environ.get("TRACKER_DB") or None,
        actor=options["--as"] if "--as" in options else os.environ.get("TRACKER_USER"),
    )
    try:
        with user_errors():
            open_app(settings)
    finally:
        settings.close()
