"""The per-action and per-objective gap lists of the Funding screen, the report and the workbook.

They are views of `tracker.services.funding.gaps.gap_rollup` (the one place where gaps
are computed) in the shape those callers read. Amounts of different currencies
are never added together: an action's gap counts only allocations from sources
in its framework's currency (the others are counted, not converted). An
allocation or a cost of unknown amount is counted as unknown, never as zero.
Cancelled actions have no funding gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from tracker.models.enums import Status
from tracker.services.funding.gaps import gap_rollup


@dataclass(frozen=True)
class GapView:
    """An action whose known cost is more than what is allocated to it.

    ``allocated`` counts known allocations from sources in the action's
    ``currency`` (its framework's); ``unknown_allocations`` (amount not known,
    so the gap may be smaller) and ``other_currency_allocations`` (not
    converted) are counted apart.
    """

    ref: str
    title: str
    status: Status
    lead: str
    cost: Decimal
    allocated: Decimal
    gap: Decimal
    currency: str
    unknown_allocations: int
    other_currency_allocations: int


@dataclass(frozen=True)
class ObjectiveGapView:
    """An objective's funding gap: the sum of its actions' gaps.

    ``cost`` sums the known costs (None when no action has one) and
    ``allocated`` the allocations to those actions; ``gap`` adds up each
    action's shortfall (an over-funded action does not make up for another).
    Actions of unknown cost are counted in ``actions_without_cost``, never as
    zero.
    """

    ref: str
    framework: str
    key: str
    title: str
    goal_key: str
    goal_title: str
    currency: str
    cost: Decimal | None
    allocated: Decimal
    gap: Decimal
    actions_with_gap: int
    actions_without_cost: int
    unknown_allocations: int
    other_currency_allocations: int


def funding_gaps(session: Session, *, framework: str | None = None, limit: int | None = 50) -> list[GapView]:
    """Actions (not cancelled) with a known cost above their allocations, largest gap first."""
    # The rollup lists actions short of money first (largest gap first), then those of
    # unknown cost: the first ``limit`` rows hold every short one that fits.
    rows = gap_rollup(session, framework=framework, by="action", limit=limit, only_short=True)
    return [
        GapView(
            ref=r.ref,
            title=r.title,
            status=r.status or Status.planned,  # always set at the action level
            lead=r.lead or "",
            cost=r.cost,
            allocated=r.allocated,
            gap=r.gap,
            currency=r.currency,
            unknown_allocations=r.unknown_allocations,
            other_currency_allocations=r.other_currency_allocations,
        )
        for r in rows
        if r.gap and r.cost is not None  # short of money, not of unknown cost
    ]


def objective_gaps(session: Session, *, framework: str | None = None, limit: int | None = 50) -> list[ObjectiveGapView]:
    """Objectives with a funding gap or with actions of unknown cost (cancelled
    actions left out), largest gap first, then most actions of unknown cost."""
    rows = gap_rollup(session, framework=framework, by="objective", only_short=True)
    rows.sort(key=lambda r: (-(r.gap or 0), -r.actions_without_cost, r.framework, r.key))
    return [
        ObjectiveGapView(
            ref=r.ref,
            framework=r.framework,
            key=r.key,
            title=r.title,
            goal_key=r.goal or "",
            goal_title=r.goal_title or "",
            currency=r.currency,
            cost=r.cost,
            allocated=r.allocated - r.allocated_without_cost,  # what the actions of known cost have
            gap=r.gap or Decimal("0.00"),
            actions_with_gap=r.actions_with_gap,
            actions_without_cost=r.actions_without_cost,
            unknown_allocations=r.unknown_allocations,
            other_currency_allocations=r.other_currency_allocations,
        )
        for r in rows[:limit]
    ]
