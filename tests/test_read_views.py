"""The read views behind the TUI screens: overview, funding, stakeholders, activity, plan tree.

Small plans check the figures a coordinator reads off a screen; a generated
plan of a few hundred actions checks the SQL aggregates against the same sums
worked out in Python from the plan files.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import ADMIN
from tests.perf.generate import generate_plans
from tests.plans import with_change
from tests.tracking import CONVENE, MEETINGS, REPORTING, seeded
from tracker.db import read_session, write_session
from tracker.errors import BadInput, NotFound
from tracker.models.enums import Sector, Stage, Status
from tracker.seeding import load_data, load_text, seed
from tracker.services.access.members import resolve_member
from tracker.services.funding.sources import funding_gaps, funding_sources, objective_gaps
from tracker.services.plan.edits import edit_action, set_allocation
from tracker.services.plan.stakeholders import stakeholder_overview
from tracker.services.plan.tree import plan_tree
from tracker.services.reporting.overview import DueItem, framework_overview
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.activity import change_marker, recent_activity

FW = "stamford-ct"
D = Decimal


def _set(engine: Engine, login: str, ref: str, status: Status, note: str | None = None) -> None:
    with write_session(engine) as session:
        tracking.set_status(session=session, actor=resolve_member(session, login), ref=ref, status=status, note=note)


def _fund(engine: Engine, fiscal_year: int, amount: str | None, source: str = "dhs-cp3", ref: str = CONVENE) -> None:
    with write_session(engine) as session:
        set_allocation(
            session=session, actor=resolve_member(session, "coord"), ref=ref,
            source=source, fiscal_year=fiscal_year, amount=amount,
        )  # fmt: skip


def _read(engine: Engine, view: Any, **kw: Any) -> Any:
    with read_session(engine) as session:
        return view(session, **kw)


# -- overview -----------------------------------------------------------------------------


def test_overview_shows_progress_money_and_what_is_due_next(engine: Engine) -> None:
    """The home screen: a coordinator would see wrong counts, an estimated cost that
    pretends the uncosted action costs nothing, or the wrong actions coming up."""
    seeded(engine)
    [fw] = _read(engine, framework_overview, today=dt.date(2025, 3, 1))
    assert (fw.key, fw.city, fw.state, fw.stage, fw.currency) == (FW, "Stamford", "CT", Stage.draft, "USD")
    assert fw.actions == 2 and fw.by_status == {Status.planned: 2}
    assert fw.progress == 0.0 and (fw.overdue, fw.blocked, fw.stale) == (0, 0, 0)
    assert fw.estimated_cost == D("15000.00") and fw.actions_without_cost == 1
    assert fw.allocated == D("10000.00") and fw.unknown_allocations == 0
    assert fw.coverage == pytest.approx(10000 / 15000)
    assert fw.next_due == (
        DueItem(CONVENE, "Convene the working group", dt.date(2025, 6, 30)),
        DueItem(REPORTING, "Open a bias-incident reporting line", dt.date(2026, 3, 31)),
    )

    # Once convene's due date has passed it is overdue, no longer "next".
    [later] = _read(engine, framework_overview, today=dt.date(2025, 7, 1))
    assert later.overdue == 1
    assert [d.ref for d in later.next_due] == [REPORTING]


def test_overview_follows_status_changes_blocked_done_and_stale(engine: Engine) -> None:
    """After members move actions on, the overview must say so: blocked work counted,
    progress up when done, and in-progress work untouched for 30 days flagged stale."""
    seeded(engine)
    _set(engine, "city", CONVENE, Status.blocked)
    _set(engine, "church", REPORTING, Status.in_progress)
    today = dt.date.today()
    [fw] = _read(engine, framework_overview, today=today)
    assert fw.blocked == 1 and fw.by_status == {Status.blocked: 1, Status.in_progress: 1}
    assert fw.stale == 0
    [month_later] = _read(engine, framework_overview, today=today + dt.timedelta(days=31))
    assert month_later.stale == 1
    _set(engine, "city", CONVENE, Status.done)
    [fw] = _read(engine, framework_overview, today=today)
    assert fw.progress == 0.5 and fw.blocked == 0
    # Done work is not "due next" even when its date is ahead.
    assert [d.ref for d in _read(engine, framework_overview, today=dt.date(2025, 1, 1))[0].next_due] == [REPORTING]


# -- funding ------------------------------------------------------------------------------


def test_funding_gap_is_cost_minus_allocations_and_unknown_cost_is_not_zero(engine: Engine) -> None:
    """The gap list drives fundraising: a wrong gap, or an uncosted action shown as
    fully funded (or as a gap of zero), would send a coordinator after the wrong money."""
    seeded(engine)
    [gap] = _read(engine, funding_gaps, framework=FW)
    assert (gap.ref, gap.lead, gap.cost, gap.allocated, gap.gap, gap.currency) == (
        CONVENE, "City of Stamford", D("15000.00"), D("10000.00"), D("5000.00"), "USD",
    )  # fmt: skip
    assert REPORTING not in [g.ref for g in _read(engine, funding_gaps)]  # cost unknown: no gap claimed
    [objective] = _read(engine, objective_gaps, framework=FW)
    assert (objective.ref, objective.cost, objective.allocated, objective.gap) == (
        f"{FW}/g1-o1", D("15000.00"), D("10000.00"), D("5000.00"),
    )  # fmt: skip
    assert objective.actions_with_gap == 1 and objective.actions_without_cost == 1

    # An allocation of unknown amount is counted, not guessed: the gap stands.
    _fund(engine, 2026, None)
    [gap] = _read(engine, funding_gaps)
    assert gap.gap == D("5000.00") and gap.unknown_allocations == 1

    # Funded in full: no gap left, but the objective still owns up to the uncosted action.
    _fund(engine, 2027, "5000")
    assert _read(engine, funding_gaps) == []
    [objective] = _read(engine, objective_gaps)
    assert objective.gap == D("0.00") and objective.actions_without_cost == 1


def test_cancelled_actions_have_no_funding_gap(engine: Engine) -> None:
    """Work taken out of the plan must not keep asking for money."""
    seeded(engine)
    _set(engine, "city", CONVENE, Status.cancelled)
    assert _read(engine, funding_gaps) == []
    assert _read(engine, objective_gaps)[0].gap == D("0.00")


def test_over_committed_source_is_flagged(engine: Engine) -> None:
    """Allocations that add up to more than a grant committed are money that does not
    exist: the source must show a negative balance and be flagged."""
    seeded(engine)
    [source] = _read(engine, funding_sources, today=dt.date(2025, 1, 1))
    assert (source.key, source.committed, source.allocated, source.remaining) == (
        "dhs-cp3", D("50000.00"), D("10000.00"), D("40000.00"),
    )  # fmt: skip
    assert not source.over_committed and source.allocated_here is None
    _fund(engine, 2026, "45000")  # each allocation fits the grant; together they do not
    [source] = _read(engine, funding_sources, today=dt.date(2025, 1, 1), framework=FW)
    assert source.allocated == D("55000.00") and source.allocated_here == D("55000.00")
    assert source.remaining == D("-5000.00") and source.over_committed


def test_amounts_in_another_currency_are_not_added(engine: Engine) -> None:
    """Euros from a foundation must not be counted as dollars towards a dollar cost."""
    plan = with_change(
        "workshops:",
        "  - {key: eu-fund, name: European foundation, kind: foundation, amount: 9000, currency: EUR}\nworkshops:",
    )
    plan = with_change(
        "funding: [{source: dhs-cp3, amount: 10000, fiscal_year: 2025}]",
        "funding: [{source: dhs-cp3, amount: 10000, fiscal_year: 2025}, "
        "{source: eu-fund, amount: 4000, fiscal_year: 2025}]",
        plan,
    )
    seed(engine, [load_text(plan, source="plan.yaml")], actor=ADMIN)
    [gap] = _read(engine, funding_gaps)
    assert gap.allocated == D("10000.00") and gap.gap == D("5000.00") and gap.other_currency_allocations == 1
    by_key = {s.key: s for s in _read(engine, funding_sources, today=dt.date(2025, 1, 1))}
    assert (by_key["eu-fund"].currency, by_key["eu-fund"].allocated) == ("EUR", D("4000.00"))
    assert by_key["dhs-cp3"].allocated == D("10000.00")
    [fw] = _read(engine, framework_overview, today=dt.date(2025, 1, 1))
    assert fw.allocated == D("10000.00") and fw.other_currency_allocations == 1


# -- a generated plan, checked against the plan files ---------------------------------------


def _generated(engine: Engine) -> list[dict[str, Any]]:
    plans = generate_plans(actions=300, frameworks=2, stakeholders=40, allocations=600, seed=7)
    seed(engine, [load_data(p, source=f"{p['framework']['key']}.json") for p in plans], actor=ADMIN)
    return plans


def _actions(plans: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (plan["framework"]["key"], objective, action)
        for plan in plans
        for goal in plan["goals"]
        for objective in goal["objectives"]
        for action in objective["actions"]
    ]


def _money(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


def test_generated_plans_gaps_and_balances_match_the_plan_files(engine: Engine) -> None:
    """On a plan of hundreds of actions, every gap, objective rollup and source balance
    must be the sum a coordinator would get by hand from the plan files."""
    plans = _generated(engine)
    expected_gaps: dict[str, Decimal] = {}
    objective_sum: dict[str, Decimal] = defaultdict(Decimal)
    uncosted: Counter[str] = Counter()
    source_total: dict[str, Decimal] = defaultdict(Decimal)
    costs: dict[str, Decimal] = defaultdict(Decimal)
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    for fw, objective, action in _actions(plans):
        known = [D(f["amount"]) for f in action["funding"] if f["amount"] is not None]
        for f in action["funding"]:
            source_total[f["source"]] += _money(f["amount"]) or 0
        allocated[fw] += sum(known, D(0))
        cost = _money(action["cost"])
        if cost is None:
            uncosted[f"{fw}/{objective['key']}"] += 1
            continue
        costs[fw] += cost
        if cost > sum(known, D(0)):
            expected_gaps[f"{fw}/{action['key']}"] = cost - sum(known, D(0))
            objective_sum[f"{fw}/{objective['key']}"] += cost - sum(known, D(0))

    gaps = _read(engine, funding_gaps, limit=None)
    assert {g.ref: g.gap for g in gaps} == expected_gaps
    assert [g.gap for g in gaps] == sorted(expected_gaps.values(), reverse=True)
    assert all(g.gap == g.cost - g.allocated for g in gaps)
    assert len(_read(engine, funding_gaps)) == 50  # the default page

    objectives = _read(engine, objective_gaps, limit=None)
    assert {o.ref: o.gap for o in objectives if o.gap} == objective_sum
    assert {o.ref: o.actions_without_cost for o in objectives if o.actions_without_cost} == dict(uncosted)
    first = plans[0]["framework"]["key"]
    assert {o.framework for o in _read(engine, objective_gaps, framework=first, limit=None)} == {first}

    sources = {s.key: s for s in _read(engine, funding_sources, today=dt.date(2025, 1, 1))}
    assert {k: s.allocated for k, s in sources.items()} == dict(source_total)
    for key, source in sources.items():
        if key.startswith("shared-"):  # committed amount unknown: no balance claimed
            assert source.committed is None and source.remaining is None and not source.over_committed
        elif source.committed is not None:
            assert source.remaining == source.committed - source.allocated and not source.over_committed
    here = {s.key for s in _read(engine, funding_sources, today=dt.date(2025, 1, 1), framework=first)}
    assert not any(key.startswith(plans[1]["framework"]["key"]) for key in here)

    overview = {o.key: o for o in _read(engine, framework_overview)}
    for fw, cost in costs.items():
        assert overview[fw].estimated_cost == cost and overview[fw].allocated == allocated[fw]


def test_generated_plans_stakeholder_counts_match_the_plan_files(engine: Engine) -> None:
    """The stakeholder screen tells each organisation what it leads and supports;
    a wrong count, or an organisation missing or out of order, would be noticed at once."""
    plans = _generated(engine)
    today = dt.date(2027, 1, 1)
    leads: Counter[str] = Counter()
    supports: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for _fw, _objective, action in _actions(plans):
        leads[action["lead"]] += 1
        supports.update(action["partners"])
        due = action["due"]
        if due and action["status"] in ("planned", "in_progress", "blocked"):
            if len(due) == 7:  # a month means its last day
                year, month = map(int, due.split("-"))
                due_on = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            else:
                due_on = dt.date.fromisoformat(due)
            if due_on < today:
                overdue.update({action["lead"], *action["partners"]})
    rows = _read(engine, stakeholder_overview, today=today)
    assert len(rows) == 40
    assert {r.key: r.leads for r in rows if r.leads} == dict(leads)
    assert {r.key: r.supports for r in rows if r.supports} == dict(supports)
    assert {r.key: r.overdue for r in rows if r.overdue} == dict(overdue)
    order = list(Sector)
    assert [(order.index(r.sector), r.name) for r in rows] == sorted((order.index(r.sector), r.name) for r in rows)

    first = plans[0]["framework"]["key"]
    mine = _read(engine, stakeholder_overview, framework=first, today=today)
    declared = {s["key"] for s in plans[0]["stakeholders"]}
    assert {r.key for r in mine} <= declared
    first_leads = Counter(a["lead"] for fw, _o, a in _actions(plans) if fw == first)
    assert {r.key: r.leads for r in mine if r.leads} == dict(first_leads)


def test_stakeholders_of_a_small_plan_in_sector_order(engine: Engine) -> None:
    """Lead and partner are both on the hook for overdue work."""
    seeded(engine)
    rows = _read(engine, stakeholder_overview, framework=FW, today=dt.date(2025, 7, 1))
    assert [(r.name, r.sector, r.leads, r.supports, r.overdue) for r in rows] == [
        ("City of Stamford", Sector.local_government, 1, 0, 1),
        ("Domus Kids", Sector.non_profit, 0, 1, 1),
        ("Union Church", Sector.faith, 1, 0, 0),
    ]
    with pytest.raises(NotFound, match="no framework 'nowhere'"):
        _read(engine, stakeholder_overview, framework="nowhere")


# -- activity -----------------------------------------------------------------------------


def test_activity_is_newest_first_with_who_did_what(engine: Engine) -> None:
    """The activity feed is how members see what colleagues did: it must be in
    order, name who did it, and say what changed in words."""
    seeded(engine)
    _set(engine, "domus", CONVENE, Status.in_progress, note="kick-off\nheld")
    with write_session(engine) as session:
        tracking.add_note(
            session=session, actor=resolve_member(session, "church"), ref=REPORTING, text="Met the pastor"
        )
    with write_session(engine) as session:
        edit_action(session=session, actor=resolve_member(session, "coord"), ref=CONVENE, changes={"cost": "16000"})
    with write_session(engine) as session:
        tracking.record_measurement(
            session=session, actor=resolve_member(session, "city"), ref=MEETINGS, value="2", on=dt.date(2025, 3, 1)
        )
    items = _read(engine, recent_activity)
    assert [(i.kind, i.by, i.ref) for i in items] == [
        ("measurement", "city", MEETINGS),
        ("plan", "coord", CONVENE),
        ("note", "church", REPORTING),
        ("status", "domus", CONVENE),
    ]
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    measurement, plan, note, status = items
    assert status.text == "planned → in progress: kick-off held" and status.title == "Convene the working group"
    assert note.text == "Met the pastor"
    assert plan.text == "cost: 15000.00 → 16000.00"
    assert measurement.text == "2 meetings on 2025-03-01" and measurement.title == "Working-group meetings held"

    # Paging on from an item gives the ones after it; a limit is a limit.
    assert _read(engine, recent_activity, limit=2) == items[:2]
    assert _read(engine, recent_activity, after_id=items[1].id) == items[2:]
    assert _read(engine, recent_activity, framework=FW, after_id=items[2].id, limit=5) == items[3:]
    with pytest.raises(BadInput):
        _read(engine, recent_activity, after_id="yesterday")


def test_change_marker_moves_when_another_client_writes(engine: Engine) -> None:
    """The TUI polls this to refresh: if it did not move after a colleague's status
    change or note, the screen would show stale data; if it moved on its own, it would flicker."""
    seeded(engine)
    before = _read(engine, change_marker)
    assert _read(engine, change_marker) == before
    _set(engine, "city", CONVENE, Status.in_progress)
    after_status = _read(engine, change_marker)
    assert after_status != before
    with write_session(engine) as session:
        tracking.add_note(session=session, actor=resolve_member(session, "city"), ref=CONVENE, text="going well")
    after_note = _read(engine, change_marker)
    assert after_note != after_status
    seed(engine, [load_text(with_change("cost: 15000", "cost: 17500"), source="plan.yaml")], actor=ADMIN)
    assert _read(engine, change_marker) != after_note
    with engine.connect() as conn:  # one statement: cheap enough to run every second
        statements: list[str] = []
        sa.event.listen(conn, "before_cursor_execute", lambda *args: statements.append(args[2]))
        from sqlmodel import Session

        with Session(bind=conn) as session:
            change_marker(session)
    assert [s for s in statements if not s.startswith("BEGIN")] == [statements[-1]]


# -- plan tree ----------------------------------------------------------------------------


def test_plan_tree_shows_the_plan_with_findings_and_their_translations(engine: Engine) -> None:
    """The plan screen traces every part back to what the community said, in French
    too, and shows each indicator's latest value; a missing branch or translation is a lie by omission."""
    seeded(engine)
    with write_session(engine) as session:
        coord = resolve_member(session, "coord")
        tracking.record_measurement(session=session, actor=coord, ref=MEETINGS, value="4", on=dt.date(2025, 5, 1))
        tracking.record_measurement(session=session, actor=coord, ref=MEETINGS, value="1", on=dt.date(2025, 2, 1))
    tree = _read(engine, plan_tree, framework=FW)
    assert (tree.key, tree.city, tree.stage, tree.starts) == (FW, "Stamford", Stage.draft, dt.date(2025, 1, 1))
    assert [(w.horizon.value, w.starts, w.ends) for w in tree.windows] == [
        ("near_term", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        ("mid_term", dt.date(2025, 7, 1), dt.date(2026, 12, 31)),
        ("long_term", dt.date(2027, 1, 1), None),
    ]
    [goal] = tree.goals
    [finding] = goal.findings
    assert finding.ref == "2024-12-09/f2" and finding.workshop_title == "Leadership group workshop"
    assert finding.held_on == dt.date(2024, 12, 9) and finding.number == 1
    assert finding.translations == {"fr": "La ville devrait créer un groupe de travail."}
    [objective] = goal.objectives
    [indicator] = objective.indicators
    assert (indicator.ref, indicator.baseline, indicator.target) == (MEETINGS, D(0), D(6))
    assert (indicator.latest_value, indicator.latest_on) == (D(4), dt.date(2025, 5, 1))  # by date, not entry order
    convene, reporting = objective.actions
    assert (convene.ref, convene.lead, convene.status, convene.due) == (
        CONVENE, "City of Stamford", Status.planned, dt.date(2025, 6, 30),
    )  # fmt: skip
    assert convene.findings == (finding,) and reporting.findings == ()
    assert [f.ref for f in tree.findings] == ["2024-12-09/f2", "2024-12-09/f3"]
    assert tree.findings[1].translations == {}
    with pytest.raises(NotFound, match="no framework 'nowhere'"):
        _read(engine, plan_tree, framework="nowhere")


def test_plan_tree_of_a_generated_plan_holds_every_item_once(engine: Engine) -> None:
    """A big plan must come back whole: every goal, objective, action and indicator."""
    plans = _generated(engine)
    plan = plans[1]
    tree = _read(engine, plan_tree, framework=plan["framework"]["key"])
    assert [g.key for g in tree.goals] == [g["key"] for g in plan["goals"]]
    assert [o.key for g in tree.goals for o in g.objectives] == [
        o["key"] for g in plan["goals"] for o in g["objectives"]
    ]
    assert sorted(a.key for g in tree.goals for o in g.objectives for a in o.actions) == sorted(
        a["key"] for g in plan["goals"] for o in g["objectives"] for a in o["actions"]
    )
    assert sum(len(o.indicators) for g in tree.goals for o in g.objectives) == sum(
        len(o["indicators"]) for g in plan["goals"] for o in g["objectives"]
    )
    translated = {
        f"{w['key']}/{f['key']}": f["translations"]["fr"]
        for w in plan["workshops"]
        for f in w["findings"]
        if "translations" in f
    }
    assert {f.ref: f.translations["fr"] for f in tree.findings if f.translations} == translated
