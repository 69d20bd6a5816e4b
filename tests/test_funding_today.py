"""Funding risks true as of today: open work runs until the later of its due date and today,
a source whose end date has passed has ended, and what it never allocated has lapsed.

Two plans: the hand-computed Riverton plan of tests/funding_plans.py read on fixed days
(the service takes today as an argument), and the Harbor plan below, written relative to
the real date, read through the CLI and the app as a user would on the day.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import DataTable, Static

from tests.cli import tracker
from tests.conftest import ADMIN, admin_login
from tests.funding_plans import RIVERTON, TODAY, seed_funding
from tests.test_tui_screens import _cells, _plain
from tests.tui import open_app, settle
from tracker.db import read_session
from tracker.seeding import load_text, seed
from tracker.services.funding.risks import funding_risks
from tracker.services.funding.sources import funding_sources, source_totals

# -- the Riverton plan on fixed days ---------------------------------------------------------


def _cliffs(engine: Engine, today: dt.date) -> list[tuple[object, ...]]:
    with read_session(engine) as session:
        risks = funding_risks(session, framework=RIVERTON, today=today)
    return [
        (c.ref, c.source, c.source_ended, c.due, c.runs_until, c.days_after, c.at_risk, c.booked_after_end)
        for c in risks.cliffs
    ]


def test_a_grant_that_ends_later_or_on_the_day_has_not_ended(engine: Engine) -> None:
    """Before fed-grant's last day (2025-09-30) and on it, the grant is running: only work due
    after its end (a2) is a cliff and nothing has lapsed; a source marked ended a day early
    would hide money the plan can still allocate."""
    seed_funding(engine)
    a2 = ("riverton/a2", "fed-grant", False, dt.date(2026, 6, 30), dt.date(2026, 6, 30), 273, D("24000.00"))
    for today in (TODAY, dt.date(2025, 9, 30)):
        # a1 (in progress, due 2025-07-31) runs until at most 2025-09-30: not past the end
        assert _cliffs(engine, today) == [(*a2, D("4000.00"))]
        with read_session(engine) as session:
            sources = funding_sources(session, today=today)
        assert [(s.key, s.ended, s.lapsed) for s in sources if s.ended or s.lapsed is not None] == []
    with read_session(engine) as session:
        risks = funding_risks(session, framework=RIVERTON, today=dt.date(2025, 9, 30))
    [ending] = risks.ending_sources  # ends today: within the window, 0 days left
    assert (ending.key, ending.days_left, ending.open_actions, ending.running_past_end) == ("fed-grant", 0, 2, 1)


def test_a_grant_that_ended_makes_every_open_action_it_funds_a_cliff(engine: Engine) -> None:
    """The day after fed-grant ends, a1 (in progress, due 2025-07-31) is still open work that
    the grant no longer pays for: a cliff, with the days counted to today. Missed, the
    coordinator would read "no cliff" while the work runs on without its money."""
    seed_funding(engine)
    day_after = dt.date(2025, 10, 1)
    a2 = ("riverton/a2", "fed-grant", True, dt.date(2026, 6, 30), dt.date(2026, 6, 30), 273)
    # a1: 1,000 FY2026 from fed-grant; runs until today, 2025-10-01 - 2025-09-30 = 1 day after;
    # FY2026 is the grant's last fiscal year (July 2025 to June 2026): nothing booked after it
    a1 = ("riverton/a1", "fed-grant", True, dt.date(2025, 7, 31), day_after, 1, D("1000.00"), D("0.00"))
    assert _cliffs(engine, day_after) == [(*a2, D("24000.00"), D("4000.00")), a1]
    with read_session(engine) as session:
        risks = funding_risks(session, framework=RIVERTON, today=day_after)
        sources = {s.key: s for s in funding_sources(session, today=day_after)}
    assert risks.ending_sources == ()  # an ended source no longer "ends soon"
    fed = sources["fed-grant"]
    # committed 20,000 - allocated 25,000 = -5,000: over-committed, so nothing lapses
    assert (fed.ended, fed.remaining, fed.lapsed, fed.over_committed) == (True, D("-5000.00"), D("0.00"), True)
    assert (sources["city-budget"].ended, sources["city-budget"].lapsed) == (False, None)


def test_after_the_city_budget_ends_its_unallocated_money_has_lapsed(engine: Engine) -> None:
    """On 2027-07-01 city-budget (ended 2027-06-30) has 100,000 - 28,500 = 71,500 it never
    allocated: lapsed, not remaining; every open action it funds runs one day past its end,
    the one without a due date (a4) included. Shown as remaining, the coordinator would
    promise money that is gone."""
    seed_funding(engine)
    today = dt.date(2027, 7, 1)
    cliffs = _cliffs(engine, today)
    # fed-grant first (it ended first), then city-budget's by amount: a7 15,000, a2 10,000,
    # a1 2,000, a4 1,000 (a6, cancelled, is no cliff); all run until today, 1 day after.
    assert [(c[0], c[1], c[5], c[6]) for c in cliffs] == [
        ("riverton/a2", "fed-grant", (today - dt.date(2025, 9, 30)).days, D("24000.00")),
        ("riverton/a1", "fed-grant", (today - dt.date(2025, 9, 30)).days, D("1000.00")),
        ("riverton/a7", "city-budget", 1, D("15000.00")),
        ("riverton/a2", "city-budget", 1, D("10000.00")),
        ("riverton/a1", "city-budget", 1, D("2000.00")),
        ("riverton/a4", "city-budget", 1, D("1000.00")),
    ]
    assert [c[3] for c in cliffs if c[0] == "riverton/a4"] == [None]  # no due date: runs until today
    with read_session(engine) as session:
        city = next(s for s in funding_sources(session, today=today) if s.key == "city-budget")
        totals = {t.group: t for t in source_totals(session, today=today) if t.currency == "USD"}
    assert (city.ended, city.committed, city.allocated, city.remaining, city.lapsed) == (
        True, D("100000.00"), D("28500.00"), D("0.00"), D("71500.00"),
    )  # fmt: skip
    local = totals["local government"]
    assert (local.remaining, local.lapsed, local.ended) == (D("0.00"), D("71500.00"), 1)
    federal = totals["federal"]  # over-committed: still -5,000, and nothing lapsed
    assert (federal.remaining, federal.lapsed, federal.ended) == (D("-5000.00"), D("0.00"), 1)


# -- the Harbor plan, relative to the real date, through the CLI and the app -----------------

T = dt.date.today()
GONE_ENDS = T - dt.timedelta(days=30)
SOON_ENDS = T + dt.timedelta(days=45)
LATER_ENDS = T + dt.timedelta(days=1000)
H1_DUE = T + dt.timedelta(days=60)
H3_DUE = T + dt.timedelta(days=100)


def _harbor_plan() -> str:
    """Three sources: ``gone`` ended 30 days ago, ``soon`` ends in 45 days, ``later`` in 1,000.

    gone  50,000: h1 20,000 (its last fiscal year) + 4,000 (the year after); h2 (done)
          10,000; h5 (no due date) 1,000 -> allocated 35,000, lapsed 50,000 - 35,000 = 15,000
    soon  40,000: h1 5,000; h3 15,000 -> allocated 20,000, remaining 20,000
    later 100,000: h3 8,000; h4 12,000 -> allocated 20,000, remaining 80,000
    """
    gone_fy, soon_fy = GONE_ENDS.year, SOON_ENDS.year
    return f"""\
framework:
  key: harbor
  city: Harbor
  country: US
  title: Harbor prevention framework
  stage: initial
  starts: {(T - dt.timedelta(days=400)).isoformat()[:7]}
  near_term_months: 6
  mid_term_months: 24
stakeholders:
  - {{key: city-of-harbor, name: City of Harbor, sector: local_government}}
funding_sources:
  - {{key: gone, name: Grant that ended, kind: federal_grant, amount: 50000, currency: USD, ends: {GONE_ENDS}}}
  - {{key: soon, name: Grant ending soon, kind: state_grant, amount: 40000, currency: USD, ends: {SOON_ENDS}}}
  - {{key: later, name: Foundation, kind: foundation, amount: 100000, currency: USD, ends: {LATER_ENDS}}}
goals:
  - key: g1
    title: Keep the harbour safe
    objectives:
      - key: o1
        title: Services
        actions:
          - key: h1
            title: Run the outreach team
            lead: city-of-harbor
            due: {H1_DUE}
            funding:
              - {{source: gone, amount: 20000, fiscal_year: {gone_fy}}}
              - {{source: gone, amount: 4000, fiscal_year: {gone_fy + 1}}}
              - {{source: soon, amount: 5000, fiscal_year: {soon_fy}}}
          - key: h2
            title: Finished survey
            lead: city-of-harbor
            status: done
            due: {GONE_ENDS - dt.timedelta(days=10)}
            funding: [{{source: gone, amount: 10000, fiscal_year: {gone_fy}}}]
          - key: h3
            title: Youth centre
            lead: city-of-harbor
            status: in_progress
            due: {H3_DUE}
            funding:
              - {{source: soon, amount: 15000, fiscal_year: {soon_fy}}}
              - {{source: later, amount: 8000, fiscal_year: {soon_fy}}}
          - key: h4
            title: Mentoring
            lead: city-of-harbor
            due: {T + dt.timedelta(days=200)}
            funding: [{{source: later, amount: 12000, fiscal_year: {LATER_ENDS.year}}}]
          - key: h5
            title: Open-ended help desk
            lead: city-of-harbor
            horizon: mid_term
            funding: [{{source: gone, amount: 1000, fiscal_year: {gone_fy}}}]
"""


@pytest.fixture
def harbor(engine: Engine, db_url: str) -> str:
    seed(engine, [load_text(_harbor_plan(), source="harbor.yaml")], actor=ADMIN)
    return db_url


def test_cli_risks_as_of_today_for_ended_ending_and_later_sources(harbor: str) -> None:
    """`funding risks --json` on the real date: the ended grant's open work (h1, and h5 with no
    due date) is a cliff; the grant ending in 45 days makes cliffs of work due after it and is
    listed as ending soon; the one ending in 1,000 days is neither. Done work (h2) is no cliff."""
    result = tracker("--db", harbor, "funding", "risks", "-f", "harbor", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["today"] == T.isoformat()
    cliffs = [
        (c["ref"], c["source"], c["source_ended"], c["due"], c["runs_until"], c["days_after"], c["at_risk"],
         c["booked_after_end"])
        for c in data["cliffs"]
    ]  # fmt: skip
    assert cliffs == [
        # gone: h1 runs to its due date, 60 + 30 = 90 days past the end; 20,000 + 4,000 at
        # risk, the 4,000 booked in the fiscal year after the grant's last
        ("harbor/h1", "gone", True, H1_DUE.isoformat(), H1_DUE.isoformat(), 90, "24000.00", "4000.00"),
        # h5 has no due date: it runs until today, 30 days past the end
        ("harbor/h5", "gone", True, None, T.isoformat(), 30, "1000.00", "0.00"),
        # soon: h3 due in 100 days, 100 - 45 = 55 days past; h1 due in 60, 60 - 45 = 15
        ("harbor/h3", "soon", False, H3_DUE.isoformat(), H3_DUE.isoformat(), 55, "15000.00", "0.00"),
        ("harbor/h1", "soon", False, H1_DUE.isoformat(), H1_DUE.isoformat(), 15, "5000.00", "0.00"),
    ]
    # ending within 6 months: soon only (gone has ended, later is 1,000 days away);
    # 5,000 + 15,000 allocated, both h1 and h3 open and due after its end
    assert [
        (e["key"], e["days_left"], e["allocated"], e["open_actions"], e["running_past_end"])
        for e in data["ending_sources"]
    ] == [("soon", 45, "20000.00", 2, 2)]
    table = tracker("--db", harbor, "funding", "risks", "-f", "harbor")
    assert table.code == 0, table.err
    assert "Funding cliffs: 4 open actions" in table.out and f"{GONE_ENDS} ENDED" in table.out


def test_cli_sources_mark_the_ended_source_and_its_lapsed_money(harbor: str) -> None:
    """`funding sources` marks the ended grant and shows what it never allocated as lapsed, not
    as remaining; the sources still running keep their remaining money."""
    data = json.loads(tracker("--db", harbor, "funding", "sources", "--json").out)
    rows = {s["key"]: (s["ended"], s["allocated"], s["remaining"], s["lapsed"]) for s in data["sources"]}
    assert rows == {
        "gone": (True, "35000.00", "0.00", "15000.00"),  # 20,000 + 4,000 + 10,000 + 1,000; 50,000 - 35,000
        "soon": (False, "20000.00", "20000.00", None),  # 40,000 - (5,000 + 15,000)
        "later": (False, "20000.00", "80000.00", None),  # 100,000 - (8,000 + 12,000)
    }
    federal = next(t for t in data["totals"] if t["group"] == "federal")
    assert (federal["remaining"], federal["lapsed"], federal["ended"]) == ("0.00", "15000.00", 1)
    table = tracker("--db", harbor, "funding", "sources")
    assert table.code == 0, table.err
    assert "ENDED, 15,000.00 lapsed" in table.out and "1 ended: what they never allocated has lapsed" in table.out
    report = tracker("--db", harbor, "report", "-f", "harbor")
    assert report.code == 0, report.err
    assert f"{GONE_ENDS} (ended)" in report.out and "0.00 USD (15,000.00 USD lapsed)" in report.out
    assert "open work that runs past the end of a source that funds it (4)" in report.out


async def test_the_funding_screen_shows_the_ended_source_and_the_cliff(engine: Engine, harbor: str) -> None:
    """The Funding screen marks the ended grant, shows its lapsed money instead of a balance,
    and names the cliff it leaves; broken, the coordinator would plan with money that is gone."""
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f")
        await settle(app, pilot)
        gone = _cells(app.screen.query_one("#funding-sources", DataTable), "gone")
        assert gone["remaining"] == "ended: 15,000.00 lapsed" and gone["period"] == f"? to {GONE_ENDS} ENDED"
        assert _cells(app.screen.query_one("#funding-sources", DataTable), "soon")["remaining"] == "20,000.00"
        assert "1 ended" in str(app.screen.query_one("#sources-title", Static).content)
        risks = _plain(app.screen.query_one("#funding-risks", Static).content, width=400)  # type: ignore[arg-type]
        assert (
            f"4 funding cliffs: harbor/h1 runs 90 days past gone (ENDED {GONE_ENDS}), 24,000.00 USD; "
            f"harbor/h5 runs 30 days past gone (ENDED {GONE_ENDS}), 1,000.00 USD; "
            f"harbor/h3 runs 55 days past soon (ends {SOON_ENDS}), 15,000.00 USD; and 1 more"
        ) in risks
