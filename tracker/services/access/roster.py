"""The members of a framework: who they are, their role there, changing it, taking it away.

The rules are `access.rules` (`require_grant`, `keep_a_coordinator`, `lock_framework`),
the same ones `members.add_member` asks; this module only reads and writes memberships.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import NotFound
from tracker.models.enums import Role
from tracker.services.access import rules as access
from tracker.services.access.emails import shown_emails
from tracker.services.access.keys import disable_keys_if_left
from tracker.services.access.members import (
    admin_t,
    affiliation_t,
    find_member,
    framework_t,
    member_t,
    membership_t,
    stakeholder_t,
)
from tracker.services.tracking.actions import framework_id
from tracker.services.views import MemberView


@dataclass(frozen=True)
class MemberRow:
    """One member as `member list` shows them, over the frameworks the reader may see."""

    login: str
    name: str | None
    admin: bool
    roles: dict[str, str]  # framework key -> role
    organisations: dict[str, list[str]]  # framework key -> stakeholder keys
    database_role: str | None = None  # on PostgreSQL, the role this member connects as
    email: str | None = None  # None also when the reader may not see it (`access.may_see_email`)


def list_members(session: Session, framework: str | None = None) -> list[MemberRow]:
    """Members of the frameworks the session's reader may see (one framework when named);
    an admin also sees the admins who belong to no framework."""
    if framework is not None:
        ids: frozenset[int] | None = frozenset({framework_id(session, framework)})  # refuses one not theirs
    else:
        ids = access.visible_framework_ids(session)
    roles: dict[int, dict[str, str]] = {}
    for member_id, key, role in session.execute(
        sa.select(membership_t.c.member_id, framework_t.c.key, membership_t.c.role)
        .join(framework_t, framework_t.c.id == membership_t.c.framework_id)
        .where(access.within(membership_t.c.framework_id, ids))
        .order_by(framework_t.c.key)
    ):
        roles.setdefault(member_id, {})[key] = Role(role).value
    orgs: dict[int, dict[str, list[str]]] = {}
    for member_id, key, org in session.execute(
        sa.select(affiliation_t.c.member_id, framework_t.c.key, stakeholder_t.c.key)
        .join(framework_t, framework_t.c.id == affiliation_t.c.framework_id)
        .join(stakeholder_t, stakeholder_t.c.id == affiliation_t.c.stakeholder_id)
        .where(access.within(affiliation_t.c.framework_id, ids))
        .order_by(framework_t.c.key, stakeholder_t.c.key)
    ):
        orgs.setdefault(member_id, {}).setdefault(key, []).append(org)
    admins = set(session.execute(sa.select(admin_t.c.member_id)).scalars())
    postgres = session.get_bind().dialect.name == "postgresql"
    shown = set(roles) | (admins if ids is None and framework is None else set())
    rows = session.execute(
        sa.select(member_t.c.id, member_t.c.login, member_t.c.name, member_t.c.db_role)
        .where(member_t.c.id.in_(sorted(shown)))
        .order_by(member_t.c.login)
    ).all()
    emails = shown_emails(session, [r.login for r in rows])
    return [
        MemberRow(
            row.login,
            row.name,
            row.id in admins,
            roles.get(row.id, {}),
            orgs.get(row.id, {}),
            (row.db_role or row.login) if postgres else None,
            emails.get(row.login),
        )
        for row in rows
    ]


def _membership(session: Session, login: str, framework: str) -> tuple[int, int, int, Role]:
    """(framework id, member id, membership id, role) of ``login`` in ``framework``."""
    fid = framework_id(session, framework)
    row = session.execute(
        sa.select(member_t.c.id, membership_t.c.id.label("membership"), membership_t.c.role)
        .join(membership_t, membership_t.c.member_id == member_t.c.id)
        .where(member_t.c.login == login, membership_t.c.framework_id == fid)
    ).first()
    if row is None:
        raise NotFound(
            f"{login} has no role in {framework}; `tracker member list -f {framework}` shows who has, "
            "`tracker member add` gives one."
        )
    return fid, row.id, row.membership, Role(row.role)


def set_role(session: Session, *, actor: MemberView | None, login: str, role: Role, framework: str) -> MemberView:
    """Change ``login``'s role in ``framework`` (who may: as for `add_member`); the last
    coordinator is never demoted."""
    fid, _member_id, membership_id, current = _membership(session, login, framework)
    access.require_grant(actor, framework, role, login)
    access.lock_framework(session, fid)
    access.require_grant(find_member(session, actor.login) if actor else None, framework, role, login)  # as of now
    if current is Role.coordinator and role is not Role.coordinator:
        access.keep_a_coordinator(session, fid, framework, login)
    if current is not role:
        session.execute(sa.update(membership_t).where(membership_t.c.id == membership_id).values(role=role))
    found = find_member(session, login)
    assert found is not None
    return found


def remove_member(session: Session, *, actor: MemberView | None, login: str, framework: str) -> Role:
    """Take ``login`` out of ``framework``: their role and their organisations there (their
    history stays, under their login). Who may: as for giving them their role; the last
    coordinator never goes. Returns the role they had."""
    fid, member_id, membership_id, current = _membership(session, login, framework)
    access.require_grant(actor, framework, current, login)
    access.lock_framework(session, fid)
    access.require_grant(find_member(session, actor.login) if actor else None, framework, current, login)
    if current is Role.coordinator:
        access.keep_a_coordinator(session, fid, framework, login)
    session.execute(
        sa.delete(affiliation_t).where(affiliation_t.c.member_id == member_id, affiliation_t.c.framework_id == fid)
    )
    session.execute(sa.delete(membership_t).where(membership_t.c.id == membership_id))
    disable_keys_if_left(session, member_id)  # a key with no framework behind it reaches nothing
    return current
