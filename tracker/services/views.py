"""Plain view objects that services return: no live ORM rows ever reach a screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tracker.models.enums import Horizon, Role, Sector, Status, Visibility


@dataclass(frozen=True)
class StakeholderRef:
    key: str
    name: str


@dataclass(frozen=True)
class StatusChangeView:
    at: dt.datetime
    by: str | None
    from_status: Status | None
    to_status: Status
    note: str | None
    forced: bool
    via_key: str | None = None  # the ssh key's fingerprint when made through the team server
    on_behalf_of: str | None = None  # "member:LOGIN" or "stakeholder:KEY": entered for them (import-updates)


@dataclass(frozen=True)
class NoteView:
    at: dt.datetime
    by: str | None
    text: str
    via_key: str | None = None
    on_behalf_of: str | None = None  # as StatusChangeView's


@dataclass(frozen=True)
class RetractedNoteView:
    """A note its author took back: kept for the audit, never shown as a live note."""

    at: dt.datetime
    by: str | None
    text: str
    retracted_at: dt.datetime
    retracted_by: str | None
    reason: str | None
    via_key: str | None = None  # the note's
    retracted_via_key: str | None = None


@dataclass(frozen=True)
class AllocationView:
    source_key: str
    source_name: str
    fiscal_year: int
    amount: Decimal | None
    currency: str


@dataclass(frozen=True)
class ActionRow:
    """An action as lists show it, with where it sits in the plan."""

    ref: str
    framework: str
    key: str
    title: str
    status: Status
    horizon: Horizon
    lead: StakeholderRef
    partners: tuple[StakeholderRef, ...]
    starts: dt.date | None
    due: dt.date | None
    completed_on: dt.date | None
    cost: Decimal | None
    funded: Decimal
    unknown_allocations: int
    version: int
    updated_at: dt.datetime
    goal_key: str
    goal_title: str
    objective_key: str
    objective_title: str
    last_change: StatusChangeView | None
    overdue: bool
    # ``funded`` sums the known allocations in ``currency`` (the framework's);
    # allocations from sources in another currency are counted here, never added.
    other_currency_allocations: int = 0
    currency: str = ""
    owner: str | None = None  # the login of the member responsible, if one is named

    def funded_text(self) -> str:
        """``funded`` in words: "1,000.00 USD + 1 of unknown amount + 2 in another currency"."""
        parts = [f"{self.funded:,.2f} {self.currency}".rstrip()]
        if self.unknown_allocations:
            parts.append(f"{self.unknown_allocations} of unknown amount")
        if self.other_currency_allocations:
            parts.append(f"{self.other_currency_allocations} in another currency (not added)")
        return " + ".join(parts)


@dataclass(frozen=True)
class ActionDetail:
    """Everything about one action, for `show` and the detail pane."""

    row: ActionRow
    description: str | None
    allocations: tuple[AllocationView, ...]
    findings: tuple[str, ...]
    history: tuple[StatusChangeView, ...]
    notes: tuple[NoteView, ...]  # the live ones
    retracted_notes: tuple[RetractedNoteView, ...] = ()
    visibility: Visibility = Visibility.internal  # public: on the page of `tracker publish`


@dataclass(frozen=True)
class MemberView:
    id: int
    login: str
    name: str | None
    roles: dict[str, Role]  # framework key -> role
    # framework key -> the organisations this member works for there (and their ids):
    # an organisation counts only in the framework where it was given.
    orgs: dict[str, tuple[StakeholderRef, ...]]
    org_ids: dict[str, frozenset[int]]
    is_admin: bool = False

    def role_in(self, framework: str) -> Role | None:
        return self.roles.get(framework)

    def stakeholders_in(self, framework: str) -> tuple[StakeholderRef, ...]:
        return self.orgs.get(framework, ())

    def stakeholder_ids_in(self, framework: str) -> frozenset[int]:
        return self.org_ids.get(framework, frozenset())

    @property
    def stakeholders(self) -> tuple[StakeholderRef, ...]:
        """Every organisation of this member, in any framework (for display and "mine")."""
        seen: dict[str, StakeholderRef] = {}
        for refs in self.orgs.values():
            for ref in refs:
                seen.setdefault(ref.key, ref)
        return tuple(sorted(seen.values(), key=lambda r: r.name))


@dataclass(frozen=True)
class StakeholderView:
    key: str
    name: str
    sector: Sector


def behalf_name(on_behalf_of: str) -> str:
    """Whom a change was entered for, as shown: "maria", or an organisation's key, inert
    (a role writing SQL could store anything in the column)."""
    from tracker.text import visible_controls

    return visible_controls(on_behalf_of.partition(":")[2] or on_behalf_of)


def for_whom(on_behalf_of: str | None) -> str:
    """How a history line says whom a change was entered for: " for maria", " for
    domus-kids" (an organisation's key); "" when the author entered it for themselves."""
    return f" for {behalf_name(on_behalf_of)}" if on_behalf_of else ""
