"""What exports need beyond the plan file: a framework's tracking (status history, notes,
plan edits, measurements), indicators with their latest value, and the coordinator's
workbook sheets (one small function per sheet, so a sheet is easy to point elsewhere).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models.enums import Status
from tracker.services.access.rules import narrow
from tracker.services.funding.sources import (
    GapView,
    ObjectiveGapView,
    SourceView,
    funding_gaps,
    funding_sources,
    objective_gaps,
)
from tracker.services.plan.export import indicator_t, measurement_t, plan_change_t
from tracker.services.plan.indicators import IndicatorProgress, indicator_progress
from tracker.services.tracking.actions import (
    action_t,
    change_t,
    framework_id,
    framework_t,
    list_actions,
    member_t,
    note_t,
    retraction_t,
)
from tracker.services.tracking.filters import ActionFilter
from tracker.services.tracking.rows import status_change
from tracker.services.views import ActionRow, NoteView, StatusChangeView


@dataclass(frozen=True)
class PlanChangeView:
    """A plan field changed in the tool: what it was and what it became (as audit text)."""

    at: dt.datetime
    by: str | None
    field: str
    old: str | None
    new: str | None
    forced: bool
    via_key: str | None = None  # the ssh key's fingerprint when made through the team server


@dataclass(frozen=True)
class ActionTracking:
    """An action's tracking state and trail, oldest first."""

    key: str
    status: Status
    version: int
    completed_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime
    status_changes: tuple[StatusChangeView, ...]
    notes: tuple[NoteView, ...]
    plan_changes: tuple[PlanChangeView, ...]


@dataclass(frozen=True)
class MeasurementView:
    measured_on: dt.date
    value: Decimal
    note: str | None
    by: str | None
    recorded_at: dt.datetime


@dataclass(frozen=True)
class IndicatorTracking:
    key: str
    measurements: tuple[MeasurementView, ...]


@dataclass(frozen=True)
class FrameworkTracking:
    """What was recorded on a framework's actions (by key) and indicators (by key)."""

    framework: str
    actions: tuple[ActionTracking, ...]
    indicators: tuple[IndicatorTracking, ...]


def tracking_of(session: Session, *, framework: str) -> FrameworkTracking:
    """Every action's status, history, notes and plan edits, and every indicator's measurements."""
    fid = framework_id(session, framework)
    of_framework = action_t.c.framework_id == fid
    changes: dict[int, list[StatusChangeView]] = defaultdict(list)
    for row in session.execute(
        sa.select(change_t, member_t.c.login)
        .join(action_t, action_t.c.id == change_t.c.action_id)
        .outerjoin(member_t, member_t.c.id == change_t.c.member_id)
        .where(of_framework)
        .order_by(change_t.c.id)
    ):
        changes[row.action_id].append(status_change(row))  # with whom it was entered for, as everywhere
    notes: dict[int, list[NoteView]] = defaultdict(list)
    for row in session.execute(
        sa.select(note_t.c.action_id, note_t.c.at, note_t.c.text, member_t.c.login, note_t.c.via_key)
        .join(action_t, action_t.c.id == note_t.c.action_id)
        .outerjoin(member_t, member_t.c.id == note_t.c.member_id)
        .where(of_framework, ~sa.select(retraction_t.c.id).where(retraction_t.c.note_id == note_t.c.id).exists())
        .order_by(note_t.c.at, note_t.c.id)
    ):
        notes[row.action_id].append(NoteView(row.at, row.login, row.text, row.via_key))
    edits: dict[int, list[PlanChangeView]] = defaultdict(list)
    for row in session.execute(
        sa.select(plan_change_t, member_t.c.login)
        .join(action_t, action_t.c.id == plan_change_t.c.action_id)
        .outerjoin(member_t, member_t.c.id == plan_change_t.c.member_id)
        .where(of_framework)
        .order_by(plan_change_t.c.id)
    ):
        edits[row.action_id].append(
            PlanChangeView(row.at, row.login, row.field, row.old, row.new, row.forced, row.via_key)
        )
    actions = tuple(
        ActionTracking(
            key=row.key,
            status=Status(row.status),
            version=row.version,
            completed_on=row.completed_on,
            created_at=row.created_at,
            updated_at=row.updated_at,
            status_changes=tuple(changes.get(row.id, ())),
            notes=tuple(notes.get(row.id, ())),
            plan_changes=tuple(edits.get(row.id, ())),
        )
        for row in session.execute(sa.select(action_t).where(of_framework).order_by(action_t.c.key))
    )
    measured: dict[int, list[MeasurementView]] = defaultdict(list)
    for row in session.execute(
        sa.select(measurement_t, member_t.c.login)
        .join(indicator_t, indicator_t.c.id == measurement_t.c.indicator_id)
        .outerjoin(member_t, member_t.c.id == measurement_t.c.member_id)
        .where(indicator_t.c.framework_id == fid)
        .order_by(measurement_t.c.measured_on, measurement_t.c.id)
    ):
        measured[row.indicator_id].append(
            MeasurementView(row.measured_on, row.value, row.note, row.login, row.recorded_at)
        )
    indicators = tuple(
        IndicatorTracking(key=key, measurements=tuple(measured.get(iid, ())))
        for iid, key in session.execute(
            sa.select(indicator_t.c.id, indicator_t.c.key)
            .where(indicator_t.c.framework_id == fid)
            .order_by(indicator_t.c.key)
        )
    )
    return FrameworkTracking(framework=framework, actions=actions, indicators=indicators)


# -- the coordinator's workbook: one function per sheet --------------------------------------


@dataclass(frozen=True)
class WorkbookData:
    """Everything the coordinator's workbook shows, for one framework or all."""

    framework: str | None
    currencies: dict[str, str]  # framework key -> the currency of its actions' costs
    actions: list[ActionRow]
    gaps: list[GapView]
    objective_gaps: list[ObjectiveGapView]
    sources: list[SourceView]
    indicators: list[IndicatorProgress]


def sheet_actions(session: Session, framework: str | None) -> list[ActionRow]:
    return list_actions(session, ActionFilter(framework=framework, limit=None))


def sheet_gaps(session: Session, framework: str | None) -> list[GapView]:
    return funding_gaps(session, framework=framework, limit=None)


def sheet_objective_gaps(session: Session, framework: str | None) -> list[ObjectiveGapView]:
    return objective_gaps(session, framework=framework, limit=None)


def sheet_sources(session: Session, framework: str | None, today: dt.date) -> list[SourceView]:
    return funding_sources(session, today=today, framework=framework)


def sheet_indicators(session: Session, framework: str | None) -> list[IndicatorProgress]:
    return indicator_progress(session, framework=framework)


def workbook_data(session: Session, *, today: dt.date, framework: str | None = None) -> WorkbookData:
    """The workbook's sheets, read in one session (one framework's, or every framework's);
    a source is marked as ended when its end date is before ``today``."""
    return WorkbookData(
        framework=framework,
        currencies={
            key: code
            for key, code in session.execute(
                narrow(sa.select(framework_t.c.key, framework_t.c.currency), framework_t.c.id, session)
            )
        },
        actions=sheet_actions(session, framework),
        gaps=sheet_gaps(session, framework),
        objective_gaps=sheet_objective_gaps(session, framework),
        sources=sheet_sources(session, framework, today),
        indicators=sheet_indicators(session, framework),
    )
