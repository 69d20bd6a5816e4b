"""Command palette: work in a framework (found by city or state), go to a stakeholder or an action."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider


class TrackerCommands(Provider):
    """`scope: ...` entries for frameworks, `go: ...` for screens, organisations and actions (searched in SQL)."""

    async def startup(self) -> None:
        worker = self.app.run_worker(self._load, thread=True, exit_on_error=False)
        await worker.wait()
        self.frameworks, self.stakeholders = worker.result or ([], [])

    def _load(self) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
        data = self.app.data  # type: ignore[attr-defined]
        # the key is the second line: people find a plan by its city, scripts by its key
        frameworks = [(p.key, p.place, f"{p.key} · {p.title}") for p in data.places()]
        return frameworks, data.stakeholder_options()

    def _entries(self) -> list[tuple[str, str, object]]:
        entries: list[tuple[str, str, object]] = []
        for key, place, second in self.frameworks:
            entries.append((f"scope: {place}", second, partial(self.app.set_scope, key)))  # type: ignore[attr-defined]
        if self.frameworks:
            entries.append(("scope: all frameworks", "every framework you may read", partial(self.app.set_scope, None)))  # type: ignore[attr-defined]
        for key, name in self.stakeholders:
            entries.append(
                (f"go: stakeholder {name}", f"actions led or supported by {name}", partial(self._stakeholder, key))
            )
        entries.append(("go: overview", "every framework's health", partial(self._go, "overview")))
        entries.append(("go: actions", "filter and open actions", partial(self._go, "actions")))
        entries.append(("go: activity", "latest changes by everyone", partial(self._go, "activity")))
        entries.append(("go: plan", "goals, objectives, actions and findings", partial(self._go, "plan")))
        entries.append(("go: funding", "sources, balances and funding gaps", partial(self._go, "funding")))
        entries.append(("go: stakeholders", "organisations by sector", partial(self._go, "stakeholders")))
        return entries

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries():
            yield DiscoveryHit(Text(title), command, text=title, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)  # type: ignore[arg-type]
        if len(query) >= 2:
            worker = self.app.run_worker(
                partial(self.app.data.search_actions, query),  # type: ignore[attr-defined]
                thread=True,
                exit_on_error=False,
            )
            await worker.wait()
            for row in worker.result or []:
                title = f"go: action {row.ref} {row.title}"
                yield Hit(0.5, Text(title), partial(self._action, row.ref), text=title, help=row.lead.name)

    def _go(self, mode: str) -> None:
        self.app.show_mode(mode)  # type: ignore[attr-defined]

    def _stakeholder(self, key: str) -> None:
        app = self.app
        app.action_filter = app.action_filter.model_copy(update={"stakeholders": (key,)})  # type: ignore[attr-defined]
        self._go("actions")

    def _action(self, ref: str) -> None:
        from tracker.tui.screens.detail import ActionDetailScreen

        self.app.push_screen(ActionDetailScreen(ref))
