"""Funding: each source's balance, the gaps at any level of the plan, the sustainability risks,
and how much of each source is spoken for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tracker.services.funding.gaps import LEVELS, GapRollupView, gap_notes, shortfall_words
from tracker.services.funding.risks import FundingRisks
from tracker.services.funding.sources import SourceView
from tracker.tui.loading import FAILED, deliver, fetch
from tracker.tui.widgets.action_list import fit

BAR = 20
NAME = 24  # the least room a source's name gets; more on a wider terminal
TITLE = 36
OVER = "over-committed"


def money(value: Decimal | None) -> str:
    return "unknown" if value is None else f"{value:,.2f}"


def period(s: SourceView) -> str:
    if s.starts is None and s.ends is None:
        return "unknown"
    return f"{s.starts or '?'} to {s.ends or '?'}" + (" ENDED" if s.ended else "")


def remaining(s: SourceView) -> str:
    """What is left to allocate; for a source that has ended, what it never gave has lapsed."""
    if s.over_committed:
        return f"{money(s.remaining)} {OVER}"
    if s.ended and s.lapsed is not None:
        return f"ended: {money(s.lapsed)} lapsed"  # the word first, so a narrow column still says it
    return money(s.remaining)


def allocated(s: SourceView) -> str:
    if not s.unknown_allocations:
        return money(s.allocated)
    unknown = f"{s.unknown_allocations} unknown"
    return unknown if s.allocated == 0 else f"{money(s.allocated)} +{unknown}"


def here(s: SourceView) -> str:
    """What the framework asked for receives; a source is listed only when it gives it something."""
    if not s.unknown_allocations:
        return money(s.allocated_here)
    return "unknown" if not s.allocated_here else f"{money(s.allocated_here)} + unknown"


def name_width(room: int) -> int:
    """A source's name gets what ``room`` leaves, between NAME and 60 cells."""
    return max(NAME, min(60, room))


def usage_bar(s: SourceView, width: int = BAR, name: int = NAME) -> Text:
    """Allocated of committed as blocks and a percentage, so it reads without colour too."""
    assert s.committed is not None
    share = float(s.allocated / s.committed) if s.committed > 0 else (0.0 if s.allocated == 0 else None)
    line = Text(fit(s.name, name) + " ")
    if share is None or share > 1:
        line.append("█" * width, style="bold red")
        pct = "  n/a" if share is None else f"{share:5.0%}"
        line.append(f" {pct} {OVER}", style="bold red")
    else:
        filled = round(share * width)
        line.append("█" * filled, style="green")
        line.append("░" * (width - filled), style="dim")
        line.append(f" {share:5.0%}")
    line.append(f"  {s.allocated:,.0f} of {s.committed:,.0f} {s.currency}", style="dim")
    if s.unknown_allocations:
        line.append(f" + {s.unknown_allocations} of unknown amount", style="dim")
    return line


def chart(sources: list[SourceView], name: int = NAME) -> Text:
    known = [s for s in sources if s.committed is not None]
    if not known:
        return Text("No source has a known committed amount yet, so there is nothing to chart.", style="italic")
    # one line per source (cut at the edge by the CSS, not wrapped): name, bar and percentage come first
    text = Text()
    for n, s in enumerate(known):
        if n:
            text.append("\n")
        text.append_text(usage_bar(s, name=name))
    unknown = len(sources) - len(known)
    if unknown:
        text.append(f"\n{unknown} more source{'s' if unknown > 1 else ''} of unknown amount", style="italic")
    return text


def gap_note(g: GapRollupView) -> str:
    return "; ".join(gap_notes(g))


def gap_cell(g: GapRollupView) -> Text:
    if g.gap is None:
        return Text("unknown cost", style="italic")
    return Text(f"{g.gap:,.2f} {g.currency}" + (" or less" if g.unknown_allocations else ""), style="bold")


def risk_lines(r: FundingRisks, limit: int = 3) -> Text:
    """The risks in words (user text as plain Text, never markup), the worst first."""
    text = Text()

    def line(head: str, items: list[str], more: int) -> None:
        if text:
            text.append("\n")
        text.append(head, style="bold red" if items else "")
        if items:
            text.append(": " + "; ".join(items) + (f"; and {more} more" if more > 0 else ""))

    n = len(r.cliffs)
    line(
        f"{n} funding cliff{'s' if n != 1 else ''}" if n else "No funding cliff",
        [
            f"{c.ref} runs {c.days_after} days past {c.source} "
            f"({'ENDED' if c.source_ended else 'ends'} {c.source_ends}), {c.at_risk:,.2f} {c.currency}"
            for c in r.cliffs[:limit]
        ],
        n - limit,
    )
    ending = r.ending_sources
    line(
        f"{len(ending)} source{'s' if len(ending) != 1 else ''} ending in the next {r.months} months (by {r.until})"
        if ending
        else f"No source ends in the next {r.months} months (by {r.until})",
        [f"{e.key} on {e.ends} ({e.days_left} days, {e.running_past_end} actions run past it)" for e in ending[:limit]],
        len(ending) - limit,
    )
    dependent = [*r.dependent_frameworks, *r.dependent_actions]
    line(
        f"{len(dependent)} depend on one source for more than {r.share:.0%}"
        if dependent
        else f"Nothing depends on one source for more than {r.share:.0%}",
        [f"{d.ref} ({d.source} {d.share:.0%})" for d in dependent[:limit]],
        len(dependent) - limit,
    )
    return text


class FundingScreen(Screen[None]):
    BINDINGS = [
        # priority: the table's own Enter would otherwise hide this one from the Footer
        Binding("enter", "open", "Open", tooltip="Open the highlighted action with a funding gap", priority=True),
        Binding("l", "level", "Level", tooltip="Gaps by action, objective, goal, framework or fiscal year"),
        Binding("tab", "app.focus_next", "Next", tooltip="Move between sources, gaps and the chart"),
        Binding("R", "write('report')", "Report", tooltip="Write the report of a framework (Markdown or HTML)"),
        # Out of the footer here (? lists it), so that ? and q stay in view at 80 columns.
        Binding(
            "W", "write('workbook')", "XLSX", tooltip="Write the workbook (XLSX) of the frameworks in scope", show=False
        ),
        # Shown to admins and coordinators (a source is shared: the rules say who may change
        # which, asked again before the form opens); anyone else is told why.
        Binding("e", "source('edit')", "Edit", tooltip="Edit the highlighted funding source"),
        Binding("A", "source('add')", "Add", tooltip="Add a funding source"),
        *[Binding(key, "refuse_source", show=False) for key in ("e", "A")],
        # the app's ? again, after the screen's keys, so that it stays in view at 80 columns
        Binding("question_mark", "app.help", "Help", tooltip="What the symbols and words mean, and the keys here"),
        Binding("r", "reload", "Reload", show=False),
    ]

    shown: tuple[str | None, list[SourceView], list[GapRollupView], FundingRisks] | None = None
    level = "action"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Funding sources", id="sources-title", classes="section-title")
        yield DataTable(id="funding-sources", cursor_type="row", zebra_stripes=True)
        yield Static("", id="source-detail", classes="detail-line")
        yield Static("Funding gaps, largest first", id="gaps-title", classes="section-title")
        yield DataTable(id="funding-gaps", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="funding-risks-scroll"):
            yield Static("", id="funding-risks")
        yield Static("Allocated of committed, per source", id="chart-title", classes="section-title")
        with VerticalScroll(id="funding-chart-scroll"):
            yield Static("loading…", id="funding-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#funding-gaps", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load()  # the framework filter may have changed on another screen

    def refresh_data(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "write":
            return self.app.local_files  # type: ignore[attr-defined,no-any-return]
        if action in ("source", "refuse_source"):
            return (self._why_not_source() is None) == (action == "source")
        return True

    def _why_not_source(self) -> str | None:
        """Why the member may change no funding source at all (None: some, the rules decide which)."""
        from tracker.errors import PermissionDenied
        from tracker.services.access.rules import require_source_editor

        app: Any = self.app
        try:
            require_source_editor(app.data.member if app._data is not None else None, "you would add", [])
        except PermissionDenied as exc:
            return exc.message
        return None

    def action_refuse_source(self) -> None:
        self.notify(self._why_not_source() or "", title="You cannot change funding sources", severity="warning")

    def action_source(self, what: str) -> None:
        from tracker.tui.screens.item_form import open_item_form

        table = self.query_one("#funding-sources", DataTable)
        ref = None
        if what == "edit":
            if not table.row_count:
                self.notify("There is no funding source to edit; press A to add one.", severity="warning")
                return
            ref = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

        def done(view: Any) -> None:
            if view is not None:
                self.notify(f"{view.ref}: saved")
            self.load()

        open_item_form(self, "source", done, ref=ref)

    def action_write(self, kind: str) -> None:
        """The report is on one framework: the one worked in, else one picked by city."""
        from tracker.tui.screens.save_file import write_document

        scope = self.app.scope  # type: ignore[attr-defined]
        if scope is not None or kind == "workbook":
            write_document(self, kind, scope)
            return
        from tracker.tui.screens.scope import ScopeDialog

        def picked(choice: tuple[str | None] | None) -> None:
            if choice is not None and choice[0] is not None:
                write_document(self, kind, choice[0])

        places = self.app.places  # type: ignore[attr-defined]
        self.app.push_screen(ScopeDialog(places, None, everything=False, title="Write the report on"), picked)

    def action_level(self) -> None:
        self.level = LEVELS[(LEVELS.index(self.level) + 1) % len(LEVELS)]
        self.load()

    @work(thread=True, exclusive=True, group="funding")
    def load(self) -> None:
        framework = self.app.action_filter.framework  # type: ignore[attr-defined]
        level = self.level

        def read(session: Any) -> tuple[Any, ...]:
            from tracker.services.funding.gaps import gap_rollup
            from tracker.services.funding.risks import funding_risks
            from tracker.services.funding.sources import funding_sources

            today = dt.date.today()
            return (
                funding_sources(session, today=today, framework=framework),
                gap_rollup(session, framework=framework, by=level, limit=200, only_short=level != "year"),
                funding_risks(session, framework=framework, today=today),
            )

        found = fetch(self, lambda data: data.read(read))
        if found is not FAILED:
            deliver(self, self.show, framework, *found)

    def on_resize(self) -> None:
        if self.shown is not None:
            self.show(*self.shown)  # names get the room there is

    def show(
        self, framework: str | None, sources: list[SourceView], gaps: list[GapRollupView], risks: FundingRisks
    ) -> None:
        self.shown = (framework, sources, gaps, risks)
        place = self.app.place  # type: ignore[attr-defined]
        self.sub_title = f"funding of {place(framework)}" if framework else "funding of every framework"
        over = sum(s.over_committed for s in sources)
        ended = sum(s.ended for s in sources)
        self.query_one("#sources-title", Static).update(
            Text(f"Funding sources ({len(sources)})")
            + (Text(f"  {over} {OVER}", style="bold red") if over else Text(""))
            + (Text(f"  {ended} ended", style="bold") if ended else Text(""))
        )
        self._sources(framework, sources)
        self._gaps(gaps, framework)
        order = "in time order" if self.level == "year" else "largest first"
        self.query_one("#gaps-title", Static).update(
            Text(f"Funding gaps by {self.level}, {order} ({len(gaps)}: {shortfall_words(gaps)})  l: level")
            if gaps
            else Text(f"Funding gaps by {self.level}: none with a known cost above what is allocated  l: level")
        )
        self.query_one("#funding-risks", Static).update(risk_lines(risks))
        self.query_one("#funding-chart", Static).update(chart(sources, name_width(self.size.width - 68)))

    def _sources(self, framework: str | None, sources: list[SourceView]) -> None:
        table = self.query_one("#funding-sources", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        # the amounts first, so that they stay in view on a narrow terminal; the name is cut to fit
        labels = ["source", "committed", "allocated", "remaining", "period", "kind", "currency"]
        if framework:
            labels.insert(3, "to this plan")
        for label in labels:
            table.add_column(label, key=label)
        for s in sources:
            style = "bold red" if s.over_committed else "dim" if s.ended else ""
            cells: list[Any] = [
                Text(fit(s.name, name_width(self.size.width - 78)).rstrip(), style=style),
                Text(money(s.committed), style=style),
                Text(allocated(s), style=style),
                Text(remaining(s), style="bold red reverse" if s.over_committed else ""),
                Text(period(s), style=style),
                Text(s.kind.value.replace("_", " "), style=style),
                Text(s.currency, style=style),
            ]
            if framework:
                cells.insert(3, Text(here(s), style=style))
            table.add_row(*cells, key=s.key)
        if sources:
            table.move_cursor(row=min(keep, len(sources) - 1))
            self.source_detail(sources[min(keep, len(sources) - 1)].key)

    def _gaps(self, gaps: list[GapRollupView], framework: str | None) -> None:
        table = self.query_one("#funding-gaps", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        places: dict[str, str] = self.app.places  # type: ignore[attr-defined]
        # over several frameworks, the city says whose gap it is (keys may repeat across cities)
        cities = framework is None and len(places) > 1
        labels = ["gap", self.level, "title", "need" if self.level == "year" else "cost", "allocated", "note"]
        if cities:
            labels.insert(1, "city")
        for label in labels:
            table.add_column(label, key=label)
        for g in gaps:
            cells = [
                gap_cell(g),
                Text(g.ref),
                Text(fit(g.title, TITLE).rstrip()),
                Text(money(g.cost)),
                Text(f"{g.allocated:,.2f}"),
                Text(gap_note(g), style="italic"),
            ]
            if cities:
                key = g.ref.split("/", 1)[0]
                cells.insert(1, Text(places.get(key, key)))
            table.add_row(*cells, key=g.ref)
        if gaps:
            table.move_cursor(row=min(keep, len(gaps) - 1))

    @on(DataTable.RowHighlighted, "#funding-sources")
    def source_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.source_detail(event.row_key.value)

    def source_detail(self, key: str | None) -> None:
        """The highlighted source in full, as its name may be cut in the table."""
        found = [s for s in (self.shown[1] if self.shown else []) if s.key == key]
        detail = self.query_one("#source-detail", Static)
        if not found:
            detail.update("")
            return
        s = found[0]
        parts = [s.name, s.kind.value.replace("_", " "), s.reference or "no reference", period(s)]
        detail.update(Text(" · ".join(parts)))

    @on(DataTable.RowSelected, "#funding-gaps")
    def selected(self, event: DataTable.RowSelected) -> None:
        if self.level == "action":
            self.open(str(event.row_key.value))  # a click; Enter goes to action_open

    def action_open(self) -> None:
        table = self.query_one("#funding-gaps", DataTable)
        if self.level != "action":
            self.notify("Only an action opens; press l until the gaps are by action.")
        elif self.focused is not table:
            table.focus()
            self.notify("Pick an action in the gaps table, then press Enter.")
        elif table.row_count:
            self.open(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def open(self, ref: str) -> None:
        from tracker.tui.screens.detail import ActionDetailScreen

        self.app.push_screen(ActionDetailScreen(ref))
