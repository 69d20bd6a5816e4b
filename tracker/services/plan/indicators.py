"""Indicator progress: how far each key metric has moved from its baseline toward its
target, and whether it is behind the straight line between them.

Indicators carry no date for their baseline: the baseline is taken to hold on
the framework's ``starts`` day, when the plan's work begins. Quantities are
exact decimals throughout; shares are rounded to four places only once judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Indicator, Measurement
from tracker.models.base import table_of as _t
from tracker.models.enums import Direction
from tracker.services.access.rules import within
from tracker.services.tracking.actions import framework_t, frameworks_read, goal_t, objective_t

indicator_t = _t(Indicator)
measurement_t = _t(Measurement)

SHARE = Decimal("0.0001")


def progress_share(
    *, baseline: Decimal | None, target: Decimal | None, value: Decimal | None, direction: Direction
) -> Decimal | None:
    """The share of the way from ``baseline`` to ``target`` that ``value`` has covered.

    0 at the baseline, 1 at the target, above 1 past it, below 0 when the value
    moved the wrong way: ``(value - baseline) / (target - baseline)``.
    ``direction`` says which way is better: when the target does not lie that
    way from the baseline (an increase toward a lower target, or a target equal
    to the baseline) there is no way to cover, and the share is None. None too
    when the baseline, the target or the value is missing.
    """
    if baseline is None or target is None or value is None:
        return None
    sign = 1 if direction is Direction.increase else -1
    needed = (target - baseline) * sign
    if needed <= 0:
        return None
    return (value - baseline) * sign / needed


def expected_share(*, starts: dt.date, target_date: dt.date | None, on: dt.date) -> Decimal | None:
    """The share the straight line from ``starts`` (share 0) to ``target_date`` (share 1)
    reaches ``on`` that day, held between 0 and 1 (before the start: 0; from the target
    date on: 1). None without a target date; 1 when the target date is not after
    ``starts`` and ``on`` is not before it."""
    if target_date is None:
        return None
    if on >= target_date:
        return Decimal(1)
    if on <= starts:
        return Decimal(0)
    return Decimal((on - starts).days) / Decimal((target_date - starts).days)


@dataclass(frozen=True)
class IndicatorProgress:
    """One indicator and how far it has come.

    ``baseline_on`` is the framework's ``starts`` (the baseline's assumed day).
    ``latest``/``latest_on`` are the most recent measurement by date measured
    (the last recorded wins a tie); ``measurements`` counts them all.
    ``progress`` is :func:`progress_share` of ``latest``; ``expected`` is
    :func:`expected_share` on ``judged_on``: the latest measurement's date, or
    today when there is none. ``off_track`` is True when both are known and
    progress is below expected (an indicator that has met its target by the
    target date is never off track). Shares are rounded to four places after
    the comparison. ``judgement`` says in words why an indicator cannot be
    judged ("no baseline", "no target", "no target date", "no measurement",
    "target not beyond baseline"), or None when it is judged.
    """

    ref: str
    framework: str
    key: str
    name: str
    unit: str
    objective_key: str
    objective_title: str
    direction: Direction
    baseline: Decimal | None
    baseline_on: dt.date
    target: Decimal | None
    target_date: dt.date | None
    latest: Decimal | None
    latest_on: dt.date | None
    measurements: int
    judged_on: dt.date
    progress: Decimal | None
    expected: Decimal | None
    off_track: bool
    judgement: str | None


def _judgement(*parts: tuple[bool, str]) -> str | None:
    """The first reason in ``parts`` that holds, or None."""
    return next((what for missing, what in parts if missing), None)


def latest_measurements(ids: frozenset[int] | None) -> sa.Subquery:
    """Per indicator (of the frameworks ``ids``, or all), its measurements ranked newest first:
    ``n`` = 1 is the latest by date measured (the last recorded wins a tie), ``total`` the count."""
    ranked = sa.select(
        measurement_t.c.indicator_id,
        measurement_t.c.value,
        measurement_t.c.measured_on,
        sa.func.row_number()
        .over(
            partition_by=measurement_t.c.indicator_id,
            order_by=(measurement_t.c.measured_on.desc(), measurement_t.c.id.desc()),
        )
        .label("n"),
        sa.func.count().over(partition_by=measurement_t.c.indicator_id).label("total"),
    )
    if ids is not None:
        ranked = ranked.join(indicator_t, indicator_t.c.id == measurement_t.c.indicator_id).where(
            within(indicator_t.c.framework_id, ids)
        )
    return ranked.subquery()


def indicator_progress(
    session: Session, *, framework: str | None = None, today: dt.date | None = None
) -> list[IndicatorProgress]:
    """Every indicator (of ``framework``, or all) with its progress, in plan order.

    One statement: the latest measurement of each indicator comes from a
    window function, the count from the same window.
    """
    today = today or dt.date.today()
    ids = frameworks_read(session, framework)
    latest = latest_measurements(ids)
    query = (
        sa.select(
            indicator_t,
            framework_t.c.key.label("framework"),
            framework_t.c.starts.label("framework_starts"),
            objective_t.c.key.label("objective_key"),
            objective_t.c.title.label("objective_title"),
            latest.c.value.label("latest"),
            latest.c.measured_on.label("latest_on"),
            sa.func.coalesce(latest.c.total, 0).label("measurements"),
        )
        .select_from(
            indicator_t.join(framework_t, framework_t.c.id == indicator_t.c.framework_id)
            .join(objective_t, objective_t.c.id == indicator_t.c.objective_id)
            .join(goal_t, goal_t.c.id == objective_t.c.goal_id)
            .outerjoin(latest, sa.and_(latest.c.indicator_id == indicator_t.c.id, latest.c.n == 1))
        )
        .order_by(
            framework_t.c.key,
            goal_t.c.position,
            goal_t.c.key,
            objective_t.c.position,
            objective_t.c.key,
            indicator_t.c.position,
            indicator_t.c.key,
        )
    )
    query = query.where(within(indicator_t.c.framework_id, ids))
    views = []
    for row in session.execute(query):
        direction = Direction(row.direction)
        judged_on = row.latest_on or today
        progress = progress_share(baseline=row.baseline, target=row.target, value=row.latest, direction=direction)
        expected = expected_share(starts=row.framework_starts, target_date=row.target_date, on=judged_on)
        views.append(
            IndicatorProgress(
                ref=f"{row.framework}/{row.key}",
                framework=row.framework,
                key=row.key,
                name=row.name,
                unit=row.unit,
                objective_key=row.objective_key,
                objective_title=row.objective_title,
                direction=direction,
                baseline=row.baseline,
                baseline_on=row.framework_starts,
                target=row.target,
                target_date=row.target_date,
                latest=row.latest,
                latest_on=row.latest_on,
                measurements=int(row.measurements),
                judged_on=judged_on,
                progress=None if progress is None else progress.quantize(SHARE),
                expected=None if expected is None else expected.quantize(SHARE),
                off_track=progress is not None and expected is not None and progress < expected,
                judgement=_judgement(
                    (row.baseline is None, "no baseline"),
                    (row.target is None, "no target"),
                    (row.target_date is None, "no target date"),
                    (row.latest is None, "no measurement"),
                    (progress is None, "target not beyond baseline"),
                ),
            )
        )
    return views
