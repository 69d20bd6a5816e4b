"""The `tracker` command: global options and the commands of the foundation.

Exit codes: 0 ok, 1 failure, 2 bad input or usage, 3 conflict (the item changed since it
was read), 4 permission denied (or an unknown login).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from tracker.cli.actions import app as actions_app
from tracker.cli.context import Settings, fail, user_errors
from tracker.cli.coverage import coverage
from tracker.cli.entry import global_options_first
from tracker.cli.export import export
from tracker.cli.funding import app as funding_app
from tracker.cli.funding_edits import register as register_funding_edits
from tracker.cli.items import goals_app, objectives_app
from tracker.cli.items import register as register_item_commands
from tracker.cli.keys import app as keys_app
from tracker.cli.members import register as register_member_commands
from tracker.cli.more import admin_app, indicators_app, member_app, summary
from tracker.cli.output import document, say, stderr_console, visible
from tracker.cli.plan import register as register_plan_commands
from tracker.cli.publish import publish
from tracker.cli.report import report
from tracker.cli.requests import requests
from tracker.cli.server import app as server_app
from tracker.cli.ssh_session import ssh_session
from tracker.cli.undo import undo
from tracker.cli.updates import import_updates
from tracker.errors import EXIT_BAD_INPUT


class _Root(TyperGroup):
    """The root command, which also takes the global options after the command."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        try:
            args = global_options_first(args, own=self._own_options(ctx, args))
        except ValueError as exc:
            fail(str(exc), EXIT_BAD_INPUT)
        return super().parse_args(ctx, args)

    def _own_options(self, ctx: typer.Context, args: list[str]) -> set[str]:
        """The options that the command named in ``args`` declares itself (`server setup
        --db`): those are its own, not the global ones."""
        i = 0
        while i < len(args) and args[i].partition("=")[0] in ("--db", "--as"):
            i += 1 if "=" in args[i] else 2
        command: object = self
        while i < len(args) and isinstance(command, TyperGroup):
            command = command.get_command(ctx, args[i])
            i += 1
        if command is None or command is self:
            return set()
        return {name for param in getattr(command, "params", ()) for name in getattr(param, "opts", ())}


app = typer.Typer(
    cls=_Root,
    name="tracker",
    help="Track a city's prevention framework: goals, objectives, actions, owners and funding.",
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
db_app = typer.Typer(
    help="Create or migrate the database.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
register_plan_commands(actions_app)
app.add_typer(actions_app, name="actions")
app.add_typer(goals_app, name="goals")
app.add_typer(objectives_app, name="objectives")
register_item_commands(indicators_app)
register_funding_edits(funding_app)
app.add_typer(funding_app, name="funding")
app.add_typer(indicators_app, name="indicators")
register_member_commands(member_app)
member_app.add_typer(keys_app, name="key")
app.add_typer(member_app, name="member")
app.add_typer(admin_app, name="admin")
app.command("summary")(summary)
app.command("coverage")(coverage)
app.command("report")(report)
app.command("requests")(requests)
app.command("publish")(publish)
app.command("export")(export)
app.command("import-updates")(import_updates)
app.command("undo")(undo)
app.add_typer(server_app, name="server")
app.command("ssh-session", hidden=True)(ssh_session)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            envvar="TRACKER_DB",
            help="Database: a SQLite file path or URL, or postgresql://user@host/dbname "
            "(default: a SQLite file in your user data folder).",
            show_envvar=True,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            metavar="LOGIN",
            envvar="TRACKER_USER",
            help="Act as this login (default: your OS login).",
            show_envvar=True,
        ),
    ] = None,
) -> None:
    """Track a city's prevention framework: goals, objectives, actions, owners and funding.

    Without a command, opens the terminal UI on the database. --db and --as may also
    follow the command (tracker actions list --db plans.db).

    Example: tracker --db plans.db seed seed/*.yaml
    """
    # `tracker ssh-session` runs a member's command with its settings as the context's object:
    # the key it came with (writes record it) and, on PostgreSQL, the gateway's role to SET
    # ROLE to. From a command line there is none.
    given = ctx.obj if isinstance(ctx.obj, Settings) else None
    ctx.obj = Settings(
        db=db,
        actor=actor,
        via_key=given.via_key if given else None,
        role=given.role if given else None,
    )
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        with user_errors():
            from tracker.cli.tui import open_app

            open_app(ctx.obj)


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    admin: Annotated[
        str | None,
        typer.Option(
            "--admin",
            metavar="LOGIN",
            help="Who becomes the database's admin: needed when upgrading a database that has none "
            "(a new database's admin is the login that creates it).",
        ),
    ] = None,
) -> None:
    """Create the database, or migrate it to this version of tracker.

    A new database's admin is the login that creates it (--admin names another).
    A database from before admins existed needs --admin LOGIN to be upgraded.

    Example: tracker --db plans.db db upgrade
             tracker --db old.db db upgrade --admin ana
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.db import describe
        from tracker.services.access.admins import upgrade_with_admin

        engine = settings.engine(check=False)
        before, after, made_admin = upgrade_with_admin(engine, admin=admin, creator=lambda: settings.login(engine))
        where = describe(str(engine.url))
        if before == after:
            say(f"{where} is up to date (schema {after}).")
        elif before is None:
            say(f"Created the tracker schema {after} in {where}.")
        else:
            say(f"Migrated {where} from schema {before} to {after}.")
        if made_admin:
            say(f"{made_admin} is its admin: admins create frameworks and name coordinators and admins.")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the one this tracker needs.

    Example: tracker db current
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.db import current_revision, describe, head_revision

        engine = settings.engine(check=False)
        say(f"database: {describe(str(engine.url))}")
        say(f"schema:   {current_revision(engine) or 'none (run `tracker db upgrade`)'}")
        say(f"needed:   {head_revision()}")


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE", help="The backup file to write.", show_default=False)
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy a SQLite database to FILE while people go on working (admins only).

    The copy is one consistent state: every change committed before it began, none
    made during it (SQLite's online backup API). It is written beside FILE and renamed
    when whole and checked; an existing FILE is replaced only with --force; the file is
    readable by its owner only. To restore, stop the team server and copy the backup
    over the database file. PostgreSQL: the command says which `pg_dump` to run.

    Example: tracker --db /srv/tracker/plans.db db backup -o /var/backups/plans-$(date +%F).db
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.db.backup import backup_sqlite, pg_dump_advice
        from tracker.errors import BadInput

        if output == "-":
            raise BadInput("a backup is a file: give -o FILE (standard output would hold half a database on error).")
        engine = settings.engine(check=False)
        if engine.dialect.name == "postgresql":
            raise BadInput(pg_dump_advice(str(engine.url), output))
        from tracker.db import describe, read_session
        from tracker.services.access.members import resolve_member
        from tracker.services.access.rules import require_admin

        login = settings.login(engine)
        with read_session(engine) as session:
            require_admin(resolve_member(session, login), "back up the database")
        done = backup_sqlite(engine.url, Path(output), force=force)
        say(f"Backed up {describe(str(engine.url))} to {done.path} ({done.pages:,} pages, {done.size:,} bytes).")


FilesArg = Annotated[
    list[str],
    typer.Argument(help="Plan files (YAML or JSON); - reads standard input.", show_default=False),
]


@app.command()
def validate(files: FilesArg) -> None:
    """Check plan files and report every problem with its file, line and field; writes nothing.

    Example: tracker validate seed/*.yaml
    """
    with user_errors():
        from tracker.seeding import load_files

        plans = _with_status("Checking", lambda: load_files(files))
        for loaded in plans:
            plan = loaded.plan
            n_obj = sum(len(g.objectives) for g in plan.goals)
            n_act = sum(len(o.actions) for g in plan.goals for o in g.objectives)
            say(
                f"{loaded.source}: ok: framework {plan.framework.key}, {len(plan.goals)} goals, "
                f"{n_obj} objectives, {n_act} actions"
            )


@app.command()
def seed(
    ctx: typer.Context,
    files: FilesArg,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change, without writing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace plan edits made in the tool since, where a file differs.")
    ] = False,
) -> None:
    """Create or update plans from plan files, all files in one transaction.

    Applying the same file again changes nothing. An action's status, history,
    notes and measurements are never overwritten; items missing from a file are
    reported, not deleted. Creating a framework needs an admin, changing its plan
    or roles a coordinator of it; shared organisations and funding sources keep
    their description unless you coordinate every framework that uses them.
    Exit codes: 2 a problem in a file, 4 not allowed (nothing is written).

    Example: tracker seed seed/*.yaml
             cat plan.json | tracker seed -
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.seeding import load_files
        from tracker.seeding import seed as apply_seed

        plans = _with_status("Checking", lambda: load_files(files))
        engine = settings.engine()
        reports = _with_status(
            "Writing",
            lambda status: apply_seed(
                engine, plans, actor=settings.login(engine), dry_run=dry_run, progress=status, overwrite=overwrite
            ),
            pass_status=True,
        )
        if as_json:
            document(json.dumps({"dry_run": dry_run, "files": [r.as_dict() for r in reports]}, indent=2) + "\n")
            return
        from tracker.cli.render import print_seed_reports

        print_seed_reports(reports, dry_run=dry_run)


@app.command()
def demo(
    ctx: typer.Context,
    keep: Annotated[bool, typer.Option("--keep", help="Reuse the demo database instead of starting afresh.")] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Where to build the demo database (default: demo.db in your user data folder)."),
    ] = None,
    no_open: Annotated[bool, typer.Option("--no-open", help="Print a summary instead of opening the app.")] = False,
) -> None:
    """Create a fresh SQLite demo database from the bundled plans, with a few members and
    some tracked history, and open the app on it (or print a summary with --no-open).

    The demo database is its own file, replaced each time unless you pass
    --keep; --db and TRACKER_DB are not used, and anything at --file that the
    demo did not make is refused and left alone, so your working data is safe.

    Example: tracker demo
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.cli.demo import run_demo

        run_demo(settings, keep=keep, file=file, open_app=not no_open and sys.stdout.isatty())


def _with_status(label: str, work, *, pass_status: bool = False):  # type: ignore[no-untyped-def]
    """Run ``work`` with a spinner on the terminal (large files take a while)."""
    if not sys.stderr.isatty():
        return work(lambda _msg: None) if pass_status else work()
    console = stderr_console()
    with console.status(f"{label}...") as status:
        if pass_status:
            return work(lambda msg: status.update(visible(f"{label} {msg}")))
        return work()


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    run()
