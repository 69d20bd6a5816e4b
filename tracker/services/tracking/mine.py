"""Which actions are a member's: those they own, then their organisations' (the "mine" filter)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import NotFound
from tracker.models import Affiliation, Member
from tracker.models.base import table_of as _t

member_t = _t(Member)
affiliation_t = _t(Affiliation)


def member_ids(session: Session | sa.Connection, logins: Collection[str]) -> dict[str, int]:
    """The ids of the members among ``logins`` (unknown logins are left out)."""
    if not logins:
        return {}
    rows = session.execute(sa.select(member_t.c.login, member_t.c.id).where(member_t.c.login.in_(list(logins))))
    return {login: int(mid) for login, mid in rows}


def login_id(session: Session, login: str, option: str) -> int:
    """The id of member ``login``; an unknown login is bad input naming ``option``."""
    found = member_ids(session, [login]).get(login)
    if found is None:
        raise NotFound(f"{option}: there is no member {login!r}; `tracker member list` lists them.")
    return found


def mine_clause(
    session: Session, login: str, action: sa.Table, partner: sa.Table
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[Any]]:
    """The actions that are ``login``'s: those they own, and those their organisations
    lead or support in the frameworks where they work for them. Returns the clause and
    an order that puts the owned ones first."""
    mid = login_id(session, login, "mine")
    by_framework: dict[int, list[int]] = {}
    for fid, sid in session.execute(
        sa.select(affiliation_t.c.framework_id, affiliation_t.c.stakeholder_id).where(affiliation_t.c.member_id == mid)
    ):
        by_framework.setdefault(int(fid), []).append(int(sid))
    owned = action.c.owner_id == mid
    theirs: list[sa.ColumnElement[bool]] = [owned]
    for fid, ids in sorted(by_framework.items()):
        supported = action.c.id.in_(sa.select(partner.c.action_id).where(partner.c.stakeholder_id.in_(ids)))
        theirs.append(sa.and_(action.c.framework_id == fid, sa.or_(action.c.lead_id.in_(ids), supported)))
    first = sa.case((owned, 0), else_=1)
    return sa.or_(*theirs), first


def reader_login(session: Session) -> str:
    """The login a scoped read session reads as (`access.rules.scope_session`): whose "mine" it is."""
    reader = session.info.get("tracker.reader")
    if reader is None:
        raise NotFound("mine: this read has no member to read as; give --owner LOGIN instead.")
    return str(reader.login)
