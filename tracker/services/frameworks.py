"""Framework summaries: what a coordinator sees first."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Action, Finding, Framework, Goal, Objective, Workshop
from tracker.models.enums import Stage, Status


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

    @property
    def progress(self) -> float | None:
        return progress_share(self.by_status)


def framework_summaries(session: Session) -> list[FrameworkSummary]:
    """Every framework with its counts, in order of city (aggregated in SQL)."""
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
        fid: (total, missing)
        for fid, total, missing in session.execute(
            sa.select(
                action.c.framework_id,
                sa.func.sum(action.c.cost),
                sa.func.count().filter(action.c.cost.is_(None)),
            ).group_by(action.c.framework_id)
        )
    }
    rows = session.execute(sa.select(fw).order_by(fw.c.city, fw.c.key)).all()
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
            estimated_cost=costs.get(row.id, (None, 0))[0],
            actions_without_cost=costs.get(row.id, (None, 0))[1],
        )
        for row in rows
    ]
