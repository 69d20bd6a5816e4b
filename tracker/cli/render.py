"""Human output of the commands (scripts use --json)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracker.cli.output import Cell, Column, say, show, table
from tracker.cli.output import text as _text
from tracker.models.enums import Status
from tracker.seeding import FileReport
from tracker.services.plan.frameworks import FrameworkSummary
from tracker.services.views import ActionDetail, ActionRow, for_whom

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def print_seed_reports(reports: Sequence[FileReport], *, dry_run: bool) -> None:
    if dry_run:
        say("Dry run: nothing was written. Applying these files would do this:")
    for report in reports:
        say(
            f"{report.source}: framework {report.framework}: {report.created:,} created, "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged"
        )
        for kind, tally in report.tallies.items():
            parts = []
            if tally.created:
                parts.append(f"{tally.created:,} created")
            if tally.updated:
                parts.append(f"{tally.updated:,} updated")
            if tally.missing:
                parts.append(f"{tally.missing:,} not in the file (kept)")
            if parts:
                say(f"  {kind.replace('_', ' ')}: {', '.join(parts)}")
        for notice in report.kept:
            say(f"  kept: {notice}")


def print_framework_summaries(summaries: Sequence[FrameworkSummary]) -> None:
    """A table of frameworks, through the one inert renderer."""
    columns = []
    for column in (
        "framework",
        "city",
        "stage",
        "goals",
        "objectives",
        "actions",
        "progress",
        "findings",
        "estimated cost",
    ):
        text_column = column in ("framework", "city", "stage")
        columns.append(
            Column(
                column,
                {
                    "justify": "left" if text_column else "right",
                    "no_wrap": column == "framework",
                    "overflow": "ellipsis",
                },
            )
        )
    rows = []
    for s in summaries:
        place = ", ".join(p for p in (s.city, s.state or s.country) if p)
        progress = "-" if s.progress is None else f"{s.progress:.0%}"
        if s.estimated_cost is None:
            cost = "unknown"
        else:
            cost = f"{s.estimated_cost:,.2f}" + (
                f" (+{s.actions_without_cost} unknown)" if s.actions_without_cost else ""
            )
        rows.append(
            [
                s.key,
                place,
                s.stage.value,
                str(s.goals),
                str(s.objectives),
                str(s.actions),
                progress,
                str(s.findings),
                cost,
            ]
        )
    show(table("Frameworks", columns, rows))


STATUS_MARK = {s.value: s.label for s in Status}  # "◐ in progress"


def _money(value: object) -> str:
    return "unknown" if value is None else f"{value:,.2f}"


def print_actions(rows: Sequence[ActionRow], *, total: int, described: str, out: Console) -> None:
    """A table of actions, through the one inert renderer."""
    # Rich cannot shrink unwrapped cells below their length: share the width out here.
    room = max(out.width - 16, 60)  # 16: borders and padding of five columns
    one_framework = len({r.framework for r in rows}) <= 1
    refs = [r.key if one_framework else r.ref for r in rows]
    ref_w = min(max((len(x) for x in refs), default=6), 40 if room > 90 else 26)
    lead_w, due_w = min(24, room // 6), 18 if room > 90 else 12
    # The owner column when a row has one: as wide as the longest login, up to 16.
    owner_w = min(max((len(r.owner) for r in rows if r.owner), default=0), 16)
    if owner_w:
        owner_w = max(owner_w, 5)
    longest = max((len(r.title) for r in rows), default=12)
    title_w = max(12, min(longest, room - ref_w - lead_w - due_w - 13 - (owner_w + 3 if owner_w else 0)))
    cut = {"overflow": "ellipsis", "no_wrap": True}
    columns = [
        Column("action" if one_framework else "framework/action", {**cut, "width": ref_w}),
        Column("title", {**cut, "width": title_w}),
        Column("status", {"no_wrap": True, "width": 13}),
        Column("lead", {**cut, "width": lead_w}),
        *([Column("owner", {**cut, "width": owner_w})] if owner_w else []),
        Column("due", {**cut, "width": due_w}),
    ]
    cells: list[list[Cell]] = []
    for ref, r in zip(refs, rows, strict=True):
        late = (" overdue" if due_w >= 18 else " !") if r.overdue else ""
        due = "" if r.due is None else r.due.isoformat() + late
        owner: list[Cell] = [r.owner or ""] if owner_w else []
        status = STATUS_MARK[r.status.value]
        cells.append([ref, r.title, status, r.lead.name, *owner, (due, "bold" if r.overdue else "")])
    show(table(f"{len(rows)} of {total} actions: {described}", columns, cells), out=out)


def print_action(detail: ActionDetail, *, out: Console) -> None:

    r = detail.row
    lines = [
        ("action", r.ref),
        ("title", r.title),
        ("status", STATUS_MARK[r.status.value] + (" (overdue)" if r.overdue else "")),
        ("version", str(r.version)),
        ("goal", f"{r.goal_key}: {r.goal_title}"),
        ("objective", f"{r.objective_key}: {r.objective_title}"),
        ("horizon", r.horizon.value),
        ("lead", f"{r.lead.name} ({r.lead.key})"),
        ("partners", ", ".join(f"{p.name} ({p.key})" for p in r.partners) or "none"),
        ("owner", r.owner or "none"),
        ("starts", str(r.starts or "not set")),
        ("due", str(r.due or "not set")),
        ("completed", str(r.completed_on or "-")),
        ("cost", _money(r.cost)),
        ("funded", r.funded_text()),
        ("findings", ", ".join(detail.findings) or "none"),
        ("visibility", detail.visibility.value),
    ]
    for label, value in lines:
        show(_text(f"{label:>10}  ") + _text(value), out=out)
    if detail.description:
        show(_text(f"{'':>10}  ") + _text(detail.description), out=out)
    for a in detail.allocations:
        show(
            f"{'funding':>10}  {a.source_name} ({a.source_key}) FY{a.fiscal_year}: {_money(a.amount)} {a.currency}",
            out=out,
        )
    print_history(detail, out=out, retracted_in_full=False)


def _via(fingerprint: str | None) -> str:
    """How a write made through the team server names its key in the history."""
    return f" [ssh key {fingerprint}]" if fingerprint else ""


def print_history(
    detail: ActionDetail, plan_changes: Sequence[Any] = (), *, out: Console, retracted_in_full: bool = True
) -> None:
    """Status changes, notes and plan edits of an action, in the order they happened.

    Retracted notes are history: shown struck through and marked as retracted, or
    (``retracted_in_full`` false, the action's page) only counted."""
    events: list[tuple[object, Text]] = []
    for p in plan_changes:
        line = f"{p.at:%Y-%m-%d %H:%M}  {p.by or '?'} "
        if p.field in ("created", "deleted"):
            line += f"{p.field} it: {p.new or p.old}"
        else:
            line += f"changed {p.field}: {p.old if p.old is not None else '(none)'} -> "
            line += p.new if p.new is not None else "(none)"
        if p.forced:
            line += " (applied over a newer change)"
        events.append((p.at, _text(line + _via(p.via_key))))
    for c in detail.history:
        line = (
            f"{c.at:%Y-%m-%d %H:%M}  {c.by or '?'}{for_whom(c.on_behalf_of)}: {c.from_status or 'new'} -> {c.to_status}"
        )
        if c.forced:
            line += " (applied over a newer change)"
        if c.note:
            line += f": {c.note}"
        events.append((c.at, _text(line + _via(c.via_key))))
    for n in detail.notes:
        who = f"{n.by or '?'}{for_whom(n.on_behalf_of)}"
        events.append((n.at, _text(f"{n.at:%Y-%m-%d %H:%M}  {who} noted: {n.text}{_via(n.via_key)}")))
    if retracted_in_full:
        for g in detail.retracted_notes:
            struck = _text(f"{g.at:%Y-%m-%d %H:%M}  {g.by or '?'} noted: ") + _text(g.text, style="strike")
            struck += _text(_via(g.via_key))
            struck += _text(
                f" [retracted by {g.retracted_by or '?'} at {g.retracted_at:%Y-%m-%d %H:%M}{_via(g.retracted_via_key)}]"
            )
            events.append((g.at, struck))
    elif detail.retracted_notes:
        count = len(detail.retracted_notes)
        show(_text(f"{'notes':>10}  {count} note{'s' if count != 1 else ''} retracted (see its history)"), out=out)
    if not events:
        show(f"{detail.row.ref}: no status changes or notes yet", out=out)
        return
    show(f"history of {detail.row.ref}:", out=out)
    for _at, text in sorted(events, key=lambda e: e[0]):  # type: ignore[arg-type,return-value]
        show(_text("  ") + text, out=out)


def print_summaries(summaries: Sequence[FrameworkSummary], *, out: Console) -> None:
    columns = [
        Column(
            column,
            {
                "justify": "left" if column == "framework" else "right",
                "no_wrap": True,
                "overflow": "ellipsis",
                "min_width": {"framework": 10, "done": 9}.get(column, len(column)),
                "max_width": 18 if column == "framework" else 10,
            },
        )
        for column in ("framework", "actions", "done", "active", "blocked", "overdue", "stale")
    ]
    rows = []
    for s in summaries:
        done = s.by_status.get(Status.done, 0)
        rows.append(
            [
                s.key,
                str(s.actions),
                f"{done} ({'-' if s.progress is None else f'{s.progress:.0%}'})",
                str(s.by_status.get(Status.in_progress, 0)),
                str(s.blocked),
                str(s.overdue),
                str(s.stale),
            ]
        )
    caption = "done: done / (all - cancelled); active: in progress; stale: no update for 30 days"
    show(table("Plan health", columns, rows, caption=caption, caption_justify="center"), out=out)
