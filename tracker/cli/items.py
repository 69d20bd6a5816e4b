"""`tracker goals|objectives|indicators add|edit|show`: coordinators changing the plan's items.

Thin over `tracker.services.plan.items` (one edit path for every kind, funding sources
included: see `tracker.cli.funding_edits`); problems are named by the option that set them.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tracker.cli.common import date_option, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say
from tracker.cli.plan import AsJson, Clear, ExpectVersion, Force, Visibility_, cleared, options_named
from tracker.models.enums import Direction

_HELP = {"help_option_names": ["-h", "--help"]}
goals_app = typer.Typer(help="Add and edit the plan's goals.", context_settings=_HELP, no_args_is_help=True)
objectives_app = typer.Typer(help="Add and edit the plan's objectives.", context_settings=_HELP, no_args_is_help=True)

Key = Annotated[str, typer.Option("--key", help="Its key: lowercase words joined by -.")]
ItemRef = Annotated[str, typer.Argument(help="framework-key/item-key, e.g. stamford-ct/g1", show_default=False)]
Title = Annotated[str | None, typer.Option("--title", help="1 to 500 characters.")]
Description = Annotated[str | None, typer.Option("--description", help="Longer text (10,000 characters at most).")]
Position = Annotated[
    int | None, typer.Option("--position", help="Its place among its siblings: 1 is first (default: last).")
]
Finding = Annotated[
    list[str] | None, typer.Option("--finding", help="Link a finding, workshop-key/finding-key (repeatable).")
]
NoFinding = Annotated[list[str] | None, typer.Option("--no-finding", help="Unlink a finding (repeatable).")]


def shown(view: Any, as_json: bool, what: str) -> None:
    if as_json:
        from tracker.exports.data import plain

        echo_json(plain(view))
    else:
        say(f"{view.ref}: {what}, version {view.version}")


def add(
    settings: Settings, kind: str, under: str, fields: dict[str, Any], *, position: int | None = None,
    findings: list[str] | None = None, as_json: bool = False,
) -> None:  # fmt: skip
    from tracker.services.plan.items import add_item

    view = writing(
        settings,
        lambda s, a: add_item(
            session=s, actor=a, kind_name=kind, under=under, fields=fields, position=position, findings=findings or ()
        ),
    )
    shown(view, as_json, "added")


def edit(
    settings: Settings, kind: str, ref: str, changes: dict[str, Any], *, parent: str | None = None,
    position: int | None = None, finding: list[str] | None = None, no_finding: list[str] | None = None,
    expect_version: int | None, force: bool, as_json: bool,
) -> None:  # fmt: skip
    from tracker.errors import BadInput
    from tracker.services.plan.items import edit_item

    if not changes and parent is None and position is None and not finding and not no_finding:
        raise BadInput("give at least one option to change (--help lists them).")
    view = writing(
        settings,
        lambda s, a: edit_item(
            session=s, actor=a, kind_name=kind, ref=ref, changes=changes, parent=parent, position=position,
            add_findings=finding or (), remove_findings=no_finding or (), expected_version=expect_version, force=force,
        ),
    )  # fmt: skip
    shown(view, as_json, "edited")


def show_item(settings: Settings, kind: str, ref: str, as_json: bool) -> None:
    from tracker.services.plan.item_history import item_history
    from tracker.services.plan.items import item_view

    with reading(settings) as session:
        view = item_view(session, kind, ref)
        history = item_history(session, kind, ref)
    if as_json:
        from tracker.exports.data import plain

        echo_json({**plain(view), "plan_changes": plain(history)})
        return
    from tracker.cli.output import Column, show, table

    rows = [[name.replace("_", " "), "" if value is None else str(value)] for name, value in view.fields.items()]
    if view.parent is not None:
        rows.insert(0, ["under", view.parent])
    if view.position is not None:
        rows.append(["position", str(view.position)])
    if view.findings:
        rows.append(["findings", ", ".join(view.findings)])
    rows.append(["version", str(view.version)])
    show(table(view.ref, [Column("field", {}), Column("value", {})], rows))
    if history:
        changes = [
            [f"{c.at:%Y-%m-%d %H:%M}", c.by or "", c.field, c.old or "", c.new or "", "forced" if c.forced else ""]
            for c in history
        ]
        columns = [Column(name, {}) for name in ("at (UTC)", "by", "field", "from", "to", "")]
        show(table("history", columns, changes))


# -- goals ------------------------------------------------------------------------------------


@goals_app.command("add")
def goal_add(
    ctx: typer.Context,
    framework: Annotated[str, typer.Argument(help="The framework's key.", show_default=False)],
    key: Key,
    title: Annotated[str, typer.Option("--title", help="1 to 500 characters.")],
    description: Description = None,
    position: Position = None,
    finding: Finding = None,
    as_json: AsJson = False,
) -> None:
    """Add a goal to a framework's plan; coordinators of the framework and admins may.

    Example: tracker goals add stamford-ct --key youth --title "Young people are safe" --finding w1/f2
    """
    with user_errors(), options_named():
        fields = {"key": key, "title": title, "description": description}
        add(ctx.obj, "goal", framework, fields, position=position, findings=finding, as_json=as_json)


@goals_app.command("edit")
def goal_edit(
    ctx: typer.Context,
    ref: ItemRef,
    title: Title = None,
    description: Description = None,
    position: Position = None,
    finding: Finding = None,
    no_finding: NoFinding = None,
    visibility: Visibility_ = None,
    clear: Clear = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Change a goal: only the options given change, each recorded in its history.

    Give --expect-version with the version you read (tracker goals show): if someone
    changed the goal since, nothing is written and exit 3 says who changed what.

    Example: tracker goals edit stamford-ct/g1 --title "Every young person is safe" --position 1 --expect-version 2
             tracker goals edit stamford-ct/g1 --visibility public
    """
    with user_errors(), options_named():
        given = {"title": title, "description": description, "visibility": visibility}
        changes = cleared(given, clear, ("description",))
        edit(
            ctx.obj, "goal", ref, changes, position=position, finding=finding, no_finding=no_finding,
            expect_version=expect_version, force=force, as_json=as_json,
        )  # fmt: skip


@goals_app.command("show")
def goal_show(ctx: typer.Context, ref: ItemRef, as_json: AsJson = False) -> None:
    """A goal, its version, and its history of edits made in the tool.

    Example: tracker goals show stamford-ct/g1 --json
    """
    with user_errors():
        show_item(ctx.obj, "goal", ref, as_json)


# -- objectives -------------------------------------------------------------------------------


@objectives_app.command("add")
def objective_add(
    ctx: typer.Context,
    goal: Annotated[str, typer.Argument(help="framework-key/goal-key it serves.", show_default=False)],
    key: Key,
    title: Annotated[str, typer.Option("--title", help="1 to 500 characters.")],
    description: Description = None,
    position: Position = None,
    finding: Finding = None,
    as_json: AsJson = False,
) -> None:
    """Add an objective under a goal; coordinators of the framework and admins may.

    Example: tracker objectives add stamford-ct/g1 --key mentoring --title "Mentors for young people"
    """
    with user_errors(), options_named():
        fields = {"key": key, "title": title, "description": description}
        add(ctx.obj, "objective", goal, fields, position=position, findings=finding, as_json=as_json)


@objectives_app.command("edit")
def objective_edit(
    ctx: typer.Context,
    ref: ItemRef,
    title: Title = None,
    description: Description = None,
    goal: Annotated[str | None, typer.Option("--goal", help="Move it under this goal (its key).")] = None,
    position: Position = None,
    finding: Finding = None,
    no_finding: NoFinding = None,
    visibility: Visibility_ = None,
    clear: Clear = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Change an objective, move it under another goal, or reorder it; each change is in its history.

    Example: tracker objectives edit stamford-ct/g1-o1 --goal g2 --position 1 --expect-version 1
    """
    with user_errors(), options_named():
        given = {"title": title, "description": description, "visibility": visibility}
        changes = cleared(given, clear, ("description",))
        edit(
            ctx.obj, "objective", ref, changes, parent=goal, position=position, finding=finding,
            no_finding=no_finding, expect_version=expect_version, force=force, as_json=as_json,
        )  # fmt: skip


@objectives_app.command("show")
def objective_show(ctx: typer.Context, ref: ItemRef, as_json: AsJson = False) -> None:
    """An objective, its version, and its history of edits made in the tool.

    Example: tracker objectives show stamford-ct/g1-o1
    """
    with user_errors():
        show_item(ctx.obj, "objective", ref, as_json)


# -- indicators -------------------------------------------------------------------------------

Unit = Annotated[str | None, typer.Option("--unit", help="What is counted, e.g. reports, %, people.")]
Baseline = Annotated[str | None, typer.Option("--baseline", help="The value at the start, e.g. 12 or 3.5.")]
Target = Annotated[str | None, typer.Option("--target", help="The value aimed at.")]
TargetDate = Annotated[str | None, typer.Option("--target-date", help="2027-06-30, 2027-06 (its last day).")]
Direction_ = Annotated[Direction | None, typer.Option("--direction", help="Which way is better.")]
_INDICATOR_OPTIONAL = ("baseline", "target", "target_date", "description")


def indicator_add(
    ctx: typer.Context,
    objective: Annotated[str, typer.Argument(help="framework-key/objective-key it measures.", show_default=False)],
    key: Key,
    name: Annotated[str, typer.Option("--name", help="1 to 500 characters.")],
    unit: Annotated[str, typer.Option("--unit", help="What is counted, e.g. reports, %, people.")],
    baseline: Baseline = None,
    target: Target = None,
    target_date: TargetDate = None,
    direction: Direction_ = None,
    description: Description = None,
    position: Position = None,
    as_json: AsJson = False,
) -> None:
    """Add a key metric to an objective; coordinators of the framework and admins may.

    Example: tracker indicators add stamford-ct/g1-o1 --key mentors --name "Active mentors" --unit people
    --baseline 4 --target 40 --target-date 2027-06
    """
    with user_errors(), options_named():
        fields = {
            "key": key, "name": name, "unit": unit, "baseline": baseline, "target": target,
            "target_date": date_option(target_date, end_of_month=True), "direction": direction,
            "description": description,
        }  # fmt: skip
        add(ctx.obj, "indicator", objective, fields, position=position, as_json=as_json)


def indicator_edit(
    ctx: typer.Context,
    ref: ItemRef,
    name: Annotated[str | None, typer.Option("--name", help="1 to 500 characters.")] = None,
    unit: Unit = None,
    baseline: Baseline = None,
    target: Target = None,
    target_date: TargetDate = None,
    direction: Direction_ = None,
    description: Description = None,
    objective: Annotated[str | None, typer.Option("--objective", help="Move it under this objective.")] = None,
    position: Position = None,
    visibility: Visibility_ = None,
    clear: Clear = None,
    expect_version: ExpectVersion = None,
    force: Force = False,
    as_json: AsJson = False,
) -> None:
    """Change a key metric (its measurements stay); each change is in its history.

    Example: tracker indicators edit stamford-ct/bias-reports --target 10 --clear baseline --expect-version 1
    """
    with user_errors(), options_named():
        given = {
            "name": name, "unit": unit, "baseline": baseline, "target": target,
            "target_date": date_option(target_date, end_of_month=True), "direction": direction,
            "description": description, "visibility": visibility,
        }  # fmt: skip
        changes = cleared(given, clear, _INDICATOR_OPTIONAL)
        edit(
            ctx.obj, "indicator", ref, changes, parent=objective, position=position,
            expect_version=expect_version, force=force, as_json=as_json,
        )  # fmt: skip


def indicator_show(ctx: typer.Context, ref: ItemRef, as_json: AsJson = False) -> None:
    """A key metric, its version, and its history of edits made in the tool.

    Example: tracker indicators show stamford-ct/bias-reports --json
    """
    with user_errors():
        show_item(ctx.obj, "indicator", ref, as_json)


def register(indicators: typer.Typer) -> None:
    """Add the editing commands to `tracker indicators`."""
    indicators.command("add")(indicator_add)
    indicators.command("edit")(indicator_edit)
    indicators.command("show")(indicator_show)
