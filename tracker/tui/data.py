"""The app's one door to the database: each call opens its own session.

Screens call these from thread workers; nothing here knows about widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.db import read_session, write_session
from tracker.models.enums import Role, Status
from tracker.services.access.rules import scope_session
from tracker.services.tracking import changes as tracking
from tracker.services.tracking.actions import count_actions, get_action, list_actions
from tracker.services.tracking.filters import ActionFilter
from tracker.services.views import ActionDetail, ActionRow, MemberView

if TYPE_CHECKING:
    from tracker.db.notify import Listener

T = TypeVar("T")


@dataclass(frozen=True)
class FormChoices:
    """(label, key) pairs for the plan forms' pickers."""

    stakeholders: list[tuple[str, str]]
    objectives: list[tuple[str, str]]
    sources: list[tuple[str, str]]
    people: list[tuple[str, str]]  # (name (login), login) of the framework's people, who may own actions


@dataclass(frozen=True)
class Page:
    offset: int
    rows: list[ActionRow]


class Data:
    """Services bound to one engine and one acting member."""

    def __init__(self, engine: Engine, member: MemberView | None) -> None:
        self.engine = engine
        self.member = member

    def read(self, work: Callable[[Session], T], *, snapshot: bool = False) -> T:
        """``work`` in a read session; ``snapshot``: every query sees one state of the
        database (PostgreSQL's READ COMMITTED does not; SQLite's read transaction does)."""
        with read_session(self.engine) as session:
            if snapshot and self.engine.dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            # The member sees their frameworks only (admins all), on every screen, as
            # they are now: a role taken away while the app is open takes the view too.
            return work(scope_session(session, self._now(session)))

    def write(self, work: Callable[[Session, MemberView], T]) -> T:
        from tracker.errors import PermissionDenied

        not_member = PermissionDenied("you are not a member of this database; ask a coordinator to add your login.")
        if self.member is None:
            raise not_member
        with write_session(self.engine) as session:
            # Judged by their roles in this transaction, not those they had when the app
            # opened: a member made a viewer in another terminal kept writing for hours.
            member = self._now(session)
            if member is None:
                raise not_member
            return work(session, member)

    def _now(self, session: Session) -> MemberView | None:
        from tracker.services.access.members import find_member

        return None if self.member is None else find_member(session, self.member.login)

    # -- actions ----------------------------------------------------------------------------

    def count(self, flt: ActionFilter) -> int:
        return self.read(lambda s: count_actions(s, flt))

    def page(self, flt: ActionFilter, offset: int, limit: int) -> Page:
        paged = flt.model_copy(update={"offset": offset, "limit": limit})
        return Page(offset, self.read(lambda s: list_actions(s, paged)))

    def detail(self, ref: str) -> ActionDetail:
        return self.read(lambda s: get_action(s, ref))

    def plan_history(self, ref: str) -> tuple[Any, ...]:
        """The plan changes of the action (edits, funding, moves), oldest first."""
        from tracker.services.plan.action_plan import plan_history

        return self.read(lambda s: plan_history(s, ref))

    def why_not(self, ref: str) -> str | None:
        return self.read(lambda s: tracking.why_not_track(s, self._now(s), ref))

    def why_not_record(self, ref: str) -> str | None:
        return self.read(lambda s: tracking.why_not_record(s, self.member, ref))

    def set_status(
        self, ref: str, status: Status, note: str | None, expected_version: int, force: bool = False
    ) -> tracking.StatusResult:
        return self.write(
            lambda s, m: tracking.set_status(
                session=s, actor=m, ref=ref, status=status, note=note, expected_version=expected_version, force=force
            )
        )

    def undo_plan(self, ref: str | None) -> tuple[Any, str | None]:
        """My last change (on ``ref``, else anywhere) and who changed it since (None: nobody)."""
        from tracker.errors import PermissionDenied
        from tracker.services.tracking import undo

        def work(s: Session) -> tuple[Any, str | None]:
            member = self._now(s)
            if member is None:
                raise PermissionDenied("you are not a member of this database; ask a coordinator to add your login.")
            change = undo.last_change(s, member, ref)
            return change, undo.changed_since(s, change)

        return self.read(work)

    def undo(self, ref: str | None, expected: Any) -> Any:
        from tracker.services.tracking import undo

        return self.write(lambda s, m: undo.undo(session=s, actor=m, ref=ref, expected=expected))

    def add_note(self, ref: str, text: str) -> None:
        self.write(lambda s, m: tracking.add_note(session=s, actor=m, ref=ref, text=text))

    def record(self, ref: str, value: str, on: dt.date | None, note: str | None) -> dict[str, Any]:
        return self.write(
            lambda s, m: tracking.record_measurement(session=s, actor=m, ref=ref, value=value, on=on, note=note)
        )

    def stakeholder_options(self, framework: str | None = None) -> list[tuple[str, str]]:
        from tracker.services.tracking.actions import stakeholder_choices

        return self.read(lambda s: stakeholder_choices(s, framework=framework))

    def frameworks(self) -> list[Any]:
        from tracker.services.plan.frameworks import framework_summaries

        return self.read(lambda s: framework_summaries(s))

    def places(self) -> list[Any]:
        """The frameworks this member may read, by city (for names, the scope and pickers)."""
        from tracker.services.plan.frameworks import framework_places

        return self.read(lambda s: framework_places(s))

    def overview(self) -> list[Any]:
        from tracker.services.reporting.overview import framework_overview

        return self.read(lambda s: framework_overview(s))

    def marker(self) -> tuple[int, ...]:
        from tracker.services.tracking.activity import change_marker

        return self.read(lambda s: change_marker(s))

    def listener(self) -> Listener | None:
        """A listener for others' changes, on a database that sends them (PostgreSQL); else None."""
        from tracker.db.notify import Listener, can_listen

        return Listener(self.engine) if can_listen(self.engine) else None

    def visible_frameworks(self) -> frozenset[int] | None:
        """The ids of the frameworks this member reads (None: every one)."""
        from tracker.services.access.rules import visible_framework_ids

        return self.read(lambda s: visible_framework_ids(s))

    def activity(self, *, limit: int = 100, after_id: Any = None) -> list[Any]:
        from tracker.services.tracking.activity import recent_activity

        return self.read(lambda s: recent_activity(s, limit=limit, after_id=after_id))

    def search_actions(self, text: str, limit: int = 20) -> list[ActionRow]:
        return self.read(lambda s: list_actions(s, ActionFilter(text=text, limit=limit)))

    # -- plan, funding, stakeholders --------------------------------------------------------

    def plan(self, framework: str | None) -> Any:
        """The plan tree of ``framework``; when None, of the member's own framework: where
        their organisations work, else where they have a role (by city; None: no framework)."""
        from tracker.services.plan.frameworks import framework_places
        from tracker.services.plan.tree import plan_tree

        def work(s: Session) -> Any:
            key = framework
            if key is None:
                keys = [p.key for p in framework_places(s)]
                key = min(keys, key=self._closeness, default=None)
            return plan_tree(s, framework=key) if key is not None else None

        return self.read(work)

    def _closeness(self, framework: str) -> int:
        """How much ``framework`` is the member's own: 0 their organisations work there,
        1 they edit there, 2 they read there, 3 they read it as an admin only."""
        m = self.member
        if m is None or m.role_in(framework) is None:
            return 3
        if m.stakeholders_in(framework):
            return 0
        return 2 if m.role_in(framework) is Role.viewer else 1

    def funding(self, framework: str | None) -> tuple[list[Any], list[Any]]:
        """Funding sources with their balance, and the actions with a funding gap, largest first."""
        from tracker.services.funding.sources import funding_gaps, funding_sources

        return self.read(
            lambda s: (
                funding_sources(s, today=dt.date.today(), framework=framework),
                funding_gaps(s, framework=framework, limit=200),
            )
        )

    def stakeholders(self, framework: str | None) -> list[Any]:
        from tracker.services.plan.stakeholders import stakeholder_overview

        return self.read(lambda s: stakeholder_overview(s, framework=framework))

    def silence(self, framework: str | None) -> Any:
        """Each lead organisation's silence and the updates it owes, as of today."""
        from tracker.services.reporting.requests import lead_silence

        return self.read(lambda s: lead_silence(s, framework=framework, today=dt.date.today()))

    # -- changing the plan (coordinators) ---------------------------------------------------

    def why_not_plan(self, framework: str, what: str) -> str | None:
        """Why the member may not ``what`` in ``framework`` (None: they may), as they are now:
        asked before a form opens, so that a refusal comes before any typing."""
        from tracker.services.access.rules import why_not_coordinate

        return self.read(lambda s: why_not_coordinate(self._now(s), framework, what))

    def form_choices(self, framework: str) -> FormChoices:
        """What the plan forms offer in ``framework``: its stakeholders, objectives and sources."""
        from tracker.services.funding.sources import funding_sources
        from tracker.services.plan.owners import framework_people
        from tracker.services.plan.tree import plan_tree
        from tracker.services.tracking.actions import stakeholder_choices

        def work(s: Session) -> FormChoices:
            tree = plan_tree(s, framework=framework)
            objectives = [(f"{o.key}: {o.title}", o.key) for g in tree.goals for o in g.objectives]
            return FormChoices(
                stakeholders=[(name, key) for key, name in stakeholder_choices(s, framework=framework)],
                objectives=objectives,
                sources=[(src.name, src.key) for src in funding_sources(s, today=dt.date.today(), framework=framework)],
                people=[
                    (f"{name} ({login})" if name else login, login) for login, name in framework_people(s, framework)
                ],
            )

        return self.read(work)

    def add_action(self, objective_ref: str, fields: dict[str, Any]) -> ActionDetail:
        from tracker.services.plan.action_plan import add_action

        return self.write(lambda s, m: add_action(session=s, actor=m, objective_ref=objective_ref, fields=fields))

    def edit_action(self, ref: str, changes: dict[str, Any], expected_version: int, force: bool) -> ActionDetail:
        from tracker.services.plan.edits import edit_action

        return self.write(
            lambda s, m: edit_action(
                session=s, actor=m, ref=ref, changes=changes, expected_version=expected_version, force=force
            )
        )

    def move_action(self, ref: str, objective: str, expected_version: int, force: bool) -> ActionDetail:
        from tracker.services.plan.action_plan import move_action

        return self.write(
            lambda s, m: move_action(
                session=s, actor=m, ref=ref, objective=objective, expected_version=expected_version, force=force
            )
        )

    def cancel_action(self, ref: str, note: str | None, expected_version: int, force: bool) -> tracking.StatusResult:
        from tracker.services.plan.action_plan import cancel_action

        return self.write(
            lambda s, m: cancel_action(
                session=s, actor=m, ref=ref, note=note, expected_version=expected_version, force=force
            )
        )

    def set_allocation(
        self, ref: str, source: str, fiscal_year: int, amount: str | None, expected_version: int, *,
        force: bool = False, remove: bool = False,
    ) -> ActionDetail:  # fmt: skip
        from tracker.services.plan.edits import set_allocation

        return self.write(
            lambda s, m: set_allocation(
                session=s, actor=m, ref=ref, source=source, fiscal_year=fiscal_year, amount=amount,
                expected_action_version=expected_version, force=force, remove=remove,
            )
        )  # fmt: skip

    # -- goals, objectives, indicators, funding sources -------------------------------------

    def item(self, kind: str, ref: str) -> Any:
        """A goal, objective, indicator or funding source as it is now (`items.ItemView`)."""
        from tracker.services.plan.items import item_view

        return self.read(lambda s: item_view(s, kind, ref))

    def why_not_source(self, ref: str | None) -> str | None:
        """Why the member may not change the funding source ``ref`` (None: add one), as they
        are now: by the frameworks it pays for (None: they may)."""
        from tracker.errors import PermissionDenied
        from tracker.services.access.rules import require_source_editor
        from tracker.services.plan.items import KINDS, frameworks_using, read_item

        def work(s: Session) -> str | None:
            used = frameworks_using(s, read_item(s, KINDS["source"], ref).id) if ref else []
            try:
                require_source_editor(self._now(s), ref or "you would add", used)
            except PermissionDenied as exc:
                return exc.message
            return None

        return self.read(work)

    def add_item(
        self, kind: str, under: str, fields: dict[str, Any], *, position: int | None, findings: list[str]
    ) -> Any:
        from tracker.services.plan.items import add_item

        return self.write(
            lambda s, m: add_item(
                session=s, actor=m, kind_name=kind, under=under, fields=fields, position=position, findings=findings
            )
        )

    def edit_item(
        self, kind: str, ref: str, changes: dict[str, Any], *, position: int | None, link: list[str],
        unlink: list[str], expected_version: int, force: bool,
    ) -> Any:  # fmt: skip
        from tracker.services.plan.items import edit_item

        return self.write(
            lambda s, m: edit_item(
                session=s, actor=m, kind_name=kind, ref=ref, changes=changes, position=position,
                add_findings=link, remove_findings=unlink, expected_version=expected_version, force=force,
            )
        )  # fmt: skip

    # -- the report and the workbook ---------------------------------------------------------

    def report(self, framework: str, *, form: str = "md", lang: str = "en") -> str:
        """The report on ``framework``, as `tracker report` writes it: Markdown (``form`` "md")
        or the HTML page ("html") in ``lang``."""
        from tracker.services.reporting.report import gather_report

        data = self.read(lambda s: gather_report(s, framework=framework, today=dt.date.today()), snapshot=True)
        if form == "html":
            from tracker.web.report_html import report_html

            return report_html(data, lang=lang)
        from tracker.exports.report_md import report_markdown

        return report_markdown(data)

    def workbook(self, framework: str | None) -> bytes:
        """The coordinators' workbook of ``framework`` (None: every framework read), as
        `tracker export --format xlsx` writes it."""
        from tracker.exports.xlsx import workbook_bytes
        from tracker.services.reporting.export_views import workbook_data

        now = dt.datetime.now(dt.UTC)

        def work(s: Session) -> bytes:
            return workbook_bytes(
                workbook_data(s, today=now.date(), framework=framework),
                title=f"tracker: {framework or 'every framework'}",
                comments=f"written from the tracker app on {now:%Y-%m-%d %H:%M} UTC",
            )

        return self.read(work, snapshot=True)  # every sheet from one state of the database
