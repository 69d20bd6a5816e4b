"""Calendar rules of a framework: its fiscal years and its working-group meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from tracker.dates import in_range


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


# Every meeting lookup looks at most this far from the day it starts from, and a
# rule must give MIN_MEETINGS meetings within this many years of its first one.
MEETING_WINDOW_YEARS = 5
MIN_MEETINGS = 2
# The Gregorian calendar repeats exactly (weekdays, leap days) every 400 years.
_CYCLE_YEARS = 400
_RULE_EXAMPLE = "FREQ=MONTHLY;INTERVAL=2 or FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU"


def check_rule(text: str) -> str:
    """The rule as it will be stored (without ``RRULE:``), or ValueError with what is wrong.

    Checks what can be seen without a first meeting: the syntax (dateutil),
    a frequency of a day or more, and an interval of 1 or more (dateutil loops
    forever on ``INTERVAL=0``).
    """
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :].strip()
    if "DTSTART" in text.upper() or "\n" in text:
        raise ValueError("write only the rule (FREQ=...;...); the first meeting goes in `starts`")
    _parse(text, dt.date(2000, 1, 1))
    return text


def _parse(text: str, starts: dt.date) -> Any:
    from dateutil.rrule import rrule, rrulestr  # only frameworks with meetings pay for it

    try:
        rule = rrulestr(text, dtstart=dt.datetime.combine(starts, dt.time()))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
        rule = None
    if not isinstance(rule, rrule):
        raise ValueError(f"{text!r} is not a recurrence rule; write an RFC 5545 RRULE such as {_RULE_EXAMPLE}")
    # dateutil keeps the parts of a rule in private attributes: read them defensively.
    if getattr(rule, "_freq", 0) > 3:  # dateutil: YEARLY=0 ... DAILY=3, HOURLY=4 ...
        raise ValueError(f"{text!r} repeats more often than daily; meetings are scheduled by day")
    if getattr(rule, "_interval", 1) < 1:
        raise ValueError(f"{text!r} has an INTERVAL below 1; write INTERVAL=1 or more")
    if getattr(rule, "_byeaster", None):  # a dateutil extension, and Easter does not repeat with the calendar
        raise ValueError(f"{text!r} uses BYEASTER, which is not RFC 5545; write the dates another way")
    return rule


def check_meetings(text: str, starts: dt.date) -> None:
    """ValueError unless the rule gives at least `MIN_MEETINGS` meetings within
    `MEETING_WINDOW_YEARS` years of ``starts``.

    A rule that never happens (``BYMONTH=2;BYMONTHDAY=30``) or hardly ever is a
    mistake, and would make every lookup search the calendar to its end.
    """
    last = starts + relativedelta(years=MEETING_WINDOW_YEARS, days=-1)
    found = _dates(text, starts, starts, last, MIN_MEETINGS)
    if len(found) < MIN_MEETINGS:
        raise ValueError(
            f"{text!r} gives fewer than {MIN_MEETINGS} meetings in the {MEETING_WINDOW_YEARS} years from "
            f"{starts}; write a rule that repeats at least every {MEETING_WINDOW_YEARS} years"
        )


@lru_cache(maxsize=256)
def _usable(text: str, starts: dt.date) -> bool:
    # A rule written straight into the database skipped the plan file's checks.
    try:
        in_range(starts)  # a first meeting in year 1 would make every lookup walk 2,000 years
        check_rule(text)
        check_meetings(text, starts)
    except ValueError:
        return False
    return True


def _dates(text: str, starts: dt.date, first: dt.date, last: dt.date, limit: int) -> list[dt.date]:
    """Up to ``limit`` meetings from ``first`` to ``last`` (inclusive), in bounded time.

    dateutil stops at an occurrence past UNTIL, but a rule whose filters match
    no day (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) never produces one: it
    steps day by day to the year 9999. So the rule is evaluated shifted by whole
    400-year cycles (the same weekdays and leap days) until ``last`` is within
    one cycle of 9999: the fruitless search then ends after at most 400 years.
    """
    if last < first or limit < 1:
        return []
    cycles = max(0, (dt.MAXYEAR - last.year) // _CYCLE_YEARS)
    shift = relativedelta(years=_CYCLE_YEARS * cycles)
    rule = _parse(text, starts + shift)
    end = dt.datetime.combine(last + shift, dt.time())
    if rule._until is not None and rule._until < end:
        end = rule._until
    rule = rule.replace(until=end)
    begin = dt.datetime.combine(first + shift, dt.time())
    return [when.date() - shift for when in rule.xafter(begin, count=limit, inc=True)]


@dataclass(frozen=True)
class Meetings:
    """A framework's working-group meetings: an RFC 5545 rule from a first meeting.

    Lookups look `MEETING_WINDOW_YEARS` years ahead or back at most, and a rule
    that fails the plan file's checks (written into the database by other
    means) gives no meetings, so no stored rule can hang a command or the app.
    """

    rule: str
    starts: dt.date
    place: str | None = None

    def after(self, day: dt.date, count: int = 3) -> list[dt.date]:
        """The next ``count`` meetings on or after ``day`` (within the window)."""
        if not _usable(self.rule, self.starts):
            return []
        first = max(day, self.starts)
        try:
            last = first + relativedelta(years=MEETING_WINDOW_YEARS)
        except (ValueError, OverflowError):
            last = dt.date.max
        return _dates(self.rule, self.starts, first, last, count)

    def before(self, day: dt.date) -> dt.date | None:
        """The last meeting strictly before ``day`` within the window (None before the first one)."""
        if not _usable(self.rule, self.starts) or day <= self.starts:
            return None
        first = max(self.starts, day - relativedelta(years=MEETING_WINDOW_YEARS))
        found = _dates(self.rule, self.starts, first, day - dt.timedelta(days=1), 10_000)
        return found[-1] if found else None


def meetings_of(rule: str | None, starts: dt.date | None, place: str | None = None) -> Meetings | None:
    """The meetings stored on a framework row, or None when it has no rule."""
    if rule is None or starts is None:
        return None
    return Meetings(rule, starts, place)
