"""The coordinator's HTML report (`tracker report --format html`): its charts' numbers against the
funding plan worked out by hand (tests/funding_plans.py), hostile text that stays text, a French
page with none of our English left, its accessibility, and a real browser's view of it."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.browser import DESKTOP, PHONE, distinct_colours, dom, needs_browser, screenshot
from tests.cli import tracker
from tests.funding_plans import RIVERTON, seed_funding
from tracker.db import read_session, write_session
from tracker.models import Action as ActionModel
from tracker.models import Framework, FundingSource, Goal, Stakeholder
from tracker.models.base import table_of
from tracker.models.enums import Status
from tracker.services.access.members import resolve_member
from tracker.services.funding.gaps import gap_rollup
from tracker.services.funding.sources import funding_sources
from tracker.services.reporting.report import ReportData, gather_report
from tracker.services.tracking import changes as tracking
from tracker.web import i18n
from tracker.web.report_html import report_html

# After the federal grant's end (2025-09-30), so that the sources chart shows an ended source.
TODAY = dt.date(2025, 10, 15)
BLOCKED = Status.blocked


class Page(HTMLParser):
    """What a reader and a browser get from a page: its elements and attributes, its
    headings, its tables' cells by table id, and each chart's texts by chart id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, list[str]] = {}
        self._heading: list[str] | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._chart: str | None = None
        self._depth = 0
        self._style = False
        self._hidden = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        self._style = tag == "style"
        self._hidden += tag == "metadata"  # the SVG's machine-readable metadata, never shown
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        elif tag == "table":
            self._table = found.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "svg":
            labelled = (found.get("aria-labelledby") or "").split()
            self._chart = labelled[0].removesuffix("-title") if labelled else "svg"
            self.charts[self._chart] = []
            self._depth = 0
        if self._chart is not None:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag == "metadata"
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), " ".join("".join(self._heading).split())))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        if self._chart is not None:
            self._depth -= 1
            if tag == "svg":
                self._chart = None

    def handle_data(self, data: str) -> None:
        if self._style or self._hidden:  # CSS and metadata, not text
            self._style = False
            return
        self.texts.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._chart is not None and data.strip():
            self.charts[self._chart].append(data.strip())


def _report(engine: Engine, today: dt.date = TODAY) -> ReportData:
    with read_session(engine) as session:
        return gather_report(session, framework=RIVERTON, today=today)


def _body(table: list[list[str]]) -> list[list[str]]:
    return table[1:]  # the first row holds the column headers


def test_progress_by_goal_counts_each_goals_actions_per_status(engine: Engine) -> None:
    """The chart of progress by goal and its table count what the plan holds, so a council reads
    the true state of each goal: g1 has a1 in progress, a2, a3 and a4 planned and a5 done;
    g2 has a6 cancelled and a7 planned."""
    seed_funding(engine)
    data = _report(engine)
    # The service's figures, counted by hand from tests/funding_plans.py.
    assert [(g.key, g.by_status) for g in data.goals] == [
        ("g1", {Status.in_progress: 1, Status.planned: 3, Status.done: 1}),
        ("g2", {Status.cancelled: 1, Status.planned: 1}),
    ]
    page = Page(report_html(data, "en"))
    # columns: goal, done, in progress, planned, blocked, cancelled, all, done (share)
    assert page.tables["figures-progress"][0][1:6] == [
        "● done",
        "◐ in progress",
        "○ planned",
        "✖ blocked",
        "– cancelled",
    ]
    assert _body(page.tables["figures-progress"]) == [
        ["g1: Coordinate prevention", "1", "1", "3", "0", "0", "5", "20%"],  # 1 done of 5 = 20 %
        ["g2: Support young people", "0", "0", "1", "0", "1", "2", "0%"],  # 0 of 2 - 1 cancelled
    ]
    chart = page.charts["chart-progress"]
    assert chart[0] == "Progress by goal"
    assert chart[1] == (
        "Actions of each goal by status. g1: 1 ● done, 1 ◐ in progress, 3 ○ planned; g2: 1 ○ planned, 1 – cancelled"
    )
    # The counts written in the bars: g1's 1, 1, 3 and g2's 1, 1 (matplotlib draws the
    # bottom bar, g2, first); the legend names each status with its symbol.
    drawn = chart[chart.index("g1: Coordinate prevention") + 1 : chart.index("● done")]  # after the axes
    assert drawn == ["1", "1", "1", "3", "1"]  # done g1; in progress g1; planned g2, g1; cancelled g2
    for words in ("● done", "◐ in progress", "○ planned", "✖ blocked", "– cancelled"):
        assert words in chart


def test_the_funding_gap_by_fiscal_year_is_the_services(engine: Engine) -> None:
    """The chart of the gap per fiscal year (July to June) shows what the services compute, worked
    out by hand: the council sees which year is short and by how much."""
    seed_funding(engine)
    data = _report(engine)
    # Spread pro rata by days (tests/funding_plans.py):
    #   FY2025 need a1 6,100*30/61 = 3,000 + a2 54,600*181/546 = 18,100 + a5 5,000 = 26,100;
    #          allocated a1 2,000 + a2 20,000 = 22,000; gap 26,100 - 22,000 = 4,100
    #   FY2026 need a1 3,100 + a2 36,500 = 39,600; allocated 1,000 + 10,000 + 1,000 = 12,000; gap 27,600
    #   FY2027 need a7 12,000; allocated a2 4,000 + a7 15,000 = 19,000; surplus 7,000, no gap
    #   unscheduled need a4 8,000; allocated 0; gap 8,000
    hand = [
        ("FY2025", "26,100.00 USD", "22,000.00 USD", "4,100.00 USD", "0.00 USD"),
        ("FY2026", "39,600.00 USD", "12,000.00 USD", "27,600.00 USD", "0.00 USD"),
        ("FY2027", "12,000.00 USD", "19,000.00 USD", "0.00 USD", "7,000.00 USD"),
        ("unscheduled", "8,000.00 USD", "0.00 USD", "8,000.00 USD", "0.00 USD"),
    ]
    with read_session(engine) as session:
        service = gap_rollup(session, framework=RIVERTON, by="year")
    assert [(r.key, r.cost, r.allocated, r.gap or Decimal(0), r.surplus) for r in service] == [
        (key, *(Decimal(v.removesuffix(" USD").replace(",", "")) for v in values)) for key, *values in hand
    ]
    assert data.funding.years == tuple(service)
    page = Page(report_html(data, "en"))
    rows = _body(page.tables["figures-years"])
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in rows] == hand
    assert [r[1:3] for r in rows] == [
        ["2024-07-01", "2025-06-30"], ["2025-07-01", "2026-06-30"], ["2026-07-01", "2027-06-30"], ["–", "–"]
    ]  # fmt: skip
    chart = page.charts["chart-years"]
    # The bars' labels carry the gaps; the axis names the years.
    assert [t for t in chart if t.startswith("gap ") or t == "no gap"] == [
        "gap 4,100.00 USD", "gap 27,600.00 USD", "no gap", "gap 8,000.00 USD"
    ]  # fmt: skip
    assert {"FY2025", "FY2026", "FY2027", "unscheduled"} <= set(chart)
    assert "FY2026: needed 39,600.00 USD, allocated 12,000.00 USD, gap 27,600.00 USD" in chart[1]


def test_the_sources_over_time_show_amounts_and_the_ended_grant(engine: Engine) -> None:
    """The sources chart draws each source with a period from start to end with its committed,
    allocated and remaining amounts, and marks the federal grant, ended on 2025-09-30, as ended;
    the table beside lists every source, with or without a period."""
    seed_funding(engine)
    data = _report(engine)
    # city-budget: 100,000 committed; allocated a1 2,000 + a2 10,000 + a4 1,000 + a6 500 + a7 15,000
    #   = 28,500 (all Riverton's); remaining 100,000 - 28,500 = 71,500; runs to 2027-06-30.
    # fed-grant: 20,000 committed; allocated a1 1,000 + a2 20,000 + 4,000 = 25,000; remaining
    #   20,000 - 25,000 = -5,000 (over-committed), ended: nothing lapsed.
    # eu-fund: 9,000 EUR; allocated a4 4,000 here + Lakeside's b1 1,000 = 5,000; remaining 4,000; no period.
    # family-fdn: amount unknown, one allocation of unknown amount; no period.
    with read_session(engine) as session:
        service = funding_sources(session, today=TODAY, framework=RIVERTON)
    assert data.funding.sources == tuple(service)
    page = Page(report_html(data, "en"))
    rows = _body(page.tables["figures-sources"])
    assert [r[0] for r in rows] == [s.name for s in service]
    assert rows == [
        ["City of Riverton budget", "local government", "2024-07-01", "2027-06-30", "100,000.00 USD",
         "28,500.00 USD", "28,500.00 USD", "71,500.00 USD", "running"],
        ["European cities fund", "foundation", "–", "–", "9,000.00 EUR", "4,000.00 EUR", "5,000.00 EUR",
         "4,000.00 EUR", "running, no period"],
        ["Family foundation", "foundation", "–", "–", "unknown", "0.00 USD", "0.00 USD", "unknown",
         "running, no period"],
        ["Federal prevention grant", "federal grant", "2024-10-01", "2025-09-30", "20,000.00 USD",
         "25,000.00 USD", "25,000.00 USD", "-5,000.00 USD", "ended, over-committed"],
    ]  # fmt: skip
    chart = page.charts["chart-sources"]
    assert "committed 100,000.00 USD · allocated 28,500.00 USD · remaining 71,500.00 USD" in chart
    assert "committed 20,000.00 USD · allocated 25,000.00 USD · remaining -5,000.00 USD (ended)" in chart
    assert {"City of Riverton budget", "Federal prevention grant", "today"} <= set(chart)
    assert "European cities fund" not in chart  # no period to draw: the table has it


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": '<img src=x onerror="alert(2)">',
    "link": '<a href="javascript:alert(3)">click</a> javascript:alert(4)',
    "controls": "\x1b[31mred\x1b[0m \u202eevil\u200b",
    "braces": "{{ 7*7 }} {% if %} $x$ %(n)s",
}
SHOWN_CONTROLS = "␛[31mred␛[0m ⟨U+202E⟩evil⟨U+200B⟩"


def _hostile_riverton(engine: Engine) -> Engine:
    """Riverton with hostile text in every kind of user text the report shows."""
    seed_funding(engine)
    text = " ".join(HOSTILE.values())
    updates = {
        Framework: (
            "key",
            RIVERTON,
            {"title": "Riverton " + HOSTILE["script"] + HOSTILE["controls"], "meeting_place": HOSTILE["link"]},
        ),
        Goal: ("key", "g1", {"title": text}),
        ActionModel: ("key", "a2", {"title": text}),
        Stakeholder: ("key", "city-of-riverton", {"name": HOSTILE["img"]}),
        FundingSource: ("key", "city-budget", {"name": text}),
    }
    with engine.begin() as conn:
        for model, (column, key, values) in updates.items():
            table = table_of(model)
            conn.execute(sa.update(table).where(table.c[column] == key).values(**values))
    return engine


def _write(engine: Engine, work: object) -> None:
    from tests.conftest import ADMIN

    with write_session(engine) as session:
        work(session, resolve_member(session, ADMIN))  # type: ignore[operator]


def test_hostile_text_never_becomes_markup(engine: Engine) -> None:
    """Titles, names, places and notes full of markup, script, javascript: links, template syntax
    and control characters are shown as the words typed: the page has no script element, no
    event handler, no javascript: link, and no raw control character."""
    _hostile_riverton(engine)
    text = " ".join(HOSTILE.values())
    _write(
        engine,
        lambda s, a: tracking.set_status(session=s, actor=a, ref=f"{RIVERTON}/a1", status=Status.blocked, note=text),
    )
    _write(engine, lambda s, a: tracking.add_note(session=s, actor=a, ref=f"{RIVERTON}/a2", text=text))
    with read_session(engine) as session:
        data = gather_report(session, framework=RIVERTON, today=dt.date.today(), since=dt.date.today())
    for lang in ("en", "fr"):
        html = report_html(data, lang)
        page = Page(html)
        tags = [tag for tag, _ in page.tags]
        assert "script" not in tags and "img" not in tags and "a" not in tags
        for tag, attrs in page.tags:
            assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
            for name in ("href", "src", "xlink:href", "action"):
                assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)
        assert "\x1b" not in html and "\u202e" not in html and "\u200b" not in html
        words = "\n".join(page.texts)
        shown = text.replace(HOSTILE["controls"], SHOWN_CONTROLS)
        assert shown in words  # the goal's, the action's and the source's titles, literally
        assert "49" not in words.split()  # template syntax was not run
        assert page.headings[0][1].startswith("Riverton <script>alert(1)</script>" + SHOWN_CONTROLS)
        # The chart labels are text too: the goal's and the source's names, cut but literal.
        assert any(t.startswith("g1: <script>alert(1)</script>") for t in page.charts["chart-progress"])
        assert any(t.startswith("<script>alert(1)</script>") for t in page.charts["chart-sources"])


USER_COLUMNS = {"title", "name", "key", "city", "state", "country", "text", "note", "unit", "meeting_place", "login"}


def _user_text(engine: Engine) -> set[str]:
    """Every piece of user text in the database: titles, names, keys, places, notes, findings."""
    found: set[str] = set()
    with engine.connect() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        for table in metadata.sorted_tables:
            for column in table.columns:
                if column.name in USER_COLUMNS:
                    found.update(v for v in conn.execute(sa.select(column)).scalars() if isinstance(v, str) and v)
    return found


def test_the_french_report_has_none_of_our_english_left(engine: Engine) -> None:
    """Every string of ours on the French page is French: the catalogue is walked, and no English
    msgid (whole, or the fixed words around its placeholders) is on the page, in its text, its
    tables or its charts."""
    seed_funding(engine)
    _write(
        engine,
        lambda s, a: tracking.set_status(session=s, actor=a, ref=f"{RIVERTON}/a7", status=Status.blocked, note="x"),
    )
    data = _report(engine)
    page = Page(report_html(data, "fr"))
    assert page.tags[0] == ("html", {"lang": "fr"})
    # The plan's own words (titles, names, keys, notes) are the users', in whatever language they
    # wrote them: they are taken out of the page's text first, longest first.
    theirs = [
        re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)")
        for words in sorted(_user_text(engine), key=len, reverse=True)
    ]
    nodes = set()
    for text in page.texts:
        for words in theirs:
            text = words.sub(" ", text)
        if text.strip():
            nodes.add(" ".join(text.split()))
    catalogue = i18n.read_catalogue("fr")
    # A word of both languages ("notes", "source", "actions") says nothing about which one it is.
    french_words = {w for m in catalogue if m.id for w in re.findall(r"\w+", str(m.string))}
    checked = 0
    for message in catalogue:
        english, french = str(message.id), str(message.string)
        if not english or english == french or english in french_words:
            continue
        checked += 1
        fixed = [part.strip() for part in re.split(r"%\(\w+\)s", english) if part.strip()]
        pattern = r"(?<!\w)" + r".*?".join(re.escape(part) for part in fixed) + r"(?!\w)"
        found = [n for n in nodes if re.search(pattern, n)]
        assert not found, f"{english!r} is on the French page: {found[:3]}"
    assert checked > 100
    # And every word left, once the users' words are out, is a word of the French catalogue: a
    # string of ours the catalogue misses (never extracted) would be English here.
    left = {w for n in nodes for w in re.findall(r"[^\W\d_]{2,}", n)} - french_words - {"USD", "EUR", "UTC"}
    assert left == set(), f"words on the French page that are not French: {sorted(left)}"
    shown = {t.strip() for t in page.texts}
    assert "Avancement par objectif général" in shown and "Ex. 2026" in shown
    assert "prévue → bloquée: x" in shown  # the status change's words of ours, in French
    assert "10\u202f000" in page.charts["chart-years"]  # the amounts' axis as French writes numbers


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_report_is_accessible(engine: Engine) -> None:
    """Headings go down one level at a time; every header cell says its scope; every chart is
    an image with a title and a description, followed by a table of its figures; every text
    colour of the page's CSS has a contrast of at least 4.5:1 on its background."""
    seed_funding(engine)
    html = report_html(_report(engine), "en")
    page = Page(html)
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), page.headings
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in page.tags if tag == "th")
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 3 and all(a.get("role") == "img" for a in svgs)
    for chart, table in (("chart-progress", "progress"), ("chart-years", "years"), ("chart-sources", "sources")):
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
        assert html.index(f'id="{chart}-title"') < html.index(f'id="figures-{table}"')
    style = html[html.index("<style>") : html.index("</style>")]
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", style)
    page_background = "#ffffff"
    pairs = []
    for selector, body in rules:
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", body)
        background = re.search(r"background:\s*(#[0-9a-f]{6})", body)
        if colour:
            pairs.append((selector.strip(), colour[1], background[1] if background else page_background))
        elif background:  # text in it is the body's colour
            pairs.append((selector.strip(), "#1a1a1a", background[1]))
    assert len(pairs) >= 5, pairs
    for selector, fg, bg in pairs:
        assert _contrast(fg, bg) >= 4.5, f"{selector}: {fg} on {bg} is {_contrast(fg, bg):.2f}:1"
    assert "@media print" in style and "break-before: page" in style


def test_report_command_writes_html_in_either_language(db_url: str, engine: Engine, tmp_path: Path) -> None:
    """`tracker report --format html` writes the page to -o FILE or to stdout, in English by
    default and in French with --lang fr; --lang with the Markdown report, or an unknown
    language or format, is one sentence and exit 2, and no file appears."""
    seed_funding(engine)
    out = tmp_path / "report.html"
    done = tracker("--db", db_url, "report", "-f", RIVERTON, "--format", "html", "-o", str(out))
    assert done.code == 0 and done.out == "" and str(out) in done.err
    written = out.read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and '<html lang="en">' in written
    assert "Progress by goal" in written
    printed = tracker("--db", db_url, "report", "-f", RIVERTON, "--format", "html", "--lang", "fr")
    assert printed.code == 0 and '<html lang="fr">' in printed.out and "Avancement par objectif général" in printed.out
    for args, message in (
        (["--lang", "fr"], "--lang fr is for the HTML report (add --format html)"),
        (["--format", "html", "--lang", "de"], "'de' is not one of"),
        (["--format", "pdf"], "'pdf' is not one of"),
    ):
        refused = tracker("--db", db_url, "report", "-f", RIVERTON, *args, "-o", str(tmp_path / "x.html"))
        assert refused.code == 2 and message in refused.err, refused.err
        assert "Traceback" not in refused.err and not (tmp_path / "x.html").exists()
    markdown = tracker("--db", db_url, "report", "-f", RIVERTON)
    assert markdown.code == 0 and markdown.out.startswith("# Riverton prevention framework: report of ")


@needs_browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_report_shows_in_a_real_browser(engine: Engine, tmp_path: Path, lang: str) -> None:
    """Chromium draws the report at desktop and phone widths (not a blank page), and its DOM holds
    the report's text and its three charts."""
    seed_funding(engine)
    page = tmp_path / f"report-{lang}.html"
    page.write_text(report_html(_report(engine), lang), encoding="utf-8")
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        png = screenshot(page, tmp_path / f"{lang}-{name}.png", size)
        assert distinct_colours(png) > 10, f"the {name} screenshot is blank"
    shown = dom(page)
    assert f'lang="{lang}"' in shown and shown.count("<svg") == 3
    assert "Riverton prevention framework" in shown and "Federal prevention grant" in shown
    heading = {"en": "Progress by goal", "fr": "Avancement par objectif général"}[lang]
    assert heading in shown


EMPTY = """\
framework: {key: empty, city: Nowhere, country: US, title: An empty framework, stage: draft, starts: 2025-01,
            near_term_months: 6, mid_term_months: 24}
"""


def test_an_empty_plan_has_sentences_instead_of_charts(engine: Engine) -> None:
    """A framework just created (no goal, action or source yet) gets its report: each part says
    in a sentence that there is nothing yet, and no chart is drawn empty."""
    from tests.conftest import ADMIN
    from tracker.seeding import load_text, seed

    seed(engine, [load_text(EMPTY, source="empty.yaml")], actor=ADMIN)
    with read_session(engine) as session:
        data = gather_report(session, framework="empty", today=TODAY)
    page = Page(report_html(data, "fr"))
    assert not page.charts
    texts = {t.strip() for t in page.texts}
    assert "Le plan n’a pas encore d’objectif général." in texts
    assert "Aucune source n’est encore allouée à ce plan." in texts


def test_notes_appear_as_in_the_markdown_report(engine: Engine) -> None:
    """The HTML report is the coordinator's internal report: a note recorded since the day asked
    about is listed under Notes, as in the Markdown report."""
    seed_funding(engine)
    _write(engine, lambda s, a: tracking.add_note(session=s, actor=a, ref=f"{RIVERTON}/a2", text="Lease signed"))
    with read_session(engine) as session:
        data = gather_report(session, framework=RIVERTON, today=dt.date.today(), since=dt.date.today())
    page = Page(report_html(data, "en"))
    assert (3, "Notes (1)") in page.headings
    notes = [t for t in page.tables.values() if any("Lease signed" in c for row in t for c in row)]
    assert len(notes) == 1


def test_a_member_gets_the_html_report_over_ssh(engine: Engine, db_url: str) -> None:
    """`ssh server report -f stamford-ct --format html --lang fr > rapport.html`: the page comes
    on standard output, as the key's member reads the plan; -o is refused there, as for Markdown."""
    from tests.test_ssh_session import KEY, session
    from tests.tracking import seeded

    seeded(engine)  # Stamford, with domus a member of Domus Kids
    assert tracker("--db", db_url, "member", "key", "add", "domus", "-", input=KEY).code == 0
    db = db_url
    result = session(db, "report -f stamford-ct --format html --lang fr")
    assert result.code == 0, result.err
    assert result.out.startswith("<!DOCTYPE html>") and '<html lang="fr">' in result.out
    assert "Avancement par objectif général" in Page(result.out).texts
    refused = session(db, "report -f stamford-ct --format html -o rapport.html")
    assert refused.code == 2 and "would write a file" in refused.err and refused.out == ""
