"""The bundled plans say what the workshop reports say, reconciled, and nothing invented."""

from __future__ import annotations

from tests.conftest import SEED_DIR
from tracker.seeding import load_files

PLANS = {p.plan.framework.key: p.plan for p in load_files(sorted(SEED_DIR.glob("*.yaml")))}


def test_the_five_pilot_cities_with_their_states() -> None:
    """The Albuquerque report's 'Albuquerque (Tennessee)' is reconciled to Chattanooga, TN."""
    places = {(p.framework.city, p.framework.state) for p in PLANS.values()}
    assert places == {
        ("Albuquerque", "NM"),
        ("Athens", "OH"),
        ("Chattanooga", "TN"),
        ("Overland Park", "KS"),
        ("Stamford", "CT"),
    }


def test_stamford_findings_are_numbered_and_translated() -> None:
    stamford = PLANS["stamford-ct"]
    workshop = next(w for w in stamford.workshops if w.held_on and w.held_on.isoformat() == "2024-12-09")
    assert len(workshop.findings) == 5
    assert all("fr" in f.translations for f in workshop.findings)
    assert "groupe de travail" in workshop.findings[1].translations["fr"]


def test_no_money_is_invented() -> None:
    """The reports give no costs or grant amounts: they stay unknown, never made up."""
    for plan in PLANS.values():
        for goal in plan.goals:
            for objective in goal.objectives:
                for action in objective.actions:
                    assert action.cost is None
                    assert all(f.amount is None for f in action.funding)
        assert all(s.amount is None for s in plan.funding_sources)


def test_the_dhs_grant_is_named_with_its_opportunity_number() -> None:
    for plan in PLANS.values():
        references = {s.reference for s in plan.funding_sources}
        assert "DHS-23-TTP-132-00-01" in references


def test_city_plans_answer_their_findings() -> None:
    """Every Albuquerque and Stamford goal cites the findings that motivated it."""
    for key in ("albuquerque-nm", "stamford-ct"):
        plan = PLANS[key]
        assert len(plan.goals) >= 3
        assert all(goal.findings for goal in plan.goals)
        horizons = {a.horizon for g in plan.goals for o in g.objectives for a in o.actions}
        assert {"near_term", "mid_term"} <= {h.value for h in horizons if h}
