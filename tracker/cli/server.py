"""`tracker server setup|check|authorized-keys`: the team server that members reach with ssh.

The pattern of gitolite and GitLab: one service account, members' public keys in the
database (`tracker member key add`), and one forced command per key
(`tracker ssh-session`). See the README's "Run a team server".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.context import Settings, user_errors

app = typer.Typer(
    help="The team server: members reach tracker with ssh, as themselves.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

User = Annotated[str, typer.Option("--user", help="The service account that holds the database.")]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="FILE|URL",
        help="The SQLite database, or postgresql://HOST/DATABASE (default: --db, else the account's own file).",
    ),
]
Helper = Annotated[Path, typer.Option("--helper", help="Where the key-lookup helper goes (root-owned).")]
DropIn = Annotated[Path, typer.Option("--drop-in", help="Where sshd's drop-in goes.")]


def _plan(ctx: typer.Context, user: str, db: str | None, helper: Path, drop_in: Path):  # type: ignore[no-untyped-def]
    from tracker.server.setup import make_plan

    settings: Settings = ctx.obj
    try:
        return make_plan(user, db or settings.db, helper.absolute(), drop_in.absolute())
    except ValueError as exc:
        from tracker.errors import BadInput

        raise BadInput(f"--db: {exc}.") from None


@app.command("setup")
def setup(
    ctx: typer.Context,
    user: User = "tracker",
    db: Db = None,
    helper: Helper = Path("/usr/local/libexec/tracker/authorized-keys"),
    drop_in: DropIn = Path("/etc/ssh/sshd_config.d/tracker.conf"),
    print_only: Annotated[bool, typer.Option("--print", help="Print both files instead of writing them.")] = False,
) -> None:
    """Write sshd's drop-in for the service account and the key-lookup helper it runs (as root).

    The drop-in is a `Match User` block: keys come from tracker's database only (no
    authorized_keys file), through the helper, which sshd requires to be root's and
    not writable by others; no forwarding, no environment from the client. Then check
    with `tracker server check`, and reload sshd (`sshd -t && systemctl reload ssh`).

    On PostgreSQL (`--db postgresql://HOST/DATABASE`, no password) the helper logs in as
    the database's key-lookup role and sessions as its gateway role, which `tracker db
    upgrade` creates; it prints what the database's administrator sets up once so that
    the service account reaches both without a secret (pg_ident.conf, pg_hba.conf).

    Example: tracker server setup --user tracker --db /srv/tracker/tracker.db
             tracker server setup --db 'postgresql:///plans?host=/var/run/postgresql' --print
    """
    with user_errors():
        from tracker.cli.output import document, say

        plan = _plan(ctx, user, db, helper, drop_in)
        database = plan.postgresql_text() if plan.postgresql else ""
        if print_only:
            document(
                f"# {plan.helper}\n{plan.helper_text()}\n# {plan.drop_in}\n{plan.drop_in_text()}"
                + (f"\n{database}" if database else "")
            )
            return
        from tracker.errors import PermissionDenied
        from tracker.server.setup import write

        try:
            write(plan)
        except PermissionError as exc:
            raise PermissionDenied(
                f"{exc.filename or plan.helper} cannot be written: run `tracker server setup` as root "
                "(or add --print and install the two files yourself)."
            ) from None
        say(f"wrote {plan.helper} (sshd's key lookup, for the database {plan.db})")
        say(f"wrote {plan.drop_in} (members log in as {plan.user} with their registered keys)")
        if database:
            document(database)
        say("next: `tracker server check`, then `sshd -t && systemctl reload ssh`.")


@app.command("check")
def check(
    ctx: typer.Context,
    user: User = "tracker",
    db: Db = None,
    helper: Helper = Path("/usr/local/libexec/tracker/authorized-keys"),
    drop_in: DropIn = Path("/etc/ssh/sshd_config.d/tracker.conf"),
) -> None:
    """What is wrong with the team server's setup, one line per problem (exit 1 if any).

    On PostgreSQL run it as the service account: it logs in to the key-lookup and gateway
    roles as sshd and the sessions will, and finds a role that cannot log in, holds more
    than its job, or (the gateway) cannot act as a member's role.

    Example: tracker server check --user tracker --db /srv/tracker/tracker.db
             runuser -u tracker -- tracker server check --db 'postgresql:///plans?host=/var/run/postgresql'
    """
    with user_errors():
        from tracker.cli.output import say
        from tracker.server.setup import problems

        found = problems(_plan(ctx, user, db, helper, drop_in))
        for problem in found:
            say(problem)
        if found:
            raise typer.Exit(1)
        say("the team server's setup looks right.")


@app.command("authorized-keys")
def authorized_keys(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="sshd's %u: the user being logged in to.", show_default=False)],
    key_type: Annotated[str, typer.Argument(help="sshd's %t: the key's type.", show_default=False)],
    key: Annotated[str, typer.Argument(help="sshd's %k: the key, base64.", show_default=False)],
) -> None:
    """sshd's AuthorizedKeysCommand: the forced command of a registered member's key.

    Prints `restrict,pty,command="tracker ... ssh-session --member LOGIN --key FP" TYPE KEY`
    for an enabled key of a member who belongs to a framework, when USER is the account
    running this; nothing (exit 0) for any other key; exit 1 when the database cannot be read.
    The console script answers this without loading the command line (it runs at every login).

    Example: tracker --db /srv/tracker/tracker.db server authorized-keys tracker ssh-ed25519 AAAA...
    """
    from tracker.server.authorized_keys import main

    settings: Settings = ctx.obj
    raise typer.Exit(main(settings.db, [user, key_type, key]))
