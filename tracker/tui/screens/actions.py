"""Actions: a filter bar over a virtual list; filters stay when you move between screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Select, Static
from textual.worker import get_current_worker

from tracker.models.enums import Horizon, Status
from tracker.services.tracking.filters import MAX_SEARCH, ActionFilter, SortField, StakeholderRole
from tracker.tui.data import Data, Page
from tracker.tui.loading import FAILED, deliver, fetch, load
from tracker.tui.widgets.action_list import PAGE, ActionList

STATUS_KEYS = {str(n): status for n, status in enumerate(Status, start=1)}
DUE_WITHIN = [None, 7, 14, 30, 90]  # days, for `d`
HORIZONS: list[tuple[Horizon, ...]] = [(), (Horizon.near_term,), (Horizon.mid_term,), (Horizon.long_term,)]
# `S` walks each order and then its reverse; "updated" starts with the newest
SORTS = [
    (field, descending)
    for field in SortField
    for descending in ((True, False) if field is SortField.updated else (False, True))
]
SEARCH_PAUSE = 0.15  # seconds without a key before a search runs


class ActionsScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "search", "Search", tooltip="Type part of a title or description"),
        Binding("m", "mine", "Mine", tooltip="The actions I own first, then my organisations' (lead or partner)"),
        Binding("o", "flag('overdue')", "Overdue"),
        Binding("t", "flag('stale')", "Stale", tooltip="In progress with no update for 30 days"),
        *[
            Binding(key, f"status('{status.value}')", status.value.replace("_", " "), show=False)
            for key, status in STATUS_KEYS.items()
        ],
        Binding("h", "horizon", "Horizon", show=False),
        Binding("d", "due_within", "Due soon", tooltip="Due within 7, 14, 30 or 90 days, or any time"),
        Binding("S", "sort", "Sort", tooltip="Next order, then the same reversed"),
        Binding("escape", "leave_input", "Leave", show=False),
        Binding("x", "clear", "Clear"),
        Binding("u", "undo", "Undo", tooltip="Undo your own last change on the highlighted action"),
        # Coordinators' keys, shown to them only: `a` adds an action in the framework worked in
        # (for anyone else it stays the app's key to this screen), `e` edits the highlighted one.
        Binding("a", "add_action", "Add", tooltip="Add an action to the framework you work in"),
        Binding("e", "edit_action", "Edit", tooltip="Change the highlighted action's plan"),
        Binding("e", "ask_edit", show=False),  # the same, hidden from the others: they hear why not
    ]

    _search_timer: Timer | None = None
    due_within: int | None = None  # days, while `d` sets the due date filter
    _stakeholder_keys: frozenset[str] = frozenset()  # what the stakeholder select offers

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            # model_copy does not validate: the filter's bound on search text is kept here.
            yield Input(
                placeholder="/ search", id="search", max_length=MAX_SEARCH, tooltip="Part of a title or description"
            )
            yield Select([], prompt="any stakeholder", id="stakeholder")
            yield Select(
                [("lead or partner", StakeholderRole.either), ("as lead", StakeholderRole.lead),
                 ("as partner", StakeholderRole.partner)],
                value=StakeholderRole.either,
                allow_blank=False,
                id="role",
            )  # fmt: skip
        yield Static("", id="filter-text")
        yield ActionList(id="actions")
        yield Static(
            "1-5 status · h horizon · d due soon · S sort · x clear · ? symbols and keys",
            id="keys-hint",
        )
        yield Footer()

    # -- the filter, kept on the app --------------------------------------------------------

    @property
    def flt(self) -> ActionFilter:
        return self.app.action_filter  # type: ignore[attr-defined,no-any-return]

    def describe(self) -> str:
        """The filter in words; a due date set by `d` is said as the days it came from."""
        words = self.flt.describe()
        if self.flt.framework:  # the header names the scope, by its city
            words = words.replace(f"framework {self.flt.framework}", f"in {self.app.place(self.flt.framework)}")  # type: ignore[attr-defined]
        for value in (*Status, *Horizon):  # in words, as people say them
            words = words.replace(value.value, value.value.replace("_", " "))
        due = self.flt.due_before
        if (
            due is not None
            and self.due_within is not None
            and due == dt.date.today() + dt.timedelta(days=self.due_within)
        ):
            words = words.replace(f"due before {due}", f"due within {self.due_within} days (before {due})")
        return words

    def set_filter(self, flt: ActionFilter) -> None:
        self.app.action_filter = flt  # type: ignore[attr-defined]
        self.reload()

    def on_mount(self) -> None:
        self.load_stakeholders()
        self.query_one(ActionList).focus()

    def on_screen_resume(self) -> None:
        self.reload(keep_cursor=True)

    def refresh_data(self) -> None:
        self.reload(keep_cursor=True)

    # -- loading ----------------------------------------------------------------------------

    def reload(self, *, keep_cursor: bool = False) -> None:
        flt = self.flt
        self.refresh_bindings()  # the plan keys follow the framework worked in
        self.query_one("#filter-text", Static).update(Text(self.describe()))
        self._sync_bar(flt)
        self.load(flt, keep_cursor)

    def _sync_bar(self, flt: ActionFilter) -> None:
        """Show the filter in the bar, whoever changed it (a key, another screen, the palette)."""
        search = self.query_one("#search", Input)
        stakeholder = self.query_one("#stakeholder", Select)
        role = self.query_one("#role", Select)
        with self.prevent(Input.Changed, Select.Changed):
            if not search.has_focus and search.value.strip() != (flt.text or ""):
                search.value = flt.text or ""
            one = flt.stakeholders[0] if len(flt.stakeholders) == 1 else None
            if one is not None and one in self._stakeholder_keys:
                if stakeholder.value != one:
                    stakeholder.value = one
            elif not stakeholder.is_blank():
                stakeholder.clear()  # none, or several ("mine"): the line under the bar says which
            if role.value != flt.stakeholder_role:
                role.value = flt.stakeholder_role

    @work(thread=True, exclusive=True, group="filter")
    def load(self, flt: ActionFilter, keep_cursor: bool) -> None:
        first_offset = self.query_one(ActionList).cursor // PAGE * PAGE if keep_cursor else 0

        def count_and_page(data: Data) -> tuple[int, Page] | None:
            total = data.count(flt)
            if get_current_worker().is_cancelled:  # a newer filter is already on its way
                return None
            return total, data.page(flt, first_offset, PAGE)

        found = fetch(self, count_and_page)
        if found is not FAILED and found is not None:
            total, page = found
            deliver(self, self._show, total, page.offset, page.rows, keep_cursor)

    def _show(self, total: int, offset: int, rows: list, keep_cursor: bool) -> None:  # type: ignore[type-arg]
        actions = self.query_one(ActionList)
        self.show_places()
        generation = actions.reset(total, rows if offset == 0 else [], keep_cursor=keep_cursor)
        if offset:
            actions.add_page(offset, rows, generation)
        self.query_one("#filter-text", Static).update(Text(f"{total:,} actions: {self.describe()}"))

    def show_places(self) -> None:
        """A city column when the list spans frameworks (two cities may share action keys)."""
        places = self.app.places  # type: ignore[attr-defined]
        if self.flt.framework or len(places) < 2:  # one framework: its city is in the header
            places = None
        for actions in self.query(ActionList):  # none yet when the names come before the screen is built
            actions.show_places(places)

    @on(ActionList.PageWanted)
    def page_wanted(self, event: ActionList.PageWanted) -> None:
        self.load_page(self.flt, event.offset, event.generation)

    @work(thread=True, group="pages")
    def load_page(self, flt: ActionFilter, offset: int, generation: int) -> None:
        page = fetch(self, lambda data: data.page(flt, offset, PAGE))
        if page is not FAILED:  # the list itself drops pages of an older filter (generation)
            self.app.call_from_thread(self.query_one(ActionList).add_page, offset, page.rows, generation)

    @work(thread=True, group="stakeholders")
    def load_stakeholders(self) -> None:
        load(self, lambda data: data.stakeholder_options(), self._set_stakeholders)

    def _set_stakeholders(self, options: list[tuple[str, str]]) -> None:
        select = self.query_one("#stakeholder", Select)
        self._stakeholder_keys = frozenset(key for key, _ in options)
        with self.prevent(Select.Changed):
            select.set_options([(Text(name), key) for key, name in options])
        self._sync_bar(self.flt)

    # -- the filter bar ---------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        # Wait for a pause in typing: one query per word, not one per key.
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value.strip() or None
        self._search_timer = self.set_timer(
            SEARCH_PAUSE, lambda: self.set_filter(self.flt.model_copy(update={"text": text}))
        )

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.query_one(ActionList).focus()

    @on(Select.Changed, "#stakeholder")
    def stakeholder_changed(self, event: Select.Changed) -> None:
        value = event.value
        keys = (value,) if isinstance(value, str) else ()
        self.set_filter(self.flt.model_copy(update={"stakeholders": keys}))

    @on(Select.Changed, "#role")
    def role_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, StakeholderRole):
            self.set_filter(self.flt.model_copy(update={"stakeholder_role": event.value}))

    @on(ActionList.Opened)
    def open_action(self, event: ActionList.Opened) -> None:
        from tracker.tui.screens.detail import ActionDetailScreen

        self.app.push_screen(ActionDetailScreen(event.row.ref))

    # -- keys -------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_mine(self) -> None:
        """Mine: the actions I own, then my organisations' ones (`tracking.mine`, as `--mine`)."""
        member = self.app.data.member  # type: ignore[attr-defined]
        if member is None:
            self.notify("Nobody is signed in, so nothing is yours.", severity="warning")
            return
        same = self.flt.mine == member.login
        self.set_filter(self.flt.model_copy(update={"mine": None if same else member.login}))

    def action_flag(self, name: str) -> None:
        self.set_filter(self.flt.model_copy(update={name: not getattr(self.flt, name)}))

    def action_status(self, value: str) -> None:
        status = Status(value)
        chosen = list(self.flt.statuses)
        chosen.remove(status) if status in chosen else chosen.append(status)
        self.set_filter(self.flt.model_copy(update={"statuses": tuple(s for s in Status if s in chosen)}))

    def action_horizon(self) -> None:
        index = HORIZONS.index(self.flt.horizons) if self.flt.horizons in HORIZONS else 0
        self.set_filter(self.flt.model_copy(update={"horizons": HORIZONS[(index + 1) % len(HORIZONS)]}))

    def action_sort(self) -> None:
        now = (self.flt.sort, self.flt.descending)
        field, descending = SORTS[(SORTS.index(now) + 1) % len(SORTS)] if now in SORTS else SORTS[0]
        self.set_filter(self.flt.model_copy(update={"sort": field, "descending": descending}))

    def action_due_within(self) -> None:
        days = self.due_within
        self.due_within = DUE_WITHIN[(DUE_WITHIN.index(days) + 1) % len(DUE_WITHIN)] if days in DUE_WITHIN else None
        due = None if self.due_within is None else dt.date.today() + dt.timedelta(days=self.due_within)
        self.set_filter(self.flt.model_copy(update={"due_before": due}))

    def action_leave_input(self) -> None:
        """Escape in the search box (or a select) goes back to the list."""
        if self.focused is not self.query_one(ActionList):
            self.query_one(ActionList).focus()

    def action_undo(self) -> None:
        from tracker.tui.undoing import undo_last

        row = self.query_one(ActionList).current
        if row is None:
            self.notify("No action is highlighted.", severity="warning")
            return
        undo_last(self, row.ref, lambda: self.app.call_from_thread(self.refresh_data))

    def action_clear(self) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#search", Input).value = ""
            self.query_one("#stakeholder", Select).clear()
        self.due_within = None
        self.set_filter(ActionFilter(framework=self.flt.framework))

    # -- changing the plan (coordinators) --------------------------------------------------------

    def _may_plan(self, framework: str | None) -> bool:
        from tracker.services.access.rules import why_not_coordinate

        app: Any = self.app
        member = app.data.member if app._data is not None else None
        if member is None:
            return False
        if framework is None:  # all frameworks: the key shows if there is one they coordinate
            return member.is_admin or any(why_not_coordinate(member, k, "") is None for k in member.roles)
        return why_not_coordinate(member, framework, "") is None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_action":
            return self.flt.framework is not None and self._may_plan(self.flt.framework)
        if action in ("edit_action", "ask_edit"):
            return self._may_plan(self.flt.framework) is (action == "edit_action")
        return True

    def action_add_action(self) -> None:
        from tracker.tui.screens.action_form import ActionForm, add_saver, open_plan_form

        framework = self.flt.framework
        if framework is None:
            return
        open_plan_form(
            self,
            framework,
            "add an action",
            lambda choices, _: ActionForm(framework, choices, add_saver()),
            self._changed,
        )

    def action_edit_action(self) -> None:
        """Edit the highlighted action; someone who may not is told why before typing."""
        from tracker.tui.screens.action_form import ActionForm, open_plan_form
        from tracker.tui.screens.detail import edit_saver

        actions = self.query_one(ActionList)
        row = actions.row_at(actions.cursor) if actions.total else None
        if row is None:
            return
        ref, framework = row.ref, row.framework

        def make(choices: Any, detail: Any) -> ActionForm:
            return ActionForm(framework, choices, edit_saver(ref, detail.row.version), detail=detail)

        open_plan_form(self, framework, "change the plan of an action", make, self._changed, ref=ref)

    def action_ask_edit(self) -> None:
        self.action_edit_action()

    def _changed(self, detail: Any) -> None:
        if detail is not None:
            self.notify(f"{detail.row.ref}: saved")
        self.reload(keep_cursor=True)
