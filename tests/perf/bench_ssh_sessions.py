"""The team server at scale (issue 13): concurrent members in the app over a real sshd.

    .venv/bin/python tests/perf/bench_ssh_sessions.py                    # 50 sessions, 3 reference runs
    .venv/bin/python tests/perf/bench_ssh_sessions.py --sessions 3 --runs 1 --spread 2   # the smoke run (CI)

``--strict`` exits 1 when a goal is missed.

Root only (it makes a service account and runs sshd); without root or sshd it says so
and exits 2. The sshd is the tests' one (`private_sshd` in tests/test_team_server.py):
loopback port, generated host key, the drop-in and key-lookup helper of `tracker server
setup`, a service account made for the run, and ``MaxStartups`` raised (sshd's default,
10:30:100, drops logins beyond 10 at once). Its database is `tracker demo`'s (the five
bundled plans, made by the service account, who is its admin) plus ``--sessions``
generated members, in the five frameworks in turn, each a member for the lead
organisation of a demo action and the owner of a new action beside it (the demo has
only 40 actions, some shared or done), with a generated ed25519 key registered.

Each session is `ssh -tt` in its own pty (100 x 30, TERM=xterm-256color) and runs one
script: wait for the overview's data (the member's city on screen); wait until every
session got there; wait a moment of its own within ``--spread`` seconds (people do
not press keys in the same millisecond); ``a`` (the actions, their count shown), ``m``
(the filter "mine": their own action first), ``enter`` (its detail), ``s`` (the status
dialog), pick "in progress", type a note, ``enter`` (the detail shows ◐ in progress),
``q``. A key's latency is from writing it to the pty until the output written since
holds the text expected (ANSI sequences removed); after each key the script waits
for the screen to settle (0.3 s without output, not timed). The same script runs
locally in a pty (`tracker --db DB --as LOGIN` as the service account), ``--runs``
times one after another, for the reference, and over ssh alone ``--runs`` times (the
cost of ssh itself); then all ``--sessions`` log in at once.

Memory: PSS (and RSS) from /proc/PID/smaps_rollup of each server-side tracker process
(the forced command, `ssh-session`), sampled every ``--sample`` seconds; a session's
figure is its largest sample. The key lookup is bench_key_lookup's timing of the helper
sshd runs, on this database. The load average (`uptime`) is printed beside the figures:
this benchmark is about a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import pwd
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

from common import med, p95  # noqa: E402

SSHD = "/usr/sbin/sshd"
SIZE = (100, 30)
STEP_TIMEOUT = 120.0
QUIET = 0.3  # seconds without output: the screen has settled
CHOSEN = re.compile("in progress *▼".encode())  # the status picked, in the closed list (open, it shows ▲)
# the note's field with the cursor: its first letter drawn apart (escape sequences around it)
NOTE_FOCUSED = re.compile(rb"n(?:\x1b\[[0-9;]*m)+ote \(optional\)")
GOAL_PSS_MB = 100.0
GOAL_KEY_MS = 50.0
GOAL_FIRST_RATIO = 1.5
GOAL_LOOKUP_MS = 50.0
ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)")


@dataclass
class Member:
    login: str
    city: str
    key: Path  # private key file
    ref: str  # the planned action the member owns (the first of their "mine")


@dataclass
class Result:
    label: str
    login: str
    first_data: float | None = None  # seconds from spawn to the overview's data
    keys: dict[str, float] = field(default_factory=dict)  # step -> seconds, key written to text shown
    code: int | None = None
    error: str | None = None
    tail: str = ""

    @property
    def completed(self) -> bool:
        return self.error is None and self.code == 0


class Session:
    """One terminal: a child process on a pty, its output kept with the time it came."""

    def __init__(self, argv: list[str], env: dict[str, str], label: str, login: str) -> None:
        self.argv, self.env = argv, env
        self.result = Result(label, login)
        self.out = bytearray()
        self.changed = asyncio.Event()
        self.closed = False

    async def start(self) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.fd = master
        self.started = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=slave, stdout=slave, stderr=slave, env=self.env, start_new_session=True
        )
        os.close(slave)
        asyncio.get_running_loop().add_reader(master, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.fd)
            self.closed = True
        self.out += data
        self.changed.set()

    async def expect(self, text: str | re.Pattern[bytes], since: int, what: str) -> float:
        """Wait until the output after byte ``since`` shows ``text`` (a pattern: matches);
        the moment it did."""
        needle = text if isinstance(text, re.Pattern) else re.compile(re.escape(text.encode()))
        deadline = time.perf_counter() + STEP_TIMEOUT
        while True:
            shown = bytes(self.out[since:])
            if needle.search(shown if needle is NOTE_FOCUSED else ANSI.sub(b"", shown)):
                return time.perf_counter()
            if self.closed:
                raise RuntimeError(f"the session ended waiting for {what} ({text!r})")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), deadline - time.perf_counter())
            except TimeoutError:
                raise RuntimeError(f"{what} did not show {text!r} in {STEP_TIMEOUT:.0f} s") from None

    async def key(self, data: str, text: str | re.Pattern[bytes] | None, what: str) -> float:
        """Write a key; the seconds until ``text`` shows (0 without one). Then wait for the
        screen to settle (not timed), so that the next key meets the screen it is meant for."""
        since = len(self.out)
        sent = time.perf_counter()
        os.write(self.fd, data.encode())
        took = 0.0 if text is None else await self.expect(text, since, what) - sent
        await self.settle()
        return took

    async def settle(self, quiet: float = QUIET) -> None:
        """Until no output came for ``quiet`` seconds."""
        deadline = time.perf_counter() + STEP_TIMEOUT
        while not self.closed and time.perf_counter() < deadline:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), quiet)
            except TimeoutError:
                return

    async def finish(self, timeout: float) -> None:
        try:
            self.result.code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.result.error = self.result.error or "the session did not end after q"
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.fd)
        os.close(self.fd)


class Gate:
    """Where the sessions wait for each other: the keys start once every app is open."""

    def __init__(self, sessions: int, spread: float) -> None:
        self.waiting, self.spread = sessions, spread
        self.open = asyncio.Event()

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0:
            self.open.set()

    async def wait(self, offset: float) -> None:
        """Arrive, wait for the others, then ``offset`` (0-1) of the spread: people's keys
        come at their own moments, not all in the same millisecond."""
        self.arrive()
        await self.open.wait()
        await asyncio.sleep(offset * self.spread)


async def script(session: Session, member: Member, gate: Gate, offset: float) -> Result:
    """The member's visit: overview, actions, mine, an action, a status change, quit."""
    result = session.result
    arrived = False
    try:
        await session.start()
        result.first_data = await session.expect(member.city, 0, "the overview") - session.started
        await session.settle()
        arrived = True
        await gate.wait(offset)
        result.keys["a (actions)"] = await session.key("a", " actions: ", "the actions screen")
        result.keys["m (filter: mine)"] = await session.key("m", f"{member.login}'s (owned first", "the filter")
        result.keys["enter (the action)"] = await session.key("\r", "History", "the action's detail")
        result.keys["s (status dialog)"] = await session.key("s", "Status of", "the status dialog")
        # the dialog's own keys wait for what they show too (not timed: typing, not the app's work),
        # so that on a loaded machine no key arrives before the widget it is meant for
        await session.key("\r", "cancelled", "the list of statuses")
        await session.key("\x1b[B", None, "the next status")
        await session.key("\r", CHOSEN, "the chosen status, the list closed")
        await session.key("\t", NOTE_FOCUSED, "the note's field with the cursor")
        await session.key(f"bench {member.login} checked in", f"{member.login} checked in", "the note typed")
        result.keys["enter (apply)"] = await session.key("\r", "◐ in progress", "the new status in the detail")
        os.write(session.fd, b"q")
        await session.finish(60)
    except Exception as exc:  # a failed session is a figure, not the end of the run
        result.error = str(exc) or type(exc).__name__
        if not arrived:
            gate.arrive()
        await session.finish(5)
    result.tail = ANSI.sub(b"", bytes(session.out[-3000:])).decode("utf-8", "replace")
    return result


# -- memory -----------------------------------------------------------------------------------


def rollup(pid: int) -> tuple[int, int] | None:
    """(PSS, RSS) of a process, in bytes."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in text.splitlines()[1:] if ":" in line)
    try:
        return int(values["Pss"].split()[0]) * 1024, int(values["Rss"].split()[0]) * 1024
    except (KeyError, ValueError):
        return None


async def sample_memory(uid: int, marker: str, peaks: dict[int, tuple[int, int]], every: float) -> None:
    """Each ``every`` seconds, the PSS and RSS of the service account's processes whose
    command line holds ``marker``; ``peaks`` keeps each one's largest."""
    while True:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid != uid:
                    continue
                cmdline = Path(entry.path, "cmdline").read_bytes()
                exe = os.readlink(Path(entry.path, "exe"))
            except OSError:
                continue
            if marker.encode() not in cmdline or "python" not in os.path.basename(exe):
                continue
            found = rollup(int(entry.name))
            if found is not None:
                old = peaks.get(int(entry.name), (0, 0))
                peaks[int(entry.name)] = (max(old[0], found[0]), max(old[1], found[1]))
        await asyncio.sleep(every)


async def run_sessions(
    make: Callable[[Member], Session], members: list[Member], uid: int, marker: str, every: float, spread: float = 0
) -> tuple[list[Result], dict[int, tuple[int, int]], str]:
    """All ``members`` at once; their results, the memory peaks, and the load at the end."""
    peaks: dict[int, tuple[int, int]] = {}
    sampler = asyncio.create_task(sample_memory(uid, marker, peaks, every))
    gate = Gate(len(members), spread)
    try:
        offsets = [i / len(members) for i in range(len(members))]
        random.Random(1).shuffle(offsets)
        results = await asyncio.gather(*(script(make(m), m, gate, o) for m, o in zip(members, offsets, strict=True)))
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
    return list(results), peaks, load()


def load() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- the server and its members ---------------------------------------------------------------


def prepare(count: int, folder: Path, made: list[Member]) -> Callable[[object], None]:
    """What `private_sshd` fills the database with: the demo, and ``count`` members with
    keys (into ``made``)."""

    def fill(server: object) -> None:
        from tests.test_team_server import Server, _clean_env, _keygen

        assert isinstance(server, Server)
        done = subprocess.run(
            ["runuser", "-u", server.user, "--", server.tracker, "demo", "--file", str(server.db), "--no-open"],
            capture_output=True, text=True, env={**_clean_env(), "HOME": str(server.base / "home")},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        keys = [_keygen(folder / f"b{i:02}") for i in range(count)]
        made.extend(add_members(server.db, server.user, keys))
        for path in server.db.parent.iterdir():  # the files sqlite made for root, as the service account's
            shutil.chown(path, server.user, server.user)

    return fill


def add_members(db: Path, admin: str, keys: list[Path]) -> list[Member]:
    """Members b00, b01... (the names of ``keys``), in the five frameworks in turn, each a
    member for the lead organisation of one of the demo's actions there and the owner of a
    new action of their own beside it (the demo has 40 actions, some shared, some done)."""
    from tracker.db import make_engine, write_session
    from tracker.models.enums import Role
    from tracker.services.access.keys import add_key
    from tracker.services.access.members import add_member, find_member
    from tracker.services.plan.action_plan import add_action
    from tracker.services.plan.frameworks import framework_summaries
    from tracker.services.tracking.actions import list_actions
    from tracker.services.tracking.filters import ActionFilter

    engine = make_engine(str(db))
    members = []
    try:
        with write_session(engine) as session:
            actor = find_member(session, admin)
            assert actor is not None
            cities = {f.key: f.city for f in framework_summaries(session)}
            frameworks = sorted(cities)
            rows = {key: list_actions(session, ActionFilter(framework=key, limit=500)) for key in frameworks}
            for i, key in enumerate(keys):
                framework = frameworks[i % len(frameworks)]
                beside = rows[framework][(i // len(frameworks)) % len(rows[framework])]
                login = key.name
                add_member(
                    session, actor=actor, login=login, role=Role.member, framework=framework,
                    stakeholders=[beside.lead.key],
                )  # fmt: skip
                add_key(session, actor=actor, login=login, text=key.with_suffix(".pub").read_text(), source=str(key))
                action = add_action(
                    session=session, actor=actor, objective_ref=f"{framework}/{beside.objective_key}",
                    fields={"key": f"bench-{login}", "title": f"Check in, {login}", "lead": beside.lead.key,
                            "owner": login, "horizon": "near_term"},
                )  # fmt: skip
                members.append(Member(login, cities[framework], key, action.row.ref))
    finally:
        engine.dispose()
    return members


# -- the figures ------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(
    args: argparse.Namespace,
    local: list[Result],
    solo: list[Result],
    crowd: list[Result],
    peaks: dict[int, tuple[int, int]],
    lookup: list[float],
    loads: dict[str, str],
) -> bool:
    done = [r for r in crowd if r.completed]
    python = sys.version.split()[0]
    print(f"team server benchmark: {args.sessions} sessions over ssh, {os.cpu_count()} CPUs, Python {python}")
    ok = len(done) == args.sessions
    print(
        f"  sessions completed            {len(done):>4} of {args.sessions:<4}"
        f"        goal: all     {verdict(ok)}   ({loads['crowd']})"
    )
    for r in local + solo + crowd:
        if not r.completed:
            print(f"    {r.label} {r.login}: {r.error or f'exit {r.code}'}; last screen text: {r.tail[-1500:]!r}")
    pss = [p for p, _ in peaks.values()]
    rss = [r for _, r in peaks.values()]
    if pss:
        mb = 1024 * 1024
        good = max(pss) / mb <= GOAL_PSS_MB
        ok &= good
        print(
            f"  PSS per session (of {len(pss)})    median {med(pss) / mb:5.1f} MB, max {max(pss) / mb:5.1f} MB"
            f"   goal: <= {GOAL_PSS_MB:.0f} MB   {verdict(good)}   (RSS median {med(rss) / mb:.1f} MB)"
        )
    else:
        ok = False
        print("  PSS per session               no server-side process was seen   MISSED")
    for name, group in (("over ssh, all at once", done), ("over ssh, alone", [r for r in solo if r.completed]),
                        ("locally, alone", [r for r in local if r.completed])):  # fmt: skip
        latencies = [v for r in group for v in r.keys.values()]
        if not latencies:
            continue
        good = med(latencies) * 1000 <= GOAL_KEY_MS
        if name == "over ssh, all at once":
            ok &= good
        print(
            f"  key to screen, {name:22} median {ms(med(latencies))}, p95 {ms(p95(latencies))}"
            f"   goal: median <= {GOAL_KEY_MS:.0f} ms   {verdict(good)}   ({loads[name]})"
        )
        for step in group[0].keys:
            values = [r.keys[step] for r in group if step in r.keys]
            print(f"      {step:22} median {ms(med(values))}, p95 {ms(p95(values))}")
    reference = [r.first_data for r in local if r.completed and r.first_data is not None]
    for name, group in (("over ssh, all at once", done), ("over ssh, alone", solo), ("locally, alone", local)):
        firsts = [r.first_data for r in group if r.completed and r.first_data is not None]
        changes = [r.keys["enter (apply)"] for r in group if r.completed]
        if not firsts:
            continue
        line = (
            f"  first data, {name:22}    median {ms(med(firsts))};"
            f" status change (apply to the new status shown) median {ms(med(changes))}"
        )
        if reference and name != "locally, alone":
            ratio = med(firsts) / med(reference)
            good = ratio <= GOAL_FIRST_RATIO
            ok &= good
            line += f"; {ratio:.2f}x local   goal: <= {GOAL_FIRST_RATIO}x   {verdict(good)}"
        print(line + f"   ({loads[name]})")
    if lookup:
        good = med(lookup) < GOAL_LOOKUP_MS
        ok &= good
        print(
            f"  key lookup (the helper sshd runs) median {med(lookup):5.1f} ms, p95 {p95(lookup):5.1f} ms"
            f"   goal: < {GOAL_LOOKUP_MS:.0f} ms   {verdict(good)}   ({loads['lookup']})"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions over ssh (50)")
    parser.add_argument("--runs", type=int, default=3, help="reference runs, locally and over ssh alone (3)")
    parser.add_argument("--lookups", type=int, default=20, help="timed key lookups (20)")
    parser.add_argument(
        "--spread", type=float, default=10.0, help="seconds over which the open sessions start their keys (10)"
    )
    parser.add_argument("--sample", type=float, default=0.5, help="seconds between memory samples (0.5)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    missing = [p for p in (SSHD, shutil.which("ssh"), shutil.which("ssh-keygen"), shutil.which("runuser")) if not p]
    if os.geteuid() != 0:
        print(
            "bench_ssh_sessions: needs root (it makes a service account and runs sshd); run it as root.",
            file=sys.stderr,
        )
        return 2
    if not Path(SSHD).exists() or missing:
        print("bench_ssh_sessions: needs sshd, ssh, ssh-keygen and runuser: apt-get install openssh-server "
              "openssh-client.", file=sys.stderr)  # fmt: skip
        return 2
    from bench_key_lookup import timed

    from tests.test_team_server import _clean_env, private_sshd

    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-keys-"))
    members: list[Member] = []
    try:
        # sshd drops unauthenticated connections beyond MaxStartups (10:30:100 by default): raised
        # here, for a team that logs in at the same moment
        config = f"MaxStartups {max(10, 2 * args.sessions)}\n"
        # the crowd's members, then two for each reference run (each changes its action once)
        with private_sshd(prepare(args.sessions + 2 * args.runs, folder, members), config) as server:
            uid = pwd.getpwnam(server.user).pw_uid
            env = {**_clean_env(), "TERM": "xterm-256color"}
            env.pop("COLORTERM", None)
            helper = server.base / "libexec" / "authorized-keys"
            key_type, key_data = members[0].key.with_suffix(".pub").read_text().split()[:2]
            loads = {"lookup": load()}
            # as root, for root: the helper answers only for the account that runs it (sshd runs it as
            # the service account), and runuser's own start would be timed with it
            lookup = timed([str(helper), "root", key_type, key_data], args.lookups, f"--member {members[0].login} ")

            def over_ssh(m: Member) -> Session:
                argv = ["ssh", "-tt", *server.client_options(m.key), "--", f"{server.user}@127.0.0.1"]
                return Session(argv, env, "ssh", m.login)

            def locally(m: Member) -> Session:
                argv = ["runuser", "-u", server.user, "--", server.tracker, "--db", str(server.db), "--as", m.login]
                return Session(argv, {**env, "HOME": str(server.base / "home")}, "local", m.login)

            async def everything() -> tuple[list[Result], list[Result], list[Result], dict[int, tuple[int, int]]]:
                local, solo = [], []
                for i in range(args.runs):  # one at a time: the reference, then ssh's own cost
                    one, other = members[args.sessions + 2 * i : args.sessions + 2 * i + 2]
                    local += (await run_sessions(locally, [one], uid, "--as", args.sample))[0]
                    solo += (await run_sessions(over_ssh, [other], uid, "ssh-session", args.sample))[0]
                loads["locally, alone"] = loads["over ssh, alone"] = load()
                await asyncio.sleep(5)  # let the load of the reference runs pass a little
                crowd, peaks, loads["crowd"] = await run_sessions(
                    over_ssh, members[: args.sessions], uid, "ssh-session", args.sample, args.spread
                )
                loads["over ssh, all at once"] = loads["crowd"]
                return local, solo, crowd, peaks

            local, solo, crowd, peaks = asyncio.run(everything())
            ok = report(args, local, solo, crowd, peaks, lookup, loads)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
