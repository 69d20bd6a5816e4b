"""Coordinators shaping the list of actions: add one, move it, cancel it, delete a mistake.

Each write is one transaction, asks `access.rules` first, and leaves a row per change in
the plan-change audit (`plan_change`), which outlives the action it describes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadField, NotFound, PermissionDenied
from tracker.models.enums import Horizon, Status
from tracker.models.types import utcnow
from tracker.services.access.members import judged_now
from tracker.services.access.rules import require_coordinator
from tracker.services.plan.edits import (
    CREATED,
    _locked_for_edit,
    allocation_t,
    change_t,
    record_plan_changes,
    stakeholder_key_ids,
    validated_action,
)
from tracker.services.plan.owners import check_owner
from tracker.services.tracking import changes
from tracker.services.tracking.actions import (
    action_id,
    action_t,
    framework_t,
    get_action,
    member_t,
    note_t,
    objective_t,
    partner_t,
    split_ref,
    stakeholder_t,
)
from tracker.services.tracking.actions import change_t as status_change_t
from tracker.services.views import ActionDetail, MemberView

MOVED, DELETED = "objective", "deleted"


@dataclass(frozen=True)
class PlanChangeRow:
    """One line of an action's plan history, values as people name them (keys, not ids)."""

    at: dt.datetime
    by: str | None
    field: str
    old: str | None
    new: str | None
    forced: bool
    via_key: str | None = None  # the ssh key's fingerprint when made through the team server


def _framework(session: Session, key: str) -> sa.Row[Any]:
    row = session.execute(sa.select(framework_t).where(framework_t.c.key == key)).first()
    if row is None:
        raise NotFound(f"there is no framework {key!r}; `tracker summary` lists them.")
    return row


def _objective_id(session: Session, framework_id: int, framework: str, key: str) -> int:
    found = session.execute(
        sa.select(objective_t.c.id).where(objective_t.c.framework_id == framework_id, objective_t.c.key == key)
    ).scalar()
    if found is None:
        raise BadField("objective", f"objective: {framework} has no objective {key!r}.")
    return int(found)


def _next_position(session: Session, objective_id: int) -> int:
    last = session.execute(
        sa.select(sa.func.max(action_t.c.position)).where(action_t.c.objective_id == objective_id)
    ).scalar()
    return 0 if last is None else int(last) + 1


def _horizon(framework: sa.Row[Any], due: dt.date | None) -> Horizon:
    """The horizon a plan file would get: from ``due`` and the framework's windows."""
    if due is None:
        raise BadField("horizon", "horizon: give --horizon, or a due date to derive it from.")
    from tracker.seeding.apply import derive_horizon  # the seeder's rule; late: it imports services

    return derive_horizon(cast(Any, SimpleNamespace(**framework._mapping)), due)


def add_action(*, session: Session, actor: MemberView, objective_ref: str, fields: dict[str, Any]) -> ActionDetail:
    """Add an action under ``framework-key/objective-key``; ``fields`` as in a plan file
    (``key``, ``title``, ``lead``, ``partners``, ``owner``, ``horizon``, ``starts``, ``due``,
    ``cost``, ``description``). Its status starts at planned."""
    framework_key, objective_key = split_ref(objective_ref)
    framework = _framework(session, framework_key)
    require_coordinator(actor, framework_key, "add an action")
    require_coordinator(judged_now(session, actor, framework.id), framework_key, "add an action")  # as of now
    objective_id = _objective_id(session, framework.id, framework_key, objective_key)
    action = validated_action({**fields, "status": Status.planned})
    exists = session.execute(
        sa.select(action_t.c.id).where(action_t.c.framework_id == framework.id, action_t.c.key == action.key)
    ).first()
    if exists is not None:
        raise BadField("key", f"key: {framework_key} already has an action {action.key!r}; choose another key.")
    [lead_id] = stakeholder_key_ids(session, "lead", [action.lead])
    partner_ids = stakeholder_key_ids(session, "partner", list(dict.fromkeys(action.partners)))
    owner_id = check_owner(
        session,
        framework_id=framework.id,
        framework=framework_key,
        login=action.owner,
        lead=(lead_id, action.lead),
        partner_ids=partner_ids,
    )
    now = utcnow()
    new_id = session.execute(
        sa.insert(action_t)
        .values(
            framework_id=framework.id,
            objective_id=objective_id,
            key=action.key,
            position=_next_position(session, objective_id),
            title=action.title,
            description=action.description,
            horizon=action.horizon or _horizon(framework, action.due),
            lead_id=lead_id,
            owner_id=owner_id,
            status=Status.planned,
            starts=action.starts,
            due=action.due,
            cost=None if action.cost is None else Decimal(action.cost).quantize(Decimal("0.01")),
            visibility=action.visibility,
            version=1,
            created_at=now,
            updated_at=now,
        )
        .returning(action_t.c.id)
    ).scalar_one()
    if partner_ids:
        session.execute(sa.insert(partner_t), [{"action_id": new_id, "stakeholder_id": i} for i in partner_ids])
    # "created" marks an action made in the tool: the only kind `delete_action` may remove.
    record_plan_changes(session, actor, new_id, new_id, [(CREATED, None, action.title)], at=now)
    return get_action(session, f"{framework_key}/{action.key}")


def move_action(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    objective: str,
    expected_version: int | None = None,
    force: bool = False,
) -> ActionDetail:
    """Move an action under another objective of its framework (it goes last there)."""
    row, stale = _locked_for_edit(session, actor, ref, expected_version, force)
    target = _objective_id(session, row.framework_id, row.framework, objective)
    if target == row.objective_id:
        raise BadField("objective", f"objective: {ref} is already under {objective}.")
    now = utcnow()
    session.execute(
        sa.update(action_t)
        .where(action_t.c.id == row.id)
        .values(objective_id=target, position=_next_position(session, target), version=row.version + 1, updated_at=now)
    )
    # The field is the column, as the seeder reads it back: a plan file that still puts the
    # action under its old objective is then a conflict, not a silent undo.
    record_plan_changes(
        session, actor, row.id, row.id, [("objective_id", row.objective_id, target)], forced=stale, at=now
    )
    return get_action(session, ref)


def cancel_action(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    note: str | None = None,
    expected_version: int | None = None,
    force: bool = False,
) -> changes.StatusResult:
    """Cancel an action: dropping it from the plan is a coordinator's decision; the status
    change itself is an ordinary one (audited, versioned)."""
    framework, _key = split_ref(ref)
    require_coordinator(actor, framework, "cancel an action")
    require_coordinator(judged_now(session, actor, _framework(session, framework).id), framework, "cancel an action")
    return changes.set_status(
        session=session,
        actor=actor,
        ref=ref,
        status=Status.cancelled,
        note=note,
        expected_version=expected_version,
        force=force,
    )


def delete_action(
    *, session: Session, actor: MemberView, ref: str, expected_version: int | None = None
) -> dict[str, Any]:
    """Delete an action added by mistake: one added in the tool with nothing since (no
    status change, note, allocation, measurement under it, or edit). Anything else has a
    history the tool never rewrites: cancel it instead. The deletion stays in the audit."""
    row, _stale = _locked_for_edit(session, actor, ref, expected_version, False)
    audit = (
        session.execute(
            # Its own rows and those of its allocations (linked by action_id while it lives).
            sa.select(change_t.c.field).where(change_t.c.action_id == row.id)
        )
        .scalars()
        .all()
    )
    if CREATED not in audit:
        raise PermissionDenied(
            f"{ref} came from a plan file, not from `tracker actions add`; take it out of the file, or cancel it "
            "(tracker actions cancel)."
        )
    count = {
        "a status change": sa.select(sa.func.count()).where(status_change_t.c.action_id == row.id),
        "a note": sa.select(sa.func.count()).where(note_t.c.action_id == row.id),
        "funding": sa.select(sa.func.count()).where(allocation_t.c.action_id == row.id),
    }
    history = [what for what, query in count.items() if session.execute(query).scalar_one()]
    if len(audit) > 1:
        history.append("plan edits")
    if history:
        raise PermissionDenied(
            f"{ref} has {', '.join(history)} since it was added; the tool never deletes history: "
            "cancel it instead (tracker actions cancel)."
        )
    title = session.execute(sa.select(action_t.c.title).where(action_t.c.id == row.id)).scalar_one()
    # Recorded while the action exists, so that PostgreSQL's policy can see whose plan it
    # is; deleting the action then unlinks the row (ON DELETE SET NULL), which outlives it.
    record_plan_changes(session, actor, row.id, row.id, [(DELETED, f"{ref}: {title}", None)])
    session.execute(sa.delete(action_t).where(action_t.c.id == row.id))
    return {"ref": ref, "deleted": True, "title": title}


def plan_history(session: Session, ref: str) -> tuple[PlanChangeRow, ...]:
    """The plan changes of an action made in the tool, oldest first, with keys for ids."""
    aid = action_id(session, ref)  # a scoped read: refuses an action the reader may not see
    rows = session.execute(
        sa.select(change_t, member_t.c.login)
        .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
        .where(change_t.c.action_id == aid)  # its own rows and its allocations'
        .order_by(change_t.c.id)
    ).all()
    ids: dict[str, set[int]] = {"lead_id": set(), "objective_id": set()}
    for r in rows:
        if r.field in ids:
            ids[r.field] |= {int(v) for v in (r.old, r.new) if v is not None and v.isdigit()}
    names = {
        "lead_id": dict(
            session.execute(
                sa.select(stakeholder_t.c.id, stakeholder_t.c.key).where(stakeholder_t.c.id.in_(ids["lead_id"]))
            ).all()
        ),
        "objective_id": dict(
            session.execute(
                sa.select(objective_t.c.id, objective_t.c.key).where(objective_t.c.id.in_(ids["objective_id"]))
            ).all()
        ),
    }

    def shown(field: str, value: str | None) -> str | None:
        if value is None or field not in names or not value.isdigit():
            return value
        return str(names[field].get(int(value), value))

    return tuple(
        PlanChangeRow(
            r.at,
            r.login,
            r.field.removesuffix("_id"),
            shown(r.field, r.old),
            shown(r.field, r.new),
            r.forced,
            r.via_key,
        )
        for r in rows
    )
