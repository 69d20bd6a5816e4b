"""Pieces the commands share: sessions for one command, output modes, option parsing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.cli.context import Settings
from tracker.cli.output import console as console

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


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_text(data: Any) -> str:
    """JSON laid out for reading and grepping: a document's fields one per line, and
    the items of a list field one per line, each on a single line.

    ``json.dumps(indent=2)`` switches to the pure-Python encoder, which took a
    third of `actions list --json` at 10,000 actions; every line here comes from
    the C encoder (the layout is whitespace only: the data are the same).
    Characters a terminal would act on are escaped (`escape_invisible`), so that
    ``--json | cat`` is inert.
    """
    from tracker.text import escape_invisible

    return escape_invisible(_layout(data))


def _layout(data: Any) -> str:
    encode = _ENCODER.encode
    if isinstance(data, list) and data:
        return "[\n" + ",\n".join(f"  {encode(item)}" for item in data) + "\n]"
    if not isinstance(data, dict) or not data:
        return encode(data)
    fields = []
    for key, value in data.items():
        name = encode({key: 0})[1:-4]  # the key as json writes it: '{"key": 0}' -> '"key"'
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {encode(item)}" for item in value)
            fields.append(f"  {name}: [\n{items}\n  ]")
        else:
            fields.append(f"  {name}: {encode(value)}")
    return "{\n" + ",\n".join(fields) + "\n}"


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
