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

from tracker.errors import PermissionDenied
from tracker.models import Admin, Framework, Member, Membership
from tracker.models.enums import Role
from tracker.services.views import MemberView

admin_t = Admin.__table__  # type: ignore[attr-defined]
member_t = Member.__table__  # type: ignore[attr-defined]
membership_t = Membership.__table__  # type: ignore[attr-defined]
framework_t = Framework.__table__  # type: ignore[attr-defined]

_SCOPE = "tracker.visible_framework_ids"


# -- roles ------------------------------------------------------------------------------------


def effective_role(member: MemberView | None, framework: str) -> Role | None:
    """The role that decides: an admin counts as a coordinator of every framework."""
    if member is None:
        return None
    if member.is_admin:
        return Role.coordinator
    return member.role_in(framework)


def _who(member: MemberView | None, framework: str | None = None) -> str:
    if member is None:
        return "an unknown login"
    if framework is None:
        return f"{member.login} is not an admin"
    role = member.role_in(framework)
    return f"{member.login} {'is a ' + role.value if role else 'has no role'} in {framework}"


def require_admin(member: MemberView | None, what: str) -> None:
    """Only an admin of the database may ``what`` (creating frameworks, managing admins)."""
    if member is None or not member.is_admin:
        raise PermissionDenied(f"only an admin can {what}; {_who(member)} (`tracker admin list` shows who is).")


def why_not_coordinate(member: MemberView | None, framework: str, what: str) -> str | None:
    """Why ``member`` may not ``what`` in ``framework`` (None: they coordinate it, or are an
    admin): asked before a form opens, so a refusal comes before any typing."""
    if effective_role(member, framework) is not Role.coordinator:
        return f"only a coordinator of {framework} or an admin can {what}; {_who(member, framework)}."
    return None


def require_coordinator(member: MemberView | None, framework: str, what: str) -> None:
    """A coordinator of ``framework`` (or an admin) may ``what``."""
    reason = why_not_coordinate(member, framework, what)
    if reason is not None:
        raise PermissionDenied(reason)


def require_grant(member: MemberView | None, framework: str, role: Role, login: str) -> None:
    """Giving ``login`` the ``role`` in ``framework``: an admin may give any role; a
    coordinator of the framework any role there; nobody else any."""
    if effective_role(member, framework) is not Role.coordinator:
        raise PermissionDenied(
            f"only a coordinator of {framework} or an admin can make {login} a {role.value} there; "
            f"{_who(member, framework)}."
        )


def require_read(member: MemberView | None, framework: str) -> None:
    """Members of a framework (any role) and admins read it."""
    if effective_role(member, framework) is None:
        raise PermissionDenied(
            f"{_who(member, framework)}, so cannot see it; a coordinator of {framework} or an admin can add "
            "you with `tracker member add`."
        )


def require_seed(member: MemberView | None, framework: str, *, exists: bool, changes: bool) -> None:
    """Seeding a plan file of ``framework``: creating the framework needs an admin;
    changing an existing framework's plan needs a coordinator of it (or an admin); a
    file that would change nothing is only a read, open to the framework's members."""
    if not exists:
        require_admin(member, f"create the framework {framework}")
    elif changes:
        require_coordinator(member, framework, "change its plan")
    else:
        require_read(member, framework)


def not_coordinated(member: MemberView | None, frameworks: Collection[str]) -> list[str]:
    """Which of ``frameworks`` ``member`` does not coordinate.

    A stakeholder or funding source is one row shared by every framework that uses
    it, so its description (name, sector, amount...) is changed only by someone who
    coordinates all of those frameworks, or an admin: while this list is not empty,
    the description is not theirs to change.
    """
    return sorted(key for key in frameworks if effective_role(member, key) is not Role.coordinator)


def require_source_editor(member: MemberView | None, source: str, used_by: Collection[str]) -> None:
    """A funding source is one row shared by every framework whose actions it pays for, so
    an admin, or a coordinator of every one of those frameworks, may add or change it; a
    source that pays for nothing yet, a coordinator of any framework (who may then use it)."""
    if member is None:
        raise PermissionDenied(f"only an admin or a coordinator can change the funding source {source}.")
    if member.is_admin:
        return
    if used_by:
        missing = not_coordinated(member, used_by)
        if missing:
            frameworks, lacking = ", ".join(dict.fromkeys(used_by)), ", ".join(dict.fromkeys(missing))
            raise PermissionDenied(
                f"the funding source {source} pays for actions of {frameworks}: only an admin or a coordinator "
                f"of each of them can change it; {member.login} does not coordinate {lacking}."
            )
    elif not any(role is Role.coordinator for role in member.roles.values()):
        raise PermissionDenied(
            f"only an admin or a coordinator of a framework can change the funding source {source}; "
            f"{member.login} coordinates none."
        )


def why_not_track(
    member: MemberView | None,
    framework: str,
    involved: Collection[int],
    ref: str,
    *,
    unrelated: str = "is not with the lead or a partner of",
) -> str | None:
    """Why ``member`` may not record progress on ``ref`` (None when they may).

    ``involved``: the stakeholder ids of the item's lead and partners (for an
    indicator, of the actions under its objective). Coordinators and admins may;
    members only when one of their organisations *in this framework* is involved.
    """
    if member is None:
        return "you are not a member of this database; ask a coordinator to add your login"
    role = effective_role(member, framework)
    if role is Role.coordinator:
        return None
    could = f"a coordinator of {framework}, or a member there of its lead or a partner organisation, can"
    if role is None:
        return f"{member.login} has no role in {framework}, so cannot change {ref}; {could}."
    if role is Role.viewer:
        return f"{member.login} is a viewer in {framework}: viewers read, they do not change {ref}; {could}."
    mine = member.stakeholder_ids_in(framework)
    if not mine & set(involved):
        orgs = ", ".join(s.name for s in member.stakeholders_in(framework)) or "no organisation"
        return (
            f"{member.login} ({orgs} in {framework}) {unrelated} {ref}; "
            "only their members or a coordinator can change it."
        )
    return None


def why_not_enter_for(member: MemberView | None, framework: str, party: str) -> str | None:
    """Why ``member`` may not record an entry in ``framework`` as made on behalf of ``party``
    (``member:LOGIN`` or ``stakeholder:KEY``; None when they may). Coordinators and admins
    enter what the people of their framework sent them; a member enters only for themselves
    or for one of their own organisations there."""
    if effective_role(member, framework) is Role.coordinator or member is None:
        return None
    own = {f"member:{member.login}"} | {f"stakeholder:{s.key}" for s in member.stakeholders_in(framework)}
    if party in own:
        return None
    whom = party.partition(":")[2] or party
    return (
        f"{member.login} may enter values for themselves or their own organisations in {framework}, not "
        f"for {whom}; a coordinator of {framework} can enter what {whom} sent."
    )


def require_enter_for(member: MemberView | None, framework: str, party: str) -> None:
    reason = why_not_enter_for(member, framework, party)
    if reason is not None:
        raise PermissionDenied(reason)


def require_track(member: MemberView | None, framework: str, involved: Collection[int], ref: str) -> None:
    reason = why_not_track(member, framework, involved, ref)
    if reason is not None:
        raise PermissionDenied(reason)


def why_not_retract(
    member: MemberView | None, framework: str, author_id: int | None, involved: Collection[int], ref: str
) -> str | None:
    """Why ``member`` may not retract a note on ``ref`` (None when they may).

    A note is its author's word: only the author takes it back (a coordinator neither
    speaks for them nor silences them), and only while they may still record progress
    on the action. The database's policy on ``note_retraction`` says the same.
    """
    if member is not None and author_id != member.id:
        return f"only the author of a note can retract it, and {member.login} did not write this note on {ref}."
    return why_not_track(member, framework, involved, ref)


def why_not_undo(member: MemberView | None) -> str | None:
    """Why ``member`` has nothing they may undo anywhere (None when they may undo something):
    undoing is writing, so a login that is a viewer everywhere undoes nothing."""
    if member is None:
        return "you are not a member of this database; ask a coordinator to add your login"
    if member.is_admin or any(role is not Role.viewer for role in member.roles.values()):
        return None
    where = ", ".join(sorted(member.roles)) or "no framework"
    return (
        f"{member.login} is a viewer in {where}: viewers read, they make no changes to undo; "
        "a coordinator can make them a member."
    )


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


def name_kept_from(member: MemberView | None, named_in: Collection[str], framework: str) -> list[str]:
    """The frameworks, besides ``framework``, where a person is shown by name and that
    ``member`` does not coordinate: while not empty, that name is not theirs to change
    (a member's name is one row, like a shared stakeholder's description)."""
    return not_coordinated(member, set(named_in) - {framework})


def frameworks_shown(member: MemberView | None, keys: Collection[str]) -> str:
    """Name the frameworks ``member`` belongs to; only count the others (not theirs to see)."""
    seen = sorted(k for k in keys if effective_role(member, k) is not None)
    hidden = len(set(keys)) - len(seen)
    if hidden:
        seen.append(f"{hidden} other framework{'s' if hidden > 1 else ''}")
    return " and ".join([", ".join(seen[:-1]), seen[-1]] if len(seen) > 1 else seen)


# -- SSH keys --------------------------------------------------------------------------------


def why_not_manage_keys(member: MemberView | None, target: MemberView) -> str | None:
    """Why ``member`` may not add or remove the SSH keys of ``target`` (None when they may).

    A key is the whole identity on the team server, so: an admin for anyone; a coordinator
    only for a login that is not an admin and whose every framework they coordinate (a
    key works in all of them); nobody else, not even for their own login.
    """
    return _why_not_look_after(
        member, target, "manage the keys of", "manage their keys", f"a key lets {target.login} in to"
    )


def _why_not_look_after(
    member: MemberView | None, target: MemberView, what: str, could: str, because: str
) -> str | None:
    """The rule for what stands for a person everywhere they work (their keys, their login and
    details): an admin for anyone; a coordinator for a login that is not an admin and whose
    every framework they coordinate; nobody else."""
    if member is not None and member.is_admin:
        return None
    who = _who(member) if member is not None else "this login is not a member"
    if target.is_admin:
        return f"only an admin can {what} {target.login}, an admin; {who}."
    if not target.roles:
        return f"{target.login} belongs to no framework, so only an admin can {could}; {who}."
    others = not_coordinated(member, target.roles)
    if others:
        return (
            f"{because} every framework they belong to, and {member.login if member else 'you'} "
            f"does not coordinate {frameworks_shown(member, others)}; an admin, or a coordinator of each of "
            f"{target.login}'s frameworks, can {could}."
        )
    return None


# -- members' details --------------------------------------------------------------------------


def why_not_edit_member(member: MemberView | None, target: MemberView, *, login: bool) -> str | None:
    """Why ``member`` may not change ``target``'s name and email, or with ``login`` also their
    login (None when they may).

    A member changes their own name and email, never their own login (the login is who they
    are: the audit trail, their database role's member, their keys' forced command); others'
    details and logins, as for keys (`why_not_manage_keys`): an admin for anyone, a coordinator
    for a non-admin whose every framework they coordinate."""
    if member is not None and member.id == target.id and not member.is_admin:
        if login:
            return (
                f"{member.login} may change their own name and email but not their own login; an admin, or a "
                f"coordinator of each of {member.login}'s frameworks, can rename them."
            )
        return None
    return _why_not_look_after(
        member, target, "change the details of", "change their details",
        f"{target.login}'s login and details are shown in",
    )  # fmt: skip


def require_edit_member(member: MemberView | None, target: MemberView, *, login: bool) -> None:
    reason = why_not_edit_member(member, target, login=login)
    if reason is not None:
        raise PermissionDenied(reason)


def may_see_email(reader: MemberView | None, login: str, frameworks: Collection[str]) -> bool:
    """Whether ``reader`` sees the email of ``login``, who belongs to ``frameworks``.

    An address is personal: the member themself, an admin, and a coordinator of a
    framework the member belongs to (who writes to them about its actions) see it; their
    fellow members and viewers see that they are there, not how to reach them privately.
    """
    if reader is None:
        return False
    if reader.is_admin or reader.login == login:
        return True
    return any(effective_role(reader, key) is Role.coordinator for key in frameworks)


def require_manage_keys(member: MemberView | None, target: MemberView) -> None:
    reason = why_not_manage_keys(member, target)
    if reason is not None:
        raise PermissionDenied(reason)


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


def hold_framework_named(session: Session, key: str) -> int | None:
    """`hold_framework` for the framework ``key``, found and held in one statement (every
    write pays it); its id, or None when there is no such framework (nothing held)."""
    if session.get_bind().dialect.name != "postgresql":
        return session.execute(sa.select(framework_t.c.id).where(framework_t.c.key == key)).scalar()
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


def visible_ids_for(session: Session, member: MemberView | None) -> frozenset[int] | None:
    """The ids of the frameworks ``member`` may read; None means every framework (admins)."""
    if member is not None and member.is_admin:
        return None
    if member is None or not member.roles:
        return frozenset()
    return frozenset(
        session.execute(sa.select(framework_t.c.id).where(framework_t.c.key.in_(list(member.roles)))).scalars()
    )


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


def require_reader(member: MemberView | None) -> MemberView:
    """A login with no role in any framework (and not an admin) has nothing to read: refuse it
    with what to do, rather than show it an empty database as if there were no plans."""
    if member is None or (not member.is_admin and not member.roles):
        login = f"{member.login} " if member is not None else ""
        raise PermissionDenied(
            f"{login or 'this login '}is not a member of any framework, so there is nothing it may read; "
            "a coordinator or an admin can add it with `tracker member add`."
        )
    return member


def require_visible(session: Session, framework: str) -> None:
    """Refuse a read of ``framework`` by a scoped session whose reader does not belong to it."""
    if _SCOPE not in session.info or visible_framework_ids(session) is None:
        return
    require_read(session.info.get("tracker.reader"), framework)


_RANK = {Role.viewer: 0, Role.member: 1, Role.coordinator: 2}


def rank(role: Role) -> int:
    """Roles from least to most, for "the highest role anywhere"."""
    return _RANK[role]
