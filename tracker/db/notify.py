"""Live change notifications on PostgreSQL: the channel, its payloads (ids only) and a listener.

Every write on PostgreSQL notifies ``tracker_changes`` at commit (AFTER triggers
of migration 0007, so writes by any tool count). A payload names what changed by
ids only, such as ``{"kind": "status", "framework": 3, "action": 41}``: the
server does not filter notifications by row-level security, so a listener
re-reads what changed under its own role and never shows a payload.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

CHANNEL = "tracker_changes"
KINDS = frozenset(
    {"status", "note", "measurement", "plan", "import", "action", "funding", "stakeholder", "member", "other"}
)
_IDS = ("framework", "action")


@dataclass(frozen=True)
class Change:
    """One notification: what kind of thing changed, in which framework (None: unknown or any)."""

    kind: str
    framework: int | None = None
    action: int | None = None


def parse(payload: str) -> Change:
    """The change a payload names; anything else on the channel is an unknown change ("other").

    Anyone who may connect can NOTIFY the channel with any text: what does not
    parse as a known kind with integer ids tells the app only that something
    changed somewhere, and its text goes nowhere.
    """
    try:
        found = json.loads(payload) if len(payload) <= 200 else None
    except ValueError:
        found = None
    if not isinstance(found, dict) or found.get("kind") not in KINDS or not set(found) <= {"kind", *_IDS}:
        return Change("other")
    ids = {key: found.get(key) for key in _IDS}
    if not all(value is None or (type(value) is int and value > 0) for value in ids.values()):
        return Change("other")
    return Change(found["kind"], **ids)


def can_listen(engine: Engine) -> bool:
    """Whether ``engine``'s database sends notifications (PostgreSQL does; SQLite does not)."""
    return engine.dialect.name == "postgresql"


class Listener:
    """LISTEN on a connection of its own, outside the engine's pool.

    psycopg's ``notifies()`` holds its connection while it waits, so this one does
    nothing else; it is in autocommit, since notifications arrive only between
    transactions. Use from one thread: `connect`, then `wait` in a loop, `close`.
    A lost connection raises from `wait` (psycopg's ``OperationalError``); notifications
    sent while disconnected are lost, so after `connect` again the caller re-reads all.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Any = None

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def connect(self) -> None:
        """A new connection, made the way the engine makes them (URL, password, connect hooks), then LISTEN."""
        self.close()
        pooled = self.engine.raw_connection()
        conn: Any = pooled.driver_connection
        pooled.detach()  # ours now: the pool forgets it and never hands it out
        try:
            conn.rollback()  # a checked-out connection may be in a transaction (the pool's ping)
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def wait(self, timeout: float) -> list[Change]:
        """The changes notified within ``timeout`` seconds (empty if none), each burst read at once."""
        if self._conn is None:
            raise ConnectionError("not listening")
        got = list(self._conn.notifies(timeout=timeout, stop_after=1))
        if got:
            got += self._conn.notifies(timeout=0)  # the rest of the burst, already here
        return [parse(n.payload) for n in got]

    def ping(self) -> None:
        """One round trip: a connection that died without a word (a network cut) raises here."""
        if self._conn is None:
            raise ConnectionError("not listening")
        self._conn.execute("SELECT 1")

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # closing a dead connection has nothing left to report
                conn.close()
