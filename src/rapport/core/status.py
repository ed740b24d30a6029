"""The status colours a client can show on the caseload, shared by every signal rule.

The rules that pick a colour live in :mod:`rapport.core.signals`; this module only holds the
vocabulary, so charts, pages and the API agree on what each colour means.
"""

from __future__ import annotations

from enum import StrEnum


class Colour(StrEnum):
    RED = "red"  # needs attention before the next session
    AMBER = "amber"  # worth a look
    GREEN = "green"  # nothing flagged
    GREY = "grey"  # too few scores to say
