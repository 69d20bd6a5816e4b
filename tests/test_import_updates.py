"""Updates from a filled-in workbook: `export --format xlsx --for-updates`, filled in with
openpyxl as a spreadsheet program saves it, and `tracker import-updates` (issue 14)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import dump
from tests.tracking import CONVENE, MEETINGS, REPORTING, seeded
from tracker.models import ActionNote, Measurement, StatusChange


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def export(db: str, path: Path, *extra: str, login: str = "coord") -> Path:
    result = tracker(
        "--db", db, "--as", login, "export", "-F", "xlsx", "--for-updates", "-f", "stamford-ct", "-o", str(path), *extra
    )
    assert result.code == 0, result.err
    return path


class Sheet:
    """One sheet of a workbook being filled in, addressed by ref and header."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.header = {c.value: c.column for c in ws[1]}

    def row(self, ref: str) -> int:
        return next(r for r in range(2, self.ws.max_row + 1) if self.ws.cell(r, self.header["ref"]).value == ref)

    def set(self, ref: str, column: str, value: object) -> None:
        self.ws.cell(self.row(ref), self.header[column]).value = value

    def set_text(self, ref: str, column: str, text: str) -> None:
        """Text typed as text (a program saves it as a string, whatever it starts with)."""
        cell = self.ws.cell(self.row(ref), self.header[column])
        cell.value, cell.data_type = text, "s"


def fill(path: Path, edit: Any) -> Path:
    """Open the workbook, let ``edit`` fill it in (sheets by name), save it as a program would."""
    book = openpyxl.load_workbook(path)
    edit(Sheet(book["Actions"]), Sheet(book["Indicators"]))
    book.save(path)
    return path


def run(db: str, *args: str, login: str = "coord", input: str | None = None) -> Any:
    return tracker("--db", db, "--as", login, *args, input=input)


def history(engine: Engine, table: Any) -> list[Any]:
    t = table.__table__
    with engine.connect() as conn:
        return list(conn.execute(sa.select(t).order_by(t.c.id)))


def status(db: str, ref: str) -> str:
    shown = run(db, "actions", "show", ref, "--json")
    assert shown.code == 0, shown.err
    return str(json.loads(shown.out)["row"]["status"])


def test_only_the_new_status_note_and_dates_can_be_edited(db: str, tmp_path: Path) -> None:
    """A member opening the workbook can type only where an update goes; the rest reads only,
    and the new status is picked from the statuses in words."""
    path = export(db, tmp_path / "u.xlsx")
    book = openpyxl.load_workbook(path)
    actions, indicators = book["Actions"], book["Indicators"]
    editable = ((actions, {"new status", "note", "completed on"}), (indicators, {"new value", "measured on"}))
    for ws, open_columns in editable:
        assert ws.protection.sheet is True
        header = [c.value for c in ws[1]]
        assert ws.max_row >= 2
        for cell in ws[2]:
            assert cell.protection.locked is (header[cell.column - 1] not in open_columns), header[cell.column - 1]
    sheet = Sheet(actions)
    assert {actions.cell(r, sheet.header["ref"]).value for r in range(2, actions.max_row + 1)} == {CONVENE, REPORTING}
    export_ids = {actions.cell(r, sheet.header["export id"]).value for r in range(2, actions.max_row + 1)}
    assert len(export_ids) == 1 and book.custom_doc_props["tracker export id"].value in export_ids
    assert actions.cell(sheet.row(CONVENE), sheet.header["version"]).value == 1
    rules = {(v.type, str(v.sqref).split(":")[0]) for v in actions.data_validations.dataValidation}
    letter = {name: openpyxl.utils.get_column_letter(col) for name, col in sheet.header.items()}
    assert ("list", f"{letter['new status']}2") in rules and ("date", f"{letter['completed on']}2") in rules
    listed = next(v for v in actions.data_validations.dataValidation if v.type == "list")
    assert listed.formula1 == '"planned,in progress,blocked,done,cancelled"'
    assert {v.type for v in indicators.data_validations.dataValidation} == {"decimal", "date"}
    assert Sheet(indicators).row(MEETINGS) == 2


def test_a_filled_in_workbook_applies_and_applies_only_once(db: str, engine: Engine, tmp_path: Path) -> None:
    """The coordinator imports what a member typed: statuses, notes (text that starts with =
    or - stays text) and a measured value, recorded on behalf of the action's organisation;
    rows reordered or deleted do not matter; importing the file again changes nothing."""
    path = export(db, tmp_path / "u.xlsx")

    def edit(actions: Sheet, indicators: Sheet) -> None:
        # rows reordered: the two actions swap places
        ws = actions.ws
        a, b = actions.row(CONVENE), actions.row(REPORTING)
        for col in range(1, ws.max_column + 1):
            ws.cell(a, col).value, ws.cell(b, col).value = ws.cell(b, col).value, ws.cell(a, col).value
        actions.set(CONVENE, "new status", "in progress")
        actions.set_text(CONVENE, "note", "=not a formula, typed as text")
        actions.set(REPORTING, "note", "- started the draft")
        indicators.set(MEETINGS, "new value", 4)
        indicators.set(MEETINGS, "measured on", "2026-01-15")

    fill(path, edit)
    result = run(db, "import-updates", str(path))
    assert result.code == 0, result.out + result.err
    assert status(db, CONVENE) == "in_progress"
    change = history(engine, StatusChange)[-1]
    assert (change.note, change.on_behalf_of) == ("=not a formula, typed as text", "stakeholder:city-of-stamford")
    note = history(engine, ActionNote)[-1]
    assert (note.text, note.on_behalf_of) == ("- started the draft", "stakeholder:union-church")
    measured = history(engine, Measurement)[-1]
    assert (str(measured.measured_on), float(measured.value)) == ("2026-01-15", 4.0)
    # The history says whom the importer entered them for, in words and in JSON.
    shown = run(db, "actions", "history", CONVENE)
    assert " for city-of-stamford: planned -> in_progress: =not a formula" in shown.out, shown.out
    listed = json.loads(run(db, "actions", "history", CONVENE, "--json").out)
    assert listed["changes"][-1]["on_behalf_of"] == "stakeholder:city-of-stamford"
    noted = run(db, "actions", "history", REPORTING)
    assert " for union-church noted: - started the draft" in noted.out, noted.out
    # ... and so do the report's "what changed" (Markdown; the HTML one in French too).
    report = run(db, "report", "-f", "stamford-ct", "--since", "2000-01-01").out
    assert "| coord for city-of-stamford |" in report and "| coord for union-church |" in report, report
    html = run(db, "report", "-f", "stamford-ct", "--since", "2000-01-01", "--format", "html", "--lang", "fr").out
    assert "coord pour city-of-stamford" in html

    before = dump(engine)
    again = run(db, "import-updates", str(path))
    assert again.code == 0, again.out
    assert again.out.count("was already applied from this workbook") == 3
    assert dump(engine) == before

    # a row deleted from the sheet is simply not imported
    book = openpyxl.load_workbook(path)
    book["Actions"].delete_rows(2)
    book.save(path)
    assert run(db, "import-updates", str(path)).code == 0
    assert dump(engine) == before


def test_a_change_made_after_the_export_is_a_conflict(db: str, engine: Engine, tmp_path: Path) -> None:
    """A member's update on an action someone moved since the export is not applied: the
    coordinator learns who changed what; the other rows apply (exit 3)."""
    path = export(db, tmp_path / "u.xlsx")
    assert run(db, "actions", "set-status", CONVENE, "blocked", "-m", "no room", login="domus").code == 0

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "done")
        actions.set(CONVENE, "completed on", "2026-02-01")
        actions.set(REPORTING, "new status", "in progress")

    result = run(db, "import-updates", str(fill(path, edit)))
    assert result.code == 3, result.out
    line = next(line for line in result.out.splitlines() if CONVENE in line)
    assert "sheet Actions, row" in line and "domus" in line and "blocked" in line
    assert status(db, CONVENE) == "blocked" and status(db, REPORTING) == "in_progress"


def test_a_formula_is_reported_and_text_that_looks_like_one_is_kept(db: str, engine: Engine, tmp_path: Path) -> None:
    """A formula typed into a note is never evaluated or stored: its row is reported with
    the cell (exit 2); a note typed as text starting with "=" applies as written."""
    path = export(db, tmp_path / "u.xlsx")

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "note", '=HYPERLINK("http://x","y")')  # openpyxl stores it as a formula
        actions.set_text(REPORTING, "note", "=1+1 is text here")

    result = run(db, "import-updates", str(fill(path, edit)))
    assert result.code == 2, result.out
    line = next(line for line in result.out.splitlines() if CONVENE in line)
    assert "formula" in line and "sheet Actions, row" in line and "(note)" in line
    notes = [n.text for n in history(engine, ActionNote)]
    assert notes == ["=1+1 is text here"]


def test_bad_rows_are_reported_and_atomic_applies_nothing(db: str, engine: Engine, tmp_path: Path) -> None:
    """An unknown ref, a status that is not one and a date that is not one are each
    reported in one sentence naming sheet, row and column; with --atomic a single bad
    row keeps every row out, and the database is exactly as before."""
    path = export(db, tmp_path / "u.xlsx")

    def edit(actions: Sheet, indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "finished")
        actions.set(REPORTING, "new status", "in progress")
        indicators.set(MEETINGS, "new value", 2)
        indicators.set(MEETINGS, "measured on", "2026-13-45")

    fill(path, edit)
    before = dump(engine)
    atomic = run(db, "import-updates", "--atomic", str(path))
    assert atomic.code == 2, atomic.out
    assert "'new status' has 'finished', which is not a status" in atomic.out
    assert "sheet Indicators, row 2 (stamford-ct/meetings), column 'measured on' has '2026-13-45', which" in atomic.out
    assert "not applied" in atomic.out
    assert dump(engine) == before

    dry = run(db, "import-updates", "--dry-run", str(path))
    assert dry.code == 2 and "would apply" in dry.out
    assert dump(engine) == before

    book = openpyxl.load_workbook(path)
    sheet = Sheet(book["Actions"])
    sheet.set(CONVENE, "ref", "stamford-ct/no-such-action")
    book.save(path)
    result = run(db, "import-updates", str(path))
    assert result.code == 2, result.out
    assert "no-such-action" in result.out
    assert status(db, REPORTING) == "in_progress"


def test_a_row_the_login_may_not_apply_is_refused(db: str, engine: Engine, tmp_path: Path) -> None:
    """A member of Union Church importing a workbook that moves the City's action is told
    why and who could (exit 4); the City's action is unchanged, their own row applies."""
    path = export(db, tmp_path / "u.xlsx")

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "cancelled")
        actions.set(REPORTING, "new status", "in progress")

    fill(path, edit)
    result = run(db, "import-updates", str(path), login="church")
    assert result.code == 4, result.out
    line = next(line for line in result.out.splitlines() if CONVENE in line)
    assert "coordinator" in line
    assert status(db, CONVENE) == "planned" and status(db, REPORTING) == "in_progress"
    assert history(engine, StatusChange)[-1].on_behalf_of == "stakeholder:union-church"


def test_dry_run_changes_nothing(db: str, engine: Engine, tmp_path: Path) -> None:
    """--dry-run says what would apply and writes nothing."""
    path = export(db, tmp_path / "u.xlsx")
    fill(path, lambda actions, _i: actions.set(CONVENE, "new status", "blocked"))
    before = dump(engine)
    result = run(db, "import-updates", "--dry-run", "--json", str(path))
    assert result.code == 0, result.out
    rows = json.loads(result.out)["rows"]
    assert [r["result"] for r in rows if r["ref"] == CONVENE] == ["would apply"]
    assert dump(engine) == before


def test_owner_workbook_holds_only_their_actions(db: str, tmp_path: Path) -> None:
    """A person's workbook lists the open actions they own, and nobody else's."""
    assert run(db, "actions", "edit", CONVENE, "--owner", "city").code == 0
    book = openpyxl.load_workbook(export(db, tmp_path / "city.xlsx", "--owner", "city"))
    refs = [row[0] for row in book["Actions"].iter_rows(min_row=2, values_only=True)]
    assert refs == [CONVENE]


EXPORT_ID = "0b9c4a52-52a4-4c1e-9d4e-0d6f2b1f9a10"


def test_csv_from_stdin(db: str, engine: Engine) -> None:
    """The same columns as CSV on standard input apply the same way."""
    text = f"ref,new status,note,version,export id,row id\n{CONVENE},blocked,waiting,1,{EXPORT_ID},A1\n"
    result = run(db, "import-updates", "-", input=text)
    assert result.code == 0, result.out + result.err
    assert status(db, CONVENE) == "blocked"
    assert history(engine, StatusChange)[-1].import_key == f"{EXPORT_ID}/A1"
    assert "already applied" in run(db, "import-updates", "-", input=text).out


def test_done_with_the_date_it_was_completed(db: str, tmp_path: Path) -> None:
    """A member who finished the work last week says so with the date, typed as a date; a
    completion date without "done" is a bad row that says what to do."""
    path = export(db, tmp_path / "u.xlsx")

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "done")
        actions.set(CONVENE, "completed on", dt.datetime(2026, 2, 1))
        actions.set(REPORTING, "completed on", dt.datetime(2026, 2, 2))

    result = run(db, "import-updates", str(fill(path, edit)))
    assert result.code == 2, result.out
    assert "column 'completed on' has a completion date but the new status is not done" in result.out
    shown = json.loads(run(db, "actions", "show", CONVENE, "--json").out)["row"]
    assert (shown["status"], shown["completed_on"]) == ("done", "2026-02-01")


def test_options_that_do_not_go_together_and_files_too_large(db: str, engine: Engine, tmp_path: Path) -> None:
    """Each mistake gets one sentence and exit 2, nothing written: --owner without
    --for-updates, --for-updates on another format, and a file beyond the size limit."""
    from tracker.services.tracking.update_files import MAX_BYTES

    alone = run(db, "export", "-F", "xlsx", "--owner", "city", "-o", str(tmp_path / "x.xlsx"))
    assert alone.code == 2 and "add --for-updates" in alone.err
    csv = run(db, "export", "-F", "csv", "--for-updates")
    assert csv.code == 2 and "go with --format xlsx" in csv.err
    big = tmp_path / "big.csv"
    big.write_bytes(b"ref\n" + b"x" * MAX_BYTES)
    before = dump(engine)
    result = run(db, "import-updates", str(big))
    assert result.code == 2 and "larger than 20 MB" in result.err and "Traceback" not in result.err
    assert dump(engine) == before


def rewrite(path: Path, member: str, change: Any) -> Path:
    """Rewrite one part of a saved workbook's zip, as a damaged or hostile file would hold it."""
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for filename, data in parts.items():
            new.writestr(filename, data)
    return path


def actions_only(path: Path) -> Path:
    """A small workbook with just the Actions sheet's header, saved by openpyxl."""
    from tracker.services.tracking.update_files import ACTION_COLUMNS

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Actions"
    ws.append(list(ACTION_COLUMNS))
    book.save(path)
    return path


def test_a_sheet_that_claims_a_huge_size_is_refused_quickly(db: str, engine: Engine, tmp_path: Path) -> None:
    """A sheet whose <dimension> claims every row and column, with one cell in the last row
    (a file of a few KB), is refused in seconds with one sentence, not read without end."""

    def huge(xml: bytes) -> bytes:
        xml, claimed = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        assert claimed == 1
        far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", far + b"</sheetData>")

    path = rewrite(actions_only(tmp_path / "huge.xlsx"), "xl/worksheets/sheet1.xml", huge)
    assert path.stat().st_size < 10_000
    before = dump(engine)
    result = tracker_process("--db", db, "--as", "coord", "import-updates", str(path), timeout=60)
    assert result.code == 2, result.out + result.err
    assert "sheet Actions has more than 100,000 rows" in result.err and "Traceback" not in result.err
    assert dump(engine) == before


def test_a_workbook_that_unpacks_too_large_or_is_no_zip_is_refused(db: str, engine: Engine, tmp_path: Path) -> None:
    """The size limit is on the file as packed; a small workbook whose shared strings unpack
    to 250 MB is refused before they are read, and a file that starts like a zip but is none
    gets one sentence too (exit 2, nothing written)."""
    strings = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    path = rewrite(
        actions_only(tmp_path / "bomb.xlsx"),
        "[Content_Types].xml",
        lambda xml: xml.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{strings}"/></Types>'.encode()
        ),
    )
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as book, book.open("xl/sharedStrings.xml", "w") as part:
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        for _ in range(250):
            part.write(b"a" * 1_000_000)
        part.write(b"</t></si></sst>")
    assert path.stat().st_size < 2_000_000
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a zip at all")
    before = dump(engine)
    bomb = run(db, "import-updates", str(path))
    assert bomb.code == 2, bomb.out + bomb.err
    assert "bomb.xlsx unpacks to more than 200 MB" in bomb.err
    nozip = run(db, "import-updates", str(broken))
    assert nozip.code == 2, nozip.out + nozip.err
    assert "broken.xlsx is not a readable workbook (not a valid zip" in nozip.err
    assert "save it again from the spreadsheet program" in nozip.err
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("member", "damage"),
    [
        ("xl/worksheets/sheet1.xml", lambda xml: xml[: xml.index(b"</sheetData>") - 20]),  # cut short
        ("xl/workbook.xml", lambda xml: xml.replace(b"<sheets>", b"<sheets><<<")),
        ("xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'<row r="2"', b'<row r="2" r="2"')),
        (
            "xl/worksheets/sheet1.xml",  # a shared string that is not in the table
            lambda xml: xml.replace(b"</sheetData>", b'<row r="99"><c r="A99" t="s"><v>9999</v></c></row></sheetData>'),
        ),
    ],
    ids=["truncated-sheet", "angle-brackets", "duplicate-attribute", "missing-shared-string"],
)
def test_a_damaged_workbook_is_one_sentence(db: str, engine: Engine, tmp_path: Path, member: str, damage: Any) -> None:
    """A workbook whose XML is damaged (cut short, stray '<<<', an attribute twice) is refused
    in one sentence that says to save it again; no traceback, nothing written."""
    path = export(db, tmp_path / "damaged.xlsx")
    fill(path, lambda actions, _i: actions.set(CONVENE, "new status", "blocked"))
    rewrite(path, member, lambda xml: damage(xml) if damage(xml) != xml else pytest.fail(f"{member} unchanged"))
    before = dump(engine)
    result = run(db, "import-updates", str(path))
    assert result.code == 2, result.out + result.err
    assert "damaged.xlsx is not a readable workbook (" in result.err, result.err
    assert "save it again from the spreadsheet program." in result.err and "Traceback" not in result.err
    assert dump(engine) == before


def test_a_row_id_twice_in_one_file_is_a_bad_row(db: str, engine: Engine, tmp_path: Path) -> None:
    """An exported row copied within its sheet (Actions or Indicators) is a bad row, each copy
    naming the other; neither applies, and neither is taken as already applied (exit 2)."""
    path = export(db, tmp_path / "u.xlsx")

    def edit(actions: Sheet, indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "blocked")
        indicators.set(MEETINGS, "new value", 3)
        for sheet, ref, change in ((actions, CONVENE, "new status"), (indicators, MEETINGS, "new value")):
            ws, row = sheet.ws, sheet.row(ref)
            copy = ws.max_row + 1
            for col in range(1, ws.max_column + 1):
                ws.cell(copy, col).value = ws.cell(row, col).value
            ws.cell(copy, sheet.header[change]).value = "done" if change == "new status" else 5

    fill(path, edit)
    before = dump(engine)
    result = run(db, "import-updates", str(path))
    assert result.code == 2, result.out + result.err
    assert "already applied" not in result.out
    repeated = [line for line in result.out.splitlines() if "column 'row id' has" in line]
    assert len(repeated) == 4, result.out
    assert f"sheet Actions, row 2 ({CONVENE}), column 'row id' has A1, which sheet Actions, row 4 has too" in result.out
    assert f"sheet Actions, row 4 ({CONVENE}), column 'row id' has A1, which sheet Actions, row 2 has too" in result.out
    assert f"sheet Indicators, row 3 ({MEETINGS}), column 'row id' has I1, which sheet Indicators, row 2" in result.out
    assert dump(engine) == before


def test_a_blank_version_is_a_bad_row_not_a_skipped_check(db: str, engine: Engine, tmp_path: Path) -> None:
    """An exported action row whose version cell was cleared cannot be checked for changes
    made since the export, so it is a bad row (exit 2) and another login's change stands."""
    path = export(db, tmp_path / "u.xlsx")
    assert run(db, "actions", "set-status", CONVENE, "blocked", "-m", "no room", login="domus").code == 0

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "done")
        actions.set(CONVENE, "version", None)

    before = dump(engine)
    result = run(db, "import-updates", str(fill(path, edit)))
    assert result.code == 2, result.out + result.err
    assert f"sheet Actions, row 2 ({CONVENE}), column 'version' is empty; keep the exported value." in result.out
    assert status(db, CONVENE) == "blocked"
    assert dump(engine) == before


def test_a_completion_date_after_today_is_a_bad_value(db: str, engine: Engine, tmp_path: Path) -> None:
    """Work cannot have been done on a day still to come: such a completion date is a bad
    row saying so (exit 2), and the action stays as it was."""
    path = export(db, tmp_path / "u.xlsx")
    later = dt.date.today() + dt.timedelta(days=30)

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "done")
        actions.set(CONVENE, "completed on", dt.datetime.combine(later, dt.time()))

    before = dump(engine)
    result = run(db, "import-updates", str(fill(path, edit)))
    assert result.code == 2, result.out + result.err
    assert f"column 'completed on' has {later.isoformat()}, which is after today" in result.out
    assert status(db, CONVENE) == "planned"
    assert dump(engine) == before


def test_the_indicators_sheet_saved_as_csv_imports(db: str, engine: Engine, tmp_path: Path) -> None:
    """The Indicators sheet saved as CSV (its own columns, which have no version) imports as
    the workbook does: the value measured is recorded."""
    path = fill(export(db, tmp_path / "u.xlsx"), lambda _a, indicators: indicators.set(MEETINGS, "new value", 7))
    book = openpyxl.load_workbook(path)
    with open(tmp_path / "indicators.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for row in book["Indicators"].iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    assert "version" not in (tmp_path / "indicators.csv").read_text().splitlines()[0]
    result = run(db, "import-updates", str(tmp_path / "indicators.csv"))
    assert result.code == 0, result.out + result.err
    measured = history(engine, Measurement)[-1]
    assert (float(measured.value), measured.measured_on) == (7.0, dt.date.today())


def test_warnings_of_the_workbook_reader_do_not_reach_the_terminal(db: str, tmp_path: Path) -> None:
    """A date cell whose serial number is out of reach is reported as a bad row in tracker's
    words; the workbook library's own warning (with its source path) is not printed too."""
    path = export(db, tmp_path / "u.xlsx")
    cell: list[str] = []

    def edit(actions: Sheet, _indicators: Sheet) -> None:
        actions.set(CONVENE, "new status", "done")
        actions.set(CONVENE, "completed on", dt.datetime(2026, 2, 1))
        cell.append(f"{openpyxl.utils.get_column_letter(actions.header['completed on'])}{actions.row(CONVENE)}")

    fill(path, edit)

    def far(xml: bytes) -> bytes:
        xml, found = re.subn(rf'(<c r="{cell[0]}"[^>]*>\s*<v>)[^<]*'.encode(), rb"\g<1>1e20", xml)
        assert found == 1
        return xml

    rewrite(path, "xl/worksheets/sheet1.xml", far)
    result = tracker_process("--db", db, "--as", "coord", "import-updates", str(path), timeout=60)
    assert result.code == 2, result.out + result.err
    assert "column 'completed on' has '#VALUE!', which is not a date" in result.out
    assert "Warning" not in result.err and "openpyxl" not in result.err, result.err


def test_a_workbook_with_an_encrypted_part_is_one_sentence(db: str, engine: Engine, tmp_path: Path) -> None:
    """A workbook whose zip marks a part as encrypted (or packed in a way Python cannot
    unpack) is refused in one sentence, not a RuntimeError traceback."""
    path = actions_only(tmp_path / "locked.xlsx")
    data = bytearray(path.read_bytes())
    name = b"xl/workbook.xml"
    entry = next(  # the part's entry in the zip's central directory
        m.start() for m in re.finditer(rb"PK\x01\x02", bytes(data)) if data[m.start() + 46 :].startswith(name)
    )
    data[entry + 8] |= 0x01  # general purpose flag: encrypted
    path.write_bytes(bytes(data))
    before = dump(engine)
    result = run(db, "import-updates", str(path))
    assert result.code == 2, result.out + result.err
    assert "locked.xlsx is not a readable workbook (File 'xl/workbook.xml' is encrypted" in result.err, result.err
    assert dump(engine) == before


def test_an_old_format_or_password_protected_workbook_is_named_as_such(db: str, tmp_path: Path) -> None:
    """An .xls file, or a workbook saved with a password (both OLE files), is told what to
    save instead, not that it is not UTF-8 CSV."""
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    result = run(db, "import-updates", str(path))
    assert result.code == 2, result.out + result.err
    assert "old.xls is an old-format (.xls) or password-protected workbook; save it as an Excel" in result.err


def test_a_measurement_date_after_today_is_a_bad_value(db: str, engine: Engine, tmp_path: Path) -> None:
    """A value cannot have been measured on a day still to come: exit 2, nothing recorded."""
    path = export(db, tmp_path / "u.xlsx")
    later = dt.date.today() + dt.timedelta(days=30)

    def edit(_actions: Sheet, indicators: Sheet) -> None:
        indicators.set(MEETINGS, "new value", 3)
        indicators.set(MEETINGS, "measured on", dt.datetime.combine(later, dt.time()))

    before = dump(engine)
    result = run(db, "import-updates", str(fill(path, edit)))
    assert result.code == 2, result.out + result.err
    assert f"column 'measured on' has {later.isoformat()}, which is after today" in result.out
    assert dump(engine) == before
