"""`tracker funding ...`: funding gaps, sources and sustainability risks, thin over the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.common import check_option, console, echo_json, reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import document, say, show

if TYPE_CHECKING:
    from tracker.services.funding.gaps import GapRollupView
    from tracker.services.funding.risks import FundingRisks
    from tracker.services.funding.sources import SourceTotalView, SourceView

app = typer.Typer(
    help="Funding gaps, sources and sustainability risks.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

FrameworkOpt = Annotated[str | None, typer.Option("--framework", "-f", help="Framework key (default: every one).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON for scripts (money as exact strings).")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV, safe to open in a spreadsheet.")]


def _money(value: Decimal | None) -> str:
    return "unknown" if value is None else f"{value:,.2f}"


def _table(title: str, columns: list[str], rows: list[list[str]], *, caption: str | None = None) -> None:
    """A table of amounts: the second column (a title or name) is cut, the amounts never are."""
    from tracker.cli.output import Column, table

    specs = []
    for n, column in enumerate(columns):
        if n == 1:  # a title or name: cut, so that the amounts keep their room
            specs.append(Column(column, {"overflow": "ellipsis", "no_wrap": True, "max_width": 22}))
        else:
            widest = max([len(column), *(len(row[n]) for row in rows)])  # amounts are never cut
            specs.append(
                Column(column, {"justify": "left" if n == 0 else "right", "no_wrap": True, "min_width": widest})
            )
    out = console()
    # Amounts are never cut: on a narrow terminal the table gets the width it needs (and wraps).
    needed = sum(max([len(c), *(len(r[n]) for r in rows)]) + 3 for n, c in enumerate(columns) if n != 1) + 26
    if needed > out.width:
        out.width = needed
    show(table(title, specs, rows, caption=caption), out=out)


def _one_output(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        from tracker.errors import BadInput

        raise BadInput("give --json or --csv, not both.")


@app.command()
def gaps(
    ctx: typer.Context,
    framework: FrameworkOpt = None,
    by: Annotated[str, typer.Option("--by", help="action, objective, goal, framework or year.")] = "action",
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most this many rows, 1 to 1,000,000 (default: all).")
    ] = None,
    only_short: Annotated[
        bool, typer.Option("--short", help="Only rows with a gap or with actions of unknown cost.")
    ] = False,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Funding gaps: estimated cost minus what is allocated, largest first (by year: in time order).

    An action's gap counts the known allocations from sources in its framework's
    currency; allocations of unknown amount and in other currencies are counted
    apart, and an action of unknown cost is counted as such, never as zero.
    Cancelled actions are left out.

    --by year spreads each action's cost over its framework's fiscal years, pro
    rata by days from its start to its due date; an action with only one of the
    two dates puts all of it in that date's fiscal year, one with neither in an
    "unscheduled" row. Allocations count in the fiscal year they are given for.

    Example: tracker funding gaps --framework stamford-ct --by objective
             tracker funding gaps --by year --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.funding.gaps import gap_rollup
        from tracker.services.tracking.filters import MAX_LIMIT

        check_option("--limit", limit, 1, MAX_LIMIT)
        _one_output(as_json, as_csv)
        with reading(settings) as session:
            rows = gap_rollup(session, framework=framework, by=by, limit=limit, only_short=only_short)
        if as_json:
            from tracker.exports.data import plain

            echo_json(plain(rows))
        elif as_csv:
            document(_gaps_csv(rows))
        else:
            _print_gaps(rows, by)


def _gaps_csv(rows: list[GapRollupView]) -> str:
    import dataclasses

    from tracker.exports.csv_out import write_csv
    from tracker.exports.data import plain
    from tracker.services.funding.gaps import GapRollupView

    names = [f.name for f in dataclasses.fields(GapRollupView)]
    return write_csv(names, ([plain(getattr(r, n)) for n in names] for r in rows))


def _print_gaps(rows: list[GapRollupView], by: str) -> None:
    from tracker.services.funding.gaps import gap_notes, shortfall_words

    if not rows:
        say("No actions to count (cancelled actions are left out).")
        return
    table = []
    noted: list[str] = []
    for r in rows:
        notes = gap_notes(r)
        count = "" if by == "action" else str(r.actions)
        table.append([r.ref, r.title, f"{_money(r.gap)} {r.currency}", _money(r.cost), _money(r.allocated), count])
        if notes:
            noted.append(f"{r.ref}: {'; '.join(notes)}")
    cost = "need" if by == "year" else "cost"
    _table(
        f"Funding gaps by {by}: {len(rows)} rows, {shortfall_words(rows)}",
        [by, "title", "gap", cost, "allocated", "actions" if by != "action" else ""],
        table,
    )
    for line in noted:  # under the table, whole, as the table has no room for them
        show(line)


@app.command()
def sources(
    ctx: typer.Context, framework: FrameworkOpt = None, as_json: JsonOpt = False, as_csv: CsvOpt = False
) -> None:
    """Funding sources: committed, allocated and remaining, over-commitment flagged, with totals
    per kind (federal, state, local government, foundations, in-kind...) and currency.

    With --framework, only the sources that fund its actions ("to this plan" is
    the part it receives). Currencies are never added together.

    Example: tracker funding sources --framework stamford-ct
             tracker funding sources --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.funding.sources import funding_sources, source_totals

        _one_output(as_json, as_csv)
        with reading(settings) as session:
            today = dt.date.today()
            found = funding_sources(session, today=today, framework=framework)
            totals = source_totals(session, today=today, framework=framework)
        if as_json:
            from tracker.exports.data import plain

            echo_json({"sources": plain(found), "totals": plain(totals)})
        elif as_csv:
            import dataclasses

            from tracker.exports.csv_out import write_csv
            from tracker.exports.data import plain
            from tracker.services.funding.sources import SourceView

            names = [f.name for f in dataclasses.fields(SourceView)]
            document(write_csv(names, ([plain(getattr(s, n)) for n in names] for s in found)))
        else:
            _print_sources(found, totals)


def _print_sources(found: list[SourceView], totals: list[SourceTotalView]) -> None:
    if not found:
        say("No funding sources.")
        return
    rows = []
    for s in found:
        remaining = _money(s.remaining) + (" OVER-COMMITTED" if s.over_committed else "")
        allocated = _money(s.allocated) + (f" + {s.unknown_allocations} unknown" if s.unknown_allocations else "")
        period = "unknown" if s.starts is None and s.ends is None else f"{s.starts or '?'} to {s.ends or '?'}"
        lapsed = "" if not s.ended else "ENDED" if s.lapsed is None else f"ENDED, {_money(s.lapsed)} lapsed"
        rows.append([s.key, s.name, _money(s.committed), allocated, remaining, s.currency, period, lapsed])
    ended = sum(s.ended for s in found)
    _table(
        "Funding sources",
        ["source", "name", "committed", "allocated", "remaining", "currency", "period", "ended"],
        rows,
        caption=f"{ended} ended: what they never allocated has lapsed, and nothing remains to allocate."
        if ended
        else None,
    )
    _table(
        "Totals per kind and currency",
        ["kind", "currency", "sources", "committed", "allocated", "remaining", "over-committed", "lapsed"],
        [
            [
                t.group,
                t.currency,
                str(t.sources),
                _money(t.committed) + (f" (+{t.sources_without_amount} unknown)" if t.sources_without_amount else ""),
                _money(t.allocated) + (f" + {t.unknown_allocations} unknown" if t.unknown_allocations else ""),
                _money(t.remaining),
                str(t.over_committed),
                _money(t.lapsed) + (f" ({t.ended} ended)" if t.ended else ""),
            ]
            for t in totals
        ],
    )


def _share(text: str) -> Decimal:
    from tracker.errors import BadInput
    from tracker.services.funding.risks import SHARE_PLACES

    try:
        value = Decimal(text[:50])
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise BadInput(f"--share is a fraction between 0 and 1 (0.75 for 75 %), not {text[:50]!r}.")
    if value != value.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
        raise BadInput(f"--share takes at most {SHARE_PLACES} decimal places (0.0001 is 0.01 %), not {text[:50]!r}.")
    return value


@app.command()
def risks(
    ctx: typer.Context,
    framework: FrameworkOpt = None,
    months: Annotated[int, typer.Option("--months", help="Sources ending within this many months (0 to 1,200).")] = 6,
    share: Annotated[
        str, typer.Option("--share", help="Flag dependence on one source above this fraction, 0 to 1 (0.75 = 75 %).")
    ] = "0.75",
    as_json: JsonOpt = False,
) -> None:
    """Sustainability risks: funding cliffs, dependence on one source, sources ending soon.

    A cliff is open work (an action not done or cancelled) that runs past the
    end of a source that funds it, where open work runs until the later of its
    due date and today: every open action funded by a source that has ended is
    one. "At risk" is everything that source gives the action, and
    "after end" the part allocated to fiscal years that begin after the source
    ends. Dependence: an action (or a whole framework) gets more than --share
    of its known allocations from one source.

    Example: tracker funding risks --framework stamford-ct --months 12 --share 0.6
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.funding.risks import MAX_MONTHS, funding_risks

        check_option("--months", months, 0, MAX_MONTHS)
        fraction = _share(share)
        with reading(settings) as session:
            found = funding_risks(session, framework=framework, months=months, share=fraction, today=dt.date.today())
        if as_json:
            from tracker.exports.data import plain

            echo_json(plain(found))
        else:
            _print_risks(found)


def _print_risks(r: FundingRisks) -> None:
    say(f"Funding risks as of {r.today}:")
    if r.cliffs:
        _table(
            f"Funding cliffs: {len(r.cliffs)} open actions run past the end of a source that funds them",
            ["action", "source", "source ends", "due", "at risk", "after end", "currency"],
            [
                [
                    c.ref,
                    c.source,
                    f"{c.source_ends} ENDED" if c.source_ended else str(c.source_ends),
                    "none" if c.due is None else str(c.due),
                    _money(c.at_risk),
                    _money(c.booked_after_end),
                    c.currency,
                ]
                for c in r.cliffs
            ],
        )
    else:
        say("No funding cliffs: no open action runs past the end of a source that funds it.")
    dependent = [*r.dependent_frameworks, *r.dependent_actions]
    if dependent:
        _table(
            f"More than {r.share:.0%} of the known allocations from one source",
            ["framework or action", "source", "share", "from source", "of all", "currency"],
            [
                [d.ref, d.source, f"{d.share:.1%}", _money(d.from_source), _money(d.total), d.currency]
                for d in dependent
            ],
        )
    else:
        say(f"No action or framework gets more than {r.share:.0%} of its known allocations from one source.")
    if r.ending_sources:
        _table(
            f"Sources ending by {r.until} ({r.months} months)",
            ["source", "name", "ends", "days left", "allocated", "open actions", "running past end"],
            [
                [
                    e.key,
                    e.name,
                    str(e.ends),
                    str(e.days_left),
                    f"{_money(e.allocated)} {e.currency}",
                    str(e.open_actions),
                    str(e.running_past_end),
                ]
                for e in r.ending_sources
            ],
        )
    else:
        say(f"No source ends between {r.today} and {r.until}.")
