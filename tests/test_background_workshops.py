"""Background workshops: convenings that inform a plan (such as ones about other cities)
whose findings can be cited but are not counted as unanswered by coverage, the report or
the app."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import SEED_DIR, admin_login
from tests.plans import with_change
from tests.test_tui_screens import _pane
from tests.tui import open_app, settle
from tracker.seeding import load_text, seed

BACKGROUND = """\
  - key: "2023-11-20"
    title: Convening about other cities
    held_on: 2023-11-20
    background: true
    findings:
      - {key: t1, text: Other cities fund a reporting line first.}
      - {key: t2, text: Other cities meet every month.}
goals:"""
# The reporting line (no money) cites t1; t2 is cited by nothing.
PLAN = with_change(
    "            due: 2026-03\n",
    "            due: 2026-03\n            findings: [2023-11-20/t1]\n",
    with_change("goals:", BACKGROUND),
)


def _seed(engine: Engine, text: str) -> None:
    seed(engine, [load_text(text, source="plan.yaml")], actor=admin_login(engine))


def _coverage(db: str) -> dict[str, object]:
    result = tracker("--db", db, "coverage", "-f", "stamford-ct", "--json")
    assert result.code == 0, result.err
    [view] = json.loads(result.out)
    return view  # type: ignore[no-any-return]


def test_coverage_counts_only_the_ordinary_workshops_findings(engine: Engine, db_url: str) -> None:
    """The ordinary workshop has f2 (answered) and f3 (unanswered); the background one has t1
    (cited by an action without money) and t2 (cited by nothing). Coverage counts 2 findings,
    1 answered, f3 unanswered, nothing unfunded, and names the background workshop; marked
    ordinary, the same plan counts all 4. Broken, the coordinator would be asked to answer
    what other cities said."""
    _seed(engine, PLAN)
    view = _coverage(db_url)
    assert (view["workshops"], view["findings"], view["answered"]) == (1, 2, 1)
    assert [f["ref"] for f in view["unanswered"]] == ["2024-12-09/f3"]  # type: ignore[attr-defined]
    assert view["unfunded"] == []
    assert view["background_workshops"] == [
        {"key": "2023-11-20", "title": "Convening about other cities", "held_on": "2023-11-20", "findings": 2}
    ]
    text = tracker("--db", db_url, "coverage", "-f", "stamford-ct")
    assert text.code == 0, text.err
    assert "stamford-ct: 1 of 2 findings answered" in text.out
    assert (
        "Coverage counts the findings of 1 workshop; 1 background workshop not counted: "
        "Convening about other cities (2023-11-20, 2 findings)."
    ) in " ".join(text.out.split())
    assert "2023-11-20/t2" not in text.out and "2023-11-20/t1" not in text.out

    _seed(engine, PLAN.replace("    background: true\n", ""))  # the same plan, the workshop ordinary
    view = _coverage(db_url)
    assert (view["workshops"], view["findings"], view["answered"], view["background_workshops"]) == (2, 4, 2, [])
    unanswered = [f["ref"] for f in view["unanswered"]]  # type: ignore[attr-defined]
    assert unanswered == ["2023-11-20/t2", "2024-12-09/f3"]
    assert [f["ref"] for f in view["unfunded"]] == ["2023-11-20/t1"]  # type: ignore[attr-defined]


def test_a_background_finding_can_be_cited_and_survives_a_plan_export(engine: Engine, db_url: str) -> None:
    """A background finding is still linked to the action that cites it, and `export --format
    plan` writes `background: true` back (and nothing for an ordinary workshop), so that a plan
    exported and seeded elsewhere keeps the workshop out of coverage."""
    _seed(engine, PLAN)
    shown = json.loads(tracker("--db", db_url, "actions", "show", "stamford-ct/reporting", "--json").out)
    assert shown["findings"] == ["2023-11-20/t1"]
    exported = tracker("--db", db_url, "export", "--format", "plan", "-f", "stamford-ct")
    assert exported.code == 0, exported.err
    assert exported.out.count("background: true") == 1 and "background: false" not in exported.out
    plan = load_text(exported.out, source="export.yaml").plan
    assert [(w.key, w.background) for w in plan.workshops] == [("2023-11-20", True), ("2024-12-09", False)]


def test_the_report_does_not_list_background_findings_as_unanswered(engine: Engine, db_url: str) -> None:
    """The leadership group's report lists f3 alone as unanswered and says which workshops it
    left out; broken, the meeting would discuss other cities' findings as Stamford's gaps."""
    _seed(engine, PLAN)
    result = tracker("--db", db_url, "report", "-f", "stamford-ct")
    assert result.code == 0, result.err
    findings = result.out.split("## Findings not yet answered")[1].split("\n## ")[0]
    assert "### Not answered by any goal, objective or action: 1" in findings
    assert "2024-12-09/f3" in findings and "2023-11-20" not in findings.split("###", 1)[1]
    assert "1 background workshop not counted: Convening about other cities" in findings


def test_the_bundled_stamford_report_leaves_the_2023_convenings_out(engine: Engine, db_url: str) -> None:
    """The bundled Stamford plan marks the 2023 convenings (about other cities) as background:
    its report answers all 5 findings of the 2024 workshop and lists none of the convenings'
    findings, which it used to report as unanswered."""
    seeds = sorted(str(p) for p in Path(SEED_DIR).glob("*.yaml"))
    assert tracker("--db", db_url, "seed", *seeds).code == 0
    view = _coverage(db_url)
    assert (view["workshops"], view["findings"], view["unanswered"]) == (1, 5, [])
    assert [(w["key"], w["findings"]) for w in view["background_workshops"]] == [  # type: ignore[attr-defined]
        ("2023-03-29", 5),
        ("2023-11-20", 11),
    ]
    report = tracker("--db", db_url, "report", "-f", "stamford-ct")
    assert report.code == 0, report.err
    findings = report.out.split("## Findings not yet answered")[1].split("\n## ")[0]
    assert "### Not answered by any goal, objective or action: 0" in findings
    assert "2 background workshops not counted" in findings


async def test_the_plan_screen_marks_a_background_finding(engine: Engine) -> None:
    """The app shows the background finding beside the action that cites it, marked as not
    counted by coverage; broken, a member could not tell context from the plan's own findings."""
    _seed(engine, PLAN)
    app = open_app(engine, admin_login(engine))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("p")
        await settle(app, pilot)
        # framework > goal > objective > indicator > convene > reporting
        await pilot.press("down", "down", "down", "down", "down")
        await pilot.pause()
        pane = _pane(app)
        assert "Action stamford-ct/reporting" in pane
        assert "Convening about other cities, 2023-11-20, finding 1 (t1) (background workshop: not" in pane


def test_the_migration_goes_down_and_up_keeping_workshops_and_findings(engine: Engine, db_url: str) -> None:
    """Migration 0016 adds `workshop.background`; going back to 0015 drops the column and keeps
    every workshop and finding (on SQLite the table is copied: a cascade would lose findings),
    and upgrading again marks every workshop ordinary, so coverage counts them all."""
    import sqlalchemy as sa
    from alembic import command

    from tracker.db.migrate import alembic_config

    _seed(engine, PLAN)
    counts = "SELECT (SELECT count(*) FROM workshop), (SELECT count(*) FROM finding)"
    with engine.connect() as conn:
        assert tuple(conn.execute(sa.text(counts)).one()) == (2, 4)
        command.downgrade(alembic_config(conn), "0015")
        conn.commit()
    engine.dispose()
    with engine.connect() as conn:
        assert "background" not in {c["name"] for c in sa.inspect(conn).get_columns("workshop")}
        assert tuple(conn.execute(sa.text(counts)).one()) == (2, 4)
    engine.dispose()
    upgraded = tracker("--db", db_url, "db", "upgrade")
    assert upgraded.code == 0, upgraded.err
    view = _coverage(db_url)
    assert (view["workshops"], view["findings"], view["background_workshops"]) == (2, 4, [])


def test_a_background_workshops_title_stays_inert(engine: Engine, db_url: str) -> None:
    """The title named in the coverage line is user text: markup in it is shown as typed in the
    terminal, and escaped in the report, where it could otherwise break the line or add HTML."""
    title = "[red]Other[/red] | *cities* <b>"
    _seed(engine, PLAN.replace("title: Convening about other cities", f'title: "{title}"'))
    text = tracker("--db", db_url, "coverage", "-f", "stamford-ct")
    assert text.code == 0, text.err
    assert f"not counted: {title} (2023-11-20, 2 findings)." in " ".join(text.out.split())
    report = tracker("--db", db_url, "report", "-f", "stamford-ct")
    assert report.code == 0, report.err
    assert r"not counted: \[red\]Other\[/red\] \| \*cities\* &lt;b&gt; (2023-11-20, 2 findings)." in report.out
    assert "<b>" not in report.out
