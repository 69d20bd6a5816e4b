"""Reads are scoped: a login sees the frameworks it belongs to (admins see all).

Two frameworks share an organisation and a funding source. Everything of the
second one (key, titles, notes, its own organisation and source) says "bravo",
everything of the first one "stamford", so a leak shows as a word in the output.
Every command of the CLI is either a read, checked here as every kind of login,
or named in `NOT_READS` with why: a new command fails `test_every_command_is_classified`
until someone decides what it shows to whom.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from sqlalchemy.engine import Engine

from tests.cli import Result, tracker
from tests.conftest import ADMIN, _empty_database
from tests.plans import with_change
from tests.tui import open_app, settle
from tracker.cli.main import app as cli_app
from tracker.db import make_engine, write_session
from tracker.models import Member
from tracker.models.types import utcnow

A, B = "stamford-ct", "bravo-town"
A_ACTION, B_ACTION = f"{A}/convene", f"{B}/bravo-patrol"
# What only the first framework's readers may see, and only the second's.
MARK = {A: "stamford", B: "bravo"}

# A: the small test plan, with a source of its own; it shares domus-kids and dhs-cp3 with B.
PLAN_A = with_change(
    "funding: [{source: dhs-cp3, amount: 10000, fiscal_year: 2025}]",
    "funding: [{source: dhs-cp3, amount: 10000, fiscal_year: 2025},"
    " {source: stamford-fund, amount: 1000, fiscal_year: 2025}]",
    with_change(
        "workshops:",
        "  - {key: stamford-fund, name: Stamford Community Fund, kind: foundation, amount: 5000, currency: USD}\n"
        "workshops:",
    ),
)
PLAN_B = """\
framework:
  key: bravo-town
  city: Bravoville
  state: NY
  country: US
  title: Bravo prevention framework
  stage: draft
  starts: 2025-01
  near_term_months: 6
  mid_term_months: 24
stakeholders:
  - {key: domus-kids, name: Domus Kids, sector: non_profit}
  - {key: bravo-police, name: Bravo Police Department, sector: law_enforcement}
funding_sources:
  - key: dhs-cp3
    name: DHS Center for Prevention Programs and Partnerships
    kind: federal_grant
    reference: DHS-23-TTP-132-00-01
    amount: 50000
    currency: USD
    starts: 2023-10-01
    ends: 2025-09-30
  - {key: bravo-fund, name: Bravo Foundation Fund, kind: foundation, amount: 30000, currency: USD}
workshops:
  - key: "2025-01-15"
    title: Bravo listening session
    held_on: 2025-01-15
    participants: [domus-kids, bravo-police]
    findings:
      - {key: f1, text: Bravo residents want a youth patrol alternative.}
      - {key: f2, text: Bravo schools lack a reporting line.}
goals:
  - key: g1
    title: Bravo goal of safer streets
    findings: [2025-01-15/f1]
    objectives:
      - key: g1-o1
        title: Bravo objective of outreach
        indicators:
          - {key: bravo-contacts, name: Bravo outreach contacts, unit: contacts, baseline: 0, target: 100,
             target_date: 2026-06, direction: increase}
        actions:
          - key: bravo-patrol
            title: Bravo youth patrol alternative
            horizon: near_term
            lead: bravo-police
            partners: [domus-kids]
            status: planned
            starts: 2025-03
            due: 2026-06-30
            cost: 20000
            findings: [2025-01-15/f1]
            funding:
              - {source: dhs-cp3, amount: 5000, fiscal_year: 2025}
              - {source: bravo-fund, amount: 10000, fiscal_year: 2026}
          - key: bravo-line
            title: Bravo school reporting line
            lead: domus-kids
            due: 2026-03
            cost: 8000
"""

ADMIN_LOGIN = "boss"
# login -> the framework it reads (None: not a member of any)
READERS = {"viewer-a": A, "member-a": A, "member-b": B, "coord-b": B}
OUTSIDERS = ("no-role", "stranger")  # a member row without a membership; a login without a row


@dataclass(frozen=True)
class Read:
    """A read command: ``mine`` as a reader of {fw} runs it (no framework named when the
    command allows it); ``other`` names the other framework {other} explicitly."""

    mine: tuple[str, ...]
    other: tuple[str, ...] | None
    data: bool = True  # False: shows no framework's data (admin list)


READS: dict[tuple[str, ...], Read] = {
    ("summary",): Read(("summary", "--json"), ("summary", "-f", "{other}")),
    ("coverage",): Read(("coverage", "--json"), ("coverage", "-f", "{other}")),
    ("report",): Read(("report", "-f", "{fw}", "--since", "2020-01-01"), ("report", "-f", "{other}")),
    ("requests",): Read(("requests", "-f", "{fw}", "-o", "{out}", "--json"), ("requests", "-f", "{other}", "-o", "-")),
    ("export",): Read(("export", "-F", "json"), ("export", "-F", "json", "-f", "{other}")),
    ("funding", "gaps"): Read(("funding", "gaps", "--json"), ("funding", "gaps", "-f", "{other}")),
    ("funding", "sources"): Read(("funding", "sources", "--json"), ("funding", "sources", "-f", "{other}")),
    ("funding", "risks"): Read(("funding", "risks", "--json"), ("funding", "risks", "-f", "{other}")),
    ("actions", "list"): Read(("actions", "list", "--json"), ("actions", "list", "-f", "{other}")),
    ("actions", "show"): Read(("actions", "show", "{action}", "--json"), ("actions", "show", "{other_action}")),
    ("actions", "history"): Read(("actions", "history", "{action}"), ("actions", "history", "{other_action}")),
    ("admin", "list"): Read(("admin", "list"), None, data=False),
    ("member", "list"): Read(("member", "list", "--json"), ("member", "list", "-f", "{other}")),
    ("member", "key", "list"): Read(
        ("member", "key", "list", "--json"), ("member", "key", "list", "-f", "{other}"), data=False
    ),
    ("goals", "show"): Read(("goals", "show", "{goal}", "--json"), ("goals", "show", "{other_goal}")),
    ("objectives", "show"): Read(("objectives", "show", "{objective}"), ("objectives", "show", "{other_objective}")),
    ("indicators", "show"): Read(("indicators", "show", "{indicator}"), ("indicators", "show", "{other_indicator}")),
    # A source belongs to no framework: shown to readers of a framework it pays for.
    ("funding", "source-show"): Read(("funding", "source-show", "{source}", "--json"), None),
}
# Other shapes of the same commands, where a different path reads the data.
MORE_READS: list[tuple[str, ...]] = [
    ("summary",),
    ("coverage",),
    ("export", "-F", "csv"),
    ("export", "-F", "ics"),
    ("export", "-F", "plan", "-f", "{fw}"),
    ("funding", "gaps", "--by", "objective", "--json"),
    ("funding", "gaps", "--by", "goal", "--json"),
    ("funding", "gaps", "--by", "framework", "--json"),
    ("funding", "gaps", "--by", "year", "--json"),
    ("funding", "sources"),
    ("funding", "risks", "--months", "600"),
    ("actions", "list", "--search", "o"),
    ("actions", "list", "--stakeholder", "domus-kids", "--csv"),
    ("actions", "history", "{action}", "--json"),
]
NOT_READS = {
    ("publish",): "coordinators of the framework and admins only; anyone else exit 4 (tests/test_publish.py)",
    ("validate",): "checks plan files; opens no database",
    ("seed",): "a write (admins and coordinators; scoped by the write rules)",
    ("demo",): "builds a fresh demo database whose maker is its admin",
    ("db", "upgrade"): "migrates the schema; reads no framework",
    ("db", "current"): "says the schema revision; reads no framework",
    ("db", "backup"): "copies the whole database, for an admin only (tests/test_db_backup.py)",
    ("actions", "set-status"): "a write, refused by the tracking rules",
    ("actions", "note"): "a write, refused by the tracking rules",
    ("import-updates",): "writes workbook rows through set-status, note and record, each refused by the tracking rules",
    ("actions", "add"): "a write, refused by the coordinator rule",
    ("actions", "edit"): "a write, refused by the coordinator rule",
    ("actions", "move"): "a write, refused by the coordinator rule",
    ("actions", "cancel"): "a write, refused by the coordinator rule",
    ("actions", "delete"): "a write, refused by the coordinator rule",
    ("indicators", "record"): "a write, refused by the tracking rules",
    ("member", "add"): "a write, refused by the grant rules",
    ("member", "set-role"): "a write, refused by the grant rules",
    ("member", "edit"): "a write, refused by the rules for a member's details (tests/test_member_details.py)",
    ("member", "remove"): "a write, refused by the grant rules",
    ("admin", "add"): "a write, admins only",
    ("admin", "remove"): "a write, admins only",
    ("undo",): "a write, of the member's own last change; --dry-run reads only their own changes where they write",
    ("member", "key", "add"): "a write, refused by the key rules",
    ("member", "key", "remove"): "a write, refused by the key rules",
    ("server", "setup"): "writes sshd's files; reads no framework",
    ("server", "check"): "checks files; reads no framework",
    ("server", "authorized-keys"): "prints a key's login and fingerprint for sshd; reads no framework",
    ("ssh-session",): "runs the other commands as the key's member (tests/test_ssh_session.py)",
    ("goals", "add"): "a write, refused by the coordinator rule",
    ("goals", "edit"): "a write, refused by the coordinator rule",
    ("objectives", "add"): "a write, refused by the coordinator rule",
    ("objectives", "edit"): "a write, refused by the coordinator rule",
    ("indicators", "add"): "a write, refused by the coordinator rule",
    ("indicators", "edit"): "a write, refused by the coordinator rule",
    ("funding", "source-add"): "a write, refused by the funding source rule",
    ("funding", "source-edit"): "a write, refused by the funding source rule",
    ("funding", "allocate"): "a write, refused by the coordinator rule",
    ("funding", "unallocate"): "a write, refused by the coordinator rule",
}


def _commands() -> set[tuple[str, ...]]:
    def walk(command: object, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            yield path
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))

    return set(walk(typer.main.get_command(cli_app), ()))


@dataclass(frozen=True)
class Shared:
    url: str
    tmp: Path

    def run(self, login: str, *args: str) -> Result:
        # {out}: a folder for commands that write their documents into one (requests)
        args = tuple(str(self.tmp / "out") if a == "{out}" else a for a in args)
        return tracker("--db", self.url, "--as", login, *args)


def _must(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, pg_template: str | None) -> Iterator[Shared]:
    """Two frameworks and a login of every kind, set up through the CLI by the admin."""
    tmp = tmp_path_factory.mktemp("scope")
    with _empty_database(tmp, pg_template, "scope") as url:
        (tmp / "a.yaml").write_text(PLAN_A)
        (tmp / "b.yaml").write_text(PLAN_B)
        boss = Shared(url, tmp)
        _must(boss.run(ADMIN, "seed", str(tmp / "a.yaml"), str(tmp / "b.yaml")))
        _must(boss.run(ADMIN, "admin", "add", ADMIN_LOGIN))
        _must(boss.run(ADMIN_LOGIN, "member", "add", "viewer-a", "--role", "viewer", "-f", A))
        _must(boss.run(ADMIN_LOGIN, "member", "add", "member-a", "--role", "member", "-f", A, "-s", "city-of-stamford"))
        _must(boss.run(ADMIN_LOGIN, "member", "add", "coord-b", "--role", "coordinator", "-f", B))
        _must(boss.run("coord-b", "member", "add", "member-b", "--role", "member", "-f", B, "-s", "bravo-police"))
        _must(boss.run("member-a", "actions", "set-status", A_ACTION, "in_progress", "-m", "Stamford hall booked"))
        _must(boss.run("coord-b", "actions", "set-status", B_ACTION, "blocked", "-m", "Bravo chief said no"))
        _must(boss.run("coord-b", "actions", "note", B_ACTION, "Bravo budget secret"))
        _must(boss.run("coord-b", "indicators", "record", f"{B}/bravo-contacts", "12", "-m", "Bravo count"))
        engine = make_engine(url)
        with write_session(engine) as session:
            session.execute(sa.insert(Member.__table__).values(login="no-role", created_at=utcnow()))  # type: ignore[attr-defined]
        engine.dispose()
        yield boss


def _args(args: tuple[str, ...], fw: str) -> list[str]:
    other = B if fw == A else A
    indicator = {A: f"{A}/meetings", B: f"{B}/bravo-contacts"}
    fill = {
        "{fw}": fw,
        "{other}": other,
        "{action}": A_ACTION if fw == A else B_ACTION,
        "{other_action}": B_ACTION if fw == A else A_ACTION,
        "{goal}": f"{fw}/g1",
        "{other_goal}": f"{other}/g1",
        "{objective}": f"{fw}/g1-o1",
        "{other_objective}": f"{other}/g1-o1",
        "{indicator}": indicator[fw],
        "{other_indicator}": indicator[other],
        "{source}": {A: "stamford-fund", B: "bravo-fund"}[fw],
    }
    return [fill.get(a, a) for a in args]


def _seen(shared: Shared, login: str, args: list[str]) -> str:
    """What ``login`` is shown, in lower case (the workbook is read cell by cell)."""
    result = shared.run(login, *args)
    assert result.code == 0, (login, args, result.err)
    return result.out.lower()


def test_every_command_is_classified() -> None:
    """A new command that reads framework data and is not checked here could show one city's
    notes to another city's members; it must be added to READS (or NOT_READS, saying why)."""
    unclassified = _commands() - set(READS) - set(NOT_READS)
    assert not unclassified, f"add these commands to READS or NOT_READS: {sorted(unclassified)}"
    gone = (set(READS) | set(NOT_READS)) - _commands()
    assert not gone, f"these commands no longer exist: {sorted(gone)}"


@pytest.mark.parametrize("command", sorted(READS), ids=" ".join)
def test_readers_see_their_framework_only(shared: Shared, command: tuple[str, ...]) -> None:
    """A viewer, member or coordinator of one city's framework who lists, shows, reports on or
    exports would otherwise read the other city's titles, notes and keys."""
    read = READS[command]
    for login, fw in READERS.items():
        out = _seen(shared, login, _args(read.mine, fw))
        other = B if fw == A else A
        if read.data:
            assert MARK[fw] in out, (login, command)
        assert MARK[other] not in out, (login, command, out)
        assert other not in out, (login, command)


@pytest.mark.parametrize("command", sorted(READS), ids=" ".join)
def test_the_admin_sees_every_framework(shared: Shared, command: tuple[str, ...]) -> None:
    """An admin (and the login that made the database) keeps seeing every city's plan."""
    read = READS[command]
    for login in (ADMIN_LOGIN, ADMIN):
        seen = ""
        for fw in (A, B):
            result = shared.run(login, *_args(read.mine, fw))
            assert result.code == 0, (login, command, result.err)
            seen += result.out.lower()
        if read.data:
            assert MARK[A] in seen and MARK[B] in seen, (login, command)


@pytest.mark.parametrize("command", sorted(READS), ids=" ".join)
def test_a_login_that_is_not_a_member_reads_nothing(shared: Shared, command: tuple[str, ...]) -> None:
    """On a shared server, anyone with an account would otherwise get a read-only view of
    every city's plan and notes: they are refused (exit 4) and shown no data."""
    read = READS[command]
    for login in OUTSIDERS:
        result = shared.run(login, *_args(read.mine, A))
        assert result.code == 4, (login, command, result.out, result.err)
        assert result.out == "", (login, command)
        assert "member" in result.err, result.err


@pytest.mark.parametrize("command", sorted(c for c, r in READS.items() if r.other), ids=" ".join)
def test_naming_another_framework_is_refused(shared: Shared, command: tuple[str, ...]) -> None:
    """Asking by key for a city one does not belong to (`-f KEY`, `actions show KEY/...`)
    would hand over that city's plan; it is refused with exit 4 and nothing on stdout."""
    read = READS[command]
    assert read.other is not None
    for login, fw in READERS.items():
        result = shared.run(login, *_args(read.other, fw))
        assert result.code == 4, (login, command, result.out, result.err)
        assert result.out == "", (login, command)
        assert "cannot see" in result.err, result.err


@pytest.mark.parametrize("args", MORE_READS, ids=" ".join)
def test_other_shapes_of_the_reads_are_scoped_too(shared: Shared, args: tuple[str, ...]) -> None:
    """The other outputs (CSV, calendar, plan file, every gap level, text tables) read the
    same data by other paths; none of them may show the other city's rows."""
    for login, fw in READERS.items():
        other = B if fw == A else A
        out = _seen(shared, login, _args(args, fw))
        assert MARK[other] not in out and other not in out, (login, args, out)
    seen = _seen(shared, ADMIN_LOGIN, _args(args, A)) + _seen(shared, ADMIN_LOGIN, _args(args, B))
    assert MARK[A] in seen and MARK[B] in seen, args  # the admin's reads are not narrowed


def test_the_workbook_holds_the_readers_framework_only(shared: Shared) -> None:
    """The coordinator's workbook (every sheet) is for the reader's city only."""
    from openpyxl import load_workbook

    for login, fw in (*READERS.items(), (ADMIN_LOGIN, None)):
        path = shared.tmp / f"{login}.xlsx"
        _must(shared.run(login, "export", "-F", "xlsx", "-o", str(path)))
        workbook = load_workbook(path, read_only=True)
        try:
            cells = " ".join(
                str(value).lower()
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            )
        finally:
            workbook.close()  # a read-only workbook keeps its file open until closed
        if fw is None:
            assert MARK[A] in cells and MARK[B] in cells
        else:
            other = B if fw == A else A
            assert MARK[fw] in cells and MARK[other] not in cells, login


def test_shared_organisations_and_sources_are_seen_through_ones_framework(shared: Shared) -> None:
    """An organisation or funding source that both cities use is shown to each, with the
    source's own totals; one only the other city uses is not shown at all."""
    import json

    sources = json.loads(_must(shared.run("member-a", "funding", "sources", "--json")).out)["sources"]
    assert {s["key"] for s in sources} == {"dhs-cp3", "stamford-fund"}
    [shared_source] = [s for s in sources if s["key"] == "dhs-cp3"]
    assert shared_source["allocated"] == "15000.00"  # the source's balance: its total, not a city's rows
    actions = json.loads(_must(shared.run("member-b", "actions", "list", "-s", "domus-kids", "--json")).out)
    assert {a["ref"] for a in actions["actions"]} == {B_ACTION, f"{B}/bravo-line"}


# -- the app -----------------------------------------------------------------------------------


@pytest.fixture
def scoped_engine(shared: Shared) -> Iterator[Engine]:
    engine = make_engine(shared.url)
    yield engine
    engine.dispose()


async def test_the_app_shows_a_member_their_framework_only(scoped_engine: Engine) -> None:
    """A member of one city opening the app would see the other city on the overview and
    its actions in the list; they see their own framework only."""
    from textual.widgets import DataTable

    from tracker.tui.widgets.action_list import ActionList

    app = open_app(scoped_engine, "member-a")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#frameworks", DataTable)
        rows = " ".join(str(cell) for i in range(table.row_count) for cell in table.get_row_at(i)).lower()
        assert MARK[A] in rows and MARK[B] not in rows
        await pilot.press("a")
        await settle(app, pilot)
        actions = app.screen.query_one(ActionList)
        refs = [row.ref for i in range(actions.total) if (row := actions.row_at(i)) is not None]
        assert refs and all(ref.startswith(f"{A}/") for ref in refs), refs


async def test_the_command_palette_finds_a_members_framework_only(scoped_engine: Engine) -> None:
    """Typing in the command palette would list the other city's framework, organisations and
    actions (searched in SQL); it finds only what the member's framework holds."""
    from textual.command import CommandList, CommandPalette

    app = open_app(scoped_engine, "member-a")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)

        async def found(text: str) -> str:
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*text)
            await settle(app, pilot)
            for _ in range(20):  # the palette searches in the background
                await pilot.pause(0.05)
            options = app.screen.query_one(CommandList)
            shown = " ".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
            await pilot.press("escape")
            await pilot.pause()
            return shown.lower()

        assert "bravo" not in await found("bravo")
        assert "bravo" not in await found("go: stakeholder")
        assert "bravo" not in await found("scope:")
        assert MARK[A] in await found("scope:")
        assert "convene" in await found("convene")


async def test_every_screen_of_the_app_shows_a_member_their_framework_only(scoped_engine: Engine) -> None:
    """The plan, funding, stakeholders and activity screens read without naming a framework
    (the stakeholders and the activity feed only there): a member of one city would read the
    other city's organisations, gaps and latest notes."""
    import html

    app = open_app(scoped_engine, "member-b")
    async with app.run_test(size=(160, 60)) as pilot:
        for key in "vapfky":
            await pilot.press(key)
            await settle(app, pilot)
            shown = html.unescape(app.export_screenshot()).replace("\xa0", " ").lower()
            assert MARK[A] not in shown and "city of" not in shown, key
        assert "bravo chief said no" in shown  # the activity feed: the member's own city's notes
