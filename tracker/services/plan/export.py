"""Reading a framework back out: as a plan file (`PlanFile`, the seeding contract), with its
tracking (status history, notes, plan edits, measurements), and indicator rows for reports.

A framework holds at most a few thousand items: one query per table, assembled
in Python, in the plan's order (positions, finding numbers), so that the same
database always gives the same file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.models import (
    ActionFinding,
    ActionPartner,
    Affiliation,
    Allocation,
    Finding,
    FindingTranslation,
    FundingSource,
    GoalFinding,
    Indicator,
    Measurement,
    Membership,
    ObjectiveFinding,
    PlanChange,
    Workshop,
    WorkshopParticipant,
)
from tracker.models.base import table_of as _t
from tracker.seeding.apply import derive_horizon, horizon_ends
from tracker.seeding.plan import (
    ActionIn,
    AllocationIn,
    FindingIn,
    FrameworkIn,
    FundingSourceIn,
    GoalIn,
    IndicatorIn,
    MeetingsIn,
    MemberIn,
    ObjectiveIn,
    PlanFile,
    StakeholderIn,
    WorkshopIn,
)
from tracker.services.access.rules import narrow
from tracker.services.tracking.actions import (
    action_t,
    framework_id,
    framework_t,
    goal_t,
    member_t,
    objective_t,
    stakeholder_t,
)

partner_t = _t(ActionPartner)
affiliation_t = _t(Affiliation)
allocation_t = _t(Allocation)
finding_t = _t(Finding)
translation_t = _t(FindingTranslation)
source_t = _t(FundingSource)
goal_finding_t = _t(GoalFinding)
objective_finding_t = _t(ObjectiveFinding)
action_finding_t = _t(ActionFinding)
indicator_t = _t(Indicator)
measurement_t = _t(Measurement)
membership_t = _t(Membership)
plan_change_t = _t(PlanChange)
workshop_t = _t(Workshop)
participant_t = _t(WorkshopParticipant)


class NotAPlan(TrackerError):
    """What the database holds cannot be said in the plan-file format (a bug or a tool edit)."""


def framework_keys(session: Session) -> list[str]:
    """Every framework's key that the session's reader may see, in key order."""
    keys = narrow(sa.select(framework_t.c.key).order_by(framework_t.c.key), framework_t.c.id, session)
    return list(session.execute(keys).scalars())


def _text(value: str | None) -> str | None:
    # The format has no "empty text": an empty description (possible after an
    # edit in the tool) is said as no description.
    return value if value is not None and value.strip() else None


def _grouped(rows: Iterable[Any]) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for owner, value in rows:
        grouped[owner].append(value)
    return grouped


def plan_of(session: Session, *, framework: str) -> PlanFile:
    """The plan of ``framework`` as a plan file that `tracker seed` reproduces it from.

    Holds the framework (with its fiscal year and meetings), the stakeholders it
    uses (leads, partners, workshop participants, its members' organisations),
    its members, the funding sources its actions draw on, its workshops with
    findings and translations, and goals > objectives > indicators and actions.
    An action's ``status`` is its current status, so a new database starts where
    this one is; its history, notes and measurements are tracking, not plan.
    Raises `NotFound` for an unknown key and `NotAPlan` if the data does not fit
    the format.
    """
    try:
        return _read_plan(session, framework)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        what = exc.title.removesuffix("In").lower()
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise NotAPlan(
            f"framework {framework!r} cannot be written as a plan file: {what} {where}: {message} "
            "(fix that value in the tool, then export again)."
        ) from None


def _read_plan(session: Session, framework: str) -> PlanFile:
    fid = framework_id(session, framework)
    fw = session.execute(sa.select(framework_t).where(framework_t.c.id == fid)).one()
    framework_in = FrameworkIn(
        key=fw.key,
        city=fw.city,
        state=fw.state,
        country=fw.country,
        title=fw.title,
        description=_text(fw.description),
        stage=fw.stage,
        starts=fw.starts,
        near_term_months=fw.near_term_months,
        mid_term_months=fw.mid_term_months,
        currency=fw.currency,
        fiscal_year_starts=fw.fiscal_year_starts,
        meetings=MeetingsIn(rule=fw.meeting_rule, starts=fw.meeting_starts, place=fw.meeting_place)
        if fw.meeting_rule is not None
        else None,
    )
    of_framework = action_t.c.framework_id == fid
    member_ids = sa.select(membership_t.c.member_id).where(membership_t.c.framework_id == fid)

    used = sa.union(
        sa.select(action_t.c.lead_id).where(of_framework),
        sa.select(partner_t.c.stakeholder_id)
        .join(action_t, action_t.c.id == partner_t.c.action_id)
        .where(of_framework),
        sa.select(participant_t.c.stakeholder_id)
        .join(workshop_t, workshop_t.c.id == participant_t.c.workshop_id)
        .where(workshop_t.c.framework_id == fid),
        sa.select(affiliation_t.c.stakeholder_id).where(
            affiliation_t.c.member_id.in_(member_ids), affiliation_t.c.framework_id == fid
        ),
    )
    stakeholders = session.execute(
        sa.select(stakeholder_t).where(stakeholder_t.c.id.in_(used)).order_by(stakeholder_t.c.key)
    ).all()
    skey = {s.id: s.key for s in stakeholders}

    affiliations = _grouped(
        session.execute(
            sa.select(affiliation_t.c.member_id, affiliation_t.c.stakeholder_id).where(
                affiliation_t.c.member_id.in_(member_ids), affiliation_t.c.framework_id == fid
            )
        )
    )
    members = [
        MemberIn(
            login=row.login,
            name=_text(row.name),
            role=row.role,
            stakeholders=sorted(skey[s] for s in affiliations.get(row.id, ())),
        )
        for row in session.execute(
            sa.select(member_t.c.id, member_t.c.login, member_t.c.name, membership_t.c.role)
            .join(membership_t, membership_t.c.member_id == member_t.c.id)
            .where(membership_t.c.framework_id == fid)
            .order_by(member_t.c.login)
        )
    ]

    sources = session.execute(
        sa.select(source_t)
        .where(
            source_t.c.id.in_(
                sa.select(allocation_t.c.source_id)
                .join(action_t, action_t.c.id == allocation_t.c.action_id)
                .where(of_framework)
            )
        )
        .order_by(source_t.c.key)
    ).all()
    source_key = {s.id: s.key for s in sources}

    workshops, finding_ref = _workshops(session, fid, skey)
    order = {ref: n for n, ref in enumerate(finding_ref.values())}

    def refs(links: dict[int, list[int]], owner: int) -> list[str]:
        return sorted((finding_ref[f] for f in links.get(owner, ())), key=order.__getitem__)

    def links(table: sa.Table, owner: str, owners: sa.Table) -> dict[int, list[int]]:
        return _grouped(
            session.execute(
                sa.select(table.c[owner], table.c.finding_id)
                .join(owners, owners.c.id == table.c[owner])
                .where(owners.c.framework_id == fid)
            )
        )

    actions = _actions(
        session, framework_in, fid, skey, source_key, links(action_finding_t, "action_id", action_t), refs
    )
    indicators: dict[int, list[IndicatorIn]] = defaultdict(list)
    for row in session.execute(
        sa.select(indicator_t)
        .where(indicator_t.c.framework_id == fid)
        .order_by(indicator_t.c.position, indicator_t.c.key)
    ):
        indicators[row.objective_id].append(
            IndicatorIn(
                key=row.key,
                name=row.name,
                unit=row.unit,
                baseline=row.baseline,
                target=row.target,
                target_date=row.target_date,
                direction=row.direction,
                description=_text(row.description),
                visibility=row.visibility,
            )
        )
    objective_links = links(objective_finding_t, "objective_id", objective_t)
    objectives: dict[int, list[ObjectiveIn]] = defaultdict(list)
    for row in session.execute(
        sa.select(objective_t)
        .where(objective_t.c.framework_id == fid)
        .order_by(objective_t.c.position, objective_t.c.key)
    ):
        objectives[row.goal_id].append(
            ObjectiveIn(
                key=row.key,
                title=row.title,
                description=_text(row.description),
                visibility=row.visibility,
                findings=refs(objective_links, row.id),
                indicators=indicators.get(row.id, []),
                actions=actions.get(row.id, []),
            )
        )
    goal_links = links(goal_finding_t, "goal_id", goal_t)
    goals = [
        GoalIn(
            key=row.key,
            title=row.title,
            description=_text(row.description),
            visibility=row.visibility,
            findings=refs(goal_links, row.id),
            objectives=objectives.get(row.id, []),
        )
        for row in session.execute(
            sa.select(goal_t).where(goal_t.c.framework_id == fid).order_by(goal_t.c.position, goal_t.c.key)
        )
    ]
    return PlanFile(
        framework=framework_in,
        stakeholders=[
            StakeholderIn(key=s.key, name=s.name, sector=s.sector, description=_text(s.description))
            for s in stakeholders
        ],
        members=members,
        funding_sources=[
            FundingSourceIn(
                key=s.key,
                name=s.name,
                kind=s.kind,
                reference=_text(s.reference),
                amount=s.amount,
                currency=s.currency,
                starts=s.starts,
                ends=s.ends,
                notes=_text(s.notes),
            )
            for s in sources
        ],
        workshops=workshops,
        goals=goals,
    )


def _workshops(session: Session, fid: int, skey: dict[int, str]) -> tuple[list[WorkshopIn], dict[int, str]]:
    """The framework's workshops (by date, then key) and each finding's workshop-key/finding-key."""
    participants = _grouped(
        session.execute(
            sa.select(participant_t.c.workshop_id, participant_t.c.stakeholder_id)
            .join(workshop_t, workshop_t.c.id == participant_t.c.workshop_id)
            .where(workshop_t.c.framework_id == fid)
        )
    )
    translations: dict[int, dict[str, str]] = defaultdict(dict)
    for finding_id, lang, text in session.execute(
        sa.select(translation_t.c.finding_id, translation_t.c.lang, translation_t.c.text)
        .join(finding_t, finding_t.c.id == translation_t.c.finding_id)
        .join(workshop_t, workshop_t.c.id == finding_t.c.workshop_id)
        .where(workshop_t.c.framework_id == fid)
        .order_by(translation_t.c.lang)
    ):
        translations[finding_id][lang] = text
    findings: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(
        sa.select(finding_t)
        .join(workshop_t, workshop_t.c.id == finding_t.c.workshop_id)
        .where(workshop_t.c.framework_id == fid)
        .order_by(finding_t.c.number, finding_t.c.key)
    ):
        findings[row.workshop_id].append(row)
    workshops: list[WorkshopIn] = []
    finding_ref: dict[int, str] = {}
    for row in session.execute(
        sa.select(workshop_t)
        .where(workshop_t.c.framework_id == fid)
        .order_by(workshop_t.c.held_on.nulls_last(), workshop_t.c.key)
    ):
        for f in findings.get(row.id, ()):
            finding_ref[f.id] = f"{row.key}/{f.key}"
        workshops.append(
            WorkshopIn(
                key=row.key,
                title=row.title,
                held_on=row.held_on,
                location=_text(row.location),
                background=row.background,
                participants=sorted(skey[s] for s in participants.get(row.id, ())),
                findings=[
                    FindingIn(key=f.key, text=f.text, translations=translations.get(f.id, {}))
                    for f in findings.get(row.id, ())
                ],
            )
        )
    return workshops, finding_ref


def _actions(
    session: Session,
    fw: FrameworkIn,
    fid: int,
    skey: dict[int, str],
    source_key: dict[int, str],
    finding_links: dict[int, list[int]],
    refs: Any,
) -> dict[int, list[ActionIn]]:
    """The framework's actions by objective id, in their order."""
    of_framework = action_t.c.framework_id == fid
    partners = _grouped(
        session.execute(
            sa.select(partner_t.c.action_id, partner_t.c.stakeholder_id)
            .join(action_t, action_t.c.id == partner_t.c.action_id)
            .where(of_framework)
        )
    )
    funding: dict[int, list[AllocationIn]] = defaultdict(list)
    for row in session.execute(
        sa.select(allocation_t)
        .join(action_t, action_t.c.id == allocation_t.c.action_id)
        .where(of_framework)
        .order_by(allocation_t.c.fiscal_year, allocation_t.c.source_id)
    ):
        funding[row.action_id].append(
            AllocationIn(source=source_key[row.source_id], amount=row.amount, fiscal_year=row.fiscal_year)
        )
    for allocations in funding.values():
        allocations.sort(key=lambda a: (a.fiscal_year, a.source))
    ends = horizon_ends(fw)
    owners = dict(
        session.execute(
            sa.select(action_t.c.id, member_t.c.login)
            .join(member_t, member_t.c.id == action_t.c.owner_id)
            .where(of_framework)
        ).all()
    )
    actions: dict[int, list[ActionIn]] = defaultdict(list)
    for row in session.execute(sa.select(action_t).where(of_framework).order_by(action_t.c.position, action_t.c.key)):
        actions[row.objective_id].append(
            ActionIn(
                key=row.key,
                title=row.title,
                description=_text(row.description),
                # Said only where it is not what `tracker seed` derives from `due`, as people write plans.
                horizon=None
                if row.due is not None and derive_horizon(fw, row.due, ends) == row.horizon
                else row.horizon,
                lead=skey[row.lead_id],
                partners=sorted(skey[s] for s in partners.get(row.id, ())),
                owner=owners.get(row.id),
                status=row.status,  # the current status: a new database starts where this one is
                starts=row.starts,
                due=row.due,
                cost=row.cost,
                visibility=row.visibility,
                findings=refs(finding_links, row.id),
                funding=funding.get(row.id, []),
            )
        )
    return actions
