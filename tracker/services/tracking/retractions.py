"""Taking a note back: a retraction record, never an edit or a deletion of the note.

The note's text stays in the history (the audit); every view that shows notes as the
current word on an action leaves retracted ones out, or counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.models.types import utcnow
from tracker.services.access import rules as access
from tracker.services.tracking.actions import action_t, framework_t, note_t, retraction_t
from tracker.services.tracking.changes import _check_note, _involved, lock_action
from tracker.services.views import MemberView


@dataclass(frozen=True)
class Retraction:
    """What a retraction did: the note (its first words) on which action."""

    ref: str
    note_id: int
    text: str


def retract_note(*, session: Session, actor: MemberView, note_id: int, reason: str | None = None) -> Retraction:
    """Mark note ``note_id`` as retracted by its author (see `access.rules.why_not_retract`)."""
    _check_note(reason)
    note = session.execute(
        sa.select(
            note_t.c.id,
            note_t.c.member_id,
            note_t.c.text,
            action_t.c.key,
            framework_t.c.key.label("framework"),
        )
        .join(action_t, action_t.c.id == note_t.c.action_id)
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .where(note_t.c.id == note_id)
    ).first()
    if note is None:
        raise NotFound(f"there is no note {note_id}.")
    ref = f"{note.framework}/{note.key}"
    row = lock_action(session, ref, actor)  # serialises with the action's other writes
    reason_not = access.why_not_retract(actor, note.framework, note.member_id, _involved(session, row), ref)
    if reason_not is not None:
        raise PermissionDenied(reason_not)
    done = session.execute(sa.select(retraction_t.c.id).where(retraction_t.c.note_id == note_id)).first()
    if done is not None:
        raise BadInput(f"that note on {ref} is retracted already.")
    session.execute(
        sa.insert(retraction_t).values(note_id=note_id, member_id=actor.id, at=utcnow(), reason=reason or None)
    )
    return Retraction(ref, note_id, note.text)
