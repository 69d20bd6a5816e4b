"""One filter model for actions: the CLI, the TUI and the exports all use it, so views agree."""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel, ConfigDict, Field

from tracker.models.enums import Horizon, Status

# The largest values a filter takes (`tracking.limits`, where the fast path reads them too).
from tracker.services.tracking.limits import MAX_LIMIT as MAX_LIMIT
from tracker.services.tracking.limits import MAX_OFFSET as MAX_OFFSET
from tracker.services.tracking.limits import MAX_SEARCH as MAX_SEARCH
from tracker.services.tracking.limits import MAX_STALE_DAYS as MAX_STALE_DAYS

STALE_DAYS = 30


class StakeholderRole(enum.StrEnum):
    """How a stakeholder takes part in an action."""

    lead = "lead"
    partner = "partner"
    either = "either"


class SortField(enum.StrEnum):
    due = "due"
    status = "status"
    lead = "lead"
    # The member shadows str.title; its value is what users type.
    title = "title"  # type: ignore[assignment]
    updated = "updated"
    key = "key"


class ActionFilter(BaseModel):
    """Which actions to show, in which order, which page.

    Every criterion narrows the set; an empty tuple means "any". ``overdue``:
    due before today and neither done nor cancelled. ``stale``: in progress
    with no update for ``stale_days`` days.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    framework: str | None = None
    stakeholders: tuple[str, ...] = ()
    stakeholder_role: StakeholderRole = StakeholderRole.either
    statuses: tuple[Status, ...] = ()
    horizons: tuple[Horizon, ...] = ()
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    overdue: bool = False
    stale: bool = False
    stale_days: int = Field(default=STALE_DAYS, ge=1, le=MAX_STALE_DAYS)
    text: str | None = Field(default=None, max_length=MAX_SEARCH)
    # A member's login: the actions they own.
    owner: str | None = Field(default=None, max_length=64)
    # A member's login: the actions that are theirs, owned first, then those of their
    # organisations in the frameworks where they work for them (`plan.owners.mine_clause`).
    mine: str | None = Field(default=None, max_length=64)
    sort: SortField = SortField.due
    descending: bool = False
    limit: int | None = Field(default=50, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    def describe(self) -> str:
        """The filter in words, as views show it (paging left out)."""
        parts = []
        if self.framework:
            parts.append(f"framework {self.framework}")
        if self.stakeholders:
            role = "" if self.stakeholder_role is StakeholderRole.either else f" as {self.stakeholder_role}"
            parts.append(f"stakeholder {' or '.join(self.stakeholders)}{role}")
        if self.statuses:
            parts.append("status " + " or ".join(s.value for s in self.statuses))
        if self.horizons:
            parts.append("horizon " + " or ".join(h.value for h in self.horizons))
        if self.due_after:
            parts.append(f"due after {self.due_after}")
        if self.due_before:
            parts.append(f"due before {self.due_before}")
        if self.overdue:
            parts.append("overdue")
        if self.stale:
            parts.append(f"stale ({self.stale_days}+ days)")
        if self.text:
            parts.append(f"text {self.text!r}")
        if self.owner:
            parts.append(f"owner {self.owner}")
        if self.mine:
            parts.append(f"{self.mine}'s (owned first, then their organisations')")
        what = ", ".join(parts) if parts else "all actions"
        order = f"{self.sort.value}{' descending' if self.descending else ''}"
        return f"{what}; sorted by {order}"
