"""Seeding never undoes an edit made in the tool.

A field of a goal, objective, indicator, funding source or action, or an allocation,
changed in the tool (and not changed again since) that a plan file gives differently is a
conflict: the file is older than the edit, or disagrees with it. The seed refuses it,
saying who changed what and when, unless run with --overwrite. Items added in the tool
are never deleted by a seed: a file that lacks them leaves them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tracker.models import Member, PlanChange
from tracker.models.base import table_of as _t
from tracker.seeding.problems import Loc, PlanProblems, Problem
from tracker.seeding.validate import LoadedPlan, locate
from tracker.services.plan.edits import audit_text

Edit = tuple[str | None, str | None, dt.datetime]  # the value it became, who, when
_FIX = "put the tool's value in the file, or seed with --overwrite to replace it"


def latest_edits(
    conn: sa.Connection, kind: str, table: sa.Table, scope: sa.ColumnElement[bool]
) -> dict[str, dict[str, Edit]]:
    """The newest tool edit of each field of each item of ``kind`` in ``scope``, by item key."""
    change, member = _t(PlanChange), _t(Member)
    latest = (
        sa.select(sa.func.max(change.c.id))
        .join(table, table.c.id == change.c.item_id)
        .where(change.c.item_kind == kind, scope)
        .group_by(change.c.item_id, change.c.field)
    )
    edits: dict[str, dict[str, Edit]] = {}
    for key, column, new, login, at in conn.execute(
        sa.select(table.c.key, change.c.field, change.c.new, member.c.login, change.c.at)
        .join(table, table.c.id == change.c.item_id)
        .outerjoin(member, member.c.id == change.c.member_id)
        .where(change.c.id.in_(latest))
    ):
        edits.setdefault(key, {})[column] = (new, login, at)
    return edits


def refuse_undoing(
    conn: sa.Connection,
    loaded: LoadedPlan,
    *,
    kind: str,
    table: sa.Table,
    scope: sa.ColumnElement[bool],
    rows: Sequence[Mapping[str, Any]],
    locs: Sequence[Loc],
    keys_of: Mapping[str, Mapping[int, str]] | None = None,
) -> None:
    """Refuse file ``rows`` (at ``locs``) that would undo a tool edit of an item of ``kind``.

    ``keys_of`` names the ids of reference columns (``lead_id``: stakeholder keys) so that
    the message says keys, as the file does."""
    edits = latest_edits(conn, kind, table, scope)
    if not edits:
        return
    current = {
        row.key: row._mapping for row in conn.execute(sa.select(table).where(scope, table.c.key.in_(list(edits))))
    }
    keys_of = keys_of or {}
    problems = []
    for row, loc in zip(rows, locs, strict=True):
        for column, (new, login, at) in edits.get(row["key"], {}).items():
            if column not in row or row["key"] not in current:
                continue  # not a field of the file (created, findings, position...)
            now_value = current[row["key"]][column]
            if audit_text(now_value) != new or row[column] == now_value:
                continue  # changed again since, or the file agrees with the edit
            name = column.removesuffix("_id")
            theirs, ours = new, audit_text(row[column])
            if column in keys_of:
                names = {str(k): v for k, v in keys_of[column].items()}
                theirs, ours = names.get(theirs or "", theirs), names.get(ours or "", ours)
            problems.append(
                Problem(
                    loaded.source,
                    f"{name} was changed in the tool by {login or 'someone'} on {at:%Y-%m-%d} to {theirs!r}, "
                    f"and this file says {ours!r}; {_FIX}",
                    (*loc, name),
                )
            )
    if problems:
        raise PlanProblems(locate(problems, loaded.text))


def _shown(amount: Any) -> str:
    return audit_text(amount) or "unknown"  # as `set_allocation` writes an amount in the audit


def refuse_undoing_allocations(
    conn: sa.Connection,
    loaded: LoadedPlan,
    *,
    framework_id: int,
    wanted: Mapping[str, Mapping[tuple[str, int], Any]],
    locs: Mapping[str, Loc],
) -> dict[str, dict[tuple[int, int], tuple[Any]]]:
    """Refuse a file that would undo an allocation added, changed or removed in the tool.

    ``wanted`` maps an action key to its file allocations ((source key, fiscal year) ->
    amount). Returns the allocations added or changed in the tool that the file does not
    mention, by action key, as `sync_links` takes them ((source id, year) -> (amount,)):
    the seed keeps them, as it deletes only what a file made."""
    from tracker.models import Action, Allocation, FundingSource

    change, member = _t(PlanChange), _t(Member)
    action, allocation, source = _t(Action), _t(Allocation), _t(FundingSource)
    latest = (
        sa.select(sa.func.max(change.c.id))
        .join(action, action.c.id == change.c.action_id)
        .where(change.c.item_kind == "allocation", action.c.framework_id == framework_id)
        .group_by(change.c.action_id, change.c.field)
    )
    edits = conn.execute(
        sa.select(action.c.key, change.c.field, change.c.new, member.c.login, change.c.at)
        .join(action, action.c.id == change.c.action_id)
        .outerjoin(member, member.c.id == change.c.member_id)
        .where(change.c.id.in_(latest))
    ).all()
    if not edits:
        return {}
    have = {
        (a_key, s_key, year): (s_id, amount)
        for a_key, s_key, s_id, year, amount in conn.execute(
            sa.select(action.c.key, source.c.key, source.c.id, allocation.c.fiscal_year, allocation.c.amount)
            .join(action, action.c.id == allocation.c.action_id)
            .join(source, source.c.id == allocation.c.source_id)
            .where(action.c.framework_id == framework_id)
        )
    }
    problems = []
    keep: dict[str, dict[tuple[int, int], tuple[Any]]] = {}
    for a_key, field, new, login, at in edits:
        if a_key not in wanted:
            continue  # not in the file: a seed leaves it alone
        s_key, _, year_text = field.removeprefix("funding ").rpartition(" FY")
        now = (a_key, s_key, int(year_text))
        if (_shown(have[now][1]) if now in have else None) != new:
            continue  # changed again since (by a seed with --overwrite, say)
        in_file = now[1:] in wanted[a_key]
        file_value = wanted[a_key].get(now[1:])
        if new is None:
            if not in_file:
                continue  # removed in the tool and not in the file either
        elif not in_file:
            s_id, amount = have[now]
            keep.setdefault(a_key, {})[(s_id, now[2])] = (amount,)
            continue
        elif file_value == have[now][1]:
            continue  # the file agrees with the tool
        what = "removed" if new is None else f"set to {new!r}"
        says = repr(_shown(file_value)) if in_file else "nothing"
        problems.append(
            Problem(
                loaded.source,
                f"the allocation from {s_key} for FY{now[2]} was {what} in the tool by {login or 'someone'} on "
                f"{at:%Y-%m-%d}, and this file says {says}; {_FIX}",
                (*locs[a_key], "funding"),
            )
        )
    if problems:
        raise PlanProblems(locate(problems, loaded.text))
    return keep
