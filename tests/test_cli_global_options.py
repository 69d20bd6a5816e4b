"""Global options (--db, --as) after the command, as people type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import dump
from tests.tracking import CONVENE, seeded


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def _keys(out: str) -> list[str]:
    return [row["ref"] for row in json.loads(out)["actions"]]


def test_db_after_the_command_lists_the_same_as_before_it(db: str) -> None:
    """`tracker actions list --db X` was refused ("No such option"): a script had to know
    that --db goes first. Now it lists what `tracker --db X actions list` lists."""
    before = tracker_process("--db", db, "actions", "list", "--json")
    assert before.code == 0, before.err
    assert _keys(before.out)
    for args in (
        ["actions", "list", "--json", "--db", db],
        ["actions", "list", f"--db={db}", "--json"],
        ["actions", "--db", db, "list", "--json"],
    ):
        after = tracker_process(*args)
        assert after.code == 0, (args, after.err)
        assert after.out == before.out, args


def test_as_after_the_command_acts_as_that_login(db: str) -> None:
    """`--as domus` after the command is the acting member: the change is recorded as
    domus's, and a login without the right is refused (exit 4) as it would be in front."""
    done = tracker("actions", "set-status", CONVENE, "in_progress", "-m", "started", "--db", db, "--as", "domus")
    assert done.code == 0, done.err
    shown = json.loads(tracker("--db", db, "actions", "show", CONVENE, "--json").out)
    assert shown["history"][0]["by"] == "domus"
    refused = tracker("actions", "note", CONVENE, "hello", "--as=viewer", f"--db={db}")
    assert refused.code == 4, refused.err
    assert "viewers read" in refused.err


def test_global_option_twice_or_without_value_is_refused(db: str, engine: Engine) -> None:
    """Two different --as (one before, one after the command) must not silently pick
    one of them: that would act as someone the person did not mean. Exit 2, one
    sentence naming the option, nothing changed."""
    before = dump(engine)
    cases = [
        (["--db", db, "--as", "coord", "actions", "set-status", CONVENE, "done", "--as", "domus"], "--as is given"),
        (["actions", "set-status", CONVENE, "done", "--db", db, "--db", db], "--db is given twice"),
        (["--db", db, "actions", "set-status", CONVENE, "done", "--as"], "--as needs a value"),
    ]
    for args, words in cases:
        result = tracker_process(*args)
        assert result.code == 2, (args, result.err)
        assert words in result.err and "Traceback" not in result.err, (args, result.err)
    assert dump(engine) == before


def test_words_after_double_dash_stay_arguments(db: str) -> None:
    """After `--` every word is an argument: a note whose text is "--as" is a note,
    not a change of who acts."""
    result = tracker("--db", db, "--as", "domus", "actions", "note", CONVENE, "--", "--as")
    assert result.code == 0, result.err
    shown = json.loads(tracker("--db", db, "actions", "show", CONVENE, "--json").out)
    assert [(n["by"], n["text"]) for n in shown["notes"]] == [("domus", "--as")]


def test_a_commands_own_db_option_stays_its_own(tmp_path: Path) -> None:
    """`server setup --db FILE` names the team server's database (its own option, which
    may differ from the global --db): moving it in front would refuse the command as
    "--db given twice", or set up the server on the wrong database."""
    mine, served = str(tmp_path / "mine.db"), str(tmp_path / "served.db")
    result = tracker("--db", mine, "server", "setup", "--user", "svc", "--db", served, "--print")
    assert result.code == 0, result.err
    assert served in result.out and mine not in result.out


def test_an_empty_db_is_refused_not_taken_for_the_default(tmp_path: Path) -> None:
    """`--db=` (or an empty TRACKER_DB) names no database: exit 2 saying so, rather than
    working on the default one."""
    for args in (["--db=", "actions", "list"], ["actions", "list", "--db="]):
        result = tracker(*args)
        assert result.code == 2 and "--db (or TRACKER_DB) is empty" in result.err, result
