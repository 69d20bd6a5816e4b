"""Sessions through a real sshd that behave: a dropped client ends its process and leaves
the database whole, the app redraws at a new window size, uses the colours the terminal
has, and gets no forwarded agent.

The sshd, its service account and keys are those of tests/test_team_server.py (root
only: TRACKER_TEST_SSHD=1). The member's terminal is a pty these tests hold, with ssh
-tt inside it, as a member's terminal program would.
"""

# ruff: noqa: F811  (the sshd fixtures, imported by name, are the tests' parameters)
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import pwd
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.test_team_server import Server, _clean_env, domus_key, needs_sshd, server  # noqa: F401  (fixtures)

ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class Terminal:
    """A member's terminal: ssh -tt in a pty of ``rows`` x ``columns``, and what it shows."""

    def __init__(
        self,
        server: Server,
        key: Path,
        *,
        rows: int = 30,
        columns: int = 100,
        options: tuple[str, ...] = (),
        **env: str,
    ) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the member's ssh client
            send = ("-o", "SendEnv=COLORTERM") if "COLORTERM" in env else ()
            os.execvpe(
                "ssh",
                ["ssh", "-tt", *server.client_options(key), *send, *options, "--", f"{server.user}@127.0.0.1"],
                {**{k: v for k, v in _clean_env().items() if k not in ("COLORTERM", "SSH_AUTH_SOCK")},
                 "TERM": "xterm-256color", **env},
            )  # fmt: skip
        self.resize(rows, columns)
        self.output = b""

    def resize(self, rows: int, columns: int) -> None:
        """The member drags the window: the pty's size changes and ssh is told (SIGWINCH)."""
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def read_until(self, done: Callable[[bytes], bool], timeout: float = 60) -> bytes:
        """Read the terminal until ``done(everything read)``; fail with the end of it."""
        deadline = time.monotonic() + timeout
        while not done(self.output):
            assert time.monotonic() < deadline, f"the terminal did not show it: {self.output[-3000:]!r}"
            if select.select([self.fd], [], [], 0.5)[0]:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:  # the pty closed: ssh ended
                    break
        return self.output

    def drain(self, seconds: float) -> bytes:
        """Everything the terminal shows for ``seconds`` more."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if select.select([self.fd], [], [], left)[0]:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    break
        return self.output

    def shows(self, text: str) -> bool:
        return text.encode() in ESCAPES.sub(b"", self.output)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        self.read_until(lambda _: self.shows(text), timeout)

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


@pytest.fixture
def terminal(server: Server, domus_key: Path) -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(**kwargs: str | int) -> Terminal:
        opened.append(Terminal(server, domus_key, **kwargs))  # type: ignore[arg-type]
        return opened[-1]

    yield open_terminal
    for t in opened:
        t.close()


def sessions(server: Server) -> list[int]:
    """The service account's `tracker ssh-session` processes (sshd runs them as it)."""
    uid = pwd.getpwnam(server.user).pw_uid
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # ended meanwhile
            continue
        if b"ssh-session" in command:
            found.append(int(entry.name))
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.decode(errors="replace").split("=", 1) for item in raw.split(b"\0") if b"=" in item)


def _ended(server: Server, within: float) -> list[int]:
    deadline = time.monotonic() + within
    while (left := sessions(server)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@needs_sshd
def test_a_dropped_session_ends_its_process_and_leaves_the_database_whole(
    server: Server,
    terminal: Callable[..., Terminal],
) -> None:
    """A member's laptop closes (the ssh client killed) while the app is open: the
    session's process on the server ends within seconds, no tracker is left running as
    the service account, and the database is intact, each action's status the one its
    newest status change says."""
    assert sessions(server) == []
    member = terminal()
    member.wait_for("Stamford")
    assert sessions(server), "the app's process was not found on the server"
    os.kill(member.pid, signal.SIGKILL)
    assert _ended(server, within=10) == [], "tracker kept running on the server after the client went away"
    assert _integrity(server) == "ok"


def _integrity(server: Server) -> str:
    """SQLite's integrity check of the server's database, and whether every action's status
    is the one its newest status change says: "ok" when both hold."""
    code = (
        "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n"
        "check = c.execute('PRAGMA integrity_check').fetchone()[0]\n"
        "wrong = c.execute('SELECT key FROM action a WHERE a.status <> coalesce((SELECT s.to_status FROM "
        "status_change s WHERE s.action_id = a.id ORDER BY s.id DESC LIMIT 1), a.status)').fetchall()\n"
        "print(check if check != 'ok' or not wrong else f'statuses differ from their history: {wrong}')\n"
    )
    return server.python(code).strip()


@needs_sshd
def test_a_client_killed_during_a_status_change_leaves_all_of_it_or_none(
    server: Server,
    domus_key: Path,
) -> None:
    """The client of `ssh SERVER actions set-status ...` is killed at moments throughout the
    command: every time, the session's process ends, and the action's status is the one
    its newest status change says (the change and its audit row are one transaction)."""
    statuses = ["in_progress", "blocked"] * 4
    for i, status in enumerate(statuses):
        client = subprocess.Popen(
            ["ssh", *server.client_options(domus_key), "--", f"{server.user}@127.0.0.1",
             f"actions set-status stamford-ct/convene {status} --force --note 'try {i}'"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env(),
        )  # fmt: skip
        time.sleep(0.15 * i)
        client.kill()
        client.wait()
        assert _ended(server, within=10) == [], f"tracker kept running after the client was killed (try {i})"
    history = json.loads(server.admin("actions", "history", "stamford-ct/convene", "--json").stdout)["changes"]
    shown = server.admin("actions", "list", "--json", "-f", "stamford-ct")
    (convene,) = [a for a in json.loads(shown.stdout)["actions"] if a["ref"] == "stamford-ct/convene"]
    assert convene["status"] == (history[-1]["to_status"] if history else "planned")
    assert _integrity(server) == "ok"


@needs_sshd
def test_the_app_redraws_at_the_new_size_after_the_window_changes(
    server: Server,
    terminal: Callable[..., Terminal],
) -> None:
    """The member enlarges the window from 30 to 40 rows: ssh tells the server and the
    app paints down to the new bottom row (it would otherwise stay 30 rows tall)."""
    member = terminal(rows=30, columns=100)
    member.wait_for("Stamford")
    assert not re.search(rb"\x1b\[40;\d+H", member.output)
    member.resize(40, 120)
    member.read_until(lambda out: re.search(rb"\x1b\[40;\d+H", out) is not None, timeout=20)


@needs_sshd
def test_colours_are_256_without_colorterm_and_true_colour_with_it(
    server: Server,
    terminal: Callable[..., Terminal],
) -> None:
    """ssh does not send COLORTERM unless asked: the app then uses the 256 colours that
    TERM=xterm-256color promises, never true-colour sequences the terminal may not show;
    with `SendEnv COLORTERM` (accepted by the drop-in) it uses true colour."""
    plain = terminal()
    plain.wait_for("Stamford")
    plain.drain(1)
    assert b"38;5;" in plain.output and b"38;2;" not in plain.output
    plain.close()
    rich = terminal(COLORTERM="truecolor")
    rich.wait_for("Stamford")
    assert b"38;2;" in rich.output


@needs_sshd
def test_a_forwarded_agent_never_reaches_the_session(
    server: Server,
    domus_key: Path,
    tmp_path: Path,
) -> None:
    """`ssh -A` with an agent running: the session's process has no SSH_AUTH_SOCK (the
    key's `restrict` and the drop-in's DisableForwarding), so nothing on the server can
    use the member's other keys."""
    agent = subprocess.run(["ssh-agent", "-s", "-a", str(tmp_path / "agent")], capture_output=True, text=True)
    pid = int(re.search(r"SSH_AGENT_PID=(\d+)", agent.stdout).group(1))  # type: ignore[union-attr]
    try:
        member = Terminal(server, domus_key, options=("-A",), SSH_AUTH_SOCK=str(tmp_path / "agent"))
        try:
            member.wait_for("Stamford")
            (session,) = sessions(server)
            environment = environment_of(session)
            assert "SSH_AUTH_SOCK" not in environment, environment
            assert environment.get("USER") == server.user
        finally:
            member.close()
    finally:
        os.kill(pid, signal.SIGTERM)
