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


async def test_the_workbook_is_written_from_funding(engine: Engine, home: Path) -> None:
    """`W` on Funding writes the workbook of the frameworks in scope, a real XLSX file."""
    import openpyxl

    seeded(engine)
    app = _app(engine, "coord")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await _settle(app, pilot)
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
