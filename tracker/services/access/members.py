"""Who is acting: members, their roles per framework, admins; the rules are in `access`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.db.driver import Fast
from tracker.errors import BadInput, PermissionDenied
from tracker.models import Admin, Affiliation, Framework, Member, Membership, Stakeholder
from tracker.models.enums import Role
from tracker.models.types import utcnow
from tracker.names import check_email, check_name, twin_message
from tracker.names import check_login as _check_login
from tracker.services.access import rules as access
from tracker.services.access.emails import visible_emails
from tracker.services.access.rules import require_coordinator
from tracker.services.access.standing import member_view, standing_now
from tracker.services.tracking.actions import framework_id, stakeholder_ids
from tracker.services.views import MemberView

__all__ = [
    "add_admin",
    "add_member",
    "case_twins",
    "ensure_first_admin",
    "find_member",
    "judged_now",
    "remove_admin",
    "require_coordinator",
    "resolve_member",
]

member_t = Member.__table__  # type: ignore[attr-defined]
membership_t = Membership.__table__  # type: ignore[attr-defined]
affiliation_t = Affiliation.__table__  # type: ignore[attr-defined]
admin_t = Admin.__table__  # type: ignore[attr-defined]
framework_t = Framework.__table__  # type: ignore[attr-defined]
stakeholder_t = Stakeholder.__table__  # type: ignore[attr-defined]


# A member by login: who they are, their roles, their organisations per framework, whether
# an admin. Named columns: on PostgreSQL a member's role may not read ``email`` (`access.emails`).
FIND_MEMBER = sa.select(member_t.c.id, member_t.c.login, member_t.c.name).where(
    member_t.c.login == sa.bindparam("login")
)
MEMBER_ROLES = (
    sa.select(framework_t.c.key, membership_t.c.role)
    .join(membership_t, membership_t.c.framework_id == framework_t.c.id)
    .where(membership_t.c.member_id == sa.bindparam("member"))
)
MEMBER_ORGS = (
    sa.select(framework_t.c.key.label("framework"), stakeholder_t.c.id, stakeholder_t.c.key, stakeholder_t.c.name)
    .join(affiliation_t, affiliation_t.c.stakeholder_id == stakeholder_t.c.id)
    .join(framework_t, framework_t.c.id == affiliation_t.c.framework_id)
    .where(affiliation_t.c.member_id == sa.bindparam("member"))
    .order_by(stakeholder_t.c.name)
)
IS_ADMIN = sa.select(admin_t.c.member_id).where(admin_t.c.member_id == sa.bindparam("member"))


def find_member(session: Session, login: str) -> MemberView | None:
    row = session.execute(FIND_MEMBER, {"login": login}).first()
    if row is None:
        return None
    given = {"member": row.id}
    return member_view(
        row,
        session.execute(MEMBER_ROLES, given).all(),
        session.execute(MEMBER_ORGS, given).all(),
        session.execute(IS_ADMIN, given).first() is not None,
    )


def resolve_member(session: Session, login: str) -> MemberView:
    """The member acting as ``login``; an unknown login is refused with what to do."""
    member = find_member(session, login)
    if member is None:
        twin = case_twins(session, [login]).get(login)
        if twin is not None:
            raise PermissionDenied(f"there is no member with the login {login!r}: {twin_message(login, twin)}.")
        raise PermissionDenied(
            f"there is no member with the login {login!r}; act as a member with --as LOGIN "
            "(or TRACKER_USER), or ask a coordinator to run "
            f"`tracker member add {login} --role member --framework KEY --stakeholder KEY`."
        )
    return member


def judged_now(
    session: Session, actor: MemberView | None, framework_id: int, *, held: bool = False
) -> MemberView | None:
    """``actor`` as the tables say now, with ``framework_id``'s roles held until the
    transaction ends (`access.hold_framework`): what a write judges its rights on, so that
    a demotion or removal committed while it waited is seen, and one that comes after
    waits for it. ``actor`` was read before the write began (or when the app opened)."""
    if not held:  # else the caller holds it already (`access.hold_framework_named`)
        access.hold_framework(session, framework_id)
    if actor is None:
        return None
    # One query (every write pays it): the member, whether they are an admin, their role
    # there, and their organisations there (a row each; one row with none when they have
    # none). Other frameworks stay as read before.
    if session.get_bind().dialect.name == "postgresql":
        # The same join as a view with the owner's rights (migration 0018): under the
        # read policies it cost a member role three times the owner's time at every write.
        rows = session.execute(_STANDING, {"login": actor.login, "framework": framework_id}).all()
    else:
        rows = _standing(session, actor.login, framework_id)
    return standing_now(actor, rows)


# tracker_private.standing: a login's own rows, in the frameworks it reads (every
# member's for the schema owner), as `_standing` reads them from the tables.
_STANDING = sa.text(
    "SELECT member_id AS id, framework_key AS key, role, is_admin, org_id, org_key, org_name "
    "FROM tracker_private.standing WHERE login = :login AND framework_id = :framework ORDER BY org_name"
)


# What `judged_now` reads on SQLite: the member, whether an admin, their role in the
# framework and their organisations there.
STANDING = (
    sa.select(
        member_t.c.id,
        framework_t.c.key,
        membership_t.c.role,
        sa.exists().where(admin_t.c.member_id == member_t.c.id).label("is_admin"),
        stakeholder_t.c.id.label("org_id"),
        stakeholder_t.c.key.label("org_key"),
        stakeholder_t.c.name.label("org_name"),
    )
    .select_from(member_t)
    .join(framework_t, framework_t.c.id == sa.bindparam("framework"))
    .outerjoin(
        membership_t,
        sa.and_(membership_t.c.member_id == member_t.c.id, membership_t.c.framework_id == framework_t.c.id),
    )
    .outerjoin(
        affiliation_t,
        sa.and_(affiliation_t.c.member_id == member_t.c.id, affiliation_t.c.framework_id == framework_t.c.id),
    )
    .outerjoin(stakeholder_t, stakeholder_t.c.id == affiliation_t.c.stakeholder_id)
    .where(member_t.c.login == sa.bindparam("login"))
    .order_by(stakeholder_t.c.name)
)


# Straight on the driver: every write reads it, under the write lock (`tracker.db.driver`).
_FAST_STANDING = Fast(STANDING)


def _standing(session: Session, login: str, framework_id: int) -> Sequence[sa.Row[Any]]:
    return _FAST_STANDING.execute(session.connection(), {"login": login, "framework": framework_id}).all()  # type: ignore[no-any-return]


def check_login(login: str) -> str:
    """``login`` if usable (the one rule of `tracker.names`), else BadInput saying why."""
    try:
        return _check_login(login)
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None


def case_twins(session: Session, logins: Sequence[str]) -> dict[str, str]:
    """Each of ``logins`` that differs only by case from an existing member's login: that login.

    The one rule for case: a login is its exact text (on PostgreSQL it is the role's name,
    which is case-sensitive), and two logins never differ only by case, so ``Maria`` can
    never be a second person beside ``maria``, nor ``--as Maria`` be taken for her.
    """
    folded = {login.lower(): login for login in logins}
    if not folded:
        return {}
    return {
        folded[existing.lower()]: existing
        for existing in session.execute(
            sa.select(member_t.c.login).where(sa.func.lower(member_t.c.login).in_(sorted(folded)))
        ).scalars()
        if existing != folded[existing.lower()]
    }


def _member_id(session: Session, login: str, name: str | None = None, email: str | None = None) -> int:
    """The member's id, creating the member if new (never a case twin of one: `case_twins`)."""
    existing = session.execute(sa.select(member_t.c.id).where(member_t.c.login == login)).scalar()
    given = {"name": name, "email": email}
    given = {column: value for column, value in given.items() if value is not None}
    if existing is None:
        twin = case_twins(session, [login]).get(login)
        if twin is not None:
            raise BadInput(f"{twin_message(login, twin)}.")
        existing = session.execute(
            sa.insert(member_t).values(login=login, created_at=utcnow(), **given).returning(member_t.c.id)
        ).scalar_one()
    elif given:
        session.execute(sa.update(member_t).where(member_t.c.id == existing).values(**given))
    return int(existing)


def checked_details(name: str | None, email: str | None) -> tuple[str | None, str | None]:
    """``name`` and ``email`` as stored (`tracker.names`), or BadInput saying what is wrong."""
    try:
        return (None if name is None else check_name(name), None if email is None else check_email(email))
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None


def add_member(
    session: Session,
    *,
    actor: MemberView | None,
    login: str,
    role: Role,
    framework: str,
    stakeholders: Sequence[str] = (),
    name: str | None = None,
    email: str | None = None,
) -> MemberView:
    """Give ``login`` a role in a framework, and organisations there (creating the member if new).

    An admin, or a coordinator of the framework, may. A framework never loses its
    last coordinator this way (demoting them is refused). ``name`` and ``email`` of an
    existing member change only as `member edit` would let the actor change them.
    """
    login = check_login(login)
    name, email = checked_details(name, email)
    fid = framework_id(session, framework)
    access.require_grant(actor, framework, role, login)
    access.lock_framework(session, fid)
    access.require_grant(find_member(session, actor.login) if actor else None, framework, role, login)  # as of now
    if name is not None:
        _may_rename(session, actor, login, name, framework)
    if email is not None:
        _may_change_email(session, actor, login, email)
    sids = stakeholder_ids(session, list(stakeholders))
    existing = _member_id(session, login, name, email)
    current = session.execute(
        sa.select(membership_t.c.id, membership_t.c.role).where(
            membership_t.c.member_id == existing, membership_t.c.framework_id == fid
        )
    ).first()
    if current is None:
        session.execute(sa.insert(membership_t).values(member_id=existing, framework_id=fid, role=role))
    elif Role(current.role) is not role:
        if Role(current.role) is Role.coordinator:
            access.keep_a_coordinator(session, fid, framework, login)
        session.execute(sa.update(membership_t).where(membership_t.c.id == current.id).values(role=role))
    have = set(
        session.execute(
            sa.select(affiliation_t.c.stakeholder_id).where(
                affiliation_t.c.member_id == existing, affiliation_t.c.framework_id == fid
            )
        ).scalars()
    )
    for sid in sids:
        if sid not in have:
            session.execute(sa.insert(affiliation_t).values(member_id=existing, framework_id=fid, stakeholder_id=sid))
    found = find_member(session, login)
    assert found is not None
    return found


def _may_rename(session: Session, actor: MemberView | None, login: str, name: str, framework: str) -> None:
    """A coordinator of one framework renamed an admin, or a member of other cities, by
    `member add --name`; the name is theirs to change only as in a plan file (`access`)."""
    current = session.execute(sa.select(member_t.c.name).where(member_t.c.login == login)).first()
    if current is None or current.name == name:
        return
    kept_from = access.name_kept_from(actor, access.where_named(session, [login]).get(login, set()), framework)
    if kept_from:
        raise PermissionDenied(
            f"{login} is also shown by name in {access.frameworks_shown(actor, kept_from)}; only a coordinator "
            "of every framework they belong to (or an admin) can change their name: leave out --name."
        )


def with_every_framework(session: Session, target: MemberView) -> MemberView:
    """``target`` with every framework they belong to, for the rule that counts them all.

    On PostgreSQL a coordinator's role does not see a member's memberships in other
    frameworks; ``tracker_private.member_frameworks`` (migration 0020) gives their ids, and
    each one the reader cannot see is added under a placeholder key, which the rules count
    as "another framework" without naming it."""
    if session.get_bind().dialect.name != "postgresql" or target.is_admin:
        return target
    every = session.execute(sa.text("SELECT tracker_private.member_frameworks(:m)"), {"m": target.id}).scalar()
    seen = set(session.execute(sa.select(framework_t.c.id).where(framework_t.c.key.in_(list(target.roles)))).scalars())
    hidden = {f"#{fid}": Role.viewer for fid in (every or []) if fid not in seen}
    return replace(target, roles={**target.roles, **hidden}) if hidden else target


def _may_change_email(session: Session, actor: MemberView | None, login: str, email: str) -> None:
    """An existing member's email changes by `member add --email` only where `member edit`
    would let ``actor`` change it (`access.why_not_edit_member`)."""
    target = find_member(session, login)
    if target is None or visible_emails(session, [login]).get(login) == email:
        return
    target = with_every_framework(session, target)
    reason = access.why_not_edit_member(actor, target, login=False)
    if reason is not None:
        raise PermissionDenied(f"{reason[:-1]}: leave out --email.")


# -- admins -----------------------------------------------------------------------------------


def ensure_first_admin(session: Session, login: str) -> bool:
    """Make ``login`` the admin of a database that has none (a new database's creator, or
    `tracker db upgrade --admin`); returns False and changes nothing if it has one."""
    if access.has_admin(session):
        return False
    check_login(login)
    session.execute(sa.insert(admin_t).values(member_id=_member_id(session, login), granted_at=utcnow()))
    return True


def add_admin(session: Session, *, actor: MemberView | None, login: str) -> bool:
    """Make ``login`` an admin (only admins may); False if it already was one."""
    access.require_admin(actor, "add admins")
    assert actor is not None
    check_login(login)
    mid = _member_id(session, login)
    if session.execute(sa.select(admin_t.c.member_id).where(admin_t.c.member_id == mid)).first():
        return False
    session.execute(sa.insert(admin_t).values(member_id=mid, granted_at=utcnow(), granted_by=actor.id))
    return True


def remove_admin(session: Session, *, actor: MemberView | None, login: str) -> None:
    """Take admin away from ``login`` (only admins may); the last admin stays."""
    access.require_admin(actor, "remove admins")
    if session.get_bind().dialect.name == "postgresql":
        # Two admins removing each other at once must not leave none: queue on the table.
        session.execute(sa.text("LOCK TABLE admin IN SHARE ROW EXCLUSIVE MODE"))
    admins = access.admin_logins(session)
    if login not in admins:
        raise BadInput(f"{login} is not an admin; `tracker admin list` shows who is.")
    if admins == [login]:
        raise PermissionDenied(f"{login} is the last admin; add another admin first (`tracker admin add LOGIN`).")
    mid = session.execute(sa.select(member_t.c.id).where(member_t.c.login == login)).scalar_one()
    session.execute(sa.delete(admin_t).where(admin_t.c.member_id == mid))
    from tracker.services.access.keys import disable_keys_if_left  # keys build on this module

    disable_keys_if_left(session, mid)


# -- database roles (PostgreSQL) --------------------------------------------------------------


def provide_login_role(session: Session, login: str) -> str | None:
    """On PostgreSQL, give ``login``'s member their database role (created, or an existing
    ordinary role mapped) and its groups. None when done or on SQLite; otherwise the SQL an
    administrator must run, with why the tool could not."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    from tracker.db.roles import ensure_login_role, login_role_sql

    row = session.execute(sa.select(member_t.c.id, member_t.c.db_role).where(member_t.c.login == login)).one()
    role = row.db_role or login
    why = ensure_login_role(session.connection(), role, row.id)
    if why is None:
        return None
    found = find_member(session, login)
    assert found is not None
    top = "admin" if found.is_admin else max(found.roles.values(), key=access.rank, default=Role.viewer).value
    return f"{why}; an administrator runs: {login_role_sql(session.connection(), role, top)}"
