"""Members' SSH public keys: adding, listing, removing, and disabling them when a member
leaves their last framework. Who may manage whose key is `access.rules.require_manage_keys`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.models import MemberKey
from tracker.models.types import utcnow
from tracker.services.access import rules as access
from tracker.services.access.members import admin_t, find_member, member_t, membership_t, with_every_framework
from tracker.services.tracking.actions import framework_id
from tracker.services.views import MemberView
from tracker.sshkeys import parse_public_key

key_t = MemberKey.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class KeyRow:
    """One key as `member key list` shows it."""

    login: str
    fingerprint: str
    key_type: str
    comment: str | None
    added_at: dt.datetime
    added_by: str | None
    last_used_at: dt.datetime | None
    disabled_at: dt.datetime | None


def _target(session: Session, login: str) -> MemberView:
    target = find_member(session, login)
    if target is None:
        raise NotFound(f"there is no member with the login {login!r}; `tracker member list` shows who there is.")
    return with_every_framework(session, target)  # the rule counts frameworks the reader cannot see


def add_key(session: Session, *, actor: MemberView | None, login: str, text: str, source: str) -> KeyRow:
    """Register the public key in ``text`` for ``login``. The same key given again to the same
    member is enabled again (after they left their last framework and came back); a key
    that another member holds is refused (a key is one person)."""
    try:
        key = parse_public_key(text, source)
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None
    target = _target(session, login)
    access.require_manage_keys(actor, target)
    existing = session.execute(
        sa.select(key_t.c.id, key_t.c.member_id).where(
            sa.or_(key_t.c.key_data == key.key_data, key_t.c.fingerprint == key.fingerprint)
        )
    ).first()
    if existing is not None and existing.member_id != target.id:
        raise BadInput(
            f"the key {key.fingerprint} is registered for another member already; a key identifies one "
            f"person: ask {login} for their own key."
        )
    if existing is not None:
        session.execute(sa.update(key_t).where(key_t.c.id == existing.id).values(disabled_at=None))
    else:
        session.execute(
            sa.insert(key_t).values(
                member_id=target.id,
                key_type=key.key_type,
                key_data=key.key_data,
                fingerprint=key.fingerprint,
                comment=key.comment,
                added_at=utcnow(),
                added_by=actor.id if actor is not None else None,
            )
        )
    rows = _rows(session, key_t.c.fingerprint == key.fingerprint)
    return rows[0]


def remove_key(session: Session, *, actor: MemberView | None, login: str, fingerprint: str) -> None:
    """Remove ``login``'s key ``fingerprint``: sshd refuses it from the next login on."""
    target = _target(session, login)
    access.require_manage_keys(actor, target)
    gone = (
        session.connection()
        .execute(sa.delete(key_t).where(key_t.c.member_id == target.id, key_t.c.fingerprint == fingerprint))
        .rowcount
    )
    if not gone:
        raise NotFound(
            f"{login} has no key {fingerprint}; `tracker member key list` shows their keys "
            "(fingerprints as `ssh-keygen -lf KEY.pub` prints them)."
        )


def list_keys(session: Session, *, reader: MemberView, framework: str | None = None) -> list[KeyRow]:
    """The keys ``reader`` may see: an admin every key; others their own and the keys they
    may manage. ``framework``: the keys of its members only (a framework the reader reads)."""
    condition: sa.ColumnElement[bool] = sa.true()
    if framework is not None:
        access.require_read(reader, framework)
        fid = framework_id(session, framework)
        condition = key_t.c.member_id.in_(sa.select(membership_t.c.member_id).where(membership_t.c.framework_id == fid))
    rows = _rows(session, condition)
    if reader.is_admin:
        return rows
    managed: dict[str, bool] = {}
    for row in rows:
        if row.login not in managed:
            target = find_member(session, row.login)
            managed[row.login] = row.login == reader.login or (
                target is not None and access.why_not_manage_keys(reader, with_every_framework(session, target)) is None
            )
    return [row for row in rows if managed[row.login]]


def _rows(session: Session, condition: sa.ColumnElement[bool]) -> list[KeyRow]:
    adder = aliased(member_t)
    return [
        KeyRow(*row)
        for row in session.execute(
            sa.select(
                member_t.c.login,
                key_t.c.fingerprint,
                key_t.c.key_type,
                key_t.c.comment,
                key_t.c.added_at,
                adder.c.login,
                key_t.c.last_used_at,
                key_t.c.disabled_at,
            )
            .join(member_t, member_t.c.id == key_t.c.member_id)
            .outerjoin(adder, adder.c.id == key_t.c.added_by)
            .where(condition)
            .order_by(member_t.c.login, key_t.c.added_at, key_t.c.id)
        )
    ]


def disable_keys_if_left(session: Session, member_id: int) -> int:
    """Disable the keys of a member who belongs to no framework any more (and is no admin):
    they have nothing to reach. Returns how many keys were disabled."""
    belongs = session.execute(
        sa.select(
            sa.exists().where(membership_t.c.member_id == member_id)
            | sa.exists().where(admin_t.c.member_id == member_id)
        )
    ).scalar_one()
    if belongs:
        return 0
    return (
        session.connection()
        .execute(
            sa.update(key_t)
            .where(key_t.c.member_id == member_id, key_t.c.disabled_at.is_(None))
            .values(disabled_at=utcnow())
        )
        .rowcount
    )


def session_key(session: Session, *, login: str, fingerprint: str) -> MemberView:
    """The member a team-server session runs as: ``login``, whose enabled key ``fingerprint``
    is, and who may read something. Records the key's use. Anything else is refused."""
    row = session.execute(
        sa.select(key_t.c.id, key_t.c.disabled_at)
        .join(member_t, member_t.c.id == key_t.c.member_id)
        .where(member_t.c.login == login, key_t.c.fingerprint == fingerprint)
    ).first()
    if row is None or row.disabled_at is not None:
        raise PermissionDenied(
            f"the key {fingerprint} is not an enabled key of {login} (removed or disabled since the login "
            "began); ask a coordinator to register your key with `tracker member key add`."
        )
    member = access.require_reader(find_member(session, login))
    session.execute(sa.update(key_t).where(key_t.c.id == row.id).values(last_used_at=utcnow()))
    return member
