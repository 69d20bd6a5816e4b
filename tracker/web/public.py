"""The public progress page (`tracker publish`): a static site of one HTML file, no script.

Made from `services.reporting.public.PublicPlan` (which holds only what may be published)
with the one renderer (render.py) and the one chart maker (charts.py). The site is a folder
of files: `index.html` and `MARKER`, which says the folder was written by this command, so
that a later publish may replace it and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from markupsafe import Markup

from tracker.models.enums import Status
from tracker.services.reporting.public import PublicIndicator, PublicPlan
from tracker.web import charts
from tracker.web.render import gettext, render

MARKER = "tracker-publish.txt"
MARKER_TEXT = (
    "This folder was written by `tracker publish`. A later `tracker publish -o` into this folder\n"
    "replaces the files listed below while nobody has changed them; a file changed or added here\n"
    "makes it refuse the folder instead, so nothing of yours is overwritten.\n"
)
INDEX = "index.html"

# Status in symbols as well as words (never by colour alone), as in the app and the CLI.
STATUS_MARK = {s.value: s.symbol for s in Status}

# Text colours on white (#ffffff) and on the table headers' grey (#f0f0f0): each at least
# 4.5:1 (WCAG AA for text), checked by a test from these values.
TEXT = "#1a1a1a"
MUTED = "#595959"
LINK = "#0b4f8a"
BACKGROUNDS = ("#ffffff", "#f0f0f0")
# The chart's lines and marks: the measurements, the baseline and the target, told apart by
# style and marker (and named in the legend and the table), not by colour alone.
SERIES = "#0b4f8a"
BASELINE = "#595959"
TARGET = "#8a3b0b"


@dataclass(frozen=True)
class Site:
    """The files of a published page, by name."""

    files: dict[str, bytes]


def _(message: str) -> str:
    """Marks a string of ours for the catalogue (`python -m tracker.web.i18n update`); it is
    translated where it is used, by `gettext(lang, ...)`."""
    return message


def number(value: Decimal | float | int, lang: str) -> str:
    """A number as people of ``lang`` write it (1,234.5 or 1 234,5), without trailing zeros."""
    return format_decimal(value, locale=lang, format="#,##0.######")


def percent(share: float | None, lang: str) -> str:
    return "–" if share is None else format_percent(share, locale=lang, format="#,##0%")


def day(value: dt.date | None, lang: str) -> str:
    return "" if value is None else format_date(value, format="long", locale=lang)


def money(value: Decimal, currency: str, lang: str) -> str:
    return format_currency(value, currency, locale=lang)


def _indicator_chart(indicator: PublicIndicator, n: int, lang: str) -> Markup | None:
    """Measurements over time against the baseline and the target (None: nothing to draw)."""
    points = indicator.measurements
    if not points and indicator.baseline is None and indicator.target is None:
        return None
    with charts.figure(6.4, 3.0) as fig:
        ax = fig.subplots()  # type: ignore[attr-defined]
        if points:
            ax.plot(
                [p.on for p in points],
                [float(p.value) for p in points],
                color=SERIES,
                marker="o",
                linestyle="-",
                label=gettext(lang, _("Measured")),
            )
        if indicator.baseline is not None:
            ax.axhline(float(indicator.baseline), color=BASELINE, linestyle=":", label=gettext(lang, _("Baseline")))
        if indicator.target is not None:
            ax.axhline(float(indicator.target), color=TARGET, linestyle="--", label=gettext(lang, _("Target")))
        ax.set_ylabel(charts.label(indicator.unit))
        ax.legend(loc="best", frameon=False)
        fig.autofmt_xdate()  # type: ignore[attr-defined]
        title = charts.label(indicator.name)
        parts = [
            gettext(lang, _("Baseline"))
            + ": "
            + ("–" if indicator.baseline is None else number(indicator.baseline, lang)),
            gettext(lang, _("Target")) + ": " + ("–" if indicator.target is None else number(indicator.target, lang)),
        ]
        if points:
            parts.append(
                gettext(lang, _("Latest")) + f": {number(points[-1].value, lang)} ({day(points[-1].on, lang)})"
            )
        else:
            parts.append(gettext(lang, _("No measurement yet")))
        return charts.to_svg(fig, f"indicator-{n}", title, "; ".join(parts))


def _progress_chart(plan: PublicPlan, lang: str) -> Markup | None:
    """Each goal's share of public actions done, as horizontal bars."""
    goals = [g for g in plan.goals if g.progress is not None]
    if not goals:
        return None
    with charts.figure(7.5, 0.8 + 0.45 * len(goals)) as fig:
        ax = fig.subplots()  # type: ignore[attr-defined]
        # Bars at numbered places, named by ticks: two goals whose titles are cut alike stay two bars.
        places = list(range(len(goals)))
        shares = [100 * (g.progress or 0.0) for g in goals]
        bars = ax.barh(places, shares, color=SERIES)
        ax.set_yticks(places, [charts.short_label(g.title, 45) for g in goals])
        ax.bar_label(bars, labels=[percent(g.progress, lang) for g in goals], padding=3)
        ax.set_xlim(0, 100)
        ax.invert_yaxis()
        ax.set_xlabel(gettext(lang, _("Public actions done (%)")))
        description = "; ".join(f"{charts.label(g.title)}: {percent(g.progress, lang)}" for g in goals)
        return charts.to_svg(fig, "progress", gettext(lang, _("Progress by goal")), description)


def site(plan: PublicPlan, lang: str, *, with_money: bool, today: dt.date) -> Site:
    """The page of ``plan`` in ``lang`` (money totals only ``with_money``)."""
    indicator_charts: dict[str, Any] = {}
    n = 0
    for goal in plan.goals:
        for objective in goal.objectives:
            for indicator in objective.indicators:
                n += 1
                indicator_charts[indicator.key] = _indicator_chart(indicator, n, lang)
    page = render(
        "public/index.html.j2",
        lang,
        plan=plan,
        with_money=with_money and plan.money is not None,
        progress_chart=_progress_chart(plan, lang),
        indicator_charts=indicator_charts,
        status_mark=STATUS_MARK,
        number=lambda v: number(v, lang),
        percent=lambda v: percent(v, lang),
        day=lambda v: day(v, lang),
        money=lambda v: money(v, plan.currency, lang),
        today=day(today, lang),
        colours={"text": TEXT, "muted": MUTED, "link": LINK},
    )
    return Site({INDEX: page.encode("utf-8"), MARKER: MARKER_TEXT.encode("utf-8")})
