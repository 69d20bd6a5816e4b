"""A working-group member in a hurry: one process making status changes through the service.

Run by the concurrency test as ``python -m tests.status_worker URL LOGIN SEED N OUT``;
writes one JSON object to OUT: the changes it applied, its conflicts, and any
other error (which the test treats as a failure).
"""

from __future__ import annotations

import json
import random
import sys

import sqlalchemy as sa

from tracker.db import make_engine, read_session, write_session
from tracker.errors import Conflict
from tracker.models.enums import Status
from tracker.services.access.members import resolve_member
from tracker.services.tracking.changes import set_status


def main(url: str, login: str, seed: int, changes: int, out: str) -> None:
    engine = make_engine(url)
    rng = random.Random(seed)
    with read_session(engine) as session:
        refs = [
            f"{fw}/{key}"
            for fw, key in session.execute(
                sa.text("SELECT f.key, a.key FROM action a JOIN framework f ON f.id = a.framework_id ORDER BY a.id")
            )
        ]
    applied, conflicts, errors = [], 0, []
    for _ in range(changes):
        ref = rng.choice(refs)
        try:
            with read_session(engine) as session:
                version, status = session.execute(
                    sa.text(
                        "SELECT a.version, a.status FROM action a JOIN framework f ON f.id = a.framework_id"
                        " WHERE f.key = :f AND a.key = :k"
                    ),
                    {"f": ref.split("/")[0], "k": ref.split("/")[1]},
                ).one()
            target = rng.choice([s for s in Status if s.value != status])
            with write_session(engine) as session:
                result = set_status(
                    session=session,
                    actor=resolve_member(session, login),
                    ref=ref,
                    status=target,
                    note=f"{login} #{len(applied)}",
                    expected_version=version,
                )
            applied.append({"ref": ref, "version": result.version, "status": target.value})
        except Conflict:
            conflicts += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    engine.dispose()
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"applied": applied, "conflicts": conflicts, "errors": errors}, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
