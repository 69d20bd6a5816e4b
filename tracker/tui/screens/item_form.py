"""The item form: add or edit a goal, an objective, an indicator or a funding source.

One modal screen for the four kinds, built from the fields `tracker.services.plan.items`
lets each kind change, on the action form's `Form` (errors under their field, the write
in a worker, the conflict dialog). What is typed is checked by the plan-file contract
before anything is written, as the CLI's `goals|objectives|indicators add|edit` are.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from tracker.errors import BadField, BadInput
from tracker.models.enums import Direction, FundingKind, Visibility
from tracker.services.plan.items import KINDS, ItemView
from tracker.tui.data import Data
from tracker.tui.screens.action_form import Form, Saver

WHAT = {"goal": "goal", "objective": "objective", "indicator": "indicator", "source": "funding source"}
LABELS = {"target_date": "target date", "position": "position", "findings": "findings"}
PLACEHOLDERS = {
    "title": "what it aims at",
    "name": "what is measured",
    "description": "optional",
    "unit": "people, %, days",
    "baseline": "the value at the start (optional)",
    "target": "the value aimed at (optional)",
    "target_date": "2027-12-31, 2027-12 (optional)",
    "reference": "grant number (optional)",
    "amount": "committed, 250000 (empty: not known)",
    "currency": "USD",
    "starts": "2026-01-01, 2026-01 (optional)",
    "ends": "2027-12-31, 2027-12 (optional)",
    "notes": "optional",
    "position": "among its siblings, 1 first (empty: last)",
}
CHOICES: dict[str, list[tuple[str, Any]]] = {
    "direction": [(d.value, d) for d in Direction],
    "kind": [(k.value.replace("_", " "), k) for k in FundingKind],
    # Public: on the page of `tracker publish` when everything above it is public too.
    "visibility": [(v.value, v) for v in Visibility],
}
DATES = {"target_date": True, "starts": False, "ends": True}  # end of the month when only one is given


def shown(value: Any) -> str:
    """A stored value as the form shows it (6, not 6.000; dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(getattr(value, "value", value))


def same(a: Any, b: Any) -> bool:
    """Whether a typed value (checked by the contract) equals the stored one."""
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    if isinstance(a, str) and isinstance(b, str):  # a one-line field shows line breaks as spaces
        return " ".join(a.split()) == " ".join(b.split())
    return shown(a) == shown(b)


class ItemForm(Form):
    """Add an item of ``kind`` under ``under`` (``view`` None) or edit ``view``; ``findings``:
    the framework's findings as (label, ref), offered to goals and objectives."""

    def __init__(
        self,
        kind: str,
        saver: Saver,
        *,
        under: str,
        view: ItemView | None = None,
        findings: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(saver, view.version if view else None)
        self.kind = KINDS[kind]
        self.under = under
        self.view = view
        self.findings = findings if self.kind.findings is not None else None
        positioned = () if self.kind.shared else ("position",)
        linked = ("findings",) if self.findings is not None else ()
        self.FIELDS = ("key", *self.kind.fields, *positioned, *linked)

    def compose(self) -> ComposeResult:
        v, what = self.view, WHAT[self.kind.name]
        if v is not None:
            title = f"Edit the {what} {v.ref} (version {v.version})"
        else:
            title = f"New {what}" + (f" under {self.under}" if self.under else "")
        values = v.fields if v else {}
        with Vertical(id="form"):
            yield Label(Text(title), id="dialog-title")
            yield Static("", id="form-error", classes="form-error")
            with VerticalScroll(id="form-fields"):
                if v is None:
                    key = Input(placeholder="lowercase words joined by - (from the name)", id="key")
                    yield from self._field("key", key)
                for name in self.kind.fields:
                    label = LABELS.get(name, name)
                    if name in CHOICES:
                        value = values.get(name)
                        picked = Select.NULL if value is None else type(CHOICES[name][0][1])(shown(value))
                        widget: Any = Select(CHOICES[name], prompt=f"the {name}", value=picked, id=name)
                    else:
                        widget = Input(shown(values.get(name)), placeholder=PLACEHOLDERS.get(name, ""), id=name)
                    yield from self._field(name, widget, label)
                if "position" in self.FIELDS:
                    place = str(v.position) if v and v.position else ""
                    yield from self._field(
                        "position", Input(place, placeholder=PLACEHOLDERS["position"], id="position")
                    )
                if self.findings is not None:
                    linked = set(v.findings) if v else set()
                    offered = [(label, ref, ref in linked) for label, ref in self.findings]
                    yield from self._field("findings", SelectionList[str](*offered, id="findings"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", compact=True, id="save")
                yield Button("Cancel", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.hide_errors()
        self.query_one("#title" if "title" in self.kind.fields else "#name").focus()

    @on(Input.Changed, "#title, #name")
    def _title_changed(self, event: Input.Changed) -> None:
        if self.view is None:
            self.key_follows(event.value)

    # -- checking ---------------------------------------------------------------------------

    def typed(self) -> dict[str, Any]:
        """The kind's fields as typed (None: left empty); raises `BadField` for a date
        that is not one."""
        from tracker.dates import parse_user_date

        fields: dict[str, Any] = {}
        for name in self.kind.fields:
            if name in CHOICES:
                value = self.query_one(f"#{name}", Select).value
                fields[name] = None if value is Select.NULL else value
                continue
            text = self.query_one(f"#{name}", Input).value.strip()
            if text and name in DATES:
                try:
                    fields[name] = parse_user_date(text, end_of_month=DATES[name])
                except BadInput as exc:
                    raise BadField(name, f"{name}: {exc.message}") from None
            else:
                fields[name] = text or None
        return fields

    def position(self) -> int | None:
        if "position" not in self.FIELDS:
            return None
        text = self.query_one("#position", Input).value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise BadField("position", "position: give a whole number, 1 for the first.") from None

    def linked(self) -> set[str]:
        if self.findings is None:
            return set()
        return set(self.query_one("#findings", SelectionList).selected)

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        from tracker.services.plan.edits import validated_item  # the plan-file contract

        self.hide_errors()
        try:
            fields, position, linked = self.typed(), self.position(), self.linked()
            v = self.view
            key = v.ref.rsplit("/", 1)[-1] if v else self.query_one("#key", Input).value.strip()
            if not key:
                raise BadField("key", f"key: give the {WHAT[self.kind.name]} a key, such as youth-safety.")
            kept = {} if v is None else {k: x for k, x in v.fields.items() if k not in fields}
            item = validated_item(self.kind.contract, {**kept, **fields, "key": key})
        except BadField as exc:
            self.say(exc.field, exc.message)
            return
        if v is None:
            out: dict[str, Any] = {**fields, "key": key, "position": position, "link": sorted(linked)}
        else:
            out = {k: fields[k] for k in fields if not same(getattr(item, k), v.fields[k])}
            if position is not None and position != v.position:
                out["position"] = position
            if linked != set(v.findings):
                out["link"], out["unlink"] = sorted(linked - set(v.findings)), sorted(set(v.findings) - linked)
            if not out:
                self.say(None, "Nothing changed: change a field, or press Escape to close.")
                return
        self.save(out, False)

    def mine(self, fields: dict[str, Any]) -> str:
        return super().mine({k: v for k, v in fields.items() if k != "key" and v not in (None, [])})


def add_saver(kind: str, under: str) -> Saver:
    def write(data: Data, fields: dict[str, Any], force: bool) -> ItemView:
        f = dict(fields)
        position, link = f.pop("position", None), f.pop("link", [])
        return data.add_item(kind, under, f, position=position, findings=link)

    return Saver(write=write)


def edit_saver(kind: str, ref: str, version: int) -> Saver:
    """Edit ``ref`` as read at ``version``; applying mine over a newer change forces it."""

    def write(data: Data, fields: dict[str, Any], force: bool) -> ItemView:
        f = dict(fields)
        position, link, unlink = f.pop("position", None), f.pop("link", []), f.pop("unlink", [])
        return data.edit_item(
            kind, ref, f, position=position, link=link, unlink=unlink, expected_version=version, force=force
        )

    return Saver(write=write)


def open_item_form(
    screen: Screen[Any],
    kind: str,
    done: Any,
    *,
    framework: str | None = None,
    under: str = "",
    ref: str | None = None,
    findings: list[tuple[str, str]] | None = None,
) -> None:
    """Ask the rules first (as they are now), then open the form on the item as it is now:
    a refusal is said before any typing. ``done`` gets the saved item (None: nothing saved)."""
    from tracker.tui.loading import FAILED, deliver, fetch

    what = WHAT[kind]

    def ask(data: Data) -> tuple[str | None, ItemView | None]:
        if framework is None:  # a funding source: shared by frameworks
            reason = data.why_not_source(ref)
        else:
            reason = data.why_not_plan(framework, f"change a {what}" if ref else f"add a {what}")
        return reason, (data.item(kind, ref) if ref and reason is None else None)

    def show(reason: str | None, view: ItemView | None) -> None:
        if reason:
            screen.notify(reason, title=f"You cannot change this {what}", severity="warning")
            return
        saver = edit_saver(kind, view.ref, view.version) if view else add_saver(kind, under)
        screen.app.push_screen(ItemForm(kind, saver, under=under, view=view, findings=findings), done)

    def work() -> None:
        found = fetch(screen, ask)
        if found is not FAILED:
            deliver(screen, show, *found)

    screen.run_worker(work, thread=True, exclusive=True, group="ask")


def finding_choices(findings: Any) -> list[tuple[str, str]]:
    """A plan's findings as the form offers them: workshop and number, then the text."""
    out = []
    for f in findings:
        text = " ".join(f.text.split())
        out.append((f"{f.ref}: {text[:60]}", f.ref))
    return out


__all__ = ["ItemForm", "finding_choices", "open_item_form"]
