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


def parse_user_date(text: str, *, end_of_month: bool = False, today: dt.date | None = None) -> dt.date:
    """``2025-06-30``, ``2025-06`` (first or last day), ``today``, ``+2w``, ``-3d``, ``+1m``.

    Ambiguous forms such as ``03/04/2025`` are refused with the forms that work.
    """
    today = today or dt.date.today()
    value = text.strip().lower()
    if value in _WORDS:
        return today + dt.timedelta(days=_WORDS[value])
    relative = _RELATIVE.match(value)
    if relative:
        sign, amount, unit = relative.groups()
        delta = relativedelta(**{_UNITS[unit]: int(amount)})  # type: ignore[arg-type]
        return today + delta if sign == "+" else today - delta
    iso = _ISO.match(value)
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
        assert year is not None and month is not None
        try:
            if day is not None:
                return dt.date(year, month, day)
            first = dt.date(year, month, 1)
        except ValueError:
            raise BadInput(f"{text!r} is not a real date on the calendar.") from None
        return first + relativedelta(day=31) if end_of_month else first
    raise BadInput(
        f"{text!r} is not a date tracker understands; write 2025-06-30, 2025-06, today, "
        "or a shift such as +2w, -3d, +1m."
    )
