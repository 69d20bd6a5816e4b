"""Who may seed what: what a plan file would change, judged by the rules in `access`.

The rules live in `tracker.services.access.rules`; this module only works out what a
file asks for and puts the answers next to the file and item they are about. A
file is judged in two steps around writing it (a command is one transaction, so
a refusal after writing still leaves the database exactly as it was):

1. `admit`, before anything of the file is compared with the database: creating
   its framework needs an admin, touching an existing one needs a role in it
   (the comparisons would show its content and who edited it). The members'
   roles, names and organisations there are noted for step 2, and `keep_shared`
   decides which shared stakeholders, funding sources and members' names keep
   the database's description.
2. `judge`, after the file was written: every role the file gives needs the right
   to grant it, the last coordinator stays, and any other change needs a
   coordinator of the framework (or an admin). A file that changed nothing was
   a read, which its members may do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import PermissionDenied
from tracker.models import (
    Action,
    ActionPartner,
    Affiliation,
    Allocation,
    Framework,
    FundingSource,
    Member,
    Membership,
    Stakeholder,
    Workshop,
    WorkshopParticipant,
)
from tracker.models.base import table_of as _t
from tracker.models.enums import Role
from tracker.names import twin_message
from tracker.seeding.problems import Loc, PlanRefused, Problem
from tracker.seeding.sync import CHUNK
from tracker.seeding.validate import LoadedPlan, locate
from tracker.services.access import rules as access
from tracker.services.access.emails import visible_emails
from tracker.services.access.members import case_twins, find_member
from tracker.services.views import MemberView

# What describes a shared item (and is kept as it is when the login may not change it).
STAKEHOLDER_FIELDS = ("name", "sector", "description")
SOURCE_FIELDS = ("name", "kind", "reference", "amount", "currency", "starts", "ends", "notes")


@dataclass(frozen=True)
class _Person:
    """A login of the file as the database knew it before the file was written."""

    known: bool  # the login exists at all
    role: Role | None  # in this file's framework
    name: str | None
    orgs: frozenset[str]  # stakeholder keys, in this file's framework


@dataclass
class Admission:
    """What `admit` learnt about one file, for `judge` to compare with what it did."""

    loaded: LoadedPlan
    framework_id: int | None  # None: the file creates its framework
    people: dict[str, _Person] = field(default_factory=dict)
    coordinators: list[str] = field(default_factory=list)  # shown only to the framework's members


@dataclass
class Kept:
    """Shared items whose description stays the database's, and what to tell the user."""

    stakeholders: dict[str, dict[str, Any]] = field(default_factory=dict)
    funding_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_names: dict[str, str | None] = field(default_factory=dict)  # login -> the database's name
    member_emails: dict[str, str | None] = field(default_factory=dict)  # login -> the database's email
    notices: list[str] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)


def admit(session: Session, member: MemberView, plans: Sequence[LoadedPlan]) -> list[Admission]:
    """Step 1 for every file; raises `PlanRefused` naming every file the login may not touch."""
    admitted: list[Admission] = []
    refused: list[Problem] = []
    for loaded in plans:
        key = loaded.plan.framework.key
        fid = session.execute(sa.select(_t(Framework).c.id).where(_t(Framework).c.key == key)).scalar()
        try:
            access.require_seed(member, key, exists=fid is not None, changes=False)
        except PermissionDenied as exc:
            refused.extend(_refusal(loaded, ("framework", "key"), exc.message))
            continue
        if fid is None:
            admitted.append(Admission(loaded, None))
            continue
        if access.effective_role(member, key) is Role.coordinator:
            # Only a file that may change the plan queues behind the framework's changes
            # of roles; a member's file can only be a read (`judge` refuses any change),
            # and a member's database role may not lock the framework's row at all.
            access.lock_framework(session, fid)
            access.keep_own_rights(session, member, fid)
        admitted.append(
            Admission(
                loaded,
                fid,
                _people(session, fid, [m.login for m in loaded.plan.members]),
                access.coordinators_of(session, fid),
            )
        )
    if refused:
        raise PlanRefused(refused)
    return admitted


def keep_shared(session: Session, member: MemberView, admission: Admission) -> Kept:
    """The file's stakeholders, funding sources and members' names that other frameworks
    use too, and that it gives differently, keep the database's description unless
    ``member`` coordinates every framework that uses them (`access.not_coordinated`)."""
    plan = admission.loaded.plan
    kept = Kept()
    groups = (
        ("stakeholder", _t(Stakeholder), plan.stakeholders, STAKEHOLDER_FIELDS, kept.stakeholders, _stakeholder_users),
        ("funding source", _t(FundingSource), plan.funding_sources, SOURCE_FIELDS, kept.funding_sources, _source_users),
    )
    for label, table, items, fields, keep, users_of in groups:
        differing: dict[int, tuple[str, dict[str, Any], list[str]]] = {}
        by_key = {i.key: i for i in items}
        for row in _rows_by_key(session, table, list(by_key), fields):
            item = by_key[row.key]
            changed = [f for f in fields if getattr(row, f) != getattr(item, f)]
            if changed:
                differing[row.id] = (row.key, {f: getattr(row, f) for f in fields}, changed)
        if not differing:
            continue
        users = users_of(session, list(differing))
        for item_id, (key, database, changed) in differing.items():
            others = users.get(item_id, set()) - {plan.framework.key}
            if others and access.not_coordinated(member, others):
                keep[key] = database
                kept.notices.append(
                    f"{label} {key}: kept the database's {', '.join(changed)}; it is also used by "
                    f"{access.frameworks_shown(member, others)}, and only a coordinator of every framework that uses "
                    "it (or an admin) can change how it is described"
                )
    _keep_member_names(session, member, admission, kept)
    _keep_member_emails(session, member, admission, kept)
    kept.refused = _over_kept_amounts(admission.loaded, kept.funding_sources)
    return kept


def _keep_member_names(session: Session, member: MemberView, admission: Admission, kept: Kept) -> None:
    """A member's name is one row too, shown in every framework they belong to (an admin's
    in all of them): the same rule as for shared stakeholders decides who may change it."""
    key = admission.loaded.plan.framework.key
    named = {m.login: m.name for m in admission.loaded.plan.members}
    if not named:
        return
    member_t = _t(Member)
    names = dict(session.execute(sa.select(member_t.c.login, member_t.c.name).where(member_t.c.login.in_(named))).all())
    differing = [login for login, name in names.items() if name != named[login]]
    if not differing:
        return
    users = access.where_named(session, differing)
    for login in sorted(differing):
        others = users.get(login, set()) - {key}
        if access.name_kept_from(member, others, key):
            kept.member_names[login] = names[login]
            kept.notices.append(
                f"member {login}: kept the database's name; they also belong to "
                f"{access.frameworks_shown(member, others)}, and only a coordinator of every framework "
                "they belong to (or an admin) can change it"
            )


def _keep_member_emails(session: Session, member: MemberView, admission: Admission, kept: Kept) -> None:
    """A file's email for an existing member is applied only where `member edit` would let
    the seeder change it (`access.why_not_edit_member`); otherwise the database's stays."""
    given = {m.login: m.email for m in admission.loaded.plan.members if m.email is not None}
    if not given:
        return
    seen = visible_emails(session, given)  # whoever may change an address may see it
    for login in sorted(login for login, email in given.items() if seen.get(login) != email):
        target = find_member(session, login)
        if target is not None and access.why_not_edit_member(member, target, login=False) is not None:
            kept.member_emails[login] = seen.get(login)
            kept.notices.append(
                f"member {login}: kept the database's email; only they, an admin, or a coordinator of every "
                "framework they belong to can change it"
            )


def _over_kept_amounts(loaded: LoadedPlan, sources: dict[str, dict[str, Any]]) -> list[Problem]:
    """The file's allocations were checked against the amounts it gives; a source that
    keeps the database's (smaller) amount must still cover them."""
    totals: dict[str, Decimal] = {}
    for goal in loaded.plan.goals:
        for objective in goal.objectives:
            for action in objective.actions:
                for allocation in action.funding:
                    if allocation.source in sources and allocation.amount is not None:
                        totals[allocation.source] = totals.get(allocation.source, Decimal(0)) + allocation.amount
    refused = []
    for i, source in enumerate(loaded.plan.funding_sources):
        amount = sources.get(source.key, {}).get("amount")
        if amount is not None and totals.get(source.key, Decimal(0)) > amount:
            refused += _refusal(
                loaded,
                ("funding_sources", i, "amount"),
                f"this file allocates {totals[source.key]} from {source.key}, more than the committed amount "
                f"{amount} that the database keeps for it (other frameworks use it too, and only a coordinator "
                "of every one of them, or an admin, can change it); lower the allocations, or ask one of them "
                "to seed the new amount",
            )
    return refused


def judge(
    session: Session, member: MemberView, admission: Admission, kept: Kept, tallies: dict[str, Any]
) -> list[Problem]:
    """Step 2: the refusals for what the file did (empty when ``member`` may do all of it)."""
    loaded, fid = admission.loaded, admission.framework_id
    key = loaded.plan.framework.key
    # Coordinators' logins help a member find who can do it; others learn nothing from them.
    hint = ""
    if access.effective_role(member, key) is not None and admission.coordinators:
        hint = f" Its coordinators: {', '.join(admission.coordinators)}."
    refused: list[Problem] = []
    other_member_changes = 0
    for i, person in enumerate(loaded.plan.members):
        before = admission.people.get(person.login, _Person(False, None, None, frozenset()))
        name = kept.member_names.get(person.login, person.name)
        if before.known and (before.name != name or set(person.stakeholders) - before.orgs):
            other_member_changes += 1
        if before.role is person.role:
            continue
        try:
            access.require_grant(member, key, person.role, person.login)
            if before.role is Role.coordinator and fid is not None:
                access.keep_a_coordinator(session, fid, key, person.login)
        except PermissionDenied as exc:
            refused.extend(_refusal(loaded, ("members", i, "role"), exc.message + hint))
    changes = [
        f"{kind.replace('_', ' ')} ({parts})"
        for kind, tally in tallies.items()
        if kind != "members" and (parts := _parts(tally))
    ]
    if other_member_changes:
        changes.append(f"members: {other_member_changes} with a new name or organisation")
    if changes:
        try:
            access.require_seed(member, key, exists=fid is not None, changes=True)
        except PermissionDenied as exc:
            message = f"{exc.message} This file would change {'; '.join(changes)}.{hint}"
            refused.extend(_refusal(loaded, ("framework", "key"), message))
    return refused


# -- what the database holds -----------------------------------------------------------------


def _people(session: Session, fid: int, logins: list[str]) -> dict[str, _Person]:
    if not logins:
        return {}
    member, membership, affiliation, stakeholder = _t(Member), _t(Membership), _t(Affiliation), _t(Stakeholder)
    names = dict(session.execute(sa.select(member.c.login, member.c.name).where(member.c.login.in_(logins))).all())
    roles = dict(
        session.execute(
            sa.select(member.c.login, membership.c.role)
            .join(membership, membership.c.member_id == member.c.id)
            .where(membership.c.framework_id == fid, member.c.login.in_(logins))
        ).all()
    )
    orgs: dict[str, set[str]] = {}
    for login, org in session.execute(
        sa.select(member.c.login, stakeholder.c.key)
        .join(affiliation, affiliation.c.member_id == member.c.id)
        .join(stakeholder, stakeholder.c.id == affiliation.c.stakeholder_id)
        .where(affiliation.c.framework_id == fid, member.c.login.in_(logins))
    ):
        orgs.setdefault(login, set()).add(org)
    return {
        login: _Person(
            True,
            Role(roles[login]) if login in roles else None,
            names[login],
            frozenset(orgs.get(login, ())),
        )
        for login in names
    }


def _rows_by_key(session: Session, table: sa.Table, keys: list[str], fields: Sequence[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        rows += session.execute(
            sa.select(table.c.id, table.c.key, *(table.c[f] for f in fields)).where(
                table.c.key.in_(keys[start : start + CHUNK])
            )
        ).all()
    return rows


def _stakeholder_users(session: Session, ids: list[int]) -> dict[int, set[str]]:
    """The keys of the frameworks that use each stakeholder: as a lead or partner of an
    action, a workshop participant, or a member's organisation there."""
    action, partner, workshop, participant, affiliation = (
        _t(Action),
        _t(ActionPartner),
        _t(Workshop),
        _t(WorkshopParticipant),
        _t(Affiliation),
    )
    uses = sa.union(
        sa.select(action.c.lead_id.label("item"), action.c.framework_id.label("fid")).where(action.c.lead_id.in_(ids)),
        sa.select(partner.c.stakeholder_id, action.c.framework_id)
        .join(action, action.c.id == partner.c.action_id)
        .where(partner.c.stakeholder_id.in_(ids)),
        sa.select(participant.c.stakeholder_id, workshop.c.framework_id)
        .join(workshop, workshop.c.id == participant.c.workshop_id)
        .where(participant.c.stakeholder_id.in_(ids)),
        sa.select(affiliation.c.stakeholder_id, affiliation.c.framework_id).where(
            affiliation.c.stakeholder_id.in_(ids)
        ),
    ).subquery()
    return _by_item(session, uses)


def _source_users(session: Session, ids: list[int]) -> dict[int, set[str]]:
    """The keys of the frameworks whose actions have allocations from each funding source."""
    action, allocation = _t(Action), _t(Allocation)
    uses = (
        sa.select(allocation.c.source_id.label("item"), action.c.framework_id.label("fid"))
        .join(action, action.c.id == allocation.c.action_id)
        .where(allocation.c.source_id.in_(ids))
        .distinct()
        .subquery()
    )
    return _by_item(session, uses)


def _by_item(session: Session, uses: sa.Subquery) -> dict[int, set[str]]:
    framework = _t(Framework)
    found: dict[int, set[str]] = {}
    for item, key in session.execute(
        sa.select(uses.c.item, framework.c.key).join(framework, framework.c.id == uses.c.fid)
    ):
        found.setdefault(item, set()).add(key)
    return found


# -- saying it -------------------------------------------------------------------------------


def login_case_problems(session: Session, loaded: LoadedPlan) -> list[Problem]:
    """Members whose login differs only by case from an existing member's
    (`members.case_twins`): bad input, whoever seeds."""
    twins = case_twins(session, [m.login for m in loaded.plan.members])  # within the file: `validate`
    return [
        problem
        for i, m in enumerate(loaded.plan.members)
        if m.login in twins
        for problem in _refusal(loaded, ("members", i, "login"), twin_message(m.login, twins[m.login]))
    ]


def _parts(tally: Any) -> str:
    parts = [f"{n} {what}" for n, what in ((tally.created, "new"), (tally.updated, "changed"), (tally.moved, "moved"))]
    return ", ".join(p for p in parts if not p.startswith("0 "))


def _refusal(loaded: LoadedPlan, loc: Loc, message: str) -> list[Problem]:
    return locate([Problem(loaded.source, message, loc)], loaded.text)
