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
from tracker.services.plan.owners import check_owner
from tracker.services.tracking.actions import action_id as action_id_of
from tracker.services.tracking.actions import (
    action_t,
    framework_id,
    get_action,
    member_t,
    owner_t,
    partner_t,
    split_ref,
    stakeholder_ids,
    stakeholder_t,
)
from tracker.services.tracking.changes import conflict_message, lock_judged
from tracker.services.views import ActionDetail, MemberView

CREATED = "created"  # the audit's first row of an item made in the tool
EDITABLE = ("title", "description", "horizon", "lead", "partners", "owner", "starts", "due", "cost", "visibility")
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


def validated_item(contract: str, fields: dict[str, Any]) -> Any:
    """``fields`` checked by the plan-file model named ``contract`` (`tracker.seeding.plan`),
    so an item added or edited in the tool obeys the rules a plan file does. A problem
    raises `BadField` naming the field."""
    from pydantic import ValidationError

    # The contract imports services: import it late.
    from tracker.seeding import plan

    try:
        return getattr(plan, contract).model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        message = error["msg"].removeprefix("Value error, ")
        raise BadField(field, f"{field}: {message}." if field else f"{message}.") from None


def validated_action(fields: dict[str, Any]) -> Any:
    """``fields`` checked as a plan file's action (`tracker.seeding.plan.ActionIn`), its own
    rules included (dates in order, a horizon or a due date)."""
    from tracker.seeding.validate import action_problems

    action = validated_item("ActionIn", fields)
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
    """The action's plan as the contract names it (lead and partners as stakeholder keys,
    the owner as a login)."""
    row = session.execute(
        sa.select(action_t, stakeholder_t.c.key.label("lead_key"), owner_t.c.login.label("owner_login"))
        .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
        .outerjoin(owner_t, owner_t.c.id == action_t.c.owner_id)
        .where(action_t.c.id == action_id)
    ).one()
    partners = session.execute(
        sa.select(stakeholder_t.c.key)
        .join(partner_t, partner_t.c.stakeholder_id == stakeholder_t.c.id)
        .where(partner_t.c.action_id == action_id)
        .order_by(stakeholder_t.c.key)
    ).scalars()
    names = ("key", "title", "description", "horizon", "starts", "due", "cost", "visibility")
    fields = {name: row._mapping[name] for name in names}
    return {**fields, "lead": row.lead_key, "partners": list(partners), "owner": row.owner_login}


def record_plan_changes(
    session: Session, actor: MemberView, action_id: int | None, item_id: int, changes: list[tuple[str, Any, Any]], *,
    forced: bool = False, at: dt.datetime | None = None, kind: str = "action",
) -> None:  # fmt: skip
    """Append one audit row per ``(field, old, new)`` of the item ``item_id`` of ``kind``
    ('action', 'goal', 'objective', 'indicator', 'source', 'allocation'). The rows of one
    edit share its member and time (``at``): that is how an edit is told from the next."""
    at = at or utcnow()
    session.execute(
        sa.insert(change_t),
        [
            {
                "item_kind": kind,
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
    ``lead`` and ``partners`` (stakeholder keys), ``owner`` (a login), ``starts``, ``due``,
    ``cost``); status is not a plan field (see `tracking.set_status`). A field given as
    None is cleared. The owner, new or kept, must work for the lead or a partner after
    the change (`plan.owners`).
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
    owner_id = None
    if after.owner is not None and {"owner", "lead", "partners"} & set(wanted):
        [lead_id] = stakeholder_key_ids(session, "lead", [after.lead])
        owner_id = check_owner(
            session,
            framework_id=row.framework_id,
            framework=row.framework,
            login=after.owner,
            lead=(lead_id, after.lead),
            partner_ids=stakeholder_key_ids(session, "partner", list(dict.fromkeys(after.partners))),
        )
    for name, value in wanted.items():
        old = before[name]
        if name == "owner":
            if value != old:
                columns["owner_id"] = owner_id
                audit.append(("owner", old, value))  # logins, as people name them
            continue
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
    expected_action_version: int | None = None,
) -> ActionDetail:
    """Add, change (``amount``; None means not known yet) or ``remove`` the
    allocation of ``source`` to an action for ``fiscal_year``.

    ``expected_version`` is the allocation's own version (an allocation gone since, or
    made since, is a conflict too); ``expected_action_version`` the action's, for a person
    who saw the whole action (the app's form, an undo). The action's version grows as well:
    its funding is part of its plan, so an edit of the action made on what it was is refused too."""
    row, _ = _locked_for_edit(session, actor, ref, expected_action_version, force)
    source_row = session.execute(sa.select(source_t).where(source_t.c.key == source)).first()
    if source_row is None:
        raise BadField("source", f"source: there is no funding source {source!r}.")
    if not 1900 <= fiscal_year <= 2200:
        raise BadField("year", f"year: fiscal year {fiscal_year} is out of range; give 1900 to 2200.")
    value = None if remove else _money(amount, "amount")
    if value is not None and source_row.amount is not None and value > source_row.amount:
        raise BadField(
            "amount",
            f"amount: {value} is more than {source}'s committed amount {source_row.amount}; lower it or correct the "
            "source.",
        )
    match = (
        allocation_t.c.action_id == row.id,
        allocation_t.c.source_id == source_row.id,
        allocation_t.c.fiscal_year == fiscal_year,
    )
    existing = session.execute(
        sa.select(allocation_t.c.id, allocation_t.c.amount, allocation_t.c.version).where(*match)
    ).first()
    field = f"funding {source} FY{fiscal_year}"
    seen_version = existing.version if existing is not None else 0
    stale = expected_version is not None and expected_version != seen_version
    if stale and not force:
        what = f"{ref}'s allocation from {source} for fiscal year {fiscal_year}"
        last = _last_allocation_change(session, row.id, field)
        message = item_conflict_message(session, "allocation", last, what, expected_version or 0, seen_version)
        raise Conflict(message.replace("now 0)", "now removed)"))
    if remove:
        if existing is None:
            raise NotFound(f"{ref} has no allocation from {source} for fiscal year {fiscal_year}.")
        session.execute(sa.delete(allocation_t).where(*match))
        item_id, old, new = existing.id, audit_text(existing.amount) or "unknown", None
    elif existing is None:
        item_id = session.execute(
            sa.insert(allocation_t)
            .values(action_id=row.id, source_id=source_row.id, fiscal_year=fiscal_year, amount=value, version=1)
            .returning(allocation_t.c.id)
        ).scalar_one()
        old, new = None, audit_text(value) or "unknown"
    else:
        if existing.amount == value:
            return get_action(session, ref)
        session.execute(sa.update(allocation_t).where(*match).values(amount=value, version=existing.version + 1))
        item_id, old, new = existing.id, audit_text(existing.amount) or "unknown", audit_text(value) or "unknown"
    now = utcnow()
    session.execute(sa.update(action_t).where(action_t.c.id == row.id).values(version=row.version + 1, updated_at=now))
    record_plan_changes(session, actor, row.id, item_id, [(field, old, new)], forced=stale, at=now, kind="allocation")
    return get_action(session, ref)


def _last_allocation_change(session: Session, action_id: int, field: str) -> int:
    """The item id of the newest audit row of an action's allocation (0 when none)."""
    found = session.execute(
        sa.select(change_t.c.item_id)
        .where(change_t.c.item_kind == "allocation", change_t.c.action_id == action_id, change_t.c.field == field)
        .order_by(change_t.c.id.desc())
        .limit(1)
    ).scalar()
    return int(found or 0)


def current_fiscal_year(session: Session, ref: str, today: dt.date | None = None) -> int:
    """The fiscal year ``today`` falls in, by the calendar of the action's framework."""
    from tracker.services.plan.schedule import fiscal_year_of
    from tracker.services.tracking.actions import framework_t, split_ref

    framework, _ = split_ref(ref)
    starts = session.execute(sa.select(framework_t.c.fiscal_year_starts).where(framework_t.c.key == framework)).scalar()
    return fiscal_year_of(today or dt.date.today(), starts or 1)


def allocation_version(session: Session, ref: str, source: str, fiscal_year: int) -> int | None:
    """The version of an action's allocation (None when there is none)."""
    aid = action_id_of(session, ref)
    return session.execute(
        sa.select(allocation_t.c.version)
        .join(source_t, source_t.c.id == allocation_t.c.source_id)
        .where(allocation_t.c.action_id == aid, source_t.c.key == source, allocation_t.c.fiscal_year == fiscal_year)
    ).scalar()


def item_conflict_message(session: Session, kind: str, item_id: int, ref: str, seen: int, now: int) -> str:
    """A stale edit refused: who changed the item last, when, and which fields (from what to
    what, when it was one): the rows of one edit share their member and time."""
    rows = session.execute(
        sa.select(change_t.c.field, change_t.c.old, change_t.c.new, change_t.c.at, change_t.c.member_id)
        .add_columns(member_t.c.login)
        .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
        .where(change_t.c.item_kind == kind, change_t.c.item_id == item_id)
        .order_by(change_t.c.id.desc())
        .limit(20)
    ).all()
    edit = [r for r in rows if rows and (r.at, r.member_id) == (rows[0].at, rows[0].member_id)]
    if not edit:
        what = "a plan file changed it"
    else:
        last = edit[0]
        fields = ", ".join(dict.fromkeys(r.field.removesuffix("_id") for r in reversed(edit)))
        what = f"{last.login or 'someone'} changed its {fields} at {last.at:%Y-%m-%d %H:%M} UTC"
        if len(edit) == 1 and (last.old is not None or last.new is not None):
            what += f" (from {last.old!r} to {last.new!r})"
    return (
        f"{ref} changed since you read it (version {seen}, now {now}): {what}. "
        "Nothing was written; look at it again and retry, or force your change."
    )


def audit_text(value: Any) -> str | None:
    """A value as the plan_change audit trail writes it (the seeder compares with it too)."""
    if value is None:
        return None
    return str(getattr(value, "value", value))  # an enum's value; dates and decimals as text
