"""The report's sustainability risks: funding cliffs, single-source dependence, sources ending soon.

The workshop reports name short, single-year budgets as what ends prevention
programmes; this part tells the leadership group where that is about to happen.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.exports.markdown import block, day, md_table, md_text, money, more, plural, share
from tracker.services.funding.risks import CliffView, DependenceView, EndingSourceView, FundingRisks

TITLE_CHARS = 60


def _cliffs_table(cliffs: Sequence[CliffView]) -> list[str]:
    rows = [
        [
            md_text(c.ref.partition("/")[2]),
            md_text(c.title, limit=TITLE_CHARS),
            md_text(c.lead, limit=40),
            day(c.due),
            md_text(c.source_name, limit=40),
            day(c.source_ends) + (" (ended)" if c.source_ended else ""),
            money(c.at_risk, c.currency)
            + (f" (+{plural(c.unknown_allocations, 'allocation')} of unknown amount)" if c.unknown_allocations else ""),
        ]
        for c in cliffs
    ]
    headers = ["action", "title", "lead", "due", "source", "source ends", "funding at risk"]
    return md_table(headers, rows, right=(6,))


def _dependence_table(items: Sequence[DependenceView]) -> list[str]:
    rows = [
        [
            md_text(d.ref),
            md_text(d.title, limit=TITLE_CHARS),
            md_text(d.source_name, limit=40),
            share(d.share),
            money(d.from_source, d.currency),
            money(d.total, d.currency),
        ]
        for d in items
    ]
    return md_table(["item", "title", "source", "share", "from it", "all known funding"], rows, right=(3, 4, 5))


def _ending_table(sources: Sequence[EndingSourceView]) -> list[str]:
    rows = [
        [
            md_text(s.name, limit=TITLE_CHARS),
            day(s.ends),
            f"{s.days_left:,}",
            money(s.allocated, s.currency),
            f"{s.open_actions:,}",
            f"{s.running_past_end:,}",
        ]
        for s in sources
    ]
    headers = ["source", "ends", "days left", "allocated", "open actions", "due after it ends"]
    return md_table(headers, rows, right=(2, 3, 4, 5))


def risks_section(risks: FundingRisks, *, rows: int) -> list[str]:
    """Three tables, each with a sentence instead when it has nothing to say."""
    lines = ["", "### Sustainability risks"]
    lines.extend(
        ["", f"#### Funding cliffs: open work that runs past the end of a source that funds it ({len(risks.cliffs):,})"]
    )
    block(lines, _cliffs_table(risks.cliffs[:rows]), "No open action runs past the end of a source that funds it.")
    more(lines, min(len(risks.cliffs), rows), len(risks.cliffs), "cliff")
    dependent = [*risks.dependent_frameworks, *risks.dependent_actions]
    lines.extend(["", f"#### Depending on one source for more than {share(risks.share)} of their funding"])
    block(lines, _dependence_table(dependent[:rows]), "Nothing depends on a single source that much.")
    more(lines, min(len(dependent), rows), len(dependent), "item")
    lines.extend(["", f"#### Sources ending by {day(risks.until)} ({risks.months} months)"])
    block(lines, _ending_table(risks.ending_sources[:rows]), "No source allocated here ends in that time.")
    more(lines, min(len(risks.ending_sources), rows), len(risks.ending_sources), "source")
    return lines
