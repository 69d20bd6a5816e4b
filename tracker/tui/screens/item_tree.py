"""The plan tree's editing keys: `e` edits the highlighted goal, objective, indicator or
action; `A` adds a goal (on the plan), an objective (on a goal) or an indicator (on an
objective, or beside the indicators and actions under one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.tui.screens.item_form import finding_choices, open_item_form

if TYPE_CHECKING:
    from tracker.tui.screens.plan import Item, PlanScreen

# What `A` adds on each kind of node, and under which node.
ADDS = {
    "framework": "goal",
    "goal": "objective",
    "objective": "indicator",
    "indicator": "indicator",
    "action": "indicator",
}


def _cursor(screen: PlanScreen) -> Any:
    from textual.widgets import Tree

    return screen.query_one(Tree).cursor_node


def _saved(screen: PlanScreen, prefix: str) -> Any:
    """After a save: say so, and show the plan again with the cursor on the item."""

    def done(view: Any) -> None:
        if view is None:  # cancelled, or kept theirs: the plan as it is now
            screen.load()
            return
        ref = view.row.ref if prefix == "a" else view.ref  # an action's detail, or an item
        screen.notify(f"{ref}: saved")
        screen.revealing = f"{prefix}:{ref if prefix in ('i', 'a') else ref.rsplit('/', 1)[-1]}"
        screen.load()

    return done


def edit_item(screen: PlanScreen) -> None:
    node = _cursor(screen)
    plan = screen.plan
    item: Item | None = node.data if node is not None else None
    if plan is None or item is None or item.kind == "framework":
        screen.notify("Move to a goal, objective, indicator or action, then press e.", severity="warning")
        return
    framework = plan.key
    if item.kind == "action":
        from tracker.tui.screens.action_form import ActionForm, open_plan_form
        from tracker.tui.screens.detail import edit_saver

        ref = item.node.ref

        def make(choices: Any, now: Any) -> Any:
            return ActionForm(framework, choices, edit_saver(ref, now.row.version), detail=now)

        open_plan_form(screen, framework, "change the plan of an action", make, _saved(screen, "a"), ref=ref)
        return
    ref = item.node.ref if item.kind == "indicator" else f"{framework}/{item.node.key}"
    findings = finding_choices(plan.findings) if item.kind in ("goal", "objective") else None
    prefix = {"goal": "g", "objective": "o", "indicator": "i"}[item.kind]
    open_item_form(screen, item.kind, _saved(screen, prefix), framework=framework, ref=ref, findings=findings)


def add_item(screen: PlanScreen) -> None:
    node = _cursor(screen)
    plan = screen.plan
    if plan is None:
        return
    item: Item | None = node.data if node is not None else None
    kind = ADDS[item.kind if item else "framework"]
    under = plan.key
    if kind != "goal":  # under the goal, or the objective (the highlighted one, or the one it is under)
        parent = "goal" if kind == "objective" else "objective"
        while node is not None and (node.data is None or node.data.kind != parent):
            node = node.parent
        if node is None:
            return
        under = f"{plan.key}/{node.data.node.key}"
    findings = finding_choices(plan.findings) if kind in ("goal", "objective") else None
    prefix = {"goal": "g", "objective": "o", "indicator": "i"}[kind]
    open_item_form(screen, kind, _saved(screen, prefix), framework=plan.key, under=under, findings=findings)
