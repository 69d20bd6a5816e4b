"""Plan: goals > objectives > actions as a tree, with the findings and indicators of the highlighted part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static, Tree
from textual.widgets.tree import TreeNode

from tracker.models.enums import Status
from tracker.services.plan.tree import ActionNode, FindingView, GoalNode, IndicatorNode, ObjectiveNode, PlanTree
from tracker.tui.loading import FAILED, deliver, fetch, load, save
from tracker.tui.widgets.action_list import STATUS_LABEL

OPEN = {Status.planned, Status.in_progress, Status.blocked}


@dataclass(frozen=True)
class Item:
    """What a tree node stands for; ``id`` survives a reload, so the cursor stays put."""

    kind: str  # framework, goal, objective, indicator, action
    id: str
    node: Any


@dataclass(frozen=True)
class MeasurementInput:
    value: str
    on: dt.date | None
    note: str | None


def number(value: Decimal | None) -> str:
    """A value as people write it: 6, not 6.000 or 6E+0."""
    return "not set" if value is None else format(value.normalize(), ",f")


def _overdue(a: ActionNode) -> bool:
    return a.status in OPEN and a.due is not None and a.due < dt.date.today()


def _label(item: Item) -> Text:
    n = item.node
    if item.kind == "framework":
        return Text(f"{n.city}: {n.title}", style="bold")
    if item.kind in ("goal", "objective"):
        return Text.assemble((n.key, "bold"), " ", n.title)
    if item.kind == "indicator":
        return Text.assemble(("◆ ", "cyan"), n.name)
    # the overdue mark before the title, so that a title cut at the edge does not hide it
    return Text.assemble(STATUS_LABEL[n.status.value][0], ("!" if _overdue(n) else " ", "bold red"), " ", n.title)


class Pane:
    """The detail of one tree item, built from rich Text (user text is never read as
    markup), with wrapped lines kept under their indent."""

    def __init__(self) -> None:
        self.parts: list[RenderableType] = []
        self.grid: Table | None = None

    def _add(self, part: RenderableType) -> None:
        self.grid = None
        self.parts.append(part)

    def line(self, text: Text, indent: int = 0) -> None:
        self._add(Padding(text, (0, 0, 0, indent)) if indent else text)

    def heading(self, words: str) -> None:
        self.line(Text(f"\n{words}", style="bold underline"))

    def para(self, words: str | None, style: str = "") -> None:
        if words:
            self.line(Text(words, style=style))

    def field(self, label: str, value: str, style: str = "") -> None:
        if self.grid is None:
            self.grid = Table.grid(padding=(0, 2))
            self.grid.add_column(justify="right", style="bold", min_width=10)
            self.grid.add_column()
            self.parts.append(self.grid)
        self.grid.add_row(Text(label), Text(value, style=style))

    def findings(self, cited: tuple[FindingView, ...]) -> None:
        self.heading("Answers these findings")
        if not cited:
            self.line(Text("none cited", style="italic"), 2)
        for f in cited:
            when = f.held_on.isoformat() if f.held_on else "date unknown"
            key = f.ref.rsplit("/", 1)[-1]
            shown = "" if key in (str(f.number), f"f{f.number}") else f" ({key})"
            mark = " (background workshop: not counted by coverage)" if f.background else ""
            self.line(Text(f"{f.workshop_title}, {when}, finding {f.number}{shown}{mark}", style="bold"), 2)
            self.line(Text(f.text), 4)
            for lang in sorted(f.translations, key=lambda lang: (lang != "fr", lang)):  # French first
                self.line(Text.assemble((f"{lang}: ", "bold"), (f.translations[lang], "italic")), 4)

    def indicator(self, i: IndicatorNode) -> None:
        self.line(
            Text.assemble(("◆ ", "cyan"), (i.name, "bold"), f" ({i.ref}, in {i.unit}, aim: {i.direction.value})"), 2
        )
        by = f" by {i.target_date}" if i.target_date else " (no target date)"
        self.line(Text(f"baseline {number(i.baseline)}, target {number(i.target)}{by}"), 4)
        if i.latest_value is None:
            self.line(Text("latest: no value recorded yet", style="italic"), 4)
        else:
            self.line(Text(f"latest: {number(i.latest_value)} on {i.latest_on}", style="bold"), 4)

    def indicators(self, objective: ObjectiveNode) -> None:
        self.heading("Indicators")
        if not objective.indicators:
            self.line(Text("none", style="italic"), 2)
        for i in objective.indicators:
            self.indicator(i)

    def render(self) -> Group:
        return Group(*self.parts)


def describe(item: Item | None, plan: PlanTree | None) -> Group:
    pane = Pane()
    if item is None or plan is None:
        pane.para("No framework yet: load a plan with `tracker seed`.")
        return pane.render()
    n = item.node
    if item.kind == "framework":
        pane.para(plan.title, "bold")
        pane.field("framework", plan.key)
        pane.field("city", ", ".join(p for p in (plan.city, plan.state) if p))
        pane.field("stage", plan.stage.value)
        pane.field("starts", plan.starts.isoformat())
        for w in plan.windows:
            pane.field(w.horizon.value.replace("_", " "), f"{w.starts} to {w.ends or 'open-ended'}")
        pane.field("goals", str(len(plan.goals)))
        pane.field("findings", str(len(plan.findings)))
    elif item.kind == "goal":
        g: GoalNode = n
        pane.para(f"Goal {g.key}", "bold")
        pane.para(g.title, "bold")
        pane.para(g.description)
        pane.field("objectives", str(len(g.objectives)))
        pane.field("visibility", g.visibility.value)
        pane.findings(g.findings)
    elif item.kind == "objective":
        o: ObjectiveNode = n
        pane.para(f"Objective {o.key}", "bold")
        pane.para(o.title, "bold")
        pane.para(o.description)
        pane.field("actions", str(len(o.actions)))
        pane.field("visibility", o.visibility.value)
        pane.findings(o.findings)
        pane.indicators(o)
    elif item.kind == "indicator":
        pane.para("Indicator", "bold")
        pane.indicator(n)
        pane.field("visibility", n.visibility.value)
        pane.para("\nPress i to record a new value.", "italic")
    else:
        a: ActionNode = n
        pane.para(f"Action {a.ref}", "bold")
        pane.para(a.title, "bold")
        late = _overdue(a)
        pane.field("status", STATUS_LABEL[a.status.value] + ("  (overdue)" if late else ""), "red" if late else "")
        pane.field("lead", a.lead)
        pane.field("due", a.due.isoformat() if a.due else "not set")
        pane.field("horizon", a.horizon.value.replace("_", " "))
        pane.field("visibility", a.visibility.value)
        pane.findings(a.findings)
        pane.para("\nPress Enter to open the action.", "italic")
    return pane.render()


def _walk(node: TreeNode[Item]) -> Iterator[TreeNode[Item]]:
    yield node
    for child in node.children:
        yield from _walk(child)


class PlanScreen(Screen[None]):
    BINDINGS = [
        # priority: the Tree's own Enter would otherwise hide this one from the Footer
        Binding(
            "enter", "open", "Open", tooltip="Open the highlighted action, or fold a goal or objective", priority=True
        ),
        Binding("i", "record", "Record", tooltip="Record a value of the highlighted indicator"),
        # Shown to coordinators only; for anyone else `a` stays the app's key to Actions.
        Binding("a", "add_action", "Add action", tooltip="Add an action under the highlighted objective"),
        Binding("e", "edit_item", "Edit", tooltip="Edit the highlighted goal, objective, indicator or action"),
        Binding("A", "add_item", "Add", tooltip="Add a goal (on the plan), an objective (on a goal), an indicator"),
        *[Binding(key, "refuse_plan", show=False) for key in ("e", "A")],
        # the app's ? again, before the screen keys that follow, so that it stays in view at 80 columns
        Binding("question_mark", "app.help", "Help", tooltip="What the symbols and words mean, and the keys here"),
        Binding("w", "switch_plan", "Other plan", tooltip="Show the plan of another framework"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: PlanTree | None = None
        self.chosen: str | None = None  # the plan picked here, shown while the scope is all frameworks
        self.revealing: str | None = None  # an item to move to when the plan arrives
        self.unsaved: tuple[str, MeasurementInput] | None = None  # kept when a save failed

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="plan"):
            yield Tree[Item]("plan", id="plan-tree")
            with VerticalScroll(id="plan-pane"):
                yield Static("loading…", id="plan-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()

    def on_screen_resume(self) -> None:
        self.load()  # the framework filter may have changed on another screen

    def refresh_data(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def reveal(self, framework: str, item_id: str) -> None:
        """Show ``framework``'s plan with the cursor on ``item_id`` (such as "i:REF")."""
        if self.app.scope is not None and self.app.scope != framework:  # type: ignore[attr-defined]
            self.app.set_scope(framework)  # type: ignore[attr-defined]
        self.chosen = framework
        self.revealing = item_id
        self.load()

    def action_switch_plan(self) -> None:
        from tracker.tui.screens.scope import ScopeDialog

        shown = self.plan.key if self.plan else None
        self.app.push_screen(ScopeDialog(self.app.places, shown, everything=False), self._switched)  # type: ignore[attr-defined]

    def _switched(self, choice: tuple[str | None] | None) -> None:
        if choice is None or choice[0] is None:
            return
        if self.app.scope is not None:  # type: ignore[attr-defined]
            # the header names the scope: it follows the plan shown
            self.app.set_scope(choice[0])  # type: ignore[attr-defined]
        self.chosen = choice[0]
        self.load()

    @work(thread=True, exclusive=True, group="plan")
    def load(self) -> None:
        # the scope's plan; else the one picked here; else the member's own
        framework = self.app.scope or self.chosen  # type: ignore[attr-defined]
        load(self, lambda data: data.plan(framework), self.show)

    def show(self, plan: PlanTree | None) -> None:
        tree: Tree[Item] = self.query_one(Tree)
        same = self.plan is not None and plan is not None and self.plan.key == plan.key
        keep = tree.cursor_node.data.id if same and tree.cursor_node and tree.cursor_node.data else None
        keep = self.revealing or keep  # kept until the cursor is there: a second load may come first
        expanded = {n.data.id for n in _walk(tree.root) if n.data and n.is_expanded} if same else None
        self.plan = plan
        self.refresh_bindings()
        if plan is None:
            self.sub_title = "no framework"
            tree.reset("no framework")
            self.query_one("#plan-detail", Static).update(describe(None, None))
            return
        self.sub_title = f"plan of {plan.city}" + (f", {plan.state}" if plan.state else "") + " (w: other plan)"

        def add(parent: TreeNode[Item], item: Item, leaf: bool = False) -> TreeNode[Item]:
            if leaf:
                return parent.add_leaf(_label(item), item)
            return parent.add(_label(item), item, expand=expanded is None or item.id in expanded)

        root_item = Item("framework", "fw", plan)
        tree.reset(_label(root_item), root_item)
        for g in plan.goals:
            goal = add(tree.root, Item("goal", f"g:{g.key}", g))
            for o in g.objectives:
                objective = add(goal, Item("objective", f"o:{o.key}", o))
                for i in o.indicators:
                    add(objective, Item("indicator", f"i:{i.ref}", i), leaf=True)
                for a in o.actions:
                    add(objective, Item("action", f"a:{a.ref}", a), leaf=True)
        tree.root.expand()
        target = next((n for n in _walk(tree.root) if n.data and n.data.id == keep), tree.root)
        above = target.parent
        while above is not None:  # an item just added under a folded one is shown too
            above.expand()
            above = above.parent

        def place_cursor() -> None:
            tree.move_cursor(target)
            if target.data is not None and target.data.id == self.revealing:
                self.revealing = None

        self.call_after_refresh(place_cursor)
        self.show_item(target.data)

    def show_item(self, item: Item | None) -> None:
        self.query_one("#plan-detail", Static).update(describe(item, self.plan))

    @on(Tree.NodeHighlighted)
    def highlighted(self, event: Tree.NodeHighlighted[Item]) -> None:
        self.show_item(event.node.data)

    @on(Tree.NodeSelected)
    def selected(self, event: Tree.NodeSelected[Item]) -> None:
        self.open(event.node.data)

    def _current(self) -> Item | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None else None

    def action_open(self) -> None:
        node = self.query_one(Tree).cursor_node
        if node is None or node.data is None:
            return
        if node.data.kind == "action":
            self.open(node.data)
        elif node.allow_expand:
            node.toggle()

    def open(self, item: Item | None) -> None:
        if item is not None and item.kind == "action":
            from tracker.tui.screens.detail import ActionDetailScreen

            self.app.push_screen(ActionDetailScreen(item.node.ref))

    # -- adding an action (coordinators) -------------------------------------------------------

    def _why_not(self, what: str) -> str | None:
        from tracker.services.access.rules import why_not_coordinate

        app: Any = self.app
        member = app.data.member if app._data is not None else None
        return None if self.plan is None else why_not_coordinate(member, self.plan.key, what)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_action", "edit_item", "add_item"):
            return self.plan is not None and self._why_not("add an action") is None
        if action == "refuse_plan":
            return self.plan is not None and self._why_not("change its plan") is not None
        return True

    def action_refuse_plan(self) -> None:
        self.notify(self._why_not("change its plan") or "", title="You cannot change this plan", severity="warning")

    def action_edit_item(self) -> None:
        from tracker.tui.screens.item_tree import edit_item

        edit_item(self)

    def action_add_item(self) -> None:
        from tracker.tui.screens.item_tree import add_item

        add_item(self)

    def action_add_action(self) -> None:
        from tracker.tui.screens.action_form import ActionForm, add_saver, open_plan_form

        if self.plan is None:
            return
        # under the highlighted objective, or the one the highlighted action or indicator is under
        node = self.query_one(Tree).cursor_node
        while node is not None and (node.data is None or node.data.kind != "objective"):
            node = node.parent
        objective = node.data.node.key if node is not None and node.data is not None else None
        framework = self.plan.key
        open_plan_form(
            self,
            framework,
            "add an action",
            lambda choices, _: ActionForm(framework, choices, add_saver(), objective=objective),
            self._added,
        )

    def _added(self, detail: Any) -> None:
        if detail is not None:
            self.notify(f"{detail.row.ref}: added")
            self.revealing = f"a:{detail.row.ref}"
            self.load()

    # -- recording an indicator's value -----------------------------------------------------

    def action_record(self) -> None:
        item = self._current()
        if item is None or item.kind != "indicator" or self.plan is None:
            self.notify("Move to an indicator (◆) first, then press i.", severity="warning")
            return
        self.ask_record(item.node)

    @work(thread=True, exclusive=True, group="ask")
    def ask_record(self, indicator: IndicatorNode) -> None:
        """Ask the rules first, as action pages do: a refusal before typing, not after."""
        reason = fetch(self, lambda data: data.why_not_record(indicator.ref))
        if reason is not FAILED:
            deliver(self, self._open_record, indicator, reason)

    def _open_record(self, indicator: IndicatorNode, reason: str | None) -> None:
        if reason:
            self.notify(reason, title="You cannot record values here", severity="warning")
            return
        kept = self.unsaved[1] if self.unsaved and self.unsaved[0] == indicator.ref else None
        self.app.push_screen(MeasurementDialog(indicator, kept), lambda m: self._recorded(indicator.ref, m))

    def _recorded(self, ref: str, m: MeasurementInput | None) -> None:
        if m is not None:
            self.save_measurement(ref, m)

    @work(thread=True, exclusive=True, group="write")
    def save_measurement(self, ref: str, m: MeasurementInput) -> None:
        def keep() -> None:
            self.unsaved = (ref, m)

        done = save(self, lambda data: data.record(ref, m.value, m.on, m.note), keep=keep, key="i")
        if done is FAILED:
            return
        self.unsaved = None
        self.app.call_from_thread(self.notify, f"{ref}: {done['value']} recorded for {done['on']}")
        self.app.call_from_thread(self.load)  # start the reload from the app thread


class MeasurementDialog(ModalScreen[MeasurementInput | None]):
    """A new value of an indicator, its date (today when left empty) and a note."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, indicator: IndicatorNode, kept: MeasurementInput | None = None) -> None:
        super().__init__()
        self.indicator = indicator
        self.kept = kept

    def compose(self) -> ComposeResult:
        i = self.indicator
        with Vertical(id="dialog"):
            yield Label(Text(f"Record {i.ref}"), id="dialog-title")
            yield Static(
                Text(f"{i.name}: target {number(i.target)} {i.unit}, latest {number(i.latest_value)}"),
                classes="dialog-text",
            )
            kept = self.kept
            yield Input(kept.value if kept else "", placeholder=f"value in {i.unit}", type="number", id="value")
            yield Input(
                str(kept.on) if kept and kept.on else "",
                placeholder=f"date, YYYY-MM-DD (empty: today, {dt.date.today()})",
                id="on",
            )
            yield Input(
                (kept.note or "") if kept else "",
                placeholder="note (optional): where does the number come from?",
                id="note",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        value = self.query_one("#value", Input).value.strip()
        try:
            Decimal(value)
        except InvalidOperation:
            self.notify("Type the value as a number, for example 12 or 3.5.", severity="warning")
            self.query_one("#value", Input).focus()
            return
        when = self.query_one("#on", Input).value.strip()
        try:
            on_date = dt.date.fromisoformat(when) if when else None
        except ValueError:
            self.notify(f"{when!r} is not a date; write it as YYYY-MM-DD, or leave it empty.", severity="warning")
            self.query_one("#on", Input).focus()
            return
        note = self.query_one("#note", Input).value.strip() or None
        self.dismiss(MeasurementInput(value, on_date, note))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
