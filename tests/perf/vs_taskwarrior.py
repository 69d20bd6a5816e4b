"""tracker against Taskwarrior on the command line: the same tasks, whole processes, side by side.

    python tests/perf/vs_taskwarrior.py                    # 10,000 and 100,000 tasks, 5 runs each
    python tests/perf/vs_taskwarrior.py --sizes 10000 --runs 7
    python tests/perf/vs_taskwarrior.py --smoke            # a small size, for CI (under a minute)
    python tests/perf/vs_taskwarrior.py --pg postgresql://...   # PostgreSQL figures too, for information

Scripts and people at a terminal run one command at a time, so each figure is a
whole process, timed from spawning it to its exit (output read from a pipe), the
median of ``--runs`` (at least 5) after one untimed warm-up:

* **import**: Taskwarrior's ``task import FILE`` into an empty data folder vs
  ``tracker seed FILES`` into an empty, migrated database (a fresh copy each run;
  making the copy is not timed);
* **filtered list**: one framework's pending tasks of one lead organisation as
  JSON: ``task project.is:F lead.is:O status:pending export`` vs ``tracker actions
  list --framework F --stakeholder O --as-lead --status planned --status
  in_progress --status blocked --json`` (both must list the same tasks);
* **modify**: one task changed: ``task UUID modify +blocked`` (and ``-blocked``,
  in turns) vs ``tracker actions set-status REF blocked`` (and ``in_progress``);
* **list all** (tracker alone): ``tracker actions list --json`` of every action.

The tasks are generated here, deterministically, for both tools: 5 frameworks
(Taskwarrior projects), 40 lead organisations (a Taskwarrior string UDA ``lead``),
spread evenly, statuses planned / in progress / blocked / done (Taskwarrior:
pending, pending, pending with tag ``blocked``, completed), due dates.

Each figure is printed beside its goal (issue 16) with MET or MISSED: on SQLite,
tracker at most 1.0x Taskwarrior at each size (the aim; at most 2x is the least
that counts as progress); at the largest size, tracker's list and status change
within 20% of their time at the smallest; list all under 0.5 s at 10,000. The
goals are figures to read, not a test: the script exits 0 when every command
worked and gave the expected output, whatever the figures.

Taskwarrior is Debian's ``taskwarrior`` package: installed with apt-get when
missing and running as root, otherwise the script says how and exits 2. It runs
with its own HOME, TASKRC and TASKDATA in a temporary folder, so a person's own
tasks are never read or touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FRAMEWORKS = 5
LEADS = 40
STATUSES = ("planned", "planned", "in_progress", "blocked", "done")
SMOKE_SIZE = 300
ADMIN = "bench"
# The filter of the list: the third framework, the seventh organisation.
FILTER_FRAMEWORK = 2
FILTER_LEAD = 6

AIM = 1.0  # tracker / Taskwarrior
PROGRESS = 2.0
FLAT = 1.2  # at the largest size, at most this times the time at the smallest
LIST_ALL_SECONDS = 0.5


@dataclass
class Task:
    framework: str
    key: str
    title: str
    lead: str
    status: str
    due: dt.date


@dataclass
class Timing:
    """One figure's median wall time and the median processor time (user + system) of the
    same runs: on a busy machine the wall time grows with the load, the processor time
    hardly does."""

    wall: float
    cpu: float


@dataclass
class Figure:
    size: int
    what: str
    tracker_timing: Timing
    taskwarrior_timing: Timing | None = None

    @property
    def tracker(self) -> float:
        return self.tracker_timing.wall

    @property
    def taskwarrior(self) -> float | None:
        return self.taskwarrior_timing.wall if self.taskwarrior_timing else None


def framework_key(prefix: str, f: int) -> str:
    return f"{prefix}city-{'abcdefghij'[f]}"


def lead_key(n: int) -> str:
    return f"org-{n + 1:02d}"


def make_tasks(size: int, prefix: str = "") -> list[Task]:
    """``size`` tasks, the same for every run: spread round-robin over frameworks and leads."""
    start = dt.date(2025, 1, 1)
    rng = random.Random(16)
    tasks = []
    for i in range(size):
        f = i % FRAMEWORKS
        tasks.append(
            Task(
                framework=framework_key(prefix, f),
                key=f"a-{i + 1:06d}",
                title=f"Action {i + 1}: convene the partners on item {i % 97}",
                lead=lead_key((i // FRAMEWORKS) % LEADS),
                status=rng.choice(STATUSES),
                due=start + dt.timedelta(days=30 + (i * 13) % 900),
            )
        )
    return tasks


def plan_files(tasks: Sequence[Task], folder: Path) -> list[Path]:
    """One tracker plan file (JSON) per framework."""
    by_framework: dict[str, list[Task]] = {}
    for t in tasks:
        by_framework.setdefault(t.framework, []).append(t)
    stakeholders = [
        {"key": lead_key(n), "name": f"Organisation {n + 1}", "sector": "non_profit", "description": None}
        for n in range(LEADS)
    ]
    paths = []
    for n, (key, items) in enumerate(sorted(by_framework.items())):
        objectives = [
            {"key": f"o-{o + 1}", "title": f"Objective {o + 1}", "actions": []} for o in range(4)
        ]  # fmt: skip
        for i, t in enumerate(items):
            objectives[i % len(objectives)]["actions"].append(
                {"key": t.key, "title": t.title, "lead": t.lead, "status": t.status, "due": t.due.isoformat()}
            )
        plan = {
            "framework": {
                "key": key,
                "city": f"Benchville {n + 1}",
                "state": "CT",
                "country": "US",
                "title": f"Benchville {n + 1} prevention framework",
                "stage": "draft",
                "starts": "2025-01",
                "near_term_months": 12,
                "mid_term_months": 36,
                "currency": "USD",
            },
            "stakeholders": stakeholders,
            "goals": [{"key": "g-1", "title": "Prevent violence", "objectives": objectives}],
        }
        path = folder / f"{key}.json"
        path.write_text(json.dumps(plan))
        paths.append(path)
    return paths


def taskwarrior_file(tasks: Sequence[Task], path: Path) -> None:
    """The same tasks in Taskwarrior's import format (a JSON array)."""
    entry = "20250101T000000Z"
    rows = []
    for i, t in enumerate(tasks):
        row: dict[str, Any] = {
            "uuid": f"00000000-0000-4000-8000-{i + 1:012d}",
            "description": t.title,
            "project": t.framework,
            "lead": t.lead,
            "entry": entry,
            "due": t.due.strftime("%Y%m%dT000000Z"),
            "status": "completed" if t.status == "done" else "pending",
        }
        if t.status == "done":
            row["end"] = entry
        if t.status == "blocked":
            row["tags"] = ["blocked"]
        rows.append(row)
    path.write_text(json.dumps(rows))


def find_task() -> str:
    """The ``task`` program, installed from Debian's package when missing (as root)."""
    found = shutil.which("task")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            "vs_taskwarrior: Taskwarrior is not installed; install Debian's package "
            "(sudo apt-get install taskwarrior) and run this again.",
            file=sys.stderr,
        )
        sys.exit(2)
    print("== installing Taskwarrior with apt-get ==", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "taskwarrior"], check=True, env=env)
    found = shutil.which("task")
    if not found:
        sys.exit("vs_taskwarrior: apt-get installed taskwarrior but there is no `task` on PATH.")
    return found


def tracker_script() -> str:
    script = Path(sys.executable).parent / "tracker"
    if not script.exists():
        sys.exit(f"vs_taskwarrior: no tracker console script next to {sys.executable}; pip install -e . first.")
    return str(script)


_CPU: list[float] = []  # the processor time of the last process `run` ran


def run(argv: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Run one process; its wall time and standard output. A failure ends the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=3600)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU[:] = [(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)]
    if done.returncode != 0:
        sys.exit(f"vs_taskwarrior: {' '.join(argv[:6])} ... exited {done.returncode}:\n{done.stderr[-2000:]}")
    return took, done.stdout


def median_of(runs: int, once: Callable[[int], float]) -> Timing:
    """The medians of ``runs`` timed calls of ``once`` (each runs one process), after an untimed one."""
    once(-1)
    walls, cpus = [], []
    for i in range(runs):
        walls.append(once(i))
        cpus.append(_CPU[0])
    return Timing(statistics.median(walls), statistics.median(cpus))


class Taskwarrior:
    """Taskwarrior with its own HOME, TASKRC and TASKDATA under ``folder``."""

    def __init__(self, task: str, folder: Path) -> None:
        self.task = task
        self.folder = folder
        home = folder / "home"
        home.mkdir(parents=True, exist_ok=True)
        rc = folder / "taskrc"
        rc.write_text("uda.lead.type=string\nuda.lead.label=Lead\nconfirmation=off\nverbose=nothing\n")
        self.data = folder / "data"
        self.env = {**os.environ, "HOME": str(home), "TASKRC": str(rc), "TASKDATA": str(self.data)}

    def __call__(self, *args: str) -> tuple[float, str]:
        return run([self.task, *args], self.env)

    def fresh(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir()


class Tracker:
    """The tracker console script on one database."""

    def __init__(self, script: str, db: str, folder: Path) -> None:
        self.script = script
        self.db = db
        # Bytecode of tracker and its libraries is compiled once (by the warm-up), as an
        # installed program's is: PYTHONDONTWRITEBYTECODE would compile every module again
        # in every timed run.
        self.env = {**os.environ, "PYTHONPYCACHEPREFIX": str(folder / "pycache"), "TRACKER_USER": ADMIN}
        for name in ("TRACKER_DB", "PYTHONDONTWRITEBYTECODE"):
            self.env.pop(name, None)

    def __call__(self, *args: str) -> tuple[float, str]:
        return run([self.script, "--db", self.db, *args], self.env)


def measure_size(size: int, runs: int, task: str, script: str, root: Path, pg: str | None) -> list[Figure]:
    folder = root / f"n{size}"
    folder.mkdir()
    tasks = make_tasks(size)
    files = [str(p) for p in plan_files(tasks, _mkdir(folder / "plans"))]
    tw_file = folder / "tasks.json"
    taskwarrior_file(tasks, tw_file)
    fw, lead = framework_key("", FILTER_FRAMEWORK), lead_key(FILTER_LEAD)
    expected = sorted(
        t.key for t in tasks if t.framework == fw and t.lead == lead and t.status != "done"
    )  # fmt: skip
    target = next(i for i, t in enumerate(tasks) if t.status == "planned")
    ref, uuid = f"{tasks[target].framework}/{tasks[target].key}", f"00000000-0000-4000-8000-{target + 1:012d}"
    print(f"== {size:,} tasks: {len(expected)} in the filtered list ==", flush=True)

    tw = Taskwarrior(task, folder / "tw")

    def tw_import(_i: int) -> float:
        tw.fresh()
        took, _ = tw("import", str(tw_file))
        return took

    empty = folder / "empty.db"
    Tracker(script, str(empty), folder)("db", "upgrade")
    db = folder / "tracker.db"
    tr = Tracker(script, str(db), folder)

    def tr_seed(_i: int) -> float:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(empty, db)
        took, _ = tr("seed", *files)
        return took

    figures = [Figure(size, "import / seed", median_of(runs, tr_seed), median_of(runs, tw_import))]

    tw_filter = ["rc.json.array=on", f"project.is:{fw}", f"lead.is:{lead}", "status:pending", "export"]
    tr_filter = ["actions", "list", "--framework", fw, "--stakeholder", lead, "--as-lead"]
    tr_filter += ["--status", "planned", "--status", "in_progress", "--status", "blocked"]
    tr_filter += ["--limit", "1000000", "--json"]

    def tw_list(_i: int) -> float:
        took, out = tw(*tw_filter)
        listed = sorted(tasks[int(row["uuid"][-12:]) - 1].key for row in json.loads(out))
        if listed != expected:
            sys.exit(f"vs_taskwarrior: Taskwarrior listed {len(listed)} tasks, expected {len(expected)}.")
        return took

    def tr_list(_i: int) -> float:
        took, out = tr(*tr_filter)
        listed = sorted(row["key"] for row in json.loads(out)["actions"])
        if listed != expected:
            sys.exit(f"vs_taskwarrior: tracker listed {len(listed)} actions, expected {len(expected)}.")
        return took

    figures.append(Figure(size, "filtered list (JSON)", median_of(runs, tr_list), median_of(runs, tw_list)))

    def tw_modify(i: int) -> float:
        took, _ = tw(uuid, "modify", "+blocked" if i % 2 == 0 else "-blocked")
        return took

    def tr_modify(i: int) -> float:
        took, _ = tr("actions", "set-status", ref, "blocked" if i % 2 == 0 else "in_progress")
        return took

    figures.append(Figure(size, "modify / set-status", median_of(runs, tr_modify), median_of(runs, tw_modify)))

    def tr_all(_i: int) -> float:
        took, out = tr("actions", "list", "--limit", str(max(size, 1)), "--json")
        if json.loads(out)["count"] != size:
            sys.exit(f"vs_taskwarrior: tracker's list of every action did not hold {size}.")
        return took

    figures.append(Figure(size, "list all (JSON)", median_of(runs, tr_all)))
    if pg:
        figures += measure_pg(size, runs, script, pg, folder)
    return figures


def measure_pg(size: int, runs: int, script: str, url: str, folder: Path) -> list[Figure]:
    """The same commands on PostgreSQL, for information (frameworks named for the size,
    so that sizes can share one database; the seed is timed once, into an empty plan)."""
    prefix = f"pg{size}-"
    tasks = make_tasks(size, prefix)
    files = [str(p) for p in plan_files(tasks, _mkdir(folder / "pg-plans"))]
    tr = Tracker(script, url, folder)
    tr("db", "upgrade")
    seeded = Timing(tr("seed", *files)[0], _CPU[0])
    fw, lead = framework_key(prefix, FILTER_FRAMEWORK), lead_key(FILTER_LEAD)
    target = next(t for t in tasks if t.status == "planned")
    ref = f"{target.framework}/{target.key}"
    args = ["actions", "list", "--framework", fw, "--stakeholder", lead, "--as-lead", "--status", "planned"]
    args += ["--status", "in_progress", "--status", "blocked", "--limit", "1000000", "--json"]
    listed = median_of(runs, lambda _i: tr(*args)[0])
    changed = median_of(
        runs, lambda i: tr("actions", "set-status", ref, "blocked" if i % 2 == 0 else "in_progress")[0]
    )  # fmt: skip
    return [
        Figure(size, "PostgreSQL: seed (1 run)", seeded),
        Figure(size, "PostgreSQL: filtered list", listed),
        Figure(size, "PostgreSQL: set-status", changed),
    ]


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def verdicts(figures: Sequence[Figure]) -> list[tuple[Figure, str, str]]:
    """Each figure with its goal and MET / MISSED (PostgreSQL: information only)."""
    sizes = sorted({f.size for f in figures})
    out = []
    for f in figures:
        if f.what.startswith("PostgreSQL"):
            out.append((f, "for information", ""))
            continue
        if f.taskwarrior is not None:
            ratio = f.tracker / f.taskwarrior
            verdict = "MET" if ratio <= AIM else "MISSED (progress: <= 2x)" if ratio <= PROGRESS else "MISSED"
            assert f.taskwarrior_timing is not None
            cpu = f.tracker_timing.cpu / max(f.taskwarrior_timing.cpu, 0.001)
            out.append((f, f"{ratio:.2f}x Taskwarrior (cpu {cpu:.1f}x); aim <= {AIM:.1f}x", verdict))
        elif f.what == "list all (JSON)":
            if f.size == 10_000:
                verdict = "MET" if f.tracker < LIST_ALL_SECONDS else "MISSED"
                out.append((f, f"< {LIST_ALL_SECONDS} s at 10,000", verdict))
            else:
                out.append((f, "goal set at 10,000 only", ""))
        if len(sizes) > 1 and f.size == sizes[-1] and f.what in ("filtered list (JSON)", "modify / set-status"):
            base = next(b for b in figures if b.size == sizes[0] and b.what == f.what)
            growth = f.tracker / base.tracker
            verdict = "MET" if growth <= FLAT else "MISSED"
            out.append((f, f"{growth:.2f}x its time at {sizes[0]:,}; goal <= {FLAT:.1f}x", verdict))
    return out


def _cell(value: float | None, width: int) -> str:
    return f"{value:{width}.3f}" if value is not None else " " * width


def report(figures: Sequence[Figure], runs: int) -> str:
    lines = [
        f"tracker vs Taskwarrior: whole processes, median of {runs} runs, in seconds: wall time (the goals)",
        "and processor time (cpu: user + system, which a busy machine hardly changes)",
        "",
    ]
    head = f"{'tasks':>8}  {'what':<26} {'tracker':>8} {'task':>7}  {'cpu tr':>6} {'cpu tw':>6}  goal"
    lines += [head, "-" * (len(head) + 40)]
    for f, goal, verdict in verdicts(figures):
        tw = f.taskwarrior_timing
        cells = f"{f.tracker:8.3f} {_cell(tw and tw.wall, 7)}  {f.tracker_timing.cpu:6.3f} {_cell(tw and tw.cpu, 6)}"
        lines.append(f"{f.size:>8,}  {f.what:<26} {cells}  {goal}{': ' + verdict if verdict else ''}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="Numbers of tasks, comma-separated.")
    parser.add_argument("--runs", type=int, default=5, help="Timed runs per figure (at least 5; the median).")
    parser.add_argument("--smoke", action="store_true", help=f"One small size ({SMOKE_SIZE}), for CI.")
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="Also time tracker on this PostgreSQL database (information); it seeds frameworks pg<size>-* into it, "
        "so give a scratch database.",
    )
    parser.add_argument("--keep", metavar="DIR", help="Work in DIR (kept) instead of a temporary folder.")
    args = parser.parse_args(argv)
    try:
        sizes = [SMOKE_SIZE] if args.smoke else [int(s.replace("_", "")) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: {args.sizes!r} is not a list of numbers such as 10000,100000.")
    if any(s < FRAMEWORKS * LEADS for s in sizes):
        parser.error(f"--sizes: each size must be at least {FRAMEWORKS * LEADS} (every lead in every framework).")
    if args.runs < 5:
        parser.error("--runs: at least 5 (the figures are medians).")
    if args.keep and Path(args.keep).exists() and any(Path(args.keep).iterdir()):
        parser.error(f"--keep {args.keep}: give a new or empty folder (a run writes its tasks and plans there).")
    task, script = find_task(), tracker_script()
    with tempfile.TemporaryDirectory(prefix="vs-taskwarrior-") as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        version = subprocess.run([task, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"Taskwarrior {version}; {sys.executable}; {os.cpu_count()} CPUs; scratch {root}", flush=True)
        path = "off (TRACKER_NO_FAST=1: the full command line)" if os.environ.get("TRACKER_NO_FAST") == "1" else "on"
        print(f"tracker's fast path for actions list --json and set-status: {path}", flush=True)
        figures: list[Figure] = []
        for size in sorted(sizes):
            figures += measure_size(size, args.runs, task, script, root, args.pg)
        print()
        print(report(figures, args.runs))
        print(f"load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
