"""User text made inert for terminals: control characters become visible symbols.

A title or note may hold escape sequences (pasted from a terminal, or typed on
purpose): ``ESC [31m`` recolours the terminal, ``ESC ]8;;url`` makes a hidden
link, ``ESC ]52`` writes to the clipboard. Shown raw they act; shown through
`visible_controls` they are text: each C0 control, DEL and each C1 control is
replaced by its Unicode "control picture" (ESC is shown as ␛), so the reader
sees that something odd is there and nothing happens to their terminal.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls have no pictures


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None


def visible_controls(text: str, keep: str = "") -> str:
    """``text`` with control characters (except those in ``keep``) shown as symbols."""
    if not _CONTROLS.search(text):
        return text
    if keep:
        return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else _picture(m), text)
    return _CONTROLS.sub(_picture, text)


def check_no_nul(text: str, what: str = "the text") -> str:
    """``text``, or ValueError if it holds a NUL character.

    PostgreSQL cannot store NUL in text while SQLite can: refusing it at every
    input keeps the two backends alike, and a NUL is never meant in a title or
    a note.
    """
    if "\x00" in text:
        raise ValueError(f"{what} contains a NUL character (\\0), which tracker cannot store; remove it")
    return text
