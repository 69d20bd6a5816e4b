"""What `tracker server setup` writes and `tracker server check` checks: sshd's drop-in
for the service account and the root-owned key-lookup helper it names; on PostgreSQL,
also what the database's administrator sets up for the lookup and gateway roles."""

from __future__ import annotations

import os
import pwd
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

HELPER = Path("/usr/local/libexec/tracker/authorized-keys")
# PostgreSQL connections one ssh session holds at most: its pool (tracker.db.engine's
# SESSION_POOL, 4 + 2 overflow) and the app's LISTEN connection. Measured: see the README.
CONNECTIONS_PER_SESSION = 7
DROP_IN = Path("/etc/ssh/sshd_config.d/tracker.conf")


@dataclass(frozen=True)
class Plan:
    user: str
    db: str
    helper: Path
    drop_in: Path
    python: str
    tracker: str  # the console script the forced command runs
    root: str  # the folders that hold the tracker package (and on PostgreSQL psycopg), os.pathsep between

    def helper_text(self) -> str:
        code = (
            "import os, sys; sys.path[:0] = sys.argv.pop(1).split(os.pathsep); "
            "from tracker.server.authorized_keys import helper; helper()"
        )
        args = shlex.join([self.python, "-I", "-S", "-c", code, self.root, self.tracker, self.db])
        return (
            "#!/bin/sh\n"
            "# Written by `tracker server setup`: sshd's AuthorizedKeysCommand for the tracker team server.\n"
            "# Prints the forced command of a registered member's key, and nothing for any other key.\n"
            f'exec {args} "$@"\n'
        )

    def drop_in_text(self) -> str:
        return (
            "# Written by `tracker server setup`: members reach tracker as the service account with their\n"
            "# own keys, which tracker keeps in its database (`tracker member key add`); each key can run\n"
            "# only `tracker ssh-session` as its member. No environment from the client is accepted\n"
            "# (PermitUserEnvironment is a global setting, and no by default) but COLORTERM, which only\n"
            "# tells the app that the member's terminal shows true colour (the client sends it with\n"
            "# `SendEnv COLORTERM`); TRACKER_* never: a session refuses them.\n"
            "PermitUserEnvironment no\n"
            f"Match User {self.user}\n"
            "    AuthorizedKeysFile none\n"
            f"    AuthorizedKeysCommand {self.helper} %u %t %k\n"
            f"    AuthorizedKeysCommandUser {self.user}\n"
            "    PasswordAuthentication no\n"
            "    KbdInteractiveAuthentication no\n"
            "    DisableForwarding yes\n"
            "    PermitTTY yes\n"
            "    AcceptEnv COLORTERM\n"
        )

    @property
    def postgresql(self) -> bool:
        from tracker.server.authorized_keys import is_postgresql

        return is_postgresql(self.db)

    def roles(self) -> tuple[str, str]:
        """The lookup and gateway roles of the PostgreSQL database (migration 0019)."""
        from urllib.parse import unquote, urlsplit

        from tracker.server.authorized_keys import lookup_role

        return lookup_role(self.db), unquote(urlsplit(self.db).username or "")

    def postgresql_text(self) -> str:
        """What the database's administrator does once for the team server's two roles."""
        from tracker.db.roles import quote_role, server_roles_sql
        from tracker.server.authorized_keys import database_name

        lookup, gateway = self.roles()
        database = database_name(self.db)
        create = ";\n".join(server_roles_sql(gateway.removesuffix("gateway")))
        return (
            f"# PostgreSQL: sshd's key lookup logs in as {lookup} (it may only call\n"
            f"# tracker_private.key_owner) and each session as {gateway}, which SET ROLEs to the\n"
            "# member's own role; `tracker db upgrade` creates both (no password, NOINHERIT, no\n"
            "# privilege on any table). Where the schema's owner may not create roles, a superuser\n"
            f"# runs first:\n{create};\n"
            f"# The service account {self.user} reaches both roles without a secret, by peer\n"
            "# authentication on the Unix socket with a map (then `SELECT pg_reload_conf();`):\n"
            f"#   pg_ident.conf:  tracker-server  {self.user}  {lookup}\n"
            f"#                   tracker-server  {self.user}  {gateway}\n"
            f"#   pg_hba.conf, above the other `local` lines:\n"
            f"#                   local  {database}  {lookup},{gateway}  peer map=tracker-server\n"
            f"# (or give the roles passwords and put them in ~{self.user}/.pgpass, mode 0600:\n"
            f"#   ALTER ROLE {quote_role(lookup)} PASSWORD '...';)\n"
            f"# Each session uses up to {CONNECTIONS_PER_SESSION} connections: set max_connections to at least\n"
            f"# {CONNECTIONS_PER_SESSION} x the sessions at once + the other clients + 3 (see the README).\n"
        )


def default_db(home: str) -> str:
    """The service account's default database, where tracker run as it would look."""
    return os.path.join(home, ".local", "share", "tracker", "tracker.db")


def gateway_url(db: str) -> str:
    """A PostgreSQL ``--db`` with the gateway role as its user: what the helper names and
    the forced command connects with. The URL must hold no password (the service account
    authenticates by peer authentication or its ~/.pgpass, never with a secret on a
    command line that every member's login shows to sshd)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from tracker.server.authorized_keys import database_name, libpq_url, prefix_for

    try:
        url = make_url(libpq_url(db))
    except ArgumentError:
        raise ValueError(f"{db!r} is not a database URL") from None
    if url.password:
        raise ValueError(
            "leave the password out of the URL: the service account reaches the lookup and gateway roles "
            "by peer authentication or its ~/.pgpass"
        )
    # A database copied from another (CREATE DATABASE ... TEMPLATE) keeps the original's
    # roles: its administrator names the gateway role (`SELECT tracker_private.role_prefix()`).
    gateway = url.username if (url.username or "").endswith("_gateway") else None
    gateway = gateway or prefix_for(database_name(db)) + "gateway"
    return str(url.set(drivername="postgresql", username=gateway).render_as_string(hide_password=False))


def make_plan(user: str, db: str | None, helper: Path, drop_in: Path) -> Plan:
    """What to write for ``user``; ``db``: a SQLite file (default: the account's own) or a
    PostgreSQL URL (its user becomes the database's gateway role)."""
    import pwd

    from tracker.server.authorized_keys import is_postgresql, sqlite_file

    try:
        home = pwd.getpwnam(user).pw_dir
    except KeyError:
        home = f"/home/{user}"
    database = default_db(home)
    if is_postgresql(db):
        database = gateway_url(str(db))
    elif db:
        database = sqlite_file(db)
    import tracker.server

    root = str(Path(tracker.server.__file__).resolve().parents[2])
    if is_postgresql(database):  # the lookup's one dependency beyond the standard library
        import importlib.util

        spec = importlib.util.find_spec("psycopg")
        if spec is not None and spec.origin is not None:
            root += os.pathsep + str(Path(spec.origin).resolve().parents[1])
    return Plan(user, database, helper, drop_in, sys.executable, os.path.abspath(sys.argv[0]), root)


def write(plan: Plan) -> None:
    """Write the helper (root-owned, 0755, in a root-owned folder) and the drop-in."""
    plan.helper.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    _replace(plan.helper, plan.helper_text(), 0o755)
    plan.drop_in.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    _replace(plan.drop_in, plan.drop_in_text(), 0o644)


def _replace(path: Path, text: str, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(temporary, mode)  # whatever the umask
    os.replace(temporary, path)


def _locked(user: str) -> bool:
    """Whether ``user``'s entry in /etc/shadow is locked (``!``); False where it cannot be read."""
    try:
        lines = Path("/etc/shadow").read_text(errors="replace").splitlines()
    except OSError:  # not root: nothing to say
        return False
    return any(line.split(":")[1].startswith("!") for line in lines if line.split(":")[0] == user and ":" in line)


def _runnable(account: pwd.struct_passwd) -> list[str]:
    """The service account must be able to start this tracker's Python: every folder on
    the way to it searchable by others (or the account's own)."""
    python = Path(sys.executable).resolve()
    for folder in [*Path(sys.executable).absolute().parents, *python.parents]:
        try:
            info = folder.stat()
        except OSError:  # not even this account (who runs the check) may look: closed to others too
            info = None
        if info is None or (info.st_uid != account.pw_uid and not info.st_mode & stat.S_IXOTH):
            return [
                f"{account.pw_name} cannot run {python}: the folder {folder} is closed to others; install tracker "
                "into a virtualenv made with the system's Python (`python3 -m venv /opt/tracker`)."
            ]
    return []


def problems(plan: Plan) -> list[str]:
    """What stops members from working over ssh with this setup, one sentence each."""
    import pwd

    found: list[str] = []
    try:
        account = pwd.getpwnam(plan.user)
    except KeyError:
        account = None
        found.append(
            f"there is no user {plan.user}: create the service account "
            f"(`useradd --system --create-home --shell /bin/sh -p '*' {plan.user}`)."
        )
    if account is not None and _locked(plan.user):
        found.append(
            f"the account {plan.user} is locked (its password starts with !), and an sshd without PAM refuses a "
            f"locked account: `usermod -p '*' {plan.user}` (no password, not locked)."
        )
    if account is not None:
        found += _runnable(account)
    if not Path("/usr/sbin/sshd").exists():
        found.append("sshd is not installed: `apt-get install openssh-server`.")
    found += _root_owned(plan.helper, "the key-lookup helper")
    if plan.helper.exists() and not os.access(plan.helper, os.X_OK):
        found.append(f"the key-lookup helper {plan.helper} is not executable: run `tracker server setup` again.")
    if not plan.drop_in.exists():
        found.append(f"sshd's drop-in {plan.drop_in} is missing: run `tracker server setup --user {plan.user}`.")
    else:
        text = plan.drop_in.read_text(errors="replace")
        if f"Match User {plan.user}" not in text or f"AuthorizedKeysCommand {plan.helper} " not in text:
            found.append(
                f"sshd's drop-in {plan.drop_in} is not the one for {plan.user} and {plan.helper}: "
                "run `tracker server setup` again."
            )
    if plan.helper.exists():
        helper = plan.helper.read_text(errors="replace")
        if shlex.quote(plan.db) not in helper:
            found.append(
                f"the helper {plan.helper} names another database than {plan.db}: run `tracker server setup` again."
            )
    if plan.postgresql:
        return found + postgresql_problems(plan)
    database = Path(plan.db)
    if not database.exists():
        found.append(
            f"there is no database at {plan.db}: create it as {plan.user} with `tracker --db {plan.db} db upgrade`."
        )
    elif account is not None:
        info = database.stat()
        if info.st_uid != account.pw_uid:
            found.append(
                f"the database {plan.db} belongs to uid {info.st_uid}, not to {plan.user}: "
                f"`chown {plan.user} {plan.db}` (members never touch the file)."
            )
        folder = database.parent.stat()
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or (
            info.st_mode & stat.S_IROTH and folder.st_mode & stat.S_IXOTH
        ):
            found.append(
                f"the database {plan.db} can be read or written by others: `chmod 700 {database.parent}` "
                f"and `chmod 600 {plan.db}` (members reach it only through ssh)."
            )
        if folder.st_uid != account.pw_uid:
            found.append(
                f"the folder of the database, {database.parent}, does not belong to {plan.user}, who must create "
                "SQLite's journal files there: give it to the service account."
            )
    return found


def _root_owned(path: Path, what: str) -> list[str]:
    """sshd runs an AuthorizedKeysCommand only when it and every folder above it are
    root's and not writable by group or others."""
    if not path.exists():
        return [f"{what} {path} is missing: run `tracker server setup` (as root)."]
    found = []
    for part in [path, *path.parents]:
        info = part.stat()
        if info.st_uid != 0:
            found.append(f"{part} does not belong to root, so sshd will not run {what} {path}: `chown root {part}`.")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            found.append(f"{part} is writable by others, so sshd will not run {what} {path}: `chmod go-w {part}`.")
    return found


def postgresql_problems(plan: Plan) -> list[str]:
    """The lookup and gateway roles, connected to as this OS user (run `tracker server
    check` as the service account): each can log in, holds no table, and does its one job."""
    import psycopg

    from tracker.server.authorized_keys import PG_LOOKUP, libpq_url, service_account

    found: list[str] = []
    lookup, gateway = plan.roles()
    me = service_account()
    how = "(check pg_hba.conf and pg_ident.conf, or the account's ~/.pgpass: `tracker server setup --print`)"
    if me != plan.user:
        how += f"; run `tracker server check` as {plan.user}, who logs in to them"
    for role in (lookup, gateway):
        try:
            connection = psycopg.connect(libpq_url(plan.db), user=role, connect_timeout=5, autocommit=True)
        except psycopg.Error as exc:
            found.append(f"{me} cannot connect as the {_job(role)} role {role}: {_first(exc)} {how}.")
            continue
        with connection:
            found += _role_problems(connection, role)
            try:
                if role == lookup:
                    connection.execute(PG_LOOKUP, ("ssh-ed25519", "AAAA")).fetchall()
                else:
                    for login, db_role in connection.execute(
                        "SELECT login, db_role FROM tracker_private.gateway_gaps()"
                    ).fetchall():
                        found.append(
                            f"the gateway role {gateway} cannot act as {login}'s database role {db_role}: as a "
                            f'superuser, GRANT "{db_role}" TO "{gateway}" (or `tracker member add` again).'
                        )
            except psycopg.Error as exc:
                found.append(
                    f"the {_job(role)} role {role} cannot do its job ({_first(exc)}): "
                    "run `tracker db upgrade` as the schema's owner."
                )
    return found


def _job(role: str) -> str:
    return "key-lookup" if role.endswith("lookup") else "gateway"


def _first(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__


_TOO_MUCH = (
    "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolinherit, "
    "ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relkind IN ('r', 'v', 'm', 'p') "
    "AND c.relnamespace::regnamespace::text = ANY (current_schemas(false)) "
    "AND has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE') ORDER BY 1) "
    "FROM pg_roles WHERE rolname = current_user"
)


def _role_problems(connection: object, role: str) -> list[str]:
    """A role that may do more than its job: attributes, or any right on a table."""
    attributes, tables = connection.execute(_TOO_MUCH).fetchone()  # type: ignore[attr-defined]
    found = []
    if attributes:
        found.append(
            f"the {_job(role)} role {role} has more than LOGIN NOINHERIT (superuser, CREATEROLE, CREATEDB, "
            f'BYPASSRLS or INHERIT): ALTER ROLE "{role}" NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS NOINHERIT.'
        )
    if tables:
        found.append(
            f"the {_job(role)} role {role} holds rights on {', '.join(tables[:5])}: "
            f'REVOKE ALL ON them FROM "{role}" (it must read nothing itself).'
        )
    return found
