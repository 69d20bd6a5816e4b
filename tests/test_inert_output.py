"""User text is inert in every output of the command line, and in the Markdown report.

Any field a person fills in may hold terminal escape sequences (OSC 52 writes the
clipboard, ``ESC [2J`` clears the screen), C1 controls, bidirectional overrides
that make a line read backwards, or zero-width characters that hide a difference.
Every read command is run here with such text in every user-text field, and its
output must carry none of those characters raw. The commands are listed from the
Typer app itself, so a new command fails here until it is given its arguments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.funding_plans import seed_funding
from tests.tracking import CONVENE, seeded
from tracker.cli.main import app
from tracker.db import write_session
from tracker.exports.markdown import md_text
from tracker.models.enums import Status
from tracker.services.access.keys import add_key
from tracker.services.access.members import find_member
from tracker.services.plan.items import edit_item
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.changes import record_measurement
from tracker.services.tracking.undo import undo

OSC52 = "\x1b]52;c;cHduZWQ=\x07"
HOSTILE = (
    f"{OSC52}\x1b[2J\u202egnp.exe\u2066i\u2069 z\u200bw\u200c\u200d\u2060\ufeff c1\x85\x9b "
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u2067\u2068"
)
# Fields of at most 100 characters get the escapes without the links (PostgreSQL enforces the length).
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBaslWOCtpVIGMj7PAmzDZygmnUKzCPiP1CCI+R5cvsV maria@laptop"
LINKS = " https://evil.example www.evil.example user@evil.example"

# Every field a person types, table by table.
USER_TEXT = {
    "framework": ("title", "city", "state", "description", "meeting_place"),
    "stakeholder": ("name", "description"),
    "member": ("name", "email"),
    "funding_source": ("name", "reference", "notes"),
    "workshop": ("title", "location"),
    "finding": ("text",),
    "finding_translation": ("text",),
    "goal": ("title", "description"),
    "objective": ("title", "description"),
    "action": ("title", "description"),
    "indicator": ("name", "unit", "description"),
    "action_note": ("text",),
    "measurement": ("note",),
    "status_change": ("note",),
    "plan_change": ("old", "new"),
    "note_retraction": ("reason",),
    "member_key": ("comment",),
}
SHORT = {("framework", "state"), ("indicator", "unit")}
# Text columns that are not free text: keys, logins and codes the plan reader validates,
# and the import log (not shown by any read command).
# db_role: a login checked against role-name rules, as login is.
NOT_USER_TEXT = {
    "key",
    "login",
    "db_role",
    "country",
    "currency",
    "lang",
    "meeting_rule",
    "field",
    "item_kind",
    "actor",
    "sources",
    "summary",
    # an SSH key's type, base64 blob and fingerprint: checked by tracker.sshkeys
    "key_type",
    "key_data",
    "fingerprint",
    "via_key",  # a key's fingerprint too, written by a team-server session's connection (tracker.db.via_key)
    # import-updates: "member:LOGIN" or "stakeholder:KEY", and "EXPORT-UUID/ROW-ID", both checked
    # against those forms before they are stored (tracker.services.tracking.update_files)
    "on_behalf_of",
    "import_key",
}

# Raw in the output, any of these acts on a terminal or hides what the text says.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")

FW = "riverton"
REF = "riverton/a2"

# Each read command and the arguments it needs; --json and --csv variants are added from
# its options. A command that writes, or reads no database, is listed in NOT_READS.
READS: dict[str, list[list[str]]] = {
    "actions list": [["--limit", "1000"]],
    "actions show": [[REF], [CONVENE]],
    "actions history": [[REF], [CONVENE]],
    "funding gaps": [["--by", by] for by in ("action", "objective", "goal", "framework", "year")],
    "funding sources": [[], ["-f", FW]],
    "funding risks": [["--months", "600", "--share", "0.1"]],
    "coverage": [[]],
    "summary": [[]],
    "report": [["-f", FW], ["-f", "stamford-ct"]],
    "export": [
        ["-F", "plan", "-f", "lakeside"],
        ["-F", "plan", "-f", "stamford-ct"],
        ["-F", "json"],
        ["-F", "csv"],
        ["-F", "ics"],
    ],
    "db current": [[]],
    "admin list": [[]],
    "member list": [[], ["--json"]],
    "member key list": [[]],
    "goals show": [["stamford-ct/g1"], [f"{FW}/g1"]],
    "objectives show": [["stamford-ct/g1-o1"], [f"{FW}/o1"]],
    "indicators show": [["stamford-ct/meetings"]],
    "funding source-show": [["dhs-cp3"], ["city-budget"]],
}
NOT_READS = {
    "db upgrade": "writes the schema",
    "db backup": "copies the database to a file; prints its path and size (tests/test_db_backup.py)",
    "validate": "reads plan files, not the database (tests/test_hostile_input.py)",
    "seed": "writes",
    "import-updates": "writes; its report goes through output.say like every message (tests/test_import_updates.py)",
    "demo": "builds its own database from the bundled plans",
    "actions set-status": "writes",
    "actions note": "writes",
    "undo": "writes (its --dry-run reads: tests/test_undo.py)",
    "actions add": "writes",
    "actions edit": "writes",
    "actions move": "writes",
    "actions cancel": "writes",
    "actions delete": "writes",
    "indicators record": "writes",
    "indicators add": "writes",
    "indicators edit": "writes",
    "goals add": "writes",
    "goals edit": "writes",
    "objectives add": "writes",
    "objectives edit": "writes",
    "funding source-add": "writes",
    "funding source-edit": "writes",
    "funding allocate": "writes",
    "funding unallocate": "writes",
    "member add": "writes",
    "member set-role": "writes",
    "member edit": "writes",
    "member remove": "writes",
    "admin add": "writes",
    "admin remove": "writes",
    "member key add": "writes",
    "member key remove": "writes",
    "server setup": "writes sshd's files (tests/test_team_server.py)",
    "server check": "checks files, prints only paths it was given (tests/test_team_server.py)",
    "server authorized-keys": "prints a login and a fingerprint, both checked (tests/test_team_server.py)",
    "ssh-session": "runs the other commands (tests/test_ssh_session.py)",
    "export -F xlsx": "binary, refused on a terminal (tests/test_hostile_text.py reads its cells)",
    "requests": "writes .eml files to a folder or a zip (tests/test_requests.py parses them back, hostile text too)",
    "publish": "writes a folder or a zip of HTML; tests/test_publish.py parses it for raw markup",
}


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    if hasattr(command, "commands"):  # a group of commands
        for name, sub in command.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield " ".join(path), command


def _runs() -> Iterator[list[str]]:
    """Every read command with each set of arguments, and again with --json and --csv."""
    for name, command in _leaves(typer.main.get_command(app)):
        if name in NOT_READS:
            continue
        assert name in READS, f"`tracker {name}` is new: add it to READS (with its arguments) or NOT_READS"
        flags = {opt for p in command.params for opt in p.opts}
        for args in READS[name]:
            yield [*name.split(), *args]
            for flag in ("--json", "--csv"):
                if flag in flags:
                    yield [*name.split(), *args, flag]


def test_every_free_text_column_is_made_hostile() -> None:
    """A new free-text column (a stakeholder's contact, say) is seeded hostile below, or the
    read-command test would not notice a command that prints it raw."""
    from sqlmodel import SQLModel

    import tracker.models  # noqa: F401  (every table in the metadata)

    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            kind = getattr(column.type, "impl", column.type)
            text = isinstance(kind, sa.String) and not isinstance(column.type, sa.Enum)
            if text and column.name not in NOT_USER_TEXT:
                assert column.name in USER_TEXT.get(table.name, ()), f"add {table.name}.{column.name} to USER_TEXT"


def _hostile(engine: Engine) -> None:
    """The plans of the funding and tracking tests, history included, with every
    user-text field made hostile."""
    seeded(engine)
    seed_funding(engine)
    with write_session(engine) as session:
        coord = find_member(session, "coord")
        assert coord is not None
        tracking.add_note(session=session, actor=coord, ref=CONVENE, text="a note taken back")
        undo(session=session, actor=coord, ref=CONVENE)  # retracted: its text is in the history
        tracking.add_note(session=session, actor=coord, ref=CONVENE, text="note")
        tracking.set_status(session=session, actor=coord, ref=CONVENE, status=Status.in_progress, note="moved")
        record_measurement(session=session, actor=coord, ref="stamford-ct/meetings", value="3", on=None, note="n")
        add_key(session, actor=coord, login="domus", text=PUBLIC_KEY, source="key")
        # An edit of each kind shown with its history, so the history's text is made hostile too.
        for kind, ref, changes in (
            ("goal", "stamford-ct/g1", {"title": "Coordinate"}),
            ("objective", "stamford-ct/g1-o1", {"title": "A group"}),
            ("indicator", "stamford-ct/meetings", {"name": "Meetings"}),
            ("source", "dhs-cp3", {"name": "DHS"}),
        ):
            edit_item(session=session, actor=coord, kind_name=kind, ref=ref, changes=changes)
    with engine.begin() as conn:
        for table, columns in USER_TEXT.items():
            for column in columns:
                text = HOSTILE if (table, column) in SHORT else HOSTILE + LINKS
                conn.execute(sa.text(f"UPDATE {table} SET {column} = :h || COALESCE({column}, '')"), {"h": text})


@pytest.fixture
def hostile_db(db_url: str, engine: Engine) -> str:
    _hostile(engine)
    return db_url


def test_every_read_command_keeps_hostile_text_inert(hostile_db: str) -> None:
    """No read command lets a name, title, note or finding write the user's clipboard,
    clear their screen, reorder a line with a bidi override or hide a zero-width character:
    `tracker funding sources` in tmux, `tracker funding gaps --by goal`, `... --json | cat`."""
    ran = 0
    for args in _runs():
        result = tracker("--db", hostile_db, *args, env={"COLUMNS": "400"})
        assert result.code == 0, (args, result.err)
        for stream, text in (("stdout", result.out), ("stderr", result.err)):
            raw = RAW.search(text)
            assert raw is None, f"`tracker {' '.join(args)}` writes {raw.group()!r} raw to {stream}"  # type: ignore[union-attr]
        ran += 1
    assert ran > 30


def test_the_tables_show_hostile_text_as_symbols(hostile_db: str) -> None:
    """A hostile source name or goal title is shown, as symbols the reader can see,
    not dropped: the coordinator must see that something odd was typed."""
    sources = tracker("--db", hostile_db, "funding", "sources", env={"COLUMNS": "400"}).out
    assert "␛]52;c;cHduZWQ=␇" in sources
    goals = tracker("--db", hostile_db, "funding", "gaps", "--by", "goal", env={"COLUMNS": "400"}).out
    assert "␛]52;c;cHduZWQ=␇␛[2J" in goals  # the title column is cut after that
    shown = tracker("--db", hostile_db, "actions", "show", REF, env={"COLUMNS": "400"}).out
    assert "⟨U+202E⟩gnp.exe⟨U+2066⟩i⟨U+2069⟩ z⟨U+200B⟩w" in shown and "c1��" in shown


def test_json_escapes_what_a_terminal_would_act_on_and_reads_back_exactly(hostile_db: str) -> None:
    """`--json | cat` in a terminal is inert (C1 controls, bidi and zero-width characters are
    written as \\u escapes), and a script still reads back exactly what was typed."""
    out = tracker("--db", hostile_db, "actions", "show", REF, "--json").out
    assert "\\u0085" in out and "\\u202e" in out and "\\u200b" in out
    title = json.loads(out)["row"]["title"]
    assert title.startswith(HOSTILE + LINKS)
    full = tracker("--db", hostile_db, "export", "-F", "json").out
    assert RAW.search(full) is None
    names = [s["name"] for f in json.loads(full)["frameworks"] for s in f["plan"]["funding_sources"]]
    assert names and all(n.startswith(HOSTILE + LINKS) for n in names)


def test_no_command_prints_or_builds_a_table_by_itself() -> None:
    """Every command writes through tracker/cli/output.py: a command that printed, or built a
    Rich table or Text, by itself would be the one that lets a hostile title act on a terminal."""
    import tracker.cli

    forbidden = re.compile(r"typer\.echo\(|\bprint\(|Console\(|\bTable\(|\bText\(|sys\.std(out|err)\.write")
    folder = Path(tracker.cli.__file__).parent
    for path in sorted(folder.glob("*.py")):
        if path.name == "output.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not forbidden.search(line), f"tracker/cli/{path.name}:{n} writes by itself: {line.strip()}"


# GitHub-like Markdown with linkify (linkify-it-py): bare URLs, www. and addresses become links.
LINKIFY = MarkdownIt("gfm-like")


def _tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


def _links(markdown: str) -> list[str]:
    return [str(t.attrs.get("href")) for t in _tokens(LINKIFY.parse(markdown)) if t.type == "link_open"]


def test_the_report_makes_no_link_of_user_text(hostile_db: str) -> None:
    """A URL or address typed in a title, note, name or finding stays text when the report
    is rendered on GitHub or by any linkify renderer: the leadership group gets no link that
    someone planted, and the text still reads the same."""
    for framework in (FW, "stamford-ct"):
        report = tracker("--db", hostile_db, "report", "-f", framework).out
        assert _links(report) == [], framework
        words = "".join(t.content for t in _tokens(LINKIFY.parse(report)) if t.type == "text")
        assert LINKS.strip() in words


urlish = st.lists(
    st.sampled_from(
        ["https://", "http://", "ftp://", "//", "///", "www.", "WWW.", "evil", ".example", ".com", ".рф", "пример",
         "@", "user", "mailto:", " ", ".", "/", ":", "x", "3", "_", "-", "e.g.", "localhost", ":8080"]
    ),
    max_size=12,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(urlish)
# Found by a random search: a domain whose last label is not Latin, or that a '_' follows.
@example("3x.рф_@")
@example("e.g.3localhost.com_  mailto:http://@")
@example("user.рф__.@@@evil")
@example("user.рф_.com-. e.g.https://userhttps://")
def test_no_text_becomes_a_link(text: str) -> None:
    """Whatever URL, domain or address a member types, md_text gives text a linkify renderer
    leaves alone, and that reads as what was typed."""
    escaped = md_text(text)
    assert _links(escaped) == [], escaped
    tokens = LINKIFY.parse(escaped)
    shown = "".join(t.content for t in _tokens(tokens) if t.type == "text")
    assert shown == " ".join(text.split()), escaped
