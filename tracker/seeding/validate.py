"""From plain data to a checked `PlanFile`, with every problem located and explained."""

from __future__ import annotations

import re
import types
import typing
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from tracker.names import twin_message
from tracker.seeding.plan import ActionIn, FundingSourceIn, PlanFile
from tracker.seeding.problems import Loc, PlanProblems, Problem
from tracker.seeding.reader import compose, line_of


@dataclass(frozen=True)
class LoadedPlan:
    """A plan file that passed every check of its own (the database may still refuse it)."""

    source: str
    plan: PlanFile
    text: str | None = None  # kept to point at lines if applying it fails


def validate_data(data: Any, *, source: str = "<data>", text: str | None = None) -> LoadedPlan:
    """Check plain data (from YAML, JSON or a script) as a plan; raise `PlanProblems`."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PlanProblems([Problem(source, f"is {kind}; a plan file is a mapping that starts with `framework:`")])
    try:
        plan = PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = [_from_pydantic(source, error) for error in exc.errors(include_url=False)]
        raise PlanProblems(locate(problems, text)) from None
    problems = list(check_plan(source, plan))
    if problems:
        raise PlanProblems(locate(problems, text))
    return LoadedPlan(source, plan, text)


def locate(problems: list[Problem], text: str | None) -> list[Problem]:
    """Add line numbers (from the YAML/JSON text) to problems that have a path."""
    if text is None:
        return problems
    document = compose(text) if any(p.line is None and p.loc for p in problems) else None
    located = []
    for problem in problems:
        if problem.line is None and problem.loc:
            line, column = line_of(document, problem.loc)
            problem = Problem(problem.source, problem.message, problem.loc, line, column)
        located.append(problem)
    return sorted(located, key=lambda p: (p.line or 0, p.column or 0))


# -- pydantic errors, said as a user needs them -------------------------------------------


def _from_pydantic(source: str, error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    given = error.get("input")
    message = error["msg"]
    if kind == "missing":
        message = "is missing; add it"
    elif kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1])
        message = f"is not a known field; remove it or fix its spelling (allowed here: {allowed})"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif (kind == "string_pattern_mismatch" and loc and loc[-1] in ("key", "lead", "source")) or (
        kind == "string_pattern_mismatch" and len(loc) >= 2 and isinstance(loc[-1], int)
    ):
        suggestion = _slug(str(given))
        message = f"{given!r} is not a valid key; use lowercase letters, digits and hyphens" + (
            f", for example {suggestion!r}" if suggestion else ""
        )
        if "findings" in loc:
            message += " (a finding is referred to as workshop-key/finding-key)"
    elif kind == "enum":
        message = f"{given!r} is not allowed; {message[0].lower()}{message[1:]}"
    elif kind == "string_too_long":
        message += "; shorten it (long text belongs in `description`)"
    elif kind in ("greater_than_equal", "greater_than") and _is_number(given):
        message = f"{given} is too small; {message[0].lower()}{message[1:]}"
    elif kind in ("decimal_parsing", "decimal_type"):
        message = f"{_show(given)} is not a number; write digits, for example 15000 or 1250.50"
    elif kind == "string_type" and isinstance(given, bool):
        message = (
            f"{message} (got {given}): YAML reads yes, no, on, off, true and false as true or false; "
            "put the text in quotes"
        )
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        message = f"{message} (got {_show(given)})"
    return Problem(source, message, loc)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


def _allowed_fields(loc: Loc) -> str:
    model: Any = PlanFile
    for part in loc:
        model = _unwrap(model)
        if isinstance(part, int):
            args = typing.get_args(model)
            model = args[0] if args else model
        elif isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = model.model_fields[part].annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(model.model_fields)
    return "?"


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(options[0]) if options else annotation
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is list:
        return annotation
    return annotation


# -- checks that need the whole file ------------------------------------------------------


def check_plan(source: str, plan: PlanFile) -> Iterator[Problem]:
    """References resolve, keys are unique, dates and money add up."""
    fw = plan.framework
    if fw.mid_term_months <= fw.near_term_months:
        yield Problem(
            source,
            f"the mid term ({fw.mid_term_months} months) must be longer than the near term "
            f"({fw.near_term_months} months)",
            ("framework", "mid_term_months"),
        )

    stakeholders = {s.key for s in plan.stakeholders}
    sources = {s.key: s for s in plan.funding_sources}
    findings = {f"{w.key}/{f.key}" for w in plan.workshops for f in w.findings}

    yield from _unique(
        source,
        "stakeholder",
        ((("stakeholders", i, "key"), s.key) for i, s in enumerate(plan.stakeholders)),
    )
    yield from _unique(
        source,
        "funding source",
        ((("funding_sources", i, "key"), s.key) for i, s in enumerate(plan.funding_sources)),
    )
    yield from _unique(source, "member", ((("members", i, "login"), m.login) for i, m in enumerate(plan.members)))
    folded: dict[str, str] = {}
    for i, m in enumerate(plan.members):  # no two logins differ only by case (`members.case_twins`)
        first = folded.setdefault(m.login.lower(), m.login)
        if first != m.login:
            yield Problem(source, twin_message(m.login, first), ("members", i, "login"))
    yield from _unique(source, "workshop", ((("workshops", i, "key"), w.key) for i, w in enumerate(plan.workshops)))

    def stakeholder_ref(loc: Loc, key: str) -> Iterator[Problem]:
        if key not in stakeholders:
            yield Problem(
                source,
                f"{key!r} is not a stakeholder of this file; declare it under `stakeholders:` or fix the key",
                loc,
            )

    for i, member in enumerate(plan.members):
        for j, key in enumerate(member.stakeholders):
            yield from stakeholder_ref(("members", i, "stakeholders", j), key)

    for i, src in enumerate(plan.funding_sources):
        for problem in source_problems(src):
            yield Problem(source, problem.message, ("funding_sources", i, *problem.loc))

    for i, workshop in enumerate(plan.workshops):
        yield from _unique(
            source,
            f"finding of workshop {workshop.key!r}",
            ((("workshops", i, "findings", j, "key"), f.key) for j, f in enumerate(workshop.findings)),
        )
        for j, key in enumerate(workshop.participants):
            yield from stakeholder_ref(("workshops", i, "participants", j), key)
        yield from _repeats(source, ("workshops", i, "participants"), workshop.participants)

    def finding_refs(loc: Loc, refs: list[str]) -> Iterator[Problem]:
        for j, ref in enumerate(refs):
            if ref not in findings:
                workshop = ref.split("/")[0]
                known = {f.split("/")[0] for f in findings}
                what = "finding" if workshop in known else "workshop"
                yield Problem(
                    source,
                    f"{ref!r} names no {what} of this file; use workshop-key/finding-key of a "
                    "finding declared under `workshops:`",
                    (*loc, "findings", j),
                )
        yield from _repeats(source, (*loc, "findings"), refs)

    goal_keys: list[tuple[Loc, str]] = []
    objective_keys: list[tuple[Loc, str]] = []
    action_keys: list[tuple[Loc, str]] = []
    indicator_keys: list[tuple[Loc, str]] = []
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    first_allocation: dict[str, Loc] = {}
    over_alone: set[str] = set()

    for g, goal in enumerate(plan.goals):
        gloc: Loc = ("goals", g)
        goal_keys.append(((*gloc, "key"), goal.key))
        yield from finding_refs(gloc, goal.findings)
        for o, objective in enumerate(goal.objectives):
            oloc: Loc = (*gloc, "objectives", o)
            objective_keys.append(((*oloc, "key"), objective.key))
            yield from finding_refs(oloc, objective.findings)
            for n, indicator in enumerate(objective.indicators):
                indicator_keys.append(((*oloc, "indicators", n, "key"), indicator.key))
            for a, action in enumerate(objective.actions):
                aloc: Loc = (*oloc, "actions", a)
                action_keys.append(((*aloc, "key"), action.key))
                yield from finding_refs(aloc, action.findings)
                yield from _check_action(source, aloc, action, stakeholder_ref, sources)
                for f, allocation in enumerate(action.funding):
                    if allocation.source in sources and allocation.amount is not None:
                        allocated[allocation.source] += allocation.amount
                        first_allocation.setdefault(allocation.source, (*aloc, "funding", f, "amount"))
                        committed = sources[allocation.source].amount
                        if committed is not None and allocation.amount > committed:
                            over_alone.add(allocation.source)  # already said for that one

    yield from _unique(source, "goal", goal_keys)
    yield from _unique(source, "objective", objective_keys)
    yield from _unique(source, "action", action_keys)
    yield from _unique(source, "indicator", indicator_keys)

    for key, total in allocated.items():
        committed = sources[key].amount
        if committed is not None and total > committed and key not in over_alone:
            yield Problem(
                source,
                f"the allocations from funding source {key!r} add up to {total}, more than its "
                f"committed amount {committed}; lower them or correct the source's amount",
                first_allocation[key],
            )


def source_problems(src: FundingSourceIn) -> list[Problem]:
    """What is wrong with one funding source on its own, as a plan file's check says it
    (a source added or edited in the tool obeys the same rule)."""
    if src.starts and src.ends and src.ends < src.starts:
        return [Problem("", f"ends {src.ends} before it starts ({src.starts}); fix one of the two dates", ("ends",))]
    return []


def action_problems(action: ActionIn) -> list[Problem]:
    """What is wrong with one action on its own (dates, horizon, partners), as a plan file's
    check says it: an action added or edited in the tool obeys the same rules. Stakeholders
    and funding are the caller's to resolve against the database."""
    return list(_check_action("", (), action, lambda _loc, _key: iter(()), {}))


def _check_action(
    source: str,
    loc: Loc,
    action: ActionIn,
    stakeholder_ref: Any,
    sources: dict[str, Any],
) -> Iterator[Problem]:
    yield from stakeholder_ref((*loc, "lead"), action.lead)
    for p, partner in enumerate(action.partners):
        yield from stakeholder_ref((*loc, "partners", p), partner)
        if partner == action.lead:
            yield Problem(
                source,
                f"{partner!r} leads this action; remove it from the partners",
                (*loc, "partners", p),
            )
    yield from _repeats(source, (*loc, "partners"), action.partners)
    if action.starts and action.due and action.due < action.starts:
        yield Problem(
            source,
            f"is due {action.due}, before it starts ({action.starts}); fix one of the two dates",
            (*loc, "due"),
        )
    if action.horizon is None and action.due is None:
        yield Problem(
            source,
            "has neither a horizon nor a due date; give one (horizon: near_term, mid_term or "
            "long_term, or due: YYYY-MM-DD)",
            (*loc, "horizon"),
        )
    seen: set[tuple[str, int]] = set()
    for f, allocation in enumerate(action.funding):
        floc: Loc = (*loc, "funding", f)
        src = sources.get(allocation.source)
        if src is None:
            yield Problem(
                source,
                f"{allocation.source!r} is not a funding source of this file; declare it under "
                "`funding_sources:` or fix the key",
                (*floc, "source"),
            )
            continue
        if (allocation.source, allocation.fiscal_year) in seen:
            yield Problem(
                source,
                f"{allocation.source!r} is allocated twice for fiscal year "
                f"{allocation.fiscal_year}; merge the two amounts into one entry",
                floc,
            )
        seen.add((allocation.source, allocation.fiscal_year))
        if src.amount is not None and allocation.amount is not None and allocation.amount > src.amount:
            yield Problem(
                source,
                f"allocates {allocation.amount} from {allocation.source!r}, more than its "
                f"committed amount {src.amount}; lower the allocation or correct the "
                "source's amount",
                (*floc, "amount"),
            )


def _unique(source: str, what: str, items: Iterable[tuple[Loc, str]]) -> Iterator[Problem]:
    first: dict[str, Loc] = {}
    for loc, key in items:
        if key in first:
            yield Problem(
                source,
                f"the {what} key {key!r} is used twice (first at {_path(first[key])}); give each its own key",
                loc,
            )
        else:
            first[key] = loc


def _repeats(source: str, loc: Loc, keys: list[str]) -> Iterator[Problem]:
    if len(keys) < 2 or len(set(keys)) == len(keys):
        return
    for key, count in Counter(keys).items():
        if count > 1:
            yield Problem(source, f"{key!r} is listed {count} times; list it once", (*loc, keys.index(key)))


def _path(loc: Loc) -> str:
    from tracker.seeding.problems import format_loc

    return format_loc(loc)
