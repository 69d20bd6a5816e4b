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
from tracker.services.access import rules
from tracker.services.access.members import affiliation_t, membership_t
from tracker.services.tracking import changes
from tracker.services.tracking.actions import (
    action_t,
    change_t,
    framework_t,
    member_t,
    note_t,
    partner_t,
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
    if update.empty:
        return outcome(Result.nothing, f"{place}: {ref} has nothing filled in; nothing to apply.")
    try:
        with session.begin_nested():
            # The rules first: a login that may not apply the row learns nothing of what was.
            target = _judged_target(session, actor, update)
            if update.import_key is not None:
                before = _applied_to(session, update.import_key)
                if before == target:
                    return outcome(
                        Result.already, f"{place}: {ref} was already applied from this workbook; nothing changed."
                    )
                if before is not None:
                    return outcome(
                        Result.bad,
                        f"{place}: this row's id was applied from this workbook to another {before[0]}, not to "
                        f"{ref}; keep each row's ref and row id as exported.",
                    )
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


def _judged_target(session: Session, actor: MemberView, update: Update) -> tuple[str, int]:
    """("action" or "indicator", its id) when ``actor`` may apply ``update`` to it now; else
    NotFound or PermissionDenied (the rules' why and who could)."""
    if update.indicator:
        indicator, now = changes.judge_record(session, actor, update.ref)
        if update.on_behalf_of is not None:
            framework, _key = split_ref(update.ref)
            if not _party_in(session, framework, update.on_behalf_of):
                whom = update.on_behalf_of.partition(":")[2]
                raise BadInput(
                    f"{whom!r} (column for) is no member or organisation of {framework}; keep the exported value."
                )
            rules.require_enter_for(now, framework, update.on_behalf_of)
        return "indicator", indicator.id
    row, now = changes.lock_judged(session, update.ref, actor)
    changes.require_tracking_right(session, now, row, update.ref)
    return "action", row.id


def _applied_to(session: Session, key: str) -> tuple[str, int] | None:
    """What the workbook row ``key`` was applied to, if it was."""
    for table, kind, column in (
        (change_t, "action", change_t.c.action_id),
        (note_t, "action", note_t.c.action_id),
        (measurement_t, "indicator", measurement_t.c.indicator_id),
    ):
        found = session.execute(sa.select(column).where(table.c.import_key == key).limit(1)).scalar()
        if found is not None:
            return kind, found
    return None


def _party_in(session: Session, framework: str, party: str) -> bool:
    """Whether ``party`` (member:LOGIN or stakeholder:KEY) belongs to ``framework``: a member
    with a role there, or an organisation a member works for there or that leads or
    partners one of its actions."""
    kind, _sep, key = party.partition(":")
    fid = sa.select(framework_t.c.id).where(framework_t.c.key == framework).scalar_subquery()
    query: sa.Select[Any] | sa.CompoundSelect[Any]
    if kind == "member":
        query = (
            sa.select(membership_t.c.member_id)
            .join(member_t, member_t.c.id == membership_t.c.member_id)
            .where(member_t.c.login == key, membership_t.c.framework_id == fid)
        )
    else:
        sid = sa.select(stakeholder_t.c.id).where(stakeholder_t.c.key == key).scalar_subquery()
        query = sa.union_all(
            sa.select(affiliation_t.c.stakeholder_id).where(
                affiliation_t.c.stakeholder_id == sid, affiliation_t.c.framework_id == fid
            ),
            sa.select(action_t.c.lead_id).where(action_t.c.lead_id == sid, action_t.c.framework_id == fid),
            sa.select(partner_t.c.stakeholder_id)
            .join(action_t, action_t.c.id == partner_t.c.action_id)
            .where(partner_t.c.stakeholder_id == sid, action_t.c.framework_id == fid),
        )
    return session.execute(sa.select(sa.exists(query))).scalar() is True


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
