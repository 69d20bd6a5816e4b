"""Deterministic, synthetic plan files for benchmarks (not tests: pytest ignores this folder).

    from generate import generate_plans, count_items

    plans = generate_plans(actions=10_000, allocations=30_000)   # list of plain dicts
    count_items(plans)["allocations"]                            # -> 30000

Every plan is one framework in the plan-file format of `tracker.seeding.plan`,
as plain data (str, int, None, lists and dicts; dates as ISO text, money as
text with two decimal places), so it can be given to `tracker.seeding.load_data`
or written out as JSON for `tracker seed`. The same arguments always give the
same plans (one seeded `random.Random`, no clock, no hash order).

The plans are valid, including when applied together:

* stakeholder keys are global: each stakeholder has a home framework and
  about one in ten also takes part in one to three others; a file declares
  every stakeholder it refers to, with the same description in every file;
* funding-source keys are global too: two shared sources (amount null) are
  declared identically in every file, the others belong to one framework and
  commit more than is allocated from them (or null);
* an action's allocations are unique by (source, fiscal year) and the number
  of allocations over all files is exactly ``allocations``.

Command line (one JSON file per framework)::

    python tests/perf/generate.py --actions 2000 --out /tmp/plans
    tracker seed /tmp/plans/*.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["FISCAL_YEARS", "SHARED_FUNDING_SOURCES", "count_items", "generate_plans", "write_plans"]

SHARED_FUNDING_SOURCES = 2
"""Funding sources declared (identically, amount null) in every file."""

FISCAL_YEARS = 6
"""Allocations fall in the framework's first year and the five after it."""

_SECTORS = (
    "local_government",
    "law_enforcement",
    "education",
    "non_profit",
    "social_services",
    "faith",
    "community_group",
    "philanthropy",
    "state_government",
    "federal_government",
    "academia",
    "health",
    "business",
    "other",
)
_KINDS = (
    "federal_grant",
    "state_grant",
    "local_government",
    "foundation",
    "community",
    "corporate",
    "in_kind",
    "other",
)
_STATES = (
    "AL",
    "AZ",
    "CA",
    "CO",
    "CT",
    "FL",
    "GA",
    "IL",
    "KS",
    "MA",
    "MI",
    "MN",
    "NM",
    "NY",
    "OH",
    "OR",
    "PA",
    "TN",
    "TX",
    "WA",
)
_ORG_WORDS = (
    "Community",
    "Youth",
    "Family",
    "Neighborhood",
    "Regional",
    "County",
    "Civic",
    "Interfaith",
    "Health",
    "Education",
    "Public Safety",
    "Recovery",
    "Arts",
)
_ORG_KINDS = (
    "Alliance",
    "Coalition",
    "Center",
    "Foundation",
    "Council",
    "Network",
    "Department",
    "Association",
    "Partnership",
    "Services",
)
_VERBS = (
    "Establish",
    "Expand",
    "Train",
    "Convene",
    "Fund",
    "Map",
    "Publish",
    "Pilot",
    "Coordinate",
    "Evaluate",
    "Strengthen",
    "Launch",
    "Support",
    "Review",
)
_OBJECTS = (
    "a referral pathway",
    "school-based prevention programmes",
    "a rapid response team",
    "community dialogues",
    "mental-health first aid",
    "a resource directory",
    "faith-leader roundtables",
    "online-harm awareness sessions",
    "victim support services",
    "a data-sharing agreement",
    "youth mentoring",
    "bystander training",
    "a hate-incident reporting line",
    "an annual public report",
)
_AUDIENCES = (
    "for young people",
    "for parents and carers",
    "for frontline staff",
    "across city departments",
    "with community partners",
    "in every district",
    "for teachers",
    "for newcomers",
    "with local businesses",
    "for faith communities",
)
_THEMES = (
    "trust between communities and institutions",
    "prevention capacity",
    "early intervention",
    "resilience to online harms",
    "coordination across sectors",
    "support for victims",
    "public awareness",
    "sustainable funding",
)
_WORDS = (
    "the",
    "city",
    "partners",
    "residents",
    "need",
    "trusted",
    "spaces",
    "to",
    "report",
    "concerns",
    "and",
    "services",
    "are",
    "not",
    "well",
    "known",
    "by",
    "young",
    "people",
    "leaders",
    "ask",
    "for",
    "more",
    "coordination",
    "between",
    "schools",
    "police",
    "health",
    "providers",
    "community",
    "groups",
    "funding",
    "is",
    "short-term",
)


def generate_plans(
    actions: int = 100_000,
    frameworks: int = 20,
    stakeholders: int = 2_000,
    allocations: int = 300_000,
    seed: int = 1,
    *,
    funding_sources: int = 10,
    workshops: int = 4,
    members: int = 0,
) -> list[dict[str, Any]]:
    """One plan (plain data) per framework; ``actions`` and ``allocations`` are totals.

    ``funding_sources`` and ``workshops`` are per framework; ``members`` is a
    total (each member belongs to one framework, affiliated with one or two of
    its stakeholders). An action holds at most ``funding_sources * FISCAL_YEARS``
    allocations, so scale ``allocations`` down with ``actions`` (the command
    line and bench.py use three per action). Raises ValueError for
    impossible combinations.
    """
    if frameworks < 1 or actions < 0 or allocations < 0 or members < 0:
        raise ValueError("frameworks must be at least 1; counts cannot be negative")
    if stakeholders < 1:
        raise ValueError("at least one stakeholder is needed to lead actions")
    if funding_sources < SHARED_FUNDING_SOURCES + 1:
        raise ValueError(f"funding_sources must be at least {SHARED_FUNDING_SOURCES + 1}")
    if workshops < 0:
        raise ValueError("workshops cannot be negative")
    per_action = funding_sources * FISCAL_YEARS
    if allocations and not actions:
        raise ValueError("allocations need actions")
    if allocations > actions * per_action:
        raise ValueError(
            f"{allocations} allocations do not fit: at most {per_action} per action "
            f"({funding_sources} sources x {FISCAL_YEARS} fiscal years)"
        )

    rng = random.Random(seed)
    orgs = [_stakeholder(rng, i) for i in range(stakeholders)]
    pools = _stakeholder_pools(rng, stakeholders, frameworks)
    shared_sources = [
        {
            "key": f"shared-fund-{j + 1:02d}",
            "name": f"National prevention grant programme {j + 1}",
            "kind": "federal_grant",
            "reference": f"NPG-{2024 + j}-{j + 1:03d}",
            "amount": None,
            "currency": "USD",
            "starts": "2024-10-01",
            "ends": "2034-09-30",
            "notes": None,
        }
        for j in range(SHARED_FUNDING_SOURCES)
    ]
    actions_per_framework = _split(actions, frameworks)
    allocation_counts = _spread(rng, allocations, actions, per_action)
    member_homes = [i % frameworks for i in range(members)]

    plans = []
    first_action = 0
    for f in range(frameworks):
        n_actions = actions_per_framework[f]
        counts = allocation_counts[first_action : first_action + n_actions]
        first_action += n_actions
        plans.append(
            _framework_plan(
                rng,
                f,
                n_actions=n_actions,
                allocation_counts=counts,
                pool=pools[f],
                orgs=orgs,
                shared_sources=shared_sources,
                n_sources=funding_sources,
                n_workshops=workshops,
                member_ids=[i for i, home in enumerate(member_homes) if home == f],
            )
        )
    return plans


def count_items(plans: Sequence[dict[str, Any]]) -> dict[str, int]:
    """How many of each item the plans hold (shared stakeholders and sources once)."""
    counts = dict.fromkeys(
        (
            "frameworks",
            "stakeholders",
            "funding_sources",
            "members",
            "workshops",
            "findings",
            "goals",
            "objectives",
            "indicators",
            "actions",
            "partners",
            "finding_refs",
            "allocations",
        ),
        0,
    )
    stakeholders: set[str] = set()
    sources: set[str] = set()
    for plan in plans:
        counts["frameworks"] += 1
        stakeholders.update(s["key"] for s in plan.get("stakeholders", []))
        sources.update(s["key"] for s in plan.get("funding_sources", []))
        counts["members"] += len(plan.get("members", []))
        for workshop in plan.get("workshops", []):
            counts["workshops"] += 1
            counts["findings"] += len(workshop.get("findings", []))
        for goal in plan.get("goals", []):
            counts["goals"] += 1
            counts["finding_refs"] += len(goal.get("findings", []))
            for objective in goal.get("objectives", []):
                counts["objectives"] += 1
                counts["indicators"] += len(objective.get("indicators", []))
                counts["finding_refs"] += len(objective.get("findings", []))
                for action in objective.get("actions", []):
                    counts["actions"] += 1
                    counts["partners"] += len(action.get("partners", []))
                    counts["finding_refs"] += len(action.get("findings", []))
                    counts["allocations"] += len(action.get("funding", []))
    counts["stakeholders"] = len(stakeholders)
    counts["funding_sources"] = len(sources)
    return counts


def write_plans(plans: Sequence[dict[str, Any]], out: str | Path) -> list[Path]:
    """Write each plan as ``<framework key>.json`` in ``out`` (created); return the paths."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for plan in plans:
        path = folder / f"{plan['framework']['key']}.json"
        path.write_text(json.dumps(plan, indent=1, default=str) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


# -- the pieces ----------------------------------------------------------------------------


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _spread(rng: random.Random, total: int, slots: int, cap: int) -> list[int]:
    """``total`` items over ``slots`` at random (about Poisson), at most ``cap`` in each."""
    counts = [0] * slots
    if not slots:
        return counts
    placed = 0
    while placed < total:
        i = rng.randrange(slots)
        if counts[i] < cap:
            counts[i] += 1
            placed += 1
    return counts


def _stakeholder(rng: random.Random, i: int) -> dict[str, Any]:
    name = f"{rng.choice(_ORG_WORDS)} {rng.choice(_ORG_KINDS)} {i + 1}"
    return {
        "key": f"org-{i + 1:05d}",
        "name": name,
        "sector": rng.choice(_SECTORS),
        "description": _sentence(rng, 8, 20) if rng.random() < 0.3 else None,
    }


def _stakeholder_pools(rng: random.Random, stakeholders: int, frameworks: int) -> list[list[int]]:
    """Indexes of the stakeholders each framework may refer to (home ones and shared ones)."""
    pools: list[set[int]] = [set() for _ in range(frameworks)]
    for i in range(stakeholders):
        home = i % frameworks
        pools[home].add(i)
        if frameworks > 1 and rng.random() < 0.1:
            others = [f for f in range(frameworks) if f != home]
            for f in rng.sample(others, min(len(others), rng.randint(1, 3))):
                pools[f].add(i)
    for pool in pools:  # fewer stakeholders than frameworks: borrow some
        while len(pool) < min(2, stakeholders):
            pool.add(rng.randrange(stakeholders))
    return [sorted(pool) for pool in pools]


def _framework_plan(
    rng: random.Random,
    f: int,
    *,
    n_actions: int,
    allocation_counts: list[int],
    pool: list[int],
    orgs: list[dict[str, Any]],
    shared_sources: list[dict[str, Any]],
    n_sources: int,
    n_workshops: int,
    member_ids: list[int],
) -> dict[str, Any]:
    key = f"bench-city-{f + 1:03d}"
    start = dt.date(2024 + f % 3, 1 + rng.randrange(12), 1)
    near = rng.choice((6, 12))
    framework = {
        "key": key,
        "city": f"Benchville {f + 1}",
        "state": _STATES[f % len(_STATES)],
        "country": "US",
        "title": f"Benchville {f + 1} local prevention framework",
        "description": _sentence(rng, 20, 40),
        "stage": rng.choice(("planning", "draft", "initial", "final")),
        "starts": f"{start.year}-{start.month:02d}",
        "near_term_months": near,
        "mid_term_months": near + rng.choice((12, 18, 24)),
        "currency": "USD",
    }
    pool_keys = [orgs[i]["key"] for i in pool]

    # Workshops and their findings.
    workshops = []
    finding_refs: list[str] = []
    for w in range(n_workshops):
        wkey = f"w-{w + 1:02d}"
        findings = []
        for n in range(rng.randint(3, 8)):
            fkey = f"f-{n + 1:02d}"
            finding: dict[str, Any] = {"key": fkey, "text": _sentence(rng, 12, 30)}
            if rng.random() < 0.3:
                finding["translations"] = {"fr": _sentence(rng, 12, 30)}
            findings.append(finding)
            finding_refs.append(f"{wkey}/{fkey}")
        held = start - dt.timedelta(days=rng.randint(30, 400))
        workshops.append(
            {
                "key": wkey,
                "title": f"Leadership-group workshop {w + 1}",
                "held_on": held.isoformat() if rng.random() < 0.9 else None,
                "location": f"Benchville {f + 1} City Hall" if rng.random() < 0.7 else None,
                "participants": rng.sample(pool_keys, min(len(pool_keys), rng.randint(5, 15))),
                "findings": findings,
            }
        )

    # Goals > objectives, then actions spread over the objectives.
    goals = []
    objectives: list[dict[str, Any]] = []
    indicator_number = 0
    for g in range(rng.randint(4, 8)):
        goal = {
            "key": f"g-{g + 1:02d}",
            "title": f"Improve {rng.choice(_THEMES)}",
            "description": _sentence(rng, 10, 25) if rng.random() < 0.5 else None,
            "findings": _refs(rng, finding_refs),
            "objectives": [],
        }
        for _ in range(rng.randint(2, 6)):
            indicators = []
            for _ in range(rng.randint(0, 2)):
                indicator_number += 1
                indicators.append(_indicator(rng, indicator_number, start))
            objective = {
                "key": f"o-{len(objectives) + 1:03d}",
                "title": f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)}",
                "description": _sentence(rng, 10, 25) if rng.random() < 0.5 else None,
                "findings": _refs(rng, finding_refs),
                "indicators": indicators,
                "actions": [],
            }
            goal["objectives"].append(objective)
            objectives.append(objective)
        goals.append(goal)

    # Funding: shared sources first, then this framework's own.
    own_sources = [f"{key}-fund-{j + 1:02d}" for j in range(n_sources - SHARED_FUNDING_SOURCES)]
    source_keys = [s["key"] for s in shared_sources] + own_sources
    allocated = dict.fromkeys(own_sources, 0)  # cents

    for n in range(n_actions):
        action = _action(rng, n, start, pool_keys, finding_refs)
        funding = []
        slots = rng.sample(range(len(source_keys) * FISCAL_YEARS), allocation_counts[n])
        for slot in sorted(slots):
            source = source_keys[slot // FISCAL_YEARS]
            cents = rng.randint(100_000, 25_000_000) if rng.random() < 0.8 else None
            if cents is not None and source in allocated:
                allocated[source] += cents
            funding.append(
                {
                    "source": source,
                    "amount": _money(cents),
                    "fiscal_year": start.year + slot % FISCAL_YEARS,
                }
            )
        action["funding"] = funding
        rng.choice(objectives)["actions"].append(action)

    funding_sources = [dict(s) for s in shared_sources]
    for j, source in enumerate(own_sources):
        committed = allocated[source] + allocated[source] // 10 + rng.randint(0, 10_000_000)
        funding_sources.append(
            {
                "key": source,
                "name": f"Benchville {f + 1} {rng.choice(_THEMES)} fund {j + 1}",
                "kind": rng.choice(_KINDS),
                "reference": f"BV{f + 1}-{j + 1:03d}" if rng.random() < 0.5 else None,
                "amount": _money(committed) if rng.random() < 0.8 else None,
                "currency": "USD",
                "starts": f"{start.year}-{start.month:02d}",
                "ends": f"{start.year + FISCAL_YEARS}-{start.month:02d}",
                "notes": _sentence(rng, 6, 15) if rng.random() < 0.2 else None,
            }
        )

    members = []
    for i in member_ids:
        members.append(
            {
                "login": f"user{i + 1:05d}",
                "name": f"Bench User {i + 1}",
                "role": rng.choice(("coordinator", "member", "member", "viewer")),
                "stakeholders": rng.sample(pool_keys, min(len(pool_keys), rng.randint(1, 2))),
            }
        )

    plan: dict[str, Any] = {
        "framework": framework,
        "stakeholders": [dict(orgs[i]) for i in pool],
        "funding_sources": funding_sources,
    }
    if members:
        plan["members"] = members
    plan["workshops"] = workshops
    plan["goals"] = goals
    return plan


def _action(
    rng: random.Random, n: int, start: dt.date, pool_keys: list[str], finding_refs: list[str]
) -> dict[str, Any]:
    picked = rng.sample(pool_keys, min(len(pool_keys), 1 + rng.randint(0, 3)))
    begins = start + dt.timedelta(days=rng.randint(0, 900))
    due = begins + dt.timedelta(days=rng.randint(30, 1500))
    has_due = rng.random() < 0.85
    # Months (YYYY-MM) are allowed for starts and due; use them now and then.
    as_month = rng.random() < 0.2
    return {
        "key": f"a-{n + 1:06d}",
        "title": f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_AUDIENCES)}",
        "description": _sentence(rng, 15, 45) if rng.random() < 0.4 else None,
        # Without a due date the horizon must be given; with one it is derived when missing.
        "horizon": (rng.choice(("near_term", "mid_term", "long_term")) if not has_due or rng.random() < 0.1 else None),
        "lead": picked[0],
        "partners": picked[1:],
        "status": rng.choice(("planned", "planned", "in_progress", "blocked", "done")),
        "starts": (
            (f"{begins.year}-{begins.month:02d}" if as_month else begins.isoformat()) if rng.random() < 0.7 else None
        ),
        "due": ((f"{due.year}-{due.month:02d}" if as_month else due.isoformat()) if has_due else None),
        "cost": _money(rng.randint(50_000, 50_000_000)) if rng.random() < 0.6 else None,
        "findings": _refs(rng, finding_refs),
    }


def _indicator(rng: random.Random, n: int, start: dt.date) -> dict[str, Any]:
    baseline = rng.randint(0, 1000)
    return {
        "key": f"i-{n:04d}",
        "name": f"Share of {rng.choice(_OBJECTS)} delivered",
        "unit": rng.choice(("percent", "people", "sessions", "reports")),
        "baseline": f"{baseline}.{rng.randint(0, 9)}" if rng.random() < 0.7 else None,
        "target": str(baseline + rng.randint(1, 500)) if rng.random() < 0.7 else None,
        "target_date": f"{start.year + rng.randint(1, 4)}-12" if rng.random() < 0.5 else None,
        "direction": rng.choice(("increase", "decrease")),
        "description": None,
    }


def _refs(rng: random.Random, finding_refs: list[str]) -> list[str]:
    return rng.sample(finding_refs, min(len(finding_refs), rng.randint(0, 2)))


def _money(cents: int | None) -> str | None:
    if cents is None:
        return None
    return f"{cents // 100}.{cents % 100:02d}"


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


# -- command line --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write deterministic synthetic plan files (one JSON file per framework)."
    )
    parser.add_argument("--actions", type=int, default=100_000, help="total actions (100000)")
    parser.add_argument("--frameworks", type=int, default=20, help="plan files (20)")
    parser.add_argument("--stakeholders", type=int, default=2_000, help="total stakeholders (2000)")
    parser.add_argument("--allocations", type=int, default=None, help="total allocations (3 per action)")
    parser.add_argument("--members", type=int, default=0, help="total members (0)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--out", required=True, help="folder for the JSON files (created)")
    args = parser.parse_args(argv)
    allocations = 3 * args.actions if args.allocations is None else args.allocations
    try:
        plans = generate_plans(
            actions=args.actions,
            frameworks=args.frameworks,
            stakeholders=args.stakeholders,
            allocations=allocations,
            seed=args.seed,
            members=args.members,
        )
    except ValueError as exc:
        parser.error(str(exc))
    paths = write_plans(plans, args.out)
    counts = count_items(plans)
    print(f"wrote {len(paths)} files to {args.out}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
