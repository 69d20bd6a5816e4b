"""Eight members changing statuses at once on one database: nothing lost, nothing locked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import REPO
from tests.tracking import seeded

WORKERS = 8
CHANGES = 300


def test_eight_processes_change_statuses_on_overlapping_actions(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """Every change is applied or refused as a conflict; the audit trail holds exactly the
    applied ones; no "database is locked" reaches a user; final states are the last applied."""
    seeded(engine)
    outs = [tmp_path / f"worker{n}.json" for n in range(WORKERS)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.status_worker",
                db_url,
                "coord",
                str(n),
                str(CHANGES),
                str(out),
            ],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, out in enumerate(outs)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    results = [json.loads(out.read_text()) for out in outs]
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    applied = [change for r in results for change in r["applied"]]
    conflicts = sum(r["conflicts"] for r in results)
    assert len(applied) + conflicts == WORKERS * CHANGES
    assert applied, "some changes must get through"

    with engine.connect() as conn:
        audited = conn.execute(sa.text("SELECT count(*) FROM status_change")).scalar()
        finals = {
            f"{fw}/{key}": (status, version)
            for fw, key, status, version in conn.execute(
                sa.text(
                    "SELECT f.key, a.key, a.status, a.version FROM action a JOIN framework f ON f.id = a.framework_id"
                )
            )
        }
    assert audited == len(applied)
    for ref, (status, version) in finals.items():
        mine = [c for c in applied if c["ref"] == ref]
        assert version == 1 + len(mine)  # every applied change made exactly one new version
        if mine:
            last = max(mine, key=lambda c: c["version"])
            assert last["version"] == version and last["status"] == status
