"""The coordinator's Markdown report: its sections and figures on the Riverton plan worked
out by hand, tables that stay tables, hostile user text that stays text, and `tracker report`."""

from __future__ import annotations

import datetime as dt
import os
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import ADMIN
from tests.plans import MINIMAL
from tests.report_plans import FW, TODAY, seed_riverton
from tracker.db import read_session, write_session
from tracker.exports.markdown import md_table, md_text
from tracker.exports.report_md import report_markdown
from tracker.models import Action as ActionModel
from tracker.models import ActionNote, Framework, Indicator, Stakeholder
from tracker.models import Finding as FindingModel
from tracker.models.base import table_of
from tracker.models.enums import Status
from tracker.seeding import load_text, seed
from tracker.services.access.members import resolve_member
from tracker.services.reporting.report import ReportData, changes_since, default_since, gather_report
from tracker.services.tracking import changes as tracking
from tracker.text import visible_controls

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Token types user text must never produce.
FORBIDDEN = {
    "html_block",
    "html_inline",
    "link_open",
    "image",
    "code_inline",
    "code_block",
    "fence",
    "em_open",
    "strong_open",
    "s_open",
    "blockquote_open",
    "ordered_list_open",
    "hr",
    "lheading",
}
HEADINGS = [
    "Summary",
    "What changed since",
    "Status changes",
    "Notes",
    "Measurements",
    "Actions that need attention",
    "Overdue",
    "Blocked",
    "Stale",
    "Who owes an update",
    "Organisations",
    "Owners",
    "Funding",
    "Actions with a funding gap",
    "Objectives short of money",
    "Funding sources",
    "Sustainability risks",
    "Funding cliffs",
    "Depending on one source",
    "Sources ending by",
    "Findings not yet answered",
    "Not answered by any goal",
    "Answered only by actions without money",
    "Indicators off track",
    "Cannot be judged yet",
    "Objectives without indicators",
    "Next meetings",
]


def _write(engine: Engine, work: Any) -> None:
    with write_session(engine) as session:
        work(session, resolve_member(session, "coord"))


def _busy_riverton(engine: Engine, *, note: str = "Lease signed", why: str = "No room at the school") -> Engine:
    """Riverton with a blocked action, a note, and the hub gone stale (no update for 60 days)."""
    seed_riverton(engine)
    training = f"{FW}/training"
    _write(engine, lambda s, a: tracking.set_status(session=s, actor=a, ref=training, status=Status.blocked, note=why))
    _write(engine, lambda s, a: tracking.add_note(session=s, actor=a, ref=f"{FW}/hub", text=note))
    action = table_of(ActionModel)
    with engine.begin() as conn:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
        conn.execute(sa.update(action).where(action.c.key == "hub").values(updated_at=old))
    return engine


def _report(engine: Engine, **kw: Any) -> ReportData:
    with read_session(engine) as session:
        return gather_report(session, framework=FW, today=TODAY, **kw)


def _cells(line: str) -> list[str]:
    """The cells of a pipe-table line, split on pipes not escaped by a backslash."""
    cells, cell, escaped = [], "", False
    for ch in line.strip()[1:-1]:
        if ch == "|" and not escaped:
            cells.append(cell)
            cell = ""
        else:
            cell += ch
        escaped = ch == "\\" and not escaped
    return [*cells, cell]


def _tables(text: str) -> list[list[str]]:
    tables: list[list[str]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def _all_tokens(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        found.append(token)
        found.extend(_all_tokens(token.children or []))
    return found


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type in ("text", "softbreak"))


def _check_markdown(text: str) -> list[Token]:
    """Every table has as many cells on each row as in its header, on the page and once
    parsed; no user text made HTML, a link, code, emphasis, a quote or a numbered list."""
    for table in _tables(text):
        widths = {len(_cells(line)) for line in table}
        assert len(widths) == 1, table
        assert all(len(line) == len(table[0]) for line in table if line.isascii()), table  # aligned columns
    tokens = MD.parse(text)
    rows: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append(0)
        elif token.type in ("th_open", "td_open"):
            rows[-1] += 1
        elif token.type == "table_close":
            assert len(set(rows)) == 1, rows
            rows = []
    bad = [t.type for t in _all_tokens(tokens) if t.type in FORBIDDEN]
    assert not bad, bad
    assert sum(t.type == "table_open" for t in tokens) == len(_tables(text))
    return tokens


def _headings(tokens: list[Token]) -> list[str]:
    return [_inline_text(tokens[n + 1]) for n, t in enumerate(tokens) if t.type == "heading_open"]


def test_report_sections_and_figures(engine: Engine) -> None:
    """What the coordinator sends: changes since the last meeting, the overdue, blocked and
    stale actions with their leads, an 11,000 USD gap, the findings and indicators worked out
    by hand, and the next three meetings on the second Tuesday."""
    _busy_riverton(engine)
    data = _report(engine)
    assert (data.changes.since, data.changes.reason) == (dt.date(2025, 7, 8), "the last working-group meeting")
    assert [r.key for r in data.overdue.rows] == ["outreach"] and data.overdue.total == 1
    assert [(r.key, r.last_change.note if r.last_change else None) for r in data.blocked.rows] == [
        ("training", "No room at the school")
    ]
    assert [r.key for r in data.stale.rows] == ["hub"]
    assert data.funding.total_gap == Decimal("11000.00")
    assert [g.ref for g in data.funding.gaps] == [f"{FW}/hub", f"{FW}/outreach"]
    assert [i.key for i in data.off_track] == ["referrals", "incidents"]
    assert data.meetings == (dt.date(2025, 8, 12), dt.date(2025, 9, 9), dt.date(2025, 10, 14))

    text = report_markdown(data)
    tokens = _check_markdown(text)
    headings = _headings(tokens)
    assert headings[0] == "Riverton prevention framework: report of 2025-07-10"
    assert [next(h for h in headings if h.startswith(name)) for name in HEADINGS]  # all there
    order = [next(n for n, h in enumerate(headings) if h.startswith(name)) for name in HEADINGS]
    assert order == sorted(order)
    for expected in (
        "- Need attention: 1 overdue, 1 blocked, 1 stale.",
        "- Actions: 6 (2 planned, 1 in progress, 1 blocked, 1 done, 1 cancelled); 20% done.",
        "- Money: funding gap 11,000.00 USD over 2 actions; 3 actions with no cost estimate yet.",
        "- Findings: 5 of 7 answered; 2 of those only by actions without money.",
        "- Indicators: 2 of 4 off track; 2 cannot be judged yet.",
        "- Since 2025-07-08: 1 status change, 1 note, 0 plan edits, 5 measurements.",
        "## What changed since 2025-07-08 (the last working-group meeting)",
        "### Actions with a funding gap: 11,000.00 USD in all",
        "- Tuesday 2025-08-12, City Hall, room 2",
    ):
        assert expected in text, expected
    lines = text.splitlines()
    [overdue] = [line for line in lines if line.startswith("| outreach ") and "| planned |" in line]
    assert _cells(overdue)[2].strip() == "Youth NGO" and _cells(overdue)[-1].strip() == "101"  # days late
    [hub_gap] = [line for line in lines if line.startswith("| hub ") and "USD" in line]
    assert [c.strip() for c in _cells(hub_gap)[3:6]] == ["10,000.00 USD", "4,000.00 USD", "6,000.00 USD"]
    [outreach_gap] = [line for line in lines if line.startswith("| outreach ") and "USD" in line]
    assert _cells(outreach_gap)[3] == "  5,000.00 USD "  # money is right-aligned
    [referrals] = [line for line in lines if line.startswith("| referrals ")]
    assert [c.strip() for c in _cells(referrals)[4:]] == ["0", "40 on 2025-07-02", "100 by 2025-12-31", "40%", "50%"]
    assert "| w1/f5   | Listening session | Run a radio campaign." in text
    assert "survey (1 allocation of unknown amount)" in text


def test_changes_since_a_day(engine: Engine) -> None:
    """Only what was recorded from the day asked is listed, oldest first; a long list says it
    was cut rather than silently dropping the oldest."""
    _busy_riverton(engine)
    note = table_of(ActionNote)
    with engine.begin() as conn:
        conn.execute(sa.update(note).values(at=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)))
    with read_session(engine) as session:
        changes = changes_since(session, framework=FW, since=dt.date(2025, 6, 2))
        assert [i.kind for i in changes.items] == ["measurement"] * 5 + ["status"] and changes.complete
        assert changes.items[0].ref == f"{FW}/visits"  # the first measurement recorded
        earlier = changes_since(session, framework=FW, since=dt.date(2025, 6, 1))
        assert earlier.count("note") == 1 and earlier.items[0].kind == "note"
        cut = changes_since(session, framework=FW, since=dt.date(2025, 6, 1), limit=2)
        assert [i.kind for i in cut.items] == ["measurement", "status"] and not cut.complete
    text = report_markdown(_report(engine, since=dt.date(2025, 6, 2)))
    assert "## What changed since 2025-06-02\n" in text and "### Notes" not in text


def test_default_since_without_meetings_is_30_days(engine: Engine) -> None:
    """A plan without meetings (or before its first one) reports the last 30 days."""
    assert default_since(rule=None, starts=None, today=TODAY) == (dt.date(2025, 6, 10), "30 days ago")
    first = dt.date(2025, 9, 1)
    assert default_since(rule="FREQ=MONTHLY", starts=first, today=TODAY) == (dt.date(2025, 6, 10), "30 days ago")
    seed(engine, [load_text(MINIMAL, source="stamford.yaml")], actor=ADMIN)
    with read_session(engine) as session:
        data = gather_report(session, framework="stamford-ct", today=TODAY)
    assert (data.changes.since, data.meetings) == (dt.date(2025, 6, 10), ())
    text = report_markdown(data)
    _check_markdown(text)
    assert "## What changed since 2025-06-10 (30 days ago)" in text
    assert "No working-group meetings are scheduled in the plan." in text


HOSTILE_TITLE = "<script>x</script> | `c` [l](http://e) **b** _i_ ~~s~~ &amp; \\"
HOSTILE_NOTE = "Line one\n\n# Heading\n- item\n1. first\n<div>html</div>\n| a | b |\n> quote\n    code"


def test_hostile_text_stays_text(engine: Engine) -> None:
    """Titles, names, findings and notes full of Markdown and HTML come out as the words typed,
    on one line: no HTML reaches a mail client, no table breaks, no heading, list, quote, link,
    code span or emphasis appears that the report did not write itself."""
    _busy_riverton(engine, note=HOSTILE_NOTE, why="=== [click](http://evil) <img src=x onerror=alert(1)>")
    hostile = {
        Framework: ("key", FW, {"title": "# Riverton <img src=x>", "meeting_place": "> Hall [x](y) | *"}),
        ActionModel: ("key", "outreach", {"title": HOSTILE_TITLE}),
        Stakeholder: ("key", "youth-ngo", {"name": "- Youth | NGO"}),
        FindingModel: ("key", "f3", {"text": "1. Train\n\n- teachers <b>now</b> `x`"}),
        Indicator: ("key", "referrals", {"name": "+ Referrals ***", "unit": "_per_ week"}),
    }
    with engine.begin() as conn:
        for model, (column, key, values) in hostile.items():
            table = table_of(model)
            conn.execute(sa.update(table).where(table.c[column] == key).values(**values))
    text = report_markdown(_report(engine))
    tokens = _check_markdown(text)
    assert "<script" not in text and "<img" not in text and "<div" not in text
    headings = _headings(tokens)
    assert headings[0] == "# Riverton <img src=x>: report of 2025-07-10"
    assert len(headings) == 1 + len(HEADINGS)
    assert sum(t.type == "bullet_list_open" for t in tokens) == 2  # the summary and the meetings
    cells = {_inline_text(t) for t in _all_tokens(tokens) if t.type == "inline"}
    for typed in (HOSTILE_TITLE, "- Youth | NGO", "1. Train - teachers <b>now</b> `x`", "+ Referrals ***"):
        assert " ".join(typed.split()) in cells, typed
    assert " ".join(HOSTILE_NOTE.split()) in cells
    assert "=== [click](http://evil) <img src=x onerror=alert(1)>" in cells
    paragraphs = [_inline_text(tokens[n + 1]) for n, t in enumerate(tokens) if t.type == "paragraph_open"]
    assert any("Riverton, WY, US" in p for p in paragraphs)
    meetings = [_inline_text(t) for t in _all_tokens(tokens) if t.type == "inline" and "2025-08-12" in t.content]
    assert meetings == ["Tuesday 2025-08-12, > Hall [x](y) | *"]


markdownish = st.text(
    alphabet=st.sampled_from(list("#*-_+=>`[]()!|~\\<&;:.0123456789 \n\taé字")) | st.characters(),
    max_size=40,
)


def _typed(text: str) -> str:
    """What a reader should see of ``text``: control, bidi and zero-width characters as
    symbols (ESC as ␛, U+202E as ⟨U+202E⟩), whitespace runs as one space."""
    kept = (" " if ch.isspace() else visible_controls(ch) for ch in text)
    return " ".join("".join(kept).split())


@settings(max_examples=400, deadline=None)
@given(markdownish)
def test_any_text_is_one_literal_paragraph(text: str) -> None:
    """Whatever a member types, md_text gives one paragraph whose words are what was typed,
    whitespace collapsed and control characters shown as symbols."""
    expected = _typed(text)
    escaped = md_text(text)
    assert "\n" not in escaped
    tokens = MD.parse(escaped)
    if not expected:
        assert tokens == [] or all(t.type.startswith("paragraph") or t.type == "inline" for t in tokens)
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], escaped
    assert {c.type for c in tokens[1].children or []} <= {"text"}, escaped
    assert _inline_text(tokens[1]) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(markdownish, min_size=1, max_size=3))
def test_any_text_stays_in_its_table_cell(texts: list[str]) -> None:
    """A cell holds exactly what was typed, whatever pipes and backslashes it contains."""
    table = md_table(["a", "b", "c"], [[md_text(t) for t in texts] + [""] * (3 - len(texts))])
    tokens = MD.parse("\n".join(table) + "\n")
    cells = [_inline_text(tokens[n + 1]) for n, t in enumerate(tokens) if t.type == "td_open"]
    assert len(cells) == 3
    for cell, text in zip(cells, texts, strict=False):
        assert cell == _typed(text)


def test_report_command_writes_atomically(db_url: str, engine: Engine, tmp_path: Path) -> None:
    """`tracker report -o FILE` replaces the file whole (same permissions, no temporary file
    left), says where it wrote on stderr, and prints nothing else; without -o the report goes
    to stdout."""
    _busy_riverton(engine)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "report.md"
    out.write_text("old report\n")
    out.chmod(0o640)
    result = tracker("--db", db_url, "report", "--framework", FW, "--since", "2025-06", "-o", str(out))
    assert result.code == 0, result.err
    assert result.out == "" and str(out) in result.err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Riverton prevention framework: report of ")
    assert "## What changed since 2025-06-01\n" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert os.listdir(tmp_path / "out") == ["report.md"]
    printed = tracker("--db", db_url, "report", "-f", FW, "--since", "2025-06")
    assert printed.code == 0 and printed.out == text and printed.err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "03/04/2025"], "is not a date tracker understands"),
        (["--since", "+1y"], "after today"),
        (["-o", "missing-folder/report.md"], "there is no folder"),
        (["--framework", "nowhere"], "there is no framework 'nowhere'"),
    ],
)
def test_report_command_refuses_bad_input(
    db_url: str, engine: Engine, tmp_path: Path, args: list[str], message: str
) -> None:
    """A mistake is one sentence and exit 2, and no file appears."""
    seed_riverton(engine, measured=False)
    args = [str(tmp_path / a) if a.endswith(".md") else a for a in args]
    full = ["--db", db_url, "report", *([] if "--framework" in args else ["--framework", FW]), *args]
    result = tracker(*full)
    assert result.code == 2 and message in result.err and result.out == ""
    assert "Traceback" not in result.err and not list(tmp_path.rglob("*.md"))


def test_report_command_needs_a_framework(db_url: str, engine: Engine) -> None:
    """Without --framework the command says so (usage error, exit 2)."""
    result = tracker("--db", db_url, "report")
    assert result.code == 2 and "--framework" in result.err


def test_report_names_the_funding_risks(engine: Engine) -> None:
    """The leadership group sees the hotline's funding cliff (24,000 USD of a grant that ends before
    the work), what leans on one source, and the grant that ends within six months, as worked out
    by hand in tests/funding_plans.py."""
    from tests.funding_plans import RIVERTON, seed_funding
    from tests.funding_plans import TODAY as RISK_DAY

    seed_funding(engine)
    with read_session(engine) as session:
        data = gather_report(session, framework=RIVERTON, today=RISK_DAY)
    text = report_markdown(data)
    _check_markdown(text)
    lines = text.splitlines()
    assert "#### Funding cliffs: open work that runs past the end of a source that funds it (1)" in lines
    [cliff] = [line for line in lines if line.startswith("| a2 ") and "Federal prevention grant" in line]
    assert [c.strip() for c in _cells(cliff)[3:]] == [
        "2026-06-30", "Federal prevention grant", "2025-09-30", "24,000.00 USD"
    ]  # fmt: skip
    dependent = [_cells(line)[0].strip() for line in lines if line.startswith("| riverton/") and "100%" in line]
    assert dependent == ["riverton/a7", "riverton/a4"]
    assert "#### Sources ending by 2025-12-01 (6 months)" in lines
    [ending] = [line for line in lines if line.startswith("| Federal prevention grant ") and "121" in line]
    assert [c.strip() for c in _cells(ending)[1:]] == ["2025-09-30", "121", "25,000.00 USD", "2", "1"]
