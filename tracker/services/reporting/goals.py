"""Progress by goal: how many of each goal's actions are in each status, for the charts of
the HTML report. One GROUP BY over the framework's actions; goals without actions count zero."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models.enums import Status
from tracker.services.plan.frameworks import CountsByStatus
from tracker.services.tracking.actions import action_t, goal_t, objective_t


@dataclass(frozen=True)
class GoalProgress(CountsByStatus):
    """A goal (in plan order) and its actions counted per status (cancelled included)."""

    key: str
    title: str
    by_status: dict[Status, int]

    @property
    def actions(self) -> int:
        return sum(self.by_status.values())


def goal_progress(session: Session, *, framework_id: int) -> list[GoalProgress]:
    """Every goal of the framework (already checked readable by the caller) in plan order."""
    goals = session.execute(
        sa.select(goal_t.c.id, goal_t.c.key, goal_t.c.title)
        .where(goal_t.c.framework_id == framework_id)
        .order_by(goal_t.c.position, goal_t.c.key)
    ).all()
    counted = (
        sa.select(objective_t.c.goal_id, action_t.c.status, sa.func.count())
        .select_from(action_t.join(objective_t, objective_t.c.id == action_t.c.objective_id))
        .where(action_t.c.framework_id == framework_id)
        .group_by(objective_t.c.goal_id, action_t.c.status)
    )
    counts: dict[int, dict[Status, int]] = {}
    for goal_id, status, n in session.execute(counted):
        counts.setdefault(goal_id, {})[Status(status)] = int(n)
    return [GoalProgress(key=g.key, title=g.title, by_status=counts.get(g.id, {})) for g in goals]
