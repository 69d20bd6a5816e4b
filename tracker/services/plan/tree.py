"""One framework's whole plan as a tree, goals > objectives > actions, with the workshop
findings each part answers (and their translations) and each indicator's latest value.

One query per table, assembled in Python: a framework holds at most a few
thousand items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from tracker.models import (
    ActionFinding,
    Finding,
    FindingTranslation,
    GoalFinding,
    Indicator,
    ObjectiveFinding,
    Workshop,
)
from tracker.models.base import table_of as _t
from tracker.models.enums import Direction, Horizon, Stage, Status, Visibility
from tracker.services.plan.indicators import latest_measurements
from tracker.services.tracking.actions import (
    action_t,
    framework_id,
    framework_t,
    goal_t,
    objective_t,
    partner_t,
    stakeholder_t,
)

workshop_t = _t(Workshop)
finding_t = _t(Finding)
translation_t = _t(FindingTranslation)
goal_finding_t = _t(GoalFinding)
objective_finding_t = _t(ObjectiveFinding)
action_finding_t = _t(ActionFinding)
indicator_t = _t(Indicator)


@dataclass(frozen=True)
class FindingView:
    """A numbered workshop finding in the report's words; ``translations``: lang -> text;
    ``background``: its workshop informs the plan without being counted by coverage."""

    ref: str  # workshop-key/finding-key
    workshop_title: str
    held_on: dt.date | None
    number: int
    text: str
    translations: dict[str, str]
    background: bool = False


@dataclass(frozen=True)
class WindowView:
    """A horizon's dates: near term from the plan's start, then mid term, then long term (open-ended)."""

    horizon: Horizon
    starts: dt.date
    ends: dt.date | None


@dataclass(frozen=True)
class IndicatorNode:
    key: str
    ref: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    target_date: dt.date | None
    direction: Direction
    latest_value: Decimal | None
    latest_on: dt.date | None
    visibility: Visibility = Visibility.internal


@dataclass(frozen=True)
class ActionNode:
    key: str
    ref: str
    title: str
    status: Status
    horizon: Horizon
    lead: str
    due: dt.date | None
    findings: tuple[FindingView, ...]
    partners: tuple[str, ...] = ()  # the partner organisations' names, in order
    visibility: Visibility = Visibility.internal


@dataclass(frozen=True)
class ObjectiveNode:
    key: str
    title: str
    description: str | None
    findings: tuple[FindingView, ...]
    indicators: tuple[IndicatorNode, ...]
    actions: tuple[ActionNode, ...]
    visibility: Visibility = Visibility.internal


@dataclass(frozen=True)
class GoalNode:
    key: str
    title: str
    description: str | None
    findings: tuple[FindingView, ...]
    objectives: tuple[ObjectiveNode, ...]
    visibility: Visibility = Visibility.internal


@dataclass(frozen=True)
class PlanTree:
    """A framework's plan; ``findings`` holds every finding of its workshops, in order."""

    key: str
    title: str
    city: str
    state: str | None
    stage: Stage
    starts: dt.date
    currency: str
    windows: tuple[WindowView, ...]
    goals: tuple[GoalNode, ...]
    findings: tuple[FindingView, ...]


def _windows(starts: dt.date, near_months: int, mid_months: int) -> tuple[WindowView, ...]:
    near_end = starts + relativedelta(months=near_months, days=-1)
    mid_end = starts + relativedelta(months=mid_months, days=-1)
    return (
        WindowView(Horizon.near_term, starts, near_end),
        WindowView(Horizon.mid_term, near_end + dt.timedelta(days=1), mid_end),
        WindowView(Horizon.long_term, mid_end + dt.timedelta(days=1), None),
    )


def _links(session: Session, table: sa.Table, owner: str, owners: sa.Table, fid: int) -> dict[int, list[int]]:
    linked: dict[int, list[int]] = {}
    query = (
        sa.select(table.c[owner], table.c.finding_id)
        .join(owners, owners.c.id == table.c[owner])
        .where(owners.c.framework_id == fid)
    )
    for owner_id, finding_id in session.execute(query):
        linked.setdefault(owner_id, []).append(finding_id)
    return linked


def plan_tree(session: Session, *, framework: str) -> PlanTree:
    """The plan of ``framework`` (its key), in the plan's order; raises NotFound."""
    fid = framework_id(session, framework)
    fw = session.execute(sa.select(framework_t).where(framework_t.c.id == fid)).one()

    translations: dict[int, dict[str, str]] = {}
    for finding_id, lang, text in session.execute(
        sa.select(translation_t.c.finding_id, translation_t.c.lang, translation_t.c.text)
        .join(finding_t, finding_t.c.id == translation_t.c.finding_id)
        .join(workshop_t, workshop_t.c.id == finding_t.c.workshop_id)
        .where(workshop_t.c.framework_id == fid)
        .order_by(translation_t.c.lang)
    ):
        translations.setdefault(finding_id, {})[lang] = text
    findings: dict[int, FindingView] = {}
    for row in session.execute(
        sa.select(
            finding_t.c.id,
            finding_t.c.key,
            finding_t.c.number,
            finding_t.c.text,
            workshop_t.c.key.label("workshop"),
            workshop_t.c.title.label("workshop_title"),
            workshop_t.c.held_on,
            workshop_t.c.background,
        )
        .join(workshop_t, workshop_t.c.id == finding_t.c.workshop_id)
        .where(workshop_t.c.framework_id == fid)
        .order_by(workshop_t.c.held_on.nulls_last(), workshop_t.c.key, finding_t.c.number, finding_t.c.key)
    ):
        findings[row.id] = FindingView(
            ref=f"{row.workshop}/{row.key}",
            workshop_title=row.workshop_title,
            held_on=row.held_on,
            number=row.number,
            text=row.text,
            translations=translations.get(row.id, {}),
            background=row.background,
        )
    order = {finding_id: n for n, finding_id in enumerate(findings)}

    def cited(links: dict[int, list[int]], owner_id: int) -> tuple[FindingView, ...]:
        return tuple(findings[f] for f in sorted(links.get(owner_id, ()), key=order.__getitem__))

    goal_links = _links(session, goal_finding_t, "goal_id", goal_t, fid)
    objective_links = _links(session, objective_finding_t, "objective_id", objective_t, fid)
    action_links = _links(session, action_finding_t, "action_id", action_t, fid)

    latest = latest_measurements(frozenset((fid,)))
    indicators: dict[int, list[IndicatorNode]] = {}
    for row in session.execute(
        sa.select(indicator_t, latest.c.value.label("latest_value"), latest.c.measured_on.label("latest_on"))
        .select_from(indicator_t.outerjoin(latest, sa.and_(latest.c.indicator_id == indicator_t.c.id, latest.c.n == 1)))
        .where(indicator_t.c.framework_id == fid)
        .order_by(indicator_t.c.position, indicator_t.c.key)
    ):
        indicators.setdefault(row.objective_id, []).append(
            IndicatorNode(
                key=row.key,
                ref=f"{fw.key}/{row.key}",
                name=row.name,
                unit=row.unit,
                baseline=row.baseline,
                target=row.target,
                target_date=row.target_date,
                direction=Direction(row.direction),
                latest_value=row.latest_value,
                latest_on=row.latest_on,
                visibility=Visibility(row.visibility),
            )
        )

    partners: dict[int, list[str]] = {}
    for action_id, name in session.execute(
        sa.select(partner_t.c.action_id, stakeholder_t.c.name)
        .join(stakeholder_t, stakeholder_t.c.id == partner_t.c.stakeholder_id)
        .join(action_t, action_t.c.id == partner_t.c.action_id)
        .where(action_t.c.framework_id == fid)
        .order_by(stakeholder_t.c.name, stakeholder_t.c.id)
    ):
        partners.setdefault(action_id, []).append(name)
    actions: dict[int, list[ActionNode]] = {}
    for row in session.execute(
        sa.select(
            action_t.c.id,
            action_t.c.objective_id,
            action_t.c.key,
            action_t.c.title,
            action_t.c.status,
            action_t.c.horizon,
            action_t.c.due,
            action_t.c.visibility,
            stakeholder_t.c.name.label("lead"),
        )
        .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
        .where(action_t.c.framework_id == fid)
        .order_by(action_t.c.position, action_t.c.key)
    ):
        actions.setdefault(row.objective_id, []).append(
            ActionNode(
                key=row.key,
                ref=f"{fw.key}/{row.key}",
                title=row.title,
                status=Status(row.status),
                horizon=Horizon(row.horizon),
                lead=row.lead,
                due=row.due,
                findings=cited(action_links, row.id),
                partners=tuple(partners.get(row.id, ())),
                visibility=Visibility(row.visibility),
            )
        )

    objectives: dict[int, list[ObjectiveNode]] = {}
    for row in session.execute(
        sa.select(objective_t)
        .where(objective_t.c.framework_id == fid)
        .order_by(objective_t.c.position, objective_t.c.key)
    ):
        objectives.setdefault(row.goal_id, []).append(
            ObjectiveNode(
                key=row.key,
                title=row.title,
                description=row.description,
                findings=cited(objective_links, row.id),
                indicators=tuple(indicators.get(row.id, ())),
                actions=tuple(actions.get(row.id, ())),
                visibility=Visibility(row.visibility),
            )
        )

    goals = tuple(
        GoalNode(
            key=row.key,
            title=row.title,
            description=row.description,
            findings=cited(goal_links, row.id),
            objectives=tuple(objectives.get(row.id, ())),
            visibility=Visibility(row.visibility),
        )
        for row in session.execute(
            sa.select(goal_t).where(goal_t.c.framework_id == fid).order_by(goal_t.c.position, goal_t.c.key)
        )
    )
    return PlanTree(
        key=fw.key,
        title=fw.title,
        city=fw.city,
        state=fw.state,
        stage=Stage(fw.stage),
        starts=fw.starts,
        currency=fw.currency,
        windows=_windows(fw.starts, fw.near_term_months, fw.mid_term_months),
        goals=goals,
        findings=tuple(findings.values()),
    )
