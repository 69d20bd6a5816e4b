"""The per-action and per-objective gap lists of the first funding screen.

They keep their shape for the callers written against them (the Funding
screen, exports and reports); `tracker.services.gaps.gap_rollup` is the
general rollup (every level, per fiscal year, actions without allocations).
Amounts of different currencies are never added together: an action's gap
counts only allocations from sources in its framework's currency (the others
are counted, not converted). An allocation or a cost of unknown amount is
counted as unknown, never as zero. Cancelled actions have no funding gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models.enums import Status
from tracker.services.actions import (
    action_t,
    allocation_t,
    framework_id,
    framework_t,
    goal_t,
    objective_t,
    stakeholder_t,
)
from tracker.services.ledger import money as _money
from tracker.services.ledger import source_t


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


def _action_funding(fid: int | None) -> sa.Subquery:
    """Per action: known allocations in its framework's currency, and the others counted."""
    same = source_t.c.currency == framework_t.c.currency
    query = (
        sa.select(
            allocation_t.c.action_id,
            sa.func.sum(allocation_t.c.amount).filter(same).label("allocated"),
            sa.func.count().filter(allocation_t.c.amount.is_(None)).label("unknown"),
            sa.func.count().filter(sa.not_(same), allocation_t.c.amount.is_not(None)).label("other"),
        )
        .select_from(
            allocation_t.join(action_t, action_t.c.id == allocation_t.c.action_id)
            .join(framework_t, framework_t.c.id == action_t.c.framework_id)
            .join(source_t, source_t.c.id == allocation_t.c.source_id)
        )
        .group_by(allocation_t.c.action_id)
    )
    if fid is not None:
        query = query.where(action_t.c.framework_id == fid)
    return query.subquery()


def funding_gaps(session: Session, *, framework: str | None = None, limit: int | None = 50) -> list[GapView]:
    """Actions (not cancelled) with a known cost above their allocations, largest gap first."""
    fid = framework_id(session, framework) if framework is not None else None
    funded = _action_funding(fid)
    allocated = sa.func.coalesce(funded.c.allocated, 0)
    gap = action_t.c.cost - allocated
    query = (
        sa.select(
            framework_t.c.key.label("framework"),
            framework_t.c.currency,
            action_t.c.key,
            action_t.c.title,
            action_t.c.status,
            action_t.c.cost,
            stakeholder_t.c.name.label("lead"),
            _money(allocated).label("allocated"),
            _money(gap).label("gap"),
            sa.func.coalesce(funded.c.unknown, 0).label("unknown"),
            sa.func.coalesce(funded.c.other, 0).label("other"),
        )
        .select_from(
            action_t.join(framework_t, framework_t.c.id == action_t.c.framework_id)
            .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
            .outerjoin(funded, funded.c.action_id == action_t.c.id)
        )
        .where(action_t.c.cost.is_not(None), action_t.c.status != Status.cancelled, gap > 0)
        .order_by(gap.desc(), framework_t.c.key, action_t.c.key)
        .limit(limit)
    )
    if fid is not None:
        query = query.where(action_t.c.framework_id == fid)
    return [
        GapView(
            ref=f"{row.framework}/{row.key}",
            title=row.title,
            status=Status(row.status),
            lead=row.lead,
            cost=row.cost,
            allocated=row.allocated,
            gap=row.gap,
            currency=row.currency,
            unknown_allocations=row.unknown,
            other_currency_allocations=row.other,
        )
        for row in session.execute(query)
    ]


def objective_gaps(session: Session, *, framework: str | None = None, limit: int | None = 50) -> list[ObjectiveGapView]:
    """Objectives with a funding gap or with actions of unknown cost (cancelled
    actions left out), largest gap first, then most actions of unknown cost."""
    fid = framework_id(session, framework) if framework is not None else None
    funded = _action_funding(fid)
    allocated = sa.func.coalesce(funded.c.allocated, 0)
    costed = action_t.c.cost.is_not(None)
    short = sa.and_(costed, action_t.c.cost > allocated)
    per_objective = (
        sa.select(
            action_t.c.objective_id,
            sa.func.sum(action_t.c.cost).label("cost"),
            sa.func.coalesce(sa.func.sum(allocated).filter(costed), 0).label("allocated"),
            sa.func.coalesce(sa.func.sum(action_t.c.cost - allocated).filter(short), 0).label("gap"),
            sa.func.count().filter(short).label("with_gap"),
            sa.func.count().filter(action_t.c.cost.is_(None)).label("without_cost"),
            sa.func.coalesce(sa.func.sum(funded.c.unknown), 0).label("unknown"),
            sa.func.coalesce(sa.func.sum(funded.c.other), 0).label("other"),
        )
        .select_from(action_t.outerjoin(funded, funded.c.action_id == action_t.c.id))
        .where(action_t.c.status != Status.cancelled)
        .group_by(action_t.c.objective_id)
    )
    if fid is not None:
        per_objective = per_objective.where(action_t.c.framework_id == fid)
    sums = per_objective.subquery()
    query = (
        sa.select(
            framework_t.c.key.label("framework"),
            framework_t.c.currency,
            objective_t.c.key,
            objective_t.c.title,
            goal_t.c.key.label("goal_key"),
            goal_t.c.title.label("goal_title"),
            _money(sums.c.cost).label("cost"),
            _money(sums.c.allocated).label("allocated"),
            _money(sums.c.gap).label("gap"),
            sums.c.with_gap,
            sums.c.without_cost,
            sums.c.unknown,
            sums.c.other,
        )
        .select_from(
            sums.join(objective_t, objective_t.c.id == sums.c.objective_id)
            .join(goal_t, goal_t.c.id == objective_t.c.goal_id)
            .join(framework_t, framework_t.c.id == objective_t.c.framework_id)
        )
        .where(sa.or_(sums.c.gap > 0, sums.c.without_cost > 0))
        .order_by(sums.c.gap.desc(), sums.c.without_cost.desc(), framework_t.c.key, objective_t.c.key)
        .limit(limit)
    )
    return [
        ObjectiveGapView(
            ref=f"{row.framework}/{row.key}",
            framework=row.framework,
            key=row.key,
            title=row.title,
            goal_key=row.goal_key,
            goal_title=row.goal_title,
            currency=row.currency,
            cost=row.cost,
            allocated=row.allocated,
            gap=row.gap,
            actions_with_gap=row.with_gap,
            actions_without_cost=row.without_cost,
            unknown_allocations=int(row.unknown),
            other_currency_allocations=int(row.other),
        )
        for row in session.execute(query)
    ]
