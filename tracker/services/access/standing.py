"""A member as the tables say, made from the rows of the member queries: no database here.

`tracker.services.access.members` runs those queries through SQLAlchemy, and the command
line's fast path (`tracker.fast`) runs the same statements compiled ahead of time; both
make the member here, so the rules judge the same `MemberView` whichever path read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from tracker.models.enums import Role
from tracker.services.views import MemberView, StakeholderRef


def member_view(row: Any, roles: Iterable[Sequence[Any]], orgs: Iterable[Any], is_admin: bool) -> MemberView:
    """``row`` (``id, login, name``), its ``(framework key, role)`` pairs, its organisations
    (``framework, id, key, name``, in the order shown) and whether it is an admin."""
    names: dict[str, list[StakeholderRef]] = {}
    ids: dict[str, set[int]] = {}
    for o in orgs:
        names.setdefault(o.framework, []).append(StakeholderRef(o.key, o.name))
        ids.setdefault(o.framework, set()).add(o.id)
    return MemberView(
        id=row.id,
        login=row.login,
        name=row.name,
        roles={key: Role(role) for key, role in roles},
        orgs={k: tuple(v) for k, v in names.items()},
        org_ids={k: frozenset(v) for k, v in ids.items()},
        is_admin=is_admin,
    )


def standing_now(actor: MemberView, rows: Sequence[Any]) -> MemberView | None:
    """``actor`` with one framework's standing read again: ``rows`` are the member's id, the
    framework's key, their role there, whether they are an admin, and their organisations
    there (a row each; one row with none when they have none). None: no such member now."""
    if not rows:
        return None
    row = rows[0]
    orgs = [r for r in rows if r.org_id is not None]
    roles = {k: r for k, r in actor.roles.items() if k != row.key}
    if row.role is not None:
        roles[row.key] = Role(row.role)
    return replace(
        actor,
        id=row.id,
        roles=roles,
        orgs={**actor.orgs, row.key: tuple(StakeholderRef(o.org_key, o.org_name) for o in orgs)},
        org_ids={**actor.org_ids, row.key: frozenset(o.org_id for o in orgs)},
        is_admin=bool(row.is_admin),
    )
