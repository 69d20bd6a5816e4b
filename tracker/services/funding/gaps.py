"""Funding gaps rolled up action > objective > goal > framework, or per fiscal year.

One rule at every level: an action's gap is its estimated cost minus the known
allocations to it from sources in its framework's currency, when that is more
than zero. A level's ``gap`` adds up its actions' gaps (an over-funded action
does not make up for another: its extra money is in ``surplus``). An action of
unknown cost has no gap: it is counted in ``actions_without_cost``, never as a
cost of zero. Allocations of unknown amount and allocations from sources in
another currency are counted apart, never added. Cancelled actions have left
the plan and are not counted; done actions are (their money was spent).

Everything is summed in SQL (GROUP BY over whole cents): no ORM object is
loaded, so the rollup of 100,000 actions costs about what the query does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadInput
from tracker.models.enums import Status
from tracker.services.access.rules import within
from tracker.services.funding.ledger import (
    STATUS,
    ZERO,
    amount,
    build,
    cents,
    day,
    raw,
    raw_rows,
    source_t,
)
from tracker.services.tracking.actions import (
    action_t,
    allocation_t,
    framework_t,
    frameworks_read,
    goal_t,
    objective_t,
    stakeholder_t,
)

Level = Literal["action", "objective", "goal", "framework", "year"]
LEVELS: tuple[str, ...] = get_args(Level)


@dataclass(frozen=True)
class GapRollupView:
    """The funding gap of one action, objective, goal, framework or fiscal year.

    Amounts are in ``currency`` (the framework's). ``cost`` is the sum of the
    known costs (None when no action here has one); ``allocated`` every known
    allocation to the actions here from sources in ``currency``, of which
    ``allocated_without_cost`` went to actions of unknown cost; ``gap`` the sum
    of the shortfalls of the actions of known cost (None when there is none);
    ``surplus`` what was allocated above the cost of over-funded actions.

    ``actions`` counts the (not cancelled) actions here; ``actions_with_gap``
    those short of money, ``actions_without_cost`` those of unknown cost,
    ``actions_without_allocation`` those with no allocation at all (no row,
    whatever its currency or amount). ``unknown_allocations`` counts
    allocations of unknown amount (so the gap may be smaller) and
    ``other_currency_allocations`` known ones from sources in another currency
    (not converted, not counted in ``allocated``).

    Per level: ``ref`` is ``framework/key`` for an action, objective or goal,
    the framework key for a framework, and ``framework/FY2026`` (or
    ``framework/unscheduled``) for a fiscal year. ``goal`` and ``objective``
    are the keys above an action or objective; ``status`` and ``lead`` are an
    action's; ``starts`` and ``ends`` are an action's start and due dates, or a
    fiscal year's first and last day. For a fiscal year, ``cost`` is what the
    actions running in it need (see `tracker.services.funding.gap_years`), ``allocated``
    what is allocated to that fiscal year, ``gap`` and ``surplus`` the
    difference of the two for the actions of known cost, and
    ``actions_with_gap`` the actions running that year that are short of money
    over their whole run.
    """

    level: str
    ref: str
    framework: str
    key: str
    title: str
    currency: str
    cost: Decimal | None
    allocated: Decimal
    allocated_without_cost: Decimal
    gap: Decimal | None
    surplus: Decimal
    actions: int
    actions_with_gap: int
    actions_without_cost: int
    actions_without_allocation: int
    unknown_allocations: int
    other_currency_allocations: int
    goal: str | None = None
    goal_title: str | None = None
    objective: str | None = None
    status: Status | None = None
    lead: str | None = None
    starts: dt.date | None = None
    ends: dt.date | None = None
    fiscal_year: int | None = None


def shortfall_words(rows: Sequence[GapRollupView]) -> str:
    """What the rows add up to, in words: "12,000.00 USD short; 3 actions of unknown cost".

    Gaps are added per currency; actions of unknown cost are counted, since
    their gap is unknown, not zero (at the year level an action may be counted
    in several years).
    """
    totals: dict[str, Decimal] = {}
    for r in rows:
        totals[r.currency] = totals.get(r.currency, Decimal("0.00")) + (r.gap or 0)
    unknown = sum(r.actions_without_cost for r in rows)
    known = [f"{v:,.2f} {c}" for c, v in sorted(totals.items()) if v]
    words = f"{', '.join(known)} short" if known else "no known shortfall"
    if unknown:
        words += f"; {unknown:,} action{'' if unknown == 1 else 's'} of unknown cost"
    return words


def gap_notes(row: GapRollupView) -> list[str]:
    """What a gap figure leaves out, in words, for the tables that show it."""
    action = row.level == "action"
    notes = []
    if row.actions_without_cost:
        notes.append("cost unknown" if action else f"{row.actions_without_cost} of unknown cost")
    if row.actions_without_allocation:
        notes.append("no allocation" if action else f"{row.actions_without_allocation} without allocation")
    if row.unknown_allocations:
        notes.append(f"may be less: {row.unknown_allocations} of unknown amount")
    if row.other_currency_allocations:
        notes.append(f"{row.other_currency_allocations} in another currency, not counted")
    if row.surplus:
        notes.append(f"{row.surplus:,.2f} over")
    return notes


def gap_rollup(
    session: Session,
    *,
    framework: str | None = None,
    by: Level | str = "action",
    limit: int | None = None,
    only_short: bool = False,
) -> list[GapRollupView]:
    """Funding gaps at one level of the plan, largest gap first (by year: in time order).

    Args:
        framework: a framework key, or None for every framework (each row is in
            its own framework's currency; nothing is added across frameworks).
        by: ``action``, ``objective``, ``goal``, ``framework`` or ``year`` (per
            fiscal year of each framework; see `tracker.services.funding.gap_years` for
            how an action's cost is spread over the years it runs in).
        limit: at most this many rows (None: all).
        only_short: only rows with a gap or with actions of unknown cost.

    Rows without any gap come last, then by framework and key. A level lists
    only what holds at least one action that is not cancelled.

    Raises:
        NotFound: no framework has that key.
        BadInput: ``by`` is not a level, or ``limit`` is negative.
    """
    if by not in LEVELS:
        raise BadInput(f"there is no gap level {by!r}; use one of {', '.join(LEVELS)}.")
    if limit is not None and limit < 0:
        raise BadInput(f"the limit must be 0 or more, not {limit}.")
    ids = frameworks_read(session, framework)
    if by == "year":
        from tracker.services.funding.gap_years import year_rollup

        rows = year_rollup(session, ids=ids, only_short=only_short)
        return rows if limit is None else rows[:limit]
    if by == "action":
        return _actions(session, ids, limit, only_short)
    return _groups(session, ids, by, limit, only_short)


def per_action(ids: frozenset[int] | None, *, goal: bool = False, dates: bool = False) -> sa.Select[Any]:
    """One row per action that is not cancelled: its cost and the sums of its allocations.

    ``allocated`` sums the known allocations from sources in the framework's
    currency; ``unknown`` and ``other`` count the others; ``n`` counts every
    allocation (0: none at all). ``ids``: the frameworks read (see `frameworks_read`).
    """
    same = source_t.c.currency == framework_t.c.currency
    amount_col = allocation_t.c.amount
    columns: list[Any] = [
        action_t.c.id,
        action_t.c.framework_id,
        action_t.c.objective_id,
        action_t.c.cost,
        sa.func.coalesce(sa.func.sum(amount_col).filter(same), 0).label("allocated"),
        sa.func.count(allocation_t.c.id).label("n"),
        sa.func.count(allocation_t.c.id).filter(amount_col.is_(None)).label("unknown"),
        sa.func.count(amount_col).filter(sa.not_(same)).label("other"),
    ]
    joins = (
        action_t.join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .outerjoin(allocation_t, allocation_t.c.action_id == action_t.c.id)
        .outerjoin(source_t, source_t.c.id == allocation_t.c.source_id)
    )
    if goal:
        columns.append(objective_t.c.goal_id)
        joins = joins.join(objective_t, objective_t.c.id == action_t.c.objective_id)
    if dates:
        columns += [action_t.c.starts, action_t.c.due]
    query = sa.select(*columns).select_from(joins).where(action_t.c.status != Status.cancelled)
    group: list[Any] = [action_t.c.id]
    if goal:
        group.append(objective_t.c.goal_id)
    return query.where(within(action_t.c.framework_id, ids)).group_by(*group)


def shortfall(cost: Any, allocated: Any) -> sa.ColumnElement[Any]:
    """Cost above allocations (0 when covered; 0 for an unknown cost: it is counted apart)."""
    return sa.case((cost > allocated, cost - allocated), else_=0)


def _actions(session: Session, ids: frozenset[int] | None, limit: int | None, only_short: bool) -> list[GapRollupView]:
    pa = per_action(ids).subquery()
    gap = sa.case((pa.c.cost.is_(None), None), else_=shortfall(pa.c.cost, pa.c.allocated))
    query = (
        sa.select(
            framework_t.c.key.label("framework"),
            framework_t.c.currency,
            action_t.c.key,
            action_t.c.title,
            action_t.c.status,
            action_t.c.starts,
            action_t.c.due,
            stakeholder_t.c.name.label("lead"),
            objective_t.c.key.label("objective"),
            goal_t.c.key.label("goal"),
            raw(pa.c.cost).label("cost"),
            raw(pa.c.allocated).label("allocated"),
            raw(gap).label("gap"),
            raw(shortfall(pa.c.allocated, pa.c.cost)).label("surplus"),
            pa.c.n,
            pa.c.unknown,
            pa.c.other,
        )
        .select_from(
            pa.join(action_t, action_t.c.id == pa.c.id)
            .join(framework_t, framework_t.c.id == pa.c.framework_id)
            .join(objective_t, objective_t.c.id == pa.c.objective_id)
            .join(goal_t, goal_t.c.id == objective_t.c.goal_id)
            .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
        )
        .order_by(gap.desc().nulls_last(), framework_t.c.key, action_t.c.key)
        .limit(limit)
    )
    if only_short:
        query = query.where(sa.or_(pa.c.cost.is_(None), pa.c.cost > pa.c.allocated))
    views = []
    for (
        fw,
        currency,
        key,
        title,
        status,
        starts,
        due,
        lead,
        objective,
        goal,
        cost,
        alloc,
        gap_,
        extra,
        n,
        unknown,
        other,
    ) in raw_rows(session, query):
        allocated = amount(alloc)
        views.append(
            build(
                GapRollupView,
                {
                    "level": "action",
                    "ref": f"{fw}/{key}",
                    "framework": fw,
                    "key": key,
                    "title": title,
                    "currency": currency,
                    "cost": cents(cost),
                    "allocated": allocated,
                    "allocated_without_cost": allocated if cost is None else ZERO,
                    "gap": cents(gap_),
                    "surplus": amount(extra),
                    "actions": 1,
                    "actions_with_gap": 1 if gap_ else 0,
                    "actions_without_cost": 1 if cost is None else 0,
                    "actions_without_allocation": 0 if n else 1,
                    "unknown_allocations": int(unknown),
                    "other_currency_allocations": int(other),
                    "goal": goal,
                    "objective": objective,
                    "status": STATUS[status],
                    "lead": lead,
                    "starts": day(starts),
                    "ends": day(due),
                    "fiscal_year": None,
                },
            )
        )
    return views


def group_sums(pa: Any, group: Any) -> sa.Select[Any]:
    """The sums of `per_action` rows per ``group`` (a column of ``pa``)."""
    known = pa.c.cost.is_not(None)
    return sa.select(
        group.label("gid"),
        raw(sa.func.sum(pa.c.cost)).label("cost"),
        raw(sa.func.sum(pa.c.allocated)).label("allocated"),
        raw(sa.func.sum(pa.c.allocated).filter(sa.not_(known))).label("allocated_without_cost"),
        raw(sa.func.sum(shortfall(pa.c.cost, pa.c.allocated)).filter(known)).label("gap"),
        raw(sa.func.sum(shortfall(pa.c.allocated, pa.c.cost))).label("surplus"),
        sa.func.count().label("actions"),
        sa.func.count().filter(pa.c.cost > pa.c.allocated).label("with_gap"),
        sa.func.count().filter(sa.not_(known)).label("without_cost"),
        sa.func.count().filter(pa.c.n == 0).label("without_allocation"),
        sa.func.sum(pa.c.unknown).label("unknown"),
        sa.func.sum(pa.c.other).label("other"),
    ).group_by(group)


def _groups(
    session: Session, ids: frozenset[int] | None, by: str, limit: int | None, only_short: bool
) -> list[GapRollupView]:
    pa = per_action(ids, goal=by == "goal").subquery()
    column = {"objective": pa.c.objective_id, "framework": pa.c.framework_id}.get(by)
    sums = group_sums(pa, pa.c.goal_id if column is None else column).subquery()
    if by == "objective":
        joins = (
            sums.join(objective_t, objective_t.c.id == sums.c.gid)
            .join(goal_t, goal_t.c.id == objective_t.c.goal_id)
            .join(framework_t, framework_t.c.id == objective_t.c.framework_id)
        )
        names = [objective_t.c.key, objective_t.c.title, goal_t.c.key.label("goal"), goal_t.c.title.label("goal_title")]
    elif by == "goal":
        joins = sums.join(goal_t, goal_t.c.id == sums.c.gid).join(
            framework_t, framework_t.c.id == goal_t.c.framework_id
        )
        names = [goal_t.c.key, goal_t.c.title, sa.null().label("goal"), sa.null().label("goal_title")]
    else:
        joins = sums.join(framework_t, framework_t.c.id == sums.c.gid)
        names = [framework_t.c.key, framework_t.c.title, sa.null().label("goal"), sa.null().label("goal_title")]
    query = (
        sa.select(framework_t.c.key.label("framework"), framework_t.c.currency, *names, sums)
        .select_from(joins)
        .order_by(sums.c.gap.desc().nulls_last(), sums.c.without_cost.desc(), framework_t.c.key, names[0])
        .limit(limit)
    )
    if only_short:
        query = query.where(sa.or_(sums.c.gap > 0, sums.c.without_cost > 0))
    return [
        GapRollupView(
            level=by,
            ref=r.framework if by == "framework" else f"{r.framework}/{r.key}",
            framework=r.framework,
            key=r.key,
            title=r.title,
            currency=r.currency,
            cost=cents(r.cost),
            allocated=amount(r.allocated),
            allocated_without_cost=amount(r.allocated_without_cost),
            gap=cents(r.gap),
            surplus=amount(r.surplus),
            actions=int(r.actions),
            actions_with_gap=int(r.with_gap),
            actions_without_cost=int(r.without_cost),
            actions_without_allocation=int(r.without_allocation),
            unknown_allocations=int(r.unknown),
            other_currency_allocations=int(r.other),
            goal=r.goal,
            goal_title=r.goal_title,
        )
        for r in session.execute(query)
    ]
