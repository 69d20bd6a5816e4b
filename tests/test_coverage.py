"""Coverage from finding to action, on the Riverton plan whose answers are listed by hand in
tests/report_plans.py, and `tracker coverage` for people and scripts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import ADMIN
from tests.plans import MINIMAL
from tests.report_plans import FW, PLAN, seed_riverton, with_findings
from tracker.db import read_session, write_session
from tracker.seeding import load_text, seed
from tracker.services.access.members import resolve_member
from tracker.services.plan.edits import set_allocation
from tracker.services.reporting.coverage import CoverageView, plan_coverage


def _coverage(engine: Engine, framework: str | None = FW) -> CoverageView:
    with read_session(engine) as session:
        [view] = plan_coverage(session, framework=framework)
    return view


def _fund(engine: Engine, action: str, amount: str | None) -> None:
    with write_session(engine) as session:
        set_allocation(
            session=session, actor=resolve_member(session, "coord"), ref=f"{FW}/{action}",
            source="state-grant", fiscal_year=2025, amount=amount,
        )  # fmt: skip


def test_findings_unanswered_and_answered_only_on_paper(engine: Engine) -> None:
    """What the community said and the plan left out: f3 (nothing cites it) and f5 (its only
    action was cancelled) are unanswered; f2 and f6 are answered only by actions without
    money; f1 (a goal), f4 (a funded action) and f7 (a finished action) are answered."""
    seed_riverton(engine)
    view = _coverage(engine)
    assert (view.framework, view.findings, view.answered) == (FW, 7, 5)
    assert [(f.ref, f.number, f.actions, f.cancelled_actions) for f in view.unanswered] == [
        ("w1/f3", 3, (), 0),
        ("w1/f5", 5, (), 1),
    ]
    assert [(f.ref, f.actions, f.unknown_allocations) for f in view.unfunded] == [
        ("w1/f2", (f"{FW}/outreach",), 0),
        ("w1/f6", (f"{FW}/survey",), 1),
    ]
    assert view.unanswered[0].text == "Train teachers to spot early signs."
    assert view.unanswered[0].workshop_title == "Listening session"


def test_money_moves_a_finding_off_the_unfunded_list(engine: Engine) -> None:
    """An allocation of zero or of unknown amount is not money yet; a known amount is."""
    seed_riverton(engine, measured=False)
    _fund(engine, "outreach", "0")
    _fund(engine, "survey", None)
    assert [f.ref for f in _coverage(engine).unfunded] == ["w1/f2", "w1/f6"]
    _fund(engine, "outreach", "1000")
    assert [f.ref for f in _coverage(engine).unfunded] == ["w1/f6"]


def test_an_objective_citing_a_finding_answers_it(engine: Engine) -> None:
    """Findings answered at the objective level are neither unanswered nor unfunded."""
    seed_riverton(engine, measured=False)
    seed(engine, [load_text(with_findings("o2", ["w1/f2", "w1/f3"]), source="riverton.yaml")], actor=ADMIN)
    view = _coverage(engine)
    assert [f.ref for f in view.unanswered] == ["w1/f5"]
    assert [f.ref for f in view.unfunded] == ["w1/f6"]
    assert view.answered == 6


def test_objectives_without_indicators_and_indicators_not_ready(engine: Engine) -> None:
    """o2 cannot show progress; trust lacks a baseline and a measurement, reach a measurement."""
    seed_riverton(engine)
    view = _coverage(engine)
    assert (view.objectives, view.indicators) == (2, 6)
    assert [(o.ref, o.goal_key, o.actions) for o in view.objectives_without_indicators] == [(f"{FW}/o2", "g1", 1)]
    assert [(i.key, i.missing, i.measurements) for i in view.indicator_gaps] == [
        ("trust", ("baseline", "measurement"), 0),
        ("reach", ("measurement",), 0),
    ]


def test_every_framework_by_key(engine: Engine) -> None:
    """Without --framework every plan is covered, each with its own findings."""
    seed_riverton(engine)
    seed(engine, [load_text(MINIMAL, source="stamford.yaml")], actor=ADMIN)
    with read_session(engine) as session:
        views = plan_coverage(session)
    assert [v.framework for v in views] == [FW, "stamford-ct"]
    stamford = views[1]
    assert (stamford.findings, stamford.answered) == (2, 1)
    assert [f.ref for f in stamford.unanswered] == ["2024-12-09/f3"]
    assert [i.key for i in stamford.indicator_gaps] == ["meetings"]  # never measured


def test_coverage_command(db_url: str, engine: Engine) -> None:
    """`tracker coverage` lists the gaps for people and as JSON for scripts; a wrong key is
    one sentence and exit 2."""
    seed_riverton(engine)
    human = tracker("--db", db_url, "coverage", "--framework", FW)
    assert human.code == 0, human.err
    assert "5 of 7 findings answered" in human.out
    assert "w1/f3" in human.out and "outreach" in human.out and "Schools notice early signs" in human.out
    scripted = tracker("--db", db_url, "coverage", "--json")
    assert scripted.code == 0, scripted.err
    [data] = json.loads(scripted.out)
    assert data["framework"] == FW and data["answered"] == 5
    assert [f["ref"] for f in data["unfunded"]] == ["w1/f2", "w1/f6"]
    assert data["indicator_gaps"][0]["missing"] == ["baseline", "measurement"]
    wrong = tracker("--db", db_url, "coverage", "--framework", "nowhere")
    assert wrong.code == 2 and "there is no framework 'nowhere'" in wrong.err and not wrong.out


@pytest.mark.parametrize("markup", ["[bold red]loud[/]", "[link=http://x]y[/link]"])
def test_coverage_shows_markup_literally(db_url: str, engine: Engine, markup: str) -> None:
    """A finding's text with Rich markup in it is printed as written, not styled or dropped."""
    seed(
        engine,
        [load_text(PLAN.replace("Train teachers to spot early signs.", json.dumps(markup)), source="r.yaml")],
        actor=ADMIN,
    )
    result = tracker("--db", db_url, "coverage")
    assert result.code == 0 and markup in result.out
