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
from collections.abc import Collection, Sequence

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


def global_options_first(argv: Sequence[str], *, own: Collection[str] = ()) -> list[str]:
    """``argv`` with the global options (``--db``, ``--as``) that follow the command moved
    in front of it, where the root command reads them: people type
    ``tracker actions list --db plans.db``. Words after ``--`` are arguments and stay, and
    so do the options in ``own``: those the command declares itself (`server setup --db`).

    Raises ValueError when a global option is given twice or lacks its value.
    """
    args = list(argv)
    seen: set[str] = set()
    i = 0
    while i < len(args) and args[i].partition("=")[0] in _GLOBAL:  # those already in front
        seen.add(args[i].partition("=")[0])
        i += 1 if "=" in args[i] else 2
    moved: list[str] = []
    rest: list[str] = []
    j = i
    while j < len(args):
        arg = args[j]
        if arg == "--":
            rest += args[j:]
            break
        name, sep, _ = arg.partition("=")
        if name not in _GLOBAL or name in own:
            rest.append(arg)
            j += 1
            continue
        if name in seen:
            raise ValueError(f"{name} is given twice; give it once (before or after the command).")
        seen.add(name)
        if sep:
            moved.append(arg)
            j += 1
        elif j + 1 < len(args) and args[j + 1] != "--":
            moved += args[j : j + 2]
            j += 2
        else:
            raise ValueError(f"{name} needs a value, for example {name} {_EXAMPLE[name]}.")
    return args[:i] + moved + rest


_EXAMPLE = {"--db": "plans.db", "--as": "ana"}


def key_lookup(argv: Sequence[str]) -> tuple[str | None, list[str]] | None:
    """``(--db or None, [USER, KEYTYPE, KEY])`` for ``[--db URL] server authorized-keys ...``,
    sshd's key lookup, which must not pay for Typer and the ORM at every login; else None."""
    args = list(argv)
    db = None
    if args and args[0].startswith("--db="):
        db = args.pop(0).partition("=")[2]
    elif len(args) > 1 and args[0] == "--db":
        db = args[1]
        args = args[2:]
    if args[:2] != ["server", "authorized-keys"] or any(a in ("-h", "--help") for a in args[2:]):
        return None
    return db, args[2:]


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
    if "actions" in sys.argv[1:] and os.environ.get("TRACKER_NO_FAST") != "1":
        # The commands scripts repeat, answered without loading SQLAlchemy or Typer when
        # they take a common shape on a SQLite file (`tracker.fast`); else None.
        from tracker.fast.run import main as fast

        code = fast(sys.argv[1:])
        if code is not None:
            sys.exit(code)
    lookup = key_lookup(sys.argv[1:])
    if lookup is not None:
        from tracker.server.authorized_keys import main as authorized_keys

        sys.exit(authorized_keys(*lookup))
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
