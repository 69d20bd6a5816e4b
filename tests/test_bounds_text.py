"""Text PostgreSQL cannot store (a NUL character) or that is longer than its column is
refused at the input with our sentence, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import dump
from tests.plans import MINIMAL, with_change


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    assert tracker("--db", db_url, "member", "add", "ana", "--role", "coordinator", "-f", "stamford-ct").code == 0
    return db_url


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (("  title: Stamford prevention framework\n", '  title: "Stamford\\0 framework"\n'), "framework.title"),
        (("{fr: La ville devrait créer un groupe de travail.}", '{fr: "La ville\\0"}'), "translations.fr"),
        (("unit: meetings,", 'unit: "meet\\0ings",'), "indicators[0].unit"),
        (("  state: CT\n", '  state: "C\\0T"\n'), "framework.state"),
        (("            title: Convene the working group\n", '            title: "\\0"\n'), "actions[0].title"),
    ],
)
def test_a_nul_in_a_plan_file_is_refused_where_written(
    tmp_path: Path, db_url: str, engine: Engine, edit: tuple[str, str], field: str
) -> None:
    """A title with an escaped NUL seeded on SQLite but failed on PostgreSQL with the
    server's words; it is refused on both, with the line and the field."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(with_change(*edit))
    before = dump(engine)
    for command in ("validate", "seed"):
        result = tracker("--db", db_url, command, str(plan))
        assert result.code == 2, result
        assert result.err.startswith(f"{plan}:") and field in result.err and "NUL" in result.err, result.err
    assert dump(engine) == before


@pytest.mark.parametrize(
    "args",
    [
        ("actions", "note", "stamford-ct/convene", "waiting\x00for data"),
        ("actions", "set-status", "stamford-ct/convene", "in_progress", "-m", "kick\x00off"),
        ("indicators", "record", "stamford-ct/meetings", "3", "-m", "portal\x00count"),
        ("member", "add", "omar", "--role", "member", "-f", "stamford-ct", "--name", "Omar\x00"),
        ("actions", "list", "--search", "bias\x00"),
    ],
)
def test_a_nul_on_the_command_line_is_refused(db: str, engine: Engine, args: tuple[str, ...]) -> None:
    """A note or name with a NUL (from a script) was stored on SQLite and was the server's
    error on PostgreSQL: both refuse it in one sentence with exit 2, writing nothing."""
    before = dump(engine)
    result = tracker("--db", db, "--as", "ana", *args)
    assert result.code == 2, result
    assert "NUL" in result.err and len(result.err.splitlines()) == 1
    assert dump(engine) == before


def test_an_over_long_acting_login_is_refused_before_the_database(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """A seed run by a TRACKER_USER longer than the column was stored on SQLite and the
    server's 'value too long' on PostgreSQL; it is refused on both with a sentence."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    before = dump(engine)
    result = tracker("--db", db_url, "seed", str(plan), env={"TRACKER_USER": "u" * 100})
    assert result.code == 2, result
    assert "TRACKER_USER" in result.err and "63 characters" in result.err
    assert dump(engine) == before


NOT_UTF8 = "x\udc85"  # how Python holds the byte 0x85 typed in a Latin-1 terminal


@pytest.mark.parametrize(
    "args",
    [
        ["member", "add", "ana", "--role", "coordinator", "-f", "stamford-ct", "--name", NOT_UTF8],
        ["actions", "list", "--search", NOT_UTF8],
        ["actions", "note", f"stamford-ct/{NOT_UTF8}", "hello"],
        ["report", "-f", NOT_UTF8],
    ],
    ids=["name", "search", "ref", "framework"],
)
def test_bytes_that_are_not_utf8_on_the_command_line_are_one_sentence(db: str, engine: Engine, args: list[str]) -> None:
    """A name, search or key typed in a Latin-1 terminal ended in a traceback from the
    database driver (or Rich) on both backends; now it is exit 2 with one sentence that
    says which argument, and nothing is written."""
    before = dump(engine)
    result = tracker_process("--db", db, "--as", "ana", *args)
    assert result.code == 2, result.err
    assert "not UTF-8" in result.err and "x\\x85" in result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1
    assert dump(engine) == before


def test_a_tracker_variable_that_is_not_utf8_is_one_sentence(db: str) -> None:
    """TRACKER_USER or TRACKER_DB holding such bytes is named, not a traceback."""
    result = tracker_process("summary", env={"TRACKER_DB": db, "TRACKER_USER": NOT_UTF8})
    assert result.code == 2 and "TRACKER_USER" in result.err and "Traceback" not in result.err
