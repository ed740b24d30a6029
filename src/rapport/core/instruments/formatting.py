"""How numbers read in messages to clinicians: ``4`` not ``4.0``, ranges with an en dash; and
which typed numbers are read back (:func:`parse_number`)."""

from __future__ import annotations

import math
import re
from decimal import Decimal

# Printed forms write ranges with an en dash; a hyphen would read as a minus sign.
EN_DASH = "\u2013"
# ASCII digits with an optional minus sign and decimal point. float() alone also reads "1_0" as
# 10, "1e1", "nan", "inf" and other scripts' digits such as "٣", none of which a person means.
_PLAIN_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


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


def parse_number(text: str) -> float:
    """A typed number such as ``7``, ``-1`` or ``2.5`` (surrounding whitespace allowed) as a float.

    Anything else raises ``ValueError``, as ``float()`` does; range checks are the caller's.
    """
    plain = text.strip()
    if not _PLAIN_NUMBER.fullmatch(plain):
        raise ValueError(f"{text!r} is not a plain decimal number")
    value = float(plain)
    if not math.isfinite(value):  # over 300 digits
        raise ValueError(f"{text[:20]!r}… is too large")
    return value
