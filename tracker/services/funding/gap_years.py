"""Funding gaps per fiscal year: what the actions running in a year need against what is
allocated to that year.

How an action's estimated cost is spread over fiscal years (each framework's
own, from its ``fiscal_year_starts``; a year is named by the calendar year it
ends in):

* with a start and a due date: pro rata by days, both days counted. An action
  from 2025-06-01 to 2025-07-31 in a July-to-June framework puts 30/61 of its
  cost in FY2025 and 31/61 in FY2026. Whole cents are shared so that the parts
  add up to the cost exactly (each year gets ``cost * days up to its end //
  all days`` minus what the years before got);
* with only a due date (or only a start date): all of it in the fiscal year of
  that date;
* with neither: all of it in an ``unscheduled`` row (``fiscal_year`` None).

Allocations count in the fiscal year they are given for, whatever the
action's dates. A year's ``gap`` is what its actions of known cost need minus
what is allocated to them for that year (more than zero), its ``surplus`` the
other way round: money allocated to one year does not cover another year.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models.enums import Status
from tracker.services.access.rules import within
from tracker.services.funding.gaps import GapRollupView, per_action
from tracker.services.funding.ledger import ZERO, amount, cents, day_number, day_of, raw, source_t
from tracker.services.plan.schedule import fiscal_year_span
from tracker.services.tracking.actions import action_t, allocation_t, framework_t


def _fiscal_years(session: Session, ids: frozenset[int] | None) -> sa.CTE:
    """Every fiscal year the actions may run in, for each fiscal-year start in use:
    (month, year, first day number, last day number). Month 0 (no framework's) stands
    for none when no action has a date."""
    query = sa.select(
        sa.func.min(sa.func.coalesce(action_t.c.starts, action_t.c.due)),
        sa.func.max(sa.func.coalesce(action_t.c.due, action_t.c.starts)),
    ).where(action_t.c.status != Status.cancelled, within(action_t.c.framework_id, ids))
    months = sa.select(framework_t.c.fiscal_year_starts).distinct().where(within(framework_t.c.id, ids))
    first, last = session.execute(query).one()
    rows = [(0, 0, 0, 0)]
    for month in session.execute(months).scalars() if first is not None else ():
        for year in range(first.year, last.year + 2):
            begins, ends = fiscal_year_span(year, month)
            rows.append((month, year, day_of(begins), day_of(ends)))
    columns = (sa.column(name, sa.Integer) for name in ("fy_month", "fy_year", "fy_first", "fy_last"))
    return sa.values(*columns, name="fiscal_year").data(rows).cte("fiscal_year")


def _needs(session: Session, ids: frozenset[int] | None) -> sa.Select[Any]:
    """Per framework and fiscal year: the spread cost and the counts of the actions running then."""
    pa = per_action(ids, dates=True).subquery()
    begins = day_number(session, sa.func.coalesce(pa.c.starts, pa.c.due))
    ends = day_number(session, sa.func.coalesce(pa.c.due, pa.c.starts))
    spans = (
        sa.select(
            pa.c.framework_id,
            pa.c.cost,
            pa.c.allocated,
            pa.c.n,
            begins.label("b"),
            ends.label("e"),
            pa.c.starts,
            pa.c.due,
        )
    ).subquery()

    def counts(share: Any, year: Any) -> list[Any]:
        return [
            spans.c.framework_id.label("framework_id"),
            year.label("year"),
            raw(sa.func.sum(share)).label("need"),
            sa.func.count().label("actions"),
            sa.func.count().filter(spans.c.cost > spans.c.allocated).label("with_gap"),
            sa.func.count().filter(spans.c.cost.is_(None)).label("without_cost"),
            sa.func.count().filter(spans.c.n == 0).label("without_allocation"),
            *(sa.literal(0).label(name) for name in ("allocated", "allocated_without_cost", "unknown", "other")),
        ]

    years = _fiscal_years(session, ids)
    total = spans.c.e - spans.c.b + 1
    before = sa.case((years.c.fy_first > spans.c.b, years.c.fy_first - spans.c.b), else_=0)
    upto = sa.case((years.c.fy_last < spans.c.e, years.c.fy_last - spans.c.b + 1), else_=total)
    cost = sa.type_coerce(spans.c.cost, sa.BigInteger)
    # Integer division of whole cents: the parts add up to the cost exactly. An action
    # without dates meets no fiscal year (the outer join gives it a NULL year): all of it
    # is unscheduled.
    share = sa.case((years.c.fy_year.is_(None), cost), else_=cost * upto // total - cost * before // total)
    return (
        sa.select(*counts(share, years.c.fy_year))
        .select_from(
            spans.join(framework_t, framework_t.c.id == spans.c.framework_id).outerjoin(
                years,
                sa.and_(
                    years.c.fy_month == framework_t.c.fiscal_year_starts,
                    years.c.fy_first <= spans.c.e,
                    years.c.fy_last >= spans.c.b,
                ),
            )
        )
        .group_by(spans.c.framework_id, years.c.fy_year)
    )


def _allocations(ids: frozenset[int] | None) -> sa.Select[Any]:
    """Per framework and fiscal year: what is allocated to the (not cancelled) actions."""
    same = source_t.c.currency == framework_t.c.currency
    amount_col = allocation_t.c.amount
    return (
        sa.select(
            action_t.c.framework_id.label("framework_id"),
            allocation_t.c.fiscal_year.label("year"),
            sa.null().label("need"),
            *(sa.literal(0).label(name) for name in ("actions", "with_gap", "without_cost", "without_allocation")),
            raw(sa.func.coalesce(sa.func.sum(amount_col).filter(same), 0)).label("allocated"),
            raw(sa.func.coalesce(sa.func.sum(amount_col).filter(same, action_t.c.cost.is_(None)), 0)).label(
                "allocated_without_cost"
            ),
            sa.func.count().filter(amount_col.is_(None)).label("unknown"),
            sa.func.count(amount_col).filter(sa.not_(same)).label("other"),
        )
        .select_from(
            allocation_t.join(action_t, action_t.c.id == allocation_t.c.action_id)
            .join(framework_t, framework_t.c.id == action_t.c.framework_id)
            .join(source_t, source_t.c.id == allocation_t.c.source_id)
        )
        .where(action_t.c.status != Status.cancelled, within(action_t.c.framework_id, ids))
        .group_by(action_t.c.framework_id, allocation_t.c.fiscal_year)
    )


def year_query(session: Session, ids: frozenset[int] | None) -> sa.Select[Any]:
    """The per-year rollup as one statement: needs and allocations, summed per framework and year."""
    parts = sa.union_all(_needs(session, ids), _allocations(ids)).subquery()
    sums = (
        sa.select(
            parts.c.framework_id,
            parts.c.year,
            *(
                sa.func.sum(parts.c[name]).label(name)
                for name in (
                    "need",
                    "actions",
                    "with_gap",
                    "without_cost",
                    "without_allocation",
                    "allocated",
                    "allocated_without_cost",
                    "unknown",
                    "other",
                )
            ),
        )
        .group_by(parts.c.framework_id, parts.c.year)
        .subquery()
    )
    return (
        sa.select(
            framework_t.c.key,
            framework_t.c.currency,
            framework_t.c.fiscal_year_starts,
            *(c for c in sums.c if c.key != "framework_id"),
        )
        .select_from(sums.join(framework_t, framework_t.c.id == sums.c.framework_id))
        .order_by(framework_t.c.key, sums.c.year.is_(None), sums.c.year)
    )


def year_rollup(session: Session, *, ids: frozenset[int] | None, only_short: bool = False) -> list[GapRollupView]:
    """One row per framework and fiscal year (and one for its unscheduled actions), in time order."""
    views = []
    for r in session.execute(year_query(session, ids)):
        need = cents(r.need)
        allocated = amount(r.allocated)
        to_costed = allocated - amount(r.allocated_without_cost)
        gap = None if need is None else max(need - to_costed, ZERO)
        surplus = to_costed if need is None else max(to_costed - need, ZERO)
        if only_short and not (gap or r.without_cost):
            continue
        if r.year is None:
            key, title, begins, ends = "unscheduled", "actions with neither a start nor a due date", None, None
        else:
            key = f"FY{r.year}"
            begins, ends = fiscal_year_span(int(r.year), r.fiscal_year_starts)
            title = f"fiscal year {r.year}: {begins} to {ends}"
        views.append(
            GapRollupView(
                level="year",
                ref=f"{r.key}/{key}",
                framework=r.key,
                key=key,
                title=title,
                currency=r.currency,
                cost=need,
                allocated=allocated,
                allocated_without_cost=amount(r.allocated_without_cost),
                gap=gap,
                surplus=surplus,
                actions=int(r.actions),
                actions_with_gap=int(r.with_gap),
                actions_without_cost=int(r.without_cost),
                actions_without_allocation=int(r.without_allocation),
                unknown_allocations=int(r.unknown),
                other_currency_allocations=int(r.other),
                starts=begins,
                ends=ends,
                fiscal_year=None if r.year is None else int(r.year),
            )
        )
    return views
