"""`tracker ssh-session --member LOGIN --key FINGERPRINT`: the one thing a key may run.

sshd runs it as the key's forced command (`tracker server authorized-keys` writes it),
as the service account. It is a dispatcher, never a shell (gitolite's `gitolite-shell`):

- without ``SSH_ORIGINAL_COMMAND``, in a terminal, it opens the app as LOGIN;
- with one, it splits it with `shlex`, checks it against the allow-list below, and runs
  that tracker command in this process, as LOGIN, on the service account's database.

The identity comes from the key alone: ``--as``, ``TRACKER_USER`` and anything else
``TRACKER_*`` from the client are refused (an sshd set to accept them must not make
them count), as are commands that reach the server's files or its setup. The database
is the ``--db`` that the ``command=`` line names, from the service account's own
setting when sshd looked the key up.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tracker.cli.context import Settings, user_errors
from tracker.errors import BadInput, DatabaseUnavailable, PermissionDenied

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Top-level commands a member may run over ssh; every command of these groups is allowed,
# with the checks of `_check_paths`. Anything else (db, demo, server, ssh-session, and a
# command added later) is refused until it is added here.
ALLOWED = frozenset(
    {
        "actions",
        "undo",
        "goals",
        "objectives",
        "funding",
        "indicators",
        "member",
        "admin",
        "summary",
        "coverage",
        "report",
        "requests",
        "export",
        "publish",
        "seed",
        "validate",
    }
)
WHY_NOT = {
    "db": "changes the server's database itself; the service account's administrator runs it on the server",
    "demo": "builds a database file on the server",
    "server": "sets up the server; its administrator runs it there",
    "ssh-session": "is what ssh runs for you already",
    "import-updates": "reads a workbook file; over ssh, send updates with `actions set-status --from -`",
}
OPERATORS = set(";&|()<>")
OUTPUT_OPTIONS = ("-o", "--output", "--file")
STDOUT_DASH = frozenset({"export", "requests", "publish"})  # commands whose -o - means standard output


def refuse(message: str, code: int = 2) -> NoReturn:
    from tracker.cli.context import fail

    fail(message, code)


def check_environment(environ: dict[str, str]) -> None:
    """Refuse ``TRACKER_*`` sent by the client (sshd passes them on only where an
    administrator accepted them with AcceptEnv, which `server setup` never does)."""
    sent = sorted(name for name in environ if name.startswith("TRACKER_"))
    if "TRACKER_USER" in sent:
        raise PermissionDenied(
            "TRACKER_USER was sent with the connection; on the team server your key decides who you are: "
            "do not send it (remove SendEnv/SetEnv TRACKER_USER from your ssh configuration)."
        )
    if sent:
        raise BadInput(
            f"{', '.join(sent)} was sent with the connection; the team server uses its own database and settings: "
            "remove SendEnv/SetEnv TRACKER_* from your ssh configuration."
        )


def _acted_on(command: str) -> str | None:
    """The first thing in ``command`` that a POSIX shell would act on rather than take as
    text: an operator (``; & | ( ) < >``) outside quotes, or a command substitution
    (`` ` ``, ``$(``) outside single quotes (a shell runs those inside double quotes too).
    A backslash makes the next character text, as in a shell. None when there is none."""
    quote = ""
    i = 0
    while i < len(command):
        char = command[i]
        if quote == "'":
            if char == "'":
                quote = ""
        elif char == "\\":
            if not quote or command[i + 1 : i + 2] in ('"', "\\", "$", "`"):
                i += 1  # the next character is text
        elif quote == '"' and char == '"':
            quote = ""
        elif char == "`" or command.startswith("$(", i):
            return char if char == "`" else "$("
        elif not quote and char in ("'", '"'):
            quote = char
        elif not quote and char in OPERATORS:
            end = i
            while end < len(command) and command[end] in OPERATORS:
                end += 1
            return command[i:end]
        i += 1
    return None


def split_command(command: str) -> list[str]:
    """The words of a remote command, split as a POSIX shell would split them, without
    running anything: operators and substitutions where a shell would act on them, and
    several lines, are refused; quoted, they are a note's text like any other."""
    from tracker.cli.entry import not_utf8

    if not_utf8([command], {}) is not None:
        raise BadInput("the remote command holds bytes that are not UTF-8 text; type it again in a UTF-8 terminal.")
    if "\n" in command or "\r" in command or "\0" in command:
        raise BadInput("the remote command holds more than one line; the team server runs one tracker command.")
    try:
        words = shlex.split(command)
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        raise BadInput(f"the remote command cannot be split into words ({exc}); check its quotes.") from None
    acted_on = _acted_on(command)
    if acted_on in ("`", "$("):
        raise BadInput(
            f"the remote command holds {acted_on} outside single quotes, and the team server runs no shell; "
            "run the command on your own computer and send its result as text (or put it in single quotes)."
        )
    if acted_on is not None:
        raise BadInput(
            f"the remote command holds {acted_on!r}: the team server runs one tracker command and no shell, "
            "so ; & | ( ) < > are not allowed (quote them inside a note's text)."
        )
    return words[1:] if words[:1] == ["tracker"] else words


def _options(words: list[str]) -> list[str]:
    """The words a command line may read as options: those before a ``--`` that ends them
    (after it, every word is an argument, such as a note's text). A ``--`` right after an
    option may be that option's value (`-m -- --from FILE`: Click reads -m's value as --
    and --from as an option), so it ends nothing here: the guard reads on, and refuses
    rather than miss an option."""
    for i, word in enumerate(words):
        after_option = i > 0 and words[i - 1].startswith("-") and words[i - 1] != "-" and "=" not in words[i - 1]
        if word == "--" and not after_option:
            return words[:i]
    return words


def check_words(words: list[str]) -> None:
    """Refuse what a remote command may not do: act as someone else, name another
    database, run a command that is not allowed, or read or write a file on the server."""
    for word in _options(words):
        name = word.split("=", 1)[0]
        if name == "--as":
            raise PermissionDenied(
                "--as is not allowed on the team server: your key decides who you are; leave --as out."
            )
        if name == "--db":
            raise BadInput("--db is not allowed on the team server: it works on its own database; leave --db out.")
    if not words:
        return
    verb = words[0]
    if verb in ("-h", "--help"):
        return
    if verb not in ALLOWED:
        why = WHY_NOT.get(verb, "is not one a member may run over ssh")
        shown = shlex.quote(verb) if len(verb) <= 40 else "that command"
        raise BadInput(
            f"`{shown}` {why}; over ssh you may run: {', '.join(sorted(ALLOWED))} (`ssh SERVER -- --help` lists them)."
        )
    _check_paths(words)


def _check_paths(words: list[str]) -> None:
    """No file on the server: ``-o``/``--output``/``--file`` only as ``-`` where that means
    standard output; plan files and key files only as ``-`` (standard input)."""
    options = _options(words)
    for i, word in enumerate(options):
        for option in OUTPUT_OPTIONS:
            value: str | None = None
            if word == option:
                value = options[i + 1] if i + 1 < len(options) else "-"
            elif word.startswith(option + "="):
                value = word.split("=", 1)[1]
            elif option == "-o" and word.startswith("-o") and len(word) > 2:
                value = word[2:]
            if value == "-" and words[0] not in STDOUT_DASH:
                raise BadInput(
                    f"{words[0]} takes no {option} - (it would write a file named -); over ssh leave {option} out: "
                    "the output comes to your own computer."
                )
            if value is not None and value != "-":
                raise BadInput(
                    f"{option} {value} would write a file on the server; over ssh use {option} - "
                    "(or leave it out) and redirect the output on your own computer."
                )
    for i, word in enumerate(options):  # files read: `actions set-status --from` only from standard input
        source = options[i + 1] if word == "--from" and i + 1 < len(options) else word.partition("=")[2]
        if (word == "--from" or word.startswith("--from=")) and source != "-":
            raise BadInput(
                f"--from {source} names a file on the server; over ssh give --from - and send the file "
                "from your own computer: ssh SERVER actions set-status --from - < FILE"
            )
    positional = [w for w in words[1:] if not w.startswith("-") or w == "-"]
    if words[0] in ("seed", "validate"):
        files = positional
    elif words[:3] == ["member", "key", "add"]:
        files = positional[3:]  # after key, add and the login
    else:
        return
    for file in files:
        if file != "-":
            raise BadInput(
                f"{file} names a file on the server; over ssh give - and send the file from your own "
                f"computer: ssh SERVER {' '.join(words[:1])} ... - < {shlex.quote(os.path.basename(file)) or 'FILE'}"
            )


def ssh_session(
    ctx: typer.Context,
    member: Annotated[str, typer.Option("--member", help="The login the key belongs to.")],
    key: Annotated[str, typer.Option("--key", help="The key's fingerprint (SHA256:...).")],
) -> None:
    """The forced command of a member's key on the team server (`tracker server setup`).

    Not for people to type: sshd runs it. Without a remote command it opens the app
    as the member; with one, it runs that tracker command as the member.
    """
    settings: Settings = ctx.obj
    with user_errors():
        check_environment(dict(os.environ))
        command = os.environ.get("SSH_ORIGINAL_COMMAND")
        words = split_command(command) if command is not None else None
        if words is not None:
            check_words(words)
        role = _start(settings, member, key)
    session = Settings(db=settings.db, actor=member, via_key=key, role=role)
    if words is None or not words:
        if not sys.stdin.isatty():
            refuse(
                "the app needs a terminal: connect with `ssh -t SERVER`, or give a command (`ssh SERVER actions list`)."
            )
        from tracker.cli.tui import open_app

        try:
            with user_errors():
                open_app(session, remote=True)  # no file written on the server
        finally:
            session.close()
        return
    from tracker.cli.main import app

    prefix = ["--db", settings.db] if settings.db else []
    # the main callback keeps the session's key and role, and makes its own engines
    app(args=[*prefix, "--as", member, *words], prog_name="ssh SERVER", standalone_mode=True, obj=session)


def _start(settings: Settings, login: str, fingerprint: str) -> str | None:
    """Check that the key is still the member's and enabled, and record its use; on
    PostgreSQL, where the service account logs in as the gateway role (which may read
    nothing), the member's database role that every connection then SET ROLEs to."""
    from tracker.db import check_schema, write_session
    from tracker.services.access.keys import session_key

    engine = settings.engine(check=False)
    if engine.dialect.name == "postgresql":
        try:
            return _gateway_role(engine, login, fingerprint)
        finally:
            engine.dispose()  # the gateway's own connection: the session's are its member's
    check_schema(engine)
    with write_session(engine) as session:
        session_key(session, login=login, fingerprint=fingerprint)
    return None


def _gateway_role(engine: Engine, login: str, fingerprint: str) -> str:
    from tracker.db.roles import gateway_session_role

    try:
        role = gateway_session_role(engine, login, fingerprint)
    except PermissionError as exc:
        raise DatabaseUnavailable(
            f"the team server may not act as your database role {exc.args[0]}; tell its administrator, "
            "who runs `tracker server check`."
        ) from None
    if role is None:
        raise PermissionDenied(
            f"the key {fingerprint} is not an enabled key of {login} (removed or disabled since the login "
            "began), or {login} belongs to no framework any more; ask a coordinator."
        )
    return role
