"""The HTML report's three charts, drawn from the report's own data (no query here):
progress by goal, the funding gap by fiscal year, and the funding sources over time.

Every chart also carries its figures as text (counts in the bars, amounts in the labels)
and is shown beside a table of the same figures; status is told by a symbol and a
hatch pattern as well as by colour. User text (goal titles, source names) goes through
`charts.label()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from markupsafe import Markup

from tracker.models.enums import Status
from tracker.services.funding.gaps import GapRollupView
from tracker.services.funding.sources import SourceView
from tracker.services.reporting.goals import GoalProgress
from tracker.web import charts

# Colours of the Okabe-Ito palette (told apart with colour-blindness too), plus a hatch
# and a symbol per status, so that no status is told by colour alone.
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.done: ("#009e73", ""),
    Status.in_progress: ("#56b4e9", "//"),
    Status.planned: ("#e6e6e6", ".."),
    Status.blocked: ("#d55e00", "xx"),
    Status.cancelled: ("#ffffff", "--"),
}
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"}  # counts stay legible on hatching
TITLE_CHARS = 40  # labels of goals and sources are cut to this (the table beside has them whole)

Words = Callable[[str], str]


def _cut(text: str, limit: int = TITLE_CHARS) -> str:
    return charts.short_label(text, limit)


def progress_chart(goals: Sequence[GoalProgress], *, status_words: dict[Status, str], _: Words) -> Markup:
    """Stacked horizontal bars: each goal's actions per status, the count written in each part."""
    rows = list(reversed(goals))  # the first goal at the top
    with charts.figure(height_in=1.2 + 0.45 * max(len(rows), 1)) as fig:
        ax = fig.subplots()  # type: ignore[attr-defined]
        # Bars at numbered places, named by ticks: two goals cut to the same label stay two bars.
        places = list(range(len(rows)))
        left = [0] * len(rows)
        for status, (colour, hatch) in STATUS_STYLE.items():
            counts = [g.by_status.get(status, 0) for g in rows]
            bars = ax.barh(
                places, counts, left=left, color=colour, hatch=hatch, edgecolor="#333333", label=status_words[status]
            )
            shown = [str(n) if n else "" for n in counts]
            ax.bar_label(bars, labels=shown, label_type="center", fontsize=9, bbox=LABEL_BOX)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.set_yticks(places, [_cut(f"{g.key}: {g.title}") for g in rows])
        ax.set_xlabel(_("actions"))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize=8)
        parts = "; ".join(
            f"{g.key}: " + ", ".join(f"{n} {status_words[s]}" for s in STATUS_STYLE if (n := g.by_status.get(s, 0)))
            for g in goals
        )
        description = _("Actions of each goal by status.") + " " + parts
        return charts.to_svg(fig, "chart-progress", _("Progress by goal"), description)


def gap_years_chart(
    years: Sequence[GapRollupView], *, money: Callable[..., str], number: Callable[[float], str], _: Words
) -> Markup:
    """Bars per fiscal year: what the actions running then need and what is allocated to it,
    the gap written above; ``number`` writes the axis's amounts in the page's language."""
    from matplotlib.ticker import FuncFormatter

    names = [_("unscheduled") if y.fiscal_year is None else _("FY%(year)s") % {"year": y.fiscal_year} for y in years]
    need = [float(y.cost or 0) for y in years]
    allocated = [float(y.allocated) for y in years]
    with charts.figure(height_in=3.4) as fig:
        ax = fig.subplots()  # type: ignore[attr-defined]
        positions = range(len(years))
        width = 0.4
        needed, given, short = _("needed"), _("allocated"), _("gap")
        ax.bar([p - width / 2 for p in positions], need, width, color="#0072b2", label=_("needed"))
        ax.bar([p + width / 2 for p in positions], allocated, width, color="#e69f00", hatch="//", label=_("allocated"))
        top = max([*need, *allocated, 1.0])
        for p, y in zip(positions, years, strict=True):
            words = _("gap") + " " + money(y.gap) if y.gap else _("no gap")
            ax.text(p, max(need[p], allocated[p]) + top * 0.02, words, ha="center", va="bottom", fontsize=8)
        ax.set_xticks(list(positions), names)
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel(years[0].currency if years else "")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _place: number(value)))
        ax.legend(loc="upper right", frameon=False, fontsize=8)
        description = (
            _("What the actions running in each fiscal year need, against what is allocated to it.")
            + " "
            + "; ".join(
                f"{n}: {needed} {money(y.cost)}, {given} {money(y.allocated)}, {short} {money(y.gap)}"
                for n, y in zip(names, years, strict=True)
            )
        )
        return charts.to_svg(fig, "chart-years", _("Funding gap by fiscal year"), description)


def sources_chart(
    sources: Sequence[SourceView], *, today: dt.date, money: Callable[..., str], _: Words
) -> Markup | None:
    """A bar per source with a period, from its start to its end; its committed amount, what is
    allocated and what remains written on it; ended sources hatched and marked "(ended)".
    None when no source has both dates."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

    dated = [s for s in sources if s.starts is not None and s.ends is not None]
    if not dated:
        return None
    rows = list(reversed(dated))
    with charts.figure(width_in=8.0, height_in=1.4 + 0.7 * len(rows)) as fig:
        ax = fig.subplots()  # type: ignore[attr-defined]
        texts = []
        for n, s in enumerate(rows):
            assert s.starts is not None and s.ends is not None
            begin, end = date2num(s.starts), date2num(s.ends + dt.timedelta(days=1))
            colour, hatch = ("#bbbbbb", "xx") if s.ended else ("#56b4e9", "")
            ax.broken_barh([(begin, end - begin)], (n - 0.3, 0.6), facecolors=colour, hatch=hatch, edgecolor="#333")
            # Babel finds _("...") calls outside f-strings only.
            parts = [
                (_("committed"), money(s.committed, s.currency)),
                (_("allocated"), money(s.allocated, s.currency)),
                (_("remaining"), money(s.remaining, s.currency)),
            ]
            words = " · ".join(f"{name} {amount}" for name, amount in parts)
            if s.ended:
                words += " (" + _("ended") + ")"
            texts.append(words)
            # Written from the left edge, so that it stays inside the chart whatever the dates.
            ax.text(0.0, n + 0.34, charts.label(words), fontsize=7.5, va="bottom", transform=ax.get_yaxis_transform())
        ax.axvline(date2num(today), color="#333333", linestyle="--", linewidth=1)
        ax.text(date2num(today), len(rows) - 0.35, " " + _("today"), fontsize=8, va="bottom")
        ax.set_yticks(range(len(rows)), [_cut(s.name) for s in rows])
        ax.set_ylim(-0.6, len(rows) + 0.1)
        first = min(date2num(s.starts) for s in rows if s.starts is not None)
        last = max([date2num(today), *(date2num(s.ends) for s in rows if s.ends is not None)])
        margin = max((last - first) * 0.03, 15)
        ax.set_xlim(first - margin, last + margin)
        locator = AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        description = (
            _("Each funding source from its start to its end, with its amounts.")
            + " "
            + "; ".join(
                f"{charts.label(s.name)} {s.starts} – {s.ends}: {t}"
                for s, t in zip(rows[::-1], texts[::-1], strict=True)
            )
        )
        return charts.to_svg(fig, "chart-sources", _("Funding sources over time"), description)
