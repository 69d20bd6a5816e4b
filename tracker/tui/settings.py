"""The person's own settings between runs (today: the theme), in their user config folder;
over ssh on the team server, in a file of the member's own under the service account's data folder.

A settings file that cannot be read or makes no sense is ignored with a notice: a
setting never stops the app from opening.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme

MAX_BYTES = 64 * 1024  # far more than a few settings take: anything bigger is not ours


def settings_path() -> Path:
    """Where the settings live: ``tracker/settings.json`` in the user config folder of this OS."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("tracker", appauthor=False)) / "settings.json"


def member_settings_path(login: str) -> Path:
    """A team-server member's settings: ``tracker/members/LOGIN.json`` in the service
    account's user data folder. Every member runs as that one account, so each login gets
    its own file; the login is made safe for a file name (no ``/``, no ``..``)."""
    from urllib.parse import quote

    from platformdirs import user_data_dir

    return Path(user_data_dir("tracker", appauthor=False)) / "members" / f"{quote(login.lower(), safe='')}.json"


def app_settings_path(login: str | None, *, remote: bool) -> Path | None:
    """Where the app keeps the settings of whoever runs it: the person's own file, or over
    ssh (``remote``) the member's file; none over ssh without a login to name it by."""
    if not remote:
        return settings_path()
    return member_settings_path(login) if login else None


def read_settings(path: Path) -> tuple[dict[str, Any], str | None]:
    """The settings in ``path`` (none when there is no file), and what was wrong with it."""
    try:
        with path.open("rb") as found:
            raw = found.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"{path} could not be read ({exc.strerror or exc})"
    if len(raw) > MAX_BYTES:
        return {}, f"{path} is larger than settings ever are"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}, f"{path} is not a settings file tracker wrote (it is not JSON)"
    if not isinstance(data, dict):
        return {}, f"{path} is not a settings file tracker wrote"
    return data, None


def write_settings(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` in one step (a `TrackerError` says why it could not)."""
    from tracker.errors import TrackerError
    from tracker.files import write_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrackerError(f"cannot make the folder {path.parent}: {exc.strerror or exc}") from None
    write_file(path, json.dumps(data, indent=2, sort_keys=True) + "\n", other="another settings file")


def remember_theme(app: App[Any], path: Path) -> None:
    """Apply the theme saved in ``path`` to ``app``, and save the theme whenever the person
    picks another (in a worker); a problem with the file is said, never raised."""
    settings, problem = read_settings(path)
    if problem:
        app.notify(f"Your settings were ignored: {problem}.", title="Settings", severity="warning", timeout=8)
    theme = settings.get("theme")
    if isinstance(theme, str) and theme in app.available_themes:
        app.theme = theme
    elif theme is not None:
        app.notify(f"The saved theme {theme!r} is not one this version knows; the default is used.")

    def save(data: dict[str, Any]) -> None:
        from tracker.errors import TrackerError

        try:
            write_settings(path, data)
        except TrackerError as exc:
            app.call_from_thread(
                app.notify, f"The theme was not remembered: {exc.message}", title="Settings", severity="warning"
            )

    def changed(picked: Theme) -> None:
        nonlocal settings
        if settings.get("theme") == picked.name:  # the one just applied, or no change
            return
        settings = {**settings, "theme": picked.name}
        saved = dict(settings)
        app.run_worker(lambda: save(saved), thread=True, exclusive=True, group="settings")

    app.theme_changed_signal.subscribe(app, changed)
