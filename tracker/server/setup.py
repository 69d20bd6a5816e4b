"""What `tracker server setup` writes and `tracker server check` checks: sshd's drop-in
for the service account and the root-owned key-lookup helper it names."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

HELPER = Path("/usr/local/libexec/tracker/authorized-keys")
DROP_IN = Path("/etc/ssh/sshd_config.d/tracker.conf")


@dataclass(frozen=True)
class Plan:
    user: str
    db: str
    helper: Path
    drop_in: Path
    python: str
    tracker: str  # the console script the forced command runs
    root: str  # the folder that holds the tracker package

    def helper_text(self) -> str:
        code = (
            "import sys; sys.path.insert(0, sys.argv.pop(1)); "
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


def default_db(home: str) -> str:
    """The service account's default database, where tracker run as it would look."""
    return os.path.join(home, ".local", "share", "tracker", "tracker.db")


def make_plan(user: str, db: str | None, helper: Path, drop_in: Path) -> Plan:
    """What to write for ``user``; ``db``: a SQLite file (default: the account's own)."""
    import pwd

    from tracker.server.authorized_keys import sqlite_file

    try:
        home = pwd.getpwnam(user).pw_dir
    except KeyError:
        home = f"/home/{user}"
    database = sqlite_file(db) if db else default_db(home)
    import tracker.server

    root = str(Path(tracker.server.__file__).resolve().parents[2])
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
            f"(`useradd --system --create-home --shell /bin/sh {plan.user}`)."
        )
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
