"""Human output of the commands (scripts use --json)."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from tracker.seeding import FileReport
from tracker.services.frameworks import FrameworkSummary


def print_seed_reports(reports: Sequence[FileReport], *, dry_run: bool) -> None:
    if dry_run:
        typer.echo("Dry run: nothing was written. Applying these files would do this:")
    for report in reports:
        typer.echo(
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
                typer.echo(f"  {kind.replace('_', ' ')}: {', '.join(parts)}")


def print_framework_summaries(summaries: Sequence[FrameworkSummary]) -> None:
    """A table of frameworks; user text goes in as Text, so markup in it stays literal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Frameworks", title_justify="left")
    for column in (
        "framework",
        "city",
        "stage",
        "goals",
        "objectives",
        "actions",
        "done",
        "findings",
        "estimated cost",
    ):
        text_column = column in ("framework", "city", "stage")
        table.add_column(
            column,
            justify="left" if text_column else "right",
            no_wrap=column == "framework",
            overflow="ellipsis",
        )
    for s in summaries:
        place = ", ".join(p for p in (s.city, s.state or s.country) if p)
        progress = "-" if s.progress is None else f"{s.progress:.0%}"
        if s.estimated_cost is None:
            cost = "unknown"
        else:
            cost = f"{s.estimated_cost:,.2f}" + (
                f" (+{s.actions_without_cost} unknown)" if s.actions_without_cost else ""
            )
        table.add_row(
            Text(s.key),
            Text(place),
            Text(s.stage.value),
            str(s.goals),
            str(s.objectives),
            str(s.actions),
            progress,
            str(s.findings),
            Text(cost),
        )
    Console().print(table)
