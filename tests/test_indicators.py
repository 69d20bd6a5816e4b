"""Indicator progress: the share of the way from baseline to target, and off track against the
straight line between them, worked out by hand on the Riverton plan (tests/report_plans.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from tests.report_plans import FW, TODAY, seed_riverton
from tracker.db import read_session
from tracker.errors import NotFound
from tracker.exports.data import plain
from tracker.models.enums import Direction
from tracker.services.plan.indicators import expected_share, indicator_progress, progress_share

D = Decimal
UP, DOWN = Direction.increase, Direction.decrease


@pytest.mark.parametrize(
    ("baseline", "target", "value", "direction", "share"),
    [
        ("10", "20", "10", UP, "0"),  # at the baseline
        ("10", "20", "20", UP, "1"),  # at the target
        ("10", "20", "16", UP, "0.6"),
        ("10", "20", "25", UP, "1.5"),  # past the target
        ("10", "20", "8", UP, "-0.2"),  # the wrong way
        ("50", "30", "38", DOWN, "0.6"),
        ("50", "30", "20", DOWN, "1.5"),
        ("50", "30", "55", DOWN, "-0.25"),
        ("0.5", "0.2", "0.35", DOWN, "0.5"),  # exact decimals, no float drift
    ],
)
def test_progress_share_follows_the_direction(
    baseline: str, target: str, value: str, direction: Direction, share: str
) -> None:
    """A coordinator reads 60 % for a waiting time down from 50 to 38 days on the way to 30,
    and a negative share when things got worse; a wrong sign would hide a failing indicator."""
    assert progress_share(baseline=D(baseline), target=D(target), value=D(value), direction=direction) == D(share)


@pytest.mark.parametrize(
    ("baseline", "target", "value", "direction"),
    [
        (None, "20", "16", UP),
        ("10", None, "16", UP),
        ("10", "20", None, UP),
        ("10", "10", "12", UP),  # no way to cover
        ("50", "30", "40", UP),  # the target lies the other way from what is better
        ("30", "50", "40", DOWN),
    ],
)
def test_progress_share_is_none_when_it_cannot_be_known(
    baseline: str | None, target: str | None, value: str | None, direction: Direction
) -> None:
    """A missing figure or a target that contradicts the direction must not show as 0 % or 100 %."""
    dec = [None if v is None else D(v) for v in (baseline, target, value)]
    assert progress_share(baseline=dec[0], target=dec[1], value=dec[2], direction=direction) is None


def test_expected_share_is_the_straight_line_held_between_0_and_1() -> None:
    """Half-way through the year the line says half the way; before the start nothing, after
    the target date everything."""
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    assert expected_share(starts=start, target_date=end, on=dt.date(2025, 7, 2)) == D("0.5")
    assert expected_share(starts=start, target_date=end, on=dt.date(2024, 6, 1)) == 0
    assert expected_share(starts=start, target_date=end, on=dt.date(2026, 3, 1)) == 1
    assert expected_share(starts=start, target_date=None, on=dt.date(2025, 7, 2)) is None


def test_indicators_on_and_off_track(engine: Engine) -> None:
    """The report's 'off track' list: two indicators behind the line (one increasing, one
    decreasing) are flagged, two ahead of it are not, and those missing a figure are never
    flagged but say why."""
    seed_riverton(engine)
    with read_session(engine) as session:
        views = {v.key: v for v in indicator_progress(session, framework=FW, today=TODAY)}
    assert list(views) == ["visits", "referrals", "waiting", "incidents", "trust", "reach"]
    expected = {
        "visits": (D("16"), D("0.6"), False),
        "referrals": (D("40"), D("0.4"), True),
        "waiting": (D("38"), D("0.6"), False),
        "incidents": (D("46"), D("0.2"), True),
    }
    for key, (latest, progress, off) in expected.items():
        v = views[key]
        assert (v.latest, v.latest_on, v.progress, v.expected, v.off_track, v.judgement) == (
            latest,
            dt.date(2025, 7, 2),
            progress,
            D("0.5"),
            off,
            None,
        ), key
        assert v.baseline_on == dt.date(2025, 1, 1) and v.judged_on == dt.date(2025, 7, 2)
    # incidents: 35 was recorded last but measured in March; the July value is the latest.
    assert views["incidents"].measurements == 2 and views["incidents"].direction is DOWN
    trust, reach = views["trust"], views["reach"]
    assert (trust.progress, trust.off_track, trust.judgement) == (None, False, "no baseline")
    assert (reach.progress, reach.off_track, reach.judgement, reach.measurements) == (None, False, "no measurement", 0)
    assert reach.judged_on == TODAY  # nothing measured: judged on the day asked


def test_indicators_are_judged_on_the_measurement_date_not_today(engine: Engine) -> None:
    """An old measurement is judged against where the line stood that day: reading the report
    later does not turn an indicator that was on track into one that is off."""
    seed_riverton(engine)
    with read_session(engine) as session:
        late = {v.key: v for v in indicator_progress(session, framework=FW, today=dt.date(2026, 6, 1))}
    assert late["visits"].expected == D("0.5") and not late["visits"].off_track


def test_indicator_figures_are_exact_in_json(engine: Engine) -> None:
    """Scripts read 40, not 4E+1 or 40.000000, and shares as exact strings."""
    seed_riverton(engine)
    with read_session(engine) as session:
        [referrals] = [v for v in indicator_progress(session, today=TODAY) if v.key == "referrals"]
    data = plain(referrals)
    assert (data["baseline"], data["target"], data["latest"]) == ("0", "100", "40")
    assert (data["progress"], data["expected"], data["off_track"]) == ("0.4000", "0.5000", True)


def test_unknown_framework_is_named(engine: Engine) -> None:
    """A typo in --framework gets the list of known keys, not an empty table."""
    seed_riverton(engine, measured=False)
    with read_session(engine) as session, pytest.raises(NotFound, match="riverton"):
        indicator_progress(session, framework="rivertn")
