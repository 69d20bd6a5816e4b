"""The team server: sshd's key lookup, its setup, and members working through a real sshd.

The lookup (`tracker server authorized-keys`) is what sshd trusts to say whose a key is:
if it printed a line for the wrong key or user, anyone could log in as a member. The
sshd tests start a private sshd on the loopback (root only: set TRACKER_TEST_SSHD=1, as
`.ci/run` does) with the drop-in and helper `tracker server setup` writes, a service
account made for the test, and a real ssh client; its config accepts TRACKER_* from the
client, so that the environment tests could fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import tracker, tracker_process
from tests.plans import MINIMAL
from tests.test_ssh_session import FP, KEY

KEY_TYPE, KEY_DATA = KEY.split()[:2]
ME = __import__("pwd").getpwuid(os.geteuid()).pw_name


@pytest.fixture
def keyed(tmp_path: Path) -> str:
    """A SQLite database (the team server is SQLite for now) where domus has a key."""
    db = str(tmp_path / "team.db")
    assert tracker("--db", db, "db", "upgrade").code == 0
    assert tracker("--db", db, "seed", "-", input=MINIMAL).code == 0
    assert tracker("--db", db, "member", "add", "domus", "--role", "member", "-f", "stamford-ct").code == 0
    assert tracker("--db", db, "member", "key", "add", "domus", "-", input=KEY).code == 0
    return db


def lookup(db: str, user: str = ME, key_type: str = KEY_TYPE, key: str = KEY_DATA) -> tuple[int, str, str]:
    result = tracker_process("--db", db, "server", "authorized-keys", user, key_type, key)
    return result.code, result.out, result.err


def test_the_lookup_prints_the_forced_command_of_a_registered_key(keyed: str) -> None:
    """sshd gets `restrict,pty,command="... ssh-session --member domus --key FP"` and the key."""
    code, out, _ = lookup(keyed)
    assert code == 0
    tracker_script = os.path.join(os.path.dirname(sys.executable), "tracker")
    assert out == (
        f'restrict,pty,command="{tracker_script} --db {keyed} ssh-session --member domus --key {FP}" '
        f"{KEY_TYPE} {KEY_DATA}\n"
    )


def test_the_lookup_prints_nothing_for_any_other_key_or_user(keyed: str) -> None:
    """Another user, another key, a key of another type, a member who left: no line, exit 0
    (sshd refuses the key); a database that cannot be read: a sentence and exit 1."""
    assert lookup(keyed, user="someone-else")[:2] == (0, "")
    assert lookup(keyed, key=KEY_DATA[:-4] + "AAAA")[:2] == (0, "")
    assert lookup(keyed, key_type="ssh-rsa")[:2] == (0, "")
    assert tracker("--db", keyed, "member", "remove", "domus", "-f", "stamford-ct").code == 0
    assert lookup(keyed)[:2] == (0, "")
    code, out, err = lookup(keyed + ".missing")
    assert (code, out) == (1, "") and "no database" in err and "no key is let in" in err


def test_the_lookup_loads_neither_the_orm_nor_the_command_line(keyed: str) -> None:
    """sshd runs the lookup several times per login: it must stay a bare interpreter's start
    plus one query, not the ~300 ms of the ORM and Typer."""
    code = (
        "import sys\n"
        f"sys.argv = ['tracker', '--db', {keyed!r}, 'server', 'authorized-keys', {ME!r}, {KEY_TYPE!r}, {KEY_DATA!r}]\n"
        "from tracker.cli.entry import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'typer', 'pydantic', "
        "'rich', 'textual', 'alembic', 'yaml', 'psycopg'})\n"
        "print('heavy:', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "ssh-session --member domus" in done.stdout
    assert done.stdout.strip().endswith("heavy: []"), done.stdout


def test_setup_prints_the_drop_in_and_the_helper(tmp_path: Path) -> None:
    """The Match block keeps keys in tracker's database and turns forwarding off; the
    helper names the database, so a client can never choose another."""
    result = tracker("--db", str(tmp_path / "t.db"), "server", "setup", "--user", "svc", "--print")
    assert result.code == 0, result.err
    for line in (
        "Match User svc",
        "AuthorizedKeysFile none",
        "AuthorizedKeysCommand /usr/local/libexec/tracker/authorized-keys %u %t %k",
        "AuthorizedKeysCommandUser svc",
        "DisableForwarding yes",
        "PermitTTY yes",
        "PermitUserEnvironment no",
    ):
        assert line in result.out
    # COLORTERM alone (true colour, README); never TRACKER_* nor anything else of the client's
    assert [line.strip() for line in result.out.splitlines() if line.strip().startswith("AcceptEnv")] == [
        "AcceptEnv COLORTERM"
    ]
    assert f'{tmp_path / "t.db"} "$@"' in result.out


def test_check_names_each_problem_of_a_setup(tmp_path: Path) -> None:
    """A helper where sshd will not run it (a folder others may write), a missing drop-in and
    database: one line each, exit 1."""
    folder = tmp_path / "libexec"
    db = str(tmp_path / "t.db")
    args = ["--user", ME, "--db", db, "--helper", str(folder / "helper"), "--drop-in", str(tmp_path / "d.conf")]
    assert tracker("server", "setup", *args).code == 0
    assert (folder / "helper").stat().st_mode & 0o777 == 0o755
    (tmp_path / "d.conf").unlink()
    folder.chmod(0o777)
    result = tracker("server", "check", *args)
    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert any(f"{folder} is writable by others" in line for line in lines), lines
    assert any("drop-in" in line and "missing" in line for line in lines), lines
    assert any("there is no database" in line for line in lines), lines


# -- a real sshd ----------------------------------------------------------------------------

SSHD = "/usr/sbin/sshd"
needs_sshd = pytest.mark.skipif(
    os.environ.get("TRACKER_TEST_SSHD") != "1" or os.geteuid() != 0 or not Path(SSHD).exists(),
    reason="needs root and sshd: set TRACKER_TEST_SSHD=1 (`.ci/run` installs openssh-server and sets it)",
)


@needs_sshd
def test_check_names_a_locked_account_and_a_python_it_cannot_run(tmp_path: Path) -> None:
    """A service account made with a plain `useradd` is locked, which an sshd without PAM
    refuses; and an account that cannot reach this tracker's Python (a virtualenv made
    from a Python under root's home) cannot run the key's command: one line each."""
    user = "trk" + secrets.token_hex(4)
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/bin/sh", user], check=True)
    try:
        db = str(tmp_path / "t.db")
        args = ["--user", user, "--db", db, "--helper", str(tmp_path / "helper"), "--drop-in", str(tmp_path / "d.conf")]
        lines = tracker("server", "check", *args).out.strip().splitlines()
        assert any(f"the account {user} is locked" in line and "usermod -p '*'" in line for line in lines), lines
        closed = [
            folder
            for folder in [*Path(sys.executable).absolute().parents, *Path(sys.executable).resolve().parents]
            if not folder.stat().st_mode & stat.S_IXOTH
        ]
        assert any(f"{user} cannot run" in line for line in lines) == bool(closed), (closed, lines)
        subprocess.run(["usermod", "-p", "*", user], check=True)
        lines = tracker("server", "check", *args).out.strip().splitlines()
        assert not any("is locked" in line for line in lines), lines
    finally:
        subprocess.run(["userdel", user], check=False)


@dataclass
class Server:
    base: Path
    user: str
    port: int
    db: Path | str  # a SQLite file, or on PostgreSQL the gateway URL
    tracker: str  # the command the service account runs tracker with
    process: subprocess.Popen[bytes]

    def admin(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """tracker as the service account (the database's admin), on the server."""
        return subprocess.run(
            ["runuser", "-u", self.user, "--", self.tracker, "--db", str(self.db), *args],
            input=input or "", capture_output=True, text=True, timeout=120, env=_clean_env(),
        )  # fmt: skip

    def dump(self) -> str:
        """Every row of every table, read as the service account."""
        code = (
            "import json, sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "names = [n for (n,) in c.execute(\"SELECT name FROM sqlite_master WHERE type = 'table'\")]\n"
            "print(json.dumps({n: sorted(map(repr, c.execute(f'SELECT * FROM {n}'))) for n in names}))\n"
        )
        return self.python(code)

    def python(self, code: str) -> str:
        """What ``code`` prints, run by the system's Python as the service account with the
        database's path as its argument."""
        done = subprocess.run(
            ["runuser", "-u", self.user, "--", "/usr/bin/python3", "-c", code, str(self.db)],
            capture_output=True, text=True, check=True, env=_clean_env(),
        )  # fmt: skip
        return done.stdout

    def ssh(
        self, *command: str, key: Path, options: tuple[str, ...] = (), input: str = "", program: str = "ssh"
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [program, *self.client_options(key), *options, "--", f"{self.user}@127.0.0.1", *command],
            input=input, capture_output=True, text=True, timeout=120, env=_clean_env(),
        )  # fmt: skip

    def client_options(self, key: Path, port_option: str = "-p") -> list[str]:
        return [
            "-F", "/dev/null", port_option, str(self.port), "-i", str(key), "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR",
        ]  # fmt: skip


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}


def _launcher(base: Path) -> str:
    """How the service account runs this tracker: its console script when the service account
    may run this Python; otherwise (a Python under /root, as pyenv's) the system's Python of
    the same version with this environment's packages."""
    python = Path(os.path.realpath(sys.executable))
    if all(p.stat().st_mode & stat.S_IXOTH for p in python.parents):
        return os.path.join(os.path.dirname(sys.executable), "tracker")
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        pytest.skip(f"the service account cannot run {python} and there is no {system}")
    import sysconfig

    script = base / "bin" / "tracker"
    script.parent.mkdir(mode=0o755)
    script.write_text(
        f"#!{system} -IS\nimport site\nsite.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
        "from tracker.cli.entry import run\nrun()\n"
    )
    script.chmod(0o755)
    return str(script)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True)
    return path


@contextlib.contextmanager
def service_account() -> Iterator[tuple[Path, str]]:
    """A folder of root's outside /tmp (sshd's rule for the helper) and a system user made
    for the test, with its home and a private data folder there; removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="tracker-sshd-", dir="/var/lib"))  # root's, not under /tmp
    base.chmod(0o755)
    user = "trk" + secrets.token_hex(4)
    subprocess.run(
        ["useradd", "--system", "--home-dir", str(base / "home"), "--shell", "/bin/sh", "-p", "*", user], check=True
    )
    try:
        (base / "home").mkdir()
        (base / "data").mkdir(mode=0o700)
        for folder in (base / "home", base / "data"):
            shutil.chown(folder, user, user)
        yield base, user
    finally:
        subprocess.run(["userdel", user], check=False)
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def running_sshd(server: Server, more_config: str = "") -> Iterator[None]:
    """`tracker server setup` for the server's account and database, then a private sshd on
    the loopback with that drop-in (and ``more_config``, more lines for sshd_config), until
    the end of the block."""
    base, launcher = server.base, server.tracker
    helper = base / "libexec" / "authorized-keys"
    drop_in = base / "sshd_config.d" / "tracker.conf"
    done = subprocess.run(
        [launcher, "server", "setup", "--user", server.user, "--db", str(server.db), "--helper", str(helper),
         "--drop-in", str(drop_in)],
        capture_output=True, text=True, env=_clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(base / "host_key")], check=True)
    config = base / "sshd_config"
    config.write_text(
        f"Port {server.port}\nListenAddress 127.0.0.1\nHostKey {base / 'host_key'}\nPidFile {base / 'sshd.pid'}\n"
        f"UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAllowUsers {server.user}\n"
        "Subsystem sftp internal-sftp\n"
        "AcceptEnv TRACKER_*\n"  # so that the environment tests can fail
        f"{more_config}Include {drop_in}\n"
        # ... also for the service account, whose Match block (AcceptEnv COLORTERM) replaces
        # the global list: sshd adds up the lists of the Match blocks that apply.
        f"Match User {server.user}\n    AcceptEnv TRACKER_*\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    check = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.DEVNULL)
    server.process = process
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "sshd did not start"
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def private_sshd(prepare: Callable[[Server], None], more_config: str = "") -> Iterator[Server]:
    """A private sshd on the loopback, set up by `tracker server setup`, for a service
    account made for the occasion that owns a SQLite database ``prepare`` fills (as that
    account, through `Server.admin`); ``more_config``: more lines for sshd_config. The account
    and its files go at the end. Also the team server benchmark's
    (tests/perf/bench_ssh_sessions.py)."""
    with service_account() as (base, user):
        launcher = _launcher(base)
        db = base / "data" / "tracker.db"
        server = Server(base, user, _free_port(), db, launcher, None)  # type: ignore[arg-type]
        prepare(server)
        with running_sshd(server, more_config):
            yield server


def _two_cities(server: Server) -> None:
    for args, text in [
        (("db", "upgrade"), None),
        (("seed", "-"), MINIMAL),
        (("seed", "-"), MINIMAL.replace("key: stamford-ct", "key: riverton", 1)),
        (("member", "add", "domus", "--role", "member", "-f", "stamford-ct", "-s", "domus-kids"), None),
        (("member", "add", "city", "--role", "member", "-f", "stamford-ct", "-s", "city-of-stamford"), None),
    ]:
        done = server.admin(*args, input=text)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The tests' sshd: a database with two cities, domus and city members of Stamford."""
    with private_sshd(_two_cities) as server:
        yield server


@pytest.fixture(scope="module")
def domus_key(server: Server) -> Path:
    key = _keygen(server.base / "domus_key")
    done = server.admin("member", "key", "add", "domus", "-", input=key.with_suffix(".pub").read_text())
    assert done.returncode == 0, done.stderr
    return key


@needs_sshd
def test_check_finds_nothing_wrong_with_the_setup(server: Server) -> None:
    """`tracker server check` passes on the setup the tests' sshd runs with."""
    done = subprocess.run(
        [server.tracker, "server", "check", "--user", server.user, "--db", str(server.db),
         "--helper", str(server.base / "libexec" / "authorized-keys"),
         "--drop-in", str(server.base / "sshd_config.d" / "tracker.conf")],
        capture_output=True, text=True, env=_clean_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@needs_sshd
def test_a_registered_key_lists_what_its_member_may_read(server: Server, domus_key: Path) -> None:
    """`ssh tracker@server actions list --json` runs as domus: Stamford, not Riverton."""
    done = server.ssh("actions list --json", key=domus_key)
    assert done.returncode == 0, done.stderr
    assert {a["framework"] for a in json.loads(done.stdout)["actions"]} == {"stamford-ct"}
    keys = json.loads(server.admin("member", "key", "list", "--json").stdout)
    assert [k["last_used_at"] is not None for k in keys if k["login"] == "domus"] == [True]


@needs_sshd
def test_a_status_change_over_ssh_is_recorded_as_the_member(server: Server, domus_key: Path) -> None:
    """The history names domus, whom the key identifies; an action not theirs is refused (4)."""
    done = server.ssh("actions set-status stamford-ct/convene in_progress --note 'over ssh'", key=domus_key)
    assert done.returncode == 0, done.stderr
    history = json.loads(server.admin("actions", "history", "stamford-ct/convene", "--json").stdout)
    assert [(c["by"], c["note"]) for c in history["changes"]][-1] == ("domus", "over ssh")
    assert server.ssh("actions set-status stamford-ct/reporting done", key=domus_key).returncode == 4


@needs_sshd
def test_a_plan_piped_from_the_client_is_read(server: Server, domus_key: Path) -> None:
    """`ssh ... validate - < plan.yaml` reads the client's file, never one on the server."""
    done = server.ssh("validate -", key=domus_key, input=MINIMAL)
    assert done.returncode == 0 and "ok: framework stamford-ct" in done.stdout, done.stderr


@needs_sshd
def test_an_unregistered_key_is_refused_by_sshd(server: Server) -> None:
    """A key nobody registered does not get in at all."""
    stranger = _keygen(server.base / "stranger_key")
    done = server.ssh("actions list", key=stranger)
    assert done.returncode == 255 and "Permission denied" in done.stderr


@needs_sshd
def test_a_removed_key_is_refused_at_the_next_login(server: Server) -> None:
    """Removing a key shuts its holder out from the next login on."""
    key = _keygen(server.base / "city_key")
    server.admin("member", "key", "add", "city", "-", input=key.with_suffix(".pub").read_text())
    assert server.ssh("actions list", key=key).returncode == 0
    fingerprint = json.loads(server.admin("member", "key", "list", "--json").stdout)
    (fp,) = [k["fingerprint"] for k in fingerprint if k["login"] == "city"]
    assert server.admin("member", "key", "remove", "city", fp).returncode == 0
    done = server.ssh("actions list", key=key)
    assert done.returncode == 255 and "Permission denied" in done.stderr


REMOTE_REFUSED = [
    ("actions set-status stamford-ct/convene done --as city", 4),
    ("actions set-status stamford-ct/convene done; id", 2),
    ("actions list && actions set-status stamford-ct/convene done", 2),
    ("actions list | id", 2),
    ("actions note stamford-ct/convene $(id)", 2),
    ("actions note stamford-ct/convene `id`", 2),
    ("actions list\nactions set-status stamford-ct/convene done", 2),
    ("--db /var/lib/other.db actions set-status stamford-ct/convene done", 2),
    ("demo --file /tmp/demo.db --no-open", 2),
    ("seed /etc/passwd", 2),
    ("export -F json -o /tmp/x", 2),
    ("scp -t /tmp", 2),
]


@needs_sshd
@pytest.mark.parametrize(("command", "code"), REMOTE_REFUSED, ids=[c for c, _ in REMOTE_REFUSED])
def test_remote_commands_that_are_refused_change_nothing(
    server: Server, domus_key: Path, command: str, code: int
) -> None:
    """Through the real sshd, each of these is refused with its exit code; the database
    is as it was and no file was written."""
    before = server.dump()
    done = server.ssh(command, key=domus_key)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert done.stderr.startswith("tracker: ")
    assert server.dump() == before
    assert not Path("/tmp/x").exists() or Path("/tmp/x").stat().st_mtime < time.time() - 60


@needs_sshd
@pytest.mark.parametrize(("name", "code"), [("TRACKER_USER", 4), ("TRACKER_DB", 2)])
def test_tracker_settings_sent_with_setenv_are_refused(server: Server, domus_key: Path, name: str, code: int) -> None:
    """sshd here accepts TRACKER_* (AcceptEnv), and still the session refuses them."""
    before = server.dump()
    done = server.ssh(
        "actions set-status stamford-ct/convene done", key=domus_key, options=("-o", f"SetEnv={name}=city")
    )
    assert done.returncode == code and name in done.stderr, done.stderr
    assert server.dump() == before


@needs_sshd
def test_port_forwarding_is_refused(server: Server, domus_key: Path) -> None:
    """`restrict` and the drop-in's DisableForwarding: no tunnel to the server's network,
    local (-L, here its one-shot form -W) or remote (-R)."""
    local = server.ssh(key=domus_key, options=("-W", f"127.0.0.1:{server.port}"))
    assert local.returncode == 255 and "forwarding failed" in local.stderr, local.stderr
    remote = server.ssh(
        "actions list", key=domus_key,
        options=("-o", "ExitOnForwardFailure=yes", "-R", f"127.0.0.1:{_free_port()}:127.0.0.1:22"),
    )  # fmt: skip
    assert remote.returncode == 255 and "forwarding failed" in remote.stderr, remote.stderr


@needs_sshd
@pytest.mark.parametrize("program", ["sftp", "scp", "scp -O"])
def test_sftp_and_scp_reach_no_file(server: Server, domus_key: Path, program: str) -> None:
    """The sftp subsystem and scp (over sftp, and its old protocol) run nothing but the
    forced command, which refuses them: no file is read or written on the server."""
    target = server.base / "home" / "copied"
    before = server.dump()
    if program == "sftp":
        done = subprocess.run(
            ["sftp", *server.client_options(domus_key, "-P"), "-b", "-", f"{server.user}@127.0.0.1"],
            input=f"get {server.db} {target}\nput /etc/hostname {target}\n", capture_output=True, text=True,
            timeout=60, env=_clean_env(),
        )  # fmt: skip
    else:
        done = subprocess.run(
            [*program.split(), *server.client_options(domus_key, "-P"), "/etc/hostname",
             f"{server.user}@127.0.0.1:{target}"],
            capture_output=True, text=True, timeout=60, env=_clean_env(),
        )  # fmt: skip
    assert done.returncode != 0
    assert not target.exists()
    assert server.dump() == before


@needs_sshd
def test_a_key_without_a_command_opens_the_app_as_its_member(server: Server, domus_key: Path) -> None:
    """`ssh -t tracker@server` opens the app in the member's terminal: the overview shows
    their city, and `q` ends the session cleanly."""
    assert open_app_over_ssh(server, domus_key, "Stamford") == 0


def open_app_over_ssh(server: Server, key: Path, shows: str, while_open: Callable[[], None] | None = None) -> int:
    """The app in a 100x30 terminal over `ssh -tt` until ``shows`` is on screen; then
    ``while_open``, then `q`: the ssh client's exit status."""
    import fcntl
    import pty
    import re
    import select
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the member's terminal, 100x30
        os.execvpe("ssh", ["ssh", "-tt", *server.client_options(key), "--", f"{server.user}@127.0.0.1"],
                   {**_clean_env(), "TERM": "xterm-256color"})  # fmt: skip
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    screen = b""
    deadline = time.monotonic() + 90
    try:
        while shows.encode() not in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", screen):
            assert time.monotonic() < deadline, f"{shows} did not show: {screen[-2000:]!r}"
            if select.select([fd], [], [], 1)[0]:
                screen += os.read(fd, 65536)
        if while_open is not None:
            while_open()
        os.write(fd, b"q")
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if select.select([fd], [], [], 0.5)[0]:
                with contextlib.suppress(OSError):  # the terminal closes as ssh ends
                    os.read(fd, 65536)
        else:
            raise AssertionError("the session did not end after q")
        return os.waitstatus_to_exitcode(status)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
