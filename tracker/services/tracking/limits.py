"""What a note and a filter of actions may hold, checked wherever they are (the fast path too): no
database here."""

from __future__ import annotations

from tracker.errors import BadInput
from tracker.text import check_no_nul

MAX_NOTE = 10_000
# The largest values a filter of actions takes, whoever builds it (the command line names its
# options after them): beyond these, dates, SQL integers and SQLite's LIKE patterns (refused
# past 50,000 bytes) overflow before any row is read.
MAX_STALE_DAYS = 36_500
MAX_SEARCH = 200
MAX_LIMIT = 1_000_000
MAX_OFFSET = 1_000_000_000


def check_note(text: str | None) -> None:
    """Refuse a note over `MAX_NOTE` characters or with a NUL character, saying why."""
    if text is not None and len(text) > MAX_NOTE:
        raise BadInput(f"the note has {len(text):,} characters; keep it under {MAX_NOTE:,}.")
    try:
        check_no_nul(text or "", "the note")
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None
