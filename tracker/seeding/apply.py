"""Applying checked plans to the database: idempotent by keys, all or nothing.

A plan file describes the plan; tracking belongs to the members. Re-applying
a file updates plan fields that changed and never touches an action's status,
history, notes or measurements (a file's `status` is the initial status of a
new action). Items missing from a newer file are reported, never deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from tracker.models import (
    Action,
    ActionFinding,
    ActionPartner,
    Affiliation,
    Allocation,
    Finding,
    FindingTranslation,
    Framework,
    FundingSource,
    Goal,
    GoalFinding,
    ImportRun,
    Indicator,
    Member,
    Membership,
    Objective,
    ObjectiveFinding,
    Stakeholder,
    Workshop,
    WorkshopParticipant,
)
from tracker.models.base import table_of as _t
from tracker.models.enums import Horizon, Role
from tracker.models.types import utcnow
from tracker.numbers import MAX_SUMMED
from tracker.seeding import rights
from tracker.seeding.plan import FrameworkIn, MemberIn, PlanFile
from tracker.seeding.problems import PlanProblems, PlanRefused, Problem
from tracker.seeding.sync import Progress, Tally, as_set, sync_links, sync_rows
from tracker.seeding.tool_edits import latest_edits, refuse_undoing, refuse_undoing_allocations
from tracker.seeding.validate import LoadedPlan, locate
from tracker.services.access import rules as access
from tracker.services.access.emails import visible_emails
from tracker.services.access.members import resolve_member
from tracker.services.plan.owners import owner_problems
from tracker.services.tracking.mine import member_ids
from tracker.services.views import MemberView

KINDS = (
    "framework",
    "stakeholders",
    "members",
    "funding_sources",
    "workshops",
    "findings",
    "goals",
    "objectives",
    "indicators",
    "actions",
)


@dataclass
class FileReport:
    """What applying one plan file did (or, in a dry run, would do)."""

    source: str
    framework: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    # Shared stakeholders, funding sources and members' names whose description stayed
    # the database's (the acting login does not coordinate every framework using them).
    kept: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(t.created for t in self.tallies.values())

    @property
    def updated(self) -> int:
        return sum(t.updated for t in self.tallies.values())

    @property
    def unchanged(self) -> int:
        return sum(t.unchanged for t in self.tallies.values())

    @property
    def missing(self) -> int:
        return sum(t.missing for t in self.tallies.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "framework": self.framework,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_in_file": self.missing,
            "by_kind": {k: t.as_dict() for k, t in self.tallies.items()},
            "kept": list(self.kept),
        }


# An item a seed changes gets a new version, as one changed in the tool: an edit made on
# what it was is then refused as a conflict, not lost.
_NEW_VERSION = {"version": sa.text("version + 1")}


def horizon_ends(framework: FrameworkIn) -> tuple[dt.date, dt.date]:
    """The last days of the near-term and mid-term windows, counted from the plan's start."""
    near_end = framework.starts + relativedelta(months=framework.near_term_months, days=-1)
    mid_end = framework.starts + relativedelta(months=framework.mid_term_months, days=-1)
    return near_end, mid_end


def derive_horizon(framework: FrameworkIn, due: dt.date, ends: tuple[dt.date, dt.date] | None = None) -> Horizon:
    """Near term if due within the near window from the plan's start, else mid, else long."""
    near_end, mid_end = ends or horizon_ends(framework)
    if due <= near_end:
        return Horizon.near_term
    if due <= mid_end:
        return Horizon.mid_term
    return Horizon.long_term


def apply_plans(
    session: Session,
    plans: Sequence[LoadedPlan],
    *,
    actor: str,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> list[FileReport]:
    """Write ``plans`` in the session's transaction as ``actor``; the caller commits or
    rolls back.

    Raises `PlanProblems` (and writes nothing the caller should keep) when the
    files contradict each other or the database, or when a file would undo a
    plan edit made in the tool since (unless ``overwrite``); `PermissionDenied`
    when ``actor`` is no member, and `PlanRefused` when a file asks for more than
    ``actor`` may do (see `tracker.seeding.rights`).
    """
    check_together(plans)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Seeding reads, compares, then writes: under REPEATABLE READ a row that a
        # member changes meanwhile makes the seed fail instead of overwriting it.
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    member = resolve_member(session, actor)
    admitted = rights.admit(session, member, plans)
    reports = []
    refused = []
    for admission in admitted:
        loaded = admission.loaded
        _check_against_database(conn, loaded)
        twins = rights.login_case_problems(session, loaded)
        if twins:
            raise PlanProblems(twins)
        kept = rights.keep_shared(session, member, admission)
        refused += kept.refused
        try:
            report = _apply_one(conn, loaded, progress or (lambda _msg: None), overwrite, kept)
        except sa.exc.DBAPIError as exc:
            _refused_by_policy(exc, member, loaded.plan.framework.key)
            raise
        # Judged on what was written, which is exactly what the file changes; a refusal
        # raises below and the caller rolls the whole transaction back.
        refused += rights.judge(session, member, admission, kept, report.tallies)
        reports.append(report)
    if refused:
        raise PlanRefused(refused)
    if any(r.created for r in reports):
        _check_sums_fit(conn, plans)
    if any(r.created or r.updated for r in reports):
        conn.execute(
            sa.insert(ImportRun.__table__),  # type: ignore[attr-defined]
            {
                "at": utcnow(),
                "actor": actor,
                "sources": "\n".join(r.source for r in reports),
                "summary": "; ".join(f"{r.framework}: {r.created} created, {r.updated} updated" for r in reports),
            },
        )
    return reports


def _refused_by_policy(exc: sa.exc.DBAPIError, member: MemberView | None, framework: str) -> None:
    """On PostgreSQL a member's own role may not write the plan at all, so the database
    refuses a member's file that changes it before `rights.judge` could: say so as the
    rules would (exit 4, who could), not as a database error. Anything else is re-raised."""
    if (
        getattr(exc.orig, "sqlstate", None) == "42501"
        and access.effective_role(member, framework) is not Role.coordinator
    ):
        access.require_seed(member, framework, exists=True, changes=True)


def _check_sums_fit(conn: sa.Connection, plans: Sequence[LoadedPlan]) -> None:
    """Refuse a seed after which a sum of money could overflow its 64-bit cents."""
    for table, what in ((_t(Action), "actions"), (_t(Allocation), "allocations")):
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if count > MAX_SUMMED:
            raise PlanProblems(
                [
                    Problem(
                        plans[-1].source,
                        f"the database would hold {count:,} {what}; tracker keeps at most {MAX_SUMMED:,}, "
                        "so that every sum of their amounts fits",
                    )
                ]
            )


# -- consistency between files and with the database ---------------------------------------


def check_together(plans: Sequence[LoadedPlan]) -> None:
    """Files applied together must agree on shared keys and on which state a city is in."""
    problems: list[Problem] = []
    frameworks: dict[str, str] = {}
    cities: dict[tuple[str, str], tuple[str | None, str]] = {}
    shared: dict[tuple[str, str], tuple[Any, str]] = {}
    for loaded in plans:
        plan, source = loaded.plan, loaded.source
        fw = plan.framework
        if fw.key in frameworks:
            problems.append(
                Problem(
                    source,
                    f"framework {fw.key!r} is also described by {frameworks[fw.key]}; a framework lives in one file",
                    ("framework", "key"),
                )
            )
        frameworks[fw.key] = source
        city = (fw.city.casefold(), fw.country)
        if city in cities and (cities[city][0] or "").casefold() != (fw.state or "").casefold():
            other_state, other_source = cities[city]
            problems.append(
                Problem(
                    source,
                    f"{fw.city} is in {fw.state or 'no state'} here but in {other_state} in "
                    f"{other_source}; correct the state in one of them",
                    ("framework", "state"),
                )
            )
        cities.setdefault(city, (fw.state, source))
        groups: tuple[tuple[str, Sequence[Any], str], ...] = (
            ("stakeholders", plan.stakeholders, "stakeholder"),
            ("funding_sources", plan.funding_sources, "funding source"),
        )
        for kind, items, label in groups:
            for i, item in enumerate(items):
                seen = shared.get((kind, item.key))
                if seen is None:
                    shared[(kind, item.key)] = (item, source)
                elif seen[0] != item:
                    problems.append(
                        Problem(
                            source,
                            f"the {label} {item.key!r} differs from the one in {seen[1]}; "
                            "a shared key must be described the same way in every file",
                            (kind, i),
                        )
                    )
        for i, member in enumerate(plan.members):
            seen = shared.get(("members", member.login))
            if seen is None:
                shared[("members", member.login)] = (member.name, source)
            elif seen[0] != member.name:
                problems.append(
                    Problem(
                        source,
                        f"member {member.login!r} is named {member.name!r} here but "
                        f"{seen[0]!r} in {seen[1]}; use one name",
                        ("members", i, "name"),
                    )
                )
    if problems:
        by_source = {p.source: p for p in plans}
        raise PlanProblems([q for p in problems for q in locate([p], by_source[p.source].text)])


def _sync_emails(conn: sa.Connection, members: Sequence[MemberIn], kept: Mapping[str, str | None]) -> set[int]:
    """Give the file's members the emails it names (not those `rights` kept); the ids changed.

    Compared with what the seeder may read (`access.emails`): on PostgreSQL a member's
    role does not read the column itself, so `sync_rows` cannot be used here."""
    given = {m.login: m.email for m in members if m.email is not None and m.login not in kept}
    if not given:
        return set()
    seen = visible_emails(conn, given)
    member = _t(Member)
    changed: set[int] = set()
    for login, email in sorted(given.items()):
        if seen.get(login) != email:
            row = conn.execute(
                sa.update(member).where(member.c.login == login).values(email=email).returning(member.c.id)
            ).first()
            if row is not None:
                changed.add(int(row[0]))
    return changed


def _check_against_database(conn: sa.Connection, loaded: LoadedPlan) -> None:
    fw = loaded.plan.framework
    table = Framework.__table__  # type: ignore[attr-defined]
    rows = conn.execute(
        sa.select(table.c.key, table.c.state).where(
            sa.func.lower(table.c.city) == fw.city.lower(),
            table.c.country == fw.country,
            table.c.key != fw.key,
        )
    ).all()
    for key, state in rows:
        if (state or "").casefold() != (fw.state or "").casefold():
            raise PlanProblems(
                locate(
                    [
                        Problem(
                            loaded.source,
                            f"the database already holds {fw.city} in {state or 'no state'} "
                            f"(framework {key!r}), not in {fw.state or 'no state'}; correct the "
                            "state, or name the city differently if it really is another one",
                            ("framework", "state"),
                        )
                    ],
                    loaded.text,
                )
            )


# -- writing one plan ----------------------------------------------------------------------


def _apply_one(
    conn: sa.Connection, loaded: LoadedPlan, progress: Progress, overwrite: bool, kept: rights.Kept
) -> FileReport:
    plan: PlanFile = loaded.plan
    fw = plan.framework
    report = FileReport(loaded.source, fw.key, kept=kept.notices)
    tally = report.tallies
    now = utcnow()
    progress(f"{loaded.source}: framework, stakeholders and funding sources")

    framework = sync_rows(
        conn,
        _t(Framework),
        [
            {
                "key": fw.key,
                "city": fw.city,
                "state": fw.state,
                "country": fw.country,
                "title": fw.title,
                "description": fw.description,
                "stage": fw.stage,
                "starts": fw.starts,
                "near_term_months": fw.near_term_months,
                "mid_term_months": fw.mid_term_months,
                "currency": fw.currency,
                "fiscal_year_starts": fw.fiscal_year_starts,
                "meeting_rule": fw.meetings.rule if fw.meetings else None,
                "meeting_starts": fw.meetings.starts if fw.meetings else None,
                "meeting_place": fw.meetings.place if fw.meetings else None,
            }
        ],
        key="key",
        fields=(
            "city",
            "state",
            "country",
            "title",
            "description",
            "stage",
            "starts",
            "near_term_months",
            "mid_term_months",
            "currency",
            "fiscal_year_starts",
            "meeting_rule",
            "meeting_starts",
            "meeting_place",
        ),
        extra_on_update={"updated_at": now},
    )
    fid = framework.ids[fw.key]
    _count(tally["framework"], framework, 1)

    stakeholders = sync_rows(
        conn,
        _t(Stakeholder),
        [
            {
                "key": s.key,
                "name": s.name,
                "sector": s.sector,
                "description": s.description,
                **kept.stakeholders.get(s.key, {}),
            }
            for s in plan.stakeholders
        ],
        key="key",
        fields=("name", "sector", "description"),
    )
    _count(tally["stakeholders"], stakeholders, len(plan.stakeholders))
    sid = stakeholders.ids

    source_rows = [
        {
            "key": s.key,
            "name": s.name,
            "kind": s.kind,
            "reference": s.reference,
            "amount": s.amount,
            "currency": s.currency,
            "starts": s.starts,
            "ends": s.ends,
            "notes": s.notes,
            **kept.funding_sources.get(s.key, {}),
        }
        for s in plan.funding_sources
    ]
    source_t = _t(FundingSource)
    if not overwrite:
        refuse_undoing(
            conn, loaded, kind="source", table=source_t, scope=source_t.c.key.in_([r["key"] for r in source_rows]),
            rows=source_rows, locs=[("funding_sources", n) for n in range(len(source_rows))],
        )  # fmt: skip
    sources = sync_rows(
        conn,
        source_t,
        source_rows,
        key="key",
        fields=("name", "kind", "reference", "amount", "currency", "starts", "ends", "notes"),
        extra_on_update=_NEW_VERSION,
    )
    _count(tally["funding_sources"], sources, len(plan.funding_sources))

    if plan.members:
        members = sync_rows(
            conn,
            _t(Member),
            [{"login": m.login, "name": kept.member_names.get(m.login, m.name)} for m in plan.members],
            key="login",
            fields=("name",),
        )
        changed = set(members.changed)
        # An email left out of the file keeps the database's (files are shared; addresses are not).
        changed |= _sync_emails(conn, plan.members, kept.member_emails)
        changed |= sync_links(
            conn,
            _t(Membership),
            owner="member_id",
            keys=("framework_id",),
            values=("role",),
            desired={members.ids[m.login]: {(fid,): (m.role,)} for m in plan.members},
            remove=False,
        )
        changed |= sync_links(
            conn,
            _t(Affiliation),
            owner="member_id",
            keys=("framework_id", "stakeholder_id"),
            # An organisation counts only in the framework where it was given.
            desired={members.ids[m.login]: {(fid, sid[k]): () for k in m.stakeholders} for m in plan.members},
            remove=False,  # links of other frameworks are read too; never taken away here
        )
        members.changed = changed - members.created
        _count(tally["members"], members, len(plan.members))

    progress(f"{loaded.source}: workshops and findings")
    workshops = sync_rows(
        conn,
        _t(Workshop),
        [
            {"key": w.key, "title": w.title, "held_on": w.held_on, "location": w.location, "background": w.background}
            for w in plan.workshops
        ],
        key="key",
        fields=("title", "held_on", "location", "background"),
        scope={"framework_id": fid},
    )
    workshops.changed |= sync_links(
        conn,
        _t(WorkshopParticipant),
        owner="workshop_id",
        keys=("stakeholder_id",),
        desired={workshops.ids[w.key]: as_set(sid[k] for k in w.participants) for w in plan.workshops},
        owners_in_scope=sa.select(_t(Workshop).c.id).where(_t(Workshop).c.framework_id == fid),
    )
    workshops.changed -= workshops.created
    _count(tally["workshops"], workshops, len(plan.workshops))

    finding_ids: dict[str, int] = {}
    finding_tally = tally["findings"]
    for workshop in plan.workshops:
        wid = workshops.ids[workshop.key]
        findings = sync_rows(
            conn,
            _t(Finding),
            [{"key": f.key, "number": n, "text": f.text} for n, f in enumerate(workshop.findings, 1)],
            key="key",
            fields=("number", "text"),
            scope={"workshop_id": wid},
        )
        findings.changed |= sync_links(
            conn,
            _t(FindingTranslation),
            owner="finding_id",
            keys=("lang",),
            values=("text",),
            desired={
                findings.ids[f.key]: {(lang,): (text,) for lang, text in f.translations.items()}
                for f in workshop.findings
            },
            owners_in_scope=sa.select(_t(Finding).c.id).where(_t(Finding).c.workshop_id == wid),
        )
        findings.changed -= findings.created
        _count(finding_tally, findings, len(workshop.findings))
        for f in workshop.findings:
            finding_ids[f"{workshop.key}/{f.key}"] = findings.ids[f.key]

    progress(f"{loaded.source}: goals and objectives")
    goal_rows = [
        {"key": g.key, "position": n, "title": g.title, "description": g.description, "visibility": g.visibility}
        for n, g in enumerate(plan.goals)
    ]
    goal_t = _t(Goal)
    if not overwrite:
        refuse_undoing(
            conn, loaded, kind="goal", table=goal_t, scope=goal_t.c.framework_id == fid, rows=goal_rows,
            locs=[("goals", n) for n in range(len(goal_rows))],
        )  # fmt: skip
    goals = sync_rows(
        conn,
        goal_t,
        goal_rows,
        key="key",
        fields=("title", "description", "visibility"),
        quiet=("position",),
        scope={"framework_id": fid},
        extra_on_update=_NEW_VERSION,
    )
    goals.changed |= sync_links(
        conn,
        _t(GoalFinding),
        owner="goal_id",
        keys=("finding_id",),
        desired={goals.ids[g.key]: as_set(finding_ids[r] for r in g.findings) for g in plan.goals},
        owners_in_scope=sa.select(_t(Goal).c.id).where(_t(Goal).c.framework_id == fid),
    )
    goals.changed -= goals.created
    _count(tally["goals"], goals, len(plan.goals))

    pairs = [(g, o) for g in plan.goals for o in g.objectives]
    objective_rows = [
        {
            "key": o.key,
            "goal_id": goals.ids[g.key],
            "position": n,
            "title": o.title,
            "description": o.description,
            "visibility": o.visibility,
        }
        for g in plan.goals
        for n, o in enumerate(g.objectives)
    ]
    objective_t = _t(Objective)
    objective_locs = [
        ("goals", g, "objectives", o) for g, goal in enumerate(plan.goals) for o, _ in enumerate(goal.objectives)
    ]
    if not overwrite:
        refuse_undoing(
            conn, loaded, kind="objective", table=objective_t, scope=objective_t.c.framework_id == fid,
            rows=objective_rows, keys_of={"goal_id": _keys_of(conn, goal_t, fid)},
            locs=objective_locs,
        )  # fmt: skip
    objectives = sync_rows(
        conn,
        objective_t,
        objective_rows,
        key="key",
        fields=("goal_id", "title", "description", "visibility"),
        quiet=("position",),
        scope={"framework_id": fid},
        extra_on_update=_NEW_VERSION,
    )
    objectives.changed |= sync_links(
        conn,
        _t(ObjectiveFinding),
        owner="objective_id",
        keys=("finding_id",),
        desired={objectives.ids[o.key]: as_set(finding_ids[r] for r in o.findings) for _g, o in pairs},
        owners_in_scope=sa.select(_t(Objective).c.id).where(_t(Objective).c.framework_id == fid),
    )
    objectives.changed -= objectives.created
    _count(tally["objectives"], objectives, len(pairs))

    indicator_rows = [
        {
            "key": i.key,
            "objective_id": objectives.ids[o.key],
            "position": n,
            "name": i.name,
            "unit": i.unit,
            "baseline": i.baseline,
            "target": i.target,
            "target_date": i.target_date,
            "direction": i.direction,
            "description": i.description,
            "visibility": i.visibility,
        }
        for _g, o in pairs
        for n, i in enumerate(o.indicators)
    ]
    indicator_t = _t(Indicator)
    if not overwrite:
        refuse_undoing(
            conn, loaded, kind="indicator", table=indicator_t, scope=indicator_t.c.framework_id == fid,
            rows=indicator_rows, keys_of={"objective_id": _keys_of(conn, objective_t, fid)},
            locs=[
                ("goals", g, "objectives", o, "indicators", n)
                for g, goal in enumerate(plan.goals)
                for o, objective in enumerate(goal.objectives)
                for n in range(len(objective.indicators))
            ],
        )  # fmt: skip
    indicators = sync_rows(
        conn,
        indicator_t,
        indicator_rows,
        key="key",
        quiet=("position",),
        fields=(
            "objective_id",
            "name",
            "unit",
            "baseline",
            "target",
            "target_date",
            "direction",
            "description",
            "visibility",
        ),
        scope={"framework_id": fid},
        extra_on_update=_NEW_VERSION,
    )
    _count(tally["indicators"], indicators, len(indicator_rows))

    actions_in = [(o, a) for _g, o in pairs for a in o.actions]
    progress(f"{loaded.source}: {len(actions_in):,} actions")
    owners = _owner_ids(conn, loaded, fid, actions_in, sid)
    rows = _action_rows(fw, actions_in, objectives.ids, sid, now, owners)
    kept_allocations: dict[str, dict[tuple[int, int], tuple[Any]]] = {}
    if not overwrite:
        action_t = _t(Action)
        refuse_undoing(
            conn, loaded, kind="action", table=action_t, scope=action_t.c.framework_id == fid, rows=rows,
            locs=_locs(plan), keys_of={"lead_id": {v: k for k, v in sid.items()}},
        )  # fmt: skip
        _refuse_undoing_people(conn, loaded, fid, rows, actions_in)
        kept_allocations = refuse_undoing_allocations(
            conn, loaded, framework_id=fid,
            wanted={a.key: {(f.source, f.fiscal_year): f.amount for f in a.funding} for _o, a in actions_in},
            locs=dict(zip((a.key for _o, a in actions_in), _locs(plan), strict=True)),
        )  # fmt: skip
    _write_actions(conn, fid, actions_in, rows, sid, sources.ids, finding_ids, tally, now, kept_allocations)
    return report


def _keys_of(conn: sa.Connection, table: sa.Table, fid: int) -> dict[int, str]:
    """The keys of a framework's goals or objectives by id, as a message names them."""
    return dict(conn.execute(sa.select(table.c.id, table.c.key).where(table.c.framework_id == fid)).all())


def _refuse_undoing_people(
    conn: sa.Connection,
    loaded: LoadedPlan,
    fid: int,
    rows: list[dict[str, Any]],
    actions_in: list[tuple[Any, Any]],
) -> None:
    """Partners and the owner edited in the tool (and not changed since) that the file gives
    differently are a conflict, as the other plan fields are (`tool_edits.refuse_undoing`).
    They are audited as people name them (stakeholder keys, a login) and compared so."""
    action, member = _t(Action), _t(Member)
    edits = {
        key: people
        for key, fields in latest_edits(conn, "action", action, action.c.framework_id == fid).items()
        if (people := {name: edit for name, edit in fields.items() if name in ("partners", "owner")})
    }
    if not edits:
        return
    # What the tool says of partners and owner now, in the audit's words.
    named: dict[str, dict[str, str | None]] = {key: {} for key in edits}
    partner, stakeholder = _t(ActionPartner), _t(Stakeholder)
    for key, skey in conn.execute(
        sa.select(action.c.key, stakeholder.c.key)
        .join(partner, partner.c.action_id == action.c.id)
        .join(stakeholder, stakeholder.c.id == partner.c.stakeholder_id)
        .where(action.c.framework_id == fid, action.c.key.in_(list(edits)))
        .order_by(stakeholder.c.key)
    ):
        now_partners = named[key].get("partners")
        named[key]["partners"] = f"{now_partners}, {skey}" if now_partners else skey
    for key, owner in conn.execute(
        sa.select(action.c.key, member.c.login)
        .join(member, member.c.id == action.c.owner_id)
        .where(action.c.framework_id == fid, action.c.key.in_(list(edits)))
    ):
        named[key]["owner"] = owner
    problems = []
    for n, row in enumerate(rows):
        if row["key"] not in edits:
            continue
        in_file = actions_in[n][1]
        said = {"partners": ", ".join(sorted(in_file.partners)) or None, "owner": in_file.owner}
        for column, (new, login, at) in edits[row["key"]].items():
            now_text = named[row["key"]].get(column)
            if now_text != new or said[column] == now_text:
                continue  # changed again since, or the file agrees with the edit
            problems.append(
                Problem(
                    loaded.source,
                    f"{column} was changed in the tool by {login or 'someone'} on {at:%Y-%m-%d} to {new!r}, "
                    f"and this file says {said[column]!r}; put the tool's value in the file, or seed with "
                    "--overwrite to replace it",
                    (*_locs(loaded.plan)[n], column),
                )
            )
    if problems:
        raise PlanProblems(locate(problems, loaded.text))


def _owner_ids(
    conn: sa.Connection, loaded: LoadedPlan, fid: int, actions_in: list[tuple[Any, Any]], sid: dict[str, int]
) -> dict[str, int]:
    """The member id of each action's owner (by action key), after the file's members were
    written: an owner must work for the action's lead or a partner in this framework."""
    named = [(n, a) for n, (_o, a) in enumerate(actions_in) if a.owner is not None]
    if not named:
        return {}
    found = owner_problems(
        conn,
        framework_id=fid,
        framework=loaded.plan.framework.key,
        wanted=[(a.owner, (sid[a.lead], a.lead), [sid[k] for k in a.partners]) for _n, a in named],
    )
    locs = _locs(loaded.plan)
    problems = [
        Problem(loaded.source, problem, (*locs[n], "owner"))
        for (n, _a), problem in zip(named, found, strict=True)
        if problem is not None
    ]
    if problems:
        raise PlanProblems(locate(problems, loaded.text))
    ids = member_ids(conn, {a.owner for _n, a in named})
    return {a.key: ids[a.owner] for _n, a in named}


def _locs(plan: PlanFile) -> list[tuple[str | int, ...]]:
    return [
        ("goals", g, "objectives", o, "actions", a)
        for g, goal in enumerate(plan.goals)
        for o, objective in enumerate(goal.objectives)
        for a, _action in enumerate(objective.actions)
    ]


def _action_rows(
    fw: FrameworkIn,
    actions_in: list[tuple[Any, Any]],
    objective_ids: dict[str, int],
    sid: dict[str, int],
    now: dt.datetime,
    owners: dict[str, int],
) -> list[dict[str, Any]]:
    ends = horizon_ends(fw)
    rows = []
    positions: dict[str, int] = {}
    for o, a in actions_in:
        n = positions[o.key] = positions.get(o.key, -1) + 1  # order within its objective
        rows.append(
            {
                "key": a.key,
                "objective_id": objective_ids[o.key],
                "position": n,
                "title": a.title,
                "description": a.description,
                "horizon": a.horizon or derive_horizon(fw, a.due, ends),
                "lead_id": sid[a.lead],
                "owner_id": owners.get(a.key),
                "starts": a.starts,
                "due": a.due,
                "cost": a.cost,
                "visibility": a.visibility,
                # Tracking fields: set on creation only (see the module docstring).
                "status": a.status,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _write_actions(
    conn: sa.Connection,
    fid: int,
    actions_in: list[tuple[Any, Any]],
    rows: list[dict[str, Any]],
    sid: dict[str, int],
    source_ids: dict[str, int],
    finding_ids: dict[str, int],
    tally: dict[str, Tally],
    now: dt.datetime,
    kept_allocations: dict[str, dict[tuple[int, int], tuple[Any]]],
) -> None:
    action = _t(Action)
    plan_fields = (
        "objective_id",
        "title",
        "description",
        "horizon",
        "lead_id",
        "owner_id",
        "starts",
        "due",
        "cost",
        "visibility",
    )
    # `status` stays out of `fields`: an existing action keeps the status its members gave it.
    actions = sync_rows(
        conn, action, rows, key="key", fields=plan_fields, quiet=("position",), scope={"framework_id": fid}
    )
    in_scope = sa.select(action.c.id).where(action.c.framework_id == fid)
    ids = actions.ids
    links_changed = sync_links(
        conn,
        _t(ActionPartner),
        owner="action_id",
        keys=("stakeholder_id",),
        desired={ids[a.key]: as_set(sid[k] for k in a.partners) for _o, a in actions_in},
        owners_in_scope=in_scope,
    )
    links_changed |= sync_links(
        conn,
        _t(ActionFinding),
        owner="action_id",
        keys=("finding_id",),
        desired={ids[a.key]: as_set(finding_ids[r] for r in a.findings) for _o, a in actions_in},
        owners_in_scope=in_scope,
    )
    links_changed |= sync_links(
        conn,
        _t(Allocation),
        owner="action_id",
        keys=("source_id", "fiscal_year"),
        values=("amount",),
        desired={
            ids[a.key]: {
                # An allocation added or changed in the tool that the file lacks is kept.
                **kept_allocations.get(a.key, {}),
                **{(source_ids[f.source], f.fiscal_year): (f.amount,) for f in a.funding},
            }
            for _o, a in actions_in
        },
        owners_in_scope=in_scope,
    )
    changed = (actions.changed | links_changed) - actions.created
    if changed:
        # Any change to an action's plan is a new version: a member's edit
        # based on the old one is then refused as a conflict, not lost.
        conn.execute(
            action.update()
            .where(action.c.id == sa.bindparam("_id"))
            .values(version=action.c.version + 1, updated_at=now),
            [{"_id": i} for i in changed],
        )
    actions.changed = changed
    _count(tally["actions"], actions, len(rows))


def _count(tally: Tally, synced: Any, total: int) -> None:
    tally.created += len(synced.created)
    tally.updated += len(synced.changed - synced.created)
    tally.unchanged += total - len(synced.created) - len(synced.changed - synced.created)
    tally.missing += synced.missing
    tally.moved += synced.moved
