"""Framework summaries: what a coordinator sees first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Action, Finding, Framework, Goal, Objective, Workshop
from tracker.models.enums import Stage, Status
from tracker.models.types import utcnow
from tracker.services.filters import STALE_DAYS

OPEN = (Status.planned, Status.in_progress, Status.blocked)


def progress_share(counts: dict[Status, int]) -> float | None:
    """Progress of a set of actions: done / (all - cancelled), counted per action.

    Cancelled actions leave the plan, so they count neither way; with nothing
    left to do the progress is undefined (None), not 0 % or 100 %.
    """
    relevant = sum(n for status, n in counts.items() if status is not Status.cancelled)
    if relevant == 0:
        return None
    return counts.get(Status.done, 0) / relevant


@dataclass(frozen=True)
class FrameworkSummary:
    key: str
    city: str
    state: str | None
    country: str
    title: str
    stage: Stage
    goals: int
    objectives: int
    findings: int
    actions: int
    by_status: dict[Status, int] = field(default_factory=dict)
    estimated_cost: Decimal | None = None
    actions_without_cost: int = 0
    overdue: int = 0
    stale: int = 0

    @property
    def blocked(self) -> int:
        return self.by_status.get(Status.blocked, 0)

    @property
    def progress(self) -> float | None:
        return progress_share(self.by_status)


def framework_summaries(
    session: Session,
    *,
    framework: str | None = None,
    today: dt.date | None = None,
    stale_days: int = STALE_DAYS,
) -> list[FrameworkSummary]:
    """Every framework (or one) with its counts, in order of city (aggregated in SQL).

    Overdue and stale mean what they mean in `ActionFilter`.
    """
    today = today or dt.date.today()
    stale_before = utcnow() - dt.timedelta(days=stale_days)
    fw = Framework.__table__  # type: ignore[attr-defined]
    action = Action.__table__  # type: ignore[attr-defined]

    def per_framework(table: sa.Table) -> dict[int, int]:
        query = sa.select(table.c.framework_id, sa.func.count()).group_by(table.c.framework_id)
        return {fid: n for fid, n in session.execute(query)}

    goals = per_framework(Goal.__table__)  # type: ignore[attr-defined]
    objectives = per_framework(Objective.__table__)  # type: ignore[attr-defined]
    workshop = Workshop.__table__  # type: ignore[attr-defined]
    finding = Finding.__table__  # type: ignore[attr-defined]
    findings = {
        fid: n
        for fid, n in session.execute(
            sa.select(workshop.c.framework_id, sa.func.count())
            .select_from(finding.join(workshop))
            .group_by(workshop.c.framework_id)
        )
    }
    by_status: dict[int, dict[Status, int]] = {}
    for fid, status, count in session.execute(
        sa.select(action.c.framework_id, action.c.status, sa.func.count()).group_by(
            action.c.framework_id, action.c.status
        )
    ):
        by_status.setdefault(fid, {})[status] = count
    costs = {
        fid: (total, missing, overdue, stale)
        for fid, total, missing, overdue, stale in session.execute(
            sa.select(
                action.c.framework_id,
                sa.func.sum(action.c.cost),
                sa.func.count().filter(action.c.cost.is_(None)),
                sa.func.count().filter(action.c.due < today, action.c.status.in_(OPEN)),
                sa.func.count().filter(action.c.status == Status.in_progress, action.c.updated_at < stale_before),
            ).group_by(action.c.framework_id)
        )
    }
    query = sa.select(fw).order_by(fw.c.city, fw.c.key)
    if framework is not None:
        query = query.where(fw.c.key == framework)
    rows = session.execute(query).all()
    if framework is not None and not rows:
        from tracker.services.actions import framework_id

        framework_id(session, framework)  # raises NotFound with the known keys
    return [
        FrameworkSummary(
            key=row.key,
            city=row.city,
            state=row.state,
            country=row.country,
            title=row.title,
            stage=row.stage,
            goals=goals.get(row.id, 0),
            objectives=objectives.get(row.id, 0),
            findings=findings.get(row.id, 0),
            actions=sum(by_status.get(row.id, {}).values()),
            by_status=by_status.get(row.id, {}),
            estimated_cost=costs.get(row.id, (None, 0, 0, 0))[0],
            actions_without_cost=costs.get(row.id, (None, 0, 0, 0))[1],
            overdue=costs.get(row.id, (None, 0, 0, 0))[2],
            stale=costs.get(row.id, (None, 0, 0, 0))[3],
        )
        for row in rows
    ]
