# ruff: noqa: E501  (plan files as users write them, long lines included)
"""A small plan whose coverage, indicator progress and funding are worked out by hand.

Riverton's plan starts on 2025-01-01 and its indicators' targets fall on
2025-12-31: 364 days, so a measurement of 2025-07-02 (182 days in) is judged
against half the way.

Findings of workshop w1, and what answers them:
  f1  goal g1 cites it                                  answered
  f2  only `outreach` (planned, cost 5000, no money)    answered only on paper
  f3  nothing                                           unanswered
  f4  `hub` (cost 10000, 4000 allocated)                answered and funded
  f5  only `dropped` (cancelled)                        unanswered (cancelled action)
  f6  only `survey` (unknown cost, allocation unknown)  answered only on paper
  f7  only `launch` (done, no money)                    answered (the work is done)

Indicators (objective o1; o2 has none):
  visits      increase 10 -> 20    latest 16 on 07-02: 0.6 >= 0.5   on track
  referrals   increase 0 -> 100    latest 40 on 07-02: 0.4 <  0.5   off track
  waiting     decrease 50 -> 30    latest 38 on 07-02: 0.6 >= 0.5   on track
  incidents   decrease 50 -> 30    latest 46 on 07-02 (35 on 03-01, recorded later): 0.2 off track
  trust       no baseline, target 70                                  cannot be judged
  reach       baseline 5, target 9, no measurement                    cannot be judged

Funding gaps: hub 10000 - 4000 = 6000; outreach 5000; total 11000 USD.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from tests.conftest import ADMIN
from tracker.db import write_session
from tracker.seeding import load_text, seed
from tracker.services.access.members import resolve_member
from tracker.services.tracking.changes import record_measurement

FW = "riverton"
TODAY = dt.date(2025, 7, 10)

PLAN = """\
framework:
  key: riverton
  city: Riverton
  state: WY
  country: US
  title: Riverton prevention framework
  stage: initial
  starts: 2025-01-01
  near_term_months: 6
  mid_term_months: 24
  meetings:
    rule: FREQ=MONTHLY;BYDAY=+2TU
    starts: 2025-01-14
    place: City Hall, room 2
stakeholders:
  - {key: city, name: City of Riverton, sector: local_government}
  - {key: youth-ngo, name: Youth NGO, sector: non_profit}
members:
  - {login: coord, role: coordinator}
funding_sources:
  - key: state-grant
    name: State prevention grant
    kind: state_grant
    amount: 20000
    currency: USD
    starts: 2025-01-01
    ends: 2025-12-31
workshops:
  - key: w1
    title: Listening session
    held_on: 2024-11-05
    participants: [city, youth-ngo]
    findings:
      - {key: f1, text: Coordinate the city's prevention work.}
      - {key: f2, text: Reach young people outside school.}
      - {key: f3, text: Train teachers to spot early signs.}
      - {key: f4, text: Open a community hub.}
      - {key: f5, text: Run a radio campaign.}
      - {key: f6, text: Survey residents every year.}
      - {key: f7, text: Launch the plan in public.}
goals:
  - key: g1
    title: Prevention that reaches everyone
    findings: [w1/f1]
    objectives:
      - key: o1
        title: Young people have somewhere to go
        indicators:
          - {key: visits, name: Hub visits per week, unit: visits, baseline: 10, target: 20, target_date: 2025-12-31, direction: increase}
          - {key: referrals, name: Referrals to support, unit: referrals, baseline: 0, target: 100, target_date: 2025-12-31, direction: increase}
          - {key: waiting, name: Days waiting for support, unit: days, baseline: 50, target: 30, target_date: 2025-12-31, direction: decrease}
          - {key: incidents, name: Reported incidents, unit: incidents, baseline: 50, target: 30, target_date: 2025-12-31, direction: decrease}
          - {key: trust, name: Residents who trust the police, unit: percent, target: 70, target_date: 2026-12-31, direction: increase}
          - {key: reach, name: Schools reached, unit: schools, baseline: 5, target: 9, target_date: 2026-06-30, direction: increase}
        actions:
          - key: hub
            title: Open the community hub
            lead: city
            partners: [youth-ngo]
            status: in_progress
            starts: 2025-02-01
            due: 2025-12-31
            cost: 10000
            findings: [w1/f4]
            funding: [{source: state-grant, amount: 4000, fiscal_year: 2025}]
          - key: outreach
            title: Street outreach on weekends
            lead: youth-ngo
            status: planned
            due: 2025-03-31
            cost: 5000
            findings: [w1/f2]
          - key: survey
            title: Yearly resident survey
            lead: city
            status: planned
            due: 2025-11-30
            findings: [w1/f6]
            funding: [{source: state-grant, fiscal_year: 2025}]
          - key: dropped
            title: Radio campaign
            lead: city
            horizon: near_term
            status: cancelled
            findings: [w1/f5]
          - key: launch
            title: Public launch of the plan
            lead: city
            status: done
            due: 2025-02-28
            findings: [w1/f7]
      - key: o2
        title: Schools notice early signs
        actions:
          - key: training
            title: Train school staff
            lead: youth-ngo
            status: planned
            due: 2026-06-30
"""

# (indicator, value, measured on), in the order they are recorded.
MEASUREMENTS = (
    ("visits", "16", dt.date(2025, 7, 2)),
    ("referrals", "40", dt.date(2025, 7, 2)),
    ("waiting", "38", dt.date(2025, 7, 2)),
    ("incidents", "46", dt.date(2025, 7, 2)),
    ("incidents", "35", dt.date(2025, 3, 1)),  # recorded last, measured earlier: not the latest
)


def seed_riverton(engine: Engine, *, measured: bool = True) -> Engine:
    """Seed PLAN, with the coordinator's MEASUREMENTS unless ``measured`` is False."""
    seed(engine, [load_text(PLAN, source="riverton.yaml")], actor=ADMIN)
    if measured:
        for key, value, on in MEASUREMENTS:
            with write_session(engine) as session:
                record_measurement(
                    session=session, actor=resolve_member(session, "coord"), ref=f"{FW}/{key}", value=value, on=on
                )
    return engine


def with_findings(objective: str, refs: list[str], text: str = PLAN) -> str:
    """PLAN with ``objective`` citing the findings ``refs``."""
    old = f"      - key: {objective}\n"
    assert old in text, f"no objective {objective}"
    cited = ", ".join(refs)
    return text.replace(old, f"{old}        findings: [{cited}]\n", 1)
