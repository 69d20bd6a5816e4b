"""Coordinators' edits of the plan's other items: goals, objectives, indicators, funding sources.

One path for every kind, the one actions take (`tracker.services.plan.edits`): the
caller's right asked of `access.rules`, the row locked, its version checked against the
one the caller read (a conflict names the newest change unless forced), the values
checked by the plan-file contract, one audit row per changed field in ``plan_change``
(``item_kind`` and ``item_id``), all rows of one edit with the same member and time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from tracker.errors import BadField, BadInput, Conflict, NotFound
from tracker.models import FundingSource, Goal, GoalFinding, Indicator, Objective, ObjectiveFinding
from tracker.models.base import table_of
from tracker.models.enums import Role
from tracker.models.types import Money
from tracker.models.workshops import Finding, Workshop
from tracker.services.access import rules
from tracker.services.access.members import find_member, judged_now
from tracker.services.plan.edits import (
    CREATED,
    audit_text,
    item_conflict_message,
    record_plan_changes,
    validated_item,
)
from tracker.services.tracking.actions import action_t, allocation_t, framework_id, framework_t, split_ref
from tracker.services.views import MemberView

goal_t, objective_t, indicator_t = table_of(Goal), table_of(Objective), table_of(Indicator)
source_t = table_of(FundingSource)
finding_t, workshop_t = table_of(Finding), table_of(Workshop)


@dataclass(frozen=True)
class Kind:
    """What differs between the kinds of item: their table, fields, parent and contract."""

    name: str  # the plan_change item_kind, and how people name it
    table: sa.Table
    fields: tuple[str, ...]  # what `edit_item` may change (besides the parent and findings)
    contract: str  # the plan-file model (tracker.seeding.plan) its values obey
    parent: str | None = None  # the column of its parent item (goal_id, objective_id)
    parent_table: sa.Table | None = None
    findings: tuple[sa.Table, str] | None = None  # link table and its owner column

    @property
    def shared(self) -> bool:
        """A funding source belongs to no framework: one row shared by all."""
        return "framework_id" not in self.table.c

    def siblings(self, row: Any) -> list[sa.ColumnElement[bool]]:
        """The items it is ordered among."""
        where = [self.table.c.framework_id == row.framework_id]
        if self.parent:
            where.append(self.table.c[self.parent] == row._mapping[self.parent])
        return where


GOAL = Kind(
    "goal", goal_t, ("title", "description", "visibility"), "GoalIn", findings=(table_of(GoalFinding), "goal_id")
)
OBJECTIVE = Kind(
    "objective",
    objective_t,
    ("title", "description", "visibility"),
    "ObjectiveIn",
    parent="goal_id",
    parent_table=goal_t,
    findings=(table_of(ObjectiveFinding), "objective_id"),
)
INDICATOR = Kind(
    "indicator",
    indicator_t,
    ("name", "unit", "baseline", "target", "target_date", "direction", "description", "visibility"),
    "IndicatorIn",
    parent="objective_id",
    parent_table=objective_t,
)
SOURCE = Kind(
    "source",
    source_t,
    ("name", "kind", "reference", "amount", "currency", "starts", "ends", "notes"),
    "FundingSourceIn",
)
KINDS = {k.name: k for k in (GOAL, OBJECTIVE, INDICATOR, SOURCE)}


@dataclass(frozen=True)
class ItemView:
    """An item as the CLI and the app show it after a change: its fields and version."""

    kind: str
    ref: str
    version: int
    fields: dict[str, Any]
    parent: str | None
    position: int | None  # 1 = first among its siblings
    findings: tuple[str, ...]


def read_item(session: Session, kind: Kind, ref: str, *, lock: bool = False) -> sa.Row[Any]:
    """The item ``ref`` names (locked for this transaction with ``lock``), as its reader may
    see it: another city's is refused as `tracking.actions.framework_id` refuses it; a
    funding source, when it pays for nothing in the reader's frameworks and they coordinate
    none (as the database's policy shows sources on PostgreSQL)."""
    t = kind.table
    if kind.shared:
        query = sa.select(t).where(t.c.key == ref)
        ids = rules.visible_framework_ids(session)
        reader = session.info.get("tracker.reader")
        if ids is not None and not (reader is not None and Role.coordinator in reader.roles.values()):
            paid = (
                sa.select(allocation_t.c.id)
                .join(action_t, action_t.c.id == allocation_t.c.action_id)
                .where(allocation_t.c.source_id == t.c.id, rules.within(action_t.c.framework_id, ids))
            )
            query = query.where(paid.exists())
    else:
        framework, key = split_ref(ref)
        fid = framework_id(session, framework)  # refuses a framework the reader does not belong to
        query = (
            sa.select(t, framework_t.c.key.label("framework"))
            .join(framework_t, framework_t.c.id == t.c.framework_id)
            .where(t.c.framework_id == fid, t.c.key == key)
        )
    row = session.execute(query.with_for_update(of=t) if lock else query).first()
    if row is None:
        what = "funding source" if kind.shared else kind.name
        raise NotFound(f"there is no {what} {ref!r}.")
    return row


UNSEEN = "a framework you do not belong to"


def _source_framework_ids(session: Session, source_id: int) -> set[int]:
    """The ids of the frameworks whose actions a funding source pays for, seen or not."""
    if session.get_bind().dialect.name == "postgresql":
        ids = session.execute(sa.select(sa.func.tracker_private.source_frameworks(source_id))).scalar_one()
    else:
        ids = session.execute(
            sa.select(action_t.c.framework_id)
            .join(allocation_t, allocation_t.c.action_id == action_t.c.id)
            .where(allocation_t.c.source_id == source_id)
            .distinct()
        ).scalars()
    return set(ids)


def frameworks_using(session: Session, source_id: int) -> list[str]:
    """The frameworks whose actions a funding source pays for, by key; one the reader may
    not see is named `UNSEEN` (on PostgreSQL a login sees only its own frameworks'
    allocations, so the database's function gives the ids over all of them)."""
    ids = _source_framework_ids(session, source_id)
    query = sa.select(framework_t.c.id, framework_t.c.key).where(framework_t.c.id.in_(ids))
    keys = dict(session.execute(rules.narrow(query, framework_t.c.id, session)).all())
    return sorted(keys.values()) + [UNSEEN] * len(ids - set(keys))


def _may_change(session: Session, actor: MemberView, kind: Kind, row: sa.Row[Any], ref: str) -> None:
    if kind.shared:
        # Judged as the tables say now, the roles of every framework it pays for held (in
        # id order, as any two writers take them): a demotion there waits or is seen.
        for fid in sorted(_source_framework_ids(session, row.id)):
            rules.hold_framework(session, fid)
        now = find_member(session, actor.login)
        rules.require_source_editor(now, ref, frameworks_using(session, row.id))
    else:  # judged as the tables say now, the framework's roles held (a demotion waits or is seen)
        now = judged_now(session, actor, row.framework_id)
        rules.require_coordinator(now or actor, row.framework, f"change the {kind.name} {ref}")


def _checked(kind: Kind, fields: dict[str, Any]) -> Any:
    """``fields`` by the plan-file contract of ``kind`` (a source also by the file check)."""
    item = validated_item(kind.contract, fields)
    if kind is SOURCE:
        from tracker.seeding.validate import source_problems

        for problem in source_problems(item):
            field = str(problem.loc[0])
            raise BadField(field, f"{field}: the source {problem.message}.")
    return item


def _values(kind: Kind, row: sa.Row[Any]) -> dict[str, Any]:
    return {name: row._mapping[name] for name in ("key", *kind.fields)}


def _column_value(kind: Kind, name: str, value: Any) -> Any:
    """``value`` as the column gives it back (money in cents, measurements without trailing
    zeros), so that an unchanged value compares equal and the audit says what is stored."""
    if not isinstance(value, Decimal):
        return value
    if isinstance(kind.table.c[name].type, Money):
        return value.quantize(Decimal("0.01"))
    return Decimal(format(value.normalize(), "f"))


def _finding_ids(session: Session, framework_id: int, refs: Sequence[str]) -> dict[str, int]:
    """The findings ``refs`` (workshop-key/finding-key) of the framework's workshops."""
    found: dict[str, int] = {}
    for ref in dict.fromkeys(refs):
        workshop, _, finding = ref.partition("/")
        fid = session.execute(
            sa.select(finding_t.c.id)
            .join(workshop_t, workshop_t.c.id == finding_t.c.workshop_id)
            .where(workshop_t.c.framework_id == framework_id, workshop_t.c.key == workshop, finding_t.c.key == finding)
        ).scalar()
        if fid is None:
            raise BadField(
                "finding", f"finding: {ref!r} names no finding of this framework; use workshop-key/finding-key."
            )
        found[ref] = int(fid)
    return found


def _findings_of(session: Session, kind: Kind, item_id: int) -> list[str]:
    if kind.findings is None:
        return []
    link, owner = kind.findings
    return sorted(
        f"{w}/{f}"
        for w, f in session.execute(
            sa.select(workshop_t.c.key, finding_t.c.key)
            .join(finding_t, finding_t.c.workshop_id == workshop_t.c.id)
            .join(link, link.c.finding_id == finding_t.c.id)
            .where(link.c[owner] == item_id)
        )
    )


def _relink(
    session: Session, kind: Kind, row: sa.Row[Any], add: Sequence[str], remove: Sequence[str]
) -> tuple[str, Any, Any] | None:
    """Link ``add`` and unlink ``remove`` findings; the audit's (field, old, new), if any."""
    if not add and not remove:
        return None
    if kind.findings is None:
        raise BadField("finding", f"finding: a {kind.name} is not linked to findings.")
    link, owner = kind.findings
    before = _findings_of(session, kind, row.id)
    absent = [r for r in remove if r not in before]
    if absent:
        raise BadField("no-finding", f"no-finding: {absent[0]!r} is not a finding of {row.key}.")
    ids = _finding_ids(session, row.framework_id, [*add, *remove])
    after = sorted(set(before) - set(remove) | set(add))
    if after == before:
        return None
    session.execute(sa.delete(link).where(link.c[owner] == row.id, link.c.finding_id.in_([ids[r] for r in remove])))
    new = [r for r in dict.fromkeys(add) if r not in before]
    if new:
        session.execute(sa.insert(link), [{owner: row.id, "finding_id": ids[r]} for r in new])
    return ("findings", ", ".join(before) or None, ", ".join(after) or None)


def _parent_id(session: Session, kind: Kind, framework_id: int, key: str) -> int:
    assert kind.parent_table is not None and kind.parent is not None
    t = kind.parent_table
    found = session.execute(sa.select(t.c.id).where(t.c.framework_id == framework_id, t.c.key == key)).scalar()
    if found is None:
        parent = kind.parent.removesuffix("_id")
        raise BadField(parent, f"{parent}: this framework has no {parent} {key!r}.")
    return int(found)


def _ordered(session: Session, kind: Kind, where: list[sa.ColumnElement[bool]]) -> list[int]:
    t = kind.table
    return list(session.execute(sa.select(t.c.id).where(*where).order_by(t.c.position, t.c.id)).scalars())


def _place(session: Session, kind: Kind, ids: list[int], item_id: int, position: int | None) -> int:
    """Put ``item_id`` at ``position`` (1 = first; None = last) among ``ids`` and number them
    all again; its new position."""
    others = [i for i in ids if i != item_id]
    if position is not None and not 1 <= position <= len(others) + 1:
        raise BadField("position", f"position: give 1 to {len(others) + 1}.")
    at = len(others) if position is None else position - 1
    _renumber(session, kind, [*others[:at], item_id, *others[at:]])
    return at + 1


def _renumber(session: Session, kind: Kind, order: list[int]) -> None:
    """Positions 0, 1, 2... in ``order``, as a plan file's order gives them."""
    if not order:
        return
    t = kind.table
    session.execute(
        sa.update(t).where(t.c.id == sa.bindparam("_id")).values(position=sa.bindparam("_position")),
        [{"_id": i, "_position": n} for n, i in enumerate(order)],
    )


def item_view(session: Session, kind_name: str, ref: str) -> ItemView:
    """One item, as it is now (a scoped read)."""
    kind = KINDS[kind_name]
    row = read_item(session, kind, ref)
    parent = None
    position = None
    if not kind.shared:
        if kind.parent and kind.parent_table is not None:
            p = kind.parent_table
            parent = session.execute(sa.select(p.c.key).where(p.c.id == row._mapping[kind.parent])).scalar()
        position = _ordered(session, kind, kind.siblings(row)).index(row.id) + 1
    fields = {name: row._mapping[name] for name in kind.fields}
    return ItemView(kind.name, ref, row.version, fields, parent, position, tuple(_findings_of(session, kind, row.id)))


def add_item(
    *,
    session: Session,
    actor: MemberView,
    kind_name: str,
    under: str,
    fields: dict[str, Any],
    position: int | None = None,
    findings: Sequence[str] = (),
) -> ItemView:
    """Add a goal (``under`` a framework key), an objective (under framework/goal), an
    indicator (under framework/objective) or a funding source (``under`` ignored)."""
    kind = KINDS[kind_name]
    item = _checked(kind, fields)
    t = kind.table
    values = {name: _column_value(kind, name, getattr(item, name)) for name in ("key", *kind.fields)}
    if kind.shared:
        rules.require_source_editor(actor, item.key, [])
        if session.execute(sa.select(t.c.id).where(t.c.key == item.key)).first() is not None:
            raise BadField("key", f"key: there is already a funding source {item.key!r}; choose another key.")
        ref = item.key
    else:
        framework_key, _, parent_key = under.partition("/")
        framework = session.execute(sa.select(framework_t.c.id).where(framework_t.c.key == framework_key)).scalar()
        if framework is None:
            raise NotFound(f"there is no framework {framework_key!r}; `tracker summary` lists them.")
        now = judged_now(session, actor, framework)  # as above: the rights as they are now, held
        rules.require_coordinator(now or actor, framework_key, f"add a {kind.name}")
        values["framework_id"] = framework
        if kind.parent:
            if not parent_key:
                raise BadInput(f"name the {kind.parent.removesuffix('_id')} as {framework_key}/KEY.")
            values[kind.parent] = _parent_id(session, kind, framework, parent_key)
        if session.execute(sa.select(t.c.id).where(t.c.framework_id == framework, t.c.key == item.key)).first():
            raise BadField("key", f"key: {framework_key} already has a {kind.name} {item.key!r}; choose another key.")
        ref = f"{framework_key}/{item.key}"
    new_id = session.execute(sa.insert(t).values(**values, version=1).returning(t.c.id)).scalar_one()
    row = read_item(session, kind, ref)
    if not kind.shared:
        _place(session, kind, _ordered(session, kind, kind.siblings(row)), new_id, position)
    _relink(session, kind, row, findings, ())
    # "created" marks an item made in the tool, as for actions.
    title = values.get("title") or values.get("name")
    record_plan_changes(session, actor, None, new_id, [(CREATED, None, title)], kind=kind.name)
    return item_view(session, kind.name, ref)


def edit_item(
    *,
    session: Session,
    actor: MemberView,
    kind_name: str,
    ref: str,
    changes: dict[str, Any],
    parent: str | None = None,
    position: int | None = None,
    add_findings: Sequence[str] = (),
    remove_findings: Sequence[str] = (),
    expected_version: int | None = None,
    force: bool = False,
) -> ItemView:
    """Change fields of an item (a field given as None is cleared), move it under another
    ``parent`` (an objective to another goal, an indicator to another objective), put it at
    ``position`` among its siblings, link or unlink findings: one edit, one new version."""
    kind = KINDS[kind_name]
    unknown = set(changes) - set(kind.fields)
    if unknown:
        raise BadInput(f"{', '.join(sorted(unknown))} cannot be edited here; editable: {', '.join(kind.fields)}.")
    # The right first: on PostgreSQL a role that may not change the row may not lock it either.
    _may_change(session, actor, kind, read_item(session, kind, ref), ref)
    row = read_item(session, kind, ref, lock=True)
    stale = expected_version is not None and expected_version != row.version
    if stale and not force:
        raise Conflict(item_conflict_message(session, kind.name, row.id, ref, expected_version or 0, row.version))
    before = _values(kind, row)
    after = _checked(kind, {**before, **changes})
    columns: dict[str, Any] = {}
    audit: list[tuple[str, Any, Any]] = []
    for name in changes:
        value = _column_value(kind, name, getattr(after, name))
        if value is None and name in ("title", "name", "unit", "kind", "direction", "currency", "visibility"):
            raise BadField(name, f"{name}: a {kind.name} always has one.")
        if value != before[name]:
            columns[name] = value
            audit.append((name, before[name], value))
    if parent is not None:
        if kind.parent is None:
            raise BadInput(f"a {kind.name} has no parent to move to.")
        target = _parent_id(session, kind, row.framework_id, parent)
        if target != row._mapping[kind.parent]:
            columns[kind.parent] = target
            audit.append((kind.parent, row._mapping[kind.parent], target))
    t = kind.table
    if columns:
        session.execute(sa.update(t).where(t.c.id == row.id).values(**columns))
    if position is not None or (kind.parent and kind.parent in columns):
        if kind.shared:
            raise BadInput("a funding source has no position.")
        moved = read_item(session, kind, ref)
        old = _ordered(session, kind, kind.siblings(row)).index(row.id) + 1 if kind.parent not in columns else None
        new = _place(session, kind, _ordered(session, kind, kind.siblings(moved)), row.id, position)
        if kind.parent in columns:  # close the gap it left
            _renumber(session, kind, _ordered(session, kind, kind.siblings(row)))
        if position is not None and new != old:
            audit.append(("position", old, new))
    linked = _relink(session, kind, row, add_findings, remove_findings)
    if linked:
        audit.append(linked)
    if audit:
        session.execute(sa.update(t).where(t.c.id == row.id).values(version=row.version + 1))
        record_plan_changes(session, actor, None, row.id, audit, forced=stale, kind=kind.name)
    return item_view(session, kind.name, ref)


__all__ = ["KINDS", "ItemView", "add_item", "audit_text", "edit_item", "item_view"]
