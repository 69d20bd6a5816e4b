"""What a for-updates workbook holds: the open actions of one person or organisation (or
of a framework), and the indicators of those actions' objectives."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session

from tracker.models.enums import Status
from tracker.services.plan.indicators import IndicatorProgress, indicator_progress
from tracker.services.tracking.actions import list_actions
from tracker.services.tracking.filters import ActionFilter
from tracker.services.views import ActionRow

OPEN = (Status.planned, Status.in_progress, Status.blocked)


@dataclass(frozen=True)
class UpdateSheets:
    """The rows of one for-updates workbook; ``export_id`` is new for every export, and
    ``party`` says whom it is for ("member:LOGIN", "stakeholder:KEY", or None)."""

    export_id: str
    exported_at: dt.datetime
    party: str | None
    actions: list[ActionRow]
    indicators: list[IndicatorProgress]


def update_sheets(
    session: Session, *, framework: str | None = None, owner: str | None = None, stakeholder: str | None = None
) -> UpdateSheets:
    """The open actions (of ``framework``, or every framework this session sees) that
    ``owner`` owns or ``stakeholder`` leads or supports (or all), and their objectives' indicators."""
    actions = list_actions(
        session,
        ActionFilter(
            framework=framework,
            owner=owner,
            stakeholders=(stakeholder,) if stakeholder else (),
            statuses=OPEN,
            limit=None,
        ),
    )
    objectives = {(a.framework, a.objective_key) for a in actions}
    indicators = [
        i for i in indicator_progress(session, framework=framework) if (i.framework, i.objective_key) in objectives
    ]
    party = f"member:{owner}" if owner else f"stakeholder:{stakeholder}" if stakeholder else None
    return UpdateSheets(str(uuid.uuid4()), dt.datetime.now(dt.UTC).replace(microsecond=0), party, actions, indicators)
