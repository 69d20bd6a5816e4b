"""`tracker export` as JSON, CSV, a workbook and a calendar: complete, exact and safe to open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pty
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import ADMIN
from tests.plans import MINIMAL, with_change
from tests.test_export_plan import seeded_rich
from tests.tracking import CONVENE, MEETINGS, REPORTING
from tracker.db import read_session, write_session
from tracker.models.enums import Status
from tracker.seeding import load_data, load_text, seed
from tracker.services.access.members import resolve_member
from tracker.services.plan.edits import edit_action
from tracker.services.plan.export import plan_of
from tracker.services.tracking import changes as tracking

HOSTILE_TITLE = '=HYPERLINK("http://x")'  # what RICH gives CONVENE
MARKUP_TITLE = "[bold red]alarm[/] \x07 yes"  # and REPORTING


def worked_on(engine: Engine) -> Engine:
    """RICH (meetings, members, hostile titles) with a few weeks of tracking."""
    seeded_rich(engine)
    with write_session(engine) as session:
        city, coord = resolve_member(session, "city"), resolve_member(session, "coord")
        tracking.set_status(session=session, actor=city, ref=CONVENE, status=Status.in_progress, note="first =1+1")
        tracking.add_note(session=session, actor=city, ref=CONVENE, text="+ invitations sent")
        tracking.set_status(session=session, actor=coord, ref=REPORTING, status=Status.cancelled, note="merged")
        edit_action(session=session, actor=coord, ref=REPORTING, changes={"cost": "1234.56"})
        for on, value in ((dt.date(2025, 3, 1), "3.5"), (dt.date(2025, 6, 1), "10")):
            tracking.record_measurement(session=session, actor=coord, ref=MEETINGS, value=value, on=on, note="count")
    return engine


def export(db_url: str, *args: str) -> Any:
    result = tracker("--db", db_url, "export", *args)
    assert result.code == 0, result.err
    assert result.err == ""  # no progress display when stderr is not a terminal
    return result.out


# -- json --------------------------------------------------------------------------------------


def test_json_holds_the_plan_and_every_tracked_fact(engine: Engine, db_url: str) -> None:
    """A script gets the whole framework: a plan `tracker seed` accepts, plus statuses,
    history, notes, plan edits and measurements, with money exact and dates in ISO."""
    worked_on(engine)
    data = json.loads(export(db_url, "--format", "json"))
    assert (data["format"], data["version"]) == ("tracker-export", 1)
    [fw] = data["frameworks"]
    plan = fw["plan"]
    with read_session(engine) as session:
        assert load_data(plan).plan == plan_of(session, framework="stamford-ct")
    convene = plan["goals"][0]["objectives"][0]["actions"][0]
    assert convene["title"] == HOSTILE_TITLE
    assert (convene["cost"], convene["due"]) == ("15000.00", "2025-06-30")
    assert convene["funding"] == [{"source": "dhs-cp3", "amount": "10000.00", "fiscal_year": 2025}]
    assert plan["framework"]["meetings"]["rule"] == "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU"
    actions = {a["key"]: a for a in fw["tracking"]["actions"]}
    assert actions["convene"]["status"] == "in_progress"
    assert [c["note"] for c in actions["convene"]["status_changes"]] == ["first =1+1"]
    assert [(n["by"], n["text"]) for n in actions["convene"]["notes"]] == [("city", "+ invitations sent")]
    assert actions["reporting"]["status"] == "cancelled"
    assert [(e["field"], e["old"], e["new"]) for e in actions["reporting"]["plan_changes"]] == [
        ("cost", None, "1234.56")
    ]
    dt.datetime.fromisoformat(actions["convene"]["status_changes"][0]["at"])
    [indicator] = fw["tracking"]["indicators"]
    assert [(m["measured_on"], m["value"]) for m in indicator["measurements"]] == [
        ("2025-03-01", "3.5"),
        ("2025-06-01", "10"),  # not 1E+1
    ]


def test_json_of_one_framework_and_of_an_empty_database(engine: Engine, db_url: str) -> None:
    """--framework narrows the export; an empty database is an empty list, not an error."""
    assert json.loads(export(db_url, "--format", "json"))["frameworks"] == []
    seed(engine, [load_text(MINIMAL), load_text(with_change("key: stamford-ct", "key: other-ct"))], actor=ADMIN)
    both = json.loads(export(db_url, "--format", "json"))
    assert [f["plan"]["framework"]["key"] for f in both["frameworks"]] == ["other-ct", "stamford-ct"]
    one = json.loads(export(db_url, "--format", "json", "--framework", "other-ct"))
    assert [f["plan"]["framework"]["key"] for f in one["frameworks"]] == ["other-ct"]


# -- csv ---------------------------------------------------------------------------------------


def test_csv_lists_every_action_with_formulas_neutralised(engine: Engine, db_url: str) -> None:
    """A spreadsheet opening the CSV runs no formula typed into a title."""
    worked_on(engine)
    with write_session(engine) as session:
        coord = resolve_member(session, "coord")
        edit_action(session=session, actor=coord, ref=REPORTING, changes={"title": "@SUM(A1)"})
    rows = list(csv.DictReader(io.StringIO(export(db_url, "--format", "csv"))))
    titles = {r["ref"]: r["title"] for r in rows}
    assert titles == {CONVENE: "'" + HOSTILE_TITLE, REPORTING: "'@SUM(A1)"}
    assert {r["status"] for r in rows} == {"in_progress", "cancelled"}


# -- xlsx --------------------------------------------------------------------------------------


def _sheet(book: Any, name: str) -> tuple[Any, list[dict[str, Any]]]:
    ws = book[name]
    header = [c.value for c in ws[1]]
    return ws, [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_workbook_has_typed_cells_and_the_same_numbers_as_json(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """Coordinators open a workbook whose sums, dates and filters work, whose titles
    are text (never formulas), and whose figures agree with the JSON export."""
    openpyxl = pytest.importorskip("openpyxl")
    worked_on(engine)
    path = tmp_path / "report.xlsx"
    wrote = tracker("--db", db_url, "export", "--format", "xlsx", "--framework", "stamford-ct", "-o", str(path))
    assert wrote.code == 0 and wrote.out == ""  # stdout is for data; where it went is said on stderr
    assert wrote.err == f"Wrote xlsx of framework stamford-ct to {path}.\n"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["actions", "gaps", "objective gaps", "sources", "indicators"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    plan = json.loads(export(db_url, "--format", "json"))["frameworks"][0]["plan"]
    json_actions = {f"stamford-ct/{a['key']}": a for a in plan["goals"][0]["objectives"][0]["actions"]}

    ws, actions = _sheet(book, "actions")
    assert {a["ref"] for a in actions} == set(json_actions)
    for n, row in enumerate(actions, start=2):
        expected = json_actions[row["ref"]]
        assert row["cost"] == float(expected["cost"])
        allocated = sum(Decimal(f["amount"]) for f in expected["funding"] if f["amount"] is not None)
        assert row["allocated"] == float(allocated)
        assert row["due"] == dt.datetime.fromisoformat(expected["due"])
        title = ws.cell(row=n, column=3)
        assert title.data_type == "s"  # text, never a formula
        assert title.value == expected["title"].replace("\x07", "\u2407")  # the bell shown as ␇, inert
        cost = ws.cell(row=n, column=14)
        assert cost.data_type == "n" and '"USD"' in cost.number_format
        assert ws.cell(row=n, column=11).is_date
    assert {a["title"] for a in actions} == {HOSTILE_TITLE, "[bold red]alarm[/] \u2407 yes"}
    # statuses and horizons as people say them, not as the JSON's keys
    assert {(a["ref"], a["status"], a["horizon"]) for a in actions} >= {(CONVENE, "in progress", "near term")}

    _, gaps = _sheet(book, "gaps")
    assert [(g["ref"], g["cost"], g["allocated"], g["gap"], g["currency"]) for g in gaps] == [
        (CONVENE, 15000.0, 10000.0, 5000.0, "USD")  # the cancelled action has left the plan
    ]
    _, sources = _sheet(book, "sources")
    # the grant ended on 2025-09-30: its unallocated 50,000 - 10,000 = 40,000 has lapsed
    lapsed = "lapsed (ended, never allocated)"
    assert [
        (s["key"], s["committed"], s["allocated here"], s["remaining"], s[lapsed], s["ended"]) for s in sources
    ] == [("dhs-cp3", 50000.0, 10000.0, 0.0, 40000.0, "yes")]
    _, indicators = _sheet(book, "indicators")
    [indicator] = plan["goals"][0]["objectives"][0]["indicators"]
    assert [(i["ref"], i["baseline"], i["target"], i["latest value"], i["measurements"]) for i in indicators] == [
        (MEETINGS, float(indicator["baseline"]), float(indicator["target"]), 10, 2)
    ]
    assert indicators[0]["target date"] == dt.datetime(2025, 12, 31)


def test_workbook_is_refused_on_a_terminal(db_url: str, engine: Engine) -> None:
    """Binary noise on a terminal helps nobody: one sentence says to give -o."""
    seed(engine, [load_text(MINIMAL)], actor=ADMIN)
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "tracker"), "--db", db_url, "export", "-F", "xlsx"],
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=120,
            env={k: v for k, v in os.environ.items() if k != "TRACKER_DB"},
        )
    finally:
        os.close(main)
        os.close(secondary)
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == (
        "tracker: a workbook is binary, not for the terminal: give -o FILE.xlsx, or pipe it to a file."
    )


# -- ics ---------------------------------------------------------------------------------------


def test_calendar_has_due_dates_workshops_and_repeating_meetings(engine: Engine, db_url: str) -> None:
    """Members subscribe to what is coming; importing a newer file updates the same events."""
    icalendar = pytest.importorskip("icalendar")
    worked_on(engine)
    first = export(db_url, "--format", "ics")
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(first).walk("VEVENT")}
    assert set(events) == {
        "action-stamford-ct-convene@tracker",
        "action-stamford-ct-reporting@tracker",
        "workshop-stamford-ct-2024-12-09@tracker",
        "meetings-stamford-ct@tracker",
    }
    convene = events["action-stamford-ct-convene@tracker"]
    assert convene.decoded("dtstart") == dt.date(2025, 6, 30)
    assert convene.decoded("dtend") == dt.date(2025, 7, 1)
    assert str(convene["summary"]) == f"Due: {HOSTILE_TITLE}"
    assert "status: in progress" in str(convene["description"])
    reporting = events["action-stamford-ct-reporting@tracker"]
    assert str(reporting["status"]) == "CANCELLED" and reporting.decoded("dtstart") == dt.date(2026, 3, 31)
    assert "\x07" not in str(reporting["summary"]) and "\u2407" in str(reporting["summary"])  # shown, inert
    assert events["workshop-stamford-ct-2024-12-09@tracker"].decoded("dtstart") == dt.date(2024, 12, 9)
    meetings = events["meetings-stamford-ct@tracker"]
    assert meetings.decoded("dtstart") == dt.date(2025, 2, 11)
    assert meetings["rrule"].to_ical() == b"FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU"
    assert str(meetings["location"]) == "City Hall: room 2"

    with write_session(engine) as session:
        city = resolve_member(session, "city")
        tracking.set_status(session=session, actor=city, ref=CONVENE, status=Status.done)
    later = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(export(db_url, "-F", "ics")).walk("VEVENT")}
    assert set(later) == set(events)
    assert later["action-stamford-ct-convene@tracker"]["sequence"] > convene["sequence"]
    assert str(later["action-stamford-ct-convene@tracker"]["summary"]) == f"Done: {HOSTILE_TITLE}"


def test_calendar_meeting_starts_on_the_first_day_the_rule_gives(engine: Engine, db_url: str) -> None:
    """A first meeting written on a day the rule skips is moved to the rule's first day,
    so the calendar and the tool show the same meetings."""
    icalendar = pytest.importorskip("icalendar")
    text = with_change(
        "  mid_term_months: 24\n",
        "  mid_term_months: 24\n  meetings: {rule: 'FREQ=MONTHLY;BYDAY=+2TU', starts: 2025-02-01}\n",
    )
    seed(engine, [load_text(text)], actor=ADMIN)
    calendar = icalendar.Calendar.from_ical(export(db_url, "-F", "ics", "-f", "stamford-ct"))
    [meetings] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("meetings-")]
    assert meetings.decoded("dtstart") == dt.date(2025, 2, 11)
    assert "location" not in meetings


# -- output ------------------------------------------------------------------------------------


def test_output_file_is_replaced_whole_and_left_alone_on_failure(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """-o replaces the file in one step; a failed export leaves the previous file as it
    was and no temporary file behind."""
    seed(engine, [load_text(MINIMAL)], actor=ADMIN)
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "plan.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    assert tracker("--db", db_url, "export", "-F", "plan", "-f", "stamford-ct", "-o", str(path)).code == 0
    assert load_text(path.read_text()).plan.framework.key == "stamford-ct"
    assert path.stat().st_mode & 0o777 == 0o640
    before = path.read_bytes()
    failed = tracker("--db", db_url, "export", "-F", "plan", "-f", "nope", "-o", str(path))
    assert failed.code == 2 and path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["plan.yaml"]
    nowhere = tracker("--db", db_url, "export", "-F", "csv", "-o", str(folder / "missing" / "a.csv"))
    assert nowhere.code == 2 and "there is no folder" in nowhere.err and "Traceback" not in nowhere.err
    a_folder = tracker("--db", db_url, "export", "-F", "csv", "-o", str(folder))
    assert a_folder.code == 2 and "is a folder" in a_folder.err


def test_dash_writes_to_stdout(engine: Engine, db_url: str) -> None:
    """-o - is standard output, as for every tool in a pipe."""
    seed(engine, [load_text(MINIMAL)], actor=ADMIN)
    assert export(db_url, "-F", "csv", "-o", "-") == export(db_url, "-F", "csv")


def test_export_help_has_examples_and_says_what_a_plan_file_leaves_out() -> None:
    """-h tells a user which format is for what, and that history is not in a plan file."""
    result = tracker("export", "-h")
    assert result.code == 0 and "Example:" in result.out
    assert "Tracking history" in result.out and "not part of a plan file" in result.out


def test_progress_goes_to_a_terminal_stderr_and_never_into_the_data(engine: Engine, db_url: str) -> None:
    """A long export shows where it is on the terminal, while the piped data stays clean."""
    seed(engine, [load_text(MINIMAL)], actor=ADMIN)
    main, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "tracker"), "--db", db_url, "export", "-F", "json"],
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=120,
            env={k: v for k, v in os.environ.items() if k != "TRACKER_DB"},
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["frameworks"][0]["plan"]["framework"]["key"] == "stamford-ct"
    assert b"Exporting json" in shown
