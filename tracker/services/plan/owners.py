"""Owners of actions: who may own one, naming the owner, and which actions are "mine".

An action's owner is one person responsible for it: a member who works for its lead
or one of its partners in that framework (an organisation counts only in the
framework where it was given). Plan files, the CLI and the app all ask this module.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadField
from tracker.services.tracking.mine import affiliation_t, member_ids, member_t
from tracker.services.views import ActionDetail, MemberView


def owner_problem(
    session: Session | sa.Connection,
    *,
    framework_id: int,
    framework: str,
    login: str,
    lead: tuple[int, str],
    partner_ids: Collection[int],
) -> str | None:
    """Why ``login`` may not own an action of ``framework`` led by ``lead`` (id, key) with
    these partners, in words that name the fix; None when they may."""
    wanted = [(login, lead, partner_ids)]
    [problem] = owner_problems(session, framework_id=framework_id, framework=framework, wanted=wanted)
    return problem


def owner_problems(
    session: Session | sa.Connection,
    *,
    framework_id: int,
    framework: str,
    wanted: Sequence[tuple[str, tuple[int, str], Collection[int]]],
) -> list[str | None]:
    """`owner_problem` for many actions of one framework at once (a plan file's):
    ``wanted`` holds (login, lead (id, key), partner ids); two queries in all."""
    ids = member_ids(session, {login for login, _lead, _partners in wanted})
    orgs: dict[int, set[int]] = {}
    if ids:
        for mid, sid in session.execute(
            sa.select(affiliation_t.c.member_id, affiliation_t.c.stakeholder_id).where(
                affiliation_t.c.member_id.in_(list(ids.values())), affiliation_t.c.framework_id == framework_id
            )
        ):
            orgs.setdefault(int(mid), set()).add(int(sid))
    problems: list[str | None] = []
    for login, (lead_id, lead_key), partner_ids in wanted:
        add = f"tracker member add {login} --framework {framework} --stakeholder {lead_key}"
        if login not in ids:
            problems.append(f"{login!r} is not a member yet; add them first ({add}), then name them owner")
        elif orgs.get(ids[login], set()) & ({lead_id} | set(partner_ids)):
            problems.append(None)
        else:
            problems.append(
                f"{login!r} works for none of the action's organisations in {framework} (its lead or partners); "
                f"name one of their people, or add {login} to one of them ({add})"
            )
    return problems


def check_owner(
    session: Session,
    *,
    framework_id: int,
    framework: str,
    login: str | None,
    lead: tuple[int, str],
    partner_ids: Collection[int],
) -> int | None:
    """The member id of owner ``login`` (None: no owner); refused as a problem of the
    ``owner`` field when they may not own the action."""
    if login is None:
        return None
    problem = owner_problem(
        session, framework_id=framework_id, framework=framework, login=login, lead=lead, partner_ids=partner_ids
    )
    if problem:
        raise BadField("owner", f"owner: {problem}.")
    return member_ids(session, [login])[login]


def set_owner(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    login: str | None,
    expected_version: int | None = None,
    force: bool = False,
) -> ActionDetail:
    """Name ``login`` the owner of action ``ref`` (None: no owner). A coordinator's edit
    of the plan like any other: version-checked, audited as the field ``owner``."""
    from tracker.services.plan.edits import edit_action

    return edit_action(
        session=session, actor=actor, ref=ref, changes={"owner": login}, expected_version=expected_version, force=force
    )


def owner_logins(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    """Logins of the members ``ids`` (None and unknown ids left out)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.execute(sa.select(member_t.c.id, member_t.c.login).where(member_t.c.id.in_(wanted)))
    return {int(i): login for i, login in rows}


def framework_people(session: Session, framework: str) -> list[tuple[str, str | None]]:
    """(login, name) of the members who work for an organisation in ``framework``, by
    name: those the app offers as owners (which of them may own a given action is
    `owner_problem`'s)."""
    from tracker.models import Framework

    framework_t = Framework.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(member_t.c.login, member_t.c.name)
        .join(affiliation_t, affiliation_t.c.member_id == member_t.c.id)
        .join(framework_t, framework_t.c.id == affiliation_t.c.framework_id)
        .where(framework_t.c.key == framework)
        # grouped, not DISTINCT: PostgreSQL orders a DISTINCT only by what it selects
        .group_by(member_t.c.login, member_t.c.name)
        .order_by(sa.func.coalesce(member_t.c.name, member_t.c.login), member_t.c.login)
    )
    return [(str(login), name) for login, name in rows]
