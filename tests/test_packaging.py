"""An install from a wheel (as on a team server: `pip install .`, not editable) carries every
file the package reads at run time: each file of tracker/ that is not Python must be named
in pyproject.toml's package data, or the app fails there (its stylesheet was missing once)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_file_of_the_package_that_is_not_python_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    missing = []
    for path in sorted((ROOT / "tracker").rglob("*")):
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(ROOT)
        covered = False
        for package, patterns in package_data.items():
            folder = Path(*package.split("."))
            if folder in relative.parents:
                inside = relative.relative_to(folder).as_posix()
                covered = covered or any(fnmatch.fnmatch(inside, pattern) for pattern in patterns)
        if not covered:
            missing.append(relative.as_posix())
    assert missing == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
