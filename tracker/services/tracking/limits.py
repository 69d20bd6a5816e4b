"""What a note may hold, checked wherever one is written (the fast path too): no database here."""

from __future__ import annotations

from tracker.errors import BadInput
from tracker.text import check_no_nul

MAX_NOTE = 10_000


def check_note(text: str | None) -> None:
    """Refuse a note over `MAX_NOTE` characters or with a NUL character, saying why."""
    if text is not None and len(text) > MAX_NOTE:
        raise BadInput(f"the note has {len(text):,} characters; keep it under {MAX_NOTE:,}.")
    try:
        check_no_nul(text or "", "the note")
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None
