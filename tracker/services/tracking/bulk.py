"""The one bulk-apply service: many updates (rows of a workbook, lines of a script) at once.

Serves `tracker import-updates` and `tracker actions set-status --from`. Each update goes
through the ordinary services (`changes.set_status`, `changes.add_note`,
`changes.record_measurement`), which ask the one rules module; this module only decides
transactions and reports:

- by default each update is its own transaction: the good ones apply, the others are
  reported, each with one sentence;
- ``atomic``: one transaction; nothing applies unless every update can;
- ``dry_run``: every update is tried in one transaction that is rolled back.

A workbook row applied once carries its ``import_key`` into the history row it made, so the
same row imported again is reported as already applied and changes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.db import write_session
from tracker.errors import EXIT_BAD_INPUT, EXIT_CONFLICT, EXIT_PERMISSION, BadInput, Conflict, PermissionDenied
from tracker.models import Measurement
from tracker.services.tracking import changes
from tracker.services.tracking.actions import (
    action_t,
    change_t,
    framework_t,
    member_t,
    note_t,
    split_ref,
    stakeholder_t,
)
from tracker.services.tracking.update_files import Update
from tracker.services.views import MemberView

measurement_t = Measurement.__table__  # type: ignore[attr-defined]


class Result(enum.StrEnum):
    applied = "applied"
    unchanged = "unchanged"  # the action already had that status (a note is still added)
    already = "already applied"
    nothing = "nothing to apply"
    would_apply = "would apply"  # --dry-run
    held_back = "not applied"  # --atomic, because another update failed
    bad = "bad"
    refused = "refused"
    conflict = "conflict"


FAILURES = (Result.bad, Result.refused, Result.conflict)


@dataclass(frozen=True)
class Outcome:
    """What became of one update: ``message`` is one sentence for the person who sent it."""

    place: str
    ref: str
    result: Result
    message: str

    def plain(self) -> dict[str, str]:
        return {"place": self.place, "ref": self.ref, "result": self.result.value, "message": self.message}


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """0 when every update applied (or was already so); else the first kind of failure
    in this order: 2 (bad rows), 4 (refused), 3 (conflicts)."""
    results = {o.result for o in outcomes}
    for result, code in (
        (Result.bad, EXIT_BAD_INPUT),
        (Result.refused, EXIT_PERMISSION),
        (Result.conflict, EXIT_CONFLICT),
    ):
        if result in results:
            return code
    return 0


class _RollBack(Exception):
    """Leaves a transaction without committing (a dry run, or --atomic with a failure)."""


def apply_updates(
    *, engine: Engine, actor: MemberView, updates: Sequence[Update], atomic: bool = False, dry_run: bool = False
) -> list[Outcome]:
    """Apply ``updates`` as ``actor``, and say what became of each, in their order."""
    if not (atomic or dry_run):
        outcomes = []
        for update in updates:
            try:
                with write_session(engine) as session:
                    outcome = _one(session, actor, update)
                    if outcome.result in FAILURES:
                        raise _RollBack
            except _RollBack:
                pass
            outcomes.append(outcome)
        return outcomes
    outcomes = []
    try:
        with write_session(engine) as session:
            for update in updates:
                savepoint = session.begin_nested()
                outcome = _one(session, actor, update)
                if outcome.result in FAILURES:
                    savepoint.rollback()
                else:
                    savepoint.commit()
                outcomes.append(outcome)
            if dry_run or any(o.result in FAILURES for o in outcomes):
                raise _RollBack
    except _RollBack:
        pass
    if dry_run:
        return [_as(o, Result.would_apply, "would apply") if o.result is Result.applied else o for o in outcomes]
    if any(o.result in FAILURES for o in outcomes):
        return [
            _as(o, Result.held_back, "not applied: with --atomic nothing applies unless every row can")
            if o.result in (Result.applied, Result.unchanged)
            else o
            for o in outcomes
        ]
    return outcomes


def _as(outcome: Outcome, result: Result, why: str) -> Outcome:
    return Outcome(outcome.place, outcome.ref, result, f"{outcome.place}: {outcome.ref} {why}.")


def _one(session: Session, actor: MemberView, update: Update) -> Outcome:
    place, ref = update.place, update.ref

    def outcome(result: Result, message: str) -> Outcome:
        return Outcome(place, ref, result, message)

    if update.problem is not None:
        return outcome(Result.bad, update.problem)
    if update.import_key is not None and _applied_before(session, update.import_key):
        return outcome(Result.already, f"{place}: {ref} was already applied from this workbook; nothing changed.")
    if update.empty:
        return outcome(Result.nothing, f"{place}: {ref} has nothing filled in; nothing to apply.")
    try:
        with session.begin_nested():
            return _apply(session, actor, update, outcome)
    except Conflict as exc:
        # No --force here: the row's author sees the newer change first (a new export, a new line).
        again = "look at it again (tracker actions show) before giving this row again."
        return outcome(Result.conflict, f"{place}: {exc.message.replace(changes.RETRY, again)}")
    except PermissionDenied as exc:
        return outcome(Result.refused, f"{place}: {exc.message}")
    except BadInput as exc:
        return outcome(Result.bad, f"{place}: {exc.message}")
    except sa.exc.IntegrityError:
        # Another import applied the same row at the same moment (the import key is unique).
        return outcome(Result.already, f"{place}: {ref} was already applied from this workbook; nothing changed.")


def _apply(session: Session, actor: MemberView, update: Update, outcome: Callable[[Result, str], Outcome]) -> Outcome:
    place, ref = update.place, update.ref
    if update.indicator:
        done = changes.record_measurement(
            session=session,
            actor=actor,
            ref=ref,
            value=update.value if update.value is not None else "",
            on=update.measured_on,
            on_behalf_of=_not_self(update.on_behalf_of, actor),
            import_key=update.import_key,
        )
        return outcome(Result.applied, f"{place}: {ref} measured {done['value']} on {done['on']}.")
    behalf = _not_self(_party(session, ref), actor)
    if update.status is None:
        row, _now = changes.lock_judged(session, ref, actor)
        if update.expect_version is not None and update.expect_version != row.version:
            raise Conflict(changes.conflict_message(session, row, ref, update.expect_version))
        changes.add_note(
            session=session,
            actor=actor,
            ref=ref,
            text=update.note or "",
            on_behalf_of=behalf,
            import_key=update.import_key,
        )
        return outcome(Result.applied, f"{place}: {ref}: note added.")
    result = changes.set_status(
        session=session,
        actor=actor,
        ref=ref,
        status=update.status,
        note=update.note,
        expected_version=update.expect_version,
        today=update.completed_on,
        on_behalf_of=behalf,
        import_key=update.import_key,
    )
    if result.unchanged:
        added = "; the note is added" if update.note else ""
        return outcome(Result.unchanged, f"{place}: {ref} is already {result.to_status.words}; nothing changed{added}.")
    return outcome(
        Result.applied,
        f"{place}: {ref}: {result.from_status.words} -> {result.to_status.words}, version {result.version}.",
    )


def _applied_before(session: Session, key: str) -> bool:
    for table in (change_t, note_t, measurement_t):
        if session.execute(sa.select(table.c.id).where(table.c.import_key == key).limit(1)).first() is not None:
            return True
    return False


def _party(session: Session, ref: str) -> str | None:
    """Whom an entry on action ``ref`` is made for: its owner, else its lead organisation."""
    framework, key = split_ref(ref)

    row: Any = session.execute(
        sa.select(member_t.c.login, stakeholder_t.c.key)
        .select_from(action_t)
        .join(framework_t, framework_t.c.id == action_t.c.framework_id)
        .join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id)
        .outerjoin(member_t, member_t.c.id == action_t.c.owner_id)
        .where(framework_t.c.key == framework, action_t.c.key == key)
    ).first()
    if row is None:
        return None
    return f"member:{row[0]}" if row[0] else f"stakeholder:{row[1]}"


def _not_self(party: str | None, actor: MemberView) -> str | None:
    return None if party == f"member:{actor.login}" else party
