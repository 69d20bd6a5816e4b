"""Money views: what each source committed and gave, and where the plan is short.

Amounts of different currencies are never added together: a source's sums are
in its own currency, and an action's gap counts only allocations from sources
in its framework's currency (the others are counted, not converted). An
allocation or a cost of unknown amount is counted as unknown, never as zero.
Cancelled actions have left the plan: they have no funding gap.

A source whose end date is before ``today`` has *ended*: what it never
allocated is no longer available to the plan. Its ``remaining`` is then zero
and the unallocated part is reported as ``lapsed`` instead (an over-commitment
stays what it is: a negative ``remaining``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import FundingSource
from tracker.models.base import table_of as _t
from tracker.models.enums import FundingKind
from tracker.models.types import Money
from tracker.services.access.rules import within
from tracker.services.tracking.actions import (
    action_t,
    allocation_t,
    frameworks_read,
)

ZERO = Decimal("0.00")


source_t = _t(FundingSource)


def _money(expr: sa.ColumnElement[Any]) -> sa.ColumnElement[Decimal]:
    return sa.type_coerce(expr, Money)


@dataclass(frozen=True)
class SourceView:
    """A funding source and its balance, in its own ``currency``.

    ``committed`` is None when the amount is not known; ``allocated`` sums the
    known allocations of the source to every framework's actions and
    ``unknown_allocations`` counts those of unknown amount. ``allocated_here``
    is the part allocated to the framework asked for (None when none was).
    ``remaining`` is committed minus allocated (negative when over-committed;
    None when the commitment is unknown), what the plan may still allocate.
    ``ended`` says the source's end date is before the day asked about; then
    nothing is left to allocate: a positive balance is ``lapsed`` and
    ``remaining`` is zero (``lapsed`` is None for a source that has not ended,
    or whose commitment is unknown).
    """

    key: str
    name: str
    kind: FundingKind
    reference: str | None
    currency: str
    committed: Decimal | None
    allocated: Decimal
    allocated_here: Decimal | None
    unknown_allocations: int
    remaining: Decimal | None
    over_committed: bool
    starts: dt.date | None
    ends: dt.date | None
    ended: bool
    lapsed: Decimal | None


def has_ended(ends: dt.date | None, today: dt.date) -> bool:
    """A source has ended once its last day (``ends``, included) is before ``today``."""
    return ends is not None and ends < today


def funding_sources(session: Session, *, today: dt.date, framework: str | None = None) -> list[SourceView]:
    """Every funding source with its balance as of ``today``, by name; with ``framework``, only
    the sources allocated to its actions, with the part it receives in ``allocated_here``.

    A reader who may not see every framework gets only the sources allocated to the
    actions of frameworks they see; a source's own figures (committed, allocated,
    remaining) stay its totals over every framework: a balance, not other cities' rows.
    """
    ids = frameworks_read(session, framework)
    here = within(action_t.c.framework_id, ids)
    totals = (
        sa.select(
            allocation_t.c.source_id,
            sa.func.sum(allocation_t.c.amount).label("allocated"),
            sa.func.count().filter(allocation_t.c.amount.is_(None)).label("unknown"),
            sa.func.sum(allocation_t.c.amount).filter(here).label("allocated_here"),
            sa.func.count().filter(here).label("count_here"),
        )
        .select_from(allocation_t.join(action_t, action_t.c.id == allocation_t.c.action_id))
        .group_by(allocation_t.c.source_id)
        .subquery()
    )
    balances = _balances(session, totals)
    query = (
        sa.select(
            source_t,
            _money(sa.func.coalesce(balances.c.allocated, 0)).label("allocated"),
            sa.func.coalesce(balances.c.unknown, 0).label("unknown"),
            _money(sa.func.coalesce(totals.c.allocated_here, 0)).label("allocated_here"),
        )
        .select_from(source_t.outerjoin(totals, totals.c.source_id == source_t.c.id))
        .order_by(source_t.c.name, source_t.c.key)
    )
    if balances is not totals:
        query = query.outerjoin(balances, balances.c.source_id == source_t.c.id)
    if ids is not None:
        query = query.where(totals.c.count_here > 0)
    views = []
    for row in session.execute(query):
        committed: Decimal | None = row.amount
        remaining = committed - row.allocated if committed is not None else None
        ended = has_ended(row.ends, today)
        lapsed = None
        if ended and remaining is not None:
            lapsed = max(remaining, ZERO)
            remaining = min(remaining, ZERO)
        views.append(
            SourceView(
                key=row.key,
                name=row.name,
                kind=FundingKind(row.kind),
                reference=row.reference,
                currency=row.currency,
                committed=committed,
                allocated=row.allocated,
                allocated_here=row.allocated_here if framework is not None else None,
                unknown_allocations=row.unknown,
                remaining=remaining,
                over_committed=remaining is not None and remaining < 0,
                starts=row.starts,
                ends=row.ends,
                ended=ended,
                lapsed=lapsed,
            )
        )
    return views


def _balances(session: Session, totals: sa.Subquery) -> Any:
    """Each source's allocated total over every framework. On PostgreSQL a login sees only
    its frameworks' allocations, so the totals come from a function of the database that
    returns the sums alone (the rows behind them stay hidden)."""
    if session.get_bind().dialect.name != "postgresql":
        return totals
    return (
        sa.func.tracker_private.source_balances()
        .table_valued(sa.column("source_id"), sa.column("allocated"), sa.column("unknown"))
        .alias("balances")
    )


KIND_GROUPS: dict[FundingKind, str] = {
    FundingKind.federal_grant: "federal",
    FundingKind.state_grant: "state",
    FundingKind.local_government: "local government",
    FundingKind.foundation: "foundations",
    FundingKind.community: "community",
    FundingKind.corporate: "corporate",
    FundingKind.in_kind: "in-kind",
    FundingKind.other: "other",
}
"""How the totals name each kind of source, in the order they are listed."""


@dataclass(frozen=True)
class SourceTotalView:
    """The sources of one kind (``group``, see `KIND_GROUPS`) in one ``currency``.

    ``committed`` sums the known commitments (``sources_without_amount`` counts
    the others; None when no amount is known); ``allocated`` every known allocation of these sources, and
    ``allocated_here`` the part to the framework asked for (None without one);
    ``remaining`` is committed minus allocated over the sources of known
    commitment only (None when there is none); ``over_committed`` counts the sources that gave more than
    they committed. ``ended`` counts the sources that have ended and ``lapsed`` sums what
    they never allocated (zero when none has ended).
    """

    group: str
    kind: FundingKind
    currency: str
    sources: int
    sources_without_amount: int
    committed: Decimal | None
    allocated: Decimal
    allocated_here: Decimal | None
    unknown_allocations: int
    remaining: Decimal | None
    over_committed: int
    ended: int
    lapsed: Decimal


def source_totals(session: Session, *, today: dt.date, framework: str | None = None) -> list[SourceTotalView]:
    """Totals of `funding_sources` per kind and currency (never added across currencies),
    in the order of `KIND_GROUPS`, then by currency."""
    groups: dict[tuple[FundingKind, str], list[SourceView]] = {}
    for s in funding_sources(session, today=today, framework=framework):
        groups.setdefault((s.kind, s.currency), []).append(s)
    order = list(KIND_GROUPS)
    totals = []
    for (kind, currency), sources in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        known = [s for s in sources if s.committed is not None]
        here = [s.allocated_here for s in sources if s.allocated_here is not None]
        totals.append(
            SourceTotalView(
                group=KIND_GROUPS[kind],
                kind=kind,
                currency=currency,
                sources=len(sources),
                sources_without_amount=len(sources) - len(known),
                committed=sum((s.committed for s in known if s.committed is not None), ZERO) if known else None,
                allocated=sum((s.allocated for s in sources), ZERO),
                allocated_here=sum(here, ZERO) if framework is not None else None,
                unknown_allocations=sum(s.unknown_allocations for s in sources),
                remaining=sum((s.remaining for s in known if s.remaining is not None), ZERO) if known else None,
                over_committed=sum(s.over_committed for s in sources),
                ended=sum(s.ended for s in sources),
                lapsed=sum((s.lapsed for s in sources if s.lapsed is not None), ZERO),
            )
        )
    return totals


# The per-action and per-objective gap lists moved to gap_lists.py; they are still here by name.
from tracker.services.funding.gap_lists import GapView as GapView  # noqa: E402
from tracker.services.funding.gap_lists import ObjectiveGapView as ObjectiveGapView  # noqa: E402
from tracker.services.funding.gap_lists import funding_gaps as funding_gaps  # noqa: E402
from tracker.services.funding.gap_lists import objective_gaps as objective_gaps  # noqa: E402
