"""The tracker app, given its database and acting member by `make_app`."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.command import Provider
from textual.filter import LineFilter
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import get_current_worker

# The database layers (SQLAlchemy, SQLModel, pydantic) load in a worker after
# the first paint; only their names are needed here.
if TYPE_CHECKING:
    from pathlib import Path

    from rich.segment import Segment
    from sqlalchemy.engine import Engine
    from textual.color import Color

    from tracker.db.notify import Change
    from tracker.services.tracking.filters import ActionFilter
    from tracker.services.views import MemberView
    from tracker.tui.data import Data

POLL_SECONDS = 1.0
# On PostgreSQL, while the app listens for notifications, the poll is only a fallback.
SLOW_POLL_SECONDS = 10.0
LISTEN_WAIT_SECONDS = 0.25  # how soon the listener notices that the app is closing
PING_SECONDS = 10.0  # a quiet listening connection is checked this often
RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)  # waits between attempts, the last one repeated


def _backoff() -> Iterator[float]:
    yield from RECONNECT_SECONDS
    while True:
        yield RECONNECT_SECONDS[-1]


class InertControls(LineFilter):
    """Control characters in what is drawn become visible symbols (ESC as ␛).

    Textual writes a segment's text to the terminal as it is, so an escape
    sequence in a title or note would recolour the terminal or plant a hidden
    link. Every line of every widget passes through here on its way out: one
    place that covers every screen, dialog and notification, present and future.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        from rich.segment import Segment

        from tracker.text import has_controls, visible_controls

        if not any(has_controls(s.text) and not s.control for s in segments):
            return segments
        width = Segment.get_line_length(segments)
        shown = [s if s.control else Segment(visible_controls(s.text), s.style) for s in segments]
        # Control characters take no cell and their symbols take one: keep the line's width.
        return Segment.adjust_line_length(shown, width)


_INERT = InertControls()


def _commands() -> type[Provider]:
    from tracker.tui.commands import TrackerCommands

    return TrackerCommands


def _screen(module: str, name: str) -> Screen[None]:
    """Screens are imported when first shown, so that the first paint stays quick."""
    import importlib

    return getattr(importlib.import_module(f"tracker.tui.screens.{module}"), name)()  # type: ignore[no-any-return]


class TrackerApp(App[None]):
    """Overview, actions, activity (and more), over one database, shared with others."""

    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    MODES = {
        "overview": lambda: _screen("overview", "OverviewScreen"),
        "actions": lambda: _screen("actions", "ActionsScreen"),
        "activity": lambda: _screen("activity", "ActivityScreen"),
        "plan": lambda: _screen("plan", "PlanScreen"),
        "funding": lambda: _screen("funding", "FundingScreen"),
        "stakeholders": lambda: _screen("stakeholders", "StakeholdersScreen"),
    }
    DEFAULT_MODE = "overview"
    BINDINGS = [
        Binding("v", "switch_mode('overview')", "Overview", tooltip="Every framework's health"),
        Binding("a", "switch_mode('actions')", "Actions", tooltip="Filter and open actions"),
        Binding("y", "switch_mode('activity')", "Activity", tooltip="Latest changes by everyone"),
        Binding("question_mark", "help", "Help", tooltip="What the symbols and words mean, and the keys here"),
        Binding("q", "quit", "Quit"),
        Binding("g", "pick_scope", "Scope", tooltip="Work in one framework, or in all of them"),
        Binding("G", "scope_all", "All", tooltip="Back to all frameworks"),
        # after ? and q, so that those two stay in view on an 80-column terminal
        Binding("p", "switch_mode('plan')", "Plan", tooltip="Goals, objectives and actions with their findings"),
        Binding("f", "switch_mode('funding')", "Funding", tooltip="Sources, their balance and the funding gaps"),
        Binding("k", "switch_mode('stakeholders')", "Stakeholders", tooltip="Organisations by sector"),
    ]
    COMMANDS = App.COMMANDS | {lambda: _commands()}

    class ChangesNotified(Message):
        """The listener heard of changes the member may see (ids only)."""

        def __init__(self, changes: list[Change]) -> None:
            super().__init__()
            self.changes = changes

    class Listening(Message):
        """The listener is (again, after a loss: ``again``) listening for changes."""

        def __init__(self, again: bool) -> None:
            super().__init__()
            self.again = again

    class ListenLost(Message):
        """The listener's connection was lost; it reconnects by itself."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    class CheckDone(Message):
        """A look for changes has ended."""

    def __init__(
        self,
        data: Data | Callable[[], Data],
        *,
        poll: bool = True,
        local_files: bool = True,
        settings: Path | None = None,
        remote: bool = False,
    ) -> None:
        """``data``, or a function that opens it (run in a worker after the first paint).
        ``local_files``: the app runs on the person's own machine, so it may write the report
        and the workbook to files there (a server's session would write on the server).
        ``settings``: the person's settings file, whose theme is applied and kept up to date
        (None: the theme is not remembered).
        ``remote``: the app runs on the team server for a member over ssh, where nothing
        may write a file (the command palette's screenshot would land on the server)."""
        super().__init__()
        self.local_files = local_files and not remote
        self.settings_file = settings
        self.remote = remote
        self._data: Data | None = None
        self._data_ready = threading.Event()
        self._connect = data if callable(data) else None
        if not callable(data):
            self._set_data(data)
        self._filter: ActionFilter | None = None
        self.poll = poll
        self._marker: tuple[int, ...] | None = None
        self._seen_at: Any = dt.datetime.now(dt.UTC)  # news is what others do from now on
        self._trouble = False
        self.listening = False  # on PostgreSQL: notifications arrive, so the poll slows down
        self._last_check = 0.0
        self._checking = False
        self._check_again: bool | None = None  # None: no look waiting; else whether it must refresh
        self.connect_error: str | None = None
        self.connect_exit = 1
        self.places: dict[str, str] = {}  # framework key -> "City, ST", as people name it

    def get_system_commands(self, screen: Screen[Any]) -> Iterator[Any]:
        for command in super().get_system_commands(screen):
            if not (self.remote and command.title == "Screenshot"):
                yield command

    @property
    def data(self) -> Data:
        """The database, once open; workers that ask before then wait for it."""
        if not self._data_ready.wait(timeout=120):
            raise TimeoutError("the database did not open within two minutes")
        if self._data is None:
            raise ConnectionError("the database could not be opened")
        return self._data

    def _set_data(self, data: Data) -> None:
        self._data = data
        member = data.member
        self.sub_title = (
            f"{member.login} ({', '.join(s.name for s in member.stakeholders) or 'no organisation'})"
            if member
            else "read only: your login is not a member"
        )
        self._data_ready.set()

    @property
    def action_filter(self) -> ActionFilter:
        """The actions filter, shared by every screen so that it survives moving around."""
        if self._filter is None:
            from tracker.services.tracking.filters import ActionFilter

            self._filter = ActionFilter()
        return self._filter

    @action_filter.setter
    def action_filter(self, value: ActionFilter) -> None:
        self._filter = value

    # -- the scope: all frameworks or one ---------------------------------------------------

    @property
    def scope(self) -> str | None:
        """The framework every screen is limited to (None: all the member may read)."""
        # No filter yet is every framework: asking must not build one, whose model loads
        # pydantic (90 ms) before the first paint.
        return self._filter.framework if self._filter is not None else None

    def place(self, key: str) -> str:
        """A framework as people name it: its city and state (the key until they are known)."""
        return self.places.get(key, key)

    def set_scope(self, key: str | None) -> None:
        """Limit every screen to ``key`` (None: all frameworks) and show it in the header."""
        if key != self.scope:
            self.action_filter = self.action_filter.model_copy(update={"framework": key})
            refresh = getattr(self.screen, "refresh_data", None)
            if refresh is not None:
                refresh()
        self._show_scope()

    def _show_scope(self) -> None:
        key = self.scope
        self.title = f"tracker · {self.place(key)}" if key else "tracker · all frameworks"

    def set_places(self, places: dict[str, str]) -> None:
        if places != self.places:
            self.places = places
            self._show_scope()
            show = getattr(self.screen, "show_places", None)
            if show is not None:
                show()

    @work(thread=True, exclusive=True, group="places")
    def load_places(self) -> None:
        try:
            places = {p.key: p.place for p in self.data.places()}
        except Exception:  # names only: the screens say what went wrong with the database
            return
        self.call_from_thread(self.set_places, places)

    def action_pick_scope(self) -> None:
        from tracker.tui.screens.scope import ScopeDialog

        self.push_screen(ScopeDialog(self.places, self.scope), self._picked)

    def _picked(self, choice: tuple[str | None] | None) -> None:
        if choice is not None:
            self.set_scope(choice[0])

    def action_scope_all(self) -> None:
        self.set_scope(None)

    # -- moving between screens ---------------------------------------------------------------

    async def action_switch_mode(self, mode: str) -> None:
        self.show_mode(mode)

    def show_mode(self, mode: str) -> None:
        """Open the screen of ``mode`` itself, never an action page left open above it."""
        self._back_to_base()
        if mode != self.current_mode:
            self.switch_mode(mode)
            self._back_to_base()

    def _back_to_base(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            self.pop_screen()

    def get_line_filters(self) -> list[LineFilter]:
        return [*super().get_line_filters(), _INERT]

    def on_mount(self) -> None:
        self._show_scope()
        if self.settings_file is not None:
            from tracker.tui.settings import remember_theme

            remember_theme(self, self.settings_file)
        if self._connect is not None:
            self.call_after_refresh(self._open_database)
        self.call_after_refresh(self._after_first_paint)
        self.call_after_refresh(self.load_places)

    @work(thread=True, exclusive=True, group="connect")
    def _open_database(self) -> None:
        assert self._connect is not None
        try:
            data = self._connect()
        except Exception as exc:  # said in one sentence, after the screen closes
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self._data_ready.set()  # waiting workers give up instead of keeping the process alive
            if self.is_running:  # not when the app was closed while the database was opening
                self.connect_error = message
                self.connect_exit = getattr(exc, "exit_code", 1)
                self.call_from_thread(self.exit, None, 1, f"tracker: {message}")
            return
        self.call_from_thread(self._set_data, data)

    def _after_first_paint(self) -> None:
        # Everything loaded so far lives as long as the app: freeze it out of the
        # cyclic collector, whose full passes over it paused the UI for 100 ms.
        gc.freeze()
        gc.enable()
        if self.poll:
            self.set_interval(POLL_SECONDS, self._tick)
            self._look()
            self._listen()

    # -- other clients' changes -------------------------------------------------------------
    #
    # SQLite: a poll every second (PRAGMA data_version moves the marker). PostgreSQL: a
    # listener hears each commit's notification and the app looks at once; the poll
    # goes on every ten seconds as a fallback, and every second while not listening.

    def _tick(self) -> None:
        if self.listening and time.monotonic() - self._last_check < SLOW_POLL_SECONDS:
            return
        self._look()

    def _look(self, refresh: bool = False) -> None:
        """Look for changes now, or right after the look under way (one at a time)."""
        if self._checking:
            self._check_again = bool(self._check_again) or refresh
            return
        self._checking = True
        self._last_check = time.monotonic()
        self.check_for_changes(refresh)

    @on(CheckDone)
    def _look_done(self) -> None:
        self._checking = False
        if self._check_again is not None:
            refresh, self._check_again = self._check_again, None
            self._look(refresh)

    @work(thread=True, exclusive=True, group="poll")
    def check_for_changes(self, refresh: bool = False) -> None:
        """Reload the screens if the marker moved (or ``refresh``: a notification said so)."""
        try:
            self._check(refresh)
        finally:
            self.post_message(self.CheckDone())

    def _check(self, refresh: bool) -> None:
        try:
            marker = self.data.marker()
        except Exception as exc:
            self.call_from_thread(self.connection_trouble, exc)
            return
        if self._trouble:
            self._trouble = False
            self.call_from_thread(self.notify, "The database is back.", title="Connected")
        before, self._marker = self._marker, marker
        if before is None and not refresh:
            self._news()  # remember where the activity stands now
            return
        if marker == before and not refresh:
            return
        self.call_from_thread(self._changed, self._news())

    @work(thread=True, exclusive=True, group="listen")
    def _listen(self) -> None:
        """Listen for notifications on PostgreSQL until the app closes, reconnecting as needed.

        Only ids arrive; the app then re-reads under its own member (`check_for_changes`).
        Changes in frameworks the member does not read are dropped here. Notifications
        sent while disconnected are lost: after a reconnection the screens reload.
        """
        worker = get_current_worker()
        try:
            listener = self.data.listener()
        except Exception:  # the database did not open: the app is closing
            return
        if listener is None:
            return
        closing = worker.cancelled_event
        waits, lost = _backoff(), False
        try:
            while not closing.is_set():
                try:
                    listener.connect()
                    visible = self.data.visible_frameworks()
                except Exception as exc:
                    if not lost:
                        lost = True
                        self.post_message(self.ListenLost(exc))
                    closing.wait(next(waits))
                    continue
                self.post_message(self.Listening(again=lost))
                waits, lost = _backoff(), False
                try:
                    quiet_since = time.monotonic()
                    while not closing.is_set():
                        changes = listener.wait(LISTEN_WAIT_SECONDS)
                        if not changes:
                            if time.monotonic() - quiet_since > PING_SECONDS:
                                listener.ping()
                                quiet_since = time.monotonic()
                            continue
                        quiet_since = time.monotonic()
                        if any(c.kind == "member" for c in changes):
                            visible = self.data.visible_frameworks()  # memberships may have changed
                        mine = [c for c in changes if c.framework is None or visible is None or c.framework in visible]
                        if mine:
                            self.post_message(self.ChangesNotified(mine))
                except Exception as exc:
                    lost = True
                    self.post_message(self.ListenLost(exc))
                    listener.close()
        finally:
            listener.close()

    @on(Listening)
    def _listening(self, message: Listening) -> None:
        self.listening = True
        if message.again:  # what was sent while disconnected is lost: reload everything
            self._look(refresh=True)

    @on(ListenLost)
    def _listen_lost(self, message: ListenLost) -> None:
        was_listening, self.listening = self.listening, False  # the poll takes over, once a second
        if was_listening:
            self.connection_trouble(message.error)

    @on(ChangesNotified)
    def _notified(self, message: ChangesNotified) -> None:
        self._look(refresh=True)

    def _news(self) -> list[str]:
        """Other members' changes since the last look, newest first."""
        try:
            items = self.data.activity(limit=5)
        except Exception:
            return []
        seen = self._seen_at
        self._seen_at = max([seen, *(i.at for i in items)])
        me = self.data.member.login if self.data.member else None
        fresh = [i for i in items if i.at > seen and i.by != me]
        return [f"{i.by or 'someone'}: {i.ref} {i.text}" for i in fresh][:2]

    def _changed(self, news: list[str]) -> None:
        # The screens in view reload: the top one, and those that its dialogs leave in view.
        # A screen hidden under another reloads as it comes back (on_screen_resume), so it
        # waits till then: with fifty members on one team server, every change reloaded
        # every screen of every open app, most of them out of sight.
        hidden = False
        for screen in reversed(self.screen_stack):
            refresh = getattr(screen, "refresh_data", None)
            if refresh is not None and not (hidden and hasattr(screen, "on_screen_resume")):
                refresh()
            hidden = hidden or not isinstance(screen, ModalScreen)
        for line in news:
            self.notify(line, title="Changed by someone else", timeout=4)

    def connection_trouble(self, exc: BaseException) -> None:
        if not self._trouble:
            self._trouble = True
            self.notify(
                f"Cannot reach the database ({type(exc).__name__}); what you typed is kept, "
                "and the app reconnects by itself.",
                title="Connection lost",
                severity="error",
                timeout=8,
            )

    def action_help(self) -> None:
        """The symbols and words, with the keys of this screen."""
        from tracker.tui.screens.help import HelpDialog

        seen: dict[str, tuple[str, str, str]] = {}
        for active in self.screen.active_bindings.values():
            b = active.binding
            if b.description and b.action not in ("help", "app.help"):  # a screen may repeat ? to keep it in view
                seen.setdefault(b.description, (self.get_key_display(b), b.description, active.tooltip))
        self.push_screen(HelpDialog(list(seen.values())))


def make_app(
    engine: Engine, member: MemberView | None, *, poll: bool = True, local_files: bool = True, **_: Any
) -> TrackerApp:
    """The app on ``engine``, acting as ``member`` (None: read only); ``local_files``: it may
    write files where it runs (off for a session on the team server)."""
    from tracker.tui.data import Data

    return TrackerApp(Data(engine, member), poll=poll, local_files=local_files)
