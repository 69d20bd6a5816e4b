"""The history records the ssh key of every write made through the team server.

Run on SQLite and, with TRACKER_TEST_PG, on PostgreSQL. If these failed, the audit trail
could not say which key a write came through (a lost or stolen key could not be traced),
or a member writing SQL on PostgreSQL could put another key's fingerprint in it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import PG_URL, _empty_database
from tests.plans import MINIMAL
from tests.test_pg_security import _dsn
from tests.test_ssh_session import FP, db, server_environment, session  # noqa: F401  (db: the fixture)
from tracker.db import make_engine

HISTORY = ("status_change", "action_note", "note_retraction", "measurement", "plan_change", "import_run")


def _keys(engine: Engine) -> dict[str, list[str | None]]:
    """Each history table's via_key values, oldest first."""
    with engine.connect() as conn:
        return {t: list(conn.execute(sa.text(f"SELECT via_key FROM {t} ORDER BY id")).scalars()) for t in HISTORY}


def _coordinator_key(tmp_path: Path, db: str) -> str:  # noqa: F811
    """A key registered for coord; its fingerprint."""
    path = tmp_path / "coord_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    added = tracker("--db", db, "member", "key", "add", "coord", "-", input=path.with_suffix(".pub").read_text())
    assert added.code == 0, added.err
    keys = json.loads(tracker("--db", db, "member", "key", "list", "--json").out)
    (fingerprint,) = [k["fingerprint"] for k in keys if k["login"] == "coord"]
    return str(fingerprint)


def test_writes_over_ssh_record_the_key_and_local_writes_none(
    db: str,  # noqa: F811
    engine: Engine,
    tmp_path: Path,
) -> None:
    """A status change, a note, its retraction (undo) and a measurement by domus over ssh,
    and a plan edit and a seed by a coordinator over ssh, each carry the key they came
    through, in the database and in `actions history` (text and --json); the same writes
    made locally carry none."""
    assert session(db, "actions set-status stamford-ct/convene in_progress --note 'over ssh'").code == 0
    assert session(db, "actions note stamford-ct/convene 'a note over ssh'").code == 0
    assert session(db, "indicators record stamford-ct/meetings 2 -m 'counted over ssh'").code == 0
    coord_fp = _coordinator_key(tmp_path, db)
    edited = session(db, "actions edit stamford-ct/convene --cost 16000", login="coord", key=coord_fp)
    assert edited.code == 0, edited.err
    assert tracker("--db", db, "--as", "domus", "actions", "note", "stamford-ct/convene", "at my desk").code == 0
    assert session(db, "actions note stamford-ct/convene 'taken back'").code == 0
    assert session(db, "undo stamford-ct/convene").code == 0  # the note is retracted
    plan = MINIMAL.replace("Convene the working group", "Convene the whole group").replace("cost: 15000", "cost: 16000")
    seeded_over_ssh = tracker(
        "--db", db, "ssh-session", "--member", "coord", "--key", coord_fp, input=plan,
        env=server_environment("seed -"),  # type: ignore[arg-type]
    )  # fmt: skip
    assert seeded_over_ssh.code == 0, seeded_over_ssh.err

    keys = _keys(engine)
    assert keys["status_change"] == [FP]
    assert keys["action_note"] == [FP, None, FP]
    assert keys["note_retraction"] == [FP]
    assert keys["measurement"] == [FP]
    assert keys["plan_change"][0] == coord_fp
    assert keys["import_run"][-1] == coord_fp and set(keys["import_run"][:-1]) <= {None}

    history = json.loads(tracker("--db", db, "actions", "history", "stamford-ct/convene", "--json").out)
    assert [(c["by"], c["via_key"]) for c in history["changes"]] == [("domus", FP)]
    assert [(n["text"], n["via_key"]) for n in history["notes"]] == [("a note over ssh", FP), ("at my desk", None)]
    assert next((p["field"], p["via_key"]) for p in history["plan_changes"]) == ("cost", coord_fp)
    text = tracker("--db", db, "actions", "history", "stamford-ct/convene").out
    assert f"domus: planned -> in_progress: over ssh [ssh key {FP}]" in text
    assert f"domus noted: a note over ssh [ssh key {FP}]" in text
    assert "domus noted: at my desk\n" in text
    assert f"coord changed cost: 15000.00 -> 16000.00 [ssh key {coord_fp}]" in text


def test_the_key_of_a_write_over_ssh_is_in_the_full_export(db: str) -> None:  # noqa: F811
    """The full JSON export, the audit a coordinator takes away, names the key too."""
    assert session(db, "actions set-status stamford-ct/convene in_progress --note 'over ssh'").code == 0
    exported = tracker("--db", db, "export", "-F", "json", "-f", "stamford-ct")
    assert exported.code == 0, exported.err
    assert f'"via_key": "{FP}"' in exported.out


async def test_the_apps_action_page_names_the_key_of_a_write_over_ssh(db: str, engine: Engine) -> None:  # noqa: F811
    """A coordinator reading the action's page in the app sees which key a member's change
    came through, and no key on a change made on the server itself."""
    from tests.tui import open_app, settle
    from tracker.tui.screens.detail import ActionDetailScreen

    assert session(db, "actions set-status stamford-ct/convene in_progress --note 'over ssh'").code == 0
    assert tracker("--db", db, "--as", "domus", "actions", "note", "stamford-ct/convene", "at my desk").code == 0
    app = open_app(engine, "coord")
    async with app.run_test(size=(160, 50)) as pilot:
        await app.push_screen(ActionDetailScreen("stamford-ct/convene"))
        await settle(app, pilot)
        lines = " ".join(str(w.render()) for w in app.screen.query("Static")).splitlines()
    (changed,) = [line for line in lines if "in progress" in line and "over ssh" in line]
    assert changed.endswith(f"(ssh key {FP})")
    (noted,) = [line for line in lines if "at my desk" in line]
    assert "ssh key" not in noted


async def test_a_change_made_in_the_app_over_ssh_records_the_key(db: str, engine: Engine) -> None:  # noqa: F811
    """The app that `ssh-session` opens works on a database opened with the key (its
    Settings): a status change made in it records that key."""
    from tests.tui import settle
    from tracker.cli.context import Settings
    from tracker.db import read_session
    from tracker.services.access.members import find_member
    from tracker.tui.app import TrackerApp
    from tracker.tui.data import Data
    from tracker.tui.screens.detail import ActionDetailScreen

    settings = Settings(db=db, actor="domus", via_key=FP)
    try:
        opened = settings.engine()
        with read_session(opened) as s:
            member = find_member(s, "domus")
        app = TrackerApp(Data(opened, member), poll=False, remote=True, local_files=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.push_screen(ActionDetailScreen("stamford-ct/convene"))
            await settle(app, pilot)
            await pilot.press("s")
            await pilot.pause()
            await pilot.press("enter", "down", "enter", "tab", *"in the app", "enter")
            await settle(app, pilot)
    finally:
        settings.close()
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT note, via_key FROM status_change")).all()
    assert [tuple(r) for r in rows] == [("in the app", FP)]


pg_only = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG (SQLite has no roles)")


@pg_only
def test_a_member_writing_sql_cannot_forge_a_key(tmp_path: Path, pg_template: str | None) -> None:
    """A member connected as their own database role sets the session setting and writes a
    fingerprint into a note: the note is stored, with no key (the database fills it, and
    trusts the setting only from the owner or the gateway role). An UPDATE by anyone keeps
    a row's key as it was written."""
    with _empty_database(tmp_path, pg_template, "forge") as url:
        assert tracker("--db", url, "seed", "-", input=MINIMAL).code == 0
        added = tracker(
            "--db", url, "member", "add", "domus", "--role", "member", "-f", "stamford-ct", "-s", "domus-kids"
        )
        assert added.code == 0, added.err
        forged = "SHA256:" + "A" * 43
        with psycopg.connect(_dsn(url, "domus"), autocommit=True) as conn:
            conn.execute("SELECT set_config('tracker.via_key', %s, false)", (forged,))
            conn.execute(
                "INSERT INTO action_note (action_id, text, at, via_key) "
                "SELECT id, 'forged', now(), %s FROM action WHERE key = 'convene'",
                (forged,),
            )
            stored: Any = conn.execute("SELECT text, via_key FROM action_note").fetchall()
        assert stored == [("forged", None)]
        owner = make_engine(url)
        try:
            with owner.begin() as conn:
                conn.execute(sa.text("SELECT set_config('tracker.via_key', :fp, true)"), {"fp": FP})
                conn.execute(
                    sa.text("INSERT INTO action_note (action_id, text, at) SELECT id, 'as owner', now() FROM action")
                )
                conn.execute(sa.text("UPDATE action_note SET via_key = :fp"), {"fp": forged})
                rows = conn.execute(sa.text("SELECT text, via_key FROM action_note ORDER BY id")).all()
        finally:
            owner.dispose()
        assert [tuple(r) for r in rows] == [("forged", None), ("as owner", FP), ("as owner", FP)]
