"""Pieces the commands share: sessions for one command, output modes, option parsing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from tracker.cli.context import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.services.views import MemberView

T = TypeVar("T")


@contextmanager
def reading(settings: Settings) -> Iterator[Session]:
    from tracker.db import read_session

    with read_session(settings.engine()) as session:
        yield session


def writing(settings: Settings, work: Callable[[Session, MemberView], T]) -> T:
    """Run ``work`` in one write transaction as the acting member.

    The member is looked up before the transaction so that the write lock is
    held for the write alone.
    """
    from tracker.db import read_session, write_session
    from tracker.services.members import resolve_member

    engine = settings.engine()
    login = settings.login(engine)
    with read_session(engine) as session:
        member = resolve_member(session, login)
    with write_session(engine) as session:
        return work(session, member)


def echo_json(data: Any) -> None:
    typer.echo(json_text(data))


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_text(data: Any) -> str:
    """JSON laid out for reading and grepping: a document's fields one per line, and
    the items of a list field one per line, each on a single line.

    ``json.dumps(indent=2)`` switches to the pure-Python encoder, which took a
    third of `actions list --json` at 10,000 actions; every line here comes from
    the C encoder (the layout is whitespace only: the data are the same).
    """
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


def console() -> Any:
    """Standard output for people. Piped to a file or another program (and no COLUMNS set),
    tables take the width their content needs instead of Rich's 80 columns, so titles are
    not cut for `less -S`, grep or a saved file."""
    import os

    from rich.console import Console

    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 400
    return Console(soft_wrap=False, highlight=False, markup=False, emoji=False, file=sys.stdout, width=width)
