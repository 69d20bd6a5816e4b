"""Undo: the acting member takes back their own last change, as a new change.

History is never rewritten. Undoing a status change is a status change back, with a
note that says so; undoing a plan edit applies the earlier values through the same
edit service (rules, version check, field-by-field audit, notifications); undoing a
note retracts it. Refused, saying who and when, when anybody (the member included,
through another kind of change) changed the item since.

What counts as "the last change": the newest of the member's status changes, plan
edits (the audit rows of one item written at one instant by one member) and live
notes, on one action or in every framework where they may still write. An undo is a
change like any other, so undoing twice re-applies the change (a redo); a retraction
is final, so the undo after one reaches the change before the note.

Plan edits are undone by item kind through `APPLY`: one entry per kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import Conflict, NothingToUndo, NotUndoable, PermissionDenied
from tracker.models.enums import Horizon, Role, Status
from tracker.services.access import rules as access
from tracker.services.plan import action_plan
from tracker.services.plan.edits import change_t as plan_t
from tracker.services.plan.edits import edit_action, set_allocation
from tracker.services.tracking import changes
from tracker.services.tracking.actions import (
    action_id,
    action_t,
    change_t,
    framework_t,
    member_t,
    note_t,
    objective_t,
    retraction_t,
    split_ref,
    stakeholder_t,
)
from tracker.services.tracking.retractions import retract_note
from tracker.services.views import MemberView

_FIELD_WORDS = {"lead_id": "lead", "objective_id": "objective", "starts": "start"}


def words(value: object) -> str:
    """A status or horizon as people say it: "in progress", not ``in_progress``."""
    return str(getattr(value, "value", value)).replace("_", " ")


@dataclass(frozen=True)
class LastChange:
    """The member's last change, and what undoing it will do, in words."""

    kind: str  # "status", "edit" or "note"
    ref: str  # the action (for other item kinds: framework-key/item-key when known)
    item_kind: str
    item_id: int
    at: dt.datetime
    ids: tuple[int, ...]  # the status change, the plan-change rows, or the note
    what: str  # "your status change of X from planned to in progress at ..."
    undo: str  # "move it back to planned"
    version: int | None  # the action's version when this was read

    @property
    def sentence(self) -> str:
        return f"Undo {self.what}: {self.undo}."


@dataclass(frozen=True)
class Undone:
    """What an undo wrote."""

    ref: str
    kind: str
    what: str
    undo: str
    version: int | None


# -- finding the last change ------------------------------------------------------------------


def _writable(actor: MemberView) -> sa.ColumnElement[bool]:
    """Actions of frameworks where ``actor`` may still write (admins: every one)."""
    if actor.is_admin:
        return sa.true()
    keys = [key for key, role in actor.roles.items() if role is not Role.viewer]
    return framework_t.c.key.in_(keys)


def _where(actor: MemberView, aid: int | None) -> sa.ColumnElement[bool]:
    return action_t.c.id == aid if aid is not None else _writable(actor)


def _ref(row: Any) -> str:
    return f"{row.framework}/{row.key}"


def _stamp(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _last_status(session: Session, actor: MemberView, aid: int | None) -> LastChange | None:
    row = session.execute(
        sa.select(change_t, action_t.c.key, action_t.c.version, framework_t.c.key.label("framework"))
        .join(action_t, action_t.c.id == change_t.c.action_id)
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .where(change_t.c.member_id == actor.id, _where(actor, aid))
        .order_by(change_t.c.at.desc(), change_t.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    ref = _ref(row)
    was = words(row.from_status) if row.from_status else "new"
    return LastChange(
        "status", ref, "action", row.action_id, row.at, (row.id,),
        f"your status change of {ref} from {was} to {words(row.to_status)} at {_stamp(row.at)}",
        f"move it back to {was}", row.version,
    )  # fmt: skip


def _last_note(session: Session, actor: MemberView, aid: int | None) -> LastChange | None:
    retracted = sa.select(retraction_t.c.id).where(retraction_t.c.note_id == note_t.c.id).exists()
    row = session.execute(
        sa.select(note_t, action_t.c.key, action_t.c.version, framework_t.c.key.label("framework"))
        .join(action_t, action_t.c.id == note_t.c.action_id)
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .where(note_t.c.member_id == actor.id, ~retracted, _where(actor, aid))
        .order_by(note_t.c.at.desc(), note_t.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    ref = _ref(row)
    first = " ".join(row.text.split())
    first = first if len(first) <= 60 else first[:59] + "…"
    return LastChange(
        "note", ref, "action", row.action_id, row.at, (row.id,),
        f"your note on {ref} at {_stamp(row.at)} ({first!r})",
        "retract it (its text stays in the history)", row.version,
    )  # fmt: skip


def _last_edit(session: Session, actor: MemberView, aid: int | None) -> LastChange | None:
    query = (
        sa.select(plan_t.c.item_kind, plan_t.c.item_id, plan_t.c.at)
        # A member's details (`member edit`) are no plan edit: they are corrected by editing again.
        .where(plan_t.c.member_id == actor.id, plan_t.c.item_kind != "member")
        .order_by(plan_t.c.at.desc(), plan_t.c.id.desc())
        .limit(1)
    )
    if aid is not None:
        query = query.where(plan_t.c.action_id == aid)
    else:  # an action's edits are undone where the member still writes; other kinds by their service
        query = query.outerjoin(action_t, action_t.c.id == plan_t.c.action_id).outerjoin(
            framework_t, framework_t.c.id == action_t.c.framework_id
        )
        query = query.where(sa.or_(plan_t.c.action_id.is_(None), _writable(actor)))
    last = session.execute(query).first()
    if last is None:
        return None
    rows = list(
        session.execute(
            sa.select(plan_t)
            .where(
                plan_t.c.member_id == actor.id,
                plan_t.c.item_kind == last.item_kind,
                plan_t.c.item_id == last.item_id,
                plan_t.c.at == last.at,
            )
            .order_by(plan_t.c.id)
        ).all()
    )
    kind = APPLY.get(last.item_kind)
    if kind is None:
        return LastChange(
            "edit", f"{last.item_kind} {last.item_id}", last.item_kind, last.item_id, last.at,
            tuple(r.id for r in rows), f"your change of a {last.item_kind} at {_stamp(last.at)}",
            "not possible yet for this kind of item", None,
        )  # fmt: skip
    return kind.describe(session, rows)


def last_change(session: Session, actor: MemberView, ref: str | None = None) -> LastChange:
    """The member's own last change (on ``ref``, else anywhere they may still write), and
    what undoing it would do. Raises `NothingToUndo` when there is none, `PermissionDenied`
    when they may write nothing there."""
    aid = None
    if ref is not None:
        framework, _key = split_ref(ref)
        aid = action_id(session, ref)
        if access.effective_role(actor, framework) in (None, Role.viewer):
            reason = changes.why_not_track(session, actor, ref)
            raise PermissionDenied(reason or f"{actor.login} may not change {ref}.")
    else:
        reason = access.why_not_undo(actor)
        if reason is not None:
            raise PermissionDenied(reason)
    found = [c for c in (_last_status(session, actor, aid), _last_edit(session, actor, aid)) if c is not None]
    found += [c for c in (_last_note(session, actor, aid),) if c is not None]
    if not found:
        where = f"on {ref}" if ref else "in the frameworks where they may change things"
        raise NothingToUndo(f"nothing to undo: {actor.login} has no change of their own {where}.")
    return max(found, key=lambda c: (c.at, c.kind != "note"))


# -- has anybody changed it since? ------------------------------------------------------------


def changed_since(session: Session, change: LastChange) -> str | None:
    """Who changed the item after ``change``, and when (None: nobody)."""
    if change.kind == "note":
        return None  # nobody changes a note; later notes and changes leave it as it was
    later: list[tuple[dt.datetime, str]] = []
    if change.item_kind == "action":
        after_status = change_t.c.id > change.ids[0] if change.kind == "status" else change_t.c.at > change.at
        status = session.execute(
            sa.select(change_t.c.at, change_t.c.from_status, change_t.c.to_status, member_t.c.login)
            .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
            .where(change_t.c.action_id == change.item_id, after_status)
            .order_by(change_t.c.at.desc(), change_t.c.id.desc())
            .limit(1)
        ).first()
        if status is not None:
            was = words(status.from_status) if status.from_status else "new"
            later.append((status.at, f"{status.login or 'someone'} moved it from {was} to {words(status.to_status)}"))
        same_item = plan_t.c.action_id == change.item_id
    else:
        same_item = sa.and_(plan_t.c.item_kind == change.item_kind, plan_t.c.item_id == change.item_id)
    after_edit = plan_t.c.id > max(change.ids) if change.kind == "edit" else plan_t.c.at > change.at
    edit = session.execute(
        sa.select(plan_t.c.at, plan_t.c.field, member_t.c.login)
        .outerjoin(member_t, member_t.c.id == plan_t.c.member_id)
        .where(same_item, after_edit)
        .order_by(plan_t.c.at.desc(), plan_t.c.id.desc())
        .limit(1)
    ).first()
    if edit is not None:
        field = _FIELD_WORDS.get(edit.field, edit.field)
        later.append((edit.at, f"{edit.login or 'someone'} changed its {field}"))
    if not later:
        return None
    at, who = max(later)
    return f"{who} at {_stamp(at)}"


# -- undoing it -------------------------------------------------------------------------------


def undo(*, session: Session, actor: MemberView, ref: str | None = None, expected: LastChange | None = None) -> Undone:
    """Undo the member's own last change (see `last_change`) as a new change, in this
    transaction. ``expected``: the change the member was shown (the app's dialog); if
    their last change is another one now, or the action moved on since, nothing is written
    (`Conflict`)."""
    change = last_change(session, actor, ref)
    if expected is not None and (change.kind, change.ids) != (expected.kind, expected.ids):
        raise Conflict(f"your last change is no longer the one shown; it is now {change.what}. Nothing was undone.")
    since = changed_since(session, change)
    if since is not None:
        raise Conflict(f"{change.ref} changed after {change.what}: {since}. Nothing was undone.")
    version = expected.version if expected is not None else change.version
    if change.kind == "note":
        retract_note(session=session, actor=actor, note_id=change.ids[0], reason="undo")
        return Undone(change.ref, "note", change.what, "retracted the note", change.version)
    if change.kind == "status":
        return _undo_status(session, actor, change, version)
    kind = APPLY.get(change.item_kind)
    if kind is None:
        raise NotUndoable(f"{change.what} cannot be undone in the tool yet; change it back by hand.")
    rows = list(session.execute(sa.select(plan_t).where(plan_t.c.id.in_(change.ids)).order_by(plan_t.c.id)).all())
    return kind.apply(session, actor, change, rows, version)


def _undo_status(session: Session, actor: MemberView, change: LastChange, version: int | None) -> Undone:
    row = session.execute(sa.select(change_t).where(change_t.c.id == change.ids[0])).one()
    if row.from_status is None:
        raise NotUndoable(f"{change.what} was the action's first status; there is nothing to go back to.")
    note = f"undo of {actor.login}'s change from {words(row.from_status)} to {words(row.to_status)} at {_stamp(row.at)}"
    result = changes.set_status(
        session=session,
        actor=actor,
        ref=change.ref,
        status=Status(row.from_status),
        note=note,
        expected_version=version,
    )
    return Undone(change.ref, "status", change.what, f"moved it back to {words(row.from_status)}", result.version)


# -- plan edits, by item kind -----------------------------------------------------------------


@dataclass(frozen=True)
class ItemKind:
    """How to describe and undo one edit (the rows of one item at one instant) of a kind."""

    describe: Callable[[Session, list[Any]], LastChange]
    apply: Callable[[Session, MemberView, LastChange, list[Any], int | None], Undone]


def _action_row(session: Session, item_id: int) -> Any:
    return session.execute(
        sa.select(action_t.c.id, action_t.c.key, action_t.c.version, framework_t.c.key.label("framework"))
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .where(action_t.c.id == item_id)
    ).first()


def _shown(session: Session, field: str, value: str | None) -> str:
    if value is None:
        return "none"
    if field in ("lead_id", "objective_id") and value.isdigit():
        table = stakeholder_t if field == "lead_id" else objective_t
        key = session.execute(sa.select(table.c.key).where(table.c.id == int(value))).scalar()
        return str(key or value)
    if field == "horizon":
        return words(value)
    return value


def _describe_action(session: Session, rows: list[Any]) -> LastChange:
    first = rows[0]
    action = _action_row(session, first.item_id)
    fields = [r.field for r in rows]
    at = first.at
    if action is None or action_plan.DELETED in fields:
        title = first.old if action_plan.DELETED in fields else f"action {first.item_id}"
        return LastChange(
            "edit", str(title), "action", first.item_id, at, tuple(r.id for r in rows),
            f"your deletion of {title} at {_stamp(at)}", "not possible: a deleted action is not brought back",
            None,
        )  # fmt: skip
    ref = _ref(action)
    if action_plan.CREATED in fields:
        what, undo = f"your adding of {ref} at {_stamp(at)}", "delete it again"
    else:
        parts = [
            f"{_FIELD_WORDS.get(r.field, r.field)} from {_shown(session, r.field, r.old)} "
            f"to {_shown(session, r.field, r.new)}"
            for r in rows
        ]
        what = f"your edit of {ref} at {_stamp(at)} ({'; '.join(parts)})"
        undo = "; ".join(_put_back(session, r) for r in rows)
    return LastChange("edit", ref, "action", first.item_id, at, tuple(r.id for r in rows), what, undo, action.version)


def _put_back(session: Session, row: Any) -> str:
    """What undoing one audit row does, in words."""
    if row.field.startswith("funding "):
        where = row.field.removeprefix("funding ")
        if row.old is None:
            return f"remove the allocation {where}"
        return f"{'allocate' if row.new is None else 'put back'} {where} at {row.old}"
    if row.field == "objective_id":
        return f"move it back under {_shown(session, row.field, row.old)}"
    return f"put back {_FIELD_WORDS.get(row.field, row.field)} {_shown(session, row.field, row.old)}"


def _old_value(session: Session, field: str, old: str | None) -> Any:
    """The audit's text of a field's earlier value, as `edit_action` takes it."""
    if old is None:
        return [] if field == "partners" else None
    if field == "lead_id":
        return session.execute(sa.select(stakeholder_t.c.key).where(stakeholder_t.c.id == int(old))).scalar_one()
    if field == "partners":
        return [key for key in old.split(", ") if key]
    if field in ("starts", "due"):
        return dt.date.fromisoformat(old)
    if field == "horizon":
        return Horizon(old)
    if field == "cost":
        return Decimal(old)
    return old


def _apply_action(
    session: Session, actor: MemberView, change: LastChange, rows: list[Any], version: int | None
) -> Undone:
    fields = {r.field: r for r in rows}
    ref = change.ref
    if action_plan.DELETED in fields or _action_row(session, change.item_id) is None:
        raise NotUndoable(f"{change.what} cannot be undone: a deleted action is not brought back; add it again.")
    if action_plan.CREATED in fields:
        notes = session.execute(sa.select(sa.func.count()).where(note_t.c.action_id == change.item_id)).scalar_one()
        if notes:
            raise NotUndoable(
                f"{ref} has notes since you added it, so it is not deleted; cancel it instead, which keeps its history."
            )
        action_plan.delete_action(session=session, actor=actor, ref=ref, expected_version=version)
        return Undone(ref, "edit", change.what, "deleted it again", None)
    if "objective_id" in fields:
        objective = _shown(session, "objective_id", fields["objective_id"].old)
        detail = action_plan.move_action(
            session=session, actor=actor, ref=ref, objective=objective, expected_version=version
        )
        return Undone(ref, "edit", change.what, f"moved it back under {objective}", detail.row.version)
    funding = [name for name in fields if name.startswith("funding ")]
    if funding:
        source, _, year = funding[0].removeprefix("funding ").rpartition(" FY")
        old = fields[funding[0]].old
        detail = set_allocation(
            session=session,
            actor=actor,
            ref=ref,
            source=source,
            fiscal_year=int(year),
            amount=None if old in (None, "unknown") else old,
            remove=old is None,
            expected_action_version=version,  # nobody changed the action since, its allocations included
        )
        return Undone(ref, "edit", change.what, change.undo, detail.row.version)
    edits = {("lead" if name == "lead_id" else name): _old_value(session, name, r.old) for name, r in fields.items()}
    detail = edit_action(session=session, actor=actor, ref=ref, changes=edits, expected_version=version)
    return Undone(ref, "edit", change.what, change.undo, detail.row.version)


def _describe_allocation(session: Session, rows: list[Any]) -> LastChange:
    """An allocation's change is a change of its action's funding: described, checked for
    later changes and undone as the action's (`_apply_action`)."""
    return _describe_action(session, [_AsAction(r) for r in rows])


class _AsAction:
    """An allocation's audit row read as one of its action (item id: the action's)."""

    def __init__(self, row: Any) -> None:
        self._row = row
        self.item_id = row.action_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def _item(session: Session, kind_name: str, item_id: int) -> tuple[str, int] | None:
    """The reference (``framework/key``; a source's key) and version of a goal, objective,
    indicator or source (None: gone)."""
    from tracker.services.plan.items import KINDS

    t = KINDS[kind_name].table
    if kind_name == "source":
        row = session.execute(sa.select(t.c.key, t.c.version).where(t.c.id == item_id)).first()
        return None if row is None else (str(row.key), int(row.version))
    row = session.execute(
        sa.select(framework_t.c.key.label("framework"), t.c.key, t.c.version)
        .join(framework_t, framework_t.c.id == t.c.framework_id)
        .where(t.c.id == item_id)
    ).first()
    return None if row is None else (_ref(row), int(row.version))


def _describe_item(session: Session, rows: list[Any]) -> LastChange:
    from tracker.services.plan.items import KINDS

    first = rows[0]
    kind = KINDS[first.item_kind]
    found = _item(session, first.item_kind, first.item_id)
    ref, version = found if found is not None else (f"{first.item_kind} {first.item_id}", None)
    ids = tuple(r.id for r in rows)
    at = first.at
    simple = found is not None and all(r.field in kind.fields for r in rows)
    if not simple:  # its creation, a move, an order or findings: said, not undone here
        why = "not possible here for adding, moving, reordering or linking; change it back with the edit command"
        return LastChange(
            "edit", ref, first.item_kind, first.item_id, at, ids,
            f"your change of {first.item_kind} {ref} at {_stamp(at)}", why, None,
        )  # fmt: skip
    parts = [f"{r.field} from {r.old if r.old is not None else 'none'} to {r.new if r.new is not None else 'none'}"
             for r in rows]  # fmt: skip
    undo = "; ".join(f"put back {r.field} {r.old if r.old is not None else 'none'}" for r in rows)
    what = f"your edit of {first.item_kind} {ref} at {_stamp(at)} ({'; '.join(parts)})"
    return LastChange("edit", ref, first.item_kind, first.item_id, at, ids, what, undo, version)


def _apply_item(
    session: Session, actor: MemberView, change: LastChange, rows: list[Any], version: int | None
) -> Undone:
    """Put back the earlier values of a goal's, objective's, indicator's or source's fields
    by the same edit a person makes (`items.edit_item`: the rules, the version, the audit)."""
    from tracker.services.plan.items import KINDS, edit_item

    if change.version is None:
        raise NotUndoable(f"{change.what} cannot be undone: {change.undo}.")
    kind = KINDS[change.item_kind]
    changes = {r.field: r.old for r in rows if r.field in kind.fields}
    view = edit_item(
        session=session, actor=actor, kind_name=change.item_kind, ref=change.ref, changes=changes,
        expected_version=version,
    )  # fmt: skip
    return Undone(change.ref, "edit", change.what, change.undo, view.version)


# Plan edits by item kind, one entry each.
APPLY: dict[str, ItemKind] = {
    "action": ItemKind(_describe_action, _apply_action),
    "allocation": ItemKind(_describe_allocation, _apply_action),
    **{name: ItemKind(_describe_item, _apply_item) for name in ("goal", "objective", "indicator", "source")},
}
