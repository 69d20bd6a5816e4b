"""Rows of the action queries made into the views lists show: one assembly for every reader.

`tracker.services.tracking.actions` runs the queries through SQLAlchemy and the command
line's fast path (`tracker.fast`) runs the same statements, compiled ahead of time, on the
SQLite driver; both hand the rows here, so an action reads the same whichever path read it.
No database library is imported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tracker.errors import NotFound
from tracker.models.enums import Horizon, Status
from tracker.services.views import ActionRow, StakeholderRef, StatusChangeView

OPEN = (Status.planned, Status.in_progress, Status.blocked)
_NOTHING = (Decimal("0.00"), 0, 0)


def action_rows(
    rows: Sequence[Any],
    partners: Iterable[Sequence[Any]],
    funding: Iterable[Sequence[Any]],
    latest: Mapping[int, StatusChangeView],
    today: dt.date,
) -> list[ActionRow]:
    """The page's actions from its rows (attributes as the page query names its columns),
    its partners (``action_id, key, name``, in order), its funding per source currency
    (``action_id, currency, total, unknown, known``) and each action's newest status change."""
    by_action: dict[int, list[StakeholderRef]] = {}
    for action_id, key, name in partners:
        by_action.setdefault(action_id, []).append(StakeholderRef(key, name))
    currency = {r.id: r.currency for r in rows}
    funded: dict[int, tuple[Decimal, int, int]] = {}
    for action_id, source_currency, total, unknown, known in funding:
        amount, unknowns, other = funded.get(action_id, _NOTHING)
        if source_currency == currency[action_id]:
            amount += total or 0
        else:
            other += known
        funded[action_id] = (amount, unknowns + unknown, other)
    out = []
    for r in rows:
        status = Status(r.status)
        money = funded.get(r.id, _NOTHING)
        out.append(
            ActionRow(
                ref=f"{r.framework}/{r.key}",
                framework=r.framework,
                key=r.key,
                title=r.title,
                status=status,
                horizon=Horizon(r.horizon),
                lead=StakeholderRef(r.lead_key, r.lead_name),
                partners=tuple(by_action.get(r.id, ())),
                starts=r.starts,
                due=r.due,
                completed_on=r.completed_on,
                cost=r.cost,
                funded=money[0],
                unknown_allocations=money[1],
                other_currency_allocations=money[2],
                currency=r.currency,
                version=r.version,
                updated_at=r.updated_at,
                goal_key=r.goal_key,
                goal_title=r.goal_title,
                objective_key=r.objective_key,
                objective_title=r.objective_title,
                last_change=latest.get(r.id),
                overdue=r.due is not None and r.due < today and status in OPEN,
                owner=r.owner,
            )
        )
    return out


def status_change(row: Any) -> StatusChangeView:
    """A status change from a row of ``status_change`` with its author's ``login``."""
    return StatusChangeView(
        at=row.at,
        by=row.login,
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status),
        note=row.note,
        forced=row.forced,
        via_key=row.via_key,
        on_behalf_of=row.on_behalf_of,
    )


def split_ref(ref: str) -> tuple[str, str]:
    """``framework-key/action-key`` into its two keys."""
    framework, sep, key = ref.strip().partition("/")
    if not sep or not framework or not key or "/" in key:
        raise NotFound(
            f"{ref!r} is not an action reference; write framework-key/action-key, for example stamford-ct/convene."
        )
    return framework, key
