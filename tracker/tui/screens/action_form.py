"""The action form: add an action or change its plan, checked field by field as a plan file is.

One modal screen for both. What is typed is checked by the plan-file contract (the
one the CLI uses) before anything is written, and a problem is said in words under
its field. The form writes itself, in a worker, and closes only when the write is
done: on a problem, a refusal, a lost connection or a conflict it stays open with
everything typed, so nothing is ever lost.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from tracker.errors import BadField, BadInput, Conflict, TrackerError
from tracker.models.enums import Horizon, Visibility
from tracker.services.views import ActionDetail
from tracker.tui.data import Data, FormChoices

# The fields in the order of the form; each has an error line under it (``#<field>-error``).
FIELDS = (
    "objective", "key", "title", "description", "lead", "partners", "owner", "horizon", "starts", "due", "cost",
    "visibility",
)  # fmt: skip
HORIZONS = [(h.value.replace("_", " "), h) for h in Horizon]
# Public: on the page of `tracker publish` when its objective and goal are public too.
VISIBILITIES = [(v.value, v) for v in Visibility]


def key_from(title: str) -> str:
    """A key for a new action from its title, as plan files write keys (``survey-young-people``)."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return words[:64].rstrip("-")


@dataclass(frozen=True)
class Saver:
    """How a form writes: ``write(data, fields, force)``, in a worker; ``latest(data)``
    reads the action as it is now, for the conflict dialog."""

    write: Callable[[Data, dict[str, Any], bool], Any]
    latest: Callable[[Data], ActionDetail] | None = None


def open_plan_form(
    screen: Screen[Any],
    framework: str,
    what: str,
    make: Callable[[FormChoices, ActionDetail | None], Screen[Any]],
    done: Callable[[Any], None],
    *,
    ref: str | None = None,
) -> None:
    """Ask the rules whether the member may ``what`` in ``framework`` (as they are now: roles
    change while the app is open), then open the form ``make`` builds from the framework's
    choices (and the action ``ref`` as it is now). A refusal is said before any typing."""
    from tracker.tui.loading import FAILED, deliver, fetch

    def show(reason: str | None, choices: FormChoices, detail: ActionDetail | None) -> None:
        if reason:
            screen.notify(reason, title="You cannot change this plan", severity="warning")
        else:
            screen.app.push_screen(make(choices, detail), done)

    def work() -> None:
        found = fetch(
            screen,
            lambda data: (
                data.why_not_plan(framework, what),
                data.form_choices(framework),
                data.detail(ref) if ref else None,
            ),
        )
        if found is not FAILED:
            deliver(screen, show, *found)

    screen.run_worker(work, thread=True, exclusive=True, group="ask")


def add_saver(objective: str | None = None) -> Saver:
    """Add an action under ``framework/objective`` (the objective: fixed, or picked in the form)."""

    def write(data: Data, fields: dict[str, Any], force: bool) -> ActionDetail:
        fields = dict(fields)
        return data.add_action(fields.pop("objective"), fields)

    return Saver(write=write)


class Form(ModalScreen[Any]):
    """A form that writes itself in a worker and closes only once written; every problem is
    said in it (under its field when it has one) and what was typed stays."""

    FIELDS: tuple[str, ...] = ()
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", tooltip="Check and save (the form stays open on a problem)"),
    ]

    def __init__(self, saver: Saver, seen_version: int | None) -> None:
        super().__init__()
        self.saver = saver
        self.seen_version = seen_version  # the action's version when the form opened

    def _field(self, name: str, widget: Any, label: str | None = None) -> ComposeResult:
        """A field on one line after its label (compact, so that a form fits 80x24), with its
        problem, in words, on the line under it."""
        if hasattr(widget, "compact"):
            widget.compact = True
        with Horizontal(classes="form-field"):
            yield Label(label or name, classes="form-label")
            yield widget
        yield Static("", id=f"{name}-error", classes="field-error")

    _key_typed = False  # adding: the key follows the title until the person types one

    def key_follows(self, title: str) -> None:
        """Adding an item: fill its key from the title, until the person types a key."""
        if not self._key_typed:
            key = self.query_one("#key", Input)
            with self.prevent(Input.Changed):
                key.value = key_from(title)

    @on(Input.Changed, "#key")
    def _key_changed(self) -> None:
        self._key_typed = True

    def hide_errors(self) -> None:
        for error in self.query(".field-error, .form-error"):
            error.display = False

    def say(self, field: str | None, message: str | None) -> None:
        """Show ``message`` under ``field`` (None, or a field not in the form: above it)."""
        under = field in self.FIELDS
        if message and under:  # under its field, the field's name need not be said again
            message = message.removeprefix(f"{field}: ")
            message = message[:1].upper() + message[1:]
        target = self.query_one(f"#{field}-error" if under else "#form-error", Static)
        target.update(Text(message or ""))
        target.display = bool(message)
        if message and field in self.FIELDS:
            found = self.query(f"#{field}")
            if found:
                found.first().focus()

    def mine(self, fields: dict[str, Any]) -> str:
        """The change in words, for the conflict dialog."""
        return ", ".join(f"{k} → {'none' if v is None else getattr(v, 'value', v)}" for k, v in fields.items())

    @work(thread=True, exclusive=True, group="form")
    def save(self, fields: dict[str, Any], force: bool) -> None:
        app: Any = self.app
        try:
            done = self.saver.write(app.data, fields, force)
        except Conflict as exc:
            words = exc.message
            if self.saver.latest is not None:
                from tracker.tui.screens.detail import conflict_words

                with contextlib.suppress(Exception):  # else said as the service put it
                    words = conflict_words(self.saver.latest(app.data), self.seen_version or 0)
            app.call_from_thread(self._conflict, words, fields)
            return
        except BadField as exc:
            app.call_from_thread(self.say, exc.field, exc.message)
            return
        except TrackerError as exc:  # a refusal says why and who could; the form keeps what was typed
            app.call_from_thread(self.say, None, f"Not saved: {exc.message}")
            return
        except Exception as exc:  # a lost connection: the form stays open, Save tries again
            app.call_from_thread(app.connection_trouble, exc)
            app.call_from_thread(self.say, None, "Not saved: the database cannot be reached. Press Save again later.")
            return
        app.call_from_thread(self.dismiss, done)

    def _conflict(self, words: str, fields: dict[str, Any]) -> None:
        from tracker.tui.screens.dialogs import ConflictDialog

        def settle(force: bool | None) -> None:
            if force:
                self.save(fields, True)
            else:  # keep theirs: nothing written; the page shows the action as it is now
                self.dismiss(None)

        self.app.push_screen(ConflictDialog(words, self.mine(fields)), settle)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ActionForm(Form):
    """Add an action (``detail`` None) or edit the plan of ``detail``."""

    FIELDS = FIELDS

    def __init__(
        self,
        framework: str,
        choices: FormChoices,
        saver: Saver,
        *,
        detail: ActionDetail | None = None,
        objective: str | None = None,
    ) -> None:
        super().__init__(saver, detail.row.version if detail else None)
        self.framework = framework
        self.choices = choices
        self.detail = detail
        self.objective = objective  # fixed when adding from the plan tree; else picked here

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.detail
        r = d.row if d else None
        title = f"Edit {r.ref} (version {r.version})" if r else "New action in " + self.app.place(self.framework)  # type: ignore[attr-defined]
        with Vertical(id="form"):
            yield Label(Text(title), id="dialog-title")
            yield Static("", id="form-error", classes="form-error")
            with VerticalScroll(id="form-fields"):
                if r is None:
                    if self.objective is None:
                        objectives = self.choices.objectives
                        picker = Select(objectives, prompt="the objective it serves", id="objective")
                        yield from self._field("objective", picker)
                    else:
                        yield from self._field("objective", Static(Text(self.objective), classes="form-fixed"))
                    key = Input(placeholder="lowercase words joined by - (from the title)", id="key")
                    yield from self._field("key", key)
                title_input = Input(r.title if r else "", placeholder="what will be done", id="title")
                yield from self._field("title", title_input)
                yield from self._field(
                    "description", Input((d.description or "") if d else "", placeholder="optional", id="description")
                )
                leads = self.choices.stakeholders
                if r is not None and r.lead.key not in {k for _, k in leads}:
                    leads = [(r.lead.name, r.lead.key), *leads]
                lead = r.lead.key if r else Select.NULL
                yield from self._field("lead", Select(leads, prompt="who leads it", value=lead, id="lead"))
                partners = {p.key for p in r.partners} if r else set()
                known = {k for _, k in leads}
                offered = [*leads, *((p.name, p.key) for p in (r.partners if r else ()) if p.key not in known)]
                yield from self._field(
                    "partners",
                    SelectionList[str](*[(name, key, key in partners) for name, key in offered], id="partners"),
                )
                # The framework's people; whether one may own this action (they work for its lead
                # or a partner) is the service's rule, said under the field when they may not.
                people = self.choices.people
                owner = r.owner if r else None
                if owner is not None and owner not in {login for _, login in people}:
                    people = [(owner, owner), *people]
                yield from self._field(
                    "owner",
                    Select(people, prompt="nobody named", value=owner or Select.NULL, id="owner", allow_blank=True),
                )
                yield from self._field(
                    "horizon",
                    Select(HORIZONS, prompt="from the due date", value=r.horizon if r else Select.NULL, id="horizon"),
                )
                yield from self._field(
                    "starts", Input(str(r.starts or "") if r else "", placeholder="2026-03, today, +2w", id="starts")
                )
                yield from self._field(
                    "due", Input(str(r.due or "") if r else "", placeholder="2026-06-30, 2026-06, +3m", id="due")
                )
                cost = "" if r is None or r.cost is None else f"{r.cost:f}"
                yield from self._field("cost", Input(cost, placeholder="12000 (empty: not known)", id="cost"))
                visibility = d.visibility if d is not None else Visibility.internal
                yield from self._field(
                    "visibility", Select(VISIBILITIES, value=visibility, allow_blank=False, id="visibility")
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", compact=True, id="save")
                yield Button("Cancel", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.hide_errors()
        first = "#objective" if self.detail is None and self.objective is None else "#title"
        self.query_one(first).focus()

    @on(Input.Changed, "#title")
    def _title_changed(self, event: Input.Changed) -> None:
        if self.detail is None:
            self.key_follows(event.value)

    # -- checking ---------------------------------------------------------------------------

    def typed(self) -> tuple[dict[str, Any], str | None]:
        """The fields as the contract names them, and the objective (adding); raises
        `BadField` for the first field that is not right."""
        from tracker.dates import parse_user_date

        def text(name: str) -> str:
            return self.query_one(f"#{name}", Input).value.strip()

        def date(name: str, end_of_month: bool) -> Any:
            value = text(name)
            if not value:
                return None
            try:
                return parse_user_date(value, end_of_month=end_of_month)
            except BadInput as exc:
                raise BadField(name, f"{name}: {exc.message}") from None

        lead = self.query_one("#lead", Select).value
        horizon = self.query_one("#horizon", Select).value
        fields: dict[str, Any] = {
            "key": self.detail.row.key if self.detail else text("key"),
            "title": text("title"),
            "description": text("description") or None,
            "lead": lead if isinstance(lead, str) else None,
            "partners": list(self.query_one("#partners", SelectionList).selected),
            "owner": owner if isinstance(owner := self.query_one("#owner", Select).value, str) else None,
            "horizon": horizon if isinstance(horizon, Horizon) else None,
            "starts": date("starts", False),
            "due": date("due", True),
            "cost": text("cost") or None,
            "visibility": visibility
            if isinstance(visibility := self.query_one("#visibility", Select).value, Visibility)
            else Visibility.internal,
        }
        objective = self.objective
        if self.detail is None and objective is None:
            picked = self.query_one("#objective", Select).value
            if not isinstance(picked, str):
                raise BadField("objective", "objective: choose the objective this action serves.")
            objective = picked
        if self.detail is None and not fields["key"]:
            raise BadField("key", "key: give the action a key, such as youth-survey.")
        if not fields["title"]:
            raise BadField("title", "title: an action always has a title.")
        if fields["lead"] is None:
            raise BadField("lead", "lead: choose the organisation that leads it.")
        from tracker.services.plan.edits import validated_action  # the plan-file contract

        validated_action(fields)
        return fields, objective

    def changes(self, fields: dict[str, Any]) -> dict[str, Any]:
        """What differs from the action as it was shown (editing)."""
        assert self.detail is not None
        r, d = self.detail.row, self.detail
        before = {
            "title": r.title, "description": d.description, "lead": r.lead.key,
            "partners": sorted(p.key for p in r.partners), "owner": r.owner, "horizon": r.horizon,
            "starts": r.starts, "due": r.due,
            "cost": None if r.cost is None else f"{r.cost:f}", "visibility": d.visibility,
        }  # fmt: skip
        after = {**fields, "partners": sorted(fields["partners"])}
        if after["horizon"] is None:
            after["horizon"] = r.horizon  # the Select cannot be emptied to "clear" a horizon
        out = {k: after[k] for k in before if after[k] != before[k]}
        for name in ("title", "description"):  # a one-line field shows line breaks as spaces: not a change
            if name in out and " ".join(str(out[name] or "").split()) == " ".join(str(before[name] or "").split()):
                del out[name]
        if "cost" in out and out["cost"] is not None and before["cost"] is not None:
            from decimal import Decimal, InvalidOperation

            try:
                if Decimal(str(out["cost"])) == Decimal(str(before["cost"])):
                    del out["cost"]
            except InvalidOperation:
                pass
        return out

    # -- saving -----------------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        self.hide_errors()
        try:
            fields, objective = self.typed()
        except BadField as exc:
            self.say(exc.field, exc.message)
            return
        if objective is not None:
            fields = {**fields, "objective": f"{self.framework}/{objective}"}
        elif self.detail is not None:
            fields = self.changes(fields)
            if not fields:
                self.say(None, "Nothing changed: change a field, or press Escape to close.")
                return
        self.save(fields, False)

    def mine(self, fields: dict[str, Any]) -> str:
        return super().mine({k: v for k, v in fields.items() if k not in ("key", "objective")})
