"""Extreme numbers, dates and sizes, generated: through the CLI's options and through plan
files, tracker answers with exit 0 or 2 (never a traceback) and changes nothing on refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL, with_change

EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,  # the same examples on every run and backend: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

big_ints = st.one_of(
    st.integers(-(10**25), 10**25),
    st.integers(-3, 3),
    st.sampled_from([0, 1, 1_000_000, 1_000_001, 36_500, 36_501, 1_200, 1_201, 10**9, 10**9 + 1]),
)
numbers = st.one_of(
    big_ints.map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.sampled_from(["1e309", "-1e309", "1e-50", "1.23456789", "10000000000", "10000000000.01", "0.000001",
                     "999999999999999999.999999", "1e18", "NaN", "sNaN", "-inf", "9" * 60, "9" * 5000]),
)  # fmt: skip
dates = st.one_of(
    st.sampled_from(["0001-01", "9999-12", "9999-12-31", "1899-12-31", "1900-01-01", "2200-12-31", "2201-01-01",
                     "+9999y", "-9999y", "+1y", "today", "2025-02-30"]),
    st.dates().map(lambda d: d.isoformat()),
)  # fmt: skip
shares = st.one_of(numbers, st.decimals(min_value=0, max_value=1).map(str))
search = st.integers(0, 400).map(lambda n: "x" * n)


def _options() -> st.SearchStrategy[tuple[str, ...]]:
    return st.one_of(
        big_ints.map(lambda n: ("actions", "list", "--limit", str(n))),
        big_ints.map(lambda n: ("actions", "list", "--offset", str(n))),
        big_ints.map(lambda n: ("actions", "list", "--stale", "--stale-days", str(n))),
        search.map(lambda s: ("actions", "list", "--search", s)),
        dates.map(lambda d: ("actions", "list", "--due-before", d)),
        dates.map(lambda d: ("actions", "list", "--due-after", d)),
        big_ints.map(lambda n: ("funding", "gaps", "--limit", str(n))),
        st.tuples(big_ints, shares).map(lambda t: ("funding", "risks", "--months", str(t[0]), "--share", t[1])),
        dates.map(lambda d: ("report", "-f", "stamford-ct", "--since", d)),
        st.tuples(numbers, dates).map(
            lambda t: ("--as", "ana", "indicators", "record", "--on", t[1], "--", "stamford-ct/meetings", t[0])
        ),
    )


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    assert tracker("--db", db_url, "member", "add", "ana", "--role", "coordinator", "-f", "stamford-ct").code == 0
    return db_url


@EXAMPLES
@given(args=_options())
def test_extreme_options_get_exit_0_or_2(db: str, engine: Engine, args: tuple[str, ...]) -> None:
    """Whatever a script passes as a number, date or search text, the command finishes with
    its answer or one sentence (exit 2), and a refused command writes nothing."""
    before = dump(engine)
    result = tracker("--db", db, *args)  # an exception here is a traceback a user would see
    assert result.code in (0, 2), (args, result.err)
    if result.code == 2:
        assert result.err.strip() and "Traceback" not in result.err
        assert dump(engine) == before


PLAN_SLOTS = {
    "cost": ("            cost: 15000\n", "            cost: {}\n"),
    "amount": ("amount: 10000, fiscal_year", "amount: {}, fiscal_year"),
    "baseline": ("baseline: 0,", "baseline: {},"),
    "target": ("target: 6,", "target: {},"),
    "committed": ("    amount: 50000\n", "    amount: {}\n"),
    "fiscal_year": ("fiscal_year: 2025}", "fiscal_year: {}}}"),
    "near_term_months": ("  near_term_months: 6\n", "  near_term_months: {}\n"),
}
DATE_SLOTS = {
    "due": ("            due: 2025-06-30\n", "            due: {}\n"),
    "starts": ("  starts: 2025-01\n", "  starts: {}\n"),
    "held_on": ("    held_on: 2024-12-09\n", "    held_on: {}\n"),
    "target_date": ("target_date: 2025-12", "target_date: {}"),
    "source_ends": ("    ends: 2025-09-30\n", "    ends: {}\n"),
}


@st.composite
def extreme_plans(draw: st.DrawFn) -> str:
    text = MINIMAL
    for old, new in draw(st.lists(st.sampled_from(list(PLAN_SLOTS.values())), max_size=2, unique=True)):
        text = with_change(old, new.format(draw(numbers)), text)
    for old, new in draw(st.lists(st.sampled_from(list(DATE_SLOTS.values())), max_size=2, unique=True)):
        text = with_change(old, new.format(draw(dates)), text)
    if draw(st.booleans()):
        title = draw(st.sampled_from(["x" * 500, "x" * 501, "x\\0y", "ok"]))
        text = with_change("  title: Stamford prevention framework\n", f'  title: "{title}"\n', text)
    return text


@EXAMPLES
@given(text=extreme_plans())
def test_extreme_plan_files_get_exit_0_or_2(db: str, engine: Engine, tmp_path: Path, text: str) -> None:
    """A plan file with extreme numbers, dates or text is seeded or refused with located
    problems, never a traceback, and a refused file writes nothing."""
    path = tmp_path / "extreme.yaml"
    path.write_text(text)
    before = dump(engine)
    result = tracker("--db", db, "seed", str(path))
    assert result.code in (0, 2), result.err
    if result.code == 2:
        assert result.err.startswith(f"{path}:") or result.err.startswith("tracker: "), result.err
        assert dump(engine) == before
    else:
        for args in (
            ("summary",),
            ("report", "-f", "stamford-ct"),
            ("funding", "gaps", "--by", "year"),
            ("export", "--format", "ics", "-o", str(tmp_path / "plan.ics")),
            ("export", "--format", "xlsx", "-o", str(tmp_path / "plan.xlsx")),
            ("export", "--format", "plan", "-f", "stamford-ct", "-o", str(tmp_path / "plan.out.yaml")),
        ):
            done = tracker("--db", db, *args)
            assert done.code == 0, (args, done.err)
