"""A member's own details: their name, email and login (`tracker member edit`).

Who may: `access.rules.why_not_edit_member`. Each change is one ``plan_change`` row of
``item_kind = 'member'`` (the member's id, the field, old and new), in the name of who
made it: the audit of people, beside the plan's.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadInput
from tracker.names import twin_message
from tracker.services.access import rules as access
from tracker.services.access.emails import visible_emails
from tracker.services.access.members import (
    case_twins,
    check_login,
    checked_details,
    find_member,
    member_t,
    resolve_member,
    with_every_framework,
)
from tracker.services.plan.edits import record_plan_changes
from tracker.services.views import MemberView

CLEARABLE = ("name", "email")


def edit_member(
    session: Session,
    *,
    actor: MemberView | None,
    login: str,
    name: str | None = None,
    email: str | None = None,
    new_login: str | None = None,
    clear: Collection[str] = (),
) -> dict[str, tuple[str | None, str | None]]:
    """Change ``login``'s name, email and login; ``clear`` empties name or email.

    Returns what changed: field -> (old, new). A new login follows the rules of `member
    add` (`tracker.names.check_login`) and is refused when it exists, whatever its case.
    On PostgreSQL the member's database role (``db_role``) stays as it was: they go on
    connecting, or being SET ROLE to by the team server, as the same role.
    """
    unknown = sorted(set(clear) - set(CLEARABLE))
    if unknown:
        raise BadInput(f"--clear takes {' or '.join(CLEARABLE)}, not {', '.join(unknown)}.")
    both = sorted(f for f in clear if {"name": name, "email": email}[f] is not None)
    if both:
        raise BadInput(f"--{both[0]} and --clear {both[0]} say opposite things; give one.")
    name, email = checked_details(name, email)
    new_login = None if new_login is None else check_login(new_login)
    if name is None and email is None and new_login is None and not clear:
        raise BadInput("nothing to change: give --name, --email, --login or --clear.")
    target = find_member(session, login)
    if target is None:
        raise BadInput(f"there is no member with the login {login!r}; `tracker member list` shows who there is.")
    target = with_every_framework(session, target)
    renaming = new_login is not None and new_login != login
    access.require_edit_member(actor, target, login=renaming)
    # As of now, under the write lock (another coordinator may have been demoted since).
    access.require_edit_member(resolve_member(session, actor.login) if actor else None, target, login=renaming)
    if renaming:
        assert new_login is not None
        if new_login.lower() == login.lower():
            pass  # the same person's login in another case: no one else is in the way
        elif session.execute(sa.select(member_t.c.id).where(member_t.c.login == new_login)).first():
            raise BadInput(f"the login {new_login!r} is taken by another member; choose another.")
        elif twin := case_twins(session, [new_login]).get(new_login):
            raise BadInput(f"{twin_message(new_login, twin)}.")
    row = session.execute(sa.select(member_t.c.name).where(member_t.c.id == target.id).with_for_update()).one()
    old_email = visible_emails(session, [login]).get(login)  # whoever may edit it may see it
    wanted = {
        "name": None if "name" in clear else (name if name is not None else row.name),
        "email": None if "email" in clear else (email if email is not None else old_email),
        "login": new_login if renaming else login,
    }
    current = {"name": row.name, "email": old_email, "login": login}
    changes = {field: (current[field], value) for field, value in wanted.items() if value != current[field]}
    if not changes:
        return {}
    session.execute(
        sa.update(member_t).where(member_t.c.id == target.id).values({f: new for f, (_old, new) in changes.items()})
    )
    assert actor is not None  # the rules refuse a login that is no member
    record_plan_changes(
        session, actor, None, target.id, [(f, old, new) for f, (old, new) in changes.items()], kind="member"
    )
    return changes
