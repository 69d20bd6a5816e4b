"""The headless core never imports the UI toolkit."""

from __future__ import annotations

import subprocess
import sys


def test_core_does_not_import_textual() -> None:
    """Scripts and the CLI must not pay for (or depend on) Textual."""
    code = (
        "import sys\n"
        "import tracker.models, tracker.db, tracker.services.plan.frameworks, tracker.seeding, "
        "tracker.exports, tracker.cli.main\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_opening_the_app_loads_neither_the_command_line_nor_the_database_layers() -> None:
    """`tracker` alone must paint its first screen about as fast as a bare Textual app: the command line
    (Typer, pydantic) and the database layers (SQLAlchemy) load only later, in a worker, or not at all."""
    code = (
        "import sys\n"
        "import tracker.cli.entry, tracker.cli.tui, tracker.tui.app\n"
        "assert tracker.cli.entry.app_options(['--db', 'x.db', '--as=maria']) == {'--db': 'x.db', '--as': 'maria'}\n"
        "heavy = ('typer', 'pydantic', 'sqlalchemy', 'sqlmodel', 'tracker.cli.main')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy)\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_global_options_open_the_app_directly() -> None:
    """Anything but --db/--as (a command, --help, a missing value) goes through the full command line,
    so that help and usage errors stay as Typer gives them."""
    from tracker.cli.entry import app_options

    assert app_options([]) == {}
    assert app_options(["--as", "lee", "--db=postgresql://h/db"]) == {"--as": "lee", "--db": "postgresql://h/db"}
    for argv in (["summary"], ["--help"], ["--db"], ["--db", "--as", "x"], ["--db", "a", "--db", "b"], ["-h"]):
        assert app_options(argv) is None, argv


def test_the_first_paint_loads_neither_pydantic_nor_the_database_layers() -> None:
    """Up to the first frame the app builds nothing that needs pydantic (the filter's model, 90 ms)
    or SQLAlchemy: its first paint is a bare Textual app's plus its own screens (issue 16)."""
    code = (
        "import asyncio, sys, threading\n"
        "from tracker.tui.app import TrackerApp\n"
        "gate = threading.Event()\n"
        "def connect():\n"
        "    gate.wait(30)\n"
        "    raise RuntimeError('the test is over')\n"
        "async def main():\n"
        "    app = TrackerApp(connect, remote=False, local_files=False, settings=None)\n"
        "    async with app.run_test(headless=True, size=(120, 40)):\n"
        "        await app.screen.wait_for_refresh()\n"
        "        heavy = ('typer', 'pydantic', 'sqlalchemy', 'sqlmodel')\n"
        "        print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
        "        gate.set()\n"
        "        app.exit()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[:1] == ["[]"], result.stdout + result.stderr
