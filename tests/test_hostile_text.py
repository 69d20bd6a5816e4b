"""Hostile text in titles and notes stays text: in the app, on the command line, in exports.

A title or note may carry Rich markup (``[bold red]x[/]``, ``[link=...]``),
terminal escape sequences (``ESC [31m`` recolours the terminal, ``ESC ]8;;url``
plants a hidden link) or other control characters, pasted by accident or typed
on purpose. Wherever it is shown it must read as the characters it is: markup
literally, control characters as visible symbols (ESC as ␛, see tracker/text.py),
never styling, never bytes that a terminal acts on, never a crash.

Exports: each exporter is one `Exporter` in `EXPORTERS` (how to run it, and how
to read its cells back), so a new format (XLSX, Markdown) is one more entry and
gets every check here.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from textual.geometry import Region

from tests.cli import tracker
from tests.tracking import CONVENE, seeded
from tests.tui import open_app, settle
from tracker.db import read_session, write_session
from tracker.services.access.members import find_member
from tracker.services.tracking import changes as tracking
from tracker.text import visible_controls
from tracker.tui.widgets.action_list import ActionList

# No NUL: PostgreSQL text cannot hold it (and a command-line argument cannot either).
MARKUP = "[bold red]x[/] [/] [link=https://evil.example]click[/link]"
ESCAPES = "A\x1b[31mRED\x1b[0m \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b]52;c;cHduZWQ=\x07"
CONTROLS = "bell\x07 back\x08 del\x7f csi\x9b vt\x0b ff\x0c so\x0e"
# Bidi overrides make "gnp.exe" read "exe.png"; zero-width characters hide a difference.
BIDI = "photo\u202egnp.exe \u2066iso\u2069 zero\u200bwidth\ufeff lrm\u200e nel\x85"
FORMULAS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "ok\r=1+1", "ok\r\n@x")
TITLES = (MARKUP, ESCAPES, CONTROLS, BIDI, *FORMULAS)


def _set_title(engine: Engine, key: str, title: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE action SET title = :t, description = :d WHERE key = :k"), {"t": title, "d": title, "k": key}
        )


def _add_note(engine: Engine, ref: str, login: str, text: str) -> None:
    with write_session(engine) as session:
        member = find_member(session, login)
        assert member is not None
        tracking.add_note(session=session, actor=member, ref=ref, text=text)


def _inert(text: str) -> None:
    """No control character left, whatever the text held."""
    assert visible_controls(text) == text, f"control characters reach the output: {text!r}"


# -- the terminal UI ------------------------------------------------------------------------


def _drawn(widget) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of ``widget`` as they go to the terminal (after the app's line filters)."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return ["".join(segment.text for segment in strip) for strip in strips]


@pytest.mark.parametrize("title", [MARKUP, ESCAPES, CONTROLS, BIDI], ids=["markup", "escapes", "controls", "bidi"])
async def test_hostile_titles_and_notes_are_drawn_as_text_in_the_app(engine: Engine, title: str) -> None:
    """A title or note with markup, escape sequences, bidi overrides or zero-width characters
    is drawn as visible characters: it neither styles the screen, nor recolours the terminal,
    nor plants a link, nor reads backwards."""
    seeded(engine)
    _set_title(engine, "convene", title)
    _add_note(engine, CONVENE, "city", "note: " + title)
    app = open_app(engine, "coord")
    async with app.run_test(size=(200, 40)) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        actions = app.screen.query_one(ActionList)
        lines = _drawn(actions)
        for line in lines:
            _inert(line)
            assert len(line) == actions.size.width  # columns still line up
        shown = visible_controls(title).replace("\n", " ")
        row = next(line for line in lines if "convene" in line)
        assert shown[:40] in row  # literal text, markup and all (the title column is wide enough)

        actions.cursor = [actions.row_at(i).ref for i in range(actions.total)].index(CONVENE)  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(app, pilot)
        detail = app.screen.query_one("#detail")
        drawn = _drawn(detail)
        for line in drawn:
            _inert(line)
        text = "\n".join(drawn)
        if title is CONTROLS:  # Rich drops BEL, BS, VT, FF and CR itself; the rest shows as symbols
            assert all(word in text for word in ("bell", "back", "del␡", "csi\ufffd", "vt", "ff", "so␎"))
        else:
            assert "note: " + shown[:30] in text
        if title is BIDI:
            for shown_as in ("photo⟨U+202E⟩gnp.exe", "⟨U+2066⟩iso⟨U+2069⟩", "zero⟨U+200B⟩width⟨U+FEFF⟩"):
                assert shown_as in row and shown_as in text
        if title is MARKUP:
            assert "[link=https://evil.example]click[/link]" in text
            assert not any(span.style and "link" in str(span.style) for span in detail.render().spans)  # type: ignore[union-attr]


async def test_the_whole_screen_sent_to_the_terminal_holds_no_user_escape(engine: Engine) -> None:
    """What the app writes to the terminal carries the user's text as ␛[31m, not as ESC [31m."""
    seeded(engine)
    _set_title(engine, "reporting", ESCAPES)
    app = open_app(engine, "coord")
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        update = app.screen._compositor.render_full_update()
        written = "".join(segment.text for strip in update.strips for segment in strip)  # type: ignore[attr-defined]
        assert "\x1b]8;;http://x" not in written and "\x1b[31mRED" not in written
        assert "␛[31mRED" in written


# -- the command line -----------------------------------------------------------------------


def test_the_cli_prints_hostile_text_without_escapes(db_url: str, engine: Engine) -> None:
    """`tracker actions list` and `show` print the title as text a terminal cannot act on."""
    seeded(engine)
    _set_title(engine, "convene", ESCAPES + " " + MARKUP)
    _add_note(engine, CONVENE, "city", CONTROLS)
    for command in (["actions", "list"], ["actions", "show", CONVENE], ["actions", "history", CONVENE]):
        result = tracker("--db", db_url, *command, env={"COLUMNS": "400"})
        assert result.code == 0, result.err
        _inert(result.out.replace("\n", ""))  # the table's own line breaks aside
        if command[1] != "history":
            assert "␛[31mRED" in result.out and "[bold red]x[/]" in result.out


# -- exports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exporter:
    """One export format: ``run`` returns the file for a database; ``cells`` reads its text cells back."""

    name: str
    run: Callable[[str], bytes]
    cells: Callable[[bytes], list[str]]
    shown: Callable[[str], str]  # what a title becomes in a cell
    formula_safe: bool = True  # for text formats read by spreadsheets: no cell may start like a formula


def _csv_run(db_url: str) -> bytes:
    result = tracker("--db", db_url, "actions", "list", "--csv", "--limit", "1000")
    assert result.code == 0, result.err
    return result.out.encode()


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode(), newline="")) for cell in row]


def _csv_shown(title: str) -> str:
    quoted = ("'" if title.startswith(FORMULA_STARTS) else "") + title
    return visible_controls(quoted.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")


def _xlsx_run(db_url: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plans.xlsx"
        result = tracker("--db", db_url, "export", "--format", "xlsx", "-o", str(path))
        assert result.code == 0, result.err
        return path.read_bytes()


def _xlsx_cells(data: bytes) -> list[str]:
    """The text cells of every sheet; a formula cell anywhere fails the test."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


EXPORTERS = [
    Exporter("csv", _csv_run, _csv_cells, _csv_shown),
    # A workbook cell typed as text is never a formula, whatever it starts with (checked in _xlsx_cells).
    Exporter("xlsx", _xlsx_run, _xlsx_cells, lambda t: visible_controls(t, keep="\n\t"), formula_safe=False),
    # Markdown: tests/test_report.py proves any text stays literal (CommonMark parse, property-tested).
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("exporter", EXPORTERS, ids=lambda e: e.name)
def test_exports_neutralise_formulas_and_control_characters(db_url: str, engine: Engine, exporter: Exporter) -> None:
    """A title that would run as a formula in a spreadsheet, or act on a terminal when
    the file is shown, is exported as inert text, and the rest of the text is kept."""
    seeded(engine)
    with read_session(engine) as session:
        keys = [r[0] for r in session.execute(sa.text("SELECT key FROM action ORDER BY key"))]
    # One hostile title per action: make enough actions by copying the two the plan has.
    titles = list(TITLES)
    with engine.begin() as conn:
        template = conn.execute(sa.text("SELECT * FROM action WHERE key = :k"), {"k": keys[0]}).mappings().one()
        for i in range(len(titles) - len(keys)):
            row = {k: v for k, v in template.items() if k != "id"} | {"key": f"copy-{i}", "position": 100 + i}
            conn.execute(sa.insert(sa.table("action", *(sa.column(c) for c in row))).values(row))
        all_keys = [r[0] for r in conn.execute(sa.text("SELECT key FROM action ORDER BY key"))]
    for key, title in zip(all_keys, titles, strict=True):
        _set_title(engine, key, title)
    cells = exporter.cells(exporter.run(db_url))
    for cell in cells:
        assert "\x1b" not in cell and "\x07" not in cell and "\x9b" not in cell, cell
        assert not set(cell) & set("\u202e\u2066\u2069\u200b\ufeff\u200e\x85"), cell  # bidi, zero-width, C1
        if exporter.formula_safe:
            assert not cell.startswith(FORMULA_STARTS), cell
    for title in titles:  # each title is there, as visible text
        assert exporter.shown(title) in cells, title
