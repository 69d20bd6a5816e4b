"""Funding gaps, sources and risks on the hand-computed plan of tests/funding_plans.py.

Every expected figure is worked out by hand in that module's docstring.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy.engine import Engine

from tests.funding_plans import LAKESIDE, RIVERTON, TODAY, seed_funding
from tracker.db import read_session
from tracker.errors import BadInput, NotFound
from tracker.services.funding.gaps import GapRollupView, gap_rollup
from tracker.services.funding.risks import funding_risks
from tracker.services.funding.sources import funding_gaps, funding_sources, objective_gaps, source_totals


def _figures(rows: list[GapRollupView]) -> dict[str, tuple[object, ...]]:
    """ref -> (cost, allocated, gap, surplus, actions, with gap, without cost, without
    allocation, unknown allocations, other-currency allocations, currency)."""
    return {
        r.ref: (
            r.cost,
            r.allocated,
            r.gap,
            r.surplus,
            r.actions,
            r.actions_with_gap,
            r.actions_without_cost,
            r.actions_without_allocation,
            r.unknown_allocations,
            r.other_currency_allocations,
            r.currency,
        )
        for r in rows
    }


def _rollup(engine: Engine, **kwargs):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return gap_rollup(session, **kwargs)


def test_action_gaps_count_unknown_cost_apart_and_flag_actions_without_allocation(engine: Engine) -> None:
    """A coordinator raising money reads each action's shortfall; an uncosted action shown as
    a gap of zero, or money in euros added to dollars, would send them after the wrong money."""
    seed_funding(engine)
    rows = _rollup(engine, framework=RIVERTON)
    assert [r.ref for r in rows] == [f"{RIVERTON}/{k}" for k in ("a2", "a4", "a5", "a1", "a7", "a3")]  # a6 cancelled
    f = _figures(rows)
    assert f["riverton/a2"] == (D("54600.00"), D("34000.00"), D("20600.00"), D("0.00"), 1, 1, 0, 0, 0, 0, "USD")
    assert f["riverton/a4"] == (D("8000.00"), D("1000.00"), D("7000.00"), D("0.00"), 1, 1, 0, 0, 0, 1, "USD")
    assert f["riverton/a5"] == (D("5000.00"), D("0.00"), D("5000.00"), D("0.00"), 1, 1, 0, 1, 0, 0, "USD")
    assert f["riverton/a7"] == (D("12000.00"), D("15000.00"), D("0.00"), D("3000.00"), 1, 0, 0, 0, 0, 0, "USD")
    assert f["riverton/a3"] == (None, D("0.00"), None, D("0.00"), 1, 0, 1, 0, 1, 0, "USD")  # unknown, not zero
    a2 = rows[0]
    assert (a2.objective, a2.goal, a2.lead, str(a2.ends)) == ("o1", "g1", "City of Riverton", "2026-06-30")
    assert [r.ref for r in _rollup(engine, framework=RIVERTON, only_short=True)] == [
        f"{RIVERTON}/{k}" for k in ("a2", "a4", "a5", "a1", "a3")
    ]
    assert len(_rollup(engine, limit=2)) == 2


def test_gaps_roll_up_to_objective_goal_and_framework(engine: Engine) -> None:
    """The leadership group reads the gap per objective, goal and framework; an over-funded
    action hiding another's shortfall, or currencies added together, would misstate it."""
    seed_funding(engine)
    objectives = _figures(_rollup(engine, framework=RIVERTON, by="objective"))
    assert objectives == {
        "riverton/o1": (D("60700.00"), D("37000.00"), D("23700.00"), D("0.00"), 3, 2, 1, 0, 1, 0, "USD"),
        "riverton/o2": (D("13000.00"), D("1000.00"), D("12000.00"), D("0.00"), 2, 2, 0, 1, 0, 1, "USD"),
        "riverton/o3": (D("12000.00"), D("15000.00"), D("0.00"), D("3000.00"), 1, 0, 0, 0, 0, 0, "USD"),
    }
    goals = _figures(_rollup(engine, framework=RIVERTON, by="goal"))
    assert goals["riverton/g1"] == (D("73700.00"), D("38000.00"), D("35700.00"), D("0.00"), 5, 4, 1, 1, 1, 1, "USD")
    assert goals["riverton/g2"] == objectives["riverton/o3"]
    frameworks = _figures(_rollup(engine, by="framework"))
    assert frameworks == {
        "riverton": (D("85700.00"), D("53000.00"), D("35700.00"), D("3000.00"), 6, 4, 1, 1, 1, 1, "USD"),
        "lakeside": (D("1000.00"), D("1000.00"), D("0.00"), D("0.00"), 1, 0, 0, 0, 0, 0, "EUR"),
    }


def test_gaps_per_fiscal_year_spread_costs_pro_rata_over_a_july_fiscal_year(engine: Engine) -> None:
    """A city budgets July to June; the gap per fiscal year tells what to ask for in each
    budget. Wrong spreading or the calendar year instead of the fiscal year would ask for
    money in the wrong budget."""
    seed_funding(engine)
    rows = _rollup(engine, framework=RIVERTON, by="year")
    assert [r.key for r in rows] == ["FY2025", "FY2026", "FY2027", "unscheduled"]
    f = _figures(rows)
    assert f["riverton/FY2025"] == (D("26100.00"), D("22000.00"), D("4100.00"), D("0.00"), 3, 3, 0, 1, 0, 0, "USD")
    assert f["riverton/FY2026"] == (D("39600.00"), D("12000.00"), D("27600.00"), D("0.00"), 3, 2, 1, 0, 1, 1, "USD")
    assert f["riverton/FY2027"] == (D("12000.00"), D("19000.00"), D("0.00"), D("7000.00"), 1, 0, 0, 0, 0, 0, "USD")
    assert f["riverton/unscheduled"] == (D("8000.00"), D("0.00"), D("8000.00"), D("0.00"), 1, 1, 0, 0, 0, 0, "USD")
    assert (str(rows[1].starts), str(rows[1].ends), rows[1].fiscal_year) == ("2025-07-01", "2026-06-30", 2026)
    assert sum(r.cost for r in rows if r.cost is not None) == D("85700.00")  # every cent of every cost, once
    [lakeside] = _rollup(engine, framework=LAKESIDE, by="year")
    assert (lakeside.key, lakeside.cost, lakeside.currency) == ("FY2025", D("1000.00"), "EUR")


def test_sources_balance_over_commitment_unknown_amounts_and_totals_per_currency(engine: Engine) -> None:
    """Before promising money a coordinator checks what each source has left; an unknown
    commitment shown as zero, or euros added to dollars in the totals, would mislead them."""
    seed_funding(engine)
    with read_session(engine) as session:
        sources = {s.key: s for s in funding_sources(session, today=TODAY)}
        totals = [(t.group, t.currency, t.committed, t.allocated, t.remaining, t.sources_without_amount,
                   t.over_committed) for t in source_totals(session, today=TODAY)]  # fmt: skip
        here = {s.key: s.allocated_here for s in funding_sources(session, today=TODAY, framework=LAKESIDE)}
    fed = sources["fed-grant"]
    assert (fed.committed, fed.allocated, fed.remaining, fed.over_committed) == (
        D("20000.00"), D("25000.00"), D("-5000.00"), True,
    )  # fmt: skip
    family = sources["family-fdn"]
    assert (family.committed, family.remaining, family.unknown_allocations) == (None, None, 1)
    assert sources["city-budget"].allocated == D("28500.00")  # a6 is cancelled, but its 500 was given
    assert totals == [
        ("federal", "USD", D("20000.00"), D("25000.00"), D("-5000.00"), 0, 1),
        ("local government", "USD", D("100000.00"), D("28500.00"), D("71500.00"), 0, 0),
        ("foundations", "EUR", D("9000.00"), D("5000.00"), D("4000.00"), 0, 0),
        ("foundations", "USD", None, D("0.00"), None, 1, 0),
    ]
    assert here == {"eu-fund": D("1000.00")}


def test_risks_find_the_cliff_the_single_source_actions_and_the_source_ending_soon(engine: Engine) -> None:
    """The coordinator's sustainability review: work running past a grant's end, actions
    resting on one funder, grants about to end. Missed, the money stops with no warning."""
    seed_funding(engine)
    with read_session(engine) as session:
        risks = funding_risks(session, framework=RIVERTON, today=TODAY)
        half = funding_risks(session, framework=RIVERTON, today=TODAY, share=D("0.5"), months=0)
        everywhere = funding_risks(session, today=TODAY)
    [cliff] = risks.cliffs
    assert (cliff.ref, cliff.source, str(cliff.source_ends), cliff.days_after) == (
        "riverton/a2", "fed-grant", "2025-09-30", 273,
    )  # fmt: skip
    assert (cliff.at_risk, cliff.booked_after_end, cliff.currency) == (D("24000.00"), D("4000.00"), "USD")
    assert [(d.ref, d.source, d.share) for d in risks.dependent_actions] == [
        ("riverton/a7", "city-budget", D("1.0000")),
        ("riverton/a4", "city-budget", D("1.0000")),  # its 4,000 EUR are not added to dollars
    ]
    assert risks.dependent_frameworks == ()  # 52.83 % from city-budget
    [ending] = risks.ending_sources
    assert (ending.key, ending.days_left, ending.allocated, ending.open_actions, ending.running_past_end) == (
        "fed-grant", 121, D("25000.00"), 2, 1,
    )  # fmt: skip
    assert [(d.ref, d.share) for d in half.dependent_frameworks] == [("riverton", D("0.5283"))]
    assert half.ending_sources == ()  # months=0: only a source ending today would do
    assert [d.ref for d in everywhere.dependent_frameworks] == ["lakeside"]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s: gap_rollup(s, by="week"), BadInput),
        (lambda s: gap_rollup(s, framework="nowhere"), NotFound),
        (lambda s: funding_risks(s, months=-1, today=TODAY), BadInput),
        (lambda s: funding_risks(s, share=D("75"), today=TODAY), BadInput),
    ],
)
def test_bad_requests_are_refused_in_one_sentence(engine: Engine, call, error) -> None:  # type: ignore[no-untyped-def]
    """A typo in a level, a framework, a month count or a share gets a clear refusal, not
    an empty report that looks like good news."""
    seed_funding(engine)
    with read_session(engine) as session, pytest.raises(error) as raised:
        call(session)
    assert raised.value.message.endswith(".")


def test_the_first_gap_lists_still_answer_as_before(engine: Engine) -> None:
    """Exports and reports call funding_gaps and objective_gaps from tracker.services.funding.sources;
    moved code must still answer there, with the same figures."""
    seed_funding(engine)
    with read_session(engine) as session:
        gaps = funding_gaps(session, framework=RIVERTON)
        objectives = objective_gaps(session, framework=RIVERTON)
    assert [(g.ref, g.gap) for g in gaps] == [
        ("riverton/a2", D("20600.00")), ("riverton/a4", D("7000.00")),
        ("riverton/a5", D("5000.00")), ("riverton/a1", D("3100.00")),
    ]  # fmt: skip
    assert [(o.ref, o.gap) for o in objectives] == [("riverton/o1", D("23700.00")), ("riverton/o2", D("12000.00"))]


def test_action_lists_never_add_money_of_another_currency(engine: Engine) -> None:
    """The actions list and detail say what an action has in its framework's currency: a4's 4,000 EUR
    from the European fund is counted apart, not added to its 1,000 USD."""
    from tracker.services.tracking.actions import list_actions
    from tracker.services.tracking.filters import ActionFilter

    seed_funding(engine)
    with read_session(engine) as session:
        rows = {r.key: r for r in list_actions(session, ActionFilter(framework=RIVERTON, limit=100), today=TODAY)}
    a4 = rows["a4"]
    assert (a4.funded, a4.currency, a4.other_currency_allocations) == (D("1000.00"), "USD", 1)
    assert a4.funded_text() == "1,000.00 USD + 1 in another currency (not added)"
    a3 = rows["a3"]
    assert (a3.funded, a3.unknown_allocations) == (D("0.00"), 1)
    assert a3.funded_text() == "0.00 USD + 1 of unknown amount"
