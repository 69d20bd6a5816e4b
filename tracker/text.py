"""User text made inert for terminals: control and invisible characters become visible symbols.

A title or note may hold escape sequences (pasted from a terminal, or typed on
purpose): ``ESC [31m`` recolours the terminal, ``ESC ]8;;url`` makes a hidden
link, ``ESC ]52`` writes to the clipboard. Bidirectional overrides and isolates
(U+202E makes ``gnp.exe`` read ``exe.png``) and zero-width characters change what
a line seems to say without showing themselves. Shown raw they act; shown
through `visible_controls` they are text: each C0 control and DEL becomes its
Unicode "control picture" (ESC is shown as ␛), each C1 control U+FFFD (�), and
each bidi or zero-width character its code point in angle brackets
(``⟨U+202E⟩``), so the reader sees that something odd is there and nothing
happens to their terminal. The app, every CLI table and line, CSV, XLSX,
iCalendar and the Markdown report all show user text through this one function;
JSON and YAML, which must read back exactly, write the same characters as
``\\u`` escapes with `escape_invisible` instead.
"""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides, isolates and marks, zero-width characters, and the
# line and paragraph separators (a break to YAML and some editors, nothing to a terminal).
INVISIBLE = "\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f{INVISIBLE}]")
# What JSON and YAML writers leave raw (they escape C0 controls themselves).
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f{INVISIBLE}]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ .. ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return "\ufffd"  # C1 controls have no pictures
    return f"\u27e8U+{code:04X}\u27e9"  # ⟨U+202E⟩: these have no pictures either


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None


def visible_controls(text: str, keep: str = "") -> str:
    """``text`` with control and invisible characters (except those in ``keep``) shown as symbols."""
    if not _CONTROLS.search(text):
        return text
    if keep:
        return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else _picture(m), text)
    return _CONTROLS.sub(_picture, text)


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_invisible(encoded: str) -> str:
    """JSON (from any encoder), or YAML whose scalars holding such characters are
    double-quoted, with DEL, C1 controls, bidi and zero-width characters written as
    ``\\u`` escapes: ``... --json | cat`` in a terminal is inert, and a reader still
    gets the very same strings back.

    Such characters can only stand inside strings there (the rest is ASCII), where a
    ``\\u`` escape means the character itself.
    """
    if not _RAW_IN_JSON.search(encoded):
        return encoded
    return _RAW_IN_JSON.sub(_escape, encoded)


def check_no_nul(text: str, what: str = "the text") -> str:
    """``text``, or ValueError if it holds a NUL character.

    PostgreSQL cannot store NUL in text while SQLite can: refusing it at every
    input keeps the two backends alike, and a NUL is never meant in a title or
    a note.
    """
    if "\x00" in text:
        raise ValueError(f"{what} contains a NUL character (\\0), which tracker cannot store; remove it")
    return text
