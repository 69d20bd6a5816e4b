"""The command line as users and scripts run it: options, stdin, exit codes, output."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import ADMIN, SEED_DIR, count_rows, dump
from tests.plans import MINIMAL, with_change

SEEDS = sorted(str(p) for p in SEED_DIR.glob("*.yaml"))


def test_validate_checks_the_bundled_plans_and_writes_nothing(tmp_path: Path) -> None:
    """`tracker validate` needs no database and creates none."""
    result = tracker("--db", str(tmp_path / "none.db"), "validate", *SEEDS)
    assert result.code == 0, result.err
    assert "seed/stamford-ct.yaml: ok: framework stamford-ct" in result.out.replace(str(SEED_DIR.parent) + "/", "")
    assert not (tmp_path / "none.db").exists()


def test_seed_then_seed_again(db_url: str, engine: Engine) -> None:
    """The issue's walk-through: apply the bundled plans, then again with nothing changed."""
    first = tracker("--db", db_url, "seed", *SEEDS)
    assert first.code == 0, first.err
    assert "stamford-ct.yaml: framework stamford-ct:" in first.out
    counts = count_rows(engine)
    assert counts["framework"] == 5 and counts["action"] > 30
    again = tracker("--db", db_url, "seed", "--json", *SEEDS)
    assert again.code == 0
    report = json.loads(again.out)
    assert [f["created"] + f["updated"] for f in report["files"]] == [0] * len(SEEDS)
    counts.pop("import_run")
    after = count_rows(engine)
    after.pop("import_run")
    assert after == counts


def test_dry_run_from_stdin_writes_nothing(db_url: str, engine: Engine) -> None:
    """`cat plan.json | tracker seed - --dry-run` shows changes and leaves the data alone."""
    import yaml

    from tracker.seeding.reader import parse_text

    plan_json = json.dumps(parse_text("x.yaml", MINIMAL), default=str)
    before = dump(engine)
    result = tracker("--db", db_url, "seed", "-", "--dry-run", input=plan_json)
    assert result.code == 0, result.err
    assert result.out.startswith("Dry run: nothing was written.")
    assert "<stdin>: framework stamford-ct: " in result.out and "actions: 2 created" in result.out
    assert dump(engine) == before
    result = tracker("--db", db_url, "seed", "-", input=MINIMAL)  # YAML on stdin too
    assert result.code == 0, result.err
    assert count_rows(engine)["action"] == 2
    assert yaml  # PyYAML is what reads the YAML


def test_edit_is_reported_per_kind(db_url: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    tracker("--db", db_url, "seed", str(plan))
    plan.write_text(with_change("title: Convene the working group", "title: Convene the group"))
    result = tracker("--db", db_url, "seed", str(plan))
    assert f"{plan}: framework stamford-ct: 0 created, 1 updated," in result.out
    assert "  actions: 1 updated" in result.out


def test_real_process_exit_codes_and_stdin(db_url: str) -> None:
    """Scripts rely on the exit codes: 0 ok, 1 failure, 2 bad input or usage."""
    ok = tracker_process("--db", db_url, "seed", "-", input=MINIMAL)
    assert ok.code == 0, ok.err
    bad = tracker_process("--db", db_url, "seed", "-", input=with_change("sector: faith}", "sector: x}"))
    assert bad.code == 2
    assert bad.err.startswith("<stdin>:14:")
    usage = tracker_process("--db", db_url, "seed")
    assert usage.code == 2
    assert "Traceback" not in ok.err + bad.err + usage.err


def test_env_vars_choose_database_and_login(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """TRACKER_DB and TRACKER_USER work like --db and --as; the seed run records who ran it."""
    assert (
        tracker("--db", db_url, "--as", ADMIN, "admin", "add", "coord-ana").code == 0
    )  # creating a framework needs an admin
    result = tracker("seed", "-", input=MINIMAL, env={"TRACKER_DB": db_url, "TRACKER_USER": "coord-ana"})
    assert result.code == 0, result.err
    import sqlalchemy as sa

    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT actor FROM import_run")).scalar() == "coord-ana"


def test_every_command_has_help_with_an_example() -> None:
    for command in (["validate"], ["seed"], ["demo"], ["db", "upgrade"], ["db", "current"]):
        result = tracker(*command, "-h")
        assert result.code == 0
        assert "Example:" in result.out, command


def test_demo_builds_a_database_from_the_bundled_plans(tmp_path: Path) -> None:
    """The README's first command on a fresh machine: no data folder yet, and a
    TRACKER_DB that points at real work must not be touched."""
    data_home = tmp_path / "fresh-home" / "share"
    work = tmp_path / "work.db"
    env = {"XDG_DATA_HOME": str(data_home), "TRACKER_DB": str(work), "COLUMNS": "150"}
    result = tracker("--as", "demo", "demo", env=env)
    assert result.code == 0, result.err
    for city in ("Albuquerque, NM", "Stamford, CT", "Athens, OH", "Chattanooga, TN", "Overland Park, KS"):
        assert city in result.out
    assert (data_home / "tracker" / "demo.db").exists()
    assert not work.exists()
    again = tracker("demo", "--file", str(tmp_path / "elsewhere.db"), env=env)
    assert again.code == 0 and (tmp_path / "elsewhere.db").exists()


def test_the_demo_has_money_and_meetings_marked_as_made_up(tmp_path: Path) -> None:
    """A coordinator trying the demo sees funding gaps and next meetings, and can tell that the
    amounts and the schedule are made up for the demo (the reports give none); keeping the demo
    database and building it again changes nothing."""
    db = tmp_path / "demo.db"
    assert tracker("--as", "demo", "demo", "--file", str(db), "--no-open").code == 0
    gaps = tracker("--as", "demo", "--db", str(db), "funding", "gaps", "--by", "framework", "--json")
    assert gaps.code == 0, gaps.err
    rows = {r["framework"]: r for r in json.loads(gaps.out)}
    assert Decimal(rows["stamford-ct"]["gap"]) > 0 and Decimal(rows["stamford-ct"]["allocated"]) > 0
    exported = tracker("--as", "demo", "--db", str(db), "export", "--format", "json", "-f", "stamford-ct")
    [framework] = json.loads(exported.out)["frameworks"]
    made_up = [s for s in framework["plan"]["funding_sources"] if s["amount"] is not None]
    assert made_up and all("made up" in s["notes"] for s in made_up)
    report = tracker("--as", "demo", "--db", str(db), "report", "-f", "stamford-ct")
    assert "demo schedule: every second month" in report.out
    again = tracker("--as", "demo", "demo", "--file", str(db), "--keep", "--no-open")
    assert again.code == 0 and "0 items created" in again.out
