"""`tracker coverage`: what the plan leaves unanswered, unfunded or unmeasured."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.common import echo_json, reading
from tracker.cli.context import Settings, user_errors

if TYPE_CHECKING:
    from rich.console import Console

    from tracker.services.reporting.coverage import CoverageView


def coverage(
    ctx: typer.Context,
    framework: Annotated[str | None, typer.Option("--framework", "-f", help="Only this framework.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """From finding to action: workshop findings no goal, objective or action answers;
    findings answered only by actions without money; objectives without indicators;
    indicators without a baseline, target, target date or measurement.

    A cancelled action answers nothing. An action has money when it is done, costs
    nothing, or has an allocation of known amount above zero. The findings of
    background workshops (`background: true` in the plan file, such as convenings
    about other cities) can be cited but are not counted; the output names them.

    Example: tracker coverage --framework stamford-ct
             tracker coverage --json
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.services.reporting.coverage import plan_coverage

        with reading(settings) as session:
            views = plan_coverage(session, framework=framework)
        if as_json:
            from tracker.exports.data import plain

            echo_json(plain(views))
        else:
            from tracker.cli.output import console

            print_coverage(views, out=console())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _unknown(count: int) -> str:
    return f" ({_plural(count, 'allocation')} of unknown amount)" if count else ""


def print_coverage(views: Sequence[CoverageView], *, out: Console) -> None:
    """One block per framework, every line and table through the one inert renderer."""
    from tracker.cli.output import Column, show, table
    from tracker.services.reporting.coverage import counted_words

    if not views:
        show("No framework yet; seed a plan first (tracker seed plan.yaml).", out=out)
    for n, v in enumerate(views):
        if n:
            show("", out=out)
        show(
            (
                f"{v.framework}: {v.answered} of {v.findings} findings answered, "
                f"{len(v.unfunded)} of them only by actions without money; "
                f"{v.objectives - len(v.objectives_without_indicators)} of {v.objectives} objectives "
                f"with indicators; {v.indicators - len(v.indicator_gaps)} of {v.indicators} indicators "
                "ready to judge"
            ),
            out=out,
        )
        show(f"Coverage {counted_words(v)}.", out=out)

        def block(title: str, columns: Sequence[str], rows: list[list[str]]) -> None:
            if rows:
                show(table(f"{title}: {len(rows)}", [Column(c, {"overflow": "fold"}) for c in columns], rows), out=out)

        block(
            "Findings not answered",
            ("finding", "what the community said", "note"),
            [
                [f.ref, f.text, _plural(f.cancelled_actions, "cancelled action") if f.cancelled_actions else ""]
                for f in v.unanswered
            ],
        )
        block(
            "Findings answered only by actions without money",
            ("finding", "what the community said", "actions"),
            [
                [
                    f.ref,
                    f.text,
                    ", ".join(f.actions) + _unknown(f.unknown_allocations),
                ]
                for f in v.unfunded
            ],
        )
        block(
            "Objectives without indicators",
            ("objective", "title", "goal", "actions"),
            [[o.key, o.title, o.goal_key, str(o.actions)] for o in v.objectives_without_indicators],
        )
        block(
            "Indicators that cannot be judged yet",
            ("indicator", "name", "objective", "missing"),
            [
                [i.key, i.name, i.objective_key, ", ".join(m.replace("_", " ") for m in i.missing)]
                for i in v.indicator_gaps
            ],
        )
