"""Plan-file inputs are bounded: a device without end, a folder, a closed standard input or a
file over the size limit is refused quickly with one sentence, and nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import dump
from tests.plans import MINIMAL

MAX_PLAN_BYTES = 20_000_000  # the limit the README documents


@pytest.mark.parametrize("command", ["validate", "seed"])
def test_a_file_without_end_is_refused_quickly(command: str, db_url: str, engine: Engine) -> None:
    """`tracker validate /dev/zero` read gigabytes until memory ran out; reading stops just
    after the size limit and says so."""
    before = dump(engine)
    started = time.monotonic()
    result = tracker_process("--db", db_url, command, "/dev/zero", timeout=60)
    assert time.monotonic() - started < 30
    assert result.code == 2, result
    assert "/dev/zero" in result.err and "20 MB" in result.err
    assert dump(engine) == before


def test_a_closed_standard_input_gets_a_sentence(db_url: str, engine: Engine) -> None:
    """`tracker seed - <&-` (a script whose input was closed) was an AttributeError traceback."""
    before = dump(engine)
    tracker_bin = os.path.join(os.path.dirname(sys.executable), "tracker")
    proc = subprocess.run(
        ["sh", "-c", f'"{tracker_bin}" --db "$1" seed - <&-', "sh", db_url],
        capture_output=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "TRACKER_DB"},
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "standard input is closed" in err and "Traceback" not in err
    assert dump(engine) == before


def test_a_folder_is_refused(tmp_path: Path, db_url: str) -> None:
    """A folder given as a plan file gets the advice to name the files in it."""
    result = tracker("--db", db_url, "validate", str(tmp_path))
    assert result.code == 2 and "is a folder" in result.err


def test_the_size_limit_is_exact(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """A plan file of exactly the documented maximum is read; one byte more is refused."""
    at_limit = tmp_path / "at-limit.yaml"
    padding = MAX_PLAN_BYTES - len(MINIMAL.encode()) - 3
    at_limit.write_bytes(MINIMAL.encode() + b"# " + b"x" * padding + b"\n")
    assert at_limit.stat().st_size == MAX_PLAN_BYTES
    assert tracker("--db", db_url, "validate", str(at_limit)).code == 0
    over = tmp_path / "over.yaml"
    over.write_bytes(at_limit.read_bytes() + b"\n")
    before = dump(engine)
    for command in ("validate", "seed"):
        result = tracker("--db", db_url, command, str(over))
        assert result.code == 2 and "20 MB" in result.err, result
    assert dump(engine) == before
