"""The rules of who may do what, on what is known of a member (a `MemberView`): no database.

`tracker.services.access.rules` adds what needs the database (scopes, holds, lookups)
and is where every write path asks; it re-exports these. They live apart so that the
command line's fast path (`tracker.fast`) asks the very same functions without loading
SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Collection

from tracker.errors import PermissionDenied
from tracker.models.enums import Role
from tracker.services.views import MemberView


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


_RANK = {Role.viewer: 0, Role.member: 1, Role.coordinator: 2}


def rank(role: Role) -> int:
    """Roles from least to most, for "the highest role anywhere"."""
    return _RANK[role]
