"""Coverage of a plan, from workshop finding to action: what the community said that the
plan does not answer (or answers without money), objectives without indicators, and
indicators that cannot be followed yet.

The rules, as a coordinator reads them:

- A finding is *answered* when a goal, an objective or an action that is not
  cancelled cites it. Cancelled actions have left the plan: a finding cited
  only by cancelled actions is unanswered (``cancelled_actions`` says so).
- A finding is *answered only on paper* when no goal or objective cites it and
  none of the actions citing it (cancelled ones left out) is *supported*. An
  action is supported when it is done, when its known cost is zero, or when
  it has an allocation of known amount above zero (any source, any currency).
  An allocation of unknown amount is not money yet: it is counted in
  ``unknown_allocations``, the finding stays listed.
- A *background* workshop (such as a convening about other cities) informs the
  plan without being its own: its findings can be cited, but coverage neither
  counts them nor lists them as unanswered or unfunded; ``background_workshops``
  names such workshops, so that a reader knows what was left out.
- An objective without indicators has no way to show progress.
- An indicator needs a baseline, a target, a target date and at least one
  measurement before its progress can be judged; ``missing`` names what it lacks.

Every list is one SQL statement with aggregates, whatever the size of the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import ActionFinding, Finding, GoalFinding, Indicator, Measurement, ObjectiveFinding, Workshop
from tracker.models.base import table_of as _t
from tracker.models.enums import Status
from tracker.services.access.rules import within
from tracker.services.tracking.actions import action_t, allocation_t, framework_t, frameworks_read, goal_t, objective_t

workshop_t = _t(Workshop)
finding_t = _t(Finding)
goal_finding_t = _t(GoalFinding)
objective_finding_t = _t(ObjectiveFinding)
action_finding_t = _t(ActionFinding)
indicator_t = _t(Indicator)
measurement_t = _t(Measurement)

# What an indicator can lack, in the order it is named.
MISSING_PARTS = ("baseline", "target", "target_date", "measurement")


@dataclass(frozen=True)
class FindingGap:
    """A workshop finding the plan does not answer, or answers only with unsupported actions.

    ``ref`` is ``workshop-key/finding-key``; ``actions`` are the refs of the
    actions (not cancelled) that cite it, in key order (empty when unanswered);
    ``cancelled_actions`` counts the cancelled ones that cited it;
    ``unknown_allocations`` counts allocations of unknown amount to ``actions``.
    """

    ref: str
    workshop_title: str
    held_on: dt.date | None
    number: int
    text: str
    actions: tuple[str, ...]
    cancelled_actions: int
    unknown_allocations: int


@dataclass(frozen=True)
class ObjectiveWithoutIndicator:
    """An objective with no indicator; ``actions`` counts its actions (cancelled ones left out)."""

    ref: str
    key: str
    title: str
    goal_key: str
    goal_title: str
    actions: int


@dataclass(frozen=True)
class IndicatorGap:
    """An indicator whose progress cannot be judged yet.

    ``missing`` holds the words of :data:`MISSING_PARTS` it lacks, in that
    order; ``measurements`` counts its measurements.
    """

    ref: str
    key: str
    name: str
    unit: str
    objective_key: str
    objective_title: str
    missing: tuple[str, ...]
    measurements: int


@dataclass(frozen=True)
class BackgroundWorkshop:
    """A background workshop whose ``findings`` coverage does not count."""

    key: str
    title: str
    held_on: dt.date | None
    findings: int


@dataclass(frozen=True)
class CoverageView:
    """One framework's coverage: totals and the lists a coordinator acts on.

    ``findings`` counts every finding of the framework's ``workshops`` that are not
    background (the ones counted) and ``answered`` those answered (see the module's
    rules); ``background_workshops`` are the others, in date order; ``unanswered`` and
    ``unfunded`` (answered only on paper) are in workshop date, then number
    order. ``objectives`` and ``indicators`` count them all.
    """

    framework: str
    title: str
    workshops: int
    background_workshops: tuple[BackgroundWorkshop, ...]
    findings: int
    answered: int
    unanswered: tuple[FindingGap, ...]
    unfunded: tuple[FindingGap, ...]
    objectives: int
    objectives_without_indicators: tuple[ObjectiveWithoutIndicator, ...]
    indicators: int
    indicator_gaps: tuple[IndicatorGap, ...]


def _cites(table: sa.Table) -> sa.Subquery:
    return sa.select(table.c.finding_id, sa.func.count().label("n")).group_by(table.c.finding_id).subquery()


def _supported_actions() -> sa.ColumnElement[bool]:
    """Done, known to cost nothing, or given a known amount above zero."""
    funded = sa.exists().where(allocation_t.c.action_id == action_t.c.id, allocation_t.c.amount > 0)
    return sa.or_(action_t.c.status == Status.done, action_t.c.cost == 0, funded)


def _finding_gaps(
    session: Session, ids: frozenset[int] | None
) -> tuple[dict[int, list[FindingGap]], dict[int, list[FindingGap]]]:
    """(unanswered, unfunded) findings per framework id."""
    live = action_t.c.status != Status.cancelled
    # Correlated on the action: the allocation index answers it, not a scan of every allocation.
    unknown = (
        sa.select(sa.func.count())
        .where(allocation_t.c.action_id == action_t.c.id, allocation_t.c.amount.is_(None))
        .scalar_subquery()
    )
    by_actions = (
        sa.select(
            action_finding_t.c.finding_id,
            sa.func.count().filter(live).label("live"),
            sa.func.count().filter(sa.not_(live)).label("cancelled"),
            sa.func.count().filter(live, _supported_actions()).label("supported"),
            sa.func.coalesce(sa.func.sum(unknown).filter(live), 0).label("unknown"),
        )
        .select_from(action_finding_t.join(action_t, action_t.c.id == action_finding_t.c.action_id))
        .where(within(action_t.c.framework_id, ids))
        .group_by(action_finding_t.c.finding_id)
    )
    by_actions_q: sa.FromClause = by_actions.subquery()
    if session.get_bind().dialect.name == "postgresql":
        # Worked out once: under row-level security the planner expects one finding
        # row and joined this aggregate in a nested loop, so it ran once per finding
        # (1.2 million parent probes for 120 findings at 20,000 actions, 20 s).
        by_actions_q = by_actions.cte("by_actions").prefix_with("MATERIALIZED")
    goals, objectives = _cites(goal_finding_t), _cites(objective_finding_t)
    live_n = sa.func.coalesce(by_actions_q.c.live, 0)
    query = (
        sa.select(
            workshop_t.c.framework_id,
            finding_t.c.id,
            finding_t.c.key,
            finding_t.c.number,
            finding_t.c.text,
            workshop_t.c.key.label("workshop"),
            workshop_t.c.title.label("workshop_title"),
            workshop_t.c.held_on,
            live_n.label("live"),
            sa.func.coalesce(by_actions_q.c.cancelled, 0).label("cancelled"),
            sa.func.coalesce(by_actions_q.c.unknown, 0).label("unknown"),
        )
        .select_from(
            finding_t.join(workshop_t, workshop_t.c.id == finding_t.c.workshop_id)
            .outerjoin(goals, goals.c.finding_id == finding_t.c.id)
            .outerjoin(objectives, objectives.c.finding_id == finding_t.c.id)
            .outerjoin(by_actions_q, by_actions_q.c.finding_id == finding_t.c.id)
        )
        .where(
            goals.c.n.is_(None),
            objectives.c.n.is_(None),
            sa.func.coalesce(by_actions_q.c.supported, 0) == 0,
            workshop_t.c.background.is_(sa.false()),
            within(workshop_t.c.framework_id, ids),
        )
        .order_by(workshop_t.c.held_on.nulls_last(), workshop_t.c.key, finding_t.c.number, finding_t.c.key)
    )
    rows = session.execute(query).all()
    refs = _citing_actions(session, [r.id for r in rows if r.live], ids)
    unanswered: dict[int, list[FindingGap]] = {}
    unfunded: dict[int, list[FindingGap]] = {}
    for r in rows:
        gap = FindingGap(
            ref=f"{r.workshop}/{r.key}",
            workshop_title=r.workshop_title,
            held_on=r.held_on,
            number=r.number,
            text=r.text,
            actions=tuple(refs.get(r.id, ())),
            cancelled_actions=int(r.cancelled),
            unknown_allocations=int(r.unknown),
        )
        (unfunded if r.live else unanswered).setdefault(r.framework_id, []).append(gap)
    return unanswered, unfunded


def _citing_actions(session: Session, finding_ids: list[int], ids: frozenset[int] | None) -> dict[int, list[str]]:
    if not finding_ids:
        return {}
    query = (
        sa.select(action_finding_t.c.finding_id, framework_t.c.key.label("framework"), action_t.c.key)
        .join(action_t, action_t.c.id == action_finding_t.c.action_id)
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .where(
            action_finding_t.c.finding_id.in_(finding_ids),
            action_t.c.status != Status.cancelled,
            within(action_t.c.framework_id, ids),
        )
        .order_by(action_t.c.key)
    )
    found: dict[int, list[str]] = {}
    for row in session.execute(query):
        found.setdefault(row.finding_id, []).append(f"{row.framework}/{row.key}")
    return found


def _objectives_without_indicators(
    session: Session, ids: frozenset[int] | None
) -> dict[int, list[ObjectiveWithoutIndicator]]:
    counted = (
        sa.select(action_t.c.objective_id, sa.func.count().label("n"))
        .where(action_t.c.status != Status.cancelled)
        .group_by(action_t.c.objective_id)
        .subquery()
    )
    query = (
        sa.select(
            objective_t.c.framework_id,
            framework_t.c.key.label("framework"),
            objective_t.c.key,
            objective_t.c.title,
            goal_t.c.key.label("goal_key"),
            goal_t.c.title.label("goal_title"),
            sa.func.coalesce(counted.c.n, 0).label("actions"),
        )
        .select_from(
            objective_t.join(goal_t, goal_t.c.id == objective_t.c.goal_id)
            .join(framework_t, framework_t.c.id == objective_t.c.framework_id)
            .outerjoin(counted, counted.c.objective_id == objective_t.c.id)
        )
        .where(
            ~sa.exists().where(indicator_t.c.objective_id == objective_t.c.id),
            within(objective_t.c.framework_id, ids),
        )
        .order_by(goal_t.c.position, goal_t.c.key, objective_t.c.position, objective_t.c.key)
    )
    found: dict[int, list[ObjectiveWithoutIndicator]] = {}
    for r in session.execute(query):
        found.setdefault(r.framework_id, []).append(
            ObjectiveWithoutIndicator(
                ref=f"{r.framework}/{r.key}",
                key=r.key,
                title=r.title,
                goal_key=r.goal_key,
                goal_title=r.goal_title,
                actions=int(r.actions),
            )
        )
    return found


def _indicator_gaps(session: Session, ids: frozenset[int] | None) -> dict[int, list[IndicatorGap]]:
    counted = (
        sa.select(measurement_t.c.indicator_id, sa.func.count().label("n"))
        .group_by(measurement_t.c.indicator_id)
        .subquery()
    )
    measurements = sa.func.coalesce(counted.c.n, 0)
    query = (
        sa.select(
            indicator_t.c.framework_id,
            framework_t.c.key.label("framework"),
            indicator_t.c.key,
            indicator_t.c.name,
            indicator_t.c.unit,
            indicator_t.c.baseline,
            indicator_t.c.target,
            indicator_t.c.target_date,
            objective_t.c.key.label("objective_key"),
            objective_t.c.title.label("objective_title"),
            measurements.label("measurements"),
        )
        .select_from(
            indicator_t.join(objective_t, objective_t.c.id == indicator_t.c.objective_id)
            .join(framework_t, framework_t.c.id == indicator_t.c.framework_id)
            .outerjoin(counted, counted.c.indicator_id == indicator_t.c.id)
        )
        .where(
            sa.or_(
                indicator_t.c.baseline.is_(None),
                indicator_t.c.target.is_(None),
                indicator_t.c.target_date.is_(None),
                measurements == 0,
            ),
            within(indicator_t.c.framework_id, ids),
        )
        .order_by(objective_t.c.position, objective_t.c.key, indicator_t.c.position, indicator_t.c.key)
    )
    found: dict[int, list[IndicatorGap]] = {}
    for r in session.execute(query):
        lacks = {
            "baseline": r.baseline is None,
            "target": r.target is None,
            "target_date": r.target_date is None,
            "measurement": r.measurements == 0,
        }
        found.setdefault(r.framework_id, []).append(
            IndicatorGap(
                ref=f"{r.framework}/{r.key}",
                key=r.key,
                name=r.name,
                unit=r.unit,
                objective_key=r.objective_key,
                objective_title=r.objective_title,
                missing=tuple(part for part in MISSING_PARTS if lacks[part]),
                measurements=int(r.measurements),
            )
        )
    return found


def _totals(session: Session, ids: frozenset[int] | None) -> list[Any]:
    def per_framework(table: sa.Table, owner: sa.ColumnElement[int], *joins: tuple[sa.Table, Any]) -> sa.Subquery:
        source: Any = table
        for other, on in joins:
            source = source.join(other, on)
        return sa.select(owner.label("fid"), sa.func.count().label("n")).select_from(source).group_by(owner).subquery()

    counted = workshop_t.c.background.is_(sa.false())
    findings = per_framework(
        finding_t,
        workshop_t.c.framework_id,
        (workshop_t, sa.and_(workshop_t.c.id == finding_t.c.workshop_id, counted)),
    )
    workshops = (
        sa.select(workshop_t.c.framework_id.label("fid"), sa.func.count().label("n"))
        .where(counted)
        .group_by(workshop_t.c.framework_id)
        .subquery()
    )
    objectives = per_framework(objective_t, objective_t.c.framework_id)
    indicators = per_framework(indicator_t, indicator_t.c.framework_id)
    query = (
        sa.select(
            framework_t.c.id,
            framework_t.c.key,
            framework_t.c.title,
            sa.func.coalesce(workshops.c.n, 0).label("workshops"),
            sa.func.coalesce(findings.c.n, 0).label("findings"),
            sa.func.coalesce(objectives.c.n, 0).label("objectives"),
            sa.func.coalesce(indicators.c.n, 0).label("indicators"),
        )
        .select_from(
            framework_t.outerjoin(findings, findings.c.fid == framework_t.c.id)
            .outerjoin(workshops, workshops.c.fid == framework_t.c.id)
            .outerjoin(objectives, objectives.c.fid == framework_t.c.id)
            .outerjoin(indicators, indicators.c.fid == framework_t.c.id)
        )
        .where(within(framework_t.c.id, ids))
        .order_by(framework_t.c.key)
    )
    return list(session.execute(query).all())


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def counted_words(view: CoverageView, quote: Callable[[str], str] = str) -> str:
    """Which findings coverage counts, in words: the workshops counted, and the background
    workshops left out by title (``quote`` makes a title safe for the document it goes in)."""
    words = f"counts the findings of {_plural(view.workshops, 'workshop')}"
    if not view.background_workshops:
        return words
    left = "; ".join(
        f"{quote(w.title)} ({quote(w.key)}, {_plural(w.findings, 'finding')})" for w in view.background_workshops
    )
    n = len(view.background_workshops)
    return f"{words}; {_plural(n, 'background workshop')} not counted: {left}"


def _background_workshops(session: Session, ids: frozenset[int] | None) -> dict[int, list[BackgroundWorkshop]]:
    counted = sa.select(finding_t.c.workshop_id, sa.func.count().label("n")).group_by(finding_t.c.workshop_id)
    per_workshop = counted.subquery()
    query = (
        sa.select(
            workshop_t.c.framework_id,
            workshop_t.c.key,
            workshop_t.c.title,
            workshop_t.c.held_on,
            sa.func.coalesce(per_workshop.c.n, 0).label("findings"),
        )
        .select_from(workshop_t.outerjoin(per_workshop, per_workshop.c.workshop_id == workshop_t.c.id))
        .where(workshop_t.c.background.is_(sa.true()), within(workshop_t.c.framework_id, ids))
        .order_by(workshop_t.c.held_on.nulls_last(), workshop_t.c.key)
    )
    found: dict[int, list[BackgroundWorkshop]] = {}
    for r in session.execute(query):
        found.setdefault(r.framework_id, []).append(
            BackgroundWorkshop(key=r.key, title=r.title, held_on=r.held_on, findings=int(r.findings))
        )
    return found


def plan_coverage(session: Session, *, framework: str | None = None) -> list[CoverageView]:
    """The coverage of every framework by key, or of ``framework`` alone (raises NotFound)."""
    ids = frameworks_read(session, framework)
    unanswered, unfunded = _finding_gaps(session, ids)
    objectives = _objectives_without_indicators(session, ids)
    indicators = _indicator_gaps(session, ids)
    background = _background_workshops(session, ids)
    return [
        CoverageView(
            framework=r.key,
            title=r.title,
            workshops=int(r.workshops),
            background_workshops=tuple(background.get(r.id, ())),
            findings=int(r.findings),
            answered=int(r.findings) - len(unanswered.get(r.id, ())),
            unanswered=tuple(unanswered.get(r.id, ())),
            unfunded=tuple(unfunded.get(r.id, ())),
            objectives=int(r.objectives),
            objectives_without_indicators=tuple(objectives.get(r.id, ())),
            indicators=int(r.indicators),
            indicator_gaps=tuple(indicators.get(r.id, ())),
        )
        for r in _totals(session, ids)
    ]
