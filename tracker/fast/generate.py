"""Write `tracker.fast.compiled`: the services' Core statements compiled for SQLite, ahead of time.

    python -m tracker.fast.generate           # write tracker/fast/compiled.py
    python -m tracker.fast.generate --check   # exit 1 when the file no longer matches

The fast path (`tracker.fast.run`) must not load SQLAlchemy, yet must run exactly the SQL
the services run. So the statements stay where they are, in the services, and this
compiles them with SQLAlchemy's own SQLite dialect, with how each parameter is stored and
each result column read (their column types, as kinds `tracker.fast.run` knows). A test
runs ``--check``: a statement, a column type or a migration changed without running this
fails the suite instead of drifting.

The page of ``actions list`` takes one statement per shape of filter the fast path takes:
frameworks (one named or visible, several visible, all for an admin) x stakeholder role
(none, lead, partner, either) x statuses given or not; its count, one per shape too.
"""

from __future__ import annotations

import argparse
import pprint
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.sqltypes import NullType
from sqlmodel.sql.sqltypes import AutoString

from tracker.db.migrate import HEAD_REVISION, STORED_REVISION
from tracker.models.enums import Status
from tracker.models.types import Money, Quantity, UTCDateTime
from tracker.services.access import members, rules
from tracker.services.tracking import actions, changes
from tracker.services.tracking.filters import ActionFilter, StakeholderRole

TARGET = Path(__file__).with_name("compiled.py")
FRAMEWORKS = {"one": frozenset({1}), "many": frozenset({1, 2}), "all": None}
ROLES = {
    "none": None,
    "lead": StakeholderRole.lead,
    "partner": StakeholderRole.partner,
    "either": StakeholderRole.either,
}

Compiled = tuple[str, tuple[tuple[str, str | None, bool], ...], tuple[str, ...], tuple[str | None, ...]]


def kind(type_: sa.types.TypeEngine[Any]) -> str | None:
    """How a value of ``type_`` is stored and read on SQLite, as `tracker.fast.run` converts it;
    None: as the driver gives it. A type the fast path does not know stops the generation."""
    if isinstance(type_, Money):
        return "money"
    if isinstance(type_, UTCDateTime):
        return "utc"
    if isinstance(type_, Quantity):
        raise TypeError("the fast path reads no measured quantities")
    if isinstance(type_, sa.Enum):
        return "enum"
    if isinstance(type_, sa.Boolean):
        return "bool"
    if isinstance(type_, sa.DateTime):
        raise TypeError("a naive DateTime column: tracker stores moments as UTCDateTime")
    if isinstance(type_, sa.Date):
        return "date"
    if isinstance(type_, sa.Integer | sa.String | AutoString | NullType):
        return None
    raise TypeError(f"the fast path does not know the column type {type_!r}")


def compile_one(statement: Any, *, column_keys: Sequence[str] | None = None) -> Compiled:
    """``statement`` as SQL for SQLite with its parameters in order (name, kind, expanding),
    and its result columns (name, kind)."""
    compiled = statement.compile(dialect=sqlite.dialect(), column_keys=list(column_keys) if column_keys else None)
    binds = {b.key: b for b in compiled.binds.values()}
    params = tuple((name, kind(binds[name].type), bool(binds[name].expanding)) for name in compiled.positiontup or ())
    selected = list(getattr(statement, "selected_columns", ()))
    return (
        compiled.string,
        params,
        tuple(c.key for c in selected),
        tuple(kind(c.type) for c in selected),
    )


def list_shapes() -> dict[str, Compiled]:
    """The page and the count of ``actions list`` for every shape the fast path takes."""
    out: dict[str, Compiled] = {}
    for fw_name, frameworks in FRAMEWORKS.items():
        for role_name, role in ROLES.items():
            for with_statuses in (False, True):
                f = ActionFilter(
                    framework="f" if fw_name == "one" else None,
                    stakeholders=("s",) if role is not None else (),
                    stakeholder_role=role or StakeholderRole.either,
                    statuses=(Status.planned,) if with_statuses else (),
                )
                where = actions.shared_clauses(f, frameworks, [1] if role is not None else [])
                shape = shape_name(fw_name, role_name, with_statuses)
                out[f"page/{shape}"] = compile_one(actions.page_statement(where, actions.order_by(None, f), f))
                out[f"count/{shape}"] = compile_one(actions.count_statement(where))
    return out


def shape_name(frameworks: str, role: str, statuses: bool) -> str:
    return f"{frameworks}/{role}/{'statuses' if statuses else 'any'}"


def statements() -> dict[str, Compiled]:
    return {
        "revision": compile_one(STORED_REVISION),
        "find_member": compile_one(members.FIND_MEMBER),
        "member_roles": compile_one(members.MEMBER_ROLES),
        "member_orgs": compile_one(members.MEMBER_ORGS),
        "is_admin": compile_one(members.IS_ADMIN),
        "standing": compile_one(members.STANDING),
        "visible_ids": compile_one(rules.VISIBLE_IDS),
        "framework_by_key": compile_one(rules.FRAMEWORK_BY_KEY),
        "framework_id": compile_one(actions.FRAMEWORK_ID),
        "stakeholder_ids": compile_one(actions.STAKEHOLDER_IDS),
        "page_partners": compile_one(actions.PAGE_PARTNERS),
        "page_funding": compile_one(actions.PAGE_FUNDING),
        "page_latest": compile_one(actions.PAGE_LATEST),
        "lock_action": compile_one(changes.LOCK.statement),
        "partners": compile_one(changes.PARTNERS),
        "set_status": compile_one(changes.SET_STATUS.statement),
        "audit": compile_one(changes.AUDIT.statement, column_keys=changes.AUDIT.column_keys),
        **list_shapes(),
    }


def render() -> str:
    body = pprint.pformat(statements(), width=110, sort_dicts=True)
    return (
        '"""The services\' statements compiled for SQLite: written by `python -m tracker.fast.generate`;\n'
        'do not edit (a test fails when this no longer matches them)."""\n\n'
        "# fmt: off\n"
        "# ruff: noqa\n"
        f"HEAD_REVISION = {HEAD_REVISION!r}\n\n"
        "# name: (SQL, ((parameter, kind, expanding), ...), (column, ...), (column kind, ...))\n"
        f"STATEMENTS = {body}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file does not match")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.name} no longer matches the services' statements: run python -m tracker.fast.generate")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
