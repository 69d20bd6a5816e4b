"""Running the `tracker` command in tests, in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from typer.testing import CliRunner

from tracker.cli.main import app


@dataclass
class Result:
    code: int
    out: str
    err: str


def tracker(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run tracker in-process (fast); stderr apart from stdout, as a terminal shows them."""
    runner = CliRunner()
    result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback would reach the user: fail the test loudly
    return Result(result.exit_code, result.stdout, result.stderr)


def tracker_process(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    stdin_bytes: bytes | None = None,
    stdout: str | None = None,
    timeout: float = 120,
) -> Result:
    """Run the installed console script, as a user or a script would.

    ``stdout``: None captures it; "closed" starts tracker with it closed (`>&-`);
    a path (such as /dev/full) sends it there.
    """
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TRACKER_DB", None) if env is None or "TRACKER_DB" not in env else None
    command = [os.path.join(os.path.dirname(sys.executable), "tracker"), *args]
    if stdout == "closed":
        command = ["sh", "-c", 'exec "$0" "$@" >&-', *command]
    with open(stdout if stdout not in (None, "closed") else os.devnull, "wb") as sink:
        proc = subprocess.run(
            command,
            input=stdin_bytes if stdin_bytes is not None else (input or "").encode(),
            stdout=subprocess.PIPE if stdout is None else sink,
            stderr=subprocess.PIPE,
            env=full_env,
            timeout=timeout,
        )
    return Result(proc.returncode, (proc.stdout or b"").decode(), proc.stderr.decode())
