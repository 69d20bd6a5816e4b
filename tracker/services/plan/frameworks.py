"""Framework summaries: what a coordinator sees first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Finding, Framework, Goal, Objective, Workshop
from tracker.models.enums import Stage, Status
from tracker.services.access.rules import narrow
from tracker.services.tracking.filters import STALE_DAYS

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


class CountsByStatus:
    """A view that counts actions per status (``by_status``): its progress and the actions
    progress counts, defined once for every such view."""

    by_status: dict[Status, int]

    @property
    def progress(self) -> float | None:
        return progress_share(self.by_status)

    @property
    def counted(self) -> int:
        """The actions progress counts: all but the cancelled."""
        return sum(n for status, n in self.by_status.items() if status is not Status.cancelled)


@dataclass(frozen=True)
class FrameworkSummary(CountsByStatus):
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
    # The counts of actions (by status, overdue, stale, cost) are the overview's:
    # one definition of each, whichever view shows it.
    from tracker.services.reporting.overview import framework_overview

    overviews = [o for o in framework_overview(session, today=today, stale_days=stale_days)
                 if framework is None or o.key == framework]  # fmt: skip
    if framework is not None and not overviews:
        from tracker.services.tracking.actions import framework_id

        framework_id(session, framework)  # raises NotFound with the known keys
    fw = Framework.__table__  # type: ignore[attr-defined]

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
    ids = {key: (fid, country) for fid, key, country in session.execute(sa.select(fw.c.id, fw.c.key, fw.c.country))}
    summaries = []
    for o in overviews:
        fid, country = ids[o.key]
        summaries.append(
            FrameworkSummary(
                key=o.key,
                city=o.city,
                state=o.state,
                country=country,
                title=o.title,
                stage=o.stage,
                goals=goals.get(fid, 0),
                objectives=objectives.get(fid, 0),
                findings=findings.get(fid, 0),
                actions=o.actions,
                by_status=o.by_status,
                estimated_cost=o.estimated_cost,
                actions_without_cost=o.actions_without_cost,
                overdue=o.overdue,
                stale=o.stale,
            )
        )
    return summaries


@dataclass(frozen=True)
class FrameworkPlace:
    """Where a framework is, as people name it (the key is for scripts)."""

    key: str
    city: str
    state: str | None
    title: str

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.state) if p)


def framework_places(session: Session) -> list[FrameworkPlace]:
    """The frameworks the reader may see, by city: a light read for names and pickers."""
    fw = Framework.__table__  # type: ignore[attr-defined]
    query = narrow(sa.select(fw.c.key, fw.c.city, fw.c.state, fw.c.title), fw.c.id, session)
    rows = session.execute(query.order_by(fw.c.city, fw.c.state, fw.c.key))
    return [FrameworkPlace(key, city, state, title) for key, city, state, title in rows]
