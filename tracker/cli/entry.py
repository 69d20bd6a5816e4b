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


def not_utf8(argv: Sequence[str], environ: dict[str, str]) -> str | None:
    """Where the command line holds bytes that are not UTF-8 (None when it holds none).

    Python keeps such bytes as lone surrogates, which no database, terminal or file
    format takes: `--name $'Ev\\x85'` or a Latin-1 `--search` ended in a traceback
    deep in the driver. One check here covers every option and argument.
    """
    for i, arg in enumerate(argv, start=1):
        if not _encodes(arg):
            return f"argument {i} ({ascii(arg.encode('utf-8', 'surrogateescape'))[2:-1]})"
    for name in ("TRACKER_DB", "TRACKER_USER"):
        if not _encodes(environ.get(name, "")):
            return name
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def run() -> None:
    """Console-script entry point."""
    where = not_utf8(sys.argv[1:], dict(os.environ))
    if where is not None:
        from tracker.cli.output import say

        say(
            f"tracker: {where} holds bytes that are not UTF-8 text; tracker reads only UTF-8: "
            "type it again in a UTF-8 terminal (or rename the file).",
            err=True,
            one_line=True,
        )
        sys.exit(2)
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
