"""What the demo adds to the bundled plans so that every view has something to show.

The workshop reports give no meeting schedule and no amounts, so the bundled
plans have none. The demo database (and only it) gets a made-up schedule and
made-up money, each marked as such where a person reads it: the meeting place
says "demo schedule", and the funding sources' notes say the amounts are made
up. The demo's people (`tracker.cli.demo.DEMO_PEOPLE`) join the Stamford plan and
each owns a few of their organisation's actions, so that "mine" puts those first.
The working database (``--db``) never sees any of it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tracker.seeding import LoadedPlan, load_data

DEMO_MEETINGS = {
    "stamford-ct": ("FREQ=MONTHLY;INTERVAL=2;BYDAY=+2TU", "2025-01-14", "demo schedule: every second month"),
    "albuquerque-nm": ("FREQ=MONTHLY;INTERVAL=3;BYDAY=+1TH", "2025-01-02", "demo schedule: quarterly"),
}

# Committed amounts of the shared and city sources (a source left out stays unknown, as the
# foundations do), and what each of its allocations gets.
DEMO_SOURCES = {
    "dhs-cp3-tvtp": (Decimal("750000"), Decimal("25000")),
    "city-of-stamford-budget": (Decimal("200000"), Decimal("15000")),
    "city-of-albuquerque-budget": (Decimal("250000"), Decimal("15000")),
}
DEMO_NOTE = "Demo amounts, made up for `tracker demo`: the workshop reports give none."
# Baselines and targets of a few Stamford indicators, and values measured on them
# (`tracker.cli.demo.add_demo_activity`), so the public page (`tracker publish`) has charts.
DEMO_INDICATORS = {
    "working-group-meetings-held": ("0", "12", (("2025-03-31", "1"), ("2025-06-30", "3"), ("2025-09-30", "5"))),
    "bias-reports-received": ("0", "40", (("2025-06-30", "4"), ("2025-09-30", "9"), ("2025-12-31", "15"))),
}
DEMO_INDICATOR_NOTE = "Demo baseline, target and measurements, made up for `tracker demo`: the reports give none."
COST_SHARE = Decimal("1.4")  # actions cost more than they are given: the gaps to show
UNFUNDED_COST = Decimal("12000")  # one in three actions with no funding gets a cost estimate


def _money(text: Any) -> Decimal | None:
    return None if text is None else Decimal(str(text))


def _actions(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for g in plan.get("goals", []) for o in g.get("objectives", []) for a in o.get("actions", [])]


OWNED_EACH = 2  # actions each demo person owns: their organisation's latest due


def _demo_people(plan: dict[str, Any]) -> None:
    """The demo's people as members of the Stamford plan, each owning a few actions."""
    from tracker.cli.demo import DEMO_PEOPLE

    if plan["framework"]["key"] != "stamford-ct":
        return
    members = plan.setdefault("members", [])
    for login, name, role, org in DEMO_PEOPLE:
        members.append({"login": login, "name": name, "role": role, "stakeholders": [org]})
        if role == "viewer":
            continue
        theirs = [a for a in _actions(plan) if org in (a["lead"], *a.get("partners", ())) and "owner" not in a]
        for action in sorted(theirs, key=lambda a: (a.get("due") or "", a["key"]))[-OWNED_EACH:]:
            action["owner"] = login


def demo_plan(loaded: LoadedPlan) -> LoadedPlan:
    """The bundled plan with the demo's schedule and money (the same for a shared source in every file)."""
    plan = loaded.plan.model_dump(mode="json", exclude_none=True)
    framework = plan["framework"]
    if framework["key"] in DEMO_MEETINGS and "meetings" not in framework:
        rule, starts, place = DEMO_MEETINGS[framework["key"]]
        framework["meetings"] = {"rule": rule, "starts": starts, "place": place}
    for source in plan.get("funding_sources", []):
        if source["key"] in DEMO_SOURCES and source.get("amount") is None:
            source["amount"] = str(DEMO_SOURCES[source["key"]][0])
            source["notes"] = DEMO_NOTE
    for n, action in enumerate(_actions(plan)):
        given = Decimal("0")
        for allocation in action.get("funding", []):
            if allocation.get("amount") is None and allocation["source"] in DEMO_SOURCES:
                allocation["amount"] = str(DEMO_SOURCES[allocation["source"]][1])
            given += _money(allocation.get("amount")) or 0
        if action.get("cost") is None:
            if given:
                action["cost"] = str((given * COST_SHARE).quantize(Decimal("1")))
            elif n % 3 == 0:
                action["cost"] = str(UNFUNDED_COST)
    for objective in (o for g in plan.get("goals", []) for o in g.get("objectives", [])):
        for indicator in objective.get("indicators", []):
            if framework["key"] == "stamford-ct" and indicator["key"] in DEMO_INDICATORS:
                baseline, target, _measured = DEMO_INDICATORS[indicator["key"]]
                indicator.update(baseline=baseline, target=target, description=DEMO_INDICATOR_NOTE)
    _demo_people(plan)
    return load_data(plan, source=loaded.source)
