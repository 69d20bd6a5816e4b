"""Answer the common commands on the SQLite driver (see `tracker.fast`), or hand them back.

What the full command line does for these commands, step by step, with its own code for
everything but running the SQL: the statements are the services' (`tracker.fast.compiled`),
the member is made by `access.standing`, the rules asked are `access.decisions`, the rows
are made by `tracking.rows`, the JSON is `exports.json_text`'s. Whatever is not the common
case raises `HandBack` before anything was written or printed.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.fast import store
from tracker.fast.argv import Command
from tracker.fast.compiled import HEAD_REVISION, STATEMENTS
from tracker.models.enums import Role, Status
from tracker.services.access import decisions
from tracker.services.access.standing import member_view, standing_now
from tracker.services.views import MemberView


class HandBack(Exception):
    """Not the common case: the full command line answers (nothing was written or printed)."""


def _stored_moment(value: dt.datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format, after `store.naive_utc`.
    naive = store.naive_utc(value)
    assert naive is not None
    return naive.isoformat(sep=" ", timespec="microseconds")


def _read_moment(value: str) -> dt.datetime | None:
    return store.aware_utc(dt.datetime.fromisoformat(value))


# How a parameter is stored and a column read, per kind (`tracker.fast.generate.kind`).
_BIND: dict[str, Callable[[Any], Any]] = {
    "enum": lambda v: v.value if isinstance(v, enum.Enum) else v,
    "date": lambda v: v.isoformat(),
    "utc": _stored_moment,
    "bool": lambda v: 1 if v else 0,
    "money": store.cents,
}
_READ: dict[str, Callable[[Any], Any]] = {
    "date": dt.date.fromisoformat,
    "utc": _read_moment,
    "bool": bool,
    "money": store.money,
}
_ROW_TYPES: dict[str, Any] = {}


class Database:
    """One SQLite file, opened as the engine opens it, never created."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = _identity(path)
        try:
            self.connection = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True)
            store.prepare_sqlite(self.connection)
            revision = self.connection.execute(STATEMENTS["revision"][0]).fetchone()
        except sqlite3.Error:
            raise HandBack from None
        if revision is None or revision[0] != HEAD_REVISION:
            raise HandBack  # no tracker tables, or another schema: the full command line says what to do

    def execute(self, name: str, **params: Any) -> sqlite3.Cursor:
        sql, order, _columns, _kinds = STATEMENTS[name]
        values: list[Any] = []
        for param, kind, expanding in order:
            value = params[param]
            convert = _BIND.get(kind) if kind else None
            if expanding:
                if not value:
                    raise HandBack  # an empty list: SQLAlchemy renders it its own way
                sql = sql.replace(f"__[POSTCOMPILE_{param}]", ", ".join("?" * len(value)))
                values.extend(convert(v) if convert else v for v in value)
            else:
                values.append(value if convert is None or value is None else convert(value))
        return self.connection.execute(sql, values)

    def rows(self, name: str, **params: Any) -> list[Any]:
        _sql, _order, columns, kinds = STATEMENTS[name]
        row_type = _ROW_TYPES.get(name)
        if row_type is None:
            row_type = _ROW_TYPES[name] = namedtuple("Row", [str(c) for c in columns], rename=True)  # type: ignore[misc]
        readers = [(i, _READ[kind]) for i, kind in enumerate(kinds) if kind in _READ]
        out = []
        for found in self.execute(name, **params):
            if readers:
                found = list(found)
                for i, read in readers:
                    if found[i] is not None:
                        found[i] = read(found[i])
            out.append(row_type(*found))
        return out

    def same_file(self) -> bool:
        """Whether the path still names the file opened (not deleted or replaced since)."""
        return _identity(self.path) == self.identity

    def rollback(self) -> None:
        """End the transaction if one is open (SQLite ends it by itself after some failures)."""
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        self.connection.close()


def _identity(path: Path) -> tuple[int, int]:
    try:
        found = path.stat()
    except OSError:
        raise HandBack from None
    return found.st_dev, found.st_ino


def database_path(given: str | None) -> Path:
    """The SQLite file ``--db`` (else ``TRACKER_DB``, else the default file) names, as
    `tracker.db.engine.resolve_url` reads it; a URL or a missing file is handed back."""
    url = given if given is not None else (os.environ.get("TRACKER_DB") or None)
    if url is not None and not url.strip():
        raise HandBack  # the full command line says an empty --db is no database
    try:
        return _existing(url)
    except (OSError, RuntimeError, ValueError):
        raise HandBack from None  # a path the system cannot take (too long, ~nobody): said there


def _existing(url: str | None) -> Path:
    if url is None:
        path = store.default_sqlite_path()
    elif "://" in url:
        raise HandBack
    else:
        path = Path(url).expanduser().absolute()
    if not path.is_file():
        raise HandBack
    return path


def login(given: str | None) -> str:
    """The acting login as the full command line reads it on SQLite (`Settings.login`)."""
    from tracker.cli.context import Settings

    try:
        return Settings(db=None, actor=given).login()
    except TrackerError:
        raise HandBack from None  # an empty or unusable login: the full command line says why


def find_member(db: Database, name: str) -> MemberView:
    found = db.rows("find_member", login=name)
    if not found:
        raise HandBack  # the full command line says who could add them
    row = found[0]
    return member_view(
        row,
        db.rows("member_roles", member=row.id),
        db.rows("member_orgs", member=row.id),
        bool(db.rows("is_admin", member=row.id)),
    )


def answer(command: Command) -> int:
    """Run ``command``; HandBack when the full command line must."""
    db = Database(database_path(command.db))
    try:
        if command.name == "list":
            return list_actions(db, command)
        return set_status(db, command)
    except sqlite3.Error:
        raise HandBack from None  # nothing was written (every write ends in its COMMIT)
    finally:
        db.rollback()
        db.close()


# -- actions list --json -------------------------------------------------------------------


def list_actions(db: Database, command: Command) -> int:
    from tracker.exports.actions import actions_json
    from tracker.exports.json_text import json_text
    from tracker.services.tracking.rows import action_rows, status_change

    actor = login(command.actor)
    db.connection.execute("BEGIN")  # one read transaction: one state of the file, as `read_session`
    try:
        reader = find_member(db, actor)
        try:
            decisions.require_reader(reader)
        except TrackerError:
            raise HandBack from None
        visible = None if reader.is_admin else frozenset(r.id for r in db.rows("visible_ids", keys=list(reader.roles)))
        if command.framework is not None:
            found = db.rows("framework_id", key=command.framework)
            if not found:
                raise HandBack
            if visible is not None:
                try:
                    decisions.require_read(reader, command.framework)
                except TrackerError:
                    raise HandBack from None
            frameworks: frozenset[int] | None = frozenset({found[0].id})
        else:
            frameworks = visible
        params: dict[str, Any] = {"limit": command.limit, "offset": command.offset}
        if frameworks is None:
            shape = "all"
        elif len(frameworks) == 1:
            shape, params["framework"] = "one", next(iter(frameworks))
        else:
            shape, params["frameworks"] = "many", sorted(frameworks)
        role = "none"
        if command.stakeholders:
            ids = {r.key: r.id for r in db.rows("stakeholder_ids", keys=command.stakeholders)}
            if any(k not in ids for k in command.stakeholders):
                raise HandBack
            params["stakeholders"] = [ids[k] for k in command.stakeholders]
            role = "lead" if command.as_lead else "partner" if command.as_partner else "either"
        if command.statuses:
            params["statuses"] = command.statuses
        name = f"{shape}/{role}/{'statuses' if command.statuses else 'any'}"
        page = db.rows(f"page/{name}", **params)
        total = db.rows(f"count/{name}", **{k: v for k, v in params.items() if k not in ("limit", "offset")})[0][0]
        today = dt.date.today()
        ids_ = [r.id for r in page]
        if ids_:
            partners = db.rows("page_partners", ids=ids_)
            funding = db.rows("page_funding", ids=ids_)
            latest = {r.action_id: status_change(r) for r in db.rows("page_latest", ids=ids_)}
            rows = action_rows(page, partners, funding, latest, today)
        else:
            rows = []
    finally:
        db.rollback()
    _print(json_text(actions_json(rows, total=total)) + "\n")
    return 0


# -- actions set-status ---------------------------------------------------------------------


def set_status(db: Database, command: Command) -> int:
    from tracker.services.tracking.limits import check_note
    from tracker.services.tracking.rows import split_ref

    assert command.ref is not None and command.status is not None
    try:
        check_note(command.note)
        framework, key = split_ref(command.ref)
    except TrackerError:
        raise HandBack from None
    status = Status(command.status)
    actor_login = login(command.actor)
    # The member is read before the write, so that the write lock is held for the write alone (`writing`).
    db.connection.execute("BEGIN")
    try:
        actor = find_member(db, actor_login)
    finally:
        db.rollback()
    try:
        db.connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        detail = str(exc).strip()
        if "locked" not in detail:
            raise HandBack from None  # read-only...: the full command line says so
        # Another writer held the lock for the whole wait: waiting again would not help.
        from tracker.cli.context import fail, unusable

        fail(unusable(detail))
    try:
        outcome = _set_status(db, command, actor, framework, key, status)
    except BaseException:
        db.rollback()
        raise
    db.connection.execute("COMMIT")  # a failure here is SQLite's rollback: handed back, nothing written
    command.committed = True
    _print(outcome, said=True)
    return 0


def _set_status(db: Database, command: Command, actor: MemberView, framework: str, key: str, status: Status) -> str:
    """The status change of `tracker.services.tracking.changes.set_status`, under the write lock:
    the line to print, or HandBack (before anything is written)."""
    ref = command.ref
    assert ref is not None
    try:
        if not db.same_file():
            raise HandBack
        found = db.rows("framework_by_key", key=framework)  # `lock_judged`
        if not found:
            raise HandBack
        now = standing_now(actor, db.rows("standing", login=actor.login, framework=found[0].id))
        if now is None or decisions.effective_role(now, framework) in (None, Role.viewer):
            raise HandBack
        rows = db.rows("lock_action", framework=framework, key=key)
        if not rows:
            raise HandBack
        row = rows[0]
        involved = {row.lead_id, *(p.stakeholder_id for p in db.rows("partners", id=row.id))}
        if decisions.why_not_track(now, row.framework, involved, ref) is not None:
            raise HandBack  # refused: the full command line says why and who could
        if command.expect_version is not None and command.expect_version != row.version:
            raise HandBack  # a conflict: the full command line names who changed what
        current = Status(row.status)
        if current is status:
            if command.note:
                raise HandBack
            return f"{ref}: already {status.words}; nothing changed"
        moment = store.utcnow()
        updated = db.execute(
            "set_status",
            _id=row.id,
            _version=row.version,
            status=status,
            version=row.version + 1,
            updated_at=moment,
            completed_on=dt.date.today() if status is Status.done else None,
        )
        if updated.rowcount != 1:
            raise HandBack
        db.execute(
            "audit",
            action_id=row.id,
            member_id=now.id,
            from_status=current,
            to_status=status,
            note=command.note or None,
            forced=False,
            at=moment,
            on_behalf_of=None,
            import_key=None,
        )
    except sqlite3.Error:
        raise HandBack from None
    return f"{ref}: {current} -> {status}, version {row.version + 1}"


def _print(text: str, *, said: bool = False) -> None:
    """A document as `document` writes it, or (``said``) a line as `say` writes it; a full or
    closed output is one sentence, as the full command line's `user_errors` gives it."""
    from tracker.cli.context import fail
    from tracker.files import say, write_stdout

    try:
        if said:
            say(text)
        else:
            write_stdout(text)
    except TrackerError as exc:
        fail(exc.message, exc.exit_code)


def main(argv: Sequence[str]) -> int | None:
    """The exit code when the fast path answered ``argv``; None: the full command line must."""
    from tracker.fast.argv import read

    command = read(list(argv))
    if command is None:
        return None
    try:
        return answer(command)
    except HandBack:
        return None
    except KeyboardInterrupt:
        from tracker.cli.context import INTERRUPTED, fail

        fail("interrupted." if command.committed else INTERRUPTED, 130)
