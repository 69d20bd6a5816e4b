"""Enumerations of the domain: the words users pick from."""

from __future__ import annotations

import enum


class _Choice(enum.StrEnum):
    """A string enum whose value is what files, the CLI and the database hold."""

    @property
    def words(self) -> str:
        """As a person reads it: "in progress", not in_progress."""
        return self.value.replace("_", " ")


class Sector(_Choice):
    local_government = "local_government"
    law_enforcement = "law_enforcement"
    education = "education"
    non_profit = "non_profit"
    social_services = "social_services"
    faith = "faith"
    community_group = "community_group"
    philanthropy = "philanthropy"
    state_government = "state_government"
    federal_government = "federal_government"
    academia = "academia"
    health = "health"
    business = "business"
    other = "other"


class Stage(_Choice):
    """How far a framework is: planning (leadership group forming, assessment
    under way), then the draft, initial and final frameworks."""

    planning = "planning"
    draft = "draft"
    initial = "initial"
    final = "final"


class Role(_Choice):
    coordinator = "coordinator"
    member = "member"
    viewer = "viewer"


class FundingKind(_Choice):
    federal_grant = "federal_grant"
    state_grant = "state_grant"
    local_government = "local_government"
    foundation = "foundation"
    community = "community"
    corporate = "corporate"
    in_kind = "in_kind"
    other = "other"


class Horizon(_Choice):
    near_term = "near_term"
    mid_term = "mid_term"
    long_term = "long_term"


class Status(_Choice):
    planned = "planned"
    in_progress = "in_progress"
    blocked = "blocked"
    done = "done"
    cancelled = "cancelled"

    @property
    def symbol(self) -> str:
        """The one symbol every output shows beside the status (never colour alone)."""
        return STATUS_SYMBOL[self]

    @property
    def label(self) -> str:
        """Symbol and words: "◐ in progress"."""
        return f"{self.symbol} {self.words}"


STATUS_SYMBOL = {
    Status.planned: "○",
    Status.in_progress: "◐",
    Status.blocked: "✖",
    Status.done: "●",
    Status.cancelled: "–",
}


class Direction(_Choice):
    increase = "increase"
    decrease = "decrease"


class Visibility(_Choice):
    """Whether a plan item may be published (`tracker publish`): public only when it and
    every item above it are public."""

    public = "public"
    internal = "internal"
