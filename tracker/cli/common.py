"""Pieces the commands share: sessions for one command, output modes, option parsing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.cli.context import Settings
from tracker.cli.output import console as console

# The one JSON layout of every command (the fast path's too).
from tracker.exports.json_text import json_text as json_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.services.views import MemberView

T = TypeVar("T")


@contextmanager
def reading(settings: Settings, *, snapshot: bool = False) -> Iterator[Session]:
    """A read session that sees what the acting member may see (their frameworks; admins all).

    A login that is not a member of any framework is refused (exit 4): on a shared
    database it must not read every city's notes. ``snapshot``: every query sees one
    state of the database (an export's parts must agree; SQLite's read transaction is
    a snapshot already, PostgreSQL's READ COMMITTED is not).
    """
    from tracker.db import read_session
    from tracker.services.access.members import resolve_member
    from tracker.services.access.rules import require_reader, scope_session

    engine = settings.engine()
    login = settings.login(engine)
    with read_session(engine) as session:
        if snapshot and engine.dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield scope_session(session, require_reader(resolve_member(session, login)))


def writing(settings: Settings, work: Callable[[Session, MemberView], T]) -> T:
    """Run ``work`` in one write transaction as the acting member.

    The member is looked up before the transaction so that the write lock is
    held for the write alone.
    """
    from tracker.db import read_session, write_session
    from tracker.services.access.members import resolve_member

    engine = settings.engine()
    login = settings.login(engine)
    with read_session(engine) as session:
        member = resolve_member(session, login)
    with write_session(engine) as session:
        return work(session, member)


def echo_json(data: Any) -> None:
    from tracker.cli.output import document

    document(json_text(data) + "\n")  # a full or closed stdout: one sentence, not a traceback


def check_option(option: str, value: T, low: int, high: int) -> T:
    """``value`` if it is from ``low`` to ``high`` (its length, for text); else exit 2
    with a sentence that names the option. None passes."""
    from tracker.errors import BadInput

    if value is None:
        return value
    if isinstance(value, str):
        if "\x00" in value:
            raise BadInput(f"{option} contains a NUL character (\\0); remove it.")
        if len(value) > high:
            raise BadInput(f"{option} takes at most {high:,} characters, not {len(value):,}.")
        return value
    assert isinstance(value, int)
    if not low <= value <= high:
        shown = f"{value:,}" if len(str(abs(value))) <= 30 else "a number that large"
        raise BadInput(f"{option} must be from {low:,} to {high:,}, not {shown}.")
    return value


def date_option(text: str | None, *, end_of_month: bool = False) -> Any:
    if text is None:
        return None
    from tracker.dates import parse_user_date

    return parse_user_date(text, end_of_month=end_of_month)
