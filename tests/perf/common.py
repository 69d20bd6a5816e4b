"""What the measurements share: settings, one result row, timing and formatting helpers."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRAGMAS = ("busy_timeout = 15000", "foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL")


@dataclass(frozen=True)
class Settings:
    """The sizes and repeats every measurement reads (from bench.py's command line)."""

    actions: int = 100_000
    frameworks: int = 20
    stakeholders: int = 2_000
    allocations: int | None = None  # None: three per action
    seed: int = 1
    repeat: int = 3
    writers: int = 8
    changes: int = 300
    cli_actions: int = 10_000
    folder: Path = Path(".")  # scratch space (a temporary folder)
    db: Path | None = None  # the shared seeded database, kept (and reused) when given
    pg: str | None = None  # a PostgreSQL server for the live refresh row (skipped without one)
    verbose: bool = False

    @property
    def total_allocations(self) -> int:
        return 3 * self.actions if self.allocations is None else self.allocations

    def plan_args(self, actions: int | None = None) -> dict[str, Any]:
        """generate_plans' arguments for ``actions`` (default: the main size)."""
        n = self.actions if actions is None else actions
        allocations = self.total_allocations if actions is None else 3 * n
        return {
            "actions": n,
            "frameworks": self.frameworks,
            "stakeholders": self.stakeholders,
            "allocations": allocations,
            "seed": self.seed,
            "members": self.frameworks,  # one per framework: the TUI's acting member
        }


@dataclass
class Row:
    """One line of the table: a figure, its reference (same run, same machine), the verdict.

    ``ratio`` is how many times worse the figure is than the reference (so a
    target "<= 2x" is met when ratio <= 2), None when the row has no reference.
    """

    name: str
    figure: str
    reference: str
    ratio: float | None
    target: str
    ok: bool
    values: dict[str, Any] = field(default_factory=dict)  # the raw numbers, for --json
    notes: list[str] = field(default_factory=list)  # details printed under the table
    skipped: bool = False  # not measured here (the reason is in the notes)

    @property
    def verdict(self) -> str:
        return "skipped" if self.skipped else "ok" if self.ok else "MISSED"


# -- timing --------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def med(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def peak_rss() -> int:
    """The peak resident set size of this process, in bytes.

    On Linux from VmHWM: ``ru_maxrss`` survives exec, so a child spawned by a
    process that held the generated plans would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB


def current_rss() -> int | None:
    """The resident set size now, in bytes (Linux only; None elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


# -- formatting ----------------------------------------------------------------------------


def seconds(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.0f} MB"


def versions() -> str:
    import pydantic
    import sqlalchemy
    import textual

    return (
        f"python {platform.python_version()} ({platform.python_implementation()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs), sqlite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {sqlalchemy.__version__}, pydantic {pydantic.__version__}, textual {textual.__version__}"
    )


# -- plain sqlite3 -------------------------------------------------------------------------


def connect(path: Path | str) -> sqlite3.Connection:
    """A plain sqlite3 connection with tracker's pragmas, transactions by hand."""
    con = sqlite3.connect(path, isolation_level=None, timeout=15)
    for pragma in PRAGMAS:
        con.execute(f"PRAGMA {pragma}")
    return con


def marks(n: int) -> str:
    return ", ".join("?" * n)


def stored_now(moment: dt.datetime | None = None) -> str:
    """A UTC moment as tracker stores it on SQLite (naive, microseconds)."""
    moment = moment or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
