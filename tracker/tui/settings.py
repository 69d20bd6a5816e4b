"""The person's own settings between runs (today: the theme), in their user config folder.

A settings file that cannot be read or makes no sense is ignored with a notice: a
setting never stops the app from opening.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_BYTES = 64 * 1024  # far more than a few settings take: anything bigger is not ours


def settings_path() -> Path:
    """Where the settings live: ``tracker/settings.json`` in the user config folder of this OS."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("tracker", appauthor=False)) / "settings.json"


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
