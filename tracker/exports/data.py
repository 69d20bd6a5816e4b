"""Service results as plain JSON-ready data: dates in ISO, money as exact strings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})
# How to convert each type, worked out once per type: asking `dataclasses.fields`
# and a chain of isinstance checks for every value cost more than the rest of a
# 10,000-action JSON export.
_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


def plain(value: Any) -> Any:
    """Dataclasses, enums, dates and decimals as JSON-friendly values, recursively.

    Money stays a string ("15000.00") so that no script reads it as a float.
    """
    kind = type(value)
    if kind in _SCALARS:  # exact types: enums that are also str or int are converted below
        return value
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(value)


def _converter(kind: type) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))
        if len(names) < 2:  # attrgetter of one name gives the value, not a tuple
            return lambda value: {name: plain(getattr(value, name)) for name in names}
        fields = operator.attrgetter(*names)  # every field's value at once, in C
        # Scalars are kept without a call: a list of 10,000 actions made 300,000 calls here.
        return lambda value: {
            name: v if type(v) in _SCALARS else plain(v) for name, v in zip(names, fields(value), strict=True)
        }
    if issubclass(kind, enum.Enum):
        return lambda value: value.value
    if issubclass(kind, dt.date):  # datetimes too
        return lambda value: value.isoformat()
    if issubclass(kind, Decimal):
        return lambda value: format(value, "f")  # plain digits: a measured 10 comes back normalised as 1E+1
    if issubclass(kind, dict):
        return lambda value: {str(plain(k)): plain(v) for k, v in value.items()}
    if issubclass(kind, set | frozenset):
        return lambda value: sorted(plain(v) for v in value)
    if issubclass(kind, list | tuple):
        return lambda value: [v if type(v) in _SCALARS else plain(v) for v in value]
    return lambda value: value
