"""`tracker export`: a framework as a plan file, or data for other tools, spreadsheets and calendars."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.common import reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import check_target, say_written, stderr_console, visible, write_file, write_stdout

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


class ExportFormat(enum.StrEnum):
    plan = "plan"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    ics = "ics"


class Steps:
    """Where a long export is, for the progress display: ``expect(n)`` steps, then each one."""

    def __init__(self, show: Callable[[str, int | None], None] | None = None) -> None:
        self._show = show
        self._total: int | None = None

    def expect(self, total: int) -> None:
        self._total = total

    def __call__(self, message: str) -> None:
        if self._show is not None:
            self._show(message, self._total)


def export(
    ctx: typer.Context,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-F", help="plan, json, csv, xlsx or ics (see above).", show_default=False),
    ],
    framework: Annotated[
        str | None, typer.Option("--framework", "-f", help="Framework key (default: every framework).")
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (replaced in one step); - or none: stdout."),
    ] = None,
    for_updates: Annotated[
        bool,
        typer.Option("--for-updates", help="xlsx: a workbook of open actions to fill in for `tracker import-updates`."),
    ] = False,
    owner: Annotated[
        str | None, typer.Option("--owner", help="With --for-updates: the actions this member (a login) owns.")
    ] = None,
    stakeholder: Annotated[
        str | None,
        typer.Option(
            "--stakeholder", "-s", help="With --for-updates: the actions this organisation leads or supports."
        ),
    ] = None,
) -> None:
    """Export frameworks for a new database, for scripts, spreadsheets or calendars.

    \b
    plan  A plan file (YAML) of one framework (--framework is required) that
          `tracker seed` turns into the same framework in an empty database:
          stakeholders it uses, members, funding sources, workshops and
          findings, goals, objectives, indicators, actions with partners,
          allocations, findings, dates and costs, fiscal year and meetings.
          Each action's `status` is its status now, so a new database starts
          where this one is (an action that already exists keeps its own).
          Tracking history (status changes, notes, plan edits, measurements)
          is not part of a plan file: use json for it.
    json  Everything, for other tools: {"format", "version", "exported_at",
          "frameworks": [{"plan": <the plan file>, "tracking": {"actions":
          [status, version, completed_on, status_changes, notes, plan_changes],
          "indicators": [measurements]}}]}. Money and values are exact strings,
          dates ISO 8601.
    csv   The actions, as `tracker actions list --csv` writes them.
    xlsx  A workbook for coordinators: actions, gaps, objective gaps, sources
          and indicators (needs -o FILE, or a pipe).
    ics   An iCalendar file: action due dates, workshops and working-group
          meetings, with stable UIDs so importing again updates the events.

    \b
    xlsx --for-updates [--owner LOGIN | --stakeholder KEY]
          A workbook to fill in: sheet Actions, one row per open action, where
          only the new status (a drop-down), a note and a completion date can
          be edited; sheet Indicators, the indicators of those actions'
          objectives, for new values and the dates measured. Each row carries
          its action's version and the export id; `tracker import-updates`
          applies it and reports conflicts and rows already applied.

    \b
    Example: tracker export --format plan --framework stamford-ct -o stamford.yaml
             tracker export --format xlsx -o report.xlsx
             tracker export --format json | jq '.frameworks[].plan.framework.key'
             tracker export -F xlsx --for-updates -f stamford-ct --owner maria -o maria.xlsx
    """
    settings: Settings = ctx.obj
    with user_errors():
        from tracker.errors import BadInput

        to_stdout = output in (None, "-")
        if fmt is ExportFormat.plan and framework is None:
            raise BadInput("a plan file holds one framework: give --framework KEY (`tracker summary` lists the keys).")
        if fmt is ExportFormat.xlsx and to_stdout and sys.stdout.isatty():
            raise BadInput("a workbook is binary, not for the terminal: give -o FILE.xlsx, or pipe it to a file.")
        if (for_updates or owner or stakeholder) and fmt is not ExportFormat.xlsx:
            raise BadInput("--for-updates, --owner and --stakeholder go with --format xlsx.")
        if (owner or stakeholder) and not for_updates:
            raise BadInput(
                "--owner and --stakeholder choose the actions of a --for-updates workbook; add --for-updates."
            )
        if owner and stakeholder:
            raise BadInput("give --owner or --stakeholder, not both (neither: every open action).")
        target = None if to_stdout else check_target(Path(str(output)), example=f"export.{fmt.value}")
        with reading(settings, snapshot=True) as session, _progress(fmt.value) as step:
            engine = session.get_bind().engine
            if for_updates:
                data: str | bytes = for_updates_workbook(
                    session, framework=framework, owner=owner, stakeholder=stakeholder
                )
            else:
                data = _build(fmt, session, framework, engine, step)
        if target is None:
            write_stdout(data)
            return
        write_file(target, data)
        what = f"framework {framework}" if framework else "every framework"
        say_written(f"Wrote {fmt.value} of {what} to {target}.")


def _build(fmt: ExportFormat, session: Session, framework: str | None, engine: Engine, step: Steps) -> str | bytes:
    from tracker.services.plan.export import framework_keys
    from tracker.services.tracking.actions import framework_id

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if framework is not None:
        framework_id(session, framework)  # an unknown key: one sentence, before any work
    keys = [framework] if framework is not None else framework_keys(session)
    step.expect({"plan": 2, "csv": 1, "xlsx": 6}.get(fmt.value, len(keys) + 1))
    if fmt is ExportFormat.plan:
        assert framework is not None
        return _plan(session, framework, engine, now, step)
    if fmt is ExportFormat.json:
        from tracker.exports.full_json import FrameworkExport, full_json
        from tracker.services.plan.export import plan_of
        from tracker.services.reporting.export_views import tracking_of

        exports = []
        for key in keys:
            step(key)
            exports.append(FrameworkExport(plan_of(session, framework=key), tracking_of(session, framework=key)))
        step("writing")
        return full_json(exports, exported_at=now)
    if fmt is ExportFormat.csv:
        from tracker.exports.actions import actions_csv
        from tracker.services.reporting.export_views import sheet_actions

        step("actions")
        return actions_csv(sheet_actions(session, framework))
    if fmt is ExportFormat.xlsx:
        from tracker.exports.xlsx import workbook_bytes
        from tracker.services.reporting.export_views import workbook_data

        step("reading")
        return workbook_bytes(
            workbook_data(session, today=dt.date.today(), framework=framework),
            title=f"tracker: {framework or 'every framework'}",
            comments=_origin(engine, now),
            progress=step,
        )
    from tracker.exports.ics import calendar_bytes
    from tracker.services.plan.export import plan_of
    from tracker.services.reporting.export_views import sheet_actions

    plans = []
    for key in keys:
        step(key)
        plans.append(plan_of(session, framework=key))
    step("calendar")
    return calendar_bytes(plans, sheet_actions(session, framework), stamp=now)


def for_updates_workbook(
    session: Session, *, framework: str | None, owner: str | None = None, stakeholder: str | None = None
) -> bytes:
    """The for-updates workbook (XLSX bytes) of the open actions that ``owner`` (a login) owns or
    ``stakeholder`` (a key) leads or supports, in ``framework`` (None: every framework the
    session sees); neither: every open action. Also what an update request attaches."""
    from tracker.errors import BadInput
    from tracker.exports.xlsx_updates import updates_workbook_bytes
    from tracker.services.reporting.update_sheets import update_sheets
    from tracker.services.tracking.actions import framework_id

    if framework is not None:
        framework_id(session, framework)
    if owner is not None:
        from tracker.names import check_login

        try:
            owner = check_login(owner)
        except ValueError as exc:
            raise BadInput(f"--owner: {exc}.") from None
    data = update_sheets(session, framework=framework, owner=owner, stakeholder=stakeholder)
    whom = f" for {data.party.partition(':')[2]}" if data.party else ""
    return updates_workbook_bytes(
        data,
        title=f"tracker updates{whom}: {framework or 'every framework'}",
        comments=f"{_origin(session.get_bind().engine, data.exported_at)}; export id {data.export_id}",
    )


def _plan(session: Session, framework: str, engine: Engine, now: dt.datetime, step: Steps) -> str:
    from tracker.exports.plan_file import plan_yaml
    from tracker.services.plan.export import plan_of

    step(f"reading {framework}")
    plan = plan_of(session, framework=framework)
    step("writing and checking the file")
    return plan_yaml(
        plan,
        comments=(
            f"Plan of framework {framework}, {_origin(engine, now)}.",
            "`tracker seed FILE` creates it in a database. Each action's status is its status at",
            "export time: a new database starts there; an action that already exists keeps its own.",
            "Not in a plan file: status history, notes, plan edits and measurements (export json).",
        ),
    )


def _origin(engine: Engine, now: dt.datetime) -> str:
    from importlib.metadata import version

    from tracker.db import describe

    return f"exported by tracker {version('tracker')} on {now:%Y-%m-%d %H:%M} UTC from {describe(str(engine.url))}"


@contextmanager
def _progress(label: str) -> Iterator[Steps]:
    """A progress bar with the current step on stderr, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield Steps()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    ) as progress:
        task = progress.add_task(f"Exporting {label}", total=None)
        begun = False

        def show(message: str, total: int | None) -> None:
            nonlocal begun
            # Each message starts a step: the one before it is complete.
            progress.update(task, description=visible(f"Exporting {label}: {message}"), total=total, advance=int(begun))
            begun = True

        yield Steps(show)
        progress.update(task, completed=progress.tasks[0].total or 0)
