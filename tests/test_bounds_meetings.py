"""Meeting rules are bounded: a rule that never (or hardly ever) happens is refused when the
plan is read, and no rule already stored in a database can hang a command."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import admin_login, dump
from tests.plans import with_change
from tests.test_schedule import MEETINGS
from tracker.models import Framework
from tracker.seeding import load_text, seed

RULE_LINE = "    rule: FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU\n"


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "fewer than 2 meetings"),
        ("FREQ=YEARLY;INTERVAL=50", "fewer than 2 meetings"),
    ],
)
def test_a_rule_without_meetings_is_refused_by_validate_and_seed(
    rule: str, says: str, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """A coordinator who writes a rule that never gives a meeting (or loops forever) is told
    so where it was written, instead of a database whose summary and report never finish."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(with_change(RULE_LINE, f'    rule: "{rule}"\n', MEETINGS))
    before = dump(engine)
    for command in ("validate", "seed"):
        result = tracker("--db", db_url, command, str(plan))
        assert result.code == 2, (command, result.out)
        assert "plan.yaml:" in result.err and "framework.meetings" in result.err and says in result.err
    assert dump(engine) == before


@pytest.mark.parametrize("rule", ["FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=SECONDLY"])
def test_a_stored_rule_cannot_hang_a_command(rule: str, db_url: str, engine: Engine, tmp_path: Path) -> None:
    """A rule written into the database by other means (an old version, SQL by hand) must not
    make the summary, the report or the calendar export spin forever: they finish quickly and
    show no meetings for it."""
    seed(engine, [load_text(MEETINGS, source="plan.yaml")], actor=admin_login(engine))
    table = Framework.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(sa.update(table).values(meeting_rule=rule))
    out = tmp_path / "out.ics"
    for args in (
        ("summary",),
        ("report", "-f", "stamford-ct"),
        ("export", "--format", "ics", "-f", "stamford-ct", "-o", str(out)),
    ):
        started = time.monotonic()
        result = tracker_process("--db", db_url, *args, env={"TRACKER_DB": db_url}, timeout=60)
        assert time.monotonic() - started < 20, args
        assert "Traceback" not in result.err
        if args[0] == "export":  # the plan cannot be written with that rule: said in one sentence
            assert result.code == 0 or (result.code == 1 and "meetings" in result.err), result.err
        else:
            assert result.code == 0, (args, result.err)
