"""Dates as people type them in options and filters: ISO, a month, or relative to today."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import relativedelta

from tracker.errors import BadInput

_RELATIVE = re.compile(r"^([+-])(\d{1,4})([dwmy])$")
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}
_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_DURATION = re.compile(r"^(\d{1,12})\s*([dw]?)$")

# The years tracker takes, in plan files and options alike: far enough either
# way for any plan, and narrow enough that every later step (fiscal years,
# the calendar export, meeting lookups, date arithmetic) stays within the
# years Python and the calendar formats can hold.
MIN_YEAR = 1900
MAX_YEAR = 2200


def in_range(day: dt.date) -> dt.date:
    """``day`` if its year is from `MIN_YEAR` to `MAX_YEAR`, else ValueError."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"{day.isoformat()} is outside the years {MIN_YEAR} to {MAX_YEAR} that tracker takes")
    return day


def parse_iso(text: str, *, end_of_month: bool) -> dt.date | None:
    """``2025-06-30``, or ``2025-06`` as its first (or last) day; None for any other form.

    Raises ValueError for a date that is not on the calendar or out of range.
    """
    iso = _ISO.match(text.strip())
    if iso is None:
        return None
    year, month, day = (int(g) if g else None for g in iso.groups())
    assert year is not None and month is not None
    try:
        first = dt.date(year, month, 1)
        found = dt.date(year, month, day) if day is not None else None
    except ValueError:
        raise ValueError(f"{text!r} is not a real date on the calendar") from None
    if found is None:
        found = first + relativedelta(day=31) if end_of_month else first
    return in_range(found)


def parse_user_date(text: str, *, end_of_month: bool = False, today: dt.date | None = None) -> dt.date:
    """``2025-06-30``, ``2025-06`` (first or last day), ``today``, ``+2w``, ``-3d``, ``+1m``.

    Ambiguous forms such as ``03/04/2025`` are refused with the forms that work.
    """
    today = today or dt.date.today()
    value = text.strip().lower()
    if value in _WORDS:
        return today + dt.timedelta(days=_WORDS[value])
    try:
        relative = _RELATIVE.match(value)
        if relative:
            sign, amount, unit = relative.groups()
            delta = relativedelta(**{_UNITS[unit]: int(amount)})  # type: ignore[arg-type]
            try:
                return in_range(today + delta if sign == "+" else today - delta)
            except (OverflowError, ValueError):
                raise ValueError(f"{text!r} is outside the years {MIN_YEAR} to {MAX_YEAR} that tracker takes") from None
        found = parse_iso(value, end_of_month=end_of_month)
    except ValueError as exc:
        raise BadInput(f"{exc}.") from None
    if found is not None:
        return found
    raise BadInput(
        f"{text!r} is not a date tracker understands; write 2025-06-30, 2025-06, today, "
        "or a shift such as +2w, -3d, +1m."
    )


def parse_days(text: str, option: str) -> int:
    """A number of days as people type it: ``14``, ``14d`` or ``2w``; the one parser
    behind every option that asks for days, so each takes the same forms.

    Bounds are the option's own (checked by the caller); anything else is refused with
    a sentence that names ``option``.
    """
    found = _DURATION.match(text.strip().lower())
    if found is None:
        raise BadInput(f"{option} takes a number of days: 14, 14d or 2w, not {text[:40]!r}.")
    amount, unit = found.groups()
    return int(amount) * (7 if unit == "w" else 1)
