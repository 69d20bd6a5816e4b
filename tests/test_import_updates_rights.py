"""Who an imported row applies to and for whom: the rules come before "already applied", a
row id answers for the one action it was applied to, and an indicator's "for" column names
someone of the framework whom the importer may enter for (issue 14, hostile files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import dump
from tests.test_import_updates import EXPORT_ID, Sheet, export, fill, history, run, status
from tests.tracking import CONVENE, MEETINGS, REPORTING, seeded
from tracker.models import Measurement


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def test_a_viewer_is_refused_even_for_rows_already_applied(db: str, engine: Engine) -> None:
    """Importing a file someone already applied tells a viewer they may not, not which rows
    were applied (exit 4, nothing changed)."""
    text = f"ref,new status,note,version,export id,row id\n{CONVENE},blocked,waiting,1,{EXPORT_ID},A1\n"
    assert run(db, "import-updates", "-", input=text).code == 0
    before = dump(engine)
    refused = run(db, "import-updates", "-", input=text, login="viewer")
    assert refused.code == 4, refused.out + refused.err
    assert "already applied" not in refused.out and "viewer" in refused.out
    assert dump(engine) == before


def test_a_row_id_applied_to_one_action_is_not_taken_for_another(db: str, engine: Engine) -> None:
    """A row id copied onto another action's row (or a second file reusing an export's ids)
    is a bad row saying so, not "already applied": the other action's note is not lost unseen."""
    first = f"ref,new status,note,version,export id,row id\n{CONVENE},blocked,waiting,1,{EXPORT_ID},A1\n"
    assert run(db, "import-updates", "-", input=first).code == 0
    before = dump(engine)
    copied = f"ref,new status,note,version,export id,row id\n{REPORTING},,a note,1,{EXPORT_ID},A1\n"
    result = run(db, "import-updates", "-", input=copied)
    assert result.code == 2, result.out + result.err
    assert "applied from this workbook to another action" in result.out
    assert dump(engine) == before and status(db, REPORTING) == "planned"


def _measure_for(db: str, tmp_path: Path, party: str, login: str) -> Any:
    path = export(db, tmp_path / "u.xlsx")

    def edit(_actions: Sheet, indicators: Sheet) -> None:
        indicators.set(MEETINGS, "new value", 3)
        indicators.set(MEETINGS, "measured on", "2026-01-15")
        indicators.set(MEETINGS, "for", party)

    fill(path, edit)
    return run(db, "import-updates", str(path), login=login)


def test_an_indicator_row_is_entered_only_for_someone_the_importer_may_speak_for(
    db: str, engine: Engine, tmp_path: Path
) -> None:
    """A member (city) may enter a value for themselves or their organisation; for another
    member they are refused with who could; for someone of no framework the row is bad;
    the coordinator may enter what another member sent."""
    before = dump(engine)
    refused = _measure_for(db, tmp_path, "member:church", "city")
    assert refused.code == 4, refused.out + refused.err
    assert "coordinator of stamford-ct can enter what church sent" in refused.out
    unknown = _measure_for(db, tmp_path, "stakeholder:nowhere-org", "coord")
    assert unknown.code == 2 and "no member or organisation of stamford-ct" in unknown.out
    assert dump(engine) == before
    own = _measure_for(db, tmp_path, "stakeholder:city-of-stamford", "city")
    assert own.code == 0, own.out
    assert _measure_for(db, tmp_path, "member:church", "coord").code == 0
    assert [m.on_behalf_of for m in history(engine, Measurement)][-2:] == [
        "stakeholder:city-of-stamford",
        "member:church",
    ]
