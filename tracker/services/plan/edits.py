"""Coordinators' edits of an action's plan: its fields and its funding.

Like every write: one transaction, a version check against what the caller
saw (refused as a conflict unless forced), and an audit row per changed field
saying who changed what from what to what, and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadField, BadInput, Conflict, NotFound
from tracker.models import Allocation, FundingSource, PlanChange
from tracker.models.enums import Role
from tracker.models.types import utcnow
from tracker.numbers import check_amount
from tracker.services.access.members import require_coordinator
from tracker.services.access.rules import effective_role
from tracker.services.tracking.actions import (
    action_t,
    framework_id,
    get_action,
    partner_t,
    split_ref,
    stakeholder_ids,
    stakeholder_t,
)
from tracker.services.tracking.changes import conflict_message, lock_judged
from tracker.services.views import ActionDetail, MemberView

EDITABLE = ("title", "description", "horizon", "lead", "partners", "starts", "due", "cost")
allocation_t = Allocation.__table__  # type: ignore[attr-defined]
source_t = FundingSource.__table__  # type: ignore[attr-defined]
change_t = PlanChange.__table__  # type: ignore[attr-defined]


def _locked_for_edit(
    session: Session, actor: MemberView, ref: str, expected_version: int | None, force: bool
) -> tuple[sa.Row[Any], bool]:
    framework, _key = split_ref(ref)
    if effective_role(actor, framework) is not Role.coordinator:
        # Refused before asking for the row: a viewer's database role may not lock it.
        framework_id(session, framework)  # an unknown framework is NotFound
        require_coordinator(actor, framework, "change the plan of an action")
    row, actor = lock_judged(session, ref, actor)
    require_coordinator(actor, row.framework, "change the plan of an action")  # as of now
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


def validated_action(fields: dict[str, Any]) -> Any:
    """``fields`` checked by the plan-file contract (`tracker.seeding.plan.ActionIn`), so an
    action added or edited in the tool obeys the rules a plan file does. A problem raises
    `BadField` naming the field."""
    from pydantic import ValidationError

    # The contract imports services: import it late.
    from tracker.seeding.plan import ActionIn
    from tracker.seeding.validate import action_problems

    try:
        action = ActionIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        message = error["msg"].removeprefix("Value error, ")
        raise BadField(field, f"{field}: {message}." if field else f"{message}.") from None
    problems = action_problems(action)
    if problems:
        field, message = str(problems[0].loc[0]), problems[0].message
        subject = "the action " if message.startswith(("is ", "has ")) else ""  # the file check's predicates
        raise BadField(field, f"{field}: {subject}{message}.")
    return action


def stakeholder_key_ids(session: Session, field: str, keys: list[str]) -> list[int]:
    """The ids of stakeholders ``keys``; an unknown one is a problem of ``field``."""
    try:
        return stakeholder_ids(session, keys)
    except NotFound as exc:
        raise BadField(field, f"{field}: {exc.message}") from None


def plan_fields(session: Session, action_id: int) -> dict[str, Any]:
    """The action's plan as the contract names it (lead and partners as stakeholder keys)."""
    row = session.execute(
        sa.select(action_t, stakeholder_t.c.key.label("lead_key"))
        .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
        .where(action_t.c.id == action_id)
    ).one()
    partners = session.execute(
        sa.select(stakeholder_t.c.key)
        .join(partner_t, partner_t.c.stakeholder_id == stakeholder_t.c.id)
        .where(partner_t.c.action_id == action_id)
        .order_by(stakeholder_t.c.key)
    ).scalars()
    fields = {name: row._mapping[name] for name in ("key", "title", "description", "horizon", "starts", "due", "cost")}
    return {**fields, "lead": row.lead_key, "partners": list(partners)}


def record_plan_changes(
    session: Session, actor: MemberView, action_id: int | None, item_id: int, changes: list[tuple[str, Any, Any]], *,
    forced: bool = False, at: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Append one audit row per ``(field, old, new)`` of the action ``item_id``."""
    at = at or utcnow()
    session.execute(
        sa.insert(change_t),
        [
            {
                "item_kind": "action",
                "item_id": item_id,
                "action_id": action_id,
                "member_id": actor.id,
                "field": name,
                "old": audit_text(old),
                "new": audit_text(new),
                "forced": forced,
                "at": at,
            }
            for name, old, new in changes
        ],
    )


def edit_action(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    changes: dict[str, Any],
    expected_version: int | None = None,
    force: bool = False,
    add_partners: Sequence[str] = (),
    remove_partners: Sequence[str] = (),
) -> ActionDetail:
    """Change plan fields of an action (``title``, ``description``, ``horizon``,
    ``lead`` and ``partners`` (stakeholder keys), ``starts``, ``due``, ``cost``); status
    is not a plan field (see `tracking.set_status`). A field given as None is cleared.
    ``add_partners``/``remove_partners`` change the partners relative to what they are
    under the lock (so two coordinators adding one each both count)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise BadInput(f"{', '.join(sorted(unknown))} cannot be edited here; editable: {', '.join(EDITABLE)}.")
    row, stale = _locked_for_edit(session, actor, ref, expected_version, force)
    before = plan_fields(session, row.id)
    not_partners = [k for k in remove_partners if k not in before["partners"]]
    if not_partners:
        raise BadField("partner", f"partner: {not_partners[0]!r} is not a partner of {ref}.")
    if add_partners or remove_partners:
        kept = [k for k in changes.get("partners", before["partners"]) if k not in remove_partners]
        changes = {**changes, "partners": list(dict.fromkeys([*kept, *add_partners]))}
    after = validated_action({**before, **changes})
    wanted = {name: getattr(after, name) for name in changes}
    if wanted.get("cost") is not None:
        wanted["cost"] = wanted["cost"].quantize(Decimal("0.01"))  # as the column keeps it
    if "horizon" in changes and changes["horizon"] is None:
        raise BadField("horizon", "horizon: an action always has a horizon; give near_term, mid_term or long_term.")
    if "title" in changes and not after.title:
        raise BadField("title", "title: an action always has a title.")
    columns: dict[str, Any] = {}
    audit: list[tuple[str, Any, Any]] = []
    for name, value in wanted.items():
        old = before[name]
        if name == "partners":
            if sorted(value) != sorted(old):
                audit.append(("partners", ", ".join(sorted(old)) or None, ", ".join(sorted(value)) or None))
            continue
        if name == "lead":
            if value != old:
                [columns["lead_id"]] = stakeholder_key_ids(session, "lead", [value])
                # as the seeder compares it: the stakeholder's id
                [old_id] = stakeholder_ids(session, [old])
                audit.append(("lead_id", old_id, columns["lead_id"]))
            continue
        if value != old:
            columns[name] = value
            audit.append((name, old, value))
    if "partners" in wanted and sorted(wanted["partners"]) != sorted(before["partners"]):
        ids = stakeholder_key_ids(session, "partner", list(dict.fromkeys(wanted["partners"])))
        session.execute(sa.delete(partner_t).where(partner_t.c.action_id == row.id))
        if ids:
            session.execute(sa.insert(partner_t), [{"action_id": row.id, "stakeholder_id": i} for i in ids])
    if not audit:
        return get_action(session, ref)
    now = utcnow()
    session.execute(
        sa.update(action_t).where(action_t.c.id == row.id).values(**columns, version=row.version + 1, updated_at=now)
    )
    record_plan_changes(session, actor, row.id, row.id, audit, forced=stale, at=now)
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
    record_plan_changes(session, actor, row.id, row.id, [(field, old, new)], forced=stale, at=now)
    return get_action(session, ref)


def audit_text(value: Any) -> str | None:
    """A value as the plan_change audit trail writes it (the seeder compares with it too)."""
    if value is None:
        return None
    return str(getattr(value, "value", value))  # an enum's value; dates and decimals as text
