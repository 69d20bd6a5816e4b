"""Dates are bounded: years outside 1900-2200 are refused where they are typed, so that no
later step (seeding, fiscal years, the calendar export) fails on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL, with_change

DUE = "            due: 2025-06-30\n"
STARTS = "  starts: 2025-01\n"
FISCAL = "  mid_term_months: 24\n"


def _write(tmp_path: Path, text: str, name: str = "plan.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "edit",
    [
        (DUE, "            due: 9999-12-31\n"),
        (DUE, "            due: 2201-01-01\n"),
        (STARTS, "  starts: 0001-01\n"),
        (STARTS, "  starts: 1899-12\n"),
        ("    held_on: 2024-12-09\n", "    held_on: 9999-12-31\n"),
        ("target_date: 2025-12", "target_date: 9999-12"),
    ],
)
def test_a_plan_date_out_of_range_is_refused_where_written(
    tmp_path: Path, db_url: str, engine: Engine, edit: tuple[str, str]
) -> None:
    """Year 9999 passed validate but failed in seed, and once stored broke the calendar
    export; year 1 with a July fiscal year broke the gaps per year: both are refused with
    the line and the range, and nothing is written."""
    text = with_change(FISCAL, FISCAL + "  fiscal_year_starts: 7\n")
    bad = _write(tmp_path, with_change(*edit, text))
    before = dump(engine)
    for command in ("validate", "seed"):
        result = tracker("--db", db_url, command, bad)
        assert result.code == 2, result
        assert result.err.startswith(f"{bad}:") and "1900 to 2200" in result.err, result.err
    assert dump(engine) == before


def test_plan_dates_at_the_limits_work_in_every_later_step(tmp_path: Path, db_url: str) -> None:
    """A plan that starts in 1900 and has work due at the end of 2200 seeds, and its
    calendar and its gaps per fiscal year are written."""
    text = with_change(FISCAL, FISCAL + "  fiscal_year_starts: 7\n")
    text = with_change(STARTS, "  starts: 1900-01\n", text)
    text = with_change("            starts: 2025-02\n", "            starts: 1900-01\n", text)
    text = with_change(DUE, "            due: 2200-12-31\n", text)
    result = tracker("--db", db_url, "seed", _write(tmp_path, text))
    assert result.code == 0, result.err
    for args in (
        ("export", "--format", "ics", "-o", str(tmp_path / "plan.ics")),
        ("funding", "gaps", "--by", "year"),
        ("summary",),
        ("report", "-f", "stamford-ct"),
    ):
        done = tracker("--db", db_url, *args)
        assert done.code == 0, (args, done.err)


@pytest.mark.parametrize(
    "args",
    [
        ("actions", "list", "--due-before", "9999-12-31"),
        ("actions", "list", "--due-after", "0001-01"),
        ("actions", "list", "--due-before", "+9999y"),
        ("actions", "list", "--due-after", "-9999y"),
        ("report", "-f", "stamford-ct", "--since", "1000-01-01"),
        ("--as", "ana", "indicators", "record", "stamford-ct/meetings", "3", "--on", "2201-01-01"),
    ],
)
def test_a_date_option_out_of_range_is_refused(tmp_path: Path, db_url: str, engine: Engine, args: tuple[str]) -> None:
    """A date option far in the past or future (a typo, or +9999y) gets one sentence with the
    range and exit 2, never a traceback; nothing is written."""
    assert tracker("--db", db_url, "seed", _write(tmp_path, MINIMAL)).code == 0
    assert tracker("--db", db_url, "member", "add", "ana", "--role", "coordinator", "-f", "stamford-ct").code == 0
    before = dump(engine)
    result = tracker("--db", db_url, *args)
    assert result.code == 2, result
    assert "1900 to 2200" in result.err
    assert dump(engine) == before
