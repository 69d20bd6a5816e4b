"""`tracker actions set-status --from`: many status changes in one process, through the same
bulk-apply service as `import-updates` (issue 16, "For scripts")."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.tracking import CONVENE, REPORTING, seeded


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def run(db: str, *args: str, login: str = "coord", input: str | None = None):  # type: ignore[no-untyped-def]
    return tracker("--db", db, "--as", login, "actions", *args, input=input)


def status(db: str, ref: str) -> str:
    shown = run(db, "show", ref, "--json")
    assert shown.code == 0, shown.err
    return str(json.loads(shown.out)["row"]["status"])


def test_json_lines_apply_each_in_its_own_transaction(db: str) -> None:
    """A script's lines apply one by one; a stale one is a conflict (exit 3) reported with who
    changed it, and the others still apply; --json gives a report per line."""
    assert run(db, "set-status", REPORTING, "blocked", login="church").code == 0
    lines = (
        json.dumps({"ref": CONVENE, "status": "in_progress", "note": "kick-off held"})
        + "\n"
        + json.dumps({"ref": REPORTING, "status": "done", "expect_version": 1})
        + "\n"
    )
    result = run(db, "set-status", "--from", "-", "--json", input=lines)
    assert result.code == 3, result.out
    rows = json.loads(result.out)["rows"]
    assert [r["result"] for r in rows] == ["applied", "conflict"]
    assert "church" in rows[1]["message"] and "blocked" in rows[1]["message"]
    assert status(db, CONVENE) == "in_progress" and status(db, REPORTING) == "blocked"


def test_csv_lines_and_the_order_of_exit_codes(db: str, engine: Engine) -> None:
    """CSV with ref,status,note,expect_version; a bad status is exit 2 even beside a refusal,
    and --atomic leaves the database exactly as it was."""
    text = f"ref,status,note,expect_version\n{CONVENE},in progress,,1\n{REPORTING},finished,,\n"
    before = dump(engine)
    atomic = run(db, "set-status", "--from", "-", "--atomic", input=text)
    assert atomic.code == 2, atomic.out
    assert "line 3 (stamford-ct/reporting), 'status' has 'finished', which is not a status" in atomic.out
    assert dump(engine) == before
    refused = run(db, "set-status", "--from", "-", login="domus", input=f"ref,status\n{REPORTING},blocked\n")
    assert refused.code == 4, refused.out
    assert dump(engine) == before
    both = run(
        db,
        "set-status",
        "--from",
        "-",
        login="domus",
        input=f"ref,status\n{REPORTING},blocked\nstamford-ct/nope,done\n",
    )
    assert both.code == 2, both.out
    assert "refused" in both.out and "1 bad" in both.out
    good = run(db, "set-status", "--from", "-", input=text.replace("finished", "blocked"))
    assert good.code == 0, good.out
    assert status(db, CONVENE) == "in_progress" and status(db, REPORTING) == "blocked"


def test_setting_the_status_an_action_has_is_not_an_error(db: str) -> None:
    """A script that repeats itself is not failed: exit 0, nothing changed, a note still added."""
    result = run(db, "set-status", CONVENE, "planned")
    assert (result.code, result.out.strip()) == (0, f"{CONVENE}: already planned; nothing changed")
    noted = run(db, "set-status", CONVENE, "planned", "-m", "still no room")
    assert noted.code == 0 and "the note is added" in noted.out
    history = json.loads(run(db, "history", CONVENE, "--json").out)
    assert history["changes"] == [] and [n["text"] for n in history["notes"]] == ["still no room"]
    again = run(db, "set-status", "--from", "-", input=json.dumps({"ref": CONVENE, "status": "planned"}) + "\n")
    assert again.code == 0 and "already planned; nothing changed" in again.out


def test_json_lines_too_deep_or_with_too_long_a_number_are_bad_lines(db: str, engine: Engine) -> None:
    """A line nested 100,000 deep or holding a 5,000-digit number is reported as that bad
    line (exit 2), not a traceback; the good line beside them still applies."""
    lines = (
        '{"note": '
        + "[" * 100_000
        + "]" * 100_000
        + "}\n"
        + '{"ref": "x", "expect_version": '
        + "9" * 5000
        + "}\n"
        + json.dumps({"ref": CONVENE, "status": "blocked"})
        + "\n"
    )
    result = run(db, "set-status", "--from", "-", input=lines)
    assert result.code == 2, result.out + result.err
    assert "line 1 is not JSON (it is nested too deeply); write one object a line." in result.out
    assert "line 2 is not JSON (Exceeds the limit (4300 digits) for integer string conversion" in result.out
    assert "Traceback" not in result.err
    assert status(db, CONVENE) == "blocked"


def test_csv_with_an_unknown_column_is_refused(db: str, engine: Engine) -> None:
    """A CSV header with a column set-status does not know (expect-version, with a dash) is
    refused in one sentence naming it, as an unknown JSON field is: its values would otherwise
    be ignored, and the version check with them (exit 2, nothing written)."""
    assert run(db, "set-status", CONVENE, "blocked", login="domus").code == 0
    before = dump(engine)
    result = run(db, "set-status", "--from", "-", input=f"ref,status,expect-version\n{CONVENE},done,1\n")
    assert result.code == 2, result.out + result.err
    assert "has an unknown column 'expect-version' in its header row; use ref, status, note, expect_version." in (
        result.err
    )
    assert dump(engine) == before


def test_a_record_spanning_lines_is_reported_by_its_first_line(db: str) -> None:
    """A bad CSV record whose note is written over several lines (quoted) is reported at the
    line it starts on, and the record after it at its own line."""
    text = f'ref,status,note\n{CONVENE},finished,"waiting\nfor\nthe room"\n{REPORTING},blocked,\n'
    result = run(db, "set-status", "--from", "-", input=text)
    assert result.code == 2, result.out + result.err
    assert f"line 2 ({CONVENE}), 'status' has 'finished', which is not a status" in result.out, result.out
    assert f"line 5: {REPORTING}" in result.out, result.out
