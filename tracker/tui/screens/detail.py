"""One action: every field, partners, funding, findings, history and notes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tracker.errors import Conflict
from tracker.services.views import ActionDetail, for_whom
from tracker.tui.data import FormChoices
from tracker.tui.loading import FAILED, deliver, fetch, save
from tracker.tui.screens.action_form import Saver
from tracker.tui.screens.dialogs import ConflictDialog, NoteDialog, StatusChoice, StatusDialog
from tracker.tui.widgets.action_list import STATUS_LABEL


def _words(status: object) -> str:
    """A status as people say it: "in progress", not in_progress."""
    return str(getattr(status, "value", status)).replace("_", " ")


def _money(value: object) -> str:
    return "unknown" if value is None else f"{value:,.2f}"


def plan_line(c: Any) -> Text:
    """One plan change (a `PlanChangeRow`) in words."""
    if c.field == "created":
        what = "added it to the plan"
    elif c.field == "deleted":
        what = "deleted it"
    elif c.field == "objective":
        what = f"moved it from {c.old} to {c.new}"
    else:
        what = f"{c.field}: {c.old or 'none'} → {c.new or 'none'}"
    line = Text(f"{c.at:%Y-%m-%d %H:%M}  {c.by or 'a plan file'}: {what.replace('_', ' ')}")
    if c.forced:
        line.append("  (applied over a newer change)", style="yellow")
    return _via(line, c.via_key)


def _via(line: Text, fingerprint: str | None) -> Text:
    """A write made through the team server names the ssh key it came through."""
    if fingerprint:
        line.append(f"  (ssh key {fingerprint})", style="dim")
    return line


def describe(detail: ActionDetail, place: str | None = None, plan_changes: tuple[Any, ...] = ()) -> Text:
    """The detail as literal text: user text is never read as markup; ``place`` is the
    framework's city; ``plan_changes`` the edits of its plan, shown in its history."""
    r = detail.row
    text = Text()

    def field(label: str, value: str, style: str = "") -> None:
        text.append(f"{label:>11}  ", style="bold")
        text.append(value + "\n", style=style)

    field("action", r.ref)
    if place:
        field("city", place)
    field("title", r.title, "bold")
    field("status", STATUS_LABEL[r.status.value] + ("  (overdue)" if r.overdue else ""), "red" if r.overdue else "")
    field("goal", f"{r.goal_key}: {r.goal_title}")
    field("objective", f"{r.objective_key}: {r.objective_title}")
    field("horizon", r.horizon.value.replace("_", " "))
    field("lead", r.lead.name)
    field("partners", ", ".join(p.name for p in r.partners) or "none")
    field("owner", r.owner or "none")
    field("starts", str(r.starts or "not set"))
    field("due", str(r.due or "not set"))
    if r.completed_on:
        field("completed", str(r.completed_on))
    field("cost", _money(r.cost))
    field("funded", r.funded_text())
    for a in detail.allocations:
        field("funding", f"{a.source_name}, FY{a.fiscal_year}: {_money(a.amount)} {a.currency}")
    field("findings", ", ".join(detail.findings) or "none")
    field("version", str(r.version))
    if detail.description:
        text.append("\n" + detail.description + "\n")
    events: list[tuple[object, Text]] = []
    for c in detail.history:
        was = _words(c.from_status) if c.from_status else "new"
        line = Text(f"{c.at:%Y-%m-%d %H:%M}  {c.by or '?'}{for_whom(c.on_behalf_of)}: {was} → {_words(c.to_status)}")
        if c.forced:
            line.append("  (applied over a newer change)", style="yellow")
        if c.note:
            line.append(f"  {c.note}", style="italic")
        events.append((c.at, _via(line, c.via_key)))
    for n in detail.notes:
        line = Text(f"{n.at:%Y-%m-%d %H:%M}  {n.by or '?'}{for_whom(n.on_behalf_of)} noted: ")
        line += Text(n.text, style="italic")
        events.append((n.at, _via(line, n.via_key)))
    for g in detail.retracted_notes:  # what was said stays; struck through, it no longer counts
        line = _via(Text(f"{g.at:%Y-%m-%d %H:%M}  {g.by or '?'} noted: ") + Text(g.text, style="strike dim"), g.via_key)
        line.append(f"  (retracted by {g.retracted_by or '?'} at {g.retracted_at:%Y-%m-%d %H:%M})", style="dim")
        events.append((g.at, line))
    for c in plan_changes:
        events.append((c.at, plan_line(c)))
    text.append("\nHistory\n", style="bold underline")
    if not events:
        text.append("  no changes or notes yet\n")
    for _at, line in sorted(events, key=lambda e: e[0]):  # type: ignore[arg-type,return-value]
        text.append("  ")
        text.append_text(line)
        text.append("\n")
    return text


def conflict_words(now: ActionDetail, seen: int) -> str:
    """What changed since the person read version ``seen``, in words, for the conflict dialog."""
    latest = now.row.last_change or (max(now.history, key=lambda c: c.at) if now.history else None)
    if latest is not None:
        what = (
            f"{latest.by or 'a plan file'} moved it from {_words(latest.from_status) if latest.from_status else 'new'}"
            f" to {_words(latest.to_status)} at {latest.at:%Y-%m-%d %H:%M} UTC"
        )
        if latest.note:
            what += f" ({latest.note})"
    else:
        what = "its plan was edited"
    return (
        f"{now.row.ref} changed since you read it (version {seen}, now {now.row.version}): {what}. "
        "Nothing was written. Keep theirs to see it as it is now, or apply yours over it."
    )


class ActionDetailScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "status", "Status", tooltip="Change the status, with a note"),
        Binding("n", "note", "Note", tooltip="Add a note"),
        Binding("u", "undo", "Undo", tooltip="Undo your own last change on this action"),
        # The plan's keys show only to those who may change the plan (coordinators, admins);
        # anyone else pressing one is told why, and who could, before typing anything.
        Binding("e", "plan('edit')", "Edit", tooltip="Change the title, lead, partners, dates or cost"),
        Binding("dollar_sign", "plan('fund')", "Funding", tooltip="Add, change or remove an allocation"),
        Binding("m", "plan('move')", "Move", tooltip="Move it under another objective"),
        Binding("c", "plan('cancel')", "Cancel it", tooltip="Cancel the action (kept in its history)"),
        *[Binding(key, "refuse_plan", show=False) for key in ("e", "dollar_sign", "m", "c")],
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref
        self.detail: ActionDetail | None = None
        self.refusal: str | None = None
        self.plan_refusal: str | None = "loading"  # why the plan may not be changed here (None: it may)
        self.unsaved: StatusChoice | None = None  # kept when a save failed
        self.unsaved_note: str | None = None  # likewise

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="refusal")
        with VerticalScroll(id="detail-scroll"):
            yield Static("loading…", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        framework, _, key = self.ref.partition("/")
        self.sub_title = f"{self.app.place(framework)} · {key}" if key else self.ref  # type: ignore[attr-defined]
        self.load()

    def refresh_data(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="detail")
    def load(self) -> None:
        framework = self.ref.partition("/")[0]
        found = fetch(
            self,
            lambda data: (
                data.detail(self.ref),
                data.why_not(self.ref),
                data.why_not_plan(framework, "change the plan of an action"),
                data.plan_history(self.ref),
            ),
        )
        if found is not FAILED:
            deliver(self, self.show, *found)

    def show(
        self, detail: ActionDetail, refusal: str | None, plan_refusal: str | None = None, plan: tuple[Any, ...] = ()
    ) -> None:
        self.detail, self.refusal, self.plan_refusal = detail, refusal, plan_refusal
        self.refresh_bindings()
        place = self.app.place(detail.row.framework)  # type: ignore[attr-defined]
        self.query_one("#detail", Static).update(describe(detail, place, plan))
        banner = self.query_one("#refusal", Static)
        banner.update(Text(f"Read only: {refusal}") if refusal else "")
        banner.display = bool(refusal)

    def _can_edit(self) -> bool:
        if self.detail is None:
            return False
        if self.refusal:
            self.notify(self.refusal, title="You cannot change this action", severity="warning")
            return False
        return True

    def action_status(self) -> None:
        if self._can_edit():
            assert self.detail is not None
            shown = self.detail.row
            self.app.push_screen(
                StatusDialog(shown, self.unsaved), lambda choice: self._apply(choice, shown.version, False)
            )

    def _apply(self, choice: StatusChoice | None, version: int, force: bool) -> None:
        if choice is not None:
            self.save_status(choice, version, force)

    @work(thread=True, exclusive=True, group="write")
    def save_status(self, choice: StatusChoice, version: int, force: bool) -> None:
        def keep() -> None:
            self.unsaved = choice

        try:
            result = save(
                self,
                lambda data: data.set_status(self.ref, choice.status, choice.note, version, force),
                keep=keep,
                key="s",
            )
        except Conflict:
            # The service's message suits the command line (it names a command to run);
            # here the dialog says what changed, in words, from the action as it is now.
            now = fetch(self, lambda data: data.detail(self.ref))
            if now is not FAILED:
                self.app.call_from_thread(self._conflict, conflict_words(now, version), choice, version)
            return
        if result is FAILED:
            return
        self.unsaved = None
        forced = " (over a newer change)" if result.forced else ""
        moved = f"{_words(result.from_status)} → {_words(result.to_status)}"
        self.app.call_from_thread(self.notify, f"{self.ref}: {moved}{forced}")
        self.load()

    def _conflict(self, message: str, choice: StatusChoice, version: int) -> None:
        def settle(force: bool | None) -> None:
            if force:
                self.save_status(choice, version, True)
            else:
                self.load()

        self.app.push_screen(ConflictDialog(message, choice), settle)

    def action_undo(self) -> None:
        from tracker.tui.undoing import undo_last

        undo_last(self, self.ref, self.load)

    def action_note(self) -> None:
        if self._can_edit():
            assert self.detail is not None
            self.app.push_screen(NoteDialog(self.detail.row, self.unsaved_note), self._note)

    def _note(self, text: str | None) -> None:
        if text:
            self.save_note(text)

    @work(thread=True, exclusive=True, group="write")
    def save_note(self, text: str) -> None:
        def keep() -> None:
            self.unsaved_note = text

        if save(self, lambda data: data.add_note(self.ref, text), keep=keep, key="n") is FAILED:
            return
        self.unsaved_note = None
        self.app.call_from_thread(self.notify, f"{self.ref}: note added")
        self.load()

    # -- changing the plan: coordinators and admins -----------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plan":
            return self.detail is not None and self.plan_refusal is None
        if action == "refuse_plan":
            return self.detail is not None and self.plan_refusal is not None
        return True

    def action_refuse_plan(self) -> None:
        self.notify(self.plan_refusal or "", title="You cannot change this plan", severity="warning")

    def action_plan(self, what: str) -> None:
        from tracker.tui.screens.action_form import ActionForm, open_plan_form
        from tracker.tui.screens.plan_dialogs import AllocationForm, CancelDialog, MoveDialog

        if self.detail is None:
            return
        ref, framework = self.ref, self.detail.row.framework

        def make(choices: FormChoices, now: ActionDetail | None) -> Screen[Any]:
            detail = now or self.detail
            assert detail is not None
            version = detail.row.version  # what the form shows is what a conflict is judged against
            if what == "edit":
                return ActionForm(framework, choices, edit_saver(ref, version), detail=detail)
            if what == "fund":
                return AllocationForm(detail, choices.sources, allocation_saver(ref, version))
            if what == "move":
                return MoveDialog(detail, choices.objectives, move_saver(ref, version))
            return CancelDialog(detail, cancel_saver(ref, version))

        open_plan_form(self, framework, "change the plan of an action", make, self._plan_changed)

    def _plan_changed(self, done: object) -> None:
        if done is not None:
            self.notify(f"{self.ref}: saved")
        self.load()  # saved, or kept theirs: the action as it is now


def edit_saver(ref: str, version: int) -> Saver:
    """Edit the plan of ``ref``, as read at ``version``."""
    return Saver(
        write=lambda data, fields, force: data.edit_action(ref, fields, version, force),
        latest=lambda data: data.detail(ref),
    )


def allocation_saver(ref: str, version: int) -> Saver:
    return Saver(
        write=lambda data, f, force: data.set_allocation(
            ref, f["source"], f["fiscal_year"], f["amount"], version, force=force, remove=f["remove"]
        ),
        latest=lambda data: data.detail(ref),
    )


def move_saver(ref: str, version: int) -> Saver:
    return Saver(
        write=lambda data, f, force: data.move_action(ref, f["objective"], version, force),
        latest=lambda data: data.detail(ref),
    )


def cancel_saver(ref: str, version: int) -> Saver:
    return Saver(
        write=lambda data, f, force: data.cancel_action(ref, f["note"], version, force),
        latest=lambda data: data.detail(ref),
    )
