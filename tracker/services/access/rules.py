"""Who may do what: the one place that every write path (CLI, app, seeding, Python API) asks.

Roles, from least to most: viewer (reads the frameworks they belong to), member
(tracks the actions of their organisations in that framework), coordinator
(everything in their framework), admin (everything, everywhere: creates
frameworks, names coordinators and admins). A member's organisations count only
in the framework where they were given.

Reads are scoped too: a session carries the frameworks its reader may see
(`scope_session`). Read services resolve the frameworks they cover in one place,
`tracker.services.tracking.actions.frameworks_read` (a named framework is refused here by
`require_visible`, none named means every visible one), and narrow their queries
with `within`. A session with no scope is the local file owner's own (the Python
API, tests): it sees everything.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session

from tracker.db.driver import Fast
from tracker.errors import PermissionDenied
from tracker.models import Admin, Framework, Member, Membership
from tracker.models.enums import Role

# The rules themselves, on what is known of a member, live where they need no database
# (the command line's fast path asks them too); every caller may keep asking them here.
from tracker.services.access.decisions import (  # noqa: F401
    _who,
    effective_role,
    frameworks_shown,
    may_see_email,
    name_kept_from,
    not_coordinated,
    rank,
    require_admin,
    require_coordinator,
    require_edit_member,
    require_enter_for,
    require_grant,
    require_manage_keys,
    require_read,
    require_reader,
    require_seed,
    require_source_editor,
    require_track,
    why_not_coordinate,
    why_not_edit_member,
    why_not_enter_for,
    why_not_manage_keys,
    why_not_retract,
    why_not_track,
    why_not_undo,
)
from tracker.services.views import MemberView

admin_t = Admin.__table__  # type: ignore[attr-defined]
member_t = Member.__table__  # type: ignore[attr-defined]
membership_t = Membership.__table__  # type: ignore[attr-defined]
framework_t = Framework.__table__  # type: ignore[attr-defined]

_SCOPE = "tracker.visible_framework_ids"


def where_named(session: Session, logins: Collection[str]) -> dict[str, set[str]]:
    """The keys of the frameworks where each of ``logins`` is shown by name: those they
    belong to, and every framework for an admin (admins act everywhere)."""
    if not logins:
        return {}
    found: dict[str, set[str]] = {}
    for login, key in session.execute(
        sa.select(member_t.c.login, framework_t.c.key)
        .join(membership_t, membership_t.c.member_id == member_t.c.id)
        .join(framework_t, framework_t.c.id == membership_t.c.framework_id)
        .where(member_t.c.login.in_(list(logins)))
    ):
        found.setdefault(login, set()).add(key)
    admins = set(admin_logins(session)) & set(logins)
    if admins:
        every = set(session.execute(sa.select(framework_t.c.key)).scalars())
        for login in admins:
            found[login] = set(every)
    return found


# -- serialising changes of who coordinates -------------------------------------------------


# The class of PostgreSQL advisory locks that stand for "who may do what in framework N"
# (the second key is the framework's id). Advisory locks belong to one database, and any
# login may take one: a member's role may not lock the framework's row.
_ROLES_LOCK = 0x74726B  # "trk"


def lock_framework(session: Session, framework_id: int) -> None:
    """Serialise changes to a framework's memberships: on PostgreSQL an exclusive hold on its
    roles (a change of roles waits for the writes under way there, and they for it: see
    `hold_framework`), then a row lock (concurrent claims and demotions queue behind it);
    SQLite writers already hold the write lock. The hold comes first: a writer adding an
    action takes a key-share lock on the framework's row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:kind, :framework)"),
            {"kind": _ROLES_LOCK, "framework": framework_id},
        )
        session.execute(sa.select(framework_t.c.id).where(framework_t.c.id == framework_id).with_for_update())


def keep_own_rights(session: Session, member: MemberView | None, framework_id: int) -> None:
    """For a transaction that judged ``member`` on an older snapshot (seeding runs under
    REPEATABLE READ, its snapshot taken before `lock_framework` waited): on PostgreSQL,
    share-lock the row that makes them a coordinator of ``framework_id`` (their admin row,
    or their membership there). A demotion or removal committed since the snapshot then
    fails the transaction (a serialization error, nothing written) instead of letting it
    act on rights that are gone. Others change nothing here; SQLite needs none of this."""
    if member is None or session.get_bind().dialect.name != "postgresql":
        return
    if member.is_admin:
        mine = admin_t.c.member_id == member.id
        session.execute(sa.select(admin_t.c.member_id).where(mine).with_for_update(read=True))
    elif any(rank(role) == rank(Role.coordinator) for role in member.roles.values()):
        session.execute(
            sa.select(membership_t.c.id)
            .where(membership_t.c.member_id == member.id, membership_t.c.framework_id == framework_id)
            .with_for_update(read=True)
        )


FRAMEWORK_BY_KEY = sa.select(framework_t.c.id).where(framework_t.c.key == sa.bindparam("key"))
_FRAMEWORK_BY_KEY = Fast(FRAMEWORK_BY_KEY)  # every tracking write begins with it, under the write lock


def hold_framework_named(session: Session, key: str) -> int | None:
    """`hold_framework` for the framework ``key``, found and held in one statement (every
    write pays it); its id, or None when there is no such framework (nothing held)."""
    if session.get_bind().dialect.name != "postgresql":
        return _FRAMEWORK_BY_KEY.execute(session.connection(), {"key": key}).scalar()  # type: ignore[no-any-return]
    found = session.execute(
        sa.text("SELECT id, pg_advisory_xact_lock_shared(:kind, id) FROM framework WHERE key = :key"),
        {"kind": _ROLES_LOCK, "key": key},
    ).first()
    return None if found is None else int(found[0])


def hold_framework(session: Session, framework_id: int) -> None:
    """Keep who may do what in ``framework_id`` as it is until this transaction ends: a
    write judges its actor's rights after this, so a demotion either committed before (and
    is seen) or waits for the write to commit. On PostgreSQL a shared advisory lock, which
    `lock_framework` waits for; SQLite writers hold the database's write lock already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.text("SELECT pg_advisory_xact_lock_shared(:kind, :framework)"),
            {"kind": _ROLES_LOCK, "framework": framework_id},
        )


def coordinators_of(session: Session, framework_id: int) -> list[str]:
    return list(
        session.execute(
            sa.select(member_t.c.login)
            .join(membership_t, membership_t.c.member_id == member_t.c.id)
            .where(membership_t.c.framework_id == framework_id, membership_t.c.role == Role.coordinator)
            .order_by(member_t.c.login)
        ).scalars()
    )


def keep_a_coordinator(session: Session, framework_id: int, framework: str, leaving: str) -> None:
    """Refuse a change that would leave ``framework`` without a coordinator (``leaving``
    is the login whose coordinator role would go)."""
    others = [login for login in coordinators_of(session, framework_id) if login != leaving]
    if not others:
        raise PermissionDenied(
            f"{leaving} is the last coordinator of {framework}; a framework never loses its last "
            "coordinator: name another coordinator first."
        )


# -- admins ---------------------------------------------------------------------------------


def admin_logins(session: Session) -> list[str]:
    return list(
        session.execute(
            sa.select(member_t.c.login).join(admin_t, admin_t.c.member_id == member_t.c.id).order_by(member_t.c.login)
        ).scalars()
    )


def has_admin(session: Session) -> bool:
    return session.execute(sa.select(sa.func.count()).select_from(admin_t)).scalar_one() > 0


# -- scoped reads -----------------------------------------------------------------------------


# The frameworks of these keys (a member's): run by the command line's fast path too.
VISIBLE_IDS = sa.select(framework_t.c.id).where(framework_t.c.key.in_(sa.bindparam("keys", expanding=True)))


def visible_ids_for(session: Session, member: MemberView | None) -> frozenset[int] | None:
    """The ids of the frameworks ``member`` may read; None means every framework (admins)."""
    if member is not None and member.is_admin:
        return None
    if member is None or not member.roles:
        return frozenset()
    return frozenset(session.execute(VISIBLE_IDS, {"keys": list(member.roles)}).scalars())


def scope_session(session: Session, member: MemberView | None) -> Session:
    """Make ``session`` read as ``member``: read services then show only their frameworks."""
    session.info[_SCOPE] = visible_ids_for(session, member)
    session.info["tracker.reader"] = member
    return session


def visible_framework_ids(session: Session) -> frozenset[int] | None:
    """What read services narrow to: None (everything) for an unscoped session or an admin."""
    return session.info.get(_SCOPE)


def within(framework_id_column: sa.ColumnElement[int], ids: frozenset[int] | None) -> sa.ColumnElement[bool]:
    """The condition that a row's framework is one of ``ids`` (always true for None: every one)."""
    if ids is None:
        return sa.true()
    if len(ids) == 1:  # one framework named: the plain equality its indexes were made for
        return framework_id_column == next(iter(ids))
    return framework_id_column.in_(sorted(ids))


def narrow(query: sa.Select, framework_id_column: sa.ColumnElement[int], session: Session) -> sa.Select:  # type: ignore[type-arg]
    """``query`` limited to the frameworks the session's reader may see."""
    ids = visible_framework_ids(session)
    if ids is None:
        return query
    return query.where(within(framework_id_column, ids))


def require_visible(session: Session, framework: str) -> None:
    """Refuse a read of ``framework`` by a scoped session whose reader does not belong to it."""
    if _SCOPE not in session.info or visible_framework_ids(session) is None:
        return
    require_read(session.info.get("tracker.reader"), framework)
