"""Who owes an update before a meeting: per owner and per organisation, the open actions
that are due soon, overdue, stale or never updated, and each organisation's silence.

An *update* is a status change or a live note (a retracted note does not count); plan
edits are the coordinator's, not news from the work. As of ``today``, an open action
(planned, in progress, blocked) is owed when it is

- *overdue*: due before today;
- *due soon*: due from today to ``due_within`` days after it, both included;
- *stale*: its last update is ``stale_days`` days old or older;
- *never updated*: it has no update at all.

An organisation's *silence*: days since the last update of any action it leads, and
how many of its open actions have had no update for ``stale_days`` days (stale or never
updated), as an exact share. Owners are the actions' named people; an organisation is
an action's lead. Addresses come only through `access.emails` (`visible_emails`,
narrowed by the rule as `member list` shows them), so a reader sees those the rules let
them see; reading this needs only the right to read the framework(s).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import ActionNote, Membership, NoteRetraction, StatusChange
from tracker.models.base import table_of as _t
from tracker.models.enums import Role
from tracker.services.access.emails import shown_emails
from tracker.services.access.rules import within
from tracker.services.tracking.actions import (
    OPEN,
    action_t,
    framework_t,
    frameworks_read,
    list_actions,
    stakeholder_t,
)
from tracker.services.tracking.filters import STALE_DAYS, ActionFilter
from tracker.services.tracking.mine import affiliation_t, member_t
from tracker.services.views import ActionRow

DUE_WITHIN = 14

change_t = _t(StatusChange)
note_t = _t(ActionNote)
retraction_t = _t(NoteRetraction)
membership_t = _t(Membership)


class Reason(enum.StrEnum):
    """Why an update is asked for, in the order messages name them."""

    overdue = "overdue"
    due_soon = "due soon"
    stale = "stale"
    never_updated = "never updated"


@dataclass(frozen=True)
class OwedAction:
    """An open action someone owes an update on, with why and when it was last updated."""

    row: ActionRow
    reasons: tuple[Reason, ...]
    last_update: dt.date | None  # the day of its last status change or note (UTC)

    def status_words(self) -> str:
        return self.row.status.value.replace("_", " ")


@dataclass(frozen=True)
class Recipient:
    """A person a request is for: their login, name, and address when the reader may see one."""

    login: str
    name: str | None
    email: str | None


@dataclass(frozen=True)
class Debtor:
    """An owner (``kind`` "owner", ``key`` their login) or an organisation (``kind``
    "organisation", ``key`` its stakeholder key) with the actions it owes updates on."""

    kind: str
    key: str
    name: str
    actions: tuple[OwedAction, ...]
    recipients: tuple[Recipient, ...]

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(r.email for r in self.recipients if r.email)

    def count(self, reason: Reason) -> int:
        return sum(1 for a in self.actions if reason in a.reasons)


@dataclass(frozen=True)
class Silence:
    """How long an organisation has been quiet on the actions it leads."""

    key: str
    name: str
    open: int  # open actions it leads
    quiet: int  # of those, no update for stale_days days (stale or never updated)
    owed: int  # of those, owed an update for any reason
    last_update: dt.date | None
    days_silent: int | None  # since last_update; None: never updated

    def share(self) -> str:
        """The quiet share, exact: "3 of 5 (60%)"; "–" with no open action."""
        if not self.open:
            return "–"
        return f"{self.quiet} of {self.open} ({self.quiet / self.open:.0%})"

    def silent_words(self) -> str:
        if self.days_silent is None:
            return "never updated"
        return f"{self.days_silent} day{'s' if self.days_silent != 1 else ''}"


@dataclass(frozen=True)
class UpdateRequests:
    """Who owes what, as of ``today``, for ``framework`` (None: every framework the reader sees)."""

    framework: str | None
    today: dt.date
    due_within: int
    stale_days: int
    owners: tuple[Debtor, ...]
    organisations: tuple[Debtor, ...]
    silence: dict[str, Silence] = field(default_factory=dict)  # by stakeholder key, every lead

    @property
    def owed_actions(self) -> int:
        return len({a.row.ref for d in self.organisations for a in d.actions})


def reasons_for(
    due: dt.date | None, last: dt.date | None, *, today: dt.date, due_within: int, stale_days: int
) -> tuple[Reason, ...]:
    """Why an update on an open action due ``due``, last updated ``last``, is owed as of
    ``today`` (empty: it is not)."""
    found = []
    if due is not None and due < today:
        found.append(Reason.overdue)
    if due is not None and today <= due <= today + dt.timedelta(days=due_within):
        found.append(Reason.due_soon)
    if last is None:
        found.append(Reason.never_updated)
    elif (today - last).days >= stale_days:
        found.append(Reason.stale)
    return tuple(found)


@dataclass(frozen=True)
class Silences:
    """Every lead organisation's silence (by stakeholder key) as of ``today``."""

    today: dt.date
    due_within: int
    stale_days: int
    by_lead: dict[str, Silence]


def lead_silence(
    session: Session,
    *,
    framework: str | None,
    today: dt.date,
    due_within: int = DUE_WITHIN,
    stale_days: int = STALE_DAYS,
) -> Silences:
    """The silence of every organisation leading an action of ``framework`` (None: every
    framework the reader sees): three grouped queries, no action rows built, so the
    Stakeholders screen stays quick over every city's plans."""
    ids = frameworks_read(session, framework)
    found = _open_reasons(session, ids, today, due_within, stale_days)
    return Silences(today, due_within, stale_days, _silence(session, ids, today, found))


def update_requests(
    session: Session,
    *,
    framework: str | None,
    today: dt.date,
    due_within: int = DUE_WITHIN,
    stale_days: int = STALE_DAYS,
) -> UpdateRequests:
    """Who owes an update on ``framework``'s open actions as of ``today`` (see the module)."""
    ids = frameworks_read(session, framework)  # refuses a framework the reader may not read
    found = _open_reasons(session, ids, today, due_within, stale_days)
    rows = list_actions(session, ActionFilter(framework=framework, statuses=OPEN, limit=None), today=today)
    by_owner: dict[str, list[OwedAction]] = {}
    by_lead: dict[str, list[OwedAction]] = {}
    for row in rows:
        _lead, reasons, day = found.get(row.ref, (row.lead.key, (), None))
        if not reasons:
            continue
        owed = OwedAction(row=row, reasons=reasons, last_update=day)
        if row.owner:
            by_owner.setdefault(row.owner, []).append(owed)
        by_lead.setdefault(row.lead.key, []).append(owed)
    people = _people(session, by_owner)
    owners = [
        Debtor("owner", login, name or login, tuple(by_owner[login]), (recipient,))
        for login, (name, recipient) in sorted(people.items(), key=lambda p: ((p[1][0] or p[0]).casefold(), p[0]))
    ]
    leads = {key: actions[0].row.lead.name for key, actions in by_lead.items()}
    staff = _organisation_staff(session, ids, leads)
    organisations = [
        Debtor("organisation", key, name, tuple(by_lead[key]), staff.get(key, ()))
        for key, name in sorted(leads.items(), key=lambda kv: (kv[1].casefold(), kv[0]))
    ]
    return UpdateRequests(
        framework=framework,
        today=today,
        due_within=due_within,
        stale_days=stale_days,
        owners=tuple(owners),
        organisations=tuple(organisations),
        silence=_silence(session, ids, today, found),
    )


def _open_reasons(
    session: Session, ids: frozenset[int] | None, today: dt.date, due_within: int, stale_days: int
) -> dict[str, tuple[str, tuple[Reason, ...], dt.date | None]]:
    """Open action ref -> (its lead's key, why an update is owed, the day of its last update)."""
    last = _last_updates(session, ids, today)
    query = (
        sa.select(framework_t.c.key, action_t.c.key, stakeholder_t.c.key, action_t.c.due)
        .select_from(
            action_t.join(framework_t, framework_t.c.id == action_t.c.framework_id).join(
                stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id
            )
        )
        .where(within(action_t.c.framework_id, ids), action_t.c.status.in_(OPEN))
    )
    found = {}
    for fw, key, lead, due in session.execute(query):
        ref = f"{fw}/{key}"
        day = last.get(ref)
        found[ref] = (lead, reasons_for(due, day, today=today, due_within=due_within, stale_days=stale_days), day)
    return found


def _updates(ids: frozenset[int] | None) -> sa.Subquery:
    """(action id, at) of every status change and live note of the actions in ``ids``."""
    changes = sa.select(change_t.c.action_id, change_t.c.at).select_from(
        change_t.join(action_t, action_t.c.id == change_t.c.action_id)
    )
    notes = (
        sa.select(note_t.c.action_id, note_t.c.at)
        .select_from(note_t.join(action_t, action_t.c.id == note_t.c.action_id))
        .where(~sa.select(retraction_t.c.id).where(retraction_t.c.note_id == note_t.c.id).exists())
    )
    return sa.union_all(
        changes.where(within(action_t.c.framework_id, ids)), notes.where(within(action_t.c.framework_id, ids))
    ).subquery()


def _day(at: dt.datetime, today: dt.date) -> dt.date:
    # An update later than ``today`` (a report as of a past day) counts as made that day.
    return min(at.date(), today)


def _last_updates(session: Session, ids: frozenset[int] | None, today: dt.date) -> dict[str, dt.date]:
    """Action ref -> the day of its last update (actions never updated are left out)."""
    updates = _updates(ids)
    query = (
        sa.select(framework_t.c.key, action_t.c.key, sa.func.max(updates.c.at))
        .select_from(
            updates.join(action_t, action_t.c.id == updates.c.action_id).join(
                framework_t, framework_t.c.id == action_t.c.framework_id
            )
        )
        .group_by(framework_t.c.key, action_t.c.key)
    )
    return {f"{fw}/{key}": _day(at, today) for fw, key, at in session.execute(query)}


def _silence(
    session: Session,
    ids: frozenset[int] | None,
    today: dt.date,
    open_reasons: dict[str, tuple[str, tuple[Reason, ...], dt.date | None]],
) -> dict[str, Silence]:
    """Every lead's silence: its last update over all the actions it leads, and its quiet open actions."""
    open_by_lead: dict[str, list[tuple[Reason, ...]]] = {}
    for lead, reasons, _last in open_reasons.values():
        open_by_lead.setdefault(lead, []).append(reasons)
    updates = _updates(ids)
    query = (
        sa.select(stakeholder_t.c.key, stakeholder_t.c.name, sa.func.max(updates.c.at))
        .select_from(
            action_t.join(stakeholder_t, stakeholder_t.c.id == action_t.c.lead_id).outerjoin(
                updates, updates.c.action_id == action_t.c.id
            )
        )
        .where(within(action_t.c.framework_id, ids))
        .group_by(stakeholder_t.c.key, stakeholder_t.c.name)
    )
    found = {}
    quiet_reasons = {Reason.stale, Reason.never_updated}
    for key, name, at in session.execute(query):
        day = _day(at, today) if at is not None else None
        actions = open_by_lead.get(key, [])
        found[key] = Silence(
            key=key,
            name=name,
            open=len(actions),
            quiet=sum(1 for reasons in actions if quiet_reasons & set(reasons)),
            owed=sum(1 for reasons in actions if reasons),
            last_update=day,
            days_silent=None if day is None else (today - day).days,
        )
    return found


def _people(session: Session, logins: Iterable[str]) -> dict[str, tuple[str | None, Recipient]]:
    """login -> (name, recipient) of these members, with the addresses the reader may see."""
    wanted = sorted(set(logins))
    if not wanted:
        return {}
    emails = shown_emails(session, wanted)
    rows = session.execute(sa.select(member_t.c.login, member_t.c.name).where(member_t.c.login.in_(wanted)))
    return {login: (name, Recipient(login, name, emails.get(login))) for login, name in rows}


def _organisation_staff(
    session: Session, ids: frozenset[int] | None, organisations: Iterable[str]
) -> dict[str, tuple[Recipient, ...]]:
    """Stakeholder key -> the members (not viewers) who work for it in these frameworks, by name."""
    keys = sorted(set(organisations))
    if not keys:
        return {}
    query = (
        sa.select(stakeholder_t.c.key, member_t.c.login)
        .select_from(
            affiliation_t.join(stakeholder_t, stakeholder_t.c.id == affiliation_t.c.stakeholder_id)
            .join(member_t, member_t.c.id == affiliation_t.c.member_id)
            .join(
                membership_t,
                sa.and_(
                    membership_t.c.member_id == affiliation_t.c.member_id,
                    membership_t.c.framework_id == affiliation_t.c.framework_id,
                ),
            )
        )
        .where(
            stakeholder_t.c.key.in_(keys),
            within(affiliation_t.c.framework_id, ids),
            membership_t.c.role != Role.viewer,
        )
        .group_by(stakeholder_t.c.key, member_t.c.login)
    )
    pairs = [(str(key), str(login)) for key, login in session.execute(query)]
    people = _people(session, {login for _key, login in pairs})
    staff: dict[str, list[Recipient]] = {}
    for key, login in pairs:
        staff.setdefault(key, []).append(people[login][1])
    return {key: tuple(sorted(found, key=_by_name)) for key, found in staff.items()}


def _by_name(r: Recipient) -> tuple[str, str]:
    return ((r.name or r.login).casefold(), r.login)
