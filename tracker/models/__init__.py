"""SQLModel tables and enums: the schema of the whole domain.

Names are imported on first use, so that ``tracker.models.enums`` (what the
command line needs to parse options) does not load SQLModel and every table.
Asking for ``metadata`` loads every table, so the metadata is complete.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "metadata": "base",
    **dict.fromkeys(("Direction", "FundingKind", "Horizon", "Role", "Sector", "Stage", "Status"), "enums"),
    **dict.fromkeys(("Allocation", "FundingSource"), "funding"),
    **dict.fromkeys(("Admin", "Affiliation", "Member", "MemberKey", "Membership", "Stakeholder"), "people"),
    **dict.fromkeys(
        (
            "Action",
            "ActionFinding",
            "ActionPartner",
            "Framework",
            "Goal",
            "GoalFinding",
            "Objective",
            "ObjectiveFinding",
        ),
        "plan",
    ),
    **dict.fromkeys(
        ("ActionNote", "ImportRun", "Indicator", "Measurement", "NoteRetraction", "PlanChange", "StatusChange"),
        "tracking",
    ),
    **dict.fromkeys(("Finding", "FindingTranslation", "Workshop", "WorkshopParticipant"), "workshops"),
}
_TABLE_MODULES = ("funding", "people", "plan", "tracking", "workshops")

__all__ = [
    "Action",
    "ActionFinding",
    "ActionNote",
    "ActionPartner",
    "Admin",
    "Affiliation",
    "Allocation",
    "Direction",
    "Finding",
    "FindingTranslation",
    "Framework",
    "FundingKind",
    "FundingSource",
    "Goal",
    "GoalFinding",
    "Horizon",
    "ImportRun",
    "Indicator",
    "Measurement",
    "Member",
    "MemberKey",
    "Membership",
    "NoteRetraction",
    "Objective",
    "ObjectiveFinding",
    "PlanChange",
    "Role",
    "Sector",
    "Stage",
    "Stakeholder",
    "Status",
    "StatusChange",
    "Workshop",
    "WorkshopParticipant",
    "metadata",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker.models' has no attribute {name!r}")
    if name == "metadata" or module != "enums":
        for table_module in _TABLE_MODULES:  # tables refer to each other by name
            importlib.import_module(f"tracker.models.{table_module}")
    value = getattr(importlib.import_module(f"tracker.models.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from tracker.models.base import metadata
    from tracker.models.enums import Direction, FundingKind, Horizon, Role, Sector, Stage, Status
    from tracker.models.funding import Allocation, FundingSource
    from tracker.models.people import Affiliation, Member, MemberKey, Membership, Stakeholder
    from tracker.models.plan import (
        Action,
        ActionFinding,
        ActionPartner,
        Framework,
        Goal,
        GoalFinding,
        Objective,
        ObjectiveFinding,
    )
    from tracker.models.tracking import (
        ActionNote,
        ImportRun,
        Indicator,
        Measurement,
        NoteRetraction,
        PlanChange,
        StatusChange,
    )
    from tracker.models.workshops import Finding, FindingTranslation, Workshop, WorkshopParticipant
