"""The public progress page (`tracker publish`) and the visibility that decides what it shows.

Run on a real SQLite file and, with TRACKER_TEST_PG, on PostgreSQL; the site is read back
with an HTML parser, never by searching raw markup alone.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import pty
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine

from tests.browser import DESKTOP, PHONE, distinct_colours, dom, needs_browser, screenshot
from tests.cli import tracker, tracker_process
from tests.conftest import admin_login
from tests.tracking import admin
from tracker.db import write_session
from tracker.models.enums import Role
from tracker.seeding import load_text, seed
from tracker.services.access.members import add_member, find_member
from tracker.services.tracking.changes import add_note, record_measurement
from tracker.text import visible_controls
from tracker.web import i18n
from tracker.web import public as web

# A plan whose page can be computed by hand. Public: g1 > o1 (actions a1 done, a2 in
# progress, a3 cancelled, a5 planned; indicator meetings) and g3 > o4 (a8 planned).
# Internal, or public under something internal: everything named INTERNAL or UNDER.
PLAN = r"""
framework:
  key: stamford-ct
  city: Stamford
  state: CT
  country: US
  title: "Stamford <i>framework</i>"
  starts: 2025-01
stakeholders:
  - {key: city-of-stamford, name: City of Stamford, sector: local_government}
  - {key: domus-kids, name: "Domus <b>Kids</b>", sector: non_profit}
  - {key: union-church, name: INTERNAL-ONLY-ORG, sector: faith}
members:
  - {login: omarh, name: Omar Secretname, email: omar@secret.example, role: member, stakeholders: [domus-kids]}
funding_sources:
  - {key: dhs-cp3, name: DHS grant, kind: federal_grant, amount: 50000, currency: USD}
workshops:
  - key: w1
    title: Leadership workshop
    held_on: 2024-12-09
    findings:
      - key: f2
        text: The city should create a working group to coordinate prevention efforts.
        translations: {fr: La ville devrait créer un groupe de travail.}
      - key: f3
        text: "The city should provide mechanisms <script>alert(3)</script> for reporting."
      - key: f4
        text: INTERNAL-FINDING of an internal goal only.
goals:
  - key: g1
    visibility: public
    title: "Public goal <b>bold</b> & \e[31m red"
    description: "<script>alert(1)</script> javascript:alert(2)"
    findings: [w1/f2]
    objectives:
      - key: o1
        visibility: public
        title: A standing working group
        findings: [w1/f3]
        indicators:
          - {key: meetings, visibility: public, name: Meetings held, unit: meetings, baseline: 2, target: 10,
             target_date: 2025-12}
          - {key: secret-indicator, name: INTERNAL-INDICATOR, unit: things}
        actions:
          - {key: a1, visibility: public, title: Convene the group, lead: city-of-stamford, partners: [domus-kids],
             owner: omarh, status: done, due: 2025-06-30, cost: 1000, description: INTERNAL-DESCRIPTION,
             funding: [{source: dhs-cp3, amount: 400, fiscal_year: 2025}]}
          - {key: a2, visibility: public, title: Write the terms, lead: city-of-stamford, status: in_progress,
             due: 2025-06-30, cost: 3000, funding: [{source: dhs-cp3, amount: 1000, fiscal_year: 2025}]}
          - {key: a3, visibility: public, title: A dropped idea, lead: city-of-stamford, status: cancelled,
             due: 2025-06-30, cost: 5000}
          - {key: a4, title: INTERNAL-ACTION, lead: union-church, status: done, due: 2025-06-30, cost: 7000}
          - {key: a5, visibility: public, title: "<a href=\"javascript:alert(4)\">click</a>", lead: city-of-stamford,
             status: planned, due: 2026-06-30}
      - key: o2
        title: INTERNAL-OBJECTIVE
        findings: [w1/f4]
        indicators:
          - {key: under-indicator, visibility: public, name: UNDER-INTERNAL-INDICATOR, unit: things, baseline: 1}
        actions:
          - {key: a6, visibility: public, title: UNDER-INTERNAL-OBJECTIVE, lead: union-church, status: done,
             due: 2025-06-30, cost: 9000}
  - key: g2
    title: INTERNAL-GOAL
    findings: [w1/f4]
    objectives:
      - key: o3
        visibility: public
        title: UNDER-INTERNAL-GOAL
        actions:
          - {key: a7, visibility: public, title: UNDER-INTERNAL-GOAL-ACTION, lead: union-church, due: 2025-06-30}
  - key: g3
    visibility: public
    title: Second public goal
    objectives:
      - key: o4
        visibility: public
        title: Another objective
        actions:
          - {key: a8, visibility: public, title: Map the services, lead: city-of-stamford, status: planned,
             due: 2026-06-30, cost: 2000}
"""

SECRETS = (
    "INTERNAL",
    "UNDER-",
    "Omar",
    "omarh",
    "omar@secret.example",
    "SECRET-NOTE",
    "SECRET-MEASURE",
)


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    with write_session(engine) as session:
        admin(session)
    seed(engine, [load_text(PLAN, source="plan.yaml")], actor=admin_login(engine))
    with write_session(engine) as session:
        me = admin(session)
        add_member(session, actor=me, login="coord", role=Role.coordinator, framework="stamford-ct")
        add_member(
            session, actor=me, login="city", role=Role.member, framework="stamford-ct",
            stakeholders=["city-of-stamford"],
        )  # fmt: skip
        add_member(session, actor=me, login="viewer", role=Role.viewer, framework="stamford-ct")
    with write_session(engine) as session:
        coord = find_member(session, "coord")
        assert coord is not None
        add_note(session=session, actor=coord, ref="stamford-ct/a1", text="SECRET-NOTE <script>x</script>")
        for on, value in ((dt.date(2025, 3, 31), "3"), (dt.date(2025, 6, 30), "5.5")):
            record_measurement(
                session=session, actor=coord, ref="stamford-ct/meetings", value=value, on=on, note="SECRET-MEASURE"
            )
    return db_url


class Page(HTMLParser):
    """A page as a parser sees it: its tags, attributes and text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.texts: list[str] = []
        self.headings: list[int] = []
        self.stack: list[str] = []
        self.cells: list[list[str]] = []  # rows of the tables: header and data cells' text
        self._cell: list[str] | None = None
        self._style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._style = tag == "style"
        self.attrs += [(name, value or "") for name, value in attrs]
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "tr":
            self.cells.append([])
        if tag in ("td", "th") and self.cells:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        self._style = False
        if tag in ("td", "th") and self._cell is not None:
            self.cells[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._style:
            return  # the page's CSS is ours, not text a reader sees
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    def row(self, first: str, width: int | None = None) -> list[str]:
        """The cells of the table row whose first cell is ``first`` (of ``width`` cells)."""
        rows = [r for r in self.cells if r and r[0] == first and width in (None, len(r))]
        assert len(rows) == 1, f"{len(rows)} rows named {first!r}"
        return rows[0]


def _publish(db: str, out: Path, *args: str, login: str = "coord") -> Page:
    result = tracker("--db", db, "--as", login, "publish", "-f", "stamford-ct", "-o", str(out), *args)
    assert result.code == 0, result
    return Page((out / "index.html").read_text(encoding="utf-8"))


def _assert_inert_and_public(page: Page, raw: str) -> None:
    assert not {"script", "a", "b", "i", "iframe", "img", "link", "object", "embed"} & set(page.tags)
    assert not [a for a in page.attrs if a[0].startswith("on") or "javascript:" in a[1].lower()]
    assert not [a for a in page.attrs if a[0] in ("src", "href", "srcset", "action")], "nothing is fetched or linked"
    # The charts' SVG refers only to itself (its markers by #id); URLs only name namespaces
    # and, in matplotlib's RDF metadata, the kind of document (identifiers, never fetched).
    assert all(v.startswith("#") for n, v in page.attrs if n.endswith(":href"))
    assert not [a for a in page.attrs if "://" in a[1] and not a[0].startswith(("xmlns", "rdf:resource"))]
    for secret in SECRETS:
        assert secret not in page.text and secret not in raw, secret
    assert "\x1b" not in raw and "\u241b[31m" in page.text  # ESC shown as its symbol
    # User markup is text: shown as typed, never as tags.
    assert "Public goal <b>bold</b> & \u241b[31m red" in page.texts
    assert "<script>alert(1)</script> javascript:alert(2)" in page.texts


def test_the_page_shows_the_public_part_only_and_every_user_text_inert(db: str, tmp_path: Path) -> None:
    """A coordinator publishes; nothing internal, no note, person, email, cost or markup of
    theirs reaches any file of the site, and a public item under an internal one is hidden."""
    out = tmp_path / "site"
    page = _publish(db, out)
    assert sorted(p.name for p in out.iterdir()) == ["index.html", web.MARKER]
    raw = (out / "index.html").read_text(encoding="utf-8")
    _assert_inert_and_public(page, raw)
    for name in os.listdir(out):
        other = (out / name).read_text(encoding="utf-8")
        assert not [s for s in SECRETS if s in other]
    # What is public is there: goals, objectives, actions with status in words and symbols,
    # the organisations leading and partnering (not the people), the findings.
    for shown in ("Second public goal", "Objective: A standing working group", "Convene the group", "Map the services"):
        assert shown in page.texts
    assert page.row("Convene the group")[1:] == [
        "●done",
        "near term",
        "June 30, 2025",
        "City of Stamford",
        "Domus <b>Kids</b>",
    ]
    assert page.row("Write the terms")[1] == "◐in progress"
    assert '<a href="javascript:alert(4)">click</a>' in page.texts  # the title, as text
    assert "The city should create a working group to coordinate prevention efforts." in page.text
    assert "The city should provide mechanisms <script>alert(3)</script> for reporting." in page.text
    # Headings in order, one h1; every table header cell has a scope; a chart has a text alternative.
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    assert len(re.findall(r"<th[ >]", raw)) == raw.count('<th scope="') > 10
    assert raw.count("<svg") == raw.count('role="img"') == raw.count("<desc") == 2  # progress, meetings
    assert "content=\"default-src 'none'" in raw
    # No money without --with-money.
    assert "$" not in page.text and "money-table" not in raw and "1,000" not in page.text


def test_progress_and_indicator_figures_equal_the_hand_computed_plan(db: str, tmp_path: Path) -> None:
    """The charts' numbers and the tables that mirror them say what the plan says: progress
    counts public actions that are not cancelled; money only with --with-money."""
    page = _publish(db, tmp_path / "site", "--with-money")
    # g1: a1 done, a2 in progress, a5 planned (a3 cancelled leaves the count): 1 of 3.
    g1 = "Public goal <b>bold</b> & \u241b[31m red"
    assert page.row(g1, 4)[1:] == ["3", "1", f"{round(100 * 1 / 3)}%"]
    assert page.row("Second public goal", 4)[1:] == ["1", "0", "0%"]
    assert page.row("All public goals", 4)[1:] == ["4", "1", f"{round(100 * 1 / 4)}%"]
    assert f"1 of 3 public actions done ({round(100 / 3)}%)." in page.text
    # The chart's own text: its bar labels and its description.
    raw = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    svg = Page(raw[raw.index("<svg") : raw.index("</svg>") + 6])
    assert "33%" in svg.texts and "0%" in svg.texts
    # The indicator: baseline 2, target 10, measured 3 then 5.5.
    assert page.row("Baseline")[2] == "2" and page.row("Target")[1:] == ["December 31, 2025", "10"]
    assert [r[1:] for r in page.cells if r and r[0] == "Measured"] == [
        ["March 31, 2025", "3"],
        ["June 30, 2025", "5.5"],
    ]
    meetings = raw[raw.index("<svg", raw.index("</svg>")) :]
    assert "Baseline: 2; Target: 10; Latest: 5.5 (June 30, 2025)" in Page(meetings).texts
    # Money (public, not cancelled): g1 a1 1000 + a2 3000 (+ a5, no cost), allocated 400 + 1000; g3 a8 2000.
    money = [r for r in page.cells if len(r) == 3 and r[0] in (g1, "Second public goal", "All public goals")]
    assert money == [
        [g1, f"${1000 + 3000:,}.00", f"${400 + 1000:,}.00"],
        ["Second public goal", "$2,000.00", "$0.00"],
        ["All public goals", f"${1000 + 3000 + 2000:,}.00", f"${400 + 1000:,}.00"],
    ]


def _strings(node: object) -> list[str]:
    """Every text a plan file holds (titles, findings, names), to tell user text from ours."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def test_the_french_page_has_no_english_string_of_ours(db: str, tmp_path: Path) -> None:
    """A French reader sees French throughout, and a finding without a French translation is
    shown as written and marked as English for their browser and screen reader."""
    page = _publish(db, tmp_path / "fr", "--lang", "fr")
    raw = (tmp_path / "fr" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in raw
    catalogue = i18n.read_catalogue("fr")
    ours = [(str(m.id), str(m.string)) for m in catalogue if m.id and m.string != m.id]
    assert len(ours) > 30
    # Our strings, not the plan's: a text of the page that the plan file holds is user text
    # (a title "Another objective" is not an untranslated "other").
    ours_shown = page.text
    for user_text in sorted(_strings(yaml.safe_load(PLAN)), key=len, reverse=True):
        ours_shown = ours_shown.replace(visible_controls(user_text.strip()), "")  # shown inert
    for msgid, _ in ours:
        for part in re.split(r"%\(\w+\)s", msgid):
            part = part.strip(" .():")
            word = re.compile(rf"(?<!\w){re.escape(part)}(?!\w)")
            if len(part) >= 4 and not any(word.search(fr) for _, fr in ours):  # "notes" is French too
                found = word.search(ours_shown)
                assert not found, (
                    f"untranslated: {msgid!r} in {ours_shown[max(0, found.start() - 80) : found.end() + 80]!r}"
                )
    assert "La ville devrait créer un groupe de travail." in page.text
    assert '<span lang="en">The city should provide mechanisms &lt;script&gt;' in raw
    assert "Réalisées" in page.texts  # a header cell of ours, translated
    _assert_inert_and_public(page, raw)


def test_a_zip_on_standard_output_and_never_on_a_terminal(db: str, tmp_path: Path) -> None:
    """`-o -` writes the same site as a zip to a pipe; to a terminal it is refused, saying why."""
    target = tmp_path / "page.zip"
    done = tracker_process("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", "-", stdout=str(target))
    assert done.code == 0, done
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        assert sorted(archive.namelist()) == ["index.html", web.MARKER]
        html = archive.read("index.html").decode()
    _assert_inert_and_public(Page(html), html)
    # A terminal: a real pseudo-terminal as standard output.
    leader, follower = pty.openpty()
    try:
        command = [os.path.join(os.path.dirname(sys.executable), "tracker"), "--db", db, "--as", "coord"]
        proc = subprocess.run(
            [*command, "publish", "-f", "stamford-ct", "-o", "-"],
            stdout=follower, stderr=subprocess.PIPE, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert "-o -: a zip is binary, not for the terminal" in proc.stderr.decode()


def test_viewers_and_members_may_not_publish_and_nothing_is_written(db: str, tmp_path: Path) -> None:
    """Publishing is a coordinator's decision: anyone else is told who could, and no folder appears."""
    for login in ("viewer", "city"):
        out = tmp_path / login
        result = tracker("--db", db, "--as", login, "publish", "-f", "stamford-ct", "-o", str(out))
        assert result.code == 4, result
        assert "only a coordinator of stamford-ct or an admin can publish" in result.err
        assert not out.exists()
    unknown = tracker("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", str(tmp_path / "x"),
                      "--lang", "de")  # fmt: skip
    assert unknown.code == 2 and "--lang de" in unknown.err and not (tmp_path / "x").exists()


def test_a_folder_is_replaced_only_when_a_publish_made_it(db: str, tmp_path: Path) -> None:
    """A user's files are never overwritten: a folder with anything else in it is refused."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html").write_text("my own page")
    refused = tracker("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", str(mine))
    assert refused.code == 2 and "did not write" in refused.err
    assert (mine / "index.html").read_text() == "my own page" and os.listdir(mine) == ["index.html"]
    site = tmp_path / "site"
    _publish(db, site)
    _publish(db, site, "--lang", "fr")  # again, over its own publish
    assert '<html lang="fr">' in (site / "index.html").read_text(encoding="utf-8")
    (site / "notes.txt").write_text("mine")
    again = tracker("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", str(site))
    assert again.code == 2 and (site / "notes.txt").read_text() == "mine"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert tracker("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", str(a_file)).code == 2
    # A published page someone touched up by hand is theirs now: the next publish refuses it.
    touched = tmp_path / "touched"
    _publish(db, touched)
    edited = (touched / "index.html").read_text(encoding="utf-8").replace("<h1>", "<h1>Our city: ", 1)
    (touched / "index.html").write_text(edited, encoding="utf-8")
    refused = tracker("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", str(touched))
    assert refused.code == 2 and "changed since ('index.html')" in refused.err, refused.err
    assert (touched / "index.html").read_text(encoding="utf-8") == edited


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_colours_have_a_contrast_of_at_least_4_5(db: str, tmp_path: Path) -> None:
    """Every text colour the page's CSS uses is readable on every background it uses (WCAG AA)."""
    _publish(db, tmp_path / "site")
    css = (tmp_path / "site" / "index.html").read_text(encoding="utf-8").split("<style>")[1].split("</style>")[0]
    texts = set(re.findall(r"(?<!background: )(?<![-\w])color: (#[0-9a-f]{6})", css))
    backgrounds = set(re.findall(r"background: (#[0-9a-f]{6})", css))
    assert {web.TEXT, web.MUTED, web.LINK} <= texts and set(web.BACKGROUNDS) == backgrounds
    for text in texts:
        for background in backgrounds:
            assert _contrast(text, background) >= 4.5, (text, background, _contrast(text, background))


@needs_browser
@pytest.mark.slow
def test_the_page_in_a_real_browser_at_desktop_and_phone_widths(db: str, tmp_path: Path) -> None:
    """The page renders in Chromium (no script, nothing fetched): not blank at either width,
    and its text is in the DOM."""
    for lang in ("en", "fr"):
        site = tmp_path / lang
        _publish(db, site, "--lang", lang, "--with-money")
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            png = screenshot(site / "index.html", tmp_path / f"{lang}-{name}.png", size)
            assert distinct_colours(png) > 10, f"the {lang} {name} screenshot is blank"
        shown = dom(site / "index.html")
        assert "Second public goal" in shown and "<svg" in shown and f'lang="{lang}"' in shown
        assert "<script" not in shown


@pytest.mark.slow
def test_the_demo_publishes_stamfords_page_in_english_and_french(tmp_path: Path) -> None:
    """From `tracker demo`, whoever ran it (a coordinator of every framework) publishes
    Stamford's page: its three public goals, and charts of the demo's made-up measurements."""
    demo = tmp_path / "demo.db"
    built = tracker("--as", "demo", "demo", "--file", str(demo), "--no-open")
    assert built.code == 0, built.err
    for lang, goal in (("en", "Goal 3"), ("fr", "Objectif général 3")):
        result = tracker("--db", str(demo), "--as", "demo", "publish", "-f", "stamford-ct", "-o",
                         str(tmp_path / lang), "--lang", lang)  # fmt: skip
        assert result.code == 0, result.err
        raw = (tmp_path / lang / "index.html").read_text(encoding="utf-8")
        page = Page(raw)
        assert [t for t in page.texts if t.startswith(goal + ":")]
        assert not [t for t in page.texts if t.startswith(goal[:-1] + "4:")]  # g4 and g5 are internal
        assert raw.count("<svg") == 3  # progress, and the two indicators with measurements
        assert "maria" not in raw.lower() and "Demo amounts" not in raw


def test_goals_with_the_same_title_are_two_bars_of_the_progress_chart() -> None:
    """Two goals whose titles read alike (cut to the chart's width) each keep their bar and
    their share: one is 50% done, the other 0%."""
    from tracker.models.enums import Status
    from tracker.services.reporting.public import PublicGoal, PublicPlan
    from tracker.web.public import _progress_chart

    title = "Community awareness of hate and targeted violence, in every school of the city"
    goals = (
        PublicGoal("g1", title, None, (), (), {Status.done: 1, Status.planned: 1}),
        PublicGoal("g2", title + " (again)", None, (), (), {Status.planned: 2}),
    )
    svg = _progress_chart(PublicPlan("k", "T", "C", None, "USD", goals), "en")
    assert svg is not None
    texts = Page(svg).texts
    assert texts.count(title[:44] + "…") == 2 and "50%" in texts and "0%" in texts


def test_the_page_says_how_money_is_shown_only_when_it_shows_money(db: str, tmp_path: Path) -> None:
    """The footer promises no more than the page keeps: people and notes never; money, with
    --with-money, as totals per goal (which for a goal of one costed action is its cost)."""
    plain = _publish(db, tmp_path / "plain").text
    money = _publish(db, tmp_path / "money", "--with-money").text
    assert "notes and people never are" in plain and "totals per goal" not in plain
    assert "Money is shown as totals per goal" in money
    assert "costs of single actions never are" not in plain + money


def test_a_link_to_a_folder_is_named_as_a_link(db: str, tmp_path: Path) -> None:
    """-o at a symbolic link is refused saying what it is and what to give instead."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    refused = tracker("--db", db, "--as", "coord", "publish", "-f", "stamford-ct", "-o", str(tmp_path / "link"))
    assert refused.code == 2 and "is a symbolic link; give the folder it points to" in refused.err
    assert os.listdir(tmp_path / "real") == []
