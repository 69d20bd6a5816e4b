"""Coordinators' edits of an action's plan: its fields and its funding.

Like every write: one transaction, a version check against what the caller
saw (refused as a conflict unless forced), and an audit row per changed field
saying who changed what from what to what, and when.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.dates import in_range
from tracker.errors import BadInput, Conflict, NotFound
from tracker.models import Allocation, FundingSource, PlanChange
from tracker.models.enums import Horizon
from tracker.models.types import utcnow
from tracker.numbers import check_amount
from tracker.services.access.members import require_coordinator
from tracker.services.tracking.actions import action_t, get_action, stakeholder_ids
from tracker.services.tracking.changes import conflict_message, lock_action
from tracker.services.views import ActionDetail, MemberView
from tracker.text import check_no_nul

EDITABLE = ("title", "description", "horizon", "lead", "starts", "due", "cost")
allocation_t = Allocation.__table__  # type: ignore[attr-defined]
source_t = FundingSource.__table__  # type: ignore[attr-defined]
change_t = PlanChange.__table__  # type: ignore[attr-defined]


def _locked_for_edit(
    session: Session, actor: MemberView, ref: str, expected_version: int | None, force: bool
) -> tuple[sa.Row[Any], bool]:
    row = lock_action(session, ref)
    require_coordinator(actor, row.framework, "change the plan of an action")
    stale = expected_version is not None and expected_version != row.version
    if stale and not force:
        raise Conflict(conflict_message(session, row, ref, expected_version or 0))
    return row, stale


def _money(value: Any, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = check_amount(value)
    except ValueError as exc:
        raise BadInput(f"{what}: {exc}.") from None
    return amount.quantize(Decimal("0.01"))


def edit_action(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
    force: bool = False,
) -> ActionDetail:
    """Change plan fields of an action (``title``, ``description``, ``horizon``,
    ``lead`` (a stakeholder key), ``starts``, ``due``, ``cost``); status is not
    a plan field (see `tracking.set_status`)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise BadInput(f"{', '.join(sorted(unknown))} cannot be edited here; editable: {', '.join(EDITABLE)}.")
    row, stale = _locked_for_edit(session, actor, ref, expected_version, force)
    current = session.execute(sa.select(action_t).where(action_t.c.id == row.id)).one()._mapping
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            try:
                check_no_nul(value, f"the {name}")
            except ValueError as exc:
                raise BadInput(f"{exc}.") from None
        if name == "lead":
            [values["lead_id"]] = stakeholder_ids(session, [value])
        elif name == "cost":
            values["cost"] = _money(value, "cost")
        elif name == "horizon":
            values["horizon"] = Horizon(value)
        elif name in ("starts", "due"):
            if value is not None and not isinstance(value, dt.date):
                raise BadInput(f"{name} must be a date.")
            try:
                if value is not None:
                    in_range(value)
            except ValueError as exc:
                raise BadInput(f"{name}: {exc}.") from None
            values[name] = value
        elif name == "title":
            if not str(value).strip() or len(str(value)) > 500:
                raise BadInput("the title must be 1 to 500 characters.")
            values[name] = str(value).strip()
        else:
            values[name] = value
    starts = values.get("starts", current["starts"])
    due = values.get("due", current["due"])
    if starts and due and due < starts:
        raise BadInput(f"the action would be due {due}, before it starts ({starts}); fix one of the two dates.")
    changed = {k: v for k, v in values.items() if current[k] != v}
    if not changed:
        return get_action(session, ref)
    now = utcnow()
    session.execute(
        sa.update(action_t).where(action_t.c.id == row.id).values(**changed, version=row.version + 1, updated_at=now)
    )
    session.execute(
        sa.insert(change_t),
        [
            {
                "action_id": row.id,
                "member_id": actor.id,
                "field": name,
                "old": audit_text(current[name]),
                "new": audit_text(value),
                "forced": stale,
                "at": now,
            }
            for name, value in changed.items()
        ],
    )
    return get_action(session, ref)


def set_allocation(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    source: str,
    fiscal_year: int,
    amount: Decimal | str | None,
    expected_version: int | None = None,
    force: bool = False,
    remove: bool = False,
) -> ActionDetail:
    """Add, change (``amount``; None means not known yet) or ``remove`` the
    allocation of ``source`` to an action for ``fiscal_year``."""
    row, stale = _locked_for_edit(session, actor, ref, expected_version, force)
    source_row = session.execute(sa.select(source_t).where(source_t.c.key == source)).first()
    if source_row is None:
        raise NotFound(f"there is no funding source {source!r}.")
    if not 1900 <= fiscal_year <= 2200:
        raise BadInput(f"fiscal year {fiscal_year} is out of range.")
    value = None if remove else _money(amount, "the amount")
    if value is not None and source_row.amount is not None and value > source_row.amount:
        raise BadInput(
            f"{value} is more than {source}'s committed amount {source_row.amount}; lower it or correct the source."
        )
    match = (
        allocation_t.c.action_id == row.id,
        allocation_t.c.source_id == source_row.id,
        allocation_t.c.fiscal_year == fiscal_year,
    )
    existing = session.execute(sa.select(allocation_t.c.id, allocation_t.c.amount).where(*match)).first()
    field = f"funding {source} FY{fiscal_year}"
    if remove:
        if existing is None:
            raise NotFound(f"{ref} has no allocation from {source} for fiscal year {fiscal_year}.")
        session.execute(sa.delete(allocation_t).where(*match))
        old, new = audit_text(existing.amount) or "unknown", None
    elif existing is None:
        session.execute(
            sa.insert(allocation_t).values(
                action_id=row.id, source_id=source_row.id, fiscal_year=fiscal_year, amount=value
            )
        )
        old, new = None, audit_text(value) or "unknown"
    else:
        if existing.amount == value:
            return get_action(session, ref)
        session.execute(sa.update(allocation_t).where(*match).values(amount=value))
        old, new = audit_text(existing.amount) or "unknown", audit_text(value) or "unknown"
    now = utcnow()
    session.execute(sa.update(action_t).where(action_t.c.id == row.id).values(version=row.version + 1, updated_at=now))
    session.execute(
        sa.insert(change_t).values(
            action_id=row.id, member_id=actor.id, field=field, old=old, new=new, forced=stale, at=now
        )
    )
    return get_action(session, ref)


def audit_text(value: Any) -> str | None:
    """A value as the plan_change audit trail writes it (the seeder compares with it too)."""
    if value is None:
        return None
    return str(getattr(value, "value", value))  # an enum's value; dates and decimals as text
