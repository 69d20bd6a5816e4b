"""A real browser for tests of web pages: headless Chromium from Debian's `chromium`.

`.ci/run` installs it (as root) and sets TRACKER_TEST_BROWSER=1; without the variable the
tests that need it skip and say why. Nothing here fakes a browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ENABLED = os.environ.get("TRACKER_TEST_BROWSER") == "1"
REASON = "needs a real browser: set TRACKER_TEST_BROWSER=1 with Debian's chromium installed (.ci/run does)"

needs_browser = pytest.mark.skipif(not ENABLED, reason=REASON)

# Desktop and phone widths, in CSS pixels.
DESKTOP = (1280, 900)
PHONE = (390, 844)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("TRACKER_TEST_BROWSER=1 but no chromium on PATH (apt-get install chromium)")


def _flags(profile: Path) -> list[str]:
    flags = ["--headless", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}"]
    flags += ["--no-first-run", "--disable-extensions", "--disable-background-networking"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return flags


def screenshot(page: Path, out: Path, size: tuple[int, int], *, timeout: float = 60) -> Path:
    """A PNG of `page` (a local HTML file) at `size`, written to `out`."""
    profile = out.parent / f".chromium-{out.stem}"
    width, height = size
    command = [chromium(), *_flags(profile), f"--window-size={width},{height}", f"--screenshot={out}"]
    subprocess.run([*command, page.resolve().as_uri()], check=True, capture_output=True, timeout=timeout)
    assert out.exists() and out.stat().st_size > 0, f"chromium wrote no screenshot of {page}"
    return out


def dom(page: Path, *, timeout: float = 60) -> str:
    """The page's DOM after the browser has parsed it (`--dump-dom`)."""
    profile = page.parent / ".chromium-dom"
    done = subprocess.run(
        [chromium(), *_flags(profile), "--dump-dom", page.resolve().as_uri()],
        check=True,
        capture_output=True,
        timeout=timeout,
        text=True,
    )
    return done.stdout


def distinct_colours(png: Path) -> int:
    """How many colours a screenshot has: a blank page has one."""
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return len(colours or [])
