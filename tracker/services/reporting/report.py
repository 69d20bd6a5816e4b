"""Everything the coordinator's report for a leadership-group meeting says, gathered in
one read session: what changed since a day, actions that need attention, money,
findings not yet answered, indicators off track and the next meetings.

The writer (`tracker.exports.report_md`) takes the :class:`ReportData` this
returns and runs no query of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models.enums import Stage, Status
from tracker.services.funding.gaps import GapRollupView, gap_rollup
from tracker.services.funding.risks import FundingRisks, funding_risks
from tracker.services.funding.sources import (
    GapView,
    ObjectiveGapView,
    SourceView,
    funding_gaps,
    funding_sources,
    objective_gaps,
)
from tracker.services.plan.frameworks import CountsByStatus
from tracker.services.plan.indicators import IndicatorProgress, indicator_progress
from tracker.services.plan.schedule import meetings_of
from tracker.services.reporting.coverage import CoverageView, plan_coverage
from tracker.services.reporting.goals import GoalProgress, goal_progress
from tracker.services.reporting.requests import UpdateRequests, update_requests
from tracker.services.tracking.actions import action_t, count_actions, framework_id, framework_t, list_actions
from tracker.services.tracking.activity import ActivityItem, recent_activity
from tracker.services.tracking.filters import STALE_DAYS, ActionFilter, SortField
from tracker.services.views import ActionRow

DEFAULT_SINCE_DAYS = 30
ACTIVITY_LIMIT = 500  # items of "what changed"; more are counted as left out
ATTENTION_LIMIT = 100  # actions per list of overdue, blocked, stale
NEXT_MEETINGS = 3
_PAGE = 200


@dataclass(frozen=True)
class ReportHeading:
    """The framework the report is about."""

    key: str
    title: str
    city: str
    state: str | None
    country: str
    stage: Stage
    currency: str
    starts: dt.date


@dataclass(frozen=True)
class ChangesSince:
    """What was recorded from ``since`` (00:00 UTC) on, oldest first.

    ``reason`` says where ``since`` came from when it was not given: "the
    working-group meeting" (the last one before today) or "30 days ago".
    ``complete`` is False when there were more than the ``items`` kept.
    """

    since: dt.date
    reason: str | None
    items: tuple[ActivityItem, ...]
    complete: bool

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)


@dataclass(frozen=True)
class AttentionList:
    """Actions of one kind of trouble: the first ``rows`` and how many there are in all."""

    rows: tuple[ActionRow, ...]
    total: int


@dataclass(frozen=True)
class FundingData:
    """The money part of the report, in the framework's ``currency`` (sources in their own).

    ``gaps`` holds every action with a funding gap, largest first;
    ``objective_gaps`` every objective with a gap or actions of unknown cost;
    ``sources`` the sources allocated to the framework. New parts of the
    funding picture (risks) are added here as fields and written by one more
    call in the writer's funding section.
    """

    currency: str
    gaps: tuple[GapView, ...]
    objective_gaps: tuple[ObjectiveGapView, ...]
    sources: tuple[SourceView, ...]
    risks: FundingRisks | None = None
    years: tuple[GapRollupView, ...] = ()  # the gap per fiscal year, in time order (the HTML chart's)

    @property
    def total_gap(self) -> Decimal:
        return sum((g.gap for g in self.gaps), Decimal("0.00"))

    @property
    def actions_without_cost(self) -> int:
        """Actions (not cancelled) with no cost estimate, so no known gap."""
        return sum(o.actions_without_cost for o in self.objective_gaps)


@dataclass(frozen=True)
class ReportData(CountsByStatus):
    """Everything in the report, as of ``today``; ``by_status`` counts the framework's actions."""

    heading: ReportHeading
    today: dt.date
    by_status: dict[Status, int]
    changes: ChangesSince
    overdue: AttentionList
    blocked: AttentionList
    stale: AttentionList
    stale_days: int
    funding: FundingData
    coverage: CoverageView
    indicators: tuple[IndicatorProgress, ...]
    meetings: tuple[dt.date, ...]
    meeting_place: str | None
    requests: UpdateRequests | None = None  # who owes an update (`reporting.requests`)
    goals: tuple[GoalProgress, ...] = ()  # actions per status per goal (the HTML chart's)

    @property
    def actions(self) -> int:
        return sum(self.by_status.values())

    @property
    def off_track(self) -> tuple[IndicatorProgress, ...]:
        return tuple(i for i in self.indicators if i.off_track)


def default_since(*, rule: str | None, starts: dt.date | None, today: dt.date) -> tuple[dt.date, str]:
    """The day "what changed" starts when none is given, and why that day.

    The last working-group meeting before ``today``, when the framework has a
    meeting rule and a meeting has been held; else ``DEFAULT_SINCE_DAYS`` days ago.
    """
    meetings = meetings_of(rule, starts)
    last = meetings.before(today) if meetings is not None else None
    if last is not None:
        return last, "the last working-group meeting"
    return today - dt.timedelta(days=DEFAULT_SINCE_DAYS), f"{DEFAULT_SINCE_DAYS} days ago"


def changes_since(
    session: Session, *, framework: str, since: dt.date, reason: str | None = None, limit: int = ACTIVITY_LIMIT
) -> ChangesSince:
    """Status changes, notes, plan edits and measurements recorded from ``since`` on.

    Pages through the activity feed, newest first, until it reaches an older
    item or ``limit`` items; returns them oldest first.
    """
    start = dt.datetime.combine(since, dt.time(), dt.UTC)
    found: list[ActivityItem] = []
    after: str | None = None
    complete = True
    while True:
        page = recent_activity(session, framework=framework, limit=_PAGE, after_id=after)
        recent = [item for item in page if item.at >= start]
        found.extend(recent)
        if len(found) > limit:
            found, complete = found[:limit], False
            break
        if len(recent) < len(page) or len(page) < _PAGE:
            break
        after = page[-1].id
    return ChangesSince(since=since, reason=reason, items=tuple(reversed(found)), complete=complete)


def funding_data(session: Session, *, framework: str, currency: str, today: dt.date) -> FundingData:
    """The funding gaps of the framework's actions and objectives, its sources, and the
    sustainability risks (funding cliffs, single-source dependence, sources ending soon)
    with the services' default thresholds."""
    return FundingData(
        currency=currency,
        gaps=tuple(funding_gaps(session, framework=framework, limit=None)),
        objective_gaps=tuple(objective_gaps(session, framework=framework, limit=None)),
        sources=tuple(funding_sources(session, today=today, framework=framework)),
        risks=funding_risks(session, framework=framework, today=today),
        years=tuple(gap_rollup(session, framework=framework, by="year")),
    )


def _attention(session: Session, flt: ActionFilter, today: dt.date) -> AttentionList:
    return AttentionList(
        rows=tuple(list_actions(session, flt, today=today)), total=count_actions(session, flt, today=today)
    )


def gather_report(
    session: Session,
    *,
    framework: str,
    since: dt.date | None = None,
    today: dt.date | None = None,
    stale_days: int = STALE_DAYS,
    progress: Callable[[str], None] | None = None,
) -> ReportData:
    """The report on ``framework`` as of ``today``; raises NotFound for an unknown key.

    ``since`` defaults to :func:`default_since`. ``progress`` is told the name
    of each part before it is read (for a spinner on long reports).
    """
    today = today or dt.date.today()
    step = progress or (lambda _part: None)
    fid = framework_id(session, framework)
    fw = session.execute(sa.select(framework_t).where(framework_t.c.id == fid)).one()
    heading = ReportHeading(
        key=fw.key,
        title=fw.title,
        city=fw.city,
        state=fw.state,
        country=fw.country,
        stage=Stage(fw.stage),
        currency=fw.currency,
        starts=fw.starts,
    )
    reason = None
    if since is None:
        since, reason = default_since(rule=fw.meeting_rule, starts=fw.meeting_starts, today=today)
    step("what changed")
    changes = changes_since(session, framework=framework, since=since, reason=reason)
    step("actions")
    counted = sa.select(action_t.c.status, sa.func.count()).where(action_t.c.framework_id == fid)
    by_status = {Status(status): int(n) for status, n in session.execute(counted.group_by(action_t.c.status))}
    overdue = _attention(session, ActionFilter(framework=framework, limit=ATTENTION_LIMIT, overdue=True), today)
    blocked = _attention(
        session, ActionFilter(framework=framework, limit=ATTENTION_LIMIT, statuses=(Status.blocked,)), today
    )
    stale = _attention(
        session,
        ActionFilter(
            framework=framework, limit=ATTENTION_LIMIT, stale=True, stale_days=stale_days, sort=SortField.updated
        ),
        today,
    )
    step("funding")
    funding = funding_data(session, framework=framework, currency=fw.currency, today=today)
    step("findings and indicators")
    [coverage] = plan_coverage(session, framework=framework)
    indicators = tuple(indicator_progress(session, framework=framework, today=today))
    meetings = meetings_of(fw.meeting_rule, fw.meeting_starts, fw.meeting_place)
    step("who owes an update")
    requests = update_requests(session, framework=framework, today=today, stale_days=stale_days)
    return ReportData(
        heading=heading,
        today=today,
        by_status=by_status,
        changes=changes,
        overdue=overdue,
        blocked=blocked,
        stale=stale,
        stale_days=stale_days,
        funding=funding,
        coverage=coverage,
        indicators=indicators,
        meetings=tuple(meetings.after(today, NEXT_MEETINGS)) if meetings else (),
        meeting_place=fw.meeting_place,
        requests=requests,
        goals=tuple(goal_progress(session, framework_id=fid)),
    )
