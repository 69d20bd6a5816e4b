"""SQLModel tables and enums: the schema of the whole domain."""

from tracker.models.base import metadata
from tracker.models.enums import Direction, FundingKind, Horizon, Role, Sector, Stage, Status
from tracker.models.funding import Allocation, FundingSource
from tracker.models.people import Affiliation, Member, Membership, Stakeholder
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
    PlanChange,
    StatusChange,
)
from tracker.models.workshops import Finding, FindingTranslation, Workshop, WorkshopParticipant

__all__ = [
    "Action",
    "ActionFinding",
    "ActionNote",
    "ActionPartner",
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
    "Membership",
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
