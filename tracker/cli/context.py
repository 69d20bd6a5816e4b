"""What every command shares: the database and the acting member, and how errors end."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

from tracker.errors import EXIT_FAILURE, TrackerError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _usable_login(text: str, source: str) -> str:
    from tracker.errors import BadInput
    from tracker.names import check_login

    try:
        return check_login(text)
    except ValueError as exc:
        raise BadInput(f"{source}: {exc}.") from None


@dataclass
class Settings:
    db: str | None
    actor: str | None
    # The fingerprint of the ssh key a team-server session came in with: its writes record it.
    via_key: str | None = None
    # PostgreSQL: the role the engines' connections SET ROLE to (the team server's gateway
    # acting as a member); set only by `tracker ssh-session`, never from an option.
    role: str | None = None
    _engines: list[Engine] = field(default_factory=list)

    def login(self, engine: Engine | None = None) -> str:
        """``--as``, else ``TRACKER_USER``, else the database role on PostgreSQL,
        else the OS login.

        On PostgreSQL an ordinary login is its database role (``current_user``: after the
        team server's gateway has done ``SET ROLE``, the member): ``--as`` naming anyone
        else is refused. The schema owner and superusers, who migrate and administer the
        database (and whom row-level security does not bind), may act as anyone.
        """
        actor = self.actor if self.actor is not None else os.environ.get("TRACKER_USER")
        if actor is not None:
            if not actor.strip():
                from tracker.errors import BadInput

                # Never read an empty --as as "the OS login": that would act as someone else.
                raise BadInput("--as (or TRACKER_USER) is empty; name a login, or leave it out to act as yourself.")
            actor = _usable_login(actor, "--as (or TRACKER_USER)")
        if engine is not None and engine.dialect.name == "postgresql":
            from tracker.db.roles import database_identity

            identity = database_identity(engine)
            if identity.may_act_as_anyone:
                return actor if actor is not None else identity.login
            if actor is not None and actor != identity.login:
                from tracker.errors import PermissionDenied

                raise PermissionDenied(
                    f"on this PostgreSQL database you act as your database role {identity.role!r} "
                    f"(member {identity.login!r}); --as or TRACKER_USER may not name {actor!r}."
                )
            return identity.login
        if actor is not None:
            return actor
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"

    def engine(self, *, check: bool = True) -> Engine:
        """An engine on the configured database; refuses an out-of-date schema."""
        from tracker.db import check_schema, make_engine

        if self.db is not None and not self.db.strip():
            from tracker.errors import BadInput

            # Never read an empty --db as "the default database": that would work on another one.
            raise BadInput("--db (or TRACKER_DB) is empty; give a database, or leave it out for your own.")
        engine = make_engine(self.db, role=self.role)
        self._engines.append(engine)
        if self.via_key is not None:
            from tracker.db.via_key import stamp_key

            stamp_key(engine, self.via_key)
        if check:
            database = engine.url.database if engine.dialect.name == "sqlite" else None
            if database and database != ":memory:" and not database.startswith("file:"):
                from pathlib import Path

                from tracker.errors import SchemaMismatch

                try:
                    there = Path(database).exists()
                except OSError as exc:  # a name longer than the system allows
                    from tracker.errors import BadInput

                    raise BadInput(f"The database path cannot be used ({exc.strerror}); check --db.") from None
                if not there:
                    # Opening would create an empty file: say what to do instead.
                    raise SchemaMismatch(
                        f"There is no database at {database}; check --db, or create it with `tracker db upgrade`."
                    )
            check_schema(engine)
        return engine

    def close(self) -> None:
        """Close the connections of every engine this command opened."""
        while self._engines:
            self._engines.pop().dispose()


def _say(text: str) -> None:
    """One line on stderr; control characters from user input (a key, a ref) shown as symbols."""
    from tracker.files import say

    say(text, err=True, one_line=True)


_SERIALIZATION_FAILURE = "40001"


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    _say(f"tracker: {message}")
    raise SystemExit(code)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def unusable(detail: str) -> str:
    """What to say when the database refused to be used (``detail``: the driver's first line)."""
    if "readonly database" in detail:  # SQLite: file or folder not writable, or opened mode=ro
        return "the database is read-only (check the permissions of the file and its folder); nothing was changed."
    return f"the database could not be used: {detail}; nothing was changed."


INTERRUPTED = "interrupted; nothing was changed."


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the failures a user can act on into one clear message and an exit code."""
    try:
        yield
    except TrackerError as exc:
        for problem in getattr(exc, "problems", None) or ():  # a plan file's located problems
            _say(str(problem))
        if not hasattr(exc, "problems"):
            fail(exc.message, exc.exit_code)
        exc_problems = exc.problems  # type: ignore[attr-defined]
        files = len({p.source for p in exc_problems})
        count = len(exc_problems)
        fail(
            f"{_plural(count, 'problem')} in {_plural(files, 'file')}; nothing was written.",
            exc.exit_code,
        )
    except KeyboardInterrupt:
        fail(INTERRUPTED, 130)
    except Exception as exc:
        # SQLAlchemy is imported only when something failed: commands that never
        # touch the database (and the app's first paint) do not pay for it.
        from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            # The server went away after the command connected (SQLAlchemy saw a disconnect).
            fail("the database server cannot be reached (the connection was lost); nothing was changed.")
        if isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) == _SERIALIZATION_FAILURE:
            # PostgreSQL: a row this command read (a seed's plan, the actor's own role) was
            # changed and committed meanwhile; what it judged on is gone. A conflict (exit 3).
            from tracker.errors import EXIT_CONFLICT

            fail(
                "someone changed what this command read (the plan, or your role) while it ran; nothing was "
                "changed: run it again to work from what is there now.",
                EXIT_CONFLICT,
            )
        if isinstance(exc, OperationalError):
            fail(unusable(str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)))
        if isinstance(exc, SQLAlchemyError):
            original = getattr(exc, "orig", None)
            detail = str(original).strip().splitlines()[0] if original and str(original).strip() else type(exc).__name__
            fail(f"the database refused the change ({detail}); nothing was changed.")
        raise
