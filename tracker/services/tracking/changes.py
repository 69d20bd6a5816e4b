"""Writes members make as the work goes on: status changes, notes, measurements.

Each write is one transaction that records who and when, checks the member's
right to do it, and checks the action's version against the version the
caller saw: a stale version is refused with a conflict that says who changed
what and when, unless the caller explicitly forces it (recorded as such).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.dates import in_range
from tracker.db.driver import Fast
from tracker.errors import BadInput, Conflict, NotFound, PermissionDenied
from tracker.models import Indicator, Measurement, PlanChange
from tracker.models.enums import Role, Status
from tracker.models.types import utcnow
from tracker.numbers import check_quantity
from tracker.services.access import rules as access
from tracker.services.access.members import judged_now
from tracker.services.tracking.actions import (
    action_id,
    action_t,
    change_t,
    framework_id,
    framework_t,
    latest_changes,
    member_t,
    note_t,
    partner_t,
    split_ref,
)
from tracker.services.tracking.limits import MAX_NOTE as MAX_NOTE
from tracker.services.tracking.limits import check_note as _check_note
from tracker.services.views import MemberView

RETRY = "look at it again (tracker actions show) and retry, or force your change."


# Fast: on SQLite these run straight on the driver (they run while every other writer waits).
READ = (
    sa.select(
        action_t.c.id,
        action_t.c.status,
        action_t.c.version,
        action_t.c.lead_id,
        action_t.c.framework_id,
        action_t.c.objective_id,
        framework_t.c.key.label("framework"),
    )
    .join(framework_t, framework_t.c.id == action_t.c.framework_id)
    .where(framework_t.c.key == sa.bindparam("framework"), action_t.c.key == sa.bindparam("key"))
)
LOCK = Fast(READ.with_for_update(of=action_t))
PARTNERS = sa.select(partner_t.c.stakeholder_id).where(partner_t.c.action_id == sa.bindparam("id"))
_FAST_PARTNERS = Fast(PARTNERS)
SET_STATUS = Fast(
    sa.update(action_t)
    .where(action_t.c.id == sa.bindparam("_id"), action_t.c.version == sa.bindparam("_version"))
    .values(
        status=sa.bindparam("status"),
        version=sa.bindparam("version"),
        updated_at=sa.bindparam("updated_at"),
        completed_on=sa.bindparam("completed_on"),
    )
)
AUDIT = Fast(
    sa.insert(change_t),
    column_keys=[
        "action_id",
        "member_id",
        "from_status",
        "to_status",
        "note",
        "forced",
        "at",
        "on_behalf_of",
        "import_key",
    ],
)


@dataclass(frozen=True)
class StatusResult:
    """What a status change did (read the full action afterwards, outside the lock)."""

    ref: str
    from_status: Status
    to_status: Status
    version: int
    forced: bool
    unchanged: bool = False  # it already had that status: nothing changed (but a note is added)


def lock_action(session: Session, ref: str, actor: MemberView | None = None) -> sa.Row[Any]:
    """The action's row, locked for this transaction (FOR UPDATE on PostgreSQL;
    SQLite writers already hold the database's write lock). One indexed query:
    this runs while every other writer waits.

    With ``actor``, a login with no right to track in the framework is refused before
    asking for the lock: on PostgreSQL its database role may not lock the row either,
    and the service's own message says why."""
    framework, key = split_ref(ref)
    if actor is not None and access.effective_role(actor, framework) in (None, Role.viewer):
        framework_id(session, framework)  # an unknown framework is NotFound, as before
        access.require_track(actor, framework, (), ref)
    row = LOCK.execute(session.connection(), {"framework": framework, "key": key}).first()
    if row is None:
        action_id(session, ref)  # raises NotFound naming what is missing
        # Seen but not lockable: PostgreSQL's policies do not let this login change it.
        seen = session.execute(READ, {"framework": framework, "key": key}).first()
        if actor is not None and seen is not None:
            access.require_track(actor, framework, _involved(session, seen), ref)
        raise PermissionDenied(f"the database does not let {actor.login if actor else 'this login'} change {ref}.")
    return row  # type: ignore[return-value]


def judge_record(session: Session, actor: MemberView, ref: str) -> tuple[sa.Row[Any], MemberView]:
    """Indicator ``ref``'s row and ``actor`` as of now, when they may record its values;
    else NotFound or PermissionDenied saying why and who could."""
    framework, key = split_ref(ref)
    fid = framework_id(session, framework)
    indicator_t = Indicator.__table__  # type: ignore[attr-defined]
    indicator = session.execute(
        sa.select(indicator_t).where(indicator_t.c.framework_id == fid, indicator_t.c.key == key)
    ).first()
    if indicator is None:
        raise NotFound(f"framework {framework!r} has no indicator {key!r}.")
    now = _as_now(session, actor, fid)
    reason = _why_not_record(session, now, framework, indicator.objective_id, ref)
    if reason is not None:
        raise PermissionDenied(reason)
    return indicator, now


def lock_judged(session: Session, ref: str, actor: MemberView) -> tuple[sa.Row[Any], MemberView]:
    """The action's row locked (`lock_action`), and ``actor`` read again once the framework's
    roles are held (`members.judged_now`): the rights a write judges are those of now, so
    a write that began before a demotion cannot apply after it."""
    framework, _key = split_ref(ref)
    fid = access.hold_framework_named(session, framework)
    held = fid is not None
    if fid is None:
        fid = framework_id(session, framework)  # NotFound, naming the frameworks there are
    now = _as_now(session, actor, fid, held=held)
    return lock_action(session, ref, now), now


def _as_now(session: Session, actor: MemberView, fid: int, *, held: bool = False) -> MemberView:
    now = judged_now(session, actor, fid, held=held)
    if now is None:
        raise PermissionDenied(
            f"{actor.login} is no longer a member of this database; a coordinator or an admin can add them "
            "again with `tracker member add`."
        )
    return now


def require_tracking_right(session: Session, member: MemberView, row: sa.Row[Any], ref: str) -> None:
    """Coordinators of the framework (and admins), and members of the action's lead or
    partner organisations in that framework, may record progress on it; viewers only read."""
    access.require_track(member, row.framework, _involved(session, row), ref)


def _involved(session: Session, row: sa.Row[Any]) -> set[int]:
    """The stakeholder ids of the action's lead and partners."""
    return {row.lead_id, *(p[0] for p in _FAST_PARTNERS.execute(session.connection(), {"id": row.id}).all())}


def _why_not_record(
    session: Session, member: MemberView | None, framework: str, objective_id: int, ref: str
) -> str | None:
    """Why ``member`` may not record a value of indicator ``ref`` of ``objective_id`` (None: they may):
    the organisations involved are those of the actions under its objective."""
    involved = set(
        session.execute(sa.select(action_t.c.lead_id).where(action_t.c.objective_id == objective_id)).scalars()
    ) | set(
        session.execute(
            sa.select(partner_t.c.stakeholder_id)
            .join(action_t, action_t.c.id == partner_t.c.action_id)
            .where(action_t.c.objective_id == objective_id)
        ).scalars()
    )
    return access.why_not_track(member, framework, involved, ref, unrelated="has no action under the objective of")


def why_not_record(session: Session, member: MemberView | None, ref: str) -> str | None:
    """Why ``member`` may not record a value of indicator ``ref`` (None when they may).

    The plan asks this before the dialog opens; the write checks again.
    """
    framework, key = split_ref(ref)
    fid = framework_id(session, framework)
    indicator_t = Indicator.__table__  # type: ignore[attr-defined]
    objective_id = session.execute(
        sa.select(indicator_t.c.objective_id).where(indicator_t.c.framework_id == fid, indicator_t.c.key == key)
    ).scalar()
    if objective_id is None:
        return f"{ref} does not exist any more"
    return _why_not_record(session, member, framework, objective_id, ref)


def why_not_track(session: Session, member: MemberView | None, ref: str) -> str | None:
    """Why ``member`` may not record progress on ``ref`` (None when they may).

    Screens ask this before the user types anything; the write checks again.
    """
    framework, key = split_ref(ref)
    row = session.execute(
        sa.select(action_t.c.id, action_t.c.lead_id, framework_t.c.key.label("framework"))
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .where(framework_t.c.key == framework, action_t.c.key == key)
    ).first()
    if row is None:
        return f"{ref} does not exist any more"
    return access.why_not_track(member, row.framework, _involved(session, row), ref)


def conflict_message(session: Session, row: sa.Row[Any], ref: str, seen: int) -> str:
    latest = latest_changes(session, [row.id]).get(row.id)
    edit = _latest_plan_change(session, row.id)
    if edit is not None and (latest is None or edit.at >= latest.at):
        what = f"{edit.login or 'someone'} changed its {edit.field.removesuffix('_id')} at {edit.at:%Y-%m-%d %H:%M} UTC"
        if edit.field in ("title", "due", "starts", "cost", "horizon", "partners"):
            what += f" (from {edit.old!r} to {edit.new!r})"
    elif latest is not None:
        what = (
            f"{latest.by or 'a seed'} moved it from {_words(latest.from_status)} to {_words(latest.to_status)} "
            f"at {latest.at:%Y-%m-%d %H:%M} UTC"
        )
        if latest.note:
            what += f" ({latest.note!r})"
    else:
        what = "its plan was edited"
    return f"{ref} changed since you read it (version {seen}, now {row.version}): {what}. Nothing was written; {RETRY}"


def _words(status: Status | None) -> str:
    return "new" if status is None else Status(status).words


def _latest_plan_change(session: Session, aid: int) -> sa.Row[Any] | None:
    # A conflict may come from a plan edit as well as from a status change: name whichever is newer.
    plan_t = PlanChange.__table__  # type: ignore[attr-defined]
    return session.execute(
        sa.select(plan_t.c.field, plan_t.c.old, plan_t.c.new, plan_t.c.at, member_t.c.login)
        .outerjoin(member_t, member_t.c.id == plan_t.c.member_id)
        .where(plan_t.c.action_id == aid)
        .order_by(plan_t.c.id.desc())
        .limit(1)
    ).first()


def set_status(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    status: Status,
    note: str | None = None,
    expected_version: int | None = None,
    force: bool = False,
    today: dt.date | None = None,
    on_behalf_of: str | None = None,
    import_key: str | None = None,
) -> StatusResult:
    """Move an action to ``status``; ``done`` records the completion date (``today``).

    ``expected_version`` is the version the caller saw (None: whatever it is
    now, read under the lock). A mismatch raises `Conflict` unless ``force``.
    An action that already has ``status`` is left as it is (``unchanged``; a
    note is added as a note). ``on_behalf_of`` and ``import_key`` are recorded
    with the change (see `tracker.services.tracking.bulk`).
    Everything between the lock and the commit is a handful of prepared
    statements: other writers wait for this one.
    """
    _check_note(note)
    row, actor = lock_judged(session, ref, actor)
    require_tracking_right(session, actor, row, ref)
    stale = expected_version is not None and expected_version != row.version
    if stale and not force:
        raise Conflict(conflict_message(session, row, ref, expected_version or 0))
    current = Status(row.status)
    now = utcnow()
    if current is status:
        if note:
            _insert_note(session, row.id, actor, note, now, on_behalf_of, import_key)
        return StatusResult(ref, current, status, row.version, stale, unchanged=True)
    conn = session.connection()
    updated = SET_STATUS.execute(
        conn,
        {
            "_id": row.id,
            "_version": row.version,
            "status": status,
            "version": row.version + 1,
            "updated_at": now,
            "completed_on": (today or dt.date.today()) if status is Status.done else None,
        },
    )
    if updated.rowcount != 1:  # cannot happen under the lock; never write blindly
        raise Conflict(conflict_message(session, row, ref, row.version))
    AUDIT.execute(
        conn,
        {
            "action_id": row.id,
            "member_id": actor.id,
            "from_status": current,
            "to_status": status,
            "note": note or None,
            "forced": stale,
            "at": now,
            "on_behalf_of": on_behalf_of,
            "import_key": import_key,
        },
    )
    return StatusResult(ref, current, status, row.version + 1, stale)


def add_note(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    text: str,
    on_behalf_of: str | None = None,
    import_key: str | None = None,
) -> None:
    """A note on an action: progress in words. Notes do not change the version,
    so they never make a colleague's status change conflict."""
    if not text.strip():
        raise BadInput("the note is empty; write what happened.")
    _check_note(text)
    row, actor = lock_judged(session, ref, actor)
    require_tracking_right(session, actor, row, ref)
    _insert_note(session, row.id, actor, text, utcnow(), on_behalf_of, import_key)


def _insert_note(
    session: Session,
    aid: int,
    actor: MemberView,
    text: str,
    now: dt.datetime,
    on_behalf_of: str | None,
    import_key: str | None,
) -> None:
    session.execute(
        sa.insert(note_t).values(
            action_id=aid, member_id=actor.id, text=text, at=now, on_behalf_of=on_behalf_of, import_key=import_key
        )
    )
    session.execute(sa.update(action_t).where(action_t.c.id == aid).values(updated_at=now))


def _check_day(day: dt.date | None, what: str) -> None:
    try:
        if day is not None:
            in_range(day)
    except ValueError as exc:
        raise BadInput(f"{what}: {exc}.") from None


def record_measurement(
    *,
    session: Session,
    actor: MemberView,
    ref: str,
    value: str | Decimal,
    on: dt.date | None = None,
    note: str | None = None,
    on_behalf_of: str | None = None,
    import_key: str | None = None,
) -> dict[str, Any]:
    """Record an indicator's value (``framework-key/indicator-key``) on a date.

    Coordinators may; so may members whose organisation leads or partners an
    action of the indicator's objective.
    """
    try:
        amount = check_quantity(value)
    except ValueError as exc:
        raise BadInput(f"the value {exc}.") from None
    _check_note(note)
    _check_day(on, "the date measured")
    indicator, actor = judge_record(session, actor, ref)
    measured_on = on or dt.date.today()
    measurement_t = Measurement.__table__  # type: ignore[attr-defined]
    session.execute(
        sa.insert(measurement_t).values(
            indicator_id=indicator.id,
            value=amount,
            measured_on=measured_on,
            note=note or None,
            member_id=actor.id,
            recorded_at=utcnow(),
            on_behalf_of=on_behalf_of,
            import_key=import_key,
        )
    )
    return {"indicator": ref, "value": str(amount), "on": measured_on.isoformat(), "by": actor.login}
