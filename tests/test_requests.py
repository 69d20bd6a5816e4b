"""Update requests (`tracker requests`): who owes an update, written as .eml messages.

If these failed, a coordinator would chase the wrong people before a meeting (or miss
the quiet ones), send a message whose title forged a header (a Bcc to a stranger), mail
a member's address to someone the rules keep it from, or overwrite a user's own files.
The figures are computed by hand below, as of TODAY, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.cli import Result, tracker
from tests.conftest import PG_URL
from tests.plans import with_change
from tests.test_pg_security import _role_url
from tracker.cli.main import app
from tracker.db import make_engine
from tracker.models import ActionNote, StatusChange
from tracker.models.base import table_of

FW = "stamford-ct"
TODAY = "2026-03-01"

# Four more actions beside MINIMAL's convene (city, due 2025-06-30) and reporting
# (union-church, due 2026-03 = 2026-03-31).
PLAN = with_change(
    "          - key: reporting\n",
    "          - {key: survey, title: Survey young people, lead: city-of-stamford, due: 2026-03-10}\n"
    "          - {key: map, title: Map the services, lead: city-of-stamford, due: 2026-09-30}\n"
    "          - {key: done-one, title: Name the group, lead: city-of-stamford, due: 2025-01-31}\n"
    "          - {key: quiet, title: Plan the year, lead: city-of-stamford, due: 2026-12-31}\n"
    "          - {key: shelter, title: Open a youth shelter, lead: domus-kids, due: 2026-03-15}\n"
    "          - key: reporting\n",
)

# login -> (role, organisations, email)
PEOPLE = {
    "coord": ("coordinator", [], "coord@example.org"),
    "city": ("member", ["city-of-stamford"], "city@example.org"),
    "domus": ("member", ["domus-kids"], "domus@example.org"),
    "church": ("member", ["union-church"], None),  # Union Church has no address
    "viewer": ("viewer", ["city-of-stamford"], "viewer@example.org"),  # a viewer is never asked
}
OWNERS = {"convene": "city", "survey": "city", "reporting": "church", "shelter": "domus"}
# action -> (what is recorded, when): one status change or note each
HISTORY = {
    "convene": ("status in_progress", "2026-02-20 10:00"),
    "survey": ("note", "2026-01-15 09:00"),
    "map": ("status in_progress", "2026-01-30 12:00"),
    "done-one": ("status done", "2026-02-25 08:00"),
    "quiet": ("note", "2026-02-27 16:00"),
}


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    (tmp_path / "plan.yaml").write_text(PLAN)
    ok(tracker("--db", db_url, "seed", str(tmp_path / "plan.yaml")))
    for login, (role, orgs, email) in PEOPLE.items():
        mail = ["--email", email] if email else []
        ok(tracker("--db", db_url, "member", "add", login, "--role", role, "-f", FW, *[f"-s{o}" for o in orgs], *mail))
    for key, login in OWNERS.items():
        ok(tracker("--db", db_url, "actions", "edit", f"{FW}/{key}", "--owner", login))
    engine = make_engine(db_url)
    try:
        for key, (what, at) in HISTORY.items():
            if what == "note":
                ok(tracker("--db", db_url, "actions", "note", f"{FW}/{key}", "an update"))
                table = "action_note"
            else:
                ok(tracker("--db", db_url, "actions", "set-status", f"{FW}/{key}", what.split()[1], "-m", "moved"))
                table = "status_change"
            # The day it was recorded, fixed, so the figures below do not depend on when tests run.
            with engine.begin() as conn:
                conn.execute(
                    sa.text(f"UPDATE {table} SET at = :at WHERE action_id = (SELECT id FROM action WHERE key = :k)"),
                    {"at": dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC), "k": key},
                )
    finally:
        engine.dispose()
    return db_url


def run(db: str, *args: str, login: str | None = None) -> Result:
    return tracker("--db", db, *(["--as", login] if login else []), "requests", "-f", FW, "--as-of", TODAY, *args)


def summary(db: str, out: Path, *args: str, login: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run(db, "-o", str(out), "--json", *args, login=login)).out)
    return data


def parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def test_who_owes_what_per_owner_and_organisation(db: str, tmp_path: Path) -> None:
    """As of 2026-03-01, due within 14 days (to 2026-03-15 included), stale after 30 days:

    - convene: due 2025-06-30 < today: overdue; updated 2026-02-20, 9 days ago: not stale.
    - survey: due 2026-03-10, within the 14 days: due soon; its note of 2026-01-15 is
      16 (to Jan 31) + 28 (Feb) + 1 = 45 days old >= 30: stale.
    - map: due 2026-09-30, not soon; updated 2026-01-30: 1 + 28 + 1 = 30 days >= 30: stale.
    - quiet: due 2026-12-31; note of 2026-02-27, 2 days old: owes nothing.
    - shelter: due 2026-03-15 = today + 14 (included): due soon; never updated.
    - reporting: due 2026-03-31, 30 days away: not soon; never updated.
    - done-one: done, so owes nothing (but its change of 2026-02-25 is City's news).
    """
    data = summary(db, tmp_path / "out")
    asked = {
        (m["kind"], m["key"]): {a["ref"].split("/")[1]: a["reasons"] for a in m["actions"]} for m in data["messages"]
    }
    assert asked == {
        ("owner", "church"): {"reporting": ["never updated"]},
        ("owner", "city"): {"convene": ["overdue"], "survey": ["due soon", "stale"]},
        ("owner", "domus"): {"shelter": ["due soon", "never updated"]},
        ("organisation", "city-of-stamford"): {
            "convene": ["overdue"],
            "survey": ["due soon", "stale"],
            "map": ["stale"],
        },
        ("organisation", "domus-kids"): {"shelter": ["due soon", "never updated"]},
        ("organisation", "union-church"): {"reporting": ["never updated"]},
    }
    survey = next(
        a for m in data["messages"] if m["key"] == "city" for a in m["actions"] if a["ref"].endswith("survey")
    )
    assert (survey["status"], survey["due"], survey["last_update"]) == ("planned", "2026-03-10", "2026-01-15")
    silence = {s["stakeholder"]: s for s in data["silence"]}
    # City leads convene (2026-02-20), survey (01-15), map (01-30), done-one (02-25) and
    # quiet (02-27): last update 2026-02-27, 2 days before 2026-03-01. Open: convene,
    # survey, map, quiet = 4; quiet for 30 days: survey, map = 2, so "2 of 4 (50%)";
    # owed: convene, survey, map = 3.
    assert {k: silence["city-of-stamford"][k] for k in ("last_update", "days_silent", "open", "quiet", "owed")} == {
        "last_update": "2026-02-27",
        "days_silent": 2,
        "open": 4,
        "quiet": 2,
        "owed": 3,
    }
    # Domus Kids and Union Church: one open action each, never updated: silent since
    # ever (None), 1 of 1 quiet.
    for key in ("domus-kids", "union-church"):
        assert (silence[key]["days_silent"], silence[key]["open"], silence[key]["quiet"]) == (None, 1, 1)
    text = (tmp_path / "out" / "summary.txt").read_text()
    assert "City of Stamford (city-of-stamford): last update 2 days ago; quiet 2 of 4 (50%); owed 3" in text
    assert "Union Church (union-church): never updated; quiet 1 of 1 (100%); owed 1" in text
    # Narrower windows change the reasons: due within 7 days (to 2026-03-08) drops the
    # "due soon" of survey (03-10) and shelter (03-15); stale after 31 days drops map
    # (30 days old) but not survey (45).
    narrow = summary(db, tmp_path / "narrow", "--due-within", "1w", "--stale-days", "31d")
    reasons = {
        a["ref"].split("/")[1]: a["reasons"]
        for m in narrow["messages"]
        if m["kind"] == "organisation"
        for a in m["actions"]
    }
    assert reasons == {
        "convene": ["overdue"],
        "survey": ["stale"],
        "shelter": ["never updated"],
        "reporting": ["never updated"],
    }


def test_each_message_parses_back_with_its_recipients_actions_and_workbook(db: str, tmp_path: Path) -> None:
    """Each .eml reads back as a message to the right people, with a subject naming the
    framework, a body listing the actions with status in words, due date and last update,
    how to answer, and the workbook of those actions attached; an organisation with no
    address has no To line and the summary says so."""
    out = tmp_path / "out"
    summary(db, out, "--ssh", "tracker@plans.example.org")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            ".tracker-requests",
            "summary.txt",
            "owner-church.eml",
            "owner-city.eml",
            "owner-domus.eml",
            "organisation-city-of-stamford.eml",
            "organisation-domus-kids.eml",
            "organisation-union-church.eml",
        ]
    )
    city = parse(out / "owner-city.eml")
    assert city["To"] == "city@example.org"
    assert city["Subject"] == "Update requested: Stamford prevention framework (stamford-ct)"
    body = city.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content_charset() == "utf-8"
    lines = body.get_content().splitlines()
    assert "- Survey young people" in lines
    assert "  ref stamford-ct/survey · status planned · due 2026-03-10 · last update 2026-01-15 (45 days ago)" in lines
    assert (
        "  ref stamford-ct/convene · status in progress · due 2025-06-30 · last update 2026-02-20 (9 days ago)" in lines
    )
    assert any(line.startswith("  ssh tracker@plans.example.org actions set-status stamford-ct/") for line in lines)
    [attachment] = list(city.iter_attachments())
    assert attachment.get_filename() == "owner-city.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    # The for-updates workbook of city's open actions, ready to fill in and import back.
    header, *rows = list(book["Actions"].iter_rows(values_only=True))
    titles = {row[header.index("title")] for row in rows}
    assert {"Convene the working group", "Survey young people"} <= titles
    assert "Map the services" not in titles  # not city's
    assert "new status" in [str(h).lower() for h in header]
    organisation = parse(out / "organisation-city-of-stamford.eml")
    assert organisation["To"] == "city@example.org"  # its member; the viewer is never asked
    church = parse(out / "organisation-union-church.eml")
    assert church["To"] is None and church["Subject"]
    assert "ssh tracker@" in church.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    text = (out / "summary.txt").read_text()
    assert (
        "organisation-union-church.eml: organisation Union Church (union-church), "
        "to NO ADDRESS (complete the To line before sending)" in text
    )
    # Without --ssh, the workbook is the only way offered.
    plain = tmp_path / "plain"
    summary(db, plain)
    content = parse(plain / "owner-city.eml").get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "ssh " not in content and "Fill in the attached workbook (owner-city.xlsx)" in content


def test_hostile_titles_make_no_header(db: str, tmp_path: Path) -> None:
    """A title or framework title with CR/LF and a header after it stays in the Subject or
    the body as text: no Bcc, no extra header, and no raw control character in the body."""
    engine = make_engine(db)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE framework SET title = :t"), {"t": "Plan\r\nBcc: evil@example.org\r\n\r\nhi"})
            conn.execute(
                sa.text("UPDATE action SET title = :t WHERE key = 'survey'"),
                {"t": "Survey\r\nX-Injected: 1\n\x1b[2J\u202edone"},
            )
    finally:
        engine.dispose()
    out = tmp_path / "out"
    summary(db, out)
    for path in out.glob("*.eml"):
        message = parse(path)
        assert {k.lower() for k in message} <= {
            "to",
            "subject",
            "date",
            "message-id",
            "x-unsent",
            "mime-version",
            "content-type",
        }, path.name
        assert message["Subject"] == "Update requested: Plan Bcc: evil@example.org hi (stamford-ct)"
        assert message["Bcc"] is None and message["X-Injected"] is None
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert "\x1b" not in text and "\u202e" not in text and "\r" not in text.replace("\r\n", "\n")
    city = parse(out / "owner-city.eml").get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "- Survey X-Injected: 1 ␛[2J⟨U+202E⟩done" in city.splitlines()


def test_a_zip_on_standard_output_holds_the_same_files(db: str, tmp_path: Path) -> None:
    """`-o -` writes a zip of the messages and summary to standard output; --json beside it
    is refused (it would corrupt the zip), and so is a terminal."""
    result = CliRunner().invoke(app, ["--db", db, "requests", "-f", FW, "--as-of", TODAY, "-o", "-"])
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(io.BytesIO(result.stdout_bytes)) as z:
        names = sorted(z.namelist())
        assert names == sorted(
            ["summary.txt", *(f"owner-{o}.eml" for o in ("church", "city", "domus"))]
            + [f"organisation-{k}.eml" for k in ("city-of-stamford", "domus-kids", "union-church")]
        )
        message = BytesParser(policy=default).parsebytes(z.read("owner-domus.eml"))
        assert message["To"] == "domus@example.org"
    both = run(db, "-o", "-", "--json")
    assert both.code == 2 and "--json" in both.err and both.out == ""
    primary, secondary = os.openpty()
    try:
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "tracker"), "--db", db, "requests", "-f", FW, "-o", "-"],
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert proc.returncode == 2
    assert "not for the terminal" in proc.stderr.decode()


def test_a_folder_with_someone_elses_files_is_refused_and_a_rerun_replaces_only_its_own(
    db: str, tmp_path: Path
) -> None:
    """A folder holding a user's file is refused (exit 2, the file untouched); a folder an
    earlier run wrote is rewritten, and its messages nobody owes any more are removed."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own notes")
    refused = run(db, "-o", str(mine))
    assert refused.code == 2 and "'notes.txt'" in refused.err and "new or empty folder" in refused.err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (mine / "notes.txt").read_text() == "my own notes"
    out = tmp_path / "out"
    ok(run(db, "-o", str(out)))
    assert (out / "owner-domus.eml").exists()
    ok(tracker("--db", db, "actions", "note", f"{FW}/shelter", "opened"))
    ok(tracker("--db", db, "requests", "-f", FW, "--as-of", TODAY, "-o", str(out)))
    names = {p.name for p in out.iterdir()}
    # shelter is still due soon (2026-03-15) but no longer never updated: Domus is still asked.
    assert "owner-domus.eml" in names
    ok(tracker("--db", db, "actions", "set-status", f"{FW}/shelter", "cancelled", "-m", "no site"))
    ok(tracker("--db", db, "requests", "-f", FW, "--as-of", TODAY, "-o", str(out)))
    names = {p.name for p in out.iterdir()}
    assert "owner-domus.eml" not in names and "organisation-domus-kids.eml" not in names  # cancelled: owes nothing
    assert "owner-city.eml" in names
    # A message the coordinator completed by hand is theirs now: not replaced.
    completed = (out / "owner-church.eml").read_bytes().replace(b"Subject:", b"To: church@example.org\r\nSubject:", 1)
    (out / "owner-church.eml").write_bytes(completed)
    again = run(db, "-o", str(out))
    assert again.code == 2 and "'owner-church.eml'" in again.err and "changed since" in again.err
    assert (out / "owner-church.eml").read_bytes() == completed
    (out / "owner-church.eml").unlink()
    (out / "mine.txt").write_text("x")
    again = run(db, "-o", str(out))
    assert again.code == 2 and (out / "mine.txt").read_text() == "x"
    bad = run(db, "-o", str(tmp_path / "out" / "owner-city.eml"))
    assert bad.code == 2 and "not a folder" in bad.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--due-within", "soon"], "--due-within takes a number of days"),
        (["--stale-days", "0"], "--stale-days must be from 1"),
        (["--ssh", "-oProxyCommand=x"], "--ssh takes the team server as USER@HOST"),
    ],
)
def test_bad_options_are_one_sentence(db: str, tmp_path: Path, args: list[str], says: str) -> None:
    """A typo in an option is named with the fix, exit 2, nothing written."""
    result = run(db, *args, "-o", str(tmp_path / "out"))
    assert result.code == 2 and says in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_addresses_follow_the_rules_for_each_role(db: str, tmp_path: Path) -> None:
    """The coordinator's messages carry every member's address; a member's carry only
    their own; a viewer's none (the messages are still written, without To), as `member
    list` shows them. On PostgreSQL each connects as their own database role, where the
    database itself hides the addresses (`access.emails.visible_emails`)."""
    to: dict[str, dict[str, list[str]]] = {}
    for role in ("coord", "city", "viewer"):
        who = ["--db", _role_url(db, role)] if PG_URL else ["--db", db, "--as", role]
        result = tracker(*who, "requests", "-f", FW, "--as-of", TODAY, "-o", str(tmp_path / role), "--json")
        assert result.code == 0, result.err
        to[role] = {m["file"]: m["to"] for m in json.loads(result.out)["messages"]}
    assert to["coord"] == {
        "owner-church.eml": [],
        "owner-city.eml": ["city@example.org"],
        "owner-domus.eml": ["domus@example.org"],
        "organisation-city-of-stamford.eml": ["city@example.org"],
        "organisation-domus-kids.eml": ["domus@example.org"],
        "organisation-union-church.eml": [],
    }
    nobody: dict[str, list[str]] = {file: [] for file in to["coord"]}
    assert to["city"] == {**nobody, "owner-city.eml": ["city@example.org"],
                          "organisation-city-of-stamford.eml": ["city@example.org"]}  # fmt: skip
    assert to["viewer"] == nobody
    assert parse(tmp_path / "viewer" / "owner-city.eml")["To"] is None
    assert parse(tmp_path / "coord" / "owner-city.eml")["From"] == "coord@example.org"  # the sender's own


def test_the_report_says_who_owes_an_update(db: str) -> None:
    """The Markdown report's section "Who owes an update" has the figures of
    `tracker requests` (the same service), as of the same day: City of Stamford owes 3
    (1 overdue, 1 due soon, 2 stale, 0 never updated), last heard from 2 days ago, 2 of
    4 open actions quiet; owner city owes 2 (convene overdue; survey due soon and stale)."""
    from tracker.db import read_session
    from tracker.exports.report_md import report_markdown
    from tracker.services.reporting.report import gather_report

    engine = make_engine(db)
    try:
        with read_session(engine) as session:
            text = report_markdown(gather_report(session, framework=FW, today=dt.date.fromisoformat(TODAY)))
    finally:
        engine.dispose()
    section = text.split("## Who owes an update", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0]: cells[1:]
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| -")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert rows["City of Stamford"] == ["3", "1", "1", "2", "0", "2 days", "2 of 4 (50%)"]
    assert rows["Domus Kids"] == ["1", "0", "1", "0", "1", "never", "1 of 1 (100%)"]
    assert rows["Union Church"] == ["1", "0", "0", "0", "1", "never", "1 of 1 (100%)"]
    assert rows["city"] == ["city", "2", "1", "1", "1", "0"]  # owner named by login when unnamed


def _shift_history(db: str, to: dt.date) -> None:
    """Move every recorded update by the days from TODAY to ``to``: the app counts from
    the real today, so the history keeps the same age as in the figures above."""
    delta = to - dt.date.fromisoformat(TODAY)
    engine = make_engine(db)
    try:
        with engine.begin() as conn:
            for model in (StatusChange, ActionNote):
                table = table_of(model)
                for row_id, at in conn.execute(sa.select(table.c.id, table.c.at)).all():
                    conn.execute(sa.update(table).where(table.c.id == row_id).values(at=at + delta))
    finally:
        engine.dispose()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_stakeholders_screen_shows_silence_and_owed_updates(db: str, size: tuple[int, int]) -> None:
    """On the Stakeholders screen each lead shows the updates it owes, days since its
    last update and its quiet open actions, within the width of a small terminal, and
    the line below says it in words. With the history moved to end 2 days ago (as in
    the figures above): City of Stamford last heard 2 days ago, 2 of its 4 open actions
    quiet (survey 45 and map 30 days); all its 3 owed (convene and survey, whose due
    dates have passed by now, and map); Union Church never, 1 of 1."""
    from textual.widgets import DataTable, Static

    from tests.tui import open_app, settle

    _shift_history(db, dt.date.today())
    engine = make_engine(db)
    try:
        app = open_app(engine, "coord")
        async with app.run_test(size=size) as pilot:
            await pilot.press("k")
            await settle(app, pilot)
            table = app.screen.query_one(DataTable)
            labels = [str(c.label) for c in table.ordered_columns]

            def cells(key: str) -> dict[str, str]:
                return dict(zip(labels, (str(v) for v in table.get_row(key)), strict=True))

            city = cells("city-of-stamford")
            assert (city["owes"], city["silent"], city["quiet"]) == ("3", "2d", "2/4")
            church = cells("union-church")
            assert (church["owes"], church["silent"], church["quiet"]) == ("1", "never", "1/1")
            table.move_cursor(row=table.get_row_index("city-of-stamford"))
            await pilot.pause()
            line = str(app.screen.query_one("#stakeholder-detail", Static).content)
            assert "owes 3 · last update 2 days ago · quiet 2 of 4 (50%)" in line
            assert table.virtual_size.width <= table.size.width  # every column in view, no sideways scrolling
    finally:
        engine.dispose()


def test_the_html_report_says_who_owes_an_update_with_the_same_figures(db: str) -> None:
    """The HTML report's "Who owes an update" has the Markdown section's figures (the same
    hand-computed ones above), in English and in French."""
    from html.parser import HTMLParser

    from tracker.db import read_session
    from tracker.services.reporting.report import gather_report
    from tracker.web.report_html import report_html

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside, self.rows, self.cell = False, [], None  # type: ignore[var-annotated]

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "section" and ("id", "owed") in attrs:
                self.inside = True
            elif self.inside and tag == "tr":
                self.rows.append([])
            elif self.inside and tag == "td":
                self.cell = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "section":
                self.inside = False
            elif self.inside and tag == "td" and self.cell is not None:
                self.rows[-1].append(self.cell.strip())
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell += data

    engine = make_engine(db)
    try:
        with read_session(engine) as session:
            data = gather_report(session, framework=FW, today=dt.date.fromisoformat(TODAY))
    finally:
        engine.dispose()
    for lang, days, share, never in (("en", "2 days", "2 of 4", "never"), ("fr", "2 jours", "2 sur 4", "jamais")):
        parser = Rows()
        parser.feed(report_html(data, lang))
        rows = {r[0]: r[1:] for r in parser.rows if r}
        assert rows["City of Stamford"] == ["3", "1", "1", "2", "0", days, share], lang
        assert rows["Domus Kids"] == ["1", "0", "1", "0", "1", never, "1 sur 1" if lang == "fr" else "1 of 1"]
        assert rows["city"] == ["city", "2", "1", "1", "1", "0"], lang
