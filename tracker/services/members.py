"""Who is acting: members, their roles per framework, and what each role may do."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadInput, PermissionDenied
from tracker.models import Affiliation, Framework, Member, Membership, Stakeholder
from tracker.models.enums import Role
from tracker.models.types import utcnow
from tracker.names import check_login, check_name
from tracker.services.actions import framework_id, stakeholder_ids
from tracker.services.views import MemberView, StakeholderRef

member_t = Member.__table__  # type: ignore[attr-defined]
membership_t = Membership.__table__  # type: ignore[attr-defined]
affiliation_t = Affiliation.__table__  # type: ignore[attr-defined]
framework_t = Framework.__table__  # type: ignore[attr-defined]
stakeholder_t = Stakeholder.__table__  # type: ignore[attr-defined]


def find_member(session: Session, login: str) -> MemberView | None:
    row = session.execute(sa.select(member_t).where(member_t.c.login == login)).first()
    if row is None:
        return None
    roles = {
        key: Role(role)
        for key, role in session.execute(
            sa.select(framework_t.c.key, membership_t.c.role)
            .join(membership_t, membership_t.c.framework_id == framework_t.c.id)
            .where(membership_t.c.member_id == row.id)
        )
    }
    orgs = session.execute(
        sa.select(stakeholder_t.c.id, stakeholder_t.c.key, stakeholder_t.c.name)
        .join(affiliation_t, affiliation_t.c.stakeholder_id == stakeholder_t.c.id)
        .where(affiliation_t.c.member_id == row.id)
        .order_by(stakeholder_t.c.name)
    ).all()
    return MemberView(
        id=row.id,
        login=row.login,
        name=row.name,
        roles=roles,
        stakeholders=tuple(StakeholderRef(o.key, o.name) for o in orgs),
        stakeholder_ids=frozenset(o.id for o in orgs),
    )


def resolve_member(session: Session, login: str) -> MemberView:
    """The member acting as ``login``; an unknown login is refused with what to do."""
    member = find_member(session, login)
    if member is None:
        raise PermissionDenied(
            f"there is no member with the login {login!r}; act as a member with --as LOGIN "
            "(or TRACKER_USER), or ask a coordinator to run "
            f"`tracker member add {login} --role member --framework KEY --stakeholder KEY`."
        )
    return member


def require_coordinator(member: MemberView | None, framework: str, what: str) -> None:
    role = member.role_in(framework) if member else None
    if role is not Role.coordinator:
        who = member.login if member else "an unknown login"
        has = f"is a {role} there" if role else "has no role there"
        raise PermissionDenied(f"only a coordinator of {framework} can {what}; {who} {has}.")


def add_member(
    session: Session,
    *,
    actor: MemberView | None,
    login: str,
    role: Role,
    framework: str,
    stakeholders: Sequence[str] = (),
    name: str | None = None,
) -> MemberView:
    """Give ``login`` a role in a framework (creating the member if new).

    A coordinator of the framework may do this; so may anyone while the
    framework has no coordinator yet, so that the first one can be set up.
    """
    try:
        login, name = check_login(login), None if name is None else check_name(name)
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None
    fid = framework_id(session, framework)
    coordinators = session.execute(
        sa.select(sa.func.count())
        .select_from(membership_t)
        .where(membership_t.c.framework_id == fid, membership_t.c.role == Role.coordinator)
    ).scalar_one()
    if coordinators:
        require_coordinator(actor, framework, "add members")
    sids = stakeholder_ids(session, list(stakeholders))
    existing = session.execute(sa.select(member_t.c.id).where(member_t.c.login == login)).scalar()
    if existing is None:
        existing = session.execute(
            sa.insert(member_t).values(login=login, name=name, created_at=utcnow()).returning(member_t.c.id)
        ).scalar_one()
    elif name is not None:
        session.execute(sa.update(member_t).where(member_t.c.id == existing).values(name=name))
    current = session.execute(
        sa.select(membership_t.c.id).where(membership_t.c.member_id == existing, membership_t.c.framework_id == fid)
    ).scalar()
    if current is None:
        session.execute(sa.insert(membership_t).values(member_id=existing, framework_id=fid, role=role))
    else:
        session.execute(sa.update(membership_t).where(membership_t.c.id == current).values(role=role))
    have = set(
        session.execute(
            sa.select(affiliation_t.c.stakeholder_id).where(affiliation_t.c.member_id == existing)
        ).scalars()
    )
    for sid in sids:
        if sid not in have:
            session.execute(sa.insert(affiliation_t).values(member_id=existing, stakeholder_id=sid))
    found = find_member(session, login)
    assert found is not None
    return found
