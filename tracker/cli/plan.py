"""`tracker actions add|edit|move|cancel|delete`: coordinators changing the plan of actions.

Kept apart from `tracker.cli.actions` (reading and tracking): these are the plan's
writes, each one service call in one transaction; `register` adds them to `actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from tracker.cli.common import date_option, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say
from tracker.models.enums import Horizon, Visibility

RefArg = Annotated[str, typer.Argument(help="framework-key/action-key, e.g. stamford-ct/convene", show_default=False)]
ExpectVersion = Annotated[
    int | None,
    typer.Option("--expect-version", help="Refuse (exit 3) if the action is no longer at this version."),
]
Force = Annotated[bool, typer.Option("--force", help="Apply even over a newer change (recorded).")]
AsJson = Annotated[bool, typer.Option("--json", help="JSON for scripts.")]
Title = Annotated[str | None, typer.Option("--title", help="What the action is (1 to 500 characters).")]
Lead = Annotated[str | None, typer.Option("--lead", help="The lead stakeholder's key.")]
Horizon_ = Annotated[Horizon | None, typer.Option("--horizon", help="Default: from --due and the plan's windows.")]
Starts = Annotated[str | None, typer.Option("--starts", help="2025-06-01, 2025-06, today, +2w.")]
Due = Annotated[str | None, typer.Option("--due", help="2025-06-30, 2025-06 (its last day), today, +3m.")]
Cost = Annotated[str | None, typer.Option("--cost", help="Estimated cost, e.g. 12000 or 12000.50.")]
Description = Annotated[str | None, typer.Option("--description", help="Longer text (10,000 characters at most).")]
Owner = Annotated[
    str | None,
    typer.Option("--owner", help="The member responsible: a login of the lead's or a partner's people."),
]

Visibility_ = Annotated[
    Visibility | None,
    typer.Option(
        "--visibility", help="public: on the page of `tracker publish` when everything above it is public too."
    ),
]

Clear = Annotated[
    list[str] | None, typer.Option("--clear", help="Empty an optional field, e.g. --clear description (repeatable).")
]


def cleared(given: dict[str, Any], clear: list[str] | None, optional: tuple[str, ...]) -> dict[str, Any]:
    """The options given, and the optional fields named by ``--clear`` as None."""
    from tracker.errors import BadInput

    changes = {name: value for name, value in given.items() if value is not None}
    for name in clear or ():
        field = name.replace("-", "_")
        if field not in optional:
            raise BadInput(f"--clear {name}: only {', '.join(o.replace('_', '-') for o in optional)} can be emptied.")
        if field in changes:
            raise BadInput(f"--clear {name}: give --{name} or --clear {name}, not both.")
        changes[field] = None
    return changes


# The plan-file field a problem names, as the option that sets it here.
_OPTIONS = {"partners": "--partner", "objective": "--objective", "source": "SOURCE"}


@contextmanager
def options_named() -> Iterator[None]:
    """A problem in a field of the plan-file contract, said with the option that set it."""
    from tracker.errors import BadField, BadInput

    try:
        yield
    except BadField as exc:
        option = _OPTIONS.get(exc.field, "--" + exc.field.replace("_", "-"))
        raise BadInput(f"{option}{exc.message.removeprefix(exc.field)}") from None


def _done(detail: Any, as_json: bool, what: str) -> None:
    if as_json:
        from tracker.exports.data import plain

        echo_json(plain(detail.row))
    else:
        say(f"{detail.row.ref}: {what}, version {detail.row.version}")


def add(
    ctx: typer.Context,
    objective: Annotated[
        str, typer.Argument(help="framework-key/objective-key the action serves.", show_default=False)
    ],
    key: Annotated[str, typer.Option("--key", help="The action's key: lowercase words joined by -.")],
    title: Annotated[str, typer.Option("--title", help="What the action is (1 to 500 characters).")],
    lead: Annotated[str, typer.Option("--lead", help="The lead stakeholder's key.")],
    partner: Annotated[
        list[str] | None, typer.Option("--partner", help="A partner's key (repeat for several).")
    ] = None,
    owner: Owner = None,
    horizon: Horizon_ = None,
    starts: Starts = None,
    due: Due = None,
    cost: Cost = None,
    description: Description = None,
    as_json: AsJson = False,
) -> None:
    """Add an action to an objective of the plan; it starts as planned.

    Coordinators of the framework and admins may. Checked like a plan file's action:
    exit 2 names the option at fault.

    Example: tracker actions add stamford-ct/working-group --key youth-survey --title "Survey young people"
    --lead city-of-stamford --partner domus-kids --owner maria --due 2026-03
    """
    settings: Settings = ctx.obj
    with user_errors(), options_named():
        from tracker.services.plan.action_plan import add_action

        fields = {
            "key": key,
            "title": title,
            "lead": lead,
            "partners": partner or [],
            "owner": owner,
            "horizon": horizon,
            "starts": date_option(starts),
            "due": date_option(due, end_of_month=True),
            "cost": cost,
            "description": description,
        }
        detail = writing(settings, lambda s, a: add_action(session=s, actor=a, objective_ref=objective, fields=fields))
        _done(detail, as_json, "added")


def edit(
    ctx: typer.Context,
    ref: RefArg,
    title: Title = None,
    lead: Lead = None,
    partner: Annotated[list[str] | None, typer.Option("--partner", help="Add a partner (repeatable).")] = None,
    no_partner: Annotated[list[str] | None, typer.Option("--no-partner", help="Remove a partner (repeatable).")] = None,
    owner: Owner = None,
    no_owner: Annotated[bool, typer.Option("--no-owner", help="Name no owner.")] = False,
    horizon: Horizon_ = None,
    starts: Starts = None,
    due: Due = None,
    cost: Cost = None,
    description: Description = None,
    visibility: Visibility_ = None,
    clear: Clear = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Change an action's plan: only the options given change, each recorded in its history.

    --clear empties an optional field: --clear due takes the due date away.

    Give --expect-version with the version you read (tracker actions show): if someone
    changed the action since, nothing is written and exit 3 says who changed what.

    Coordinators of the framework and admins may. The owner must work for the lead or a
    partner in that framework (tracker member add gives a member an organisation).

    Example: tracker actions edit stamford-ct/convene --due 2026-06 --partner union-church --expect-version 3
             tracker actions edit stamford-ct/convene --owner maria
             tracker actions edit stamford-ct/convene --visibility public
    """
    settings: Settings = ctx.obj
    with user_errors(), options_named():
        from tracker.errors import BadInput
        from tracker.services.plan.edits import edit_action

        given = {
            "title": title,
            "lead": lead,
            "horizon": horizon,
            "starts": date_option(starts),
            "due": date_option(due, end_of_month=True),
            "cost": cost,
            "description": description,
            "visibility": visibility,
        }
        changes = cleared(given, clear, ("description", "starts", "due", "cost"))
        if owner is not None and no_owner:
            raise BadInput("give --owner LOGIN or --no-owner, not both.")
        if owner is not None or no_owner:
            changes["owner"] = owner
        if not changes and not partner and not no_partner:
            raise BadInput("give at least one option to change (tracker actions edit --help lists them).")
        detail = writing(
            settings,
            lambda s, a: edit_action(
                session=s,
                actor=a,
                ref=ref,
                changes=changes,
                expected_version=expect_version,
                force=force,
                add_partners=partner or (),
                remove_partners=no_partner or (),
            ),
        )
        _done(detail, as_json, "edited")


def move(
    ctx: typer.Context,
    ref: RefArg,
    objective: Annotated[str, typer.Option("--objective", help="The key of an objective of the same framework.")],
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Move an action under another objective of its framework.

    Example: tracker actions move stamford-ct/convene --objective coordination
    """
    settings: Settings = ctx.obj
    with user_errors(), options_named():
        from tracker.services.plan.action_plan import move_action

        detail = writing(
            settings,
            lambda s, a: move_action(
                session=s, actor=a, ref=ref, objective=objective, expected_version=expect_version, force=force
            ),
        )
        _done(detail, as_json, f"moved under {objective}")


def cancel(
    ctx: typer.Context,
    ref: RefArg,
    note: Annotated[str | None, typer.Option("--note", "-m", help="Why, in a few words.")] = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Cancel an action (a status change, kept in its history); coordinators and admins may.

    Example: tracker actions cancel stamford-ct/convene -m "merged into the youth survey"
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.plan.action_plan import cancel_action

        result = writing(
            settings,
            lambda s, a: cancel_action(
                session=s, actor=a, ref=ref, note=note, expected_version=expect_version, force=force
            ),
        )
        if as_json:
            from tracker.exports.data import plain
            from tracker.services.tracking.actions import get_action

            with reading(settings) as session:
                echo_json(plain(get_action(session, ref).row))
        else:
            say(f"{result.ref}: {result.from_status} -> {result.to_status}, version {result.version}")


def delete(
    ctx: typer.Context,
    ref: RefArg,
    expect_version: ExpectVersion = None,
    as_json: AsJson = False,
) -> None:
    """Delete an action added by mistake: added with `actions add`, nothing done with it since.

    An action with any history (a status change, a note, funding, an edit) is refused
    (exit 4): cancel it instead. The deletion is kept in the plan's audit.

    Example: tracker actions delete stamford-ct/youth-survey
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.plan.action_plan import delete_action

        result = writing(
            settings, lambda s, a: delete_action(session=s, actor=a, ref=ref, expected_version=expect_version)
        )
        if as_json:
            echo_json(result)
        else:
            say(f"{ref}: deleted")


def register(app: typer.Typer) -> None:
    """Add the plan's commands to `tracker actions`."""
    commands: list[tuple[str, Callable[..., None]]] = [
        ("add", add),
        ("edit", edit),
        ("move", move),
        ("cancel", cancel),
        ("delete", delete),
    ]
    for name, command in commands:
        app.command(name)(command)
