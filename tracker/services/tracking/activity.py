"""What happened lately: status changes, notes, plan edits and measurements, newest first,
and a cheap marker that tells a screen another client wrote something."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadInput, NotFound
from tracker.models import (
    Allocation,
    FundingSource,
    Goal,
    ImportRun,
    Indicator,
    Measurement,
    Membership,
    Objective,
    PlanChange,
)
from tracker.models.base import table_of as _t
from tracker.models.enums import Status
from tracker.services.access.rules import within
from tracker.services.tracking.actions import (
    action_t,
    change_t,
    framework_t,
    frameworks_read,
    member_t,
    note_t,
    retraction_t,
)

plan_change_t = _t(PlanChange)
measurement_t = _t(Measurement)
indicator_t = _t(Indicator)
import_run_t = _t(ImportRun)
membership_t = _t(Membership)

Kind = Literal["status", "note", "plan", "measurement"]
# Items recorded at the same moment are listed in this order (highest first), then newest id.
_RANK: dict[str, int] = {"status": 3, "note": 2, "plan": 1, "measurement": 0}
MAX_TEXT = 300


@dataclass(frozen=True)
class ActivityItem:
    """One thing that happened, as a one-line entry of a feed.

    ``id`` ("status:12", "note:3", ...) names the item, for ``after_id``;
    ``ref``/``title`` are the action's (for a measurement: the indicator's ref
    and name); ``by`` is the member's login (None for a seed or a removed
    member); ``text`` is plain text on one line, the user's words literally
    (escape them before showing them as markup).
    """

    id: str
    kind: Kind
    at: dt.datetime
    by: str | None
    ref: str
    title: str
    text: str
    # What ``ref`` names: an action, or (for a plan edit) a goal, objective, indicator or
    # funding source (a source's ref is its key alone: it belongs to no framework).
    item: str = "action"
    on_behalf_of: str | None = None  # whom ``by`` entered it for (import-updates), as stored


def _one_line(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= MAX_TEXT else flat[: MAX_TEXT - 1] + "…"


def _status_word(value: Any) -> str:
    return Status(value).value.replace("_", " ") if value is not None else "new"


def _status_text(row: sa.Row[Any]) -> str:
    text = f"{_status_word(row.from_status)} → {_status_word(row.to_status)}"
    if row.note:
        text += f": {_one_line(row.note)}"
    if row.forced:
        text += " (forced over a newer change)"
    return text


def _plan_text(row: sa.Row[Any]) -> str:
    def shown(value: str | None) -> str:
        return _one_line(value) if value is not None else "none"

    return _one_line(f"{row.field}: {shown(row.old)} → {shown(row.new)}" + (" (forced)" if row.forced else ""))


def _measurement_text(row: sa.Row[Any]) -> str:
    text = f"{format(row.value, 'f')} {row.unit} on {row.measured_on.isoformat()}"
    if row.note:
        text += f": {_one_line(row.note)}"
    return _one_line(text)


def _on_action(table: sa.Table, *extra: sa.ColumnElement[Any] | sa.Column[Any]) -> sa.Select[Any]:
    return (
        sa.select(
            table.c.id,
            table.c.at,
            member_t.c.login,
            framework_t.c.key.label("framework"),
            action_t.c.key,
            action_t.c.title,
            *extra,
        )
        .select_from(
            table.join(action_t, action_t.c.id == table.c.action_id)
            .join(framework_t, framework_t.c.id == action_t.c.framework_id)
            .outerjoin(member_t, member_t.c.id == table.c.member_id)
        )
        .order_by(table.c.at.desc(), table.c.id.desc())
    )


_SOURCES: dict[str, tuple[sa.Table, str]] = {
    "status": (change_t, "at"),
    "note": (note_t, "at"),
    "plan": (plan_change_t, "at"),
    "measurement": (measurement_t, "recorded_at"),
}


def _cursor(session: Session, after_id: str) -> tuple[dt.datetime, int, int]:
    kind, _, number = after_id.partition(":")
    if kind not in _SOURCES or not number.isdigit():
        raise BadInput(f"{after_id!r} is not an activity item id; they look like status:12 or note:3.")
    table, column = _SOURCES[kind]
    at = session.execute(sa.select(table.c[column]).where(table.c.id == int(number))).scalar()
    if at is None:
        raise NotFound(f"there is no activity item {after_id!r} any more; reload the feed.")
    return at, _RANK[kind], int(number)


def _older(
    at: sa.ColumnElement[dt.datetime], id_: sa.ColumnElement[int], kind: str, cursor: tuple[dt.datetime, int, int]
) -> sa.ColumnElement[bool]:
    """Items after the cursor in the feed's order (at, rank, id), all descending."""
    c_at, c_rank, c_id = cursor
    rank = _RANK[kind]
    if rank < c_rank:
        return at <= c_at
    if rank > c_rank:
        return at < c_at
    return sa.or_(at < c_at, sa.and_(at == c_at, id_ < c_id))


def recent_activity(
    session: Session,
    *,
    framework: str | None = None,
    limit: int = 50,
    after_id: str | None = None,
) -> list[ActivityItem]:
    """The newest ``limit`` items, newest first (of one framework, or all).

    ``after_id`` pages on: the items that come after that item in this order
    (older ones). One indexed, limited query per kind of item.
    """
    ids = frameworks_read(session, framework)
    cursor = _cursor(session, after_id) if after_id is not None else None
    items: list[tuple[tuple[dt.datetime, int, int], ActivityItem]] = []

    def where(query: sa.Select[Any], table: sa.Table, kind: str, at: sa.ColumnElement[dt.datetime]) -> sa.Select[Any]:
        owner = indicator_t if kind == "measurement" else action_t
        query = query.where(within(owner.c.framework_id, ids))
        if cursor is not None:
            query = query.where(_older(at, table.c.id, kind, cursor))
        return query.limit(limit)

    def add(kind: Kind, row: sa.Row[Any], at: dt.datetime, ref: str, title: str, text: str, of: str = "action") -> None:
        behalf = getattr(row, "on_behalf_of", None)
        item = ActivityItem(f"{kind}:{row.id}", kind, at, row.login, ref, title, text, of, behalf)
        items.append(((at, _RANK[kind], row.id), item))

    query = _on_action(
        change_t,
        change_t.c.from_status,
        change_t.c.to_status,
        change_t.c.note,
        change_t.c.forced,
        change_t.c.on_behalf_of,
    )
    for row in session.execute(where(query, change_t, "status", change_t.c.at)):
        add("status", row, row.at, f"{row.framework}/{row.key}", row.title, _status_text(row))
    # A retracted note stays in the feed (it was said), marked so nobody reads it as current.
    retracted = sa.select(retraction_t.c.id).where(retraction_t.c.note_id == note_t.c.id).exists()
    query = _on_action(note_t, note_t.c.text.label("note"), retracted.label("retracted"), note_t.c.on_behalf_of)
    for row in session.execute(where(query, note_t, "note", note_t.c.at)):
        text = ("(retracted) " if row.retracted else "") + _one_line(row.note)
        add("note", row, row.at, f"{row.framework}/{row.key}", row.title, text)
    query = _on_action(
        plan_change_t, plan_change_t.c.field, plan_change_t.c.old, plan_change_t.c.new, plan_change_t.c.forced
    )
    for row in session.execute(where(query, plan_change_t, "plan", plan_change_t.c.at)):
        add("plan", row, row.at, f"{row.framework}/{row.key}", row.title, _plan_text(row))
    for table, of in _ITEMS:
        for row in session.execute(_item_changes(table, of, ids, cursor, limit)):
            ref = row.key if of == "source" else f"{row.framework}/{row.key}"
            add("plan", row, row.at, ref, row.title, _plan_text(row), of)
    m = measurement_t
    measured: sa.Select[Any] = (
        sa.select(
            m.c.id,
            m.c.recorded_at,
            m.c.value,
            m.c.measured_on,
            m.c.note,
            m.c.on_behalf_of,
            member_t.c.login,
            framework_t.c.key.label("framework"),
            indicator_t.c.key,
            indicator_t.c.name,
            indicator_t.c.unit,
        )
        .select_from(
            m.join(indicator_t, indicator_t.c.id == m.c.indicator_id)
            .join(framework_t, framework_t.c.id == indicator_t.c.framework_id)
            .outerjoin(member_t, member_t.c.id == m.c.member_id)
        )
        .order_by(m.c.recorded_at.desc(), m.c.id.desc())
    )
    for row in session.execute(where(measured, m, "measurement", m.c.recorded_at)):
        add("measurement", row, row.recorded_at, f"{row.framework}/{row.key}", row.name, _measurement_text(row))

    items.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in items[:limit]]


_ITEMS = [(_t(Goal), "goal"), (_t(Objective), "objective"), (_t(Indicator), "indicator"), (_t(FundingSource), "source")]


def _item_changes(
    table: sa.Table, of: str, ids: frozenset[int] | None, cursor: tuple[dt.datetime, int, int] | None, limit: int
) -> sa.Select[Any]:
    """The plan edits of goals, objectives, indicators or funding sources (``of``) that the
    reader may see: of their frameworks, and for a source, of a framework it pays for."""
    pc = plan_change_t
    title = table.c.name if "name" in table.c else table.c.title
    query = (
        sa.select(pc.c.id, pc.c.at, pc.c.field, pc.c.old, pc.c.new, pc.c.forced, member_t.c.login, table.c.key)
        .add_columns(title.label("title"))
        .select_from(pc.join(table, table.c.id == pc.c.item_id).outerjoin(member_t, member_t.c.id == pc.c.member_id))
        .where(pc.c.item_kind == of)
        .order_by(pc.c.at.desc(), pc.c.id.desc())
        .limit(limit)
    )
    if of == "source":
        if ids is not None:
            allocation_t = _t(Allocation)
            paid = (
                sa.select(allocation_t.c.id)
                .join(action_t, action_t.c.id == allocation_t.c.action_id)
                .where(allocation_t.c.source_id == table.c.id, within(action_t.c.framework_id, ids))
            )
            query = query.where(paid.exists())
    else:
        query = query.add_columns(framework_t.c.key.label("framework"))
        query = query.join(framework_t, framework_t.c.id == table.c.framework_id).where(
            within(table.c.framework_id, ids)
        )
    if cursor is not None:
        query = query.where(_older(pc.c.at, pc.c.id, "plan", cursor))
    return query


def _max_id(table: sa.Table) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)).scalar_subquery()


_MARKER = sa.select(
    _max_id(change_t),
    _max_id(note_t),
    _max_id(plan_change_t),
    _max_id(measurement_t),
    _max_id(import_run_t),
    _max_id(action_t),
    _max_id(member_t),
    sa.select(sa.func.count()).select_from(member_t).scalar_subquery(),
    _max_id(membership_t),
)


def change_marker(session: Session) -> tuple[int, ...]:
    """A tuple that changes whenever anybody records or edits something.

    The newest id of the status changes, notes, plan edits, measurements and
    seed runs, of actions, members and memberships, and the number of members:
    one statement of primary-key lookups (each MAX(id) reads one index entry),
    cheap enough to poll every second on SQLite and PostgreSQL alike. Compare
    it with the last one seen; any difference means: reload.
    """
    return tuple(int(value) for value in session.execute(_MARKER).one())
