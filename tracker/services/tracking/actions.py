"""Reading actions: filtered pages, counts and one action's full record (indexed SQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import NotFound
from tracker.models import (
    Action,
    ActionFinding,
    ActionNote,
    ActionPartner,
    Allocation,
    Finding,
    Framework,
    FundingSource,
    Goal,
    Member,
    NoteRetraction,
    Objective,
    Stakeholder,
    StatusChange,
    Workshop,
)
from tracker.models.base import table_of as _t
from tracker.models.enums import Status, Visibility
from tracker.models.types import utcnow
from tracker.services.access.rules import narrow, require_visible, visible_framework_ids, within
from tracker.services.tracking.filters import ActionFilter, SortField, StakeholderRole
from tracker.services.tracking.mine import login_id, mine_clause
from tracker.services.tracking.rows import OPEN, action_rows, split_ref, status_change
from tracker.services.views import (
    ActionDetail,
    ActionRow,
    AllocationView,
    NoteView,
    RetractedNoteView,
    StatusChangeView,
)

action_t = _t(Action)
framework_t = _t(Framework)
objective_t = _t(Objective)
goal_t = _t(Goal)
stakeholder_t = _t(Stakeholder)
partner_t = _t(ActionPartner)
allocation_t = _t(Allocation)
change_t = _t(StatusChange)
member_t = _t(Member)
note_t = _t(ActionNote)
owner_t = member_t.alias("owner")
retraction_t = _t(NoteRetraction)

# The order statuses are worked through, for sorting by status.
STATUS_ORDER = {
    Status.blocked: 0,
    Status.in_progress: 1,
    Status.planned: 2,
    Status.done: 3,
    Status.cancelled: 4,
}


# Statements the command line's fast path runs too (`tracker.fast`, compiled ahead of time).
FRAMEWORK_ID = sa.select(framework_t.c.id).where(framework_t.c.key == sa.bindparam("key"))
STAKEHOLDER_IDS = sa.select(stakeholder_t.c.key, stakeholder_t.c.id).where(
    stakeholder_t.c.key.in_(sa.bindparam("keys", expanding=True))
)


def framework_id(session: Session, key: str) -> int:
    """The id of framework ``key``.

    Every read that names a framework comes through here, so this is where a scoped
    reader who does not belong to it is refused (`require_visible`); an unknown key
    names the frameworks the reader may see, not every city's.
    """
    found = session.execute(FRAMEWORK_ID, {"key": key}).scalar()
    if found is None:
        keys = narrow(sa.select(framework_t.c.key).order_by(framework_t.c.key), framework_t.c.id, session)
        known = ", ".join(session.execute(keys).scalars())
        raise NotFound(f"there is no framework {key!r}; known frameworks: {known or 'none (seed a plan first)'}.")
    require_visible(session, key)
    return int(found)


def frameworks_read(session: Session, framework: str | None) -> frozenset[int] | None:
    """The frameworks a read covers: ``framework`` alone when named (refused when the
    session's reader does not belong to it), else every one the reader may see (None:
    all of them). Read services narrow their queries to it with `access.within`."""
    if framework is not None:
        return frozenset((framework_id(session, framework),))
    return visible_framework_ids(session)


def stakeholder_ids(session: Session, keys: Sequence[str]) -> list[int]:
    rows = dict(session.execute(STAKEHOLDER_IDS, {"keys": list(keys)}).all())
    missing = [k for k in keys if k not in rows]
    if missing:
        raise NotFound(
            f"there is no stakeholder {missing[0]!r}; check the key (tracker lists them with their actions)."
        )
    return [rows[k] for k in keys]


def shared_clauses(
    f: ActionFilter, frameworks: frozenset[int] | None, stakeholders: Sequence[int]
) -> list[sa.ColumnElement[bool]]:
    """The conditions of ``f``'s frameworks (resolved: `frameworks_read`), stakeholders (their
    ids) and statuses, with named parameters: the command line's fast path runs these very
    statements, compiled ahead of time (`tracker.fast.generate`), for each shape of them."""
    clauses: list[sa.ColumnElement[bool]] = []
    if frameworks is not None:  # as `access.within`: one framework is the plain equality its indexes were made for
        if len(frameworks) == 1:
            clauses.append(action_t.c.framework_id == sa.bindparam("framework", next(iter(frameworks))))
        else:
            clauses.append(action_t.c.framework_id.in_(sa.bindparam("frameworks", sorted(frameworks), expanding=True)))
    if f.stakeholders:
        ids = sa.bindparam("stakeholders", list(stakeholders), expanding=True, type_=action_t.c.lead_id.type)
        as_lead = action_t.c.lead_id.in_(ids)
        # IN (subquery), not a correlated EXISTS: inside an OR, EXISTS makes SQLite
        # scan every action, while IN lets it use the partner index.
        as_partner = action_t.c.id.in_(sa.select(partner_t.c.action_id).where(partner_t.c.stakeholder_id.in_(ids)))
        clauses.append(
            {StakeholderRole.lead: as_lead, StakeholderRole.partner: as_partner}.get(
                f.stakeholder_role, sa.or_(as_lead, as_partner)
            )
        )
    if f.statuses:
        statuses = sa.bindparam("statuses", list(f.statuses), expanding=True, type_=action_t.c.status.type)
        clauses.append(action_t.c.status.in_(statuses))
    return clauses


def _where(session: Session, f: ActionFilter, today: dt.date) -> list[sa.ColumnElement[bool]]:
    frameworks = frameworks_read(session, f.framework)
    ids = stakeholder_ids(session, f.stakeholders) if f.stakeholders else []
    clauses = shared_clauses(f, frameworks, ids)
    if f.horizons:
        clauses.append(action_t.c.horizon.in_(f.horizons))
    if f.due_before:
        clauses.append(action_t.c.due < f.due_before)
    if f.due_after:
        clauses.append(action_t.c.due > f.due_after)
    if f.overdue:
        clauses.append(action_t.c.due < today)
        clauses.append(action_t.c.status.in_(OPEN))
    if f.stale:
        cutoff = utcnow() - dt.timedelta(days=f.stale_days)
        clauses.append(action_t.c.status == Status.in_progress)
        clauses.append(action_t.c.updated_at < cutoff)
    if f.owner:
        clauses.append(action_t.c.owner_id == login_id(session, f.owner, "owner"))
    if f.mine:
        clauses.append(mine_clause(session, f.mine, action_t, partner_t)[0])
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if session.get_bind().dialect.name == "sqlite":
            # SQLite's LIKE already ignores case (ASCII, as lower() would); ILIKE's
            # lower() on both sides only costs time there.
            clauses.append(
                sa.or_(action_t.c.title.like(pattern, escape="\\"), action_t.c.description.like(pattern, escape="\\"))
            )
        else:
            clauses.append(
                sa.or_(
                    action_t.c.title.ilike(pattern, escape="\\"),
                    action_t.c.description.ilike(pattern, escape="\\"),
                )
            )
    return clauses


def order_by(session: Session | None, f: ActionFilter) -> list[sa.ColumnElement[Any]]:
    first: list[sa.ColumnElement[Any]] = []
    if f.mine:
        assert session is not None
        first.append(mine_clause(session, f.mine, action_t, partner_t)[1])  # owned first, either way
    column: sa.ColumnElement[Any]
    if f.sort is SortField.due:
        column = action_t.c.due
    elif f.sort is SortField.status:
        column = sa.case(
            {s.value: n for s, n in STATUS_ORDER.items()},
            value=sa.cast(action_t.c.status, sa.String),
        )
    elif f.sort is SortField.lead:
        column = stakeholder_t.c.name
    elif f.sort is SortField.title:
        column = action_t.c.title
    elif f.sort is SortField.updated:
        column = action_t.c.updated_at
    else:
        column = action_t.c.key
    ordered = column.desc() if f.descending else column.asc()
    # Unknown due dates go last either way; the id keeps pages stable.
    return [*first, ordered.nulls_last(), action_t.c.id.desc() if f.descending else action_t.c.id.asc()]


_ROW_COLUMNS = (
    action_t.c.id,
    framework_t.c.key.label("framework"),
    action_t.c.key,
    action_t.c.title,
    action_t.c.status,
    action_t.c.horizon,
    stakeholder_t.c.key.label("lead_key"),
    stakeholder_t.c.name.label("lead_name"),
    action_t.c.starts,
    action_t.c.due,
    action_t.c.completed_on,
    action_t.c.cost,
    action_t.c.version,
    action_t.c.updated_at,
    goal_t.c.key.label("goal_key"),
    goal_t.c.title.label("goal_title"),
    objective_t.c.key.label("objective_key"),
    objective_t.c.title.label("objective_title"),
    framework_t.c.currency,
    owner_t.c.login.label("owner"),
)
_FROM = (
    action_t.join(framework_t, framework_t.c.id == action_t.c.framework_id)
    .join(objective_t, objective_t.c.id == action_t.c.objective_id)
    .join(goal_t, goal_t.c.id == objective_t.c.goal_id)
    .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
    .outerjoin(owner_t, owner_t.c.id == action_t.c.owner_id)
)


def list_actions(session: Session, f: ActionFilter, *, today: dt.date | None = None) -> list[ActionRow]:
    """One page of actions matching ``f``, in its order."""
    today = today or dt.date.today()
    query = page_statement(_where(session, f, today), order_by(session, f), f)
    return _rows(session, session.execute(query).all(), today)


def count_actions(session: Session, f: ActionFilter, *, today: dt.date | None = None) -> int:
    """How many actions match ``f`` (paging ignored)."""
    today = today or dt.date.today()
    return int(session.execute(count_statement(_where(session, f, today))).scalar_one())


def page_statement(
    where: Sequence[sa.ColumnElement[bool]], order: Sequence[sa.ColumnElement[Any]], f: ActionFilter
) -> sa.Select[Any]:
    """The page of ``f``: its rows, as `action_rows` reads them."""
    limit: sa.BindParameter[int] | None = None if f.limit is None else sa.bindparam("limit", f.limit)
    if f.sort is SortField.lead:
        query = sa.select(*_ROW_COLUMNS).select_from(_FROM).where(*where).order_by(*order)
        return query.limit(limit).offset(sa.bindparam("offset", f.offset))
    # Page on the action table alone (its indexes give the order), then join
    # the page's rows: joining every candidate before the LIMIT is far slower.
    page = sa.select(action_t.c.id).where(*where).order_by(*order).limit(limit).offset(sa.bindparam("offset", f.offset))
    return sa.select(*_ROW_COLUMNS).select_from(_FROM).where(action_t.c.id.in_(page)).order_by(*order)


def count_statement(where: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    return sa.select(sa.func.count()).select_from(action_t).where(*where)


# The per-page statements are built once: building them per call cost more
# than running them.
PAGE_PARTNERS = (
    sa.select(partner_t.c.action_id, stakeholder_t.c.key, stakeholder_t.c.name)
    .join(stakeholder_t, stakeholder_t.c.id == partner_t.c.stakeholder_id)
    .where(partner_t.c.action_id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(stakeholder_t.c.name)
)
# Funding of a page's actions, per action and source currency: known allocations in
# the framework's currency are added up; those in another currency are counted,
# never added (no conversion). The page's rows carry the framework's currency, so
# this reads allocations and sources alone: joining the action and its framework
# again made a member role check both tables' policies once more per page.
PAGE_FUNDING = (
    sa.select(
        allocation_t.c.action_id,
        _t(FundingSource).c.currency,
        sa.func.sum(allocation_t.c.amount),
        sa.func.count().filter(allocation_t.c.amount.is_(None)),
        sa.func.count(allocation_t.c.amount),
    )
    .join(_t(FundingSource), _t(FundingSource).c.id == allocation_t.c.source_id)
    .where(allocation_t.c.action_id.in_(sa.bindparam("ids", expanding=True)))
    .group_by(allocation_t.c.action_id, _t(FundingSource).c.currency)
)
NEWEST = (
    sa.select(change_t.c.action_id, sa.func.max(change_t.c.id).label("id"))
    .where(change_t.c.action_id.in_(sa.bindparam("ids", expanding=True)))
    .group_by(change_t.c.action_id)
    .subquery()
)
PAGE_LATEST = (
    sa.select(change_t, member_t.c.login)
    .join(NEWEST, NEWEST.c.id == change_t.c.id)
    .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
)


def _rows(session: Session, rows: Sequence[sa.Row[Any]], today: dt.date) -> list[ActionRow]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    conn = session.connection()
    partners = conn.execute(PAGE_PARTNERS, {"ids": ids}).all()
    funding = conn.execute(PAGE_FUNDING, {"ids": ids}).all()
    return action_rows(rows, partners, funding, latest_changes(session, ids), today)


def latest_changes(session: Session, ids: Sequence[int]) -> dict[int, StatusChangeView]:
    """The newest status change of each of these actions."""
    return {row.action_id: status_change(row) for row in session.connection().execute(PAGE_LATEST, {"ids": list(ids)})}


def action_id(session: Session, ref: str) -> int:
    framework, key = split_ref(ref)
    fid = framework_id(session, framework)
    found = session.execute(
        sa.select(action_t.c.id).where(action_t.c.framework_id == fid, action_t.c.key == key)
    ).scalar()
    if found is None:
        raise NotFound(
            f"framework {framework!r} has no action {key!r}; `tracker actions list --framework {framework}` lists them."
        )
    return int(found)


def get_action(session: Session, ref: str, *, today: dt.date | None = None) -> ActionDetail:
    """Every field of one action, its allocations, findings, history and notes."""
    today = today or dt.date.today()
    aid = action_id(session, ref)
    row = session.execute(sa.select(*_ROW_COLUMNS).select_from(_FROM).where(action_t.c.id == aid)).one()
    [view] = _rows(session, [row], today)
    source_t = _t(FundingSource)
    allocations = tuple(
        AllocationView(r.key, r.name, r.fiscal_year, r.amount, r.currency)
        for r in session.execute(
            sa.select(
                source_t.c.key,
                source_t.c.name,
                source_t.c.currency,
                allocation_t.c.fiscal_year,
                allocation_t.c.amount,
            )
            .join(source_t, source_t.c.id == allocation_t.c.source_id)
            .where(allocation_t.c.action_id == aid)
            .order_by(allocation_t.c.fiscal_year, source_t.c.key)
        )
    )
    finding_t, workshop_t, link_t = _t(Finding), _t(Workshop), _t(ActionFinding)
    findings = tuple(
        f"{w}/{k}"
        for w, k in session.execute(
            sa.select(workshop_t.c.key, finding_t.c.key)
            .join(finding_t, finding_t.c.workshop_id == workshop_t.c.id)
            .join(link_t, link_t.c.finding_id == finding_t.c.id)
            .where(link_t.c.action_id == aid)
            .order_by(workshop_t.c.key, finding_t.c.number)
        )
    )
    description, visibility = session.execute(
        sa.select(action_t.c.description, action_t.c.visibility).where(action_t.c.id == aid)
    ).one()
    retractor_t = member_t.alias("retractor")
    notes = session.execute(
        sa.select(
            note_t.c.at,
            note_t.c.text,
            member_t.c.login,
            note_t.c.via_key,
            note_t.c.on_behalf_of,
            retraction_t.c.at.label("retracted_at"),
            retractor_t.c.login.label("retracted_by"),
            retraction_t.c.reason,
            retraction_t.c.via_key.label("retracted_via_key"),
        )
        .outerjoin(member_t, member_t.c.id == note_t.c.member_id)
        .outerjoin(retraction_t, retraction_t.c.note_id == note_t.c.id)
        .outerjoin(retractor_t, retractor_t.c.id == retraction_t.c.member_id)
        .where(note_t.c.action_id == aid)
        .order_by(note_t.c.at, note_t.c.id)
    ).all()
    return ActionDetail(
        row=view,
        description=description,
        allocations=allocations,
        findings=findings,
        history=action_history(session, aid),
        notes=tuple(
            NoteView(r.at, r.login, r.text, r.via_key, r.on_behalf_of) for r in notes if r.retracted_at is None
        ),
        retracted_notes=tuple(
            RetractedNoteView(
                r.at, r.login, r.text, r.retracted_at, r.retracted_by, r.reason, r.via_key, r.retracted_via_key
            )
            for r in notes
            if r.retracted_at is not None
        ),
        visibility=Visibility(visibility),
    )


def action_history(session: Session, aid: int) -> tuple[StatusChangeView, ...]:
    """The audit trail of one action, oldest first."""
    query = (
        sa.select(change_t, member_t.c.login)
        .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
        .where(change_t.c.action_id == aid)
        .order_by(change_t.c.id)
    )
    return tuple(status_change(row) for row in session.execute(query))


def stakeholder_choices(session: Session, *, framework: str | None = None) -> list[tuple[str, str]]:
    """(key, name) of the organisations that lead or support actions (of one framework), by name."""
    # A shared organisation is listed when one of the frameworks read involves it.
    ids = frameworks_read(session, framework)
    involved = (
        sa.select(action_t.c.lead_id)
        .where(within(action_t.c.framework_id, ids))
        .union(
            sa.select(partner_t.c.stakeholder_id)
            .join(action_t, action_t.c.id == partner_t.c.action_id)
            .where(within(action_t.c.framework_id, ids))
        )
    )
    query = (
        sa.select(stakeholder_t.c.key, stakeholder_t.c.name)
        .where(stakeholder_t.c.id.in_(involved))
        .order_by(stakeholder_t.c.name)
    )
    return [(key, name) for key, name in session.execute(query)]
