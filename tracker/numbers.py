"""The numbers tracker takes: amounts of money and measured quantities, one check each.

Every way in (plan files, the CLI, the app, the Python API) goes through
`check_amount` or `check_quantity`, so a number the database, a sum or an
export cannot hold is refused where it was typed, with the same sentence on
SQLite and PostgreSQL, instead of breaking a later command.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

# Money is stored as whole cents in a 64-bit integer (2**63 - 1 is about
# 9.2 * 10**18 cents) and summed in SQL. With at most 10**12 cents per amount,
# a sum of up to MAX_SUMMED amounts always fits.
MAX_AMOUNT = Decimal(10) ** 10
AMOUNT_PLACES = 2
MAX_SUMMED = 9_000_000

# Measurements, baselines and targets are NUMERIC(24, 6) on PostgreSQL: 18
# digits before the point and 6 after. Outside that, PostgreSQL would round
# (1e-50 became 0) or refuse while SQLite kept the text: refuse on both.
QUANTITY_PLACES = 6
MAX_QUANTITY = Decimal(10) ** 18

# A number written with more digits than this is a mistake or an attack;
# refusing it early keeps parsing and messages cheap.
MAX_DIGITS = 40


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def as_decimal(value: Any) -> Decimal:
    """``value`` (text, integer, float or Decimal) as an exact Decimal, or ValueError."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, float):
        value = repr(value)  # the digits as written, never the binary approximation
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if digit_count(text) > MAX_DIGITS:
            raise ValueError(f"{text[:20]}... has more than {MAX_DIGITS} digits; write a smaller number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number; write digits, for example 15000 or 1250.50") from None
    elif isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        raise ValueError(f"{type(value).__name__} is not a number; write digits, for example 15000 or 1250.50")
    if not number.is_finite():
        raise ValueError(f"{value} is not a finite number; write digits, for example 15000 or 1250.50")
    return number


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers only
    return max(0, -exponent)


def check_amount(value: Any) -> Decimal:
    """An amount of money: 0 to `MAX_AMOUNT` currency units, at most two decimal places."""
    number = as_decimal(value)
    if number < 0:
        raise ValueError(f"{number} is too small; an amount must be non-negative (greater than or equal to 0)")
    if number > MAX_AMOUNT:
        raise ValueError(f"{_short(number)} is more than {MAX_AMOUNT:,}, the largest amount tracker takes")
    if number != number.quantize(Decimal(1).scaleb(-AMOUNT_PLACES)):
        raise ValueError(f"{number} has more than {AMOUNT_PLACES} decimal places; round it to cents")
    return number


def check_quantity(value: Any) -> Decimal:
    """A measured quantity (an indicator's value, baseline or target): less than
    10**18 in size, at most six decimal places."""
    number = as_decimal(value)
    if abs(number) >= MAX_QUANTITY:
        raise ValueError(f"{_short(number)} is too large; a value must be smaller than 10^18 in size")
    if number != 0 and _places(number.normalize()) > QUANTITY_PLACES:
        raise ValueError(f"{_short(number)} has more than {QUANTITY_PLACES} decimal places; round it")
    return number


def _short(number: Decimal) -> str:
    text = str(number)
    return text if len(text) <= 30 else f"{number:.3E}"
