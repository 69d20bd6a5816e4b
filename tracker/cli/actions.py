"""`tracker actions ...`: list, show, change status, add notes, read history."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import check_option, console, date_option, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import document, say
from tracker.models.enums import Horizon, Status
from tracker.services.tracking.filters import SortField

app = typer.Typer(
    help="List and update actions.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

RefArg = Annotated[str, typer.Argument(help="framework-key/action-key, e.g. stamford-ct/convene", show_default=False)]


@app.command("list")
def list_(
    ctx: typer.Context,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="Framework key.")] = None,
    stakeholder: Annotated[
        list[str] | None, typer.Option("--stakeholder", "-s", help="Stakeholder key (repeat for several).")
    ] = None,
    as_lead: Annotated[bool, typer.Option("--as-lead", help="Only actions the stakeholder leads.")] = False,
    as_partner: Annotated[bool, typer.Option("--as-partner", help="Only actions the stakeholder supports.")] = False,
    status: Annotated[list[Status] | None, typer.Option("--status", help="Status (repeat for several).")] = None,
    horizon: Annotated[list[Horizon] | None, typer.Option("--horizon", help="Horizon (repeat for several).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Due before today and not done or cancelled.")] = False,
    stale: Annotated[bool, typer.Option("--stale", help="In progress with no update for --stale-days.")] = False,
    stale_days: Annotated[
        str, typer.Option("--stale-days", help="Days without update for --stale: 14, 14d or 2w (1 to 36,500 days).")
    ] = "30",
    due_before: Annotated[str | None, typer.Option("--due-before", help="2025-06-30, 2025-06, today, +2w.")] = None,
    due_after: Annotated[str | None, typer.Option("--due-after", help="2025-06-30, 2025-06, today, -1m.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Text in the title or description (200 characters at most).")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only actions this member (a login) owns.")] = None,
    mine: Annotated[
        bool,
        typer.Option("--mine", help="My actions: those I own first, then my organisations' where I work for them."),
    ] = False,
    sort: Annotated[SortField, typer.Option("--sort", help="Order of the list.")] = SortField.due,
    descending: Annotated[bool, typer.Option("--desc", help="Reverse the order.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many actions (1 to 1,000,000).")] = 50,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many first (0 to 1,000,000,000).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV, safe to open in a spreadsheet.")] = False,
) -> None:
    """List actions that match every filter given.

    Example: tracker actions list --framework stamford-ct --status in_progress --status blocked
             tracker actions list --stakeholder city-of-stamford --as-lead --overdue --json
             tracker --as maria actions list --mine
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.errors import BadInput
        from tracker.services.tracking.actions import count_actions, list_actions
        from tracker.services.tracking.filters import (
            MAX_LIMIT,
            MAX_OFFSET,
            MAX_SEARCH,
            MAX_STALE_DAYS,
            ActionFilter,
            StakeholderRole,
        )

        if as_lead and as_partner:
            raise BadInput("give --as-lead or --as-partner, not both (neither means either role).")
        if (as_lead or as_partner) and not stakeholder:
            raise BadInput("--as-lead and --as-partner go with --stakeholder KEY.")
        if as_json and as_csv:
            raise BadInput("give --json or --csv, not both.")
        from tracker.dates import parse_days

        days = check_option("--stale-days", parse_days(stale_days, "--stale-days"), 1, MAX_STALE_DAYS)
        check_option("--search", search, 0, MAX_SEARCH)
        if owner is not None:
            from tracker.names import check_login

            try:
                owner = check_login(owner)
            except ValueError as exc:
                raise BadInput(f"--owner: {exc}.") from None
        check_option("--limit", limit, 1, MAX_LIMIT)
        check_option("--offset", offset, 0, MAX_OFFSET)
        role = StakeholderRole.lead if as_lead else StakeholderRole.partner if as_partner else StakeholderRole.either
        flt = ActionFilter(
            framework=framework,
            stakeholders=tuple(stakeholder or ()),
            stakeholder_role=role,
            statuses=tuple(status or ()),
            horizons=tuple(horizon or ()),
            overdue=overdue,
            stale=stale,
            stale_days=days,
            due_before=date_option(due_before),
            due_after=date_option(due_after, end_of_month=True),
            text=search or None,
            owner=owner,
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
        )
        with reading(settings) as session:
            if mine:
                from tracker.services.tracking.mine import reader_login

                flt = flt.model_copy(update={"mine": reader_login(session)})
            rows = list_actions(session, flt)
            total = count_actions(session, flt)
        if as_json:
            from tracker.exports.actions import actions_json

            echo_json(actions_json(rows, total=total))
        elif as_csv:
            from tracker.exports.actions import actions_csv

            document(actions_csv(rows))
        else:
            from tracker.cli.render import print_actions

            print_actions(rows, total=total, described=flt.describe(), out=console())


@app.command()
def show(ctx: typer.Context, ref: RefArg, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Everything about one action: plan fields, funding, findings, history and notes.

    Example: tracker actions show stamford-ct/convene-working-group
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.tracking.actions import get_action

        with reading(settings) as session:
            detail = get_action(session, ref)
        if as_json:
            from tracker.exports.data import plain

            echo_json(plain(detail))
        else:
            from tracker.cli.render import print_action

            print_action(detail, out=console())


@app.command("set-status")
def set_status(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(help="framework-key/action-key, e.g. stamford-ct/convene", show_default=False),
    ] = None,
    status: Annotated[Status | None, typer.Argument(help="The new status.", show_default=False)] = None,
    note: Annotated[str | None, typer.Option("--note", "-m", help="Why, in a few words.")] = None,
    expect_version: Annotated[
        int | None,
        typer.Option("--expect-version", help="Refuse (exit 3) if the action is no longer at this version."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Apply even over a newer change (recorded).")] = False,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE|-",
            help="Many changes: JSON lines or CSV with ref,status,note,expect_version (- for stdin).",
        ),
    ] = None,
    atomic: Annotated[bool, typer.Option("--atomic", help="With --from: nothing unless every line applies.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Move an action to a new status, with a note; done records today's date.

    An action that already has the status is left as it is (exit 0; a note is still added).
    With --from, each line is its own change (in its own transaction; --atomic: all or
    nothing) and is reported; exit 0 when every line applied or already was so, else the
    first of 2 (bad lines), 4 (refused), 3 (conflicts).

    \b
    Example: tracker --as ana actions set-status stamford-ct/convene in_progress -m "first meeting set"
             printf '%s\\n' '{"ref": "stamford-ct/convene", "status": "done"}' | tracker actions set-status --from -
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.errors import BadInput

        if from_file is not None:
            if ref is not None or status is not None or note is not None or expect_version is not None or force:
                raise BadInput(
                    "--from reads every change from the file: give no REF, STATUS, -m, --expect-version or --force."
                )
            from tracker.cli.updates import run_bulk
            from tracker.services.tracking.update_files import read_status_lines

            run_bulk(settings, lambda: read_status_lines(from_file), atomic=atomic, dry_run=False, as_json=as_json)
            return
        if atomic:
            raise BadInput("--atomic goes with --from FILE.")
        if ref is None or status is None:
            raise BadInput("give the action and its new status (REF STATUS), or --from FILE.")
        from tracker.services.tracking import changes as tracking

        result = writing(
            settings,
            lambda session, actor: tracking.set_status(
                session=session,
                actor=actor,
                ref=ref,
                status=status,
                note=note,
                expected_version=expect_version,
                force=force,
            ),
        )
        if as_json:
            from tracker.exports.data import plain
            from tracker.services.tracking.actions import get_action

            with reading(settings) as session:
                echo_json(plain(get_action(session, ref).row))
        elif result.unchanged:
            added = "; the note is added" if note else ""
            say(f"{result.ref}: already {result.to_status.words}; nothing changed{added}")
        else:
            forced = " (applied over a newer change)" if result.forced else ""
            say(f"{result.ref}: {result.from_status} -> {result.to_status}, version {result.version}{forced}")


@app.command()
def note(ctx: typer.Context, ref: RefArg, text: Annotated[str, typer.Argument(show_default=False)]) -> None:
    """Add a note to an action (progress in words; the status stays as it is).

    Example: tracker actions note stamford-ct/convene "Invitations sent to all faith leaders"
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.tracking import changes as tracking

        writing(settings, lambda s, a: tracking.add_note(session=s, actor=a, ref=ref, text=text))
        say(f"{ref}: note added")


@app.command()
def history(ctx: typer.Context, ref: RefArg, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The action's status changes, notes and plan edits (who changed which field from what to what), oldest first.

    Example: tracker actions history stamford-ct/convene --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.plan.action_plan import plan_history
        from tracker.services.tracking.actions import get_action

        with reading(settings) as session:
            detail = get_action(session, ref)
            edits = plan_history(session, ref)
        if as_json:
            from tracker.exports.data import plain

            echo_json(
                {
                    "ref": detail.row.ref,
                    "changes": plain(detail.history),
                    "notes": plain(detail.notes),
                    "plan_changes": plain(edits),
                }
            )
        else:
            from tracker.cli.render import print_history

            print_history(detail, edits, out=console())
