"""Markdown that reads well rendered and as plain text, with user text kept literal.

User text (titles, notes, names, findings) goes through :func:`md_text`, so it
cannot inject HTML, break a table, or turn into a heading, a list, a link, a
code span or emphasis. Used by the report (`report_md`) and its funding parts.

Renderers with GFM's autolink extension or linkify (GitHub, markdown-it with
linkify, many editors' previews) make links of bare text: ``https://x.example``,
``www.x.example``, ``x.com``, ``user@x.example``. A report is read and forwarded
by people who trust it, so a link planted in a note must stay text: the ``/`` of
``//``, the dots of a domain and the ``@`` are backslash-escaped, which renders as
the same characters and splits the text that the link finders read. One gap is
known: GitHub finds e-mail addresses after escapes are resolved, so there an
address still becomes a ``mailto:`` link (it opens a mail program, nothing more).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from tracker.text import visible_controls

# Characters with a meaning anywhere in a line: escaped with a backslash.
_ALWAYS = set("\\`*[]|~")
# Characters that start a block at the beginning of a line (headings, lists,
# quotes, setext underlines): escaped there.
_LINE_START = set("#-+=>")
# A dot a link finder could take for one inside a domain: after a letter, digit, '_' or
# '-', and before two letters or more (a label of any script: ".com", ".рф"), wherever
# the word around it ends; and the dot of "www.". Requiring a whole domain-shaped word
# missed "x.рф_" and "3localhost.com_", which linkify still links. "e.g.", "3.5" and
# "v1.2" keep their dots (one letter, or digits, after them).
_DOMAIN_DOT = re.compile(r"(?<=[\w-])\.(?=[^\W\d_]{2,})|(?<![\w.-])www(\.)", re.IGNORECASE)


def _domain_dots(text: str) -> set[int]:
    """Where the dots that could join a domain are in ``text``."""
    return {m.start(1) if m.group(1) else m.start() for m in _DOMAIN_DOT.finditer(text)}


def md_text(text: str | None, *, limit: int | None = None) -> str:
    """User text as one line of literal Markdown text.

    Whitespace (newlines included) collapses to single spaces; control, bidi and
    zero-width characters are shown as symbols (``␛``, ``⟨U+202E⟩``: see
    `tracker.text`); the text is cut to ``limit`` characters with an ellipsis;
    then ``&``, ``<``, ``>`` become entities (no HTML), Markdown punctuation is
    backslash-escaped (no emphasis, code span, link, strikethrough or table cell
    break), ``_`` only where it could emphasise (``snake_case`` stays readable),
    a first character that would start a heading, list, quote or numbered list is
    escaped too, and so are the ``//``, domain dots and ``@`` that would make a
    bare URL or address a link (see the module's docstring).
    """
    if not text:
        return ""
    # Control, bidi and zero-width characters shown as symbols (ESC as ␛), as everywhere else.
    kept = visible_controls("".join(" " if ch.isspace() else ch for ch in text))
    flat = " ".join(kept.split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    dots = _domain_dots(flat)
    out: list[str] = []
    for i, ch in enumerate(flat):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _ALWAYS or (i == 0 and ch in _LINE_START):
            out.append("\\" + ch)
        elif ch == "@" or (ch == "." and i in dots) or (ch == "/" and flat[i + 1 : i + 2] == "/"):
            out.append("\\" + ch)  # no autolink: see the module's docstring
        elif ch == "_":
            inside = 0 < i < len(flat) - 1 and flat[i - 1].isalnum() and flat[i + 1].isalnum()
            out.append("_" if inside else "\\_")
        else:
            out.append(ch)
    escaped = "".join(out)
    # "1." or "1)" at the start of a line opens a numbered list.
    digits = len(escaped) - len(escaped.lstrip("0123456789"))
    if 0 < digits <= 9 and escaped[digits : digits + 1] in (".", ")"):
        escaped = escaped[:digits] + "\\" + escaped[digits:]
    return escaped


def width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (wide East Asian characters: two)."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, right: Iterable[int] = ()) -> list[str]:
    """A pipe table whose columns are padded to line up in plain text.

    Cells must already be Markdown (user text through :func:`md_text`);
    ``right`` lists the columns aligned right (numbers, money). Every row has
    as many cells as ``headers``.
    """
    body = [list(row) for row in rows]
    for row in body:
        if len(row) != len(headers):
            raise ValueError(f"a row has {len(row)} cells for {len(headers)} columns")
    to_right = set(right)
    widths = [max([3, width(h), *(width(row[n]) for row in body)]) for n, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        padded = []
        for n, cell in enumerate(cells):
            pad = " " * (widths[n] - width(cell))
            padded.append(pad + cell if n in to_right else cell + pad)
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join("-" * (w - 1) + ":" if n in to_right else "-" * w for n, w in enumerate(widths)) + " |"
    return [line(headers), rule, *(line(row) for row in body)]


def money(amount: Decimal | None, currency: str) -> str:
    """``12,500.00 USD``; "unknown" when the amount is not known."""
    return "unknown" if amount is None else f"{amount:,.2f} {currency}"


def share(value: Decimal | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def number(value: Decimal | None) -> str:
    return "–" if value is None else format(value, "f")


def day(value: dt.date | None) -> str:
    return "–" if value is None else value.isoformat()


def plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def block(lines: list[str], table: list[str], empty: str) -> None:
    """A table between blank lines, or a sentence when it has no rows."""
    lines.append("")
    lines.extend(table if len(table) > 2 else [empty])


def more(lines: list[str], shown: int, total: int, what: str) -> None:
    if total > shown:
        lines.extend(["", f"… and {plural(total - shown, what)} more (`tracker` lists them all)."])
