"""Who does what: each organisation's share of the plan and its overdue work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Workshop, WorkshopParticipant
from tracker.models.base import table_of as _t
from tracker.models.enums import Sector
from tracker.services.access.rules import within
from tracker.services.tracking.actions import OPEN, action_t, frameworks_read, partner_t, stakeholder_t

workshop_t = _t(Workshop)
participant_t = _t(WorkshopParticipant)

# Sectors in the order they are declared (public bodies first), not alphabetical.
SECTOR_ORDER = {sector: n for n, sector in enumerate(Sector)}


@dataclass(frozen=True)
class StakeholderRow:
    """An organisation with how many actions it leads, supports as a partner, and
    how many of those (open, past due) are overdue."""

    key: str
    name: str
    sector: Sector
    leads: int
    supports: int
    overdue: int


def stakeholder_overview(
    session: Session, *, framework: str | None = None, today: dt.date | None = None
) -> list[StakeholderRow]:
    """Every organisation, by sector then name, with its counts.

    With ``framework``, counts are of that framework's actions and only the
    organisations taking part in it are listed (leading or supporting one of
    its actions, or at one of its workshops). A reader who may not see every
    framework gets the same for the frameworks they see: an organisation is
    shared, its part in other cities' plans is theirs.
    """
    today = today or dt.date.today()
    ids = frameworks_read(session, framework)
    in_framework = [within(action_t.c.framework_id, ids)]

    leads = (
        sa.select(action_t.c.lead_id.label("stakeholder_id"), sa.func.count().label("n"))
        .where(*in_framework)
        .group_by(action_t.c.lead_id)
        .subquery()
    )
    supports = (
        sa.select(partner_t.c.stakeholder_id, sa.func.count().label("n"))
        .select_from(partner_t.join(action_t, action_t.c.id == partner_t.c.action_id))
        .where(*in_framework)
        .group_by(partner_t.c.stakeholder_id)
        .subquery()
    )
    late = [*in_framework, action_t.c.status.in_(OPEN), action_t.c.due < today]
    # UNION (not UNION ALL): an organisation both lead and partner of an action counts it once.
    involved = sa.union(
        sa.select(action_t.c.lead_id.label("stakeholder_id"), action_t.c.id.label("action_id")).where(*late),
        sa.select(partner_t.c.stakeholder_id, partner_t.c.action_id)
        .select_from(partner_t.join(action_t, action_t.c.id == partner_t.c.action_id))
        .where(*late),
    ).subquery()
    overdue = (
        sa.select(involved.c.stakeholder_id, sa.func.count().label("n")).group_by(involved.c.stakeholder_id).subquery()
    )
    sector_rank = sa.case(
        {sector.value: n for sector, n in SECTOR_ORDER.items()},
        value=sa.cast(stakeholder_t.c.sector, sa.String),
        else_=len(SECTOR_ORDER),
    )
    query = (
        sa.select(
            stakeholder_t.c.key,
            stakeholder_t.c.name,
            stakeholder_t.c.sector,
            sa.func.coalesce(leads.c.n, 0).label("leads"),
            sa.func.coalesce(supports.c.n, 0).label("supports"),
            sa.func.coalesce(overdue.c.n, 0).label("overdue"),
        )
        .select_from(
            stakeholder_t.outerjoin(leads, leads.c.stakeholder_id == stakeholder_t.c.id)
            .outerjoin(supports, supports.c.stakeholder_id == stakeholder_t.c.id)
            .outerjoin(overdue, overdue.c.stakeholder_id == stakeholder_t.c.id)
        )
        .order_by(sector_rank, stakeholder_t.c.name, stakeholder_t.c.key)
    )
    if ids is not None:
        at_workshop = stakeholder_t.c.id.in_(
            sa.select(participant_t.c.stakeholder_id)
            .join(workshop_t, workshop_t.c.id == participant_t.c.workshop_id)
            .where(within(workshop_t.c.framework_id, ids))
        )
        query = query.where(sa.or_(leads.c.n > 0, supports.c.n > 0, at_workshop))
    return [
        StakeholderRow(
            key=row.key,
            name=row.name,
            sector=Sector(row.sector),
            leads=row.leads,
            supports=row.supports,
            overdue=row.overdue,
        )
        for row in session.execute(query)
    ]
