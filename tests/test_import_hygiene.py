"""The headless core never imports the UI toolkit."""

from __future__ import annotations

import subprocess
import sys


def test_core_does_not_import_textual() -> None:
    """Scripts and the CLI must not pay for (or depend on) Textual."""
    code = (
        "import sys\n"
        "import tracker.models, tracker.db, tracker.services.frameworks, tracker.seeding, "
        "tracker.exports, tracker.cli.main\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
