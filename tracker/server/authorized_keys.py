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

On PostgreSQL the database is the gateway's URL (``postgresql://<prefix>gateway@.../db``,
which `tracker server setup` writes and the forced command keeps); the lookup connects to
that database with psycopg alone as ``<prefix>lookup`` (the gateway's prefix), a role that may only call
``tracker_private.key_owner(type, key)`` (migration 0019), authenticated as the service
account (peer authentication or its ~/.pgpass; the helper holds no secret).
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


PG_LOOKUP = "SELECT login, fingerprint FROM tracker_private.key_owner(%s, %s)"
POSTGRESQL = ("postgresql:", "postgres:", "postgresql+")


def is_postgresql(db: str | None) -> bool:
    return bool(db) and str(db).startswith(POSTGRESQL)


def libpq_url(db: str) -> str:
    """``db`` as libpq reads it (``postgresql+psycopg://`` is SQLAlchemy's spelling)."""
    return "postgresql:" + db.split(":", 1)[1] if db.startswith("postgresql+") else db


def prefix_for(database: str) -> str:
    """The group-role prefix of the database named ``database``, as migration 0007 makes it
    (``tracker_private.role_prefix()`` answers the same inside the database), known
    without connecting: the lookup and gateway roles are ``<prefix>lookup|gateway``."""
    import hashlib

    clean = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in database.lower())
    if len(clean) > 40:
        clean = f"{clean[:31]}_{hashlib.md5(database.encode()).hexdigest()[:8]}"
    return f"tracker_{clean}_"


def database_name(db: str) -> str:
    """The database a PostgreSQL URL names (ValueError when it names none)."""
    from urllib.parse import unquote, urlsplit

    name = unquote(urlsplit(libpq_url(db)).path.lstrip("/"))
    if not name:
        raise ValueError(f"the URL {db} names no database; give postgresql://HOST/DATABASE")
    return name


def lookup_role(db: str) -> str:
    """The key-lookup role beside the gateway role that the helper's URL names:
    ``<prefix>gateway`` -> ``<prefix>lookup``."""
    from urllib.parse import unquote, urlsplit

    user = unquote(urlsplit(libpq_url(db)).username or "")
    if not user.endswith("_gateway"):
        raise ValueError(f"the URL {db} does not name a gateway role (<prefix>gateway); run `tracker server setup`")
    return user.removesuffix("gateway") + "lookup"


def sqlite_file(db: str | None) -> str:
    """The SQLite file of ``--db`` (else ``TRACKER_DB``, else the default), as an absolute path.

    Raises ValueError for a PostgreSQL URL (see `postgresql_line`).
    """
    db = db or os.environ.get("TRACKER_DB") or None
    if db is None:
        from tracker.fast.store import default_sqlite_path  # the one default, loading no database library

        return str(default_sqlite_path())
    if is_postgresql(db):
        raise ValueError("this is a PostgreSQL URL, not a SQLite file")
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
    return _line(row, tracker, db, key_type, key_data)


def postgresql_line(db: str, user: str, key_type: str, key_data: str, *, tracker: str) -> str | None:
    """`authorized_line` on PostgreSQL: one call of ``key_owner`` as the lookup role, through
    PostgreSQL's own client ``psql`` where it is installed (about 20 ms a lookup, where
    importing psycopg alone costs about 100 ms), else through psycopg."""
    if user != service_account():
        return None
    url = _as_role(libpq_url(db), lookup_role(db))
    psql = _psql()
    if psql is None:
        import psycopg

        with psycopg.connect(url, connect_timeout=5, autocommit=True) as connection:
            row = connection.execute(PG_LOOKUP, (key_type, key_data), prepare=False).fetchone()
        return _line(row, tracker, db, key_type, key_data)
    import subprocess

    # psql quotes the two values itself (:'t' is a literal, whatever the value holds);
    # variables are interpolated only in a script, hence standard input, not -c.
    script = "SELECT login, fingerprint FROM tracker_private.key_owner(:'t', :'k');\n"
    done = subprocess.run(
        [psql, "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-v", f"t={key_type}",
         "-v", f"k={key_data}", "-d", url, "-f", "-"],
        input=script, capture_output=True, text=True, timeout=20,
        env={**os.environ, "PGCONNECT_TIMEOUT": "5", "PGAPPNAME": "tracker key lookup"},
    )  # fmt: skip
    if done.returncode != 0:
        raise OSError(f"psql could not ask the database ({(done.stderr.strip() or 'no reason given').splitlines()[0]})")
    found = done.stdout.strip()
    return _line(found.split("\x1f") if found else None, tracker, db, key_type, key_data)


def _psql() -> str | None:
    """PostgreSQL's ``psql``: on PATH, else where Debian's packages put it."""
    import glob
    import shutil

    found = shutil.which("psql")
    if found is None:
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=lambda p: int(p.split("/")[4]))
        found = versions[-1] if versions else None
    return found


def _as_role(url: str, role: str) -> str:
    """``url`` with ``role`` as its user (and no password: the lookup holds no secret)."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(role, safe='')}@{host}"))


def _line(row: Sequence[str] | None, tracker: str, db: str, key_type: str, key_data: str) -> str | None:
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
    tracker = os.path.abspath(sys.argv[0])
    db = db or os.environ.get("TRACKER_DB") or None
    try:
        if db is not None and is_postgresql(db):
            line = postgresql_line(db, *args, tracker=tracker)
        else:
            line = authorized_line(sqlite_file(db), *args, tracker=tracker)
    except (OSError, ValueError) as exc:
        print(f"tracker: server authorized-keys: {exc}; no key is let in.", file=sys.stderr)
        return 1
    except Exception as exc:  # sqlite3.Error, psycopg.Error: a file that is not a tracker database, a refusal
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"tracker: server authorized-keys: the database could not be read ({reason}); no key is let in.",
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
