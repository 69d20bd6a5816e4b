"""Status changes, notes and measurements: audited, permission-checked, never lost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import count_rows
from tests.tracking import CONVENE, MEETINGS, REPORTING, seeded
from tracker.db import read_session, write_session
from tracker.errors import Conflict, NotFound, PermissionDenied
from tracker.models.enums import Role, Status
from tracker.services.access.members import add_member, resolve_member
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.actions import get_action


def _set(engine: Engine, login: str, ref: str, status: Status, **kw):  # type: ignore[no-untyped-def]
    """Change the status, then read the action back as a screen would."""
    with write_session(engine) as session:
        result = tracking.set_status(
            session=session, actor=resolve_member(session, login), ref=ref, status=status, **kw
        )
    detail = _show(engine, ref)
    assert (result.ref, result.to_status, result.version) == (ref, status, detail.row.version)
    return detail


def _show(engine: Engine, ref: str):  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return get_action(session, ref)


def test_status_change_is_applied_and_audited(engine: Engine) -> None:
    """A member moves their action on; the history says who, from what, to what, why."""
    seeded(engine)
    detail = _set(engine, "domus", CONVENE, Status.in_progress, note="kick-off held", expected_version=1)
    assert detail.row.status is Status.in_progress and detail.row.version == 2
    [change] = detail.history
    assert (change.by, change.from_status, change.to_status, change.note, change.forced) == (
        "domus",
        Status.planned,
        Status.in_progress,
        "kick-off held",
        False,
    )
    assert detail.row.last_change == change


def test_done_records_the_completion_date_and_reopening_clears_it(engine: Engine) -> None:
    seeded(engine)
    done = _set(engine, "city", CONVENE, Status.done, today=dt.date(2025, 6, 1))
    assert done.row.completed_on == dt.date(2025, 6, 1)
    reopened = _set(engine, "city", CONVENE, Status.in_progress)
    assert reopened.row.completed_on is None


def test_a_stale_version_is_refused_with_who_changed_what(engine: Engine) -> None:
    """Two members edit the same action: the second is told, not silently overwritten."""
    seeded(engine)
    _set(engine, "domus", CONVENE, Status.in_progress, note="started", expected_version=1)
    before = count_rows(engine)
    with pytest.raises(Conflict) as refused:
        _set(engine, "city", CONVENE, Status.blocked, expected_version=1)
    message = str(refused.value)
    assert "version 1, now 2" in message and "domus moved it from planned to in progress" in message
    assert "'started'" in message
    assert count_rows(engine) == before
    assert _show(engine, CONVENE).row.status is Status.in_progress


def test_forcing_over_a_newer_change_is_recorded_as_such(engine: Engine) -> None:
    seeded(engine)
    _set(engine, "domus", CONVENE, Status.in_progress, expected_version=1)
    detail = _set(engine, "city", CONVENE, Status.blocked, expected_version=1, force=True)
    assert detail.row.status is Status.blocked
    assert [c.forced for c in detail.history] == [False, True]


def test_setting_the_same_status_changes_nothing_but_keeps_the_note(engine: Engine) -> None:
    """A script that sets the status an action already has is not failed: nothing changes
    (no status change, the same version), and its note is kept as a note."""
    seeded(engine)
    detail = _set(engine, "coord", CONVENE, Status.planned)
    assert (detail.row.version, detail.history, detail.notes) == (1, (), ())
    detail = _set(engine, "coord", CONVENE, Status.planned, note="still waiting for a room")
    assert detail.row.version == 1 and detail.history == ()
    assert [n.text for n in detail.notes] == ["still waiting for a room"]


def test_notes_do_not_conflict_with_status_changes(engine: Engine) -> None:
    """A colleague's note must not make my status change (made on what I saw) fail."""
    seeded(engine)
    with write_session(engine) as session:
        tracking.add_note(
            session=session,
            actor=resolve_member(session, "domus"),
            ref=CONVENE,
            text="[b]invites[/b] out",
        )
    detail = _set(engine, "city", CONVENE, Status.in_progress, expected_version=1)
    assert detail.notes[0].text == "[b]invites[/b] out" and detail.notes[0].by == "domus"


def test_measurement_is_recorded_with_who_and_when(engine: Engine) -> None:
    seeded(engine)
    with write_session(engine) as session:
        result = tracking.record_measurement(
            session=session,
            actor=resolve_member(session, "church"),
            ref=MEETINGS,
            value="3.5",
            on=dt.date(2025, 4, 30),
        )
    assert result == {"indicator": MEETINGS, "value": "3.5", "on": "2025-04-30", "by": "church"}
    with engine.connect() as conn:
        value, by = conn.execute(sa.text("SELECT value, member_id FROM measurement")).one()
    assert Decimal(str(value)) == Decimal("3.5") and by is not None


# Who may do what: (login, write, ref) -> allowed?
WRITES = {
    "status": lambda s, a, ref: tracking.set_status(session=s, actor=a, ref=ref, status=Status.blocked),
    "note": lambda s, a, ref: tracking.add_note(session=s, actor=a, ref=ref, text="progress"),
    "measure": lambda s, a, ref: tracking.record_measurement(session=s, actor=a, ref=MEETINGS, value=1),
}
ALLOWED = {
    ("coord", CONVENE): True,
    ("coord", REPORTING): True,
    ("city", CONVENE): True,  # lead
    ("city", REPORTING): False,  # another organisation's action
    ("domus", CONVENE): True,  # partner
    ("domus", REPORTING): False,
    ("church", REPORTING): True,
    ("church", CONVENE): False,
    ("viewer", CONVENE): False,  # viewers read, even their own organisation's actions
    ("viewer", REPORTING): False,
}


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize(("login", "ref"), sorted(ALLOWED), ids=[f"{a}-{r.split('/')[1]}" for a, r in sorted(ALLOWED)])
def test_every_role_against_every_write(engine: Engine, login: str, ref: str, write: str) -> None:
    """A member may update their organisations' actions; viewers and outsiders may not."""
    seeded(engine)
    before = count_rows(engine)
    allowed = ALLOWED[(login, ref)]
    if write == "measure":
        # Measurements belong to the objective: anyone working on one of its actions may record.
        allowed = login != "viewer"
    with write_session(engine) as session:
        actor = resolve_member(session, login)
        if allowed:
            WRITES[write](session, actor, ref)
            return
    with pytest.raises(PermissionDenied) as refused, write_session(engine) as session:
        WRITES[write](session, resolve_member(session, login), ref)
    assert login in str(refused.value)
    assert count_rows(engine) == before


def test_unknown_login_and_references_are_refused_clearly(engine: Engine) -> None:
    seeded(engine)
    with (
        pytest.raises(PermissionDenied, match="no member with the login 'nobody'"),
        write_session(engine) as session,
    ):
        resolve_member(session, "nobody")
    with pytest.raises(NotFound, match="has no action 'nope'"):
        _set(engine, "coord", "stamford-ct/nope", Status.done)
    with pytest.raises(NotFound, match="no framework 'nowhere'"):
        _set(engine, "coord", "nowhere/convene", Status.done)
    with pytest.raises(NotFound, match="not an action reference"):
        _set(engine, "coord", "convene", Status.done)


def test_only_a_coordinator_adds_members_once_there_is_one(engine: Engine) -> None:
    seeded(engine)
    with (
        pytest.raises(PermissionDenied, match="only a coordinator"),
        write_session(engine) as session,
    ):
        add_member(
            session,
            actor=resolve_member(session, "city"),
            login="eve",
            role=Role.coordinator,
            framework="stamford-ct",
        )
    with write_session(engine) as session:
        eve = add_member(
            session, actor=resolve_member(session, "coord"), login="eve", role=Role.member,
            framework="stamford-ct", stakeholders=["union-church"],
        )  # fmt: skip
    assert eve.role_in("stamford-ct") is Role.member and [s.key for s in eve.stakeholders] == ["union-church"]
