"""Small plan files for tests, as text, so tests can break them in the ways users do."""

from __future__ import annotations

MINIMAL = """\
framework:
  key: stamford-ct
  city: Stamford
  state: CT
  country: US
  title: Stamford prevention framework
  stage: draft
  starts: 2025-01
  near_term_months: 6
  mid_term_months: 24
stakeholders:
  - {key: city-of-stamford, name: City of Stamford, sector: local_government}
  - {key: domus-kids, name: Domus Kids, sector: non_profit}
  - {key: union-church, name: Union Church, sector: faith}
funding_sources:
  - key: dhs-cp3
    name: DHS Center for Prevention Programs and Partnerships
    kind: federal_grant
    reference: DHS-23-TTP-132-00-01
    amount: 50000
    currency: USD
    starts: 2023-10-01
    ends: 2025-09-30
workshops:
  - key: "2024-12-09"
    title: Leadership group workshop
    held_on: 2024-12-09
    participants: [city-of-stamford, domus-kids, union-church]
    findings:
      - key: f2
        text: The city should create a working group to coordinate prevention efforts.
        translations: {fr: La ville devrait créer un groupe de travail.}
      - key: f3
        text: The city should provide mechanisms for reporting bias incidents.
goals:
  - key: g1
    title: Coordinate prevention across the city
    findings: [2024-12-09/f2]
    objectives:
      - key: g1-o1
        title: A standing working group
        indicators:
          - {key: meetings, name: Working-group meetings held, unit: meetings, baseline: 0, target: 6, target_date: 2025-12, direction: increase}
        actions:
          - key: convene
            title: Convene the working group
            horizon: near_term
            lead: city-of-stamford
            partners: [domus-kids]
            status: planned
            starts: 2025-02
            due: 2025-06-30
            cost: 15000
            findings: [2024-12-09/f2]
            funding: [{source: dhs-cp3, amount: 10000, fiscal_year: 2025}]
          - key: reporting
            title: Open a bias-incident reporting line
            lead: union-church
            due: 2026-03
            cost: null
"""


def with_change(old: str, new: str, text: str = MINIMAL) -> str:
    """``text`` with one exact edit; fails loudly if the edit does not apply."""
    assert old in text, f"{old!r} is not in the plan"
    return text.replace(old, new, 1)
