"""Over ssh every member runs the app as the one service account: their settings (the theme)
must be their own, not one file that the last member to pick a theme wins.

If these failed, one member's theme would change every other member's app on the team
server, or the app over ssh would write the service account's own settings file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.tracking import seeded
from tests.tui import settle
from tracker.tui.app import TrackerApp
from tracker.tui.settings import app_settings_path, member_settings_path


@pytest.fixture
def service_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The service account's home, with its data and config folders inside."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _remote_app(engine: Engine, login: str) -> TrackerApp:
    """The app as `ssh-session` opens it for ``login``."""
    from tracker.db import read_session
    from tracker.services.access.members import find_member
    from tracker.tui.data import Data

    with read_session(engine) as session:
        member = find_member(session, login)
    return TrackerApp(
        Data(engine, member), poll=False, remote=True, local_files=False, settings=app_settings_path(login, remote=True)
    )


async def _pick_theme(app: TrackerApp, theme: str) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await settle(app, pilot)
        await pilot.press("enter")  # "Theme": the picker of themes
        await settle(app, pilot)
        await pilot.press(*theme, "enter")
        await settle(app, pilot)
        assert app.theme == theme
        await app.workers.wait_for_complete()


async def test_two_members_over_ssh_each_keep_their_own_theme(engine: Engine, service_home: Path) -> None:
    """domus picks nord and city picks dracula, both over ssh as the service account: the
    next time each opens the app, each has their own; nothing else was written, and the
    service account's own settings file never was."""
    seeded(engine)
    await _pick_theme(_remote_app(engine, "domus"), "nord")
    await _pick_theme(_remote_app(engine, "city"), "dracula")
    for login, theme in (("domus", "nord"), ("city", "dracula")):
        again = _remote_app(engine, login)
        async with again.run_test(size=(120, 40)) as pilot:
            await settle(again, pilot)
            assert again.theme == theme, login
    members = service_home / "data" / "tracker" / "members"
    assert sorted(p.name for p in members.iterdir()) == ["city.json", "domus.json"]
    assert json.loads((members / "domus.json").read_text()) == {"theme": "nord"}
    assert not (service_home / "config").exists()


def test_a_login_names_a_file_in_the_members_folder_and_nowhere_else(service_home: Path) -> None:
    """Whatever a login holds, its settings file is one file in the members' folder."""
    members = service_home / "data" / "tracker" / "members"
    for login in ("../../etc/passwd", "..", "a/b", "Maria", "maria.o'neil"):
        path = member_settings_path(login)
        assert path.parent == members and path.name.endswith(".json") and path.name not in (".json", "..json")
    assert member_settings_path("Maria") == member_settings_path("maria")
    assert app_settings_path(None, remote=True) is None
    assert app_settings_path("maria", remote=False) == service_home / "config" / "tracker" / "settings.json"
