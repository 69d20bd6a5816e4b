"""Sustainability risks of a plan's funding: cliffs, dependence on one source, sources ending soon.

* A **funding cliff**: open work (an action that is not done or cancelled) runs
  past the end of a source that funds it (has an allocation to it), where open
  work runs until the later of its due date and ``today``: an open action is
  still work to pay for, even when its due date has passed. So every open
  action funded by a source that has *ended* (its end date is before
  ``today``) is a cliff, due date or not. The work goes
  on when the money stops: ``at_risk`` is everything that source gives the
  action (known allocations, in the source's currency), the part that must be
  found again elsewhere for the work to continue at the same level;
  ``booked_after_end`` is the part of it allocated to fiscal years that begin
  after the source ends (money the plan counts on that the source will no
  longer be there to pay). Sources without an end date make no cliff.
* **Dependence**: an action (not done or cancelled) or a framework (its
  actions that are not cancelled) gets more than ``share`` of its known
  allocations in its framework's currency from one source.
* **Ending soon**: a source whose end date is between today and ``months``
  months from today, both included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from tracker.errors import BadInput
from tracker.models.enums import FundingKind, Status
from tracker.services.access.rules import within
from tracker.services.funding.ledger import ZERO, amount, raw, source_t
from tracker.services.plan.schedule import fiscal_year_of
from tracker.services.tracking.actions import action_t, allocation_t, framework_t, frameworks_read, stakeholder_t

CLOSED = (Status.done, Status.cancelled)  # actions no longer at risk
# How far ahead "ending soon" may look (100 years), and how fine a share may be:
# beyond these, date arithmetic and the share compared in SQL overflow.
MAX_MONTHS = 1_200
SHARE_PLACES = 4


@dataclass(frozen=True)
class CliffView:
    """Open work that runs past the end of a source that funds it (amounts in ``currency``,
    the source's). The work runs until ``runs_until``, the later of its ``due`` date (None
    when it has none) and today; ``days_after`` is how long that is past the source's
    end, and ``source_ended`` says the source had ended by today."""

    ref: str
    framework: str
    title: str
    status: Status
    lead: str
    due: dt.date | None
    runs_until: dt.date
    source: str
    source_name: str
    source_ends: dt.date
    source_ended: bool
    currency: str
    at_risk: Decimal
    booked_after_end: Decimal
    unknown_allocations: int
    days_after: int


@dataclass(frozen=True)
class DependenceView:
    """An action or a framework (``level``) that gets ``share`` (0 to 1, four places) of its
    known allocations, ``total`` in ``currency``, from one source, ``from_source`` of it.
    ``sources`` counts the sources it has money from (in that currency)."""

    level: str
    ref: str
    framework: str
    title: str
    source: str
    source_name: str
    currency: str
    from_source: Decimal
    total: Decimal
    share: Decimal
    sources: int


@dataclass(frozen=True)
class EndingSourceView:
    """A source that ends soon: ``allocated`` (known, in ``currency``) to the actions asked
    about; ``open_actions`` of those that are not done or cancelled, of which
    ``running_past_end`` are due after the source ends."""

    key: str
    name: str
    kind: FundingKind
    currency: str
    ends: dt.date
    days_left: int
    committed: Decimal | None
    allocated: Decimal
    open_actions: int
    running_past_end: int


@dataclass(frozen=True)
class FundingRisks:
    """Every risk found, as of ``today``, with the thresholds used."""

    today: dt.date
    months: int
    share: Decimal
    until: dt.date
    cliffs: tuple[CliffView, ...]
    dependent_actions: tuple[DependenceView, ...]
    dependent_frameworks: tuple[DependenceView, ...]
    ending_sources: tuple[EndingSourceView, ...]


def funding_risks(
    session: Session,
    *,
    framework: str | None = None,
    months: int = 6,
    share: Decimal = Decimal("0.75"),
    today: dt.date,
) -> FundingRisks:
    """The sustainability risks of one framework's funding (or of every framework's).

    Args:
        months: how far ahead a source's end counts as soon (0 or more).
        share: the fraction of an action's or framework's known allocations that
            one source may give before it is a dependence (0 to 1; 0.75 is 75 %).
        today: the day to count from: open work runs at least until then, and a
            source whose end date is before it has ended (callers pass the real date).

    Raises:
        NotFound: no framework has that key.
        BadInput: ``months`` is negative or ``share`` is not between 0 and 1.
    """
    if not 0 <= months <= MAX_MONTHS:
        raise BadInput(f"the number of months ahead must be from 0 to {MAX_MONTHS:,}, not {months}.")
    share = Decimal(share)
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        raise BadInput(f"the share must be a fraction between 0 and 1 (0.75 for 75 %), not {share}.")
    if share != share.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
        raise BadInput(f"the share takes at most {SHARE_PLACES} decimal places, not {share}.")
    ids = frameworks_read(session, framework)
    until = today + relativedelta(months=months)
    return FundingRisks(
        today=today,
        months=months,
        share=share,
        until=until,
        cliffs=tuple(_cliffs(session, ids, today)),
        dependent_actions=tuple(_dependence(session, ids, share, by_action=True)),
        dependent_frameworks=tuple(_dependence(session, ids, share, by_action=False)),
        ending_sources=tuple(_ending(session, ids, today, until)),
    )


def _runs_past_end(today: dt.date) -> sa.ColumnElement[bool]:
    """The action's work (until the later of its due date and ``today``) runs past the
    source's end: true when the source ended before today, or the action is due after it."""
    return sa.or_(source_t.c.ends < today, action_t.c.due > source_t.c.ends)


def _cliffs(session: Session, ids: frozenset[int] | None, today: dt.date) -> list[CliffView]:
    query = (
        sa.select(
            framework_t.c.key.label("framework"),
            framework_t.c.fiscal_year_starts,
            action_t.c.id,
            action_t.c.key,
            action_t.c.title,
            action_t.c.status,
            action_t.c.due,
            stakeholder_t.c.name.label("lead"),
            source_t.c.key.label("source"),
            source_t.c.name.label("source_name"),
            source_t.c.ends,
            source_t.c.currency,
            allocation_t.c.fiscal_year,
            raw(sa.func.sum(allocation_t.c.amount)).label("known"),
            sa.func.count().filter(allocation_t.c.amount.is_(None)).label("unknown"),
        )
        .select_from(
            allocation_t.join(action_t, action_t.c.id == allocation_t.c.action_id)
            .join(framework_t, framework_t.c.id == action_t.c.framework_id)
            .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
            .join(source_t, source_t.c.id == allocation_t.c.source_id)
        )
        .where(action_t.c.status.not_in(CLOSED), _runs_past_end(today), within(action_t.c.framework_id, ids))
        .group_by(framework_t.c.id, action_t.c.id, stakeholder_t.c.id, source_t.c.id, allocation_t.c.fiscal_year)
    )
    cliffs: dict[tuple[int, str], dict[str, Any]] = {}
    for r in session.execute(query):
        known = amount(r.known)
        runs_until = max(r.due, today) if r.due is not None else today
        cliff = cliffs.setdefault(
            (r.id, r.source),
            {
                "ref": f"{r.framework}/{r.key}",
                "framework": r.framework,
                "title": r.title,
                "status": Status(r.status),
                "lead": r.lead,
                "due": r.due,
                "runs_until": runs_until,
                "source": r.source,
                "source_name": r.source_name,
                "source_ends": r.ends,
                "source_ended": r.ends < today,
                "currency": r.currency,
                "at_risk": ZERO,
                "booked_after_end": ZERO,
                "unknown_allocations": 0,
                "days_after": (runs_until - r.ends).days,
            },
        )
        cliff["at_risk"] += known
        if r.fiscal_year > fiscal_year_of(r.ends, r.fiscal_year_starts):
            cliff["booked_after_end"] += known
        cliff["unknown_allocations"] += int(r.unknown)
    views = [CliffView(**c) for c in cliffs.values()]
    return sorted(views, key=lambda c: (c.source_ends, -c.at_risk, c.ref, c.source))


def _dependence(
    session: Session, ids: frozenset[int] | None, share: Decimal, *, by_action: bool
) -> list[DependenceView]:
    """Who gets more than ``share`` of its known allocations from one source."""
    owner = action_t.c.id if by_action else action_t.c.framework_id
    same = source_t.c.currency == framework_t.c.currency
    statuses = CLOSED if by_action else (Status.cancelled,)
    per_source = (
        sa.select(
            owner.label("owner"),
            allocation_t.c.source_id,
            raw(sa.func.sum(allocation_t.c.amount)).label("given"),
        )
        .select_from(
            allocation_t.join(action_t, action_t.c.id == allocation_t.c.action_id)
            .join(framework_t, framework_t.c.id == action_t.c.framework_id)
            .join(source_t, source_t.c.id == allocation_t.c.source_id)
        )
        .where(
            action_t.c.status.not_in(statuses),
            allocation_t.c.amount.is_not(None),
            same,
            within(action_t.c.framework_id, ids),
        )
        .group_by(owner, allocation_t.c.source_id)
    )
    ps = per_source.subquery()
    totals = sa.select(
        ps,
        sa.func.sum(ps.c.given).over(partition_by=ps.c.owner).label("total"),
        sa.func.count().over(partition_by=ps.c.owner).label("sources"),
    ).subquery()
    num, den = share.as_integer_ratio()
    if by_action:
        names = sa.select(action_t.c.id, action_t.c.key, action_t.c.title, action_t.c.framework_id).subquery()
    else:
        names = sa.select(
            framework_t.c.id, framework_t.c.key, framework_t.c.title, framework_t.c.id.label("framework_id")
        ).subquery()
    query = (
        sa.select(
            framework_t.c.key.label("framework"),
            framework_t.c.currency,
            names.c.key,
            names.c.title,
            source_t.c.key.label("source"),
            source_t.c.name.label("source_name"),
            totals.c.given,
            totals.c.total,
            totals.c.sources,
        )
        .select_from(
            totals.join(names, names.c.id == totals.c.owner)
            .join(framework_t, framework_t.c.id == names.c.framework_id)
            .join(source_t, source_t.c.id == totals.c.source_id)
        )
        .where(totals.c.total > 0, totals.c.given * den > totals.c.total * num)
    )
    views = []
    for r in session.execute(query):
        given, total = amount(r.given), amount(r.total)
        views.append(
            DependenceView(
                level="action" if by_action else "framework",
                ref=f"{r.framework}/{r.key}" if by_action else r.framework,
                framework=r.framework,
                title=r.title,
                source=r.source,
                source_name=r.source_name,
                currency=r.currency,
                from_source=given,
                total=total,
                share=(given / total).quantize(Decimal("0.0001")),
                sources=int(r.sources),
            )
        )
    return sorted(views, key=lambda v: (-v.share, -v.from_source, v.ref))


def _ending(session: Session, ids: frozenset[int] | None, today: dt.date, until: dt.date) -> list[EndingSourceView]:
    # A source's committed amount is its own; what it gave and the open actions it pays
    # for are counted over the frameworks read, and a reader who is not shown every
    # framework (or named one) sees only the sources their frameworks draw on.
    is_open = action_t.c.status.not_in(CLOSED)
    query = (
        sa.select(
            source_t.c.key,
            source_t.c.name,
            source_t.c.kind,
            source_t.c.currency,
            source_t.c.ends,
            source_t.c.amount,
            raw(sa.func.coalesce(sa.func.sum(allocation_t.c.amount).filter(action_t.c.id.is_not(None)), 0)).label(
                "allocated"
            ),
            sa.func.count(sa.distinct(action_t.c.id)).filter(is_open).label("open_actions"),
            sa.func.count(sa.distinct(action_t.c.id)).filter(is_open, _runs_past_end(today)).label("past"),
        )
        .select_from(
            source_t.outerjoin(allocation_t, allocation_t.c.source_id == source_t.c.id).outerjoin(
                action_t,
                sa.and_(
                    action_t.c.id == allocation_t.c.action_id,
                    within(action_t.c.framework_id, ids),
                ),
            )
        )
        .where(source_t.c.ends >= today, source_t.c.ends <= until)
        .group_by(source_t.c.id)
        .order_by(source_t.c.ends, source_t.c.key)
    )
    if ids is not None:
        query = query.having(sa.func.count(action_t.c.id) > 0)
    return [
        EndingSourceView(
            key=r.key,
            name=r.name,
            kind=FundingKind(r.kind),
            currency=r.currency,
            ends=r.ends,
            days_left=(r.ends - today).days,
            committed=r.amount,
            allocated=amount(r.allocated),
            open_actions=int(r.open_actions),
            running_past_end=int(r.past),
        )
        for r in session.execute(query)
    ]
