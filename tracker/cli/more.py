"""`tracker indicators ...`, `tracker member ...` and `tracker summary`."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import console, date_option, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say
from tracker.models.enums import Role

indicators_app = typer.Typer(
    help="Add, edit and show key metrics (indicators), and record their values.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
member_app = typer.Typer(
    help="Manage who may use a framework.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
admin_app = typer.Typer(
    help="Manage the database's admins (they create frameworks and name coordinators and admins).",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)


@indicators_app.command("record")
def record(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="framework-key/indicator-key", show_default=False)],
    value: Annotated[str, typer.Argument(help="The measured value.", show_default=False)],
    on: Annotated[
        str | None, typer.Option("--on", help="Date measured (default today): 2025-06-30, today, -1w.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", "-m", help="Where the figure comes from.")] = None,
) -> None:
    """Record a measurement of a key metric.

    Example: tracker indicators record stamford-ct/bias-reports 14 --on 2025-06-30 -m "Q2 portal count"
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.tracking.changes import record_measurement

        when = date_option(on)
        result = writing(
            settings, lambda s, a: record_measurement(session=s, actor=a, ref=ref, value=value, on=when, note=note)
        )
        say(f"{result['indicator']}: {result['value']} on {result['on']} recorded by {result['by']}")


@member_app.command("add")
def member_add(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The person's login.", show_default=False)],
    role: Annotated[Role, typer.Option("--role", help="coordinator, member or viewer.")],
    framework: Annotated[str, typer.Option("--framework", "-f", help="The framework they work in.")],
    stakeholder: Annotated[
        list[str] | None, typer.Option("--stakeholder", "-s", help="Their organisation's key (repeat for several).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Their full name.")] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Their email address (shown to them, coordinators and admins).")
    ] = None,
) -> None:
    """Give a login a role in a framework, and the organisations they belong to.

    An admin, or a coordinator of the framework, may add members and change their
    role there; a framework's first coordinator is named by an admin. The
    organisations count in this framework only. Demoting a framework's last
    coordinator is refused.

    Example: tracker member add ana --role member --framework stamford-ct --stakeholder domus-kids --email ana@domus.org
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.db import write_session
        from tracker.services.access.members import add_member, provide_login_role, resolve_member

        engine = settings.engine()
        actor_login = settings.login(engine)
        with write_session(engine) as session:
            member = add_member(
                session,
                actor=resolve_member(session, actor_login),
                login=login,
                role=role,
                framework=framework,
                stakeholders=stakeholder or [],
                name=name,
                email=email,
            )
            to_run = provide_login_role(session, member.login)
        orgs = ", ".join(s.key for s in member.stakeholders_in(framework)) or "no organisation"
        say(f"{member.login}: {role} in {framework} ({orgs})")
        if to_run:
            say(f"{member.login} has no database role yet: {to_run}")


def summary(
    ctx: typer.Context,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="Only this framework.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Plan health per framework: actions by status, progress, blocked, overdue, stale.

    Progress is done / (all - cancelled), counted per action.

    Example: tracker summary --framework stamford-ct --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.plan.frameworks import framework_summaries

        with reading(settings) as session:
            summaries = framework_summaries(session, framework=framework)
        if as_json:
            from tracker.exports.data import plain

            echo_json(
                [
                    {**plain(s), "progress": None if s.progress is None else round(s.progress, 4), "blocked": s.blocked}
                    for s in summaries
                ]
            )
        else:
            from tracker.cli.render import print_summaries

            print_summaries(summaries, out=console())


def _admin_change(ctx: typer.Context, work) -> None:  # type: ignore[no-untyped-def]
    from tracker.db import write_session
    from tracker.services.access.members import resolve_member

    settings: Settings = ctx.obj
    engine = settings.engine()
    actor_login = settings.login(engine)
    with write_session(engine) as session:
        work(session, resolve_member(session, actor_login))


@admin_app.command("add")
def admin_add(
    ctx: typer.Context, login: Annotated[str, typer.Argument(help="The login to make an admin.", show_default=False)]
) -> None:
    """Make a login an admin of the database (only admins may).

    Example: tracker admin add ana
    """
    with user_errors():
        from tracker.services.access.members import add_admin, provide_login_role

        made: list[bool] = []
        to_run: list[str | None] = []

        def work(session, actor):  # type: ignore[no-untyped-def]
            made.append(add_admin(session, actor=actor, login=login))
            to_run.append(provide_login_role(session, login))

        _admin_change(ctx, work)
        say(f"{login} is {'now' if made[0] else 'already'} an admin.")
        if to_run[0]:
            say(f"{login} has no database role yet: {to_run[0]}")


@admin_app.command("remove")
def admin_remove(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The admin to remove.", show_default=False)],
) -> None:
    """Take admin away from a login (only admins may; the last admin cannot be removed).

    Example: tracker admin remove ana
    """
    with user_errors():
        from tracker.services.access.members import remove_admin

        _admin_change(ctx, lambda s, a: remove_admin(s, actor=a, login=login))
        say(f"{login} is no longer an admin.")


@admin_app.command("list")
def admin_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False
) -> None:
    """The database's admins (any member may see who they are).

    Example: tracker admin list --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.rules import admin_logins

        with reading(settings) as session:
            logins = admin_logins(session)
        if as_json:
            echo_json(logins)
        else:
            for login in logins or ["(no admin)"]:
                say(login)
