"""Bulk, idempotent synchronisation of rows and link sets with the database.

Seeding a big plan must run at close to the speed of plain inserts, so this
works with Core statements and executemany, never one ORM object per row:
read what exists (one query per table), compare in memory, then insert,
update and delete only the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

CHUNK = 500


@dataclass
class Tally:
    """What applying a plan did to one kind of item."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0  # in the database, not in the file: kept, never deleted
    # Reordered only (a new position in the file): not a change of the item, not
    # reported, but still a write that needs the right to change the plan.
    moved: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "not_in_file": self.missing,
        }


@dataclass
class Synced:
    """Keys to ids after a sync, and which existing ids changed."""

    ids: dict[Any, int] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)
    created: set[int] = field(default_factory=set)
    missing: int = 0
    moved: int = 0


def sync_rows(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    key: str,
    fields: Sequence[str],
    scope: Mapping[str, Any] | None = None,
    extra_on_update: Mapping[str, Any] | None = None,
    quiet: Sequence[str] = (),
) -> Synced:
    """Make ``table`` hold ``rows`` (matched by ``key``); report what changed.

    With a ``scope`` (such as ``{"framework_id": 3}``) all rows of the scope
    are read, and those not in ``rows`` are counted as missing. Without one,
    only the rows with the given keys are read (shared tables). ``quiet``
    fields (such as the order in the file) are kept up to date without counting
    as a change of the item.
    """
    columns = [table.c.id, table.c[key], *(table.c[f] for f in fields), *(table.c[f] for f in quiet)]
    n_fields = len(fields)
    existing: dict[Any, sa.Row[Any]] = {}
    if scope is not None:
        query = sa.select(*columns).where(*(table.c[k] == v for k, v in scope.items()))
        existing = {row[1]: row for row in conn.execute(query)}
    else:
        wanted = [r[key] for r in rows]
        for start in range(0, len(wanted), CHUNK):
            query = sa.select(*columns).where(table.c[key].in_(wanted[start : start + CHUNK]))
            existing.update({row[1]: row for row in conn.execute(query)})

    result = Synced()
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    reordered_rows: list[dict[str, Any]] = []
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            new_rows.append({**(scope or {}), **row})
            continue
        result.ids[row[key]] = old[0]
        if any(old[i + 2] != row[f] for i, f in enumerate(fields)):
            changed_rows.append({"_id": old[0], **{f: row[f] for f in (*fields, *quiet)}})
            result.changed.add(old[0])
        elif quiet and any(old[n_fields + i + 2] != row[f] for i, f in enumerate(quiet)):
            reordered_rows.append({"_id": old[0], **{f: row[f] for f in quiet}})
    if scope is not None:
        present = {r[key] for r in rows}
        result.missing = sum(1 for k in existing if k not in present)

    if changed_rows:
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values({**{f: sa.bindparam(f) for f in (*fields, *quiet)}, **(extra_on_update or {})})
        )
        conn.execute(statement, changed_rows)
    if reordered_rows:
        statement = table.update().where(table.c.id == sa.bindparam("_id")).values({f: sa.bindparam(f) for f in quiet})
        conn.execute(statement, reordered_rows)
        result.moved = len(reordered_rows)
    if new_rows:
        conn.execute(table.insert(), new_rows)
        created_keys = [r[key] for r in new_rows]
        inserted = set(created_keys)
        for start in range(0, len(created_keys), CHUNK) if scope is None else [0]:
            query = sa.select(table.c[key], table.c.id)
            if scope is not None:
                query = query.where(*(table.c[k] == v for k, v in scope.items()))
            else:
                query = query.where(table.c[key].in_(created_keys[start : start + CHUNK]))
            for row_key, row_id in conn.execute(query):
                if row_key in inserted and row_key not in result.ids:
                    result.ids[row_key] = row_id
                    result.created.add(row_id)
    return result


def sync_links(
    conn: sa.Connection,
    table: sa.Table,
    *,
    owner: str,
    keys: Sequence[str],
    values: Sequence[str] = (),
    desired: Mapping[int, Mapping[tuple[Any, ...], tuple[Any, ...]]],
    owners_in_scope: sa.Select[Any] | None = None,
    remove: bool = True,
) -> set[int]:
    """Make the link rows of each owner in ``desired`` match it; return owners that changed.

    ``desired[owner_id]`` maps a link's key columns to its value columns (empty
    for a plain set, such as partners). Only owners in ``desired`` are touched:
    an item missing from a plan file keeps its links. With ``remove`` unset,
    links are only added or updated, never taken away. ``owners_in_scope``
    reads the existing links with one query instead of a long IN list.
    """
    cols = [table.c[owner], *(table.c[k] for k in keys), *(table.c[v] for v in values)]
    query = sa.select(*cols)
    if owners_in_scope is not None:
        query = query.where(table.c[owner].in_(owners_in_scope))
    else:
        query = query.where(table.c[owner].in_(list(desired)))
    existing: dict[int, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    n_keys = len(keys)
    for row in conn.execute(query):
        existing.setdefault(row[0], {})[tuple(row[1 : 1 + n_keys])] = tuple(row[1 + n_keys :])

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    deletes: list[dict[str, Any]] = []
    changed: set[int] = set()
    owners = set(desired)
    insert_names = (owner, *keys, *values)
    match_names = tuple(f"_{c}" for c in (owner, *keys))
    value_names = tuple(values)
    empty: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for owner_id in owners:
        want = desired.get(owner_id, empty)
        have = existing.get(owner_id, empty)
        for link_key, link_value in want.items():
            old = have.get(link_key, _MISSING)
            if old is _MISSING:
                inserts.append(dict(zip(insert_names, (owner_id, *link_key, *link_value), strict=True)))
                changed.add(owner_id)
            elif old != link_value:
                updates.append(
                    dict(
                        zip(
                            (*match_names, *value_names),
                            (owner_id, *link_key, *link_value),
                            strict=True,
                        )
                    )
                )
                changed.add(owner_id)
        if remove and have:
            for link_key in have.keys() - want.keys():
                deletes.append(dict(zip(match_names, (owner_id, *link_key), strict=True)))
                changed.add(owner_id)

    match = [table.c[c] == sa.bindparam(f"_{c}") for c in (owner, *keys)]
    if deletes:
        conn.execute(table.delete().where(*match), deletes)
    if updates:
        conn.execute(table.update().where(*match).values({v: sa.bindparam(v) for v in values}), updates)
    if inserts:
        conn.execute(table.insert(), inserts)
    return changed


_MISSING: Any = object()


def as_set(items: Iterable[Any]) -> dict[tuple[Any, ...], tuple[()]]:
    """A plain link set in the shape `sync_links` takes."""
    return {(item,): () for item in items}


Progress = Callable[[str], None]
