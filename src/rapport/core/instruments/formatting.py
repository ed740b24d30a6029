"""How numbers read in messages to clinicians: ``4`` not ``4.0``, ranges with an en dash."""

from __future__ import annotations

from decimal import Decimal

# Printed forms write ranges with an en dash; a hyphen would read as a minus sign.
EN_DASH = "\u2013"


def format_number(value: float | Decimal) -> str:
    """``4.0`` as ``4``, ``8.9`` as ``8.9``; never scientific notation for scale values."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def format_range(low: float | Decimal, high: float | Decimal) -> str:
    """An inclusive range such as 0 to 3, written with :data:`EN_DASH`."""
    return f"{format_number(low)}{EN_DASH}{format_number(high)}"
