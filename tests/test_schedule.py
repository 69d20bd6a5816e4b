"""Fiscal years and working-group meetings: from the plan file to the database and the calendar."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import ADMIN
from tests.plans import MINIMAL, with_change
from tracker.models import Framework
from tracker.seeding import PlanProblems, load_text, seed
from tracker.services.plan.schedule import Meetings, fiscal_year_of, fiscal_year_span, fiscal_years_between, meetings_of

MEETINGS = with_change(
    "  mid_term_months: 24\n",
    "  mid_term_months: 24\n"
    "  fiscal_year_starts: 7\n"
    "  meetings:\n"
    "    rule: FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU\n"
    "    starts: 2025-01-14\n"
    "    place: Government Center, 4th floor\n",
)


def test_fiscal_years_are_named_by_the_year_they_end_in() -> None:
    """A July-to-June city sees August 2025 under FY2026, as its budget office does."""
    assert fiscal_year_of(dt.date(2025, 8, 1), 7) == 2026
    assert fiscal_year_of(dt.date(2025, 6, 30), 7) == 2025
    assert fiscal_year_of(dt.date(2025, 8, 1)) == 2025
    assert fiscal_year_span(2026, 7) == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert fiscal_year_span(2026) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert fiscal_years_between(dt.date(2025, 3, 1), dt.date(2026, 7, 1), 7) == [2025, 2026, 2027]
    assert fiscal_years_between(dt.date(2026, 3, 1), dt.date(2025, 7, 1), 7) == []


def test_quarterly_meetings_on_the_second_tuesday() -> None:
    """'Quarterly on the second Tuesday' gives the dates a coordinator would put in the diary."""
    meetings = Meetings("FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU", dt.date(2025, 1, 14))
    assert meetings.after(dt.date(2025, 1, 15), 3) == [dt.date(2025, 4, 8), dt.date(2025, 7, 8), dt.date(2025, 10, 14)]
    assert meetings.after(dt.date(2025, 4, 8), 1) == [dt.date(2025, 4, 8)]  # a meeting today is still to come
    assert meetings.before(dt.date(2025, 7, 8)) == dt.date(2025, 4, 8)
    assert meetings.before(dt.date(2025, 1, 14)) is None
    every_second_month = Meetings("FREQ=MONTHLY;INTERVAL=2", dt.date(2025, 1, 31))
    assert every_second_month.after(dt.date(2025, 2, 1), 2) == [dt.date(2025, 3, 31), dt.date(2025, 5, 31)]
    # RFC 5545: a month without a 31st has no meeting (September, November); BYMONTHDAY=-1 means "the last day".
    assert every_second_month.after(dt.date(2025, 8, 1), 2) == [dt.date(2026, 1, 31), dt.date(2026, 3, 31)]
    assert meetings_of(None, None) is None


def test_meetings_and_fiscal_year_go_from_the_plan_file_to_the_database(engine: Engine) -> None:
    """A coordinator who writes the meeting rule in the plan finds it stored, and can remove it again."""
    seed(engine, [load_text(MEETINGS, source="plan.yaml")], actor=ADMIN)
    table = Framework.__table__  # type: ignore[attr-defined]
    query = sa.select(
        table.c.fiscal_year_starts, table.c.meeting_rule, table.c.meeting_starts, table.c.meeting_place
    ).where(table.c.key == "stamford-ct")
    with engine.connect() as conn:
        row = conn.execute(query).one()
    assert tuple(row) == (7, "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU", dt.date(2025, 1, 14), "Government Center, 4th floor")
    seed(engine, [load_text(MINIMAL, source="plan.yaml")], actor=ADMIN)
    with engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == (1, None, None, None)


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("every other month", "is not a recurrence rule"),
        ("FREQ=FORTNIGHTLY", "is not a recurrence rule"),
        ("FREQ=HOURLY;INTERVAL=2", "more often than daily"),
        ("DTSTART:20250101\\nRRULE:FREQ=MONTHLY", "the first meeting goes in `starts`"),
    ],
)
def test_a_wrong_meeting_rule_is_refused_where_it_was_written(rule: str, says: str) -> None:
    """A coordinator who writes a rule dateutil cannot read is told the line and an example that works."""
    text = with_change("    rule: FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU\n", f'    rule: "{rule}"\n', MEETINGS)
    with pytest.raises(PlanProblems) as caught:
        load_text(text, source="plan.yaml")
    message = str(caught.value)
    assert "plan.yaml:13:" in message
    assert "framework.meetings.rule" in message
    assert says in message


def test_the_overview_shows_the_next_meetings(engine: Engine) -> None:
    """The coordinator's first screen says when the working group meets next."""
    from tracker.db import read_session
    from tracker.services.reporting.overview import framework_overview

    seed(engine, [load_text(MEETINGS, source="plan.yaml")], actor=ADMIN)
    with read_session(engine) as session:
        [row] = framework_overview(session, today=dt.date(2025, 1, 15))
    assert row.next_meetings == (dt.date(2025, 4, 8), dt.date(2025, 7, 8), dt.date(2025, 10, 14))
    assert row.meeting_place == "Government Center, 4th floor"
