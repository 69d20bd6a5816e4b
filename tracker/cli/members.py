"""`tracker member list|edit|set-role|remove`: who works on a framework, and changing that.

`member add` lives with the foundation's commands (`tracker.cli.more`); `register`
adds these beside it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import console, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say, show, table
from tracker.models.enums import Role

Login = Annotated[str, typer.Argument(help="The person's login.", show_default=False)]
Framework = Annotated[str, typer.Option("--framework", "-f", help="The framework key.")]


def member_list(
    ctx: typer.Context,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="Only this framework.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """The members of your frameworks: login, name, email, role and organisations per framework,
    admin, and on PostgreSQL the database role each connects as.

    You see the members of the frameworks you belong to (an admin: every one). An email is
    shown to its member, to admins, and to coordinators of a framework the member is in.

    Example: tracker member list -f stamford-ct --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.roster import list_members

        with reading(settings) as session:
            rows = list_members(session, framework)
        if as_json:
            from tracker.exports.data import plain

            echo_json(plain(rows))
            return
        cells = [
            [
                r.login,
                r.name or "",
                r.email or "",
                "; ".join(f"{fw}: {role}" for fw, role in r.roles.items()),
                "; ".join(f"{fw}: {', '.join(keys)}" for fw, keys in r.organisations.items()),
                "admin" if r.admin else "",
            ]
            for r in rows
        ]
        headers = ["login", "name", "email", "roles", "organisations", ""]
        show(table(f"{len(rows)} members", headers, cells), out=console())


def member_edit(
    ctx: typer.Context,
    login: Login,
    name: Annotated[str | None, typer.Option("--name", help="Their full name.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Their email address.")] = None,
    new_login: Annotated[str | None, typer.Option("--login", help="Their new login.")] = None,
    clear: Annotated[
        list[str] | None, typer.Option("--clear", help="Empty a detail: name or email (repeat for both).")
    ] = None,
) -> None:
    """Fix a member's name, email or login.

    An admin may edit anyone; a coordinator, a login that is not an admin and whose every
    framework they coordinate (as for keys); a member, their own name and email but not
    their own login. A new login follows the rules of `member add` and must not exist in
    any case. On PostgreSQL the member keeps their database role (`member list` shows it):
    they go on connecting as before, now under the new login. Each change is recorded in
    the audit, in your name.

    Example: tracker member edit ana --name "Ana Silva" --email ana@domus.org --login asilva
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.details import edit_member

        changes = writing(
            settings,
            lambda s, a: edit_member(
                s, actor=a, login=login, name=name, email=email, new_login=new_login, clear=clear or []
            ),
        )
        if not changes:
            say(f"{login}: nothing changed")
            return
        shown = "; ".join(f"{field}: {old or '(none)'} -> {new or '(none)'}" for field, (old, new) in changes.items())
        say(f"{login}: {shown}")


def member_set_role(
    ctx: typer.Context,
    login: Login,
    role: Annotated[Role, typer.Option("--role", help="coordinator, member or viewer.")],
    framework: Framework,
) -> None:
    """Change a member's role in a framework (admins, and coordinators of it, may).

    A framework's last coordinator cannot be demoted: name another coordinator first.

    Example: tracker member set-role omar --role coordinator -f stamford-ct
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.roster import set_role

        writing(settings, lambda s, a: set_role(s, actor=a, login=login, role=role, framework=framework))
        say(f"{login}: {role} in {framework}")


def member_remove(ctx: typer.Context, login: Login, framework: Framework) -> None:
    """Take a member out of a framework: their role and their organisations there.

    Their history (status changes, notes) stays, under their login. Admins, and
    coordinators of the framework, may; the last coordinator cannot be removed.

    Example: tracker member remove omar -f stamford-ct
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.roster import remove_member

        role = writing(settings, lambda s, a: remove_member(s, actor=a, login=login, framework=framework))
        say(f"{login}: no longer a {role} in {framework}")


def register(app: typer.Typer) -> None:
    """Add these commands to `tracker member`."""
    app.command("list")(member_list)
    app.command("edit")(member_edit)
    app.command("set-role")(member_set_role)
    app.command("remove")(member_remove)
