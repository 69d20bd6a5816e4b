"""The history of a goal, objective, indicator or funding source: its plan changes made in
the tool, oldest first, with keys for ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.services.plan.edits import change_t
from tracker.services.plan.items import KINDS, read_item
from tracker.services.tracking.actions import member_t


@dataclass(frozen=True)
class ItemChange:
    """One line of an item's history, values as people name them (keys, not ids)."""

    at: dt.datetime
    by: str | None
    field: str
    old: str | None
    new: str | None
    forced: bool


def item_history(session: Session, kind_name: str, ref: str) -> tuple[ItemChange, ...]:
    """The changes of an item made in the tool, oldest first."""
    kind = KINDS[kind_name]
    row = read_item(session, kind, ref)
    rows = session.execute(
        sa.select(change_t, member_t.c.login)
        .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
        .where(change_t.c.item_kind == kind.name, change_t.c.item_id == row.id)
        .order_by(change_t.c.id)
    ).all()
    keys: dict[int, str] = {}
    if kind.parent_table is not None:
        p = kind.parent_table
        keys = dict(session.execute(sa.select(p.c.id, p.c.key).where(p.c.framework_id == row.framework_id)).all())

    def shown(field: str, value: str | None) -> str | None:
        if field == kind.parent and value is not None and value.isdigit():
            return keys.get(int(value), value)
        return value

    return tuple(
        ItemChange(r.at, r.login, r.field.removesuffix("_id"), shown(r.field, r.old), shown(r.field, r.new), r.forced)
        for r in rows
    )
