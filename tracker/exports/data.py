"""Service results as plain JSON-ready data: dates in ISO, money as exact strings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """Dataclasses, enums, dates and decimals as JSON-friendly values, recursively.

    Money stays a string ("15000.00") so that no script reads it as a float.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")  # plain digits: a measured 10 comes back normalised as 1E+1
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def without_controls(text: str) -> str:
    """``text`` without control characters (tabs and line breaks kept): spreadsheets and
    calendars cannot show them, and RFC 5545 forbids them."""
    return _CONTROL.sub("", text)
