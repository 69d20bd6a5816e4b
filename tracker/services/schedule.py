"""Calendar rules of a framework: its fiscal years and its working-group meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


def fiscal_year_of(day: dt.date, starts_month: int = 1) -> int:
    """The fiscal year ``day`` falls in, named by the calendar year it ends in.

    With ``starts_month=7`` (July to June), 2025-08-01 is in FY2026; with the
    default (January), fiscal and calendar years are the same.
    """
    return day.year + 1 if starts_month > 1 and day.month >= starts_month else day.year


def fiscal_year_span(year: int, starts_month: int = 1) -> tuple[dt.date, dt.date]:
    """The first and last day of fiscal ``year``."""
    first = dt.date(year - 1 if starts_month > 1 else year, starts_month, 1)
    return first, first + relativedelta(years=1, days=-1)


def fiscal_years_between(starts: dt.date, ends: dt.date, starts_month: int = 1) -> list[int]:
    """Every fiscal year that a period from ``starts`` to ``ends`` (inclusive) touches."""
    if ends < starts:
        return []
    return list(range(fiscal_year_of(starts, starts_month), fiscal_year_of(ends, starts_month) + 1))


@dataclass(frozen=True)
class Meetings:
    """A framework's working-group meetings: an RFC 5545 rule from a first meeting."""

    rule: str
    starts: dt.date
    place: str | None = None

    def after(self, day: dt.date, count: int = 3) -> list[dt.date]:
        """The next ``count`` meetings on or after ``day``."""
        from dateutil.rrule import rrulestr

        rule = rrulestr(self.rule, dtstart=dt.datetime.combine(self.starts, dt.time()))
        found: list[dt.date] = []
        when = rule.after(dt.datetime.combine(day, dt.time()), inc=True)  # type: ignore[union-attr]
        while when is not None and len(found) < count:
            found.append(when.date())
            when = rule.after(when)  # type: ignore[union-attr]
        return found

    def before(self, day: dt.date) -> dt.date | None:
        """The last meeting strictly before ``day`` (None before the first one)."""
        from dateutil.rrule import rrulestr

        rule = rrulestr(self.rule, dtstart=dt.datetime.combine(self.starts, dt.time()))
        when = rule.before(dt.datetime.combine(day, dt.time()))  # type: ignore[union-attr]
        return when.date() if when is not None else None


def meetings_of(rule: str | None, starts: dt.date | None, place: str | None = None) -> Meetings | None:
    """The meetings stored on a framework row, or None when it has no rule."""
    if rule is None or starts is None:
        return None
    return Meetings(rule, starts, place)
