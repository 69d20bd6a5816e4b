"""Stakeholders: every organisation by sector with what it leads, supports and has overdue,
the updates it owes and how long it has been silent; Enter shows its actions."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.services.plan.stakeholders import StakeholderRow
from tracker.services.reporting.requests import Silence, Silences
from tracker.services.tracking.filters import StakeholderRole
from tracker.tui.loading import FAILED, deliver, fetch
from tracker.tui.widgets.action_list import fit


class StakeholdersScreen(Screen[None]):
    BINDINGS = [
        # priority: the table's own Enter would otherwise hide this one from the Footer
        Binding(
            "enter",
            "open",
            "Its actions",
            tooltip="Show the actions this organisation leads or supports",
            priority=True,
        ),
        Binding("r", "reload", "Reload", show=False),
    ]

    shown: tuple[str | None, list[StakeholderRow], Silences] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Organisations by sector", id="stakeholders-title", classes="section-title")
        yield DataTable(id="stakeholders", cursor_type="row", zebra_stripes=True)
        yield Static("", id="stakeholder-detail", classes="detail-line")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("sector", "organisation", "leads", "supports", "overdue", "owes", "silent", "quiet"):
            table.add_column(label, key=label)
        table.focus()

    def on_screen_resume(self) -> None:
        self.load()  # the framework filter may have changed on another screen

    def refresh_data(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="stakeholders")
    def load(self) -> None:
        framework = self.app.action_filter.framework  # type: ignore[attr-defined]
        found = fetch(self, lambda data: (data.stakeholders(framework), data.silence(framework)))
        if found is not FAILED:
            deliver(self, self.show, framework, *found)

    def on_resize(self) -> None:
        if self.shown is not None:
            self.show(*self.shown)  # names get the room there is

    def show(self, framework: str | None, rows: list[StakeholderRow], silences: Silences) -> None:
        self.shown = (framework, rows, silences)
        # the counts stay in view on a narrow terminal: long names are cut here, whole in the line below
        name_width = max(10, min(70, self.size.width - 72))
        place = self.app.place  # type: ignore[attr-defined]
        self.sub_title = f"stakeholders of {place(framework)}" if framework else "stakeholders of every framework"
        late = sum(1 for r in rows if r.overdue)
        owing = sum(1 for s in silences.by_lead.values() if s.owed)
        title = Text(f"Organisations by sector ({len(rows)})")
        if late:
            title.append(f"  {late} with overdue work", style="bold red")
        if owing:
            title.append(f"  {owing} owe updates (due in {silences.due_within}d, stale {silences.stale_days}d)")
        self.query_one("#stakeholders-title", Static).update(title)
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        sector = None
        for r in rows:
            # The sector is named once, at the top of its group, so the groups stand out.
            label = r.sector.value.replace("_", " ") if r.sector != sector else ""
            sector = r.sector
            table.add_row(
                Text(label, style="bold"),
                Text(fit(r.name, name_width).rstrip()),
                Text(str(r.leads), justify="right"),
                Text(str(r.supports), justify="right"),
                Text(str(r.overdue), style="bold red reverse" if r.overdue else "dim", justify="right"),
                *_silence_cells(silences.by_lead.get(r.key)),
                key=r.key,
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
            self.detail(rows[min(keep, len(rows) - 1)].key)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.detail(event.row_key.value)

    def detail(self, key: str | None) -> None:
        found = [r for r in (self.shown[1] if self.shown else []) if r.key == key]
        line = Text()
        if found and self.shown:
            r = found[0]
            line.append(f"{r.name} · {r.sector.value.replace('_', ' ')} · leads {r.leads}, supports {r.supports}")
            line.append(
                f" · {r.overdue} overdue" if r.overdue else " · nothing overdue", "bold red" if r.overdue else ""
            )
            silence = self.shown[2].by_lead.get(r.key)
            if silence is not None:
                last = "never updated" if silence.days_silent is None else f"last update {silence.silent_words()} ago"
                line.append(f" · owes {silence.owed} · {last} · quiet {silence.share()}")
        self.query_one("#stakeholder-detail", Static).update(line)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        self.open(str(event.row_key.value))  # a click; Enter goes to action_open

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self.open(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def open(self, key: str) -> None:
        app = self.app
        app.action_filter = app.action_filter.model_copy(  # type: ignore[attr-defined]
            update={"stakeholders": (key,), "stakeholder_role": StakeholderRole.either}
        )
        app.show_mode("actions")  # type: ignore[attr-defined]


def _silence_cells(silence: Silence | None) -> tuple[Text, Text, Text]:
    """Owed updates, days since the last update and quiet open actions ("2/4") of a lead;
    dashes for an organisation that leads nothing here."""
    if silence is None:
        return Text("–", style="dim", justify="right"), Text("–", style="dim"), Text("–", style="dim")
    owes = Text(str(silence.owed), style="bold" if silence.owed else "dim", justify="right")
    silent = Text("never" if silence.days_silent is None else f"{silence.days_silent}d", justify="right")
    quiet = Text(f"{silence.quiet}/{silence.open}" if silence.open else "–", justify="right")
    return owes, silent, quiet
