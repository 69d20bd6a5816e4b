"""The coordinator's report as Markdown, from the view objects of `tracker.services.reporting.report`.

It reads well rendered (GitHub, GitLab, Pandoc, an e-mail client with Markdown)
and as plain text: pipe tables with padded columns, money right-aligned with
its currency. User text (titles, notes, names, findings) is data: it goes
through :func:`md_text`, so it cannot inject HTML, break a table, or turn into
a heading, a list, a link, a code span or emphasis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tracker.exports.markdown import block as _block
from tracker.exports.markdown import day, md_table, md_text, money, number, share
from tracker.exports.markdown import more as _more
from tracker.exports.markdown import plural as _plural
from tracker.exports.report_risks import risks_section
from tracker.models.enums import Status
from tracker.services.funding.sources import GapView, ObjectiveGapView, SourceView
from tracker.services.plan.indicators import IndicatorProgress
from tracker.services.reporting.coverage import FindingGap, counted_words
from tracker.services.reporting.report import FundingData, ReportData
from tracker.services.reporting.requests import Reason
from tracker.services.tracking.activity import ActivityItem
from tracker.services.views import ActionRow, for_whom

TITLE_CHARS = 80  # titles are cut to this in tables (the full title is in the tool)
TEXT_CHARS = 160  # notes, changes and findings in tables
TABLE_ROWS = 25  # rows of the long tables (funding gaps, sources); the rest are counted

# -- sections -------------------------------------------------------------------------------


def _header(data: ReportData) -> list[str]:
    h = data.heading
    place = ", ".join(md_text(p) for p in (h.city, h.state, h.country) if p)
    return [
        f"# {md_text(h.title)}: report of {data.today.isoformat()}",
        "",
        f"{place} · framework {md_text(h.key)} · stage {h.stage.value} · plan starts {h.starts.isoformat()}",
    ]


def _summary(data: ReportData) -> list[str]:
    cov, fund, changes = data.coverage, data.funding, data.changes
    statuses = ", ".join(f"{data.by_status[s]:,} {s.value.replace('_', ' ')}" for s in Status if data.by_status.get(s))
    progress = "" if data.progress is None else f"; {data.progress:.0%} done"
    uncosted = fund.actions_without_cost
    judged = sum(1 for i in data.indicators if i.judgement is None)
    return [
        "",
        "## Summary",
        "",
        f"- Actions: {data.actions:,}" + (f" ({statuses}){progress}." if statuses else "."),
        f"- Need attention: {data.overdue.total:,} overdue, {data.blocked.total:,} blocked, "
        f"{data.stale.total:,} stale.",
        f"- Money: funding gap {money(fund.total_gap, fund.currency)} over {_plural(len(fund.gaps), 'action')}"
        + (f"; {_plural(uncosted, 'action')} with no cost estimate yet." if uncosted else "."),
        f"- Findings: {cov.answered:,} of {cov.findings:,} answered; "
        f"{len(cov.unfunded):,} of those only by actions without money.",
        f"- Indicators: {len(data.off_track):,} of {judged:,} off track"
        + (f"; {cov.indicators - judged:,} cannot be judged yet." if cov.indicators > judged else "."),
        f"- Since {changes.since.isoformat()}: {_plural(changes.count('status'), 'status change')}, "
        f"{_plural(changes.count('note'), 'note')}, {_plural(changes.count('plan'), 'plan edit')}, "
        f"{_plural(changes.count('measurement'), 'measurement')}.",
    ]


def _activity_table(items: Sequence[ActivityItem], what: str) -> list[str]:
    rows = [
        [
            f"{i.at:%Y-%m-%d %H:%M}",
            md_text(i.ref.partition("/")[2]),
            md_text(i.title, limit=TITLE_CHARS),
            md_text(i.text, limit=TEXT_CHARS),
            md_text((i.by or "–") + for_whom(i.on_behalf_of)),
        ]
        for i in items
    ]
    return md_table(["when (UTC)", what, "title", "what", "by"], rows)


def _changes(data: ReportData) -> list[str]:
    c = data.changes
    why = f" ({c.reason})" if c.reason else ""
    lines = ["", f"## What changed since {c.since.isoformat()}{why}"]
    if not c.items:
        return [*lines, "", "Nothing was recorded in this time."]
    if not c.complete:
        lines.extend(["", f"The newest {len(c.items):,} items are shown; more were recorded."])
    for kind, title, what in (
        ("status", "Status changes", "action"),
        ("note", "Notes", "action"),
        ("plan", "Plan edits", "action"),
        ("measurement", "Measurements", "indicator"),
    ):
        items = [i for i in c.items if i.kind == kind]
        if items:
            lines.extend(["", f"### {title} ({len(items):,})", "", *_activity_table(items, what)])
    return lines


def _actions_table(rows: Sequence[ActionRow], today: dt.date, kind: str) -> list[str]:
    headers = ["action", "title", "lead", "owner", "status", "due"]
    extra = {"overdue": "days late", "blocked": "why (last status note)", "stale": "last update"}[kind]
    table = []
    for r in rows:
        if kind == "overdue":
            last = str((today - r.due).days) if r.due else "–"
        elif kind == "blocked":
            last = md_text(r.last_change.note if r.last_change else None, limit=TEXT_CHARS) or "–"
        else:
            last = r.updated_at.date().isoformat()
        table.append(
            [
                md_text(r.key),
                md_text(r.title, limit=TITLE_CHARS),
                md_text(r.lead.name, limit=40),
                md_text(r.owner) or "–",
                r.status.value.replace("_", " "),
                day(r.due),
                last,
            ]
        )
    return md_table([*headers, extra], table, right=(6,) if kind == "overdue" else ())


def _attention(data: ReportData) -> list[str]:
    lines = ["", "## Actions that need attention"]
    for kind, title, listed, empty in (
        ("overdue", "Overdue", data.overdue, "No action is overdue."),
        ("blocked", "Blocked", data.blocked, "No action is blocked."),
        (
            "stale",
            f"Stale (in progress, no update for {data.stale_days} days)",
            data.stale,
            "No action in progress has gone without an update that long.",
        ),
    ):
        lines.extend(["", f"### {title}: {listed.total:,}"])
        _block(lines, _actions_table(listed.rows, data.today, kind), empty)
        _more(lines, len(listed.rows), listed.total, "action")
    return lines


def _requests(data: ReportData) -> list[str]:
    """Who owes an update: per organisation (with its silence) and per owner, from the
    same service as `tracker requests` and the Stakeholders screen."""
    found = data.requests
    if found is None:
        return []
    lines = [
        "",
        "## Who owes an update",
        "",
        f"Open actions overdue, due within {found.due_within} days, stale (no status change or note for "
        f"{found.stale_days} days) or never updated; the command tracker requests writes the messages to "
        "send. Quiet: open actions with no update for that long.",
    ]
    reasons = list(Reason)
    table = []
    for d in found.organisations:
        s = found.silence.get(d.key)
        table.append(
            [
                md_text(d.name, limit=60),
                str(len(d.actions)),
                *(str(d.count(r)) for r in reasons),
                "never" if s is None or s.days_silent is None else _plural(s.days_silent, "day"),
                s.share() if s else "–",
            ]
        )
    lines.extend(["", f"### Organisations: {len(found.organisations):,}"])
    headers = ["organisation", "owed", *(r.value for r in reasons), "since last update", "quiet"]
    _block(lines, md_table(headers, table, right=(1, 2, 3, 4, 5, 6)), "No organisation owes an update.")
    owners = [
        [md_text(d.name, limit=60), md_text(d.key), str(len(d.actions)), *(str(d.count(r)) for r in reasons)]
        for d in found.owners
    ]
    lines.extend(["", f"### Owners: {len(found.owners):,}"])
    headers = ["owner", "login", "owed", *(r.value for r in reasons)]
    _block(lines, md_table(headers, owners, right=(2, 3, 4, 5, 6)), "No named owner owes an update.")
    return lines


def _gaps_table(gaps: Sequence[GapView]) -> list[str]:
    rows = []
    for g in gaps:
        notes = []
        if g.unknown_allocations:
            notes.append(f"{_plural(g.unknown_allocations, 'allocation')} of unknown amount")
        if g.other_currency_allocations:
            notes.append(f"{_plural(g.other_currency_allocations, 'allocation')} in another currency")
        rows.append(
            [
                md_text(g.ref.partition("/")[2]),
                md_text(g.title, limit=TITLE_CHARS),
                md_text(g.lead, limit=40),
                money(g.cost, g.currency),
                money(g.allocated, g.currency),
                money(g.gap, g.currency),
                "; ".join(notes) or "–",
            ]
        )
    return md_table(["action", "title", "lead", "cost", "allocated", "gap", "notes"], rows, right=(3, 4, 5))


def _objective_gaps_table(gaps: Sequence[ObjectiveGapView]) -> list[str]:
    rows = [
        [
            md_text(g.key),
            md_text(g.title, limit=TITLE_CHARS),
            money(g.cost, g.currency),
            money(g.allocated, g.currency)
            + (f" + {_plural(g.unknown_allocations, 'unknown')}" if g.unknown_allocations else ""),
            money(g.gap, g.currency) if g.cost is not None else "unknown",
            str(g.actions_with_gap),
            str(g.actions_without_cost),
        ]
        for g in gaps
    ]
    headers = ["objective", "title", "known cost", "allocated", "gap", "actions short", "actions of unknown cost"]
    return md_table(headers, rows, right=(2, 3, 4, 5, 6))


def _sources_table(sources: Sequence[SourceView]) -> list[str]:
    rows = [
        [
            md_text(s.name, limit=TITLE_CHARS),
            s.kind.value.replace("_", " "),
            day(s.ends) + (" (ended)" if s.ended else ""),
            money(s.committed, s.currency),
            money(s.allocated_here, s.currency),
            money(s.remaining, s.currency)
            + (" (over-committed)" if s.over_committed else "")
            + (f" ({money(s.lapsed, s.currency)} lapsed)" if s.lapsed else ""),
        ]
        for s in sources
    ]
    headers = ["source", "kind", "ends", "committed", "allocated here", "remaining (all plans)"]
    return md_table(headers, rows, right=(3, 4, 5))


def funding_section(funding: FundingData, *, rows: int = TABLE_ROWS) -> list[str]:
    """The report's funding section: gaps by action and by objective, then the sources.

    One subsection per part of :class:`FundingData`; a new part (such as
    funding risks) is one more subsection appended here.
    """
    lines = ["", "## Funding"]
    gaps = funding.gaps
    lines.extend(["", f"### Actions with a funding gap: {money(funding.total_gap, funding.currency)} in all"])
    _block(lines, _gaps_table(gaps[:rows]), "No action with a known cost is short of money.")
    _more(lines, min(len(gaps), rows), len(gaps), "action")
    lines.extend(["", "### Objectives short of money or of cost estimates"])
    _block(lines, _objective_gaps_table(funding.objective_gaps[:rows]), "Every objective is costed and funded.")
    _more(lines, min(len(funding.objective_gaps), rows), len(funding.objective_gaps), "objective")
    lines.extend(["", "### Funding sources"])
    _block(lines, _sources_table(funding.sources[:rows]), "No source is allocated to this plan yet.")
    _more(lines, min(len(funding.sources), rows), len(funding.sources), "source")
    if funding.risks is not None:
        lines.extend(risks_section(funding.risks, rows=rows))
    return lines


def _findings_table(gaps: Sequence[FindingGap], *, with_actions: bool) -> list[str]:
    rows = []
    for f in gaps:
        if with_actions:
            last = ", ".join(md_text(a.partition("/")[2]) for a in f.actions)
            if f.unknown_allocations:
                last += f" ({_plural(f.unknown_allocations, 'allocation')} of unknown amount)"
        else:
            last = f"its {_plural(f.cancelled_actions, 'action')} cancelled" if f.cancelled_actions else "–"
        rows.append(
            [
                md_text(f.ref),
                md_text(f.workshop_title, limit=40),
                md_text(f.text, limit=TEXT_CHARS),
                last,
            ]
        )
    return md_table(["finding", "workshop", "what the community said", "actions" if with_actions else "note"], rows)


def _findings(data: ReportData) -> list[str]:
    cov = data.coverage
    lines = ["", "## Findings not yet answered", "", f"Coverage {counted_words(cov, md_text)}."]
    lines.extend(["", f"### Not answered by any goal, objective or action: {len(cov.unanswered):,}"])
    _block(lines, _findings_table(cov.unanswered, with_actions=False), "Every finding is answered.")
    lines.extend(["", f"### Answered only by actions without money: {len(cov.unfunded):,}"])
    _block(
        lines,
        _findings_table(cov.unfunded, with_actions=True),
        "Every finding answered by actions has at least one funded or finished action.",
    )
    return lines


def _indicators_table(indicators: Sequence[IndicatorProgress]) -> list[str]:
    rows = [
        [
            md_text(i.key),
            md_text(i.name, limit=TITLE_CHARS),
            md_text(i.unit, limit=20),
            i.direction.value,
            number(i.baseline),
            f"{number(i.latest)} on {day(i.latest_on)}",
            f"{number(i.target)} by {day(i.target_date)}",
            share(i.progress),
            share(i.expected),
        ]
        for i in indicators
    ]
    headers = ["indicator", "name", "unit", "direction", "baseline", "latest", "target", "progress", "expected"]
    return md_table(headers, rows, right=(4, 7, 8))


def _indicators(data: ReportData) -> list[str]:
    off = data.off_track
    cov = data.coverage
    lines = ["", f"## Indicators off track: {len(off):,}"]
    lines.extend(
        [
            "",
            "Progress is the share of the way from the baseline (at the plan's start) to the target; "
            "expected is where a straight line from one to the other stands on the latest measurement's date.",
        ]
    )
    _block(lines, _indicators_table(off), "No indicator that can be judged is behind.")
    unjudged = [i for i in data.indicators if i.judgement is not None]
    if unjudged:
        lines.extend(["", f"### Cannot be judged yet: {len(unjudged):,}", ""])
        table = [[md_text(i.key), md_text(i.name, limit=TITLE_CHARS), i.judgement or ""] for i in unjudged]
        lines.extend(md_table(["indicator", "name", "why"], table))
    if cov.objectives_without_indicators:
        lines.extend(["", f"### Objectives without indicators: {len(cov.objectives_without_indicators):,}", ""])
        table = [
            [md_text(o.key), md_text(o.title, limit=TITLE_CHARS), str(o.actions)]
            for o in cov.objectives_without_indicators
        ]
        lines.extend(md_table(["objective", "title", "actions"], table, right=(2,)))
    return lines


def _meetings(data: ReportData) -> list[str]:
    lines = ["", "## Next meetings", ""]
    if not data.meetings:
        return [*lines, "No working-group meetings are scheduled in the plan."]
    place = f", {md_text(data.meeting_place)}" if data.meeting_place else ""
    return [*lines, *(f"- {when:%A} {when.isoformat()}{place}" for when in data.meetings)]


def report_markdown(data: ReportData) -> str:
    """The whole report, ending with a newline."""
    lines = [
        *_header(data),
        *_summary(data),
        *_changes(data),
        *_attention(data),
        *_requests(data),
        *funding_section(data.funding),
        *_findings(data),
        *_indicators(data),
        *_meetings(data),
    ]
    return "\n".join(lines) + "\n"
