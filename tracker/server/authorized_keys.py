"""`tracker server authorized-keys USER KEYTYPE KEY`: sshd's AuthorizedKeysCommand.

sshd runs it (as the service account, `AuthorizedKeysCommandUser`) with ``%u %t %k`` for
each key a client offers, more than once per login, so it is the cheapest path in
tracker: the standard library's ``sqlite3`` on a read-only connection, no ORM, no Typer,
no pydantic (a test checks the modules it loads). It prints one authorized_keys line,

    restrict,pty,command="<tracker> --db <file> ssh-session --member LOGIN --key SHA256:..." TYPE KEY

for a registered, enabled key of a member who belongs to a framework (or is an admin),
when USER is the service account that runs it; for anything else it prints nothing and
exits 0 (sshd then refuses the key). A failure (the database cannot be read) is one
sentence on stderr, which sshd logs, and exit 1 (sshd refuses the key too).
``restrict`` turns off port, agent and X11 forwarding; ``pty`` gives the app its terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

LOOKUP = (
    "SELECT m.login, k.fingerprint FROM member_key k JOIN member m ON m.id = k.member_id "
    "WHERE k.key_data = ? AND k.key_type = ? AND k.disabled_at IS NULL "
    "AND (EXISTS (SELECT 1 FROM membership ms WHERE ms.member_id = m.id) "
    "OR EXISTS (SELECT 1 FROM admin a WHERE a.member_id = m.id))"
)


def sqlite_file(db: str | None) -> str:
    """The SQLite file of ``--db`` (else ``TRACKER_DB``, else the default), as an absolute path.

    Raises ValueError for a PostgreSQL URL: its gateway mode is not built yet.
    """
    db = db or os.environ.get("TRACKER_DB") or None
    if db is None:
        import platformdirs

        return os.path.join(platformdirs.user_data_dir("tracker", appauthor=False), "tracker.db")
    if db.startswith(("postgresql:", "postgres:", "postgresql+")):
        raise ValueError("the team server works with a SQLite database for now, not PostgreSQL")
    if db.startswith("sqlite:///"):
        db = db[len("sqlite:///") :]
        db = "/" + db.lstrip("/") if db.startswith("/") else db
    elif "://" in db:
        raise ValueError(f"{db!r} is neither a SQLite file nor a database URL tracker knows")
    return os.path.abspath(os.path.expanduser(db))


def service_account() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def forced_command(tracker: str, db: str, login: str, fingerprint: str) -> str:
    """The ``command=`` of a key: ``tracker --db FILE ssh-session --member LOGIN --key FP``,
    quoted for the service account's shell (sshd runs it with ``$SHELL -c``)."""
    import shlex

    return shlex.join([tracker, "--db", db, "ssh-session", "--member", login, "--key", fingerprint])


def authorized_line(db: str, user: str, key_type: str, key_data: str, *, tracker: str) -> str | None:
    """The authorized_keys line for this key, or None when it is not one to let in."""
    import sqlite3
    from urllib.parse import quote

    if user != service_account():
        return None
    if not os.path.exists(db):
        raise OSError(f"there is no database at {db}")
    connection = sqlite3.connect(f"file:{quote(db)}?mode=ro", uri=True, timeout=5)
    try:
        row = connection.execute(LOOKUP, (key_data, key_type)).fetchone()
    finally:
        connection.close()
    if row is None:
        return None
    command = forced_command(tracker, db, row[0], row[1])
    if any(c in command for c in '\n\r\0"\\'):
        raise OSError(f"the path {tracker} or {db} holds a character that an authorized_keys line cannot carry")
    return f'restrict,pty,command="{command}" {key_type} {key_data}'


def main(db: str | None, args: Sequence[str]) -> int:
    """Print the line for ``args`` (USER KEYTYPE KEY); the exit code for sshd."""
    if len(args) != 3:
        print("tracker: server authorized-keys takes USER KEYTYPE KEY (sshd's %u %t %k).", file=sys.stderr)
        return 2
    try:
        line = authorized_line(sqlite_file(db), *args, tracker=os.path.abspath(sys.argv[0]))
    except (OSError, ValueError) as exc:
        print(f"tracker: server authorized-keys: {exc}; no key is let in.", file=sys.stderr)
        return 1
    except Exception as exc:  # sqlite3.Error: a file that is not a tracker database, a locked one
        print(
            f"tracker: server authorized-keys: the database could not be read ({exc}); no key is let in.",
            file=sys.stderr,
        )
        return 1
    if line is not None:
        print(line)
    return 0


def helper() -> None:
    """The helper script's entry (`tracker server setup` writes it): it starts Python
    without the site machinery (``-I -S``), so each lookup costs a bare interpreter's start.
    ``sys.argv``: [-c, the tracker command for ``command=``, the database, USER, KEYTYPE, KEY]."""
    tracker, db, *args = sys.argv[1:]
    sys.argv[0] = tracker
    sys.exit(main(db, args))
