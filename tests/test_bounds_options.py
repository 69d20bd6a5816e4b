"""Command-line options are bounded: a huge or tiny value gets exit 2 and a sentence that
names the option, never a traceback or a database error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("actions", "list", "--limit", HUGE), "--limit"),
        (("actions", "list", "--limit", "1000001"), "--limit"),
        (("actions", "list", "--offset", HUGE), "--offset"),
        (("actions", "list", "--offset", "1000000001"), "--offset"),
        (("actions", "list", "--stale", "--stale-days", "99999999999"), "--stale-days"),
        (("actions", "list", "--stale", "--stale-days", "36501"), "--stale-days"),
        (("actions", "list", "--search", "x" * 100_000), "--search"),
        (("actions", "list", "--search", "x" * 201), "--search"),
        (("funding", "gaps", "--limit", HUGE), "--limit"),
        (("funding", "risks", "--months", "1000000"), "--months"),
        (("funding", "risks", "--months", "1201"), "--months"),
        (("funding", "risks", "--share", "1e-22"), "--share"),
        (("funding", "risks", "--share", "0.00001"), "--share"),
    ],
)
def test_an_option_out_of_range_is_refused_by_name(
    tmp_path: Path, db_url: str, engine: Engine, args: tuple[str, ...], option: str
) -> None:
    """A script that passes a huge --limit, a 100,000-character --search or --share 1e-22
    got a traceback or the database's 'pattern too complex'; it is told which option is out
    of range, with exit 2."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    before = dump(engine)
    result = tracker("--db", db_url, *args)
    assert result.code == 2, result
    assert result.err.startswith(f"tracker: {option} "), result.err
    assert len(result.err.splitlines()) == 1
    assert dump(engine) == before


@pytest.mark.parametrize(
    "args",
    [
        ("actions", "list", "--limit", "1000000", "--offset", "1000000000"),
        ("actions", "list", "--stale", "--stale-days", "36500"),
        ("actions", "list", "--search", "x" * 200),
        ("funding", "gaps", "--limit", "1000000"),
        ("funding", "risks", "--months", "1200", "--share", "0.0001"),
    ],
)
def test_an_option_at_its_limit_works(tmp_path: Path, db_url: str, args: tuple[str, ...]) -> None:
    """The largest value each option documents is accepted."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    result = tracker("--db", db_url, *args)
    assert result.code == 0, result.err
