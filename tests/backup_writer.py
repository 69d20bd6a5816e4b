"""A member at work while the database is backed up: one process writing notes (and now and
then a status change) through the services until told to stop.

Run by the backup test as ``python -m tests.backup_writer PATH LOGIN REF STOP LOG``: after
each commit it appends ``number<TAB>unix time`` to LOG, so the test knows which notes were
committed before the backup began; it stops when the file STOP exists.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tracker.db import make_engine, write_session
from tracker.models.enums import Status
from tracker.services.access.members import resolve_member
from tracker.services.tracking.changes import add_note, set_status


def main(path: str, login: str, ref: str, stop: str, log: str) -> None:
    engine = make_engine(path)
    with open(log, "a", encoding="utf-8") as out:
        number = 0
        while not Path(stop).exists():
            with write_session(engine) as session:
                actor = resolve_member(session, login)
                add_note(session=session, actor=actor, ref=ref, text=f"{login} #{number}")
                if number % 5 == 0:
                    status = Status.in_progress if number % 10 == 0 else Status.planned
                    set_status(session=session, actor=actor, ref=ref, status=status, note=f"{login} status #{number}")
            out.write(f"{number}\t{time.time()}\n")  # after the commit: committed before this time
            out.flush()
            number += 1
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:6])
