"""The home screen's health of every framework: progress, trouble, money, what is due next.

Everything is aggregated in SQL, one statement per kind of figure, whatever
the number of actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import FundingSource
from tracker.models.base import table_of as _t
from tracker.models.enums import Stage, Status
from tracker.models.types import Money, utcnow
from tracker.services.access.rules import narrow
from tracker.services.plan.frameworks import progress_share
from tracker.services.plan.schedule import meetings_of
from tracker.services.tracking.actions import OPEN, action_t, allocation_t, framework_t
from tracker.services.tracking.filters import STALE_DAYS

NEXT_DUE = 3


source_t = _t(FundingSource)


@dataclass(frozen=True)
class DueItem:
    """An open action and the day it is due."""

    ref: str
    title: str
    due: dt.date


@dataclass(frozen=True)
class FrameworkOverview:
    """One framework's health, as the coordinator's first screen shows it.

    Money is in the framework's ``currency``. ``allocated`` sums the known
    allocations to its actions from sources in that currency; allocations of
    unknown amount are counted in ``unknown_allocations`` and allocations from
    sources in another currency in ``other_currency_allocations`` (never added).
    ``coverage`` is the share of the known estimated cost that is allocated,
    counting only allocations to actions whose cost is known (money given to an
    uncosted action cannot cover another's cost); None when no cost is known or
    the known cost is zero.
    """

    key: str
    city: str
    state: str | None
    title: str
    stage: Stage
    currency: str
    actions: int
    by_status: dict[Status, int] = field(default_factory=dict)
    progress: float | None = None
    overdue: int = 0
    blocked: int = 0
    stale: int = 0
    estimated_cost: Decimal | None = None
    actions_without_cost: int = 0
    allocated: Decimal = Decimal("0.00")
    unknown_allocations: int = 0
    other_currency_allocations: int = 0
    coverage: float | None = None
    next_due: tuple[DueItem, ...] = ()
    next_meetings: tuple[dt.date, ...] = ()
    meeting_place: str | None = None


def _money(expr: sa.ColumnElement[Any]) -> sa.ColumnElement[Decimal]:
    return sa.type_coerce(expr, Money)


_NEXT_DUE = (
    sa.select(action_t.c.key, action_t.c.title, action_t.c.due)
    .where(
        action_t.c.framework_id == sa.bindparam("framework"),
        action_t.c.status.in_(OPEN),
        action_t.c.due >= sa.bindparam("today", type_=action_t.c.due.type),
    )
    .order_by(action_t.c.due.asc(), action_t.c.key.asc())
    .limit(NEXT_DUE)
)


def framework_overview(
    session: Session,
    *,
    today: dt.date | None = None,
    stale_days: int = STALE_DAYS,
) -> list[FrameworkOverview]:
    """Every framework, in order of city, with its counts, money and next due actions.

    Overdue: open (planned, in progress, blocked) and due before ``today``.
    Stale: in progress with no update for ``stale_days`` days.
    Next due: up to three open actions due on or after ``today``, earliest first.
    Next meetings: the working group's next three meetings from ``today`` on.
    """
    now = utcnow()
    if today is None:
        today = dt.date.today()
    else:  # the same moment on that day, so "stale" agrees with the given today
        now = dt.datetime.combine(today, now.time(), dt.UTC)
    stale_before = now - dt.timedelta(days=stale_days)
    a = action_t

    by_status: dict[int, dict[Status, int]] = {}
    for fid, status, count in session.execute(
        sa.select(a.c.framework_id, a.c.status, sa.func.count()).group_by(a.c.framework_id, a.c.status)
    ):
        by_status.setdefault(fid, {})[Status(status)] = count

    figures = {
        row.framework_id: row
        for row in session.execute(
            sa.select(
                a.c.framework_id,
                _money(sa.func.sum(a.c.cost)).label("cost"),
                sa.func.count().filter(a.c.cost.is_(None)).label("without_cost"),
                sa.func.count().filter(a.c.due < today, a.c.status.in_(OPEN)).label("overdue"),
                sa.func.count().filter(a.c.status == Status.in_progress, a.c.updated_at < stale_before).label("stale"),
            ).group_by(a.c.framework_id)
        )
    }

    same_currency = source_t.c.currency == framework_t.c.currency
    funding = {
        row.framework_id: row
        for row in session.execute(
            sa.select(
                a.c.framework_id,
                _money(sa.func.sum(allocation_t.c.amount).filter(same_currency)).label("allocated"),
                _money(sa.func.sum(allocation_t.c.amount).filter(same_currency, a.c.cost.is_not(None))).label(
                    "covering"
                ),
                sa.func.count().filter(allocation_t.c.amount.is_(None)).label("unknown"),
                sa.func.count().filter(sa.not_(same_currency), allocation_t.c.amount.is_not(None)).label("other"),
            )
            .select_from(
                allocation_t.join(a, a.c.id == allocation_t.c.action_id)
                .join(framework_t, framework_t.c.id == a.c.framework_id)
                .join(source_t, source_t.c.id == allocation_t.c.source_id)
            )
            .group_by(a.c.framework_id)
        )
    }

    result = []
    # The figures above are keyed by framework; only the frameworks the reader may see are shown.
    shown = narrow(sa.select(framework_t).order_by(framework_t.c.city, framework_t.c.key), framework_t.c.id, session)
    for fw in session.execute(shown):
        # Per framework, through its (framework, due) index: at 100,000 actions one window over
        # every open action took 150 ms of the overview's first paint; these take 1 ms in all.
        next_due = session.execute(_NEXT_DUE, {"framework": fw.id, "today": today}).all()
        counts = by_status.get(fw.id, {})
        fig = figures.get(fw.id)
        money = funding.get(fw.id)
        cost: Decimal | None = fig.cost if fig is not None else None
        covering: Decimal = (money.covering if money is not None else None) or Decimal("0.00")
        coverage = float(covering / cost) if cost else None
        meetings = meetings_of(fw.meeting_rule, fw.meeting_starts, fw.meeting_place)
        result.append(
            FrameworkOverview(
                key=fw.key,
                city=fw.city,
                state=fw.state,
                title=fw.title,
                stage=Stage(fw.stage),
                currency=fw.currency,
                actions=sum(counts.values()),
                by_status=counts,
                progress=progress_share(counts),
                overdue=fig.overdue if fig is not None else 0,
                blocked=counts.get(Status.blocked, 0),
                stale=fig.stale if fig is not None else 0,
                estimated_cost=cost,
                actions_without_cost=fig.without_cost if fig is not None else 0,
                allocated=(money.allocated if money is not None else None) or Decimal("0.00"),
                unknown_allocations=money.unknown if money is not None else 0,
                other_currency_allocations=money.other if money is not None else 0,
                coverage=coverage,
                next_due=tuple(DueItem(ref=f"{fw.key}/{key}", title=title, due=due) for key, title, due in next_due),
                next_meetings=tuple(meetings.after(today, NEXT_DUE)) if meetings else (),
                meeting_place=fw.meeting_place,
            )
        )
    return result
