"""The command line's fast path (`tracker.fast`, issue 16): the same answers as the full command
line, byte for byte, from the same statements and rules, without loading SQLAlchemy; and
everything unusual handed back to the full command line before anything is written."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import tracker, tracker_process
from tracker.fast import argv as fast_argv
from tracker.fast import generate
from tracker.fast.run import main as fast

HOSTILE = 'Plan \x1b[2J <b>[bold]x[/bold]</b> \u202eevil\u202c "quoted" \\ ü'
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "typer", "rich", "alembic")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database (five cities, members, history, funding in several currencies), with
    a hostile title, an owner and a viewer of two frameworks (whose lists span both)."""
    path = tmp_path_factory.mktemp("fast") / "demo.db"
    made = tracker("demo", "--file", str(path), "--no-open")
    assert made.code == 0, made.err
    db = ("--db", str(path), "--as", "root")
    steps = [
        (*db, "actions", "edit", "stamford-ct/working-group-terms", "--title", HOSTILE),
        (*db, "member", "add", "vic", "--role", "viewer", "--framework", "athens-oh"),
        (*db, "member", "add", "vic", "--role", "viewer", "--framework", "stamford-ct"),
    ]
    for step in steps:
        done = tracker(*step)
        assert done.code == 0, (step, done.err)
    return path


def copy_of(path: Path, target: Path) -> Path:
    source = sqlite3.connect(path)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    return target


def table(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as con:
        return con.execute(sql).fetchall()


def everything(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}


def both(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """(fast path's output, full command line's output) for ``args``; the fast path must answer."""
    code = fast(list(args))
    out = capsys.readouterr().out
    assert code == 0, f"the fast path handed back {args}"
    full = tracker(*args)
    assert full.code == 0, full.err
    return out, full.out


LISTS = [
    ("--as", "root", "actions", "list", "--json"),
    ("--as", "root", "actions", "list", "--limit", "1000", "--json"),
    ("actions", "list", "--json", "--as", "maria", "--limit", "3", "--offset", "2"),
    ("--as", "maria", "actions", "list", "-f", "stamford-ct", "--status", "planned", "--status", "blocked", "--json"),
    ("--as", "vic", "actions", "list", "--json", "--limit", "200"),
    ("--as", "vic", "actions", "list", "--framework", "athens-oh", "--json"),
    ("--as", "root", "actions", "list", "-s", "city-of-stamford", "--json"),
    ("--as", "root", "actions", "list", "-s", "city-of-stamford", "--as-lead", "--json"),
    ("--as", "sam", "actions", "list", "-s", "domus-kids", "-s", "city-of-stamford", "--as-partner", "--json"),
    ("--as", "root", "actions", "list", "--status", "done", "--framework", "stamford-ct", "--json"),
    ("--as", "root", "actions", "list", "--status", "cancelled", "--framework", "stamford-ct", "--json"),
    ("--as", "root", "actions", "list", "--offset", "5000", "--json"),
]


@pytest.mark.parametrize("args", LISTS, ids=[" ".join(a) for a in LISTS])
def test_lists_are_the_full_command_lines_byte_for_byte(
    demo: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    """Every shape the fast path takes gives the full command line's JSON exactly: scoped readers
    (one framework, two, an admin's all), stakeholder roles, statuses, pages, money in several
    currencies, last changes and a title with control characters and markup."""
    fast_out, full_out = both(capsys, "--db", str(demo), *args)
    assert fast_out == full_out
    assert json.loads(fast_out)["count"] == len(json.loads(fast_out)["actions"])


def test_the_hostile_title_stays_inert_in_the_fast_json(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fast_out, _ = both(capsys, "--db", str(demo), "--as", "root", "actions", "list", "-f", "stamford-ct", "--json")
    assert "\x1b" not in fast_out and "\u202e" not in fast_out
    titles = [a["title"] for a in json.loads(fast_out)["actions"]]
    assert HOSTILE in titles


def test_a_status_change_writes_what_the_full_command_line_writes(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same change on two copies, one by each path: the same line printed, the same rows
    stored (the moment aside), the change's moment the action's; done records today."""
    ref = "stamford-ct/working-group-terms"
    printed = []
    for name, run in (("fast", "fast"), ("full", "full")):
        db = copy_of(demo, tmp_path / f"{name}.db")
        args = ["--db", str(db), "--as", "sam", "actions", "set-status", ref, "done", "-m", "adopted \x1b[1m"]
        if run == "fast":
            assert fast(args) == 0
            printed.append(capsys.readouterr().out)
        else:
            result = tracker(*args)
            assert result.code == 0, result.err
            printed.append(result.out)
    assert printed[0] == printed[1]
    assert printed[0].startswith(f"{ref}: in_progress -> done, version ")
    rows = {}
    for name in ("fast", "full"):
        db = tmp_path / f"{name}.db"
        change = table(db, "SELECT * FROM status_change ORDER BY id DESC LIMIT 1")[0]
        action = table(db, "SELECT * FROM action WHERE key = 'working-group-terms'")[0]
        columns = [r[1] for r in table(db, "PRAGMA table_info(action)")]
        at = change[[r[1] for r in table(db, "PRAGMA table_info(status_change)")].index("at")]
        assert action[columns.index("updated_at")] == at
        assert action[columns.index("completed_on")] is not None
        rows[name] = (
            tuple(v for v in change if v != at),
            tuple(v for i, v in enumerate(action) if columns[i] != "updated_at"),
        )
    assert rows["fast"] == rows["full"]


def test_an_unchanged_status_is_exit_0_and_writes_nothing(demo: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = copy_of(demo, tmp_path / "same.db")
    before = everything(db)
    args = ["--db", str(db), "--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "in_progress"]
    assert fast(args) == 0
    assert capsys.readouterr().out == "stamford-ct/working-group-terms: already in progress; nothing changed\n"
    assert everything(db) == before


HANDED_BACK = [
    # Refusals, conflicts and unknowns: the full command line says why, and who could.
    ("--as", "maria", "actions", "set-status", "stamford-ct/working-group-terms", "blocked"),
    ("--as", "lee", "actions", "set-status", "stamford-ct/working-group-terms", "blocked"),
    ("--as", "nobody", "actions", "set-status", "stamford-ct/working-group-terms", "blocked"),
    ("--as", "vic", "actions", "list", "--framework", "chattanooga-tn", "--json"),
    ("--as", "nobody", "actions", "list", "--json"),
    ("--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "blocked", "--expect-version", "1"),
    ("--as", "root", "actions", "set-status", "stamford-ct/no-such-action", "blocked"),
    ("--as", "root", "actions", "set-status", "no-such-city/working-group-terms", "blocked"),
    ("--as", "root", "actions", "set-status", "working-group-terms", "blocked"),
    ("--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "in_progress", "-m", "a note"),
    ("--as", "root", "actions", "list", "--framework", "no-such-city", "--json"),
    ("--as", "root", "actions", "list", "--stakeholder", "no-such-org", "--json"),
    ("--as", "", "actions", "list", "--json"),
    # Shapes it does not take: another option, text for people, a bad value.
    ("--as", "root", "actions", "list"),
    ("--as", "root", "actions", "list", "--search", "plan", "--json"),
    ("--as", "root", "actions", "list", "--json", "--help"),
    ("--as", "root", "actions", "list", "--status", "finished", "--json"),
    ("--as", "root", "actions", "list", "--limit", "0", "--json"),
    ("--as", "root", "actions", "list", "--limit", "+5", "--json"),
    ("--as", "root", "actions", "list", "-fstamford-ct", "--json"),
    ("--as", "root", "actions", "list", "--as-lead", "--json"),
    ("--as", "root", "--as", "maria", "actions", "list", "--json"),
    ("--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "done", "--force"),
    ("--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "done", "--json"),
    ("--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "Done"),
    ("--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "done", "-m", "-x"),
    ("--as", "root", "actions", "set-status", "--", "stamford-ct/working-group-terms", "done"),
]


@pytest.mark.parametrize("args", HANDED_BACK, ids=[" ".join(a) for a in HANDED_BACK])
def test_the_unusual_is_handed_back_untouched(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    db = copy_of(demo, tmp_path / "back.db")
    before = everything(db)
    assert fast(["--db", str(db), *args]) is None
    assert capsys.readouterr() == ("", "")
    assert everything(db) == before


def test_no_database_or_another_schema_is_handed_back(demo: Path, tmp_path: Path) -> None:
    """The full command line says there is no database, or which upgrade it needs."""
    assert fast(["--db", str(tmp_path / "none.db"), "--as", "root", "actions", "list", "--json"]) is None
    assert not (tmp_path / "none.db").exists()
    old = copy_of(demo, tmp_path / "old.db")
    with sqlite3.connect(old) as con:
        con.execute("UPDATE alembic_version SET version_num = '0022'")
    before = everything(old)
    ref = "stamford-ct/working-group-terms"
    assert fast(["--db", str(old), "--as", "root", "actions", "set-status", ref, "done"]) is None
    assert everything(old) == before
    assert fast(["--db", "postgresql://nobody@localhost/x", "actions", "list", "--json"]) is None


def test_the_os_login_and_the_environment_are_read_as_the_full_command_line_reads_them(
    demo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKER_DB", str(demo))
    monkeypatch.setenv("TRACKER_USER", "maria")
    fast_out, full_out = both(capsys, "actions", "list", "--json")
    assert fast_out == full_out and '"domus-kids"' in fast_out
    monkeypatch.setenv("TRACKER_USER", " ")
    assert fast(["actions", "list", "--json"]) is None  # an empty login is never the OS login


def test_the_command_line_reader_takes_only_exact_shapes() -> None:
    read = fast_argv.read
    command = read(["actions", "list", "--db=x.db", "--json", "--as", "ana", "-s", "a", "-s", "b", "--as-lead"])
    assert command is not None
    assert (command.db, command.actor, command.stakeholders, command.as_lead) == ("x.db", "ana", ["a", "b"], True)
    assert read(["actions", "list", "--json", "--limit", "1000001"]) is None
    assert read(["actions", "list", "--json", "--offset", "-1"]) is None
    assert read(["actions", "list", "--json", "--db"]) is None
    assert read(["actions", "list", "--json", "--db="]) is None
    assert read(["actions", "list", "--json", "--framework", "a", "-f", "b"]) is None
    assert read(["actions", "show", "x/y"]) is None
    assert read(["actions", "set-status", "x/y"]) is None
    assert read(["actions", "set-status", "x/y", "done", "extra"]) is None
    status = read(["actions", "set-status", "x/y", "done", "--note=it is", "--expect-version", "7"])
    assert status is not None and (status.note, status.expect_version) == ("it is", 7)


def test_the_compiled_statements_match_the_services() -> None:
    """`tracker/fast/compiled.py` is what the services' Core statements compile to now (and
    names the schema's head revision): a change to either without regenerating fails here."""
    assert generate.main(["--check"]) == 0


def test_the_compiled_statements_would_notice_a_change() -> None:
    """The check is not vacuous: another statement is another file."""
    from tracker.services.tracking import actions

    kept = actions.PAGE_PARTNERS
    try:
        actions.PAGE_PARTNERS = kept.order_by(None).order_by(actions.stakeholder_t.c.key)  # type: ignore[misc]
        assert generate.render() != generate.TARGET.read_text(encoding="utf-8")
    finally:
        actions.PAGE_PARTNERS = kept  # type: ignore[misc]


def test_the_fast_path_loads_no_database_library(demo: Path) -> None:
    """What makes it fast: answering loads neither SQLAlchemy, SQLModel, pydantic, Typer nor Rich."""
    code = (
        "import sys; from tracker.fast.run import main; code = main(sys.argv[1:]); "
        f"sys.stderr.write(repr((code, sorted(m for m in {HEAVY!r} if m in sys.modules))))"
    )
    ref = "stamford-ct/working-group-terms"
    for args in (
        ["--db", str(demo), "--as", "root", "actions", "list", "--json"],
        ["--db", str(demo), "--as", "root", "actions", "set-status", ref, "in_progress"],
    ):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
        assert done.stderr == "(0, [])", done.stderr


def test_the_console_script_answers_the_same_either_way(demo: Path, tmp_path: Path) -> None:
    """As a script runs it: the same bytes and exit codes with the fast path and without it."""
    db = copy_of(demo, tmp_path / "script.db")
    env = {"TRACKER_DB": str(db), "TRACKER_USER": "root"}
    for args in (
        ("actions", "list", "--json", "-f", "stamford-ct"),
        ("actions", "set-status", "stamford-ct/working-group-terms", "in_progress"),
        ("actions", "set-status", "stamford-ct/working-group-terms", "blocked", "--expect-version", "1"),
    ):
        with_fast = tracker_process(*args, env=env)
        without = tracker_process(*args, env={**env, "TRACKER_NO_FAST": "1"})
        assert (with_fast.code, with_fast.out, with_fast.err) == (without.code, without.out, without.err)


@pytest.mark.skipif(os.name != "posix", reason="a closed standard output is a POSIX notion")
def test_a_closed_output_is_one_sentence(demo: Path) -> None:
    result = tracker_process("--db", str(demo), "--as", "root", "actions", "list", "--json", stdout="/dev/full")
    assert result.code != 0 and result.err.startswith("tracker: ") and "Traceback" not in result.err


def test_one_organisations_actions_in_a_framework_are_read_by_their_own_index(demo: Path) -> None:
    """Migration 0024: a lead's actions in one framework, and their count, are read through
    (framework, lead, due), not by scanning the framework's every action in due order."""
    from tracker.fast.compiled import STATEMENTS

    with sqlite3.connect(demo) as con:
        for name in ("page/one/lead/statuses", "count/one/lead/statuses", "page/one/lead/any"):
            sql, params, _, _ = STATEMENTS[name]
            sql = sql.replace("__[POSTCOMPILE_statuses]", "?").replace("__[POSTCOMPILE_stakeholders]", "?")
            values = {"framework": 1, "stakeholders": 1, "statuses": "planned", "limit": 50, "offset": 0}
            plan = " ".join(str(r[3]) for r in con.execute("EXPLAIN QUERY PLAN " + sql, [values[p[0]] for p in params]))
            assert "ix_action_framework_lead_due" in plan, (name, plan)


def _both_processes(db: Path, tmp_path: Path, *args: str, **kwargs: object) -> list[tuple[int, str, str]]:
    """``args`` run by the console script on two copies of ``db``, with and without the fast path:
    (exit code, stdout, stderr) of each."""
    out = []
    for name, extra in (("fast", {}), ("full", {"TRACKER_NO_FAST": "1"})):
        copy = copy_of(db, tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}.db")
        env = {"TRACKER_DB": str(copy), **extra, **kwargs.pop("env", {})}  # type: ignore[dict-item]
        done = tracker_process(*args, env=env, **kwargs)  # type: ignore[arg-type]
        out.append((done.code, done.out, done.err))
    return out


def test_a_closed_output_after_the_change_is_not_called_a_failure(demo: Path, tmp_path: Path) -> None:
    """`>&-`: the change is made and the exit is 0 either way; never "nothing was written"."""
    ref = "stamford-ct/working-group-terms"
    fast_run, full_run = _both_processes(
        demo, tmp_path, "--as", "sam", "actions", "set-status", ref, "done", stdout="closed"
    )
    assert fast_run == full_run and fast_run[0] == 0, (fast_run, full_run)
    for db in sorted(tmp_path.glob("*.db")):
        assert table(db, "SELECT status FROM action WHERE key = 'working-group-terms'") == [("done",)]


def test_an_ascii_terminal_gets_the_same_text_either_way(demo: Path, tmp_path: Path) -> None:
    """A misconfigured locale (stdout claims ASCII): text is written in UTF-8, as the full path does."""
    for args in (
        ("--as", "root", "actions", "list", "-f", "stamford-ct", "--json"),
        ("--as", "sam", "actions", "set-status", "stamford-ct/working-group-terms\u3000", "done"),
    ):
        fast_run, full_run = _both_processes(demo, tmp_path, *args, env={"PYTHONIOENCODING": "ascii"})
        assert fast_run == full_run and fast_run[0] == 0, (args, fast_run[2], full_run[2])


def test_an_interruption_before_the_commit_changes_nothing_and_says_so(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tracker.fast import run

    def interrupted(*_args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "_set_status", interrupted)
    db = copy_of(demo, tmp_path / "ctrl-c.db")
    before = everything(db)
    with pytest.raises(SystemExit) as exit_:
        fast(["--db", str(db), "--as", "root", "actions", "set-status", "stamford-ct/working-group-terms", "done"])
    assert exit_.value.code == 130
    assert capsys.readouterr().err == "tracker: interrupted; nothing was changed.\n"
    assert everything(db) == before


def test_a_blank_or_impossible_database_path_is_one_sentence_either_way(demo: Path, tmp_path: Path) -> None:
    for env, args in (
        ({"TRACKER_DB": " "}, ("actions", "list", "--json")),
        ({}, ("--db", "a" * 300 + ".db", "actions", "list", "--json")),
        ({}, ("--db", "~no-such-user-here/x.db", "actions", "list", "--json")),
    ):
        with_fast = tracker_process(*args, env={"TRACKER_USER": "root", **env})
        without = tracker_process(*args, env={"TRACKER_USER": "root", "TRACKER_NO_FAST": "1", **env})
        assert (with_fast.code, with_fast.err) == (without.code, without.err), args
        assert with_fast.code == 2 and with_fast.err.count("\n") == 1 and "Traceback" not in with_fast.err, args


def test_a_writer_holding_the_lock_past_the_wait_is_said_once(demo: Path, tmp_path: Path) -> None:
    """Another program holds the write lock for longer than tracker waits (15 s): the fast path
    says so after one wait, as the full command line would, instead of handing over to a second."""
    import time

    db = copy_of(demo, tmp_path / "locked.db")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(40)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        start = time.monotonic()
        ref = "stamford-ct/working-group-terms"
        done = tracker_process("--db", str(db), "--as", "root", "actions", "set-status", ref, "done", timeout=60)
        took = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert done.code == 1, done.err
    assert done.err == "tracker: the database could not be used: database is locked; nothing was changed.\n"
    assert took < 25, f"waited {took:.0f} s: twice the busy timeout"
    assert table(db, "SELECT status FROM action WHERE key = 'working-group-terms'") == [("in_progress",)]
