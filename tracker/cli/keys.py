"""`tracker member key add|list|remove`: the SSH public keys with which members reach the
team server (`tracker server setup`); the key decides who they are there."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import console, echo_json, reading, writing
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say, show, table

app = typer.Typer(
    help="Members' SSH keys for the team server: add, list, remove.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

Login = Annotated[str, typer.Argument(help="The member's login.", show_default=False)]


def _read_key_text(file: str) -> tuple[str, str]:
    """(where it came from, its text), at most a little more than any public key."""
    from tracker.errors import BadInput
    from tracker.files import read_bounded
    from tracker.sshkeys import MAX_KEY_TEXT

    name, raw = read_bounded(
        file,
        MAX_KEY_TEXT,
        stdin_hint="pipe the member's .pub file into tracker",
        folder_hint="name the member's .pub file in it",
    )
    try:
        return name, raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{name} is not text; give the member's .pub file (such as id_ed25519.pub).") from None


@app.command("add")
def key_add(
    ctx: typer.Context,
    login: Login,
    file: Annotated[
        str, typer.Argument(help="The public key file (.pub); - reads standard input.", show_default=False)
    ],
) -> None:
    """Register a member's SSH public key: with it they reach the team server as themselves.

    Give the public key (the .pub file), never the private one. Admins may add a key for
    anyone; a coordinator for a login that is no admin and whose every framework they
    coordinate. Exit codes: 2 not a public key, 4 not allowed.

    Example: tracker member key add maria - < maria.pub
             tracker member key add maria maria.pub
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.keys import add_key

        source, text = _read_key_text(file)
        row = writing(settings, lambda s, a: add_key(s, actor=a, login=login, text=text, source=source))
        say(f"{login}: key {row.fingerprint} ({row.key_type}{', ' + row.comment if row.comment else ''}) registered")


@app.command("list")
def key_list(
    ctx: typer.Context,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="Only its members' keys.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """The SSH keys you may see: fingerprint, whose, added when and by whom, last used.

    An admin sees every key; others their own and those they may manage.

    Example: tracker member key list -f stamford-ct
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.keys import list_keys

        with reading(settings) as session:
            rows = list_keys(session, reader=session.info["tracker.reader"], framework=framework)
        if as_json:
            from tracker.exports.data import plain

            echo_json(plain(rows))
            return

        def when(value: object) -> str:
            return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""  # type: ignore[attr-defined]

        cells = [
            [
                r.login,
                r.fingerprint,
                f"{r.key_type} {r.comment or ''}".strip(),
                f"{when(r.added_at)} by {r.added_by or '?'}",
                when(r.last_used_at) or "never",
                f"disabled {when(r.disabled_at)}" if r.disabled_at else "enabled",
            ]
            for r in rows
        ]
        show(
            table(
                f"{len(rows)} key{'' if len(rows) == 1 else 's'}",
                ["login", "fingerprint", "key", "added", "last used", "state"],
                cells,
            ),
            out=console(),
        )


@app.command("remove")
def key_remove(
    ctx: typer.Context,
    login: Login,
    fingerprint: Annotated[str, typer.Argument(help="The key's fingerprint (SHA256:...).", show_default=False)],
) -> None:
    """Remove a member's SSH key: the team server refuses it from their next login on.

    Who may: as for adding it.

    Example: tracker member key remove maria SHA256:56yaAzOhwbbLC8FmN+I/TF/zWV3ep8HT/Y6/MMNmOjU
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.access.keys import remove_key

        writing(settings, lambda s, a: remove_key(s, actor=a, login=login, fingerprint=fingerprint))
        say(f"{login}: key {fingerprint} removed")
