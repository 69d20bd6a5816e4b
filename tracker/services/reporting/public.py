"""What a framework's public page shows (`tracker publish`): its public part, and nothing else.

An item is public only when it and every item above it are (a public action under an
internal objective or goal is left out). Shown: titles and descriptions of goals and
objectives, the findings they answer (in the page's language when a translation exists),
public actions with their status, horizon, due date and the organisations that lead or
partner them, public indicators with their measurements (dates and values only).
Never: notes, people (owners, who recorded what), logins, emails, costs or allocations of
single actions; money only as totals, and only when asked for.

Progress counts public actions only (`frameworks.CountsByStatus`: done over all but
cancelled), and the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models.enums import Direction, Horizon, Status, Visibility
from tracker.services.access import rules
from tracker.services.funding.gaps import per_action
from tracker.services.plan.frameworks import CountsByStatus
from tracker.services.plan.tree import FindingView, plan_tree
from tracker.services.reporting.export_views import tracking_of
from tracker.services.tracking.actions import action_t, framework_id
from tracker.services.views import MemberView

PUBLIC = Visibility.public
# The language the workshop reports' findings are written in: plan files give their text in
# the report's words and other languages as translations.
FINDINGS_LANGUAGE = "en"


@dataclass(frozen=True)
class PublicFinding:
    """A finding in the page's language when translated; else as written, in ``lang``."""

    workshop: str
    number: int
    text: str
    lang: str | None  # the text's language when it is not the page's


@dataclass(frozen=True)
class PublicMeasurement:
    on: dt.date
    value: Decimal


@dataclass(frozen=True)
class PublicIndicator:
    key: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    target_date: dt.date | None
    direction: Direction
    measurements: tuple[PublicMeasurement, ...]


@dataclass(frozen=True)
class PublicAction:
    key: str
    title: str
    status: Status
    horizon: Horizon
    due: dt.date | None
    lead: str  # an organisation, never a person
    partners: tuple[str, ...]


@dataclass(frozen=True)
class MoneyTotals:
    """Sums over public actions that are not cancelled, in the framework's currency."""

    cost: Decimal  # of the actions with an estimated cost
    allocated: Decimal  # known allocations from sources in the framework's currency


@dataclass(frozen=True)
class PublicObjective:
    key: str
    title: str
    description: str | None
    findings: tuple[PublicFinding, ...]
    indicators: tuple[PublicIndicator, ...]
    actions: tuple[PublicAction, ...]


@dataclass(frozen=True)
class PublicGoal(CountsByStatus):
    key: str
    title: str
    description: str | None
    findings: tuple[PublicFinding, ...]
    objectives: tuple[PublicObjective, ...]
    by_status: dict[Status, int] = field(default_factory=dict)
    money: MoneyTotals | None = None


@dataclass(frozen=True)
class PublicPlan(CountsByStatus):
    key: str
    title: str
    city: str
    state: str | None
    currency: str
    goals: tuple[PublicGoal, ...]
    money: MoneyTotals | None = None
    by_status: dict[Status, int] = field(default_factory=dict)  # summed over the goals


def _summed(goals: Sequence[PublicGoal]) -> dict[Status, int]:
    total: Counter[Status] = Counter()
    for goal in goals:
        total.update(goal.by_status)
    return dict(total)


def _finding(finding: FindingView, lang: str) -> PublicFinding:
    translated = finding.translations.get(lang)
    if translated is not None:
        return PublicFinding(finding.workshop_title, finding.number, translated, None)
    shown_lang = None if lang == FINDINGS_LANGUAGE else FINDINGS_LANGUAGE
    return PublicFinding(finding.workshop_title, finding.number, finding.text, shown_lang)


def _money(session: Session, fid: int, action_keys: dict[str, str]) -> dict[str, MoneyTotals]:
    """Cost and allocations summed per goal over the public actions (key -> goal key)."""
    pa = per_action(frozenset((fid,))).subquery()
    rows = session.execute(sa.select(action_t.c.key, pa.c.cost, pa.c.allocated).join(pa, pa.c.id == action_t.c.id))
    cost: dict[str, Decimal] = {}
    allocated: dict[str, Decimal] = {}
    for key, action_cost, action_allocated in rows:
        goal = action_keys.get(key)
        if goal is None:
            continue  # internal, or cancelled (per_action leaves those out)
        cost[goal] = cost.get(goal, Decimal(0)) + (action_cost or Decimal(0))
        allocated[goal] = allocated.get(goal, Decimal(0)) + Decimal(action_allocated or 0)
    goals = set(action_keys.values())
    return {g: MoneyTotals(cost.get(g, Decimal(0)), allocated.get(g, Decimal(0))) for g in goals}


def public_plan(
    session: Session, *, actor: MemberView | None, framework: str, lang: str, with_money: bool = False
) -> PublicPlan:
    """The public part of ``framework``'s plan, findings in ``lang`` where translated.

    Publishing is a coordinator's decision (`access.rules`): a coordinator of the framework
    or an admin may; anyone else is refused, saying who could."""
    fid = framework_id(session, framework)  # an unknown framework, or another city's, is refused
    rules.require_coordinator(actor, framework, f"publish the public page of {framework}")
    tree = plan_tree(session, framework=framework)
    measured = {
        i.key: tuple(PublicMeasurement(m.measured_on, m.value) for m in i.measurements)
        for i in tracking_of(session, framework=framework).indicators
    }
    goals: list[PublicGoal] = []
    goal_of_action: dict[str, str] = {}
    for goal in tree.goals:
        if goal.visibility is not PUBLIC:
            continue
        objectives = []
        counts: Counter[Status] = Counter()
        for objective in goal.objectives:
            if objective.visibility is not PUBLIC:
                continue
            actions = tuple(
                PublicAction(a.key, a.title, a.status, a.horizon, a.due, a.lead, a.partners)
                for a in objective.actions
                if a.visibility is PUBLIC
            )
            counts.update(a.status for a in actions)
            goal_of_action.update((a.key, goal.key) for a in actions)
            indicators = tuple(
                PublicIndicator(
                    i.key, i.name, i.unit, i.baseline, i.target, i.target_date, i.direction, measured.get(i.key, ())
                )
                for i in objective.indicators
                if i.visibility is PUBLIC
            )
            findings = tuple(_finding(f, lang) for f in objective.findings)
            objectives.append(
                PublicObjective(objective.key, objective.title, objective.description, findings, indicators, actions)
            )
        findings = tuple(_finding(f, lang) for f in goal.findings)
        goals.append(PublicGoal(goal.key, goal.title, goal.description, findings, tuple(objectives), dict(counts)))
    plan_money = None
    if with_money:
        per_goal = _money(session, fid, goal_of_action)
        zero = MoneyTotals(Decimal(0), Decimal(0))
        goals = [
            PublicGoal(g.key, g.title, g.description, g.findings, g.objectives, g.by_status, per_goal.get(g.key, zero))
            for g in goals
        ]
        plan_money = MoneyTotals(
            sum((m.cost for m in per_goal.values()), Decimal(0)),
            sum((m.allocated for m in per_goal.values()), Decimal(0)),
        )
    return PublicPlan(
        tree.key, tree.title, tree.city, tree.state, tree.currency, tuple(goals), plan_money, _summed(goals)
    )
