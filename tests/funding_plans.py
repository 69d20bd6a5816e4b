# ruff: noqa: E501  (plan files as users write them, long lines included)
"""A small plan whose every funding figure is worked out by hand below, for the funding tests.

Riverton budgets July to June (``fiscal_year_starts: 7``; FY2026 is 2025-07-01
to 2026-06-30) in USD; Lakeside is a second framework in EUR that shares the
EUR source. Risks are read as of TODAY (2025-06-01).

Sources (committed; allocations by action and fiscal year):

    city-budget  local_government  100,000 USD  2024-07-01..2027-06-30
                 a1 2,000 FY2025; a2 10,000 FY2026; a4 1,000 FY2026; a6 500 FY2026 (a6 is
                 cancelled, but the money was given); a7 15,000 FY2027
                 allocated 28,500, remaining 71,500
    fed-grant    federal_grant     20,000 USD   2024-10-01..2025-09-30 (ends in FY2026); the
                 file says 30,000 (plan files refuse over-commitment) and `seed_funding`
                 lowers it, as a cut award recorded later would
                 a1 1,000 FY2026; a2 20,000 FY2025 + 4,000 FY2027
                 allocated 25,000: over-committed by 5,000
    family-fdn   foundation        unknown USD, no period; a3 unknown amount FY2026
    eu-fund      foundation        9,000 EUR, no period; a4 4,000 FY2026; b1 1,000 FY2025
                 allocated 5,000, remaining 4,000

Riverton actions (cost; dates; known USD allocations):

    g1/o1 a1 train     6,100  2025-06-01..2025-07-31 in_progress  3,000 -> gap 3,100
          a2 hotline  54,600  2025-01-01..2026-06-30 planned     34,000 -> gap 20,600
          a3 mural    unknown due 2025-12-31         planned     (1 unknown amount)
    g1/o2 a4 exchange  8,000  no dates               planned      1,000 -> gap 7,000
                                                                  (+ 4,000 EUR, not counted)
          a5 survey    5,000  due 2025-03-31         done         none  -> gap 5,000
    g2/o3 a6 old       9,999  cancelled: left out of every gap and risk
          a7 youth    12,000  2026-07-01..2027-06-30 planned     15,000 -> surplus 3,000

Rollups (USD):

    o1: cost 60,700 (a3 unknown), allocated 37,000, gap 23,700
    o2: cost 13,000, allocated 1,000, gap 12,000, 1 without allocation, 1 other currency
    o3: cost 12,000, allocated 15,000, gap 0, surplus 3,000
    g1: cost 73,700, allocated 38,000, gap 35,700; g2 = o3
    riverton: cost 85,700, allocated 53,000, gap 35,700, surplus 3,000, 6 actions

Per fiscal year (July to June), pro rata by days, both ends counted:

    a1 61 days: FY2025 (June, 30 days) 6,100*30/61 = 3,000; FY2026 (July, 31) 3,100
    a2 546 days: FY2025 (181 days to 2025-06-30) 54,600*181/546 = 18,100; FY2026 (365) 36,500
    a3 due only 2025-12-31 -> FY2026, cost unknown; a5 due only -> FY2025 5,000
    a7 -> FY2027 12,000; a4 no dates -> unscheduled 8,000

    FY2025 need 26,100  allocated 22,000 (a1 2,000 + a2 20,000)          gap 4,100
    FY2026 need 39,600  allocated 12,000 (1,000 + 10,000 + 1,000)        gap 27,600
           + a3's unknown amount, + a4's 4,000 EUR
    FY2027 need 12,000  allocated 19,000 (a2 4,000 + a7 15,000)          surplus 7,000
    unscheduled need 8,000, allocated 0                                  gap 8,000
    (26,100 + 39,600 + 12,000 + 8,000 = 85,700, the framework's cost)

Risks as of 2025-06-01:

    cliff: a2 (due 2026-06-30) runs 273 days past fed-grant's end (2025-09-30):
           at risk 24,000 (all fed-grant gives it), 4,000 of it booked in FY2027, after
           the grant's last fiscal year (FY2026). a7 is due the day city-budget ends: no cliff.
    dependence > 75 %: a7 (city 15,000 of 15,000), a4 (city 1,000 of 1,000: EUR not counted);
           a2 is 24,000 / 34,000 = 70.59 % fed-grant: not; Riverton is 28,000 / 53,000 =
           52.83 % city-budget: only above a 50 % share. Lakeside: 100 % eu-fund.
    ending within 6 months (by 2025-12-01): fed-grant, 121 days left, 2 open actions
           (a1, a2), 1 running past its end (a2).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

TODAY = dt.date(2025, 6, 1)
RIVERTON = "riverton"
LAKESIDE = "lakeside"

_EU_FUND = "  - {key: eu-fund, name: European cities fund, kind: foundation, amount: 9000, currency: EUR}"
_STAKEHOLDERS = """\
stakeholders:
  - {key: city-of-riverton, name: City of Riverton, sector: local_government}
  - {key: youth-league, name: "Youth League [bold]", sector: non_profit}
"""

RIVERTON_PLAN = f"""\
framework:
  key: riverton
  city: Riverton
  state: WY
  country: US
  title: Riverton prevention framework
  stage: initial
  starts: 2025-01
  near_term_months: 6
  mid_term_months: 24
  fiscal_year_starts: 7
{_STAKEHOLDERS}funding_sources:
  - {{key: city-budget, name: City of Riverton budget, kind: local_government, amount: 100000, currency: USD, starts: 2024-07-01, ends: 2027-06-30}}
  - {{key: fed-grant, name: Federal prevention grant, kind: federal_grant, reference: FED-25-001, amount: 30000, currency: USD, starts: 2024-10-01, ends: 2025-09-30}}
  - {{key: family-fdn, name: Family foundation, kind: foundation, amount: null, currency: USD}}
{_EU_FUND}
goals:
  - key: g1
    title: Coordinate prevention
    objectives:
      - key: o1
        title: Trained and reachable
        actions:
          - key: a1
            title: Train front-line staff
            lead: city-of-riverton
            status: in_progress
            starts: 2025-06-01
            due: 2025-07-31
            cost: 6100
            funding:
              - {{source: city-budget, amount: 2000, fiscal_year: 2025}}
              - {{source: fed-grant, amount: 1000, fiscal_year: 2026}}
          - key: a2
            title: Run a help line
            lead: city-of-riverton
            starts: 2025-01-01
            due: 2026-06-30
            cost: 54600
            funding:
              - {{source: fed-grant, amount: 20000, fiscal_year: 2025}}
              - {{source: fed-grant, amount: 4000, fiscal_year: 2027}}
              - {{source: city-budget, amount: 10000, fiscal_year: 2026}}
          - key: a3
            title: Paint a mural
            lead: youth-league
            due: 2025-12-31
            cost: null
            funding: [{{source: family-fdn, amount: null, fiscal_year: 2026}}]
      - key: o2
        title: Learn from others
        actions:
          - key: a4
            title: Exchange with a twin city
            lead: city-of-riverton
            horizon: mid_term
            cost: 8000
            funding:
              - {{source: eu-fund, amount: 4000, fiscal_year: 2026}}
              - {{source: city-budget, amount: 1000, fiscal_year: 2026}}
          - key: a5
            title: Survey residents
            lead: city-of-riverton
            status: done
            due: 2025-03-31
            cost: 5000
  - key: g2
    title: Support young people
    objectives:
      - key: o3
        title: Youth programmes
        actions:
          - key: a6
            title: An abandoned idea
            lead: youth-league
            status: cancelled
            due: 2025-12-31
            cost: 9999
            funding: [{{source: city-budget, amount: 500, fiscal_year: 2026}}]
          - key: a7
            title: Youth mentoring
            lead: youth-league
            starts: 2026-07-01
            due: 2027-06-30
            cost: 12000
            funding: [{{source: city-budget, amount: 15000, fiscal_year: 2027}}]
"""

LAKESIDE_PLAN = f"""\
framework:
  key: lakeside
  city: Lakeside
  country: IE
  title: Lakeside prevention framework
  stage: draft
  starts: 2025-01
  near_term_months: 6
  mid_term_months: 24
  currency: EUR
{_STAKEHOLDERS}funding_sources:
{_EU_FUND}
goals:
  - key: g1
    title: Meet
    objectives:
      - key: o1
        title: Meet often
        actions:
          - key: b1
            title: Hold a forum
            lead: city-of-riverton
            due: 2025-05-31
            cost: 1000
            funding: [{{source: eu-fund, amount: 1000, fiscal_year: 2025}}]
"""


def seed_funding(engine):  # type: ignore[no-untyped-def]
    """Both plans seeded into ``engine``."""
    from tests.conftest import ADMIN
    from tracker.seeding import load_text, seed

    seed(
        engine,
        [load_text(RIVERTON_PLAN, source="riverton.yaml"), load_text(LAKESIDE_PLAN, source="lakeside.yaml")],
        actor=ADMIN,
    )
    import sqlalchemy as sa

    from tracker.db import write_session
    from tracker.models import FundingSource

    table = FundingSource.__table__  # type: ignore[attr-defined]
    with write_session(engine) as session:
        session.execute(sa.update(table).where(table.c.key == "fed-grant").values(amount=Decimal("20000")))
    return engine
