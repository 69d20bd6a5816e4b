"""`tracker funding source-add|source-edit|source-show|allocate|unallocate`: coordinators
changing funding sources and their allocations to actions.

Named so that `tracker funding sources` stays the listing they sort next to in --help.
Sources go the one edit path of every plan item (`tracker.cli.items`); allocations go
`tracker.services.plan.edits.set_allocation`, as an action's funding always has.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tracker.cli.common import date_option, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.items import add, edit, show_item
from tracker.cli.output import say
from tracker.cli.plan import AsJson, Clear, ExpectVersion, Force, cleared, options_named
from tracker.models.enums import FundingKind

SourceArg = Annotated[str, typer.Argument(help="The funding source's key.", show_default=False)]
Reference = Annotated[str | None, typer.Option("--reference", help="E.g. a federal opportunity number.")]
Amount = Annotated[str | None, typer.Option("--amount", help="Committed amount, e.g. 50000 (omit: unknown).")]
Currency = Annotated[str | None, typer.Option("--currency", help="ISO 4217 code, e.g. USD.")]
SourceStarts = Annotated[str | None, typer.Option("--starts", help="2025-07-01, 2025-07.")]
Ends = Annotated[str | None, typer.Option("--ends", help="2027-06-30, 2027-06 (its last day).")]
Notes = Annotated[str | None, typer.Option("--notes", help="Conditions, contacts (10,000 characters at most).")]
_SOURCE_OPTIONAL = ("reference", "amount", "starts", "ends", "notes")


def source_add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Its key: lowercase words joined by -.", show_default=False)],
    name: Annotated[str, typer.Option("--name", help="1 to 500 characters.")],
    kind: Annotated[FundingKind, typer.Option("--kind", help="What sort of money it is.")],
    reference: Reference = None,
    amount: Amount = None,
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217 code.")] = "USD",
    starts: SourceStarts = None,
    ends: Ends = None,
    notes: Notes = None,
    as_json: AsJson = False,
) -> None:
    """Add a funding source (shared by every framework): admins and coordinators may.

    Example: tracker funding source-add city-youth-fund --name "City youth fund" --kind local_budget
    --amount 80000 --starts 2025-07 --ends 2027-06
    """
    with user_errors(), options_named():
        fields = {
            "key": key, "name": name, "kind": kind, "reference": reference, "amount": amount, "currency": currency,
            "starts": date_option(starts), "ends": date_option(ends, end_of_month=True), "notes": notes,
        }  # fmt: skip
        add(ctx.obj, "source", "", fields, as_json=as_json)


def source_edit(
    ctx: typer.Context,
    key: SourceArg,
    name: Annotated[str | None, typer.Option("--name", help="1 to 500 characters.")] = None,
    kind: Annotated[FundingKind | None, typer.Option("--kind", help="What sort of money it is.")] = None,
    reference: Reference = None,
    amount: Amount = None,
    currency: Currency = None,
    starts: SourceStarts = None,
    ends: Ends = None,
    notes: Notes = None,
    clear: Clear = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Change a funding source. It is shared: an admin, or a coordinator of every framework
    whose actions it pays for, may.

    Example: tracker funding source-edit dhs-cp3 --amount 65000 --ends 2027-09 --expect-version 1
    """
    with user_errors(), options_named():
        given = {
            "name": name, "kind": kind, "reference": reference, "amount": amount, "currency": currency,
            "starts": date_option(starts), "ends": date_option(ends, end_of_month=True), "notes": notes,
        }  # fmt: skip
        changes = cleared(given, clear, _SOURCE_OPTIONAL)
        edit(ctx.obj, "source", key, changes, expect_version=expect_version, force=force, as_json=as_json)


def source_show(ctx: typer.Context, key: SourceArg, as_json: AsJson = False) -> None:
    """A funding source, its version, and its history of edits made in the tool.

    Example: tracker funding source-show dhs-cp3
    """
    with user_errors():
        show_item(ctx.obj, "source", key, as_json)


ActionArg = Annotated[str, typer.Argument(help="framework-key/action-key", show_default=False)]
Year = Annotated[int | None, typer.Option("--year", help="Fiscal year, e.g. 2026 (default: the current one).")]


def _allocation(ctx: typer.Context, action: str, source: str, year: int | None, **kw: Any) -> None:
    settings: Settings = ctx.obj
    as_json = kw.pop("as_json")
    from tracker.services.plan.edits import allocation_version, current_fiscal_year, set_allocation

    def work(session: Any, actor: Any) -> tuple[Any, int]:
        fiscal_year = year if year is not None else current_fiscal_year(session, action)
        detail = set_allocation(session=session, actor=actor, ref=action, source=source, fiscal_year=fiscal_year, **kw)
        return detail, fiscal_year

    detail, fiscal_year = writing(settings, work)
    with reading(settings) as session:
        version = allocation_version(session, action, source, fiscal_year)
    amount = next(
        (a.amount for a in detail.allocations if a.source_key == source and a.fiscal_year == fiscal_year), None
    )
    if as_json:
        from tracker.exports.data import plain

        echo_json(
            {
                "action": detail.row.ref, "source": source, "fiscal_year": fiscal_year,
                "amount": plain(amount), "removed": version is None, "version": version,
                "action_version": detail.row.version,
            }
        )  # fmt: skip
    elif version is None:
        say(f"{detail.row.ref}: no allocation from {source} for FY{fiscal_year} any more")
    else:
        shown = "unknown" if amount is None else f"{amount:,.2f}"
        say(f"{detail.row.ref}: {shown} from {source} for FY{fiscal_year}, version {version}")


def allocate(
    ctx: typer.Context,
    action: ActionArg,
    source: SourceArg,
    amount: Annotated[str, typer.Option("--amount", help="E.g. 12000, or 'unknown' when not known yet.")],
    year: Year = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Allocate money of a source to an action for a fiscal year, or change that allocation.

    --expect-version is the allocation's version (0: it should not exist yet).

    Example: tracker funding allocate stamford-ct/convene dhs-cp3 --amount 12000 --year 2026
    """
    with user_errors(), options_named():
        value = None if amount.strip().lower() == "unknown" else amount
        _allocation(
            ctx, action, source, year, amount=value, expected_version=expect_version, force=force, as_json=as_json
        )


def unallocate(
    ctx: typer.Context,
    action: ActionArg,
    source: SourceArg,
    year: Year = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Remove the allocation of a source to an action for a fiscal year (kept in its history).

    Example: tracker funding unallocate stamford-ct/convene dhs-cp3 --year 2025 --expect-version 1
    """
    with user_errors(), options_named():
        _allocation(
            ctx, action, source, year, amount=None, remove=True, expected_version=expect_version, force=force,
            as_json=as_json,
        )  # fmt: skip


def register(funding: typer.Typer) -> None:
    """Add the editing commands to `tracker funding`."""
    funding.command("source-add")(source_add)
    funding.command("source-edit")(source_edit)
    funding.command("source-show")(source_show)
    funding.command("allocate")(allocate)
    funding.command("unallocate")(unallocate)
