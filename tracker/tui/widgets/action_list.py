"""A virtual list of actions: renders only the visible lines, pages rows in from SQL.

The stock DataTable measures every cell of every row; with 100,000 actions
that takes seconds. Here the list knows only the total, keeps a few pages of
rows, and asks its screen (by message) for the pages that scroll into view.
"""

from __future__ import annotations

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.models.enums import Status
from tracker.services.views import ActionRow
from tracker.text import visible_controls

PAGE = 100
KEEP_PAGES = 12  # about 1,200 rows in memory, whatever the total

STATUS_LABEL = {s.value: s.label for s in Status}  # "◐ in progress"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, padded to exactly ``width``."""
    if width <= 0:
        return ""
    # Control characters take no cell: show them as symbols first, so the padding counts right.
    text = visible_controls(text.replace("\n", " ").replace("\t", " "))
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    return text.ljust(width)


NARROW = 100  # below this width the status is its symbol and the key gives way to the title and lead


class ActionList(ScrollView, can_focus=True):
    """Actions, one per line: status, due, (city,) action key, title, lead, owner."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "open", "Open", show=True),
    ]
    COMPONENT_CLASSES = {"action-list--cursor", "action-list--overdue", "action-list--header"}
    DEFAULT_CSS = """
    ActionList { height: 1fr; }
    ActionList > .action-list--cursor { background: $accent 40%; text-style: bold; }
    ActionList > .action-list--overdue { color: $error; }
    """

    cursor: reactive[int] = reactive(0)

    class Opened(Message):
        def __init__(self, row: ActionRow) -> None:
            super().__init__()
            self.row = row

    class Highlighted(Message):
        def __init__(self, row: ActionRow | None) -> None:
            super().__init__()
            self.row = row

    class PageWanted(Message):
        """The list shows lines it has no rows for: the screen should load ``offset``."""

        def __init__(self, offset: int, generation: int) -> None:
            super().__init__()
            self.offset = offset
            self.generation = generation

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.generation = 0
        self._pages: dict[int, list[ActionRow]] = {}
        self._asked: set[int] = set()
        # framework key -> its city, shown in a column when the list spans frameworks
        self.places: dict[str, str] | None = None

    def show_places(self, places: dict[str, str] | None) -> None:
        """Show a framework column (the city) from ``places``; None when one framework is shown."""
        if places != self.places:
            self.places = places
            self.refresh()

    # -- data in ----------------------------------------------------------------------------

    def reset(self, total: int, first: list[ActionRow], *, keep_cursor: bool = False) -> int:
        """A new result (new filter, or fresh data): returns its generation."""
        self.generation += 1
        self.total = total
        self._pages = {0: first} if first else {}
        self._asked = set()
        self.virtual_size = Size(self.size.width, total)
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        else:
            self.cursor = min(self.cursor, max(total - 1, 0))
        self.refresh()
        self.post_message(self.Highlighted(self.row_at(self.cursor)))
        return self.generation

    def add_page(self, offset: int, rows: list[ActionRow], generation: int) -> None:
        if generation != self.generation:
            return  # an answer to an older filter
        self._pages[offset] = rows
        self._asked.discard(offset)
        if len(self._pages) > KEEP_PAGES:
            here = self.cursor // PAGE * PAGE
            for far in sorted(self._pages, key=lambda o: -abs(o - here))[: len(self._pages) - KEEP_PAGES]:
                del self._pages[far]
        self.refresh()
        if offset <= self.cursor < offset + PAGE:
            self.post_message(self.Highlighted(self.row_at(self.cursor)))

    def row_at(self, index: int) -> ActionRow | None:
        page = self._pages.get(index // PAGE * PAGE)
        if page is None:
            return None
        position = index % PAGE
        return page[position] if position < len(page) else None

    @property
    def current(self) -> ActionRow | None:
        return self.row_at(self.cursor)

    def _want(self, index: int) -> None:
        offset = index // PAGE * PAGE
        if offset not in self._pages and offset not in self._asked and 0 <= index < self.total:
            self._asked.add(offset)
            self.post_message(self.PageWanted(offset, self.generation))

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width  # without the scrollbar, so the last column keeps its ellipsis
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None:
            self._want(index)
            return Strip([Segment(fit("  …", width), self.rich_style)])
        style = self.rich_style
        if row.overdue:
            style += self.get_component_rich_style("action-list--overdue")
        if index == self.cursor:
            style += self.get_component_rich_style("action-list--cursor")
        place = None if self.places is None else self.places.get(row.framework, row.framework)
        return Strip([Segment(self.format_row(row, width, place), style)], width)

    @staticmethod
    def format_row(row: ActionRow, width: int, place: str | None = None) -> str:
        """One line of plain text: the user's text can never act as markup here.

        ``place`` (the framework's city) adds a column, for lists over several frameworks.
        """
        narrow = width < NARROW
        label = STATUS_LABEL[row.status.value]
        status = fit(label[0] if narrow else label, 1 if narrow else 14)  # the symbols are explained by ?
        due = fit((row.due.isoformat() if row.due else "no due date") + (" !" if row.overdue else ""), 13)
        rest = max(width - len(status) - len(due) - 2, 10)
        cells = [status, due]
        if place is not None:
            place_w = min(16, rest // 6 + 2)
            cells.append(fit(place, place_w))
            rest -= place_w + 1
        # fixed per width, so the columns line up; the owner is a login, kept short, and
        # its room comes from the title's (a lead is read by its first words)
        owner_w = 8 if narrow else 12
        key_w = 0 if narrow else rest // 5
        lead_w = max(rest * 2 // 5 if narrow else rest // 4, 12)
        title_w = max(rest - key_w - lead_w - (2 if key_w else 1) - owner_w - 1, 5)
        if key_w:
            cells.append(fit(row.key, key_w))
        cells += [fit(row.title, title_w), fit(row.lead.name, lead_w), fit(row.owner or "", owner_w)]
        return fit(" ".join(cells), width)

    # -- moving -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        height = max(self.size.height, 1)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        self._want(new)
        self.refresh()
        self.post_message(self.Highlighted(self.row_at(new)))

    def action_cursor(self, step: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        if self.total:
            self.cursor = where if where >= 0 else self.total - 1

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index
