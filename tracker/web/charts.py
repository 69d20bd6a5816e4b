"""Charts as inline SVG, drawn by matplotlib's SVG backend.

Only numbers and labels go in; labels are user text (titles, names), so every one goes
through `label()` and is drawn as plain text: math parsing is off (a "$" in a title
stays a "$") and the SVG writer escapes them. Text stays text in the SVG
(`svg.fonttype: none`), so screen readers and tests can read it, and the output is the
same on every run (fixed hash salt, no date).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from markupsafe import Markup

from tracker.text import visible_controls

RC: Any = {  # matplotlib types the keys as literals
    "svg.fonttype": "none",
    "svg.hashsalt": "tracker",
    "text.parse_math": False,
    "text.usetex": False,
    # Control pictures (␛ for ESC, tracker.text) are only in the monospace face.
    "font.family": ["DejaVu Sans", "DejaVu Sans Mono"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def label(text: str) -> str:
    """User text as a chart label: control and invisible characters shown as symbols
    (as everywhere else), so a title cannot hide or garble what the chart says."""
    return visible_controls(text)


def short_label(text: str, limit: int) -> str:
    """A label cut to ``limit`` characters ("…" marks the cut); charts draw bars at numbered
    places named by such labels, so two titles cut alike stay two bars."""
    text = label(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def figure(width_in: float = 6.4, height_in: float = 3.2) -> Iterator[object]:
    """A matplotlib Figure (no pyplot: no global state, safe in a worker thread)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        yield Figure(figsize=(width_in, height_in), layout="constrained")


def to_svg(fig: object, chart_id: str, title: str, description: str) -> Markup:
    """The figure as an inline `<svg>` with `role="img"`, a `<title>` and a `<desc>`.

    `chart_id` makes the ids of the title and description unique in a page (letters,
    digits and "-" only); `title` and `description` are the chart's text alternative
    (escaped here); the page shows the same figures in a table beside it.
    """
    import matplotlib
    from markupsafe import escape

    buffer = io.StringIO()
    with matplotlib.rc_context(RC), warnings.catch_warnings():
        # A symbol the bundled fonts lack (a control picture) only measures a little wrong:
        # the browser draws the text with its own fonts, since text stays text.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})  # type: ignore[attr-defined]
    svg = buffer.getvalue()
    start = svg.index("<svg")
    svg = svg[start:]
    head_end = svg.index(">") + 1
    if not chart_id.replace("-", "").isalnum():
        raise ValueError(f"chart id {chart_id!r} must be letters, digits and '-'")
    labels = f'aria-labelledby="{chart_id}-title {chart_id}-desc"'
    head = svg[:head_end].replace("<svg", f'<svg role="img" {labels}', 1)
    title, description = label(title), label(description)
    accessible = (
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + accessible + svg[head_end:])
