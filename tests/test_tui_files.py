"""The report and the workbook written from the app (Overview and Funding), and the theme it
remembers between runs, driven with Pilot as a person would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from textual.widgets import Input

from tests.tracking import seeded
from tests.tui import open_app as _app
from tests.tui import settle as _settle
from tracker.tui.app import TrackerApp


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home without a documents folder, started in ``tmp_path/work``: files go there."""
    (tmp_path / "work").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path / "work")
    return tmp_path / "work"


def _said(app: TrackerApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_report_is_written_from_the_overview_and_never_over_a_file_unasked(
    engine: Engine, home: Path
) -> None:
    """`R` on the overview offers a path in the folder tracker started in, writes the report of the
    highlighted framework there and says where; a second time the same path exists: the app
    asks, keeping it is the default, and only "Replace it" writes over it."""
    seeded(engine)
    app = _app(engine, "coord")
    target = home / f"report-stamford-ct-{dt.date.today().isoformat()}.md"
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveFileDialog"
        assert app.screen.query_one("#path", Input).value == str(target)
        await pilot.press("enter")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "OverviewScreen"
        assert target.read_text().startswith("#") and "Stamford" in target.read_text()
        assert any(f"to {target}" in m for m in _said(app))
        target.write_text("my own notes\n")
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "OverwriteDialog"
        await pilot.press("escape")  # keep it
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "SaveFileDialog"
        assert target.read_text() == "my own notes\n"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#replace")
        await _settle(app, pilot)
        assert "Stamford" in target.read_text()


async def test_the_report_is_written_as_html_to_print_in_french(engine: Engine, home: Path) -> None:
    """In the report's dialog the coordinator picks the HTML page in French: the suggested name
    follows (…-fr.html), and the file written is the French page with its charts."""
    seeded(engine)
    app = _app(engine, "coord")
    target = home / f"report-stamford-ct-{dt.date.today().isoformat()}-fr.html"
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveFileDialog"
        await pilot.click("#format-html-fr")
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value == str(target)
        await pilot.click("#format-md")  # and back: the name follows
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value == str(target).removesuffix("-fr.html") + ".md"
        await pilot.click("#format-html-fr")
        await pilot.pause()
        await pilot.click("#write")
        await _settle(app, pilot)
        assert type(app.screen).__name__ == "OverviewScreen"
        assert any(f"to {target}" in m for m in _said(app))
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "Avancement par objectif général" in page and page.count("<svg") >= 2
    assert not list(home.glob("*.md"))


async def test_the_workbook_is_written_from_funding(engine: Engine, home: Path) -> None:
    """`W` on Funding writes the workbook of the frameworks in scope, a real XLSX file."""
    import openpyxl

    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
        await pilot.press("question_mark")  # out of the footer on Funding, W is in the help
        await pilot.pause()
        assert ("W", "XLSX", "Write the workbook (XLSX) of the frameworks in scope") in app.screen.bindings
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("W")
        await pilot.pause()
        await pilot.press("enter")
        await _settle(app, pilot)
    [written] = home.glob("tracker-all-frameworks-*.xlsx")
    book = openpyxl.load_workbook(written, read_only=True)
    assert book.sheetnames == ["actions", "gaps", "objective gaps", "sources", "indicators"]
    titles = [row[2] for row in book["actions"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert len(titles) == 2  # the two actions of the framework


async def test_a_path_that_is_a_folder_is_refused_in_the_dialog(engine: Engine, home: Path) -> None:
    """A folder typed as the file is said in the dialog, which stays open with the path."""
    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        field = app.screen.query_one("#path", Input)
        field.value = str(home)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveFileDialog"
        assert "is a folder" in str(app.screen.query_one("#form-error").render())


async def test_no_files_from_an_app_that_is_not_local(engine: Engine, home: Path) -> None:
    """With local files off (a session on the team server), the keys are not offered."""
    from tracker.db import read_session
    from tracker.services.access.members import find_member
    from tracker.tui.app import make_app

    seeded(engine)
    with read_session(engine) as session:
        app = make_app(engine, find_member(session, "coord"), poll=False, local_files=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("R")
        await pilot.pause()
        assert type(app.screen).__name__ == "OverviewScreen"
    assert list(home.iterdir()) == []


def _remembering_app(engine: Engine) -> TrackerApp:
    """The app as the command line opens it: with the person's settings file."""
    from tracker.db import read_session
    from tracker.services.access.members import find_member
    from tracker.tui.data import Data
    from tracker.tui.settings import settings_path

    with read_session(engine) as session:
        member = find_member(session, "coord")
    return TrackerApp(Data(engine, member), poll=False, settings=settings_path())


async def test_the_chosen_theme_is_remembered_for_the_next_run(engine: Engine, home: Path) -> None:
    """A theme picked in one run (from the palette) is the theme of the next run, kept in the user
    config folder (XDG_CONFIG_HOME here)."""
    import json

    seeded(engine)
    first = _remembering_app(engine)
    assert first.theme != "nord"
    async with first.run_test(size=(120, 40)) as pilot:
        await _settle(first, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await _settle(first, pilot)
        await pilot.press("enter")  # "Theme": the picker of themes
        await _settle(first, pilot)
        await pilot.press(*"nord", "enter")
        await _settle(first, pilot)
        assert first.theme == "nord"
    saved = home.parent / "config" / "tracker" / "settings.json"
    assert json.loads(saved.read_text()) == {"theme": "nord"}
    second = _remembering_app(engine)
    async with second.run_test(size=(120, 40)) as pilot:
        await _settle(second, pilot)
        assert second.theme == "nord"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe", b'{"theme": "no-such-theme"}'])
async def test_a_broken_settings_file_is_ignored_with_a_notice(engine: Engine, home: Path, content: bytes) -> None:
    """A settings file that is not JSON, not settings, or names an unknown theme: the app opens
    with the default theme and says so; it never crashes."""
    seeded(engine)
    saved = home.parent / "config" / "tracker" / "settings.json"
    saved.parent.mkdir(parents=True)
    saved.write_bytes(content)
    app = _remembering_app(engine)
    default = TrackerApp(lambda: None, poll=False).theme  # type: ignore[arg-type,return-value]
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        assert app.theme == default
        assert any("settings" in m.lower() or "theme" in m for m in _said(app))
        assert type(app.screen).__name__ == "OverviewScreen"
