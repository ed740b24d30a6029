"""Turning posted form fields into answers per measure.

Field names: ``<code>-item-<number>`` for scored items and ``<code>-text-<key>`` for free text.
An empty or absent field is a missing answer; the core decides whether the score stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapport.core.instruments import Instrument
from rapport.core.instruments.formatting import parse_number
from rapport.feedback.services import SubmissionError


@dataclass
class ParsedAnswers:
    answers: dict[str, dict[int, float | None]] = field(default_factory=dict)
    comments: dict[str, dict[str, object]] = field(default_factory=dict)


def item_field(instrument: Instrument, number: int) -> str:
    return f"{instrument.code}-item-{number}"


def text_field(instrument: Instrument, key: str) -> str:
    return f"{instrument.code}-text-{key}"


def parse_answers(instruments: Iterable[Instrument], data: Mapping[str, str]) -> ParsedAnswers:
    """Read every measure's fields; a non-number is refused with the item named.

    Only plain decimals count as numbers: ``float()`` would read ``1_0`` as 10 and ``٣`` as 3.
    """
    parsed = ParsedAnswers()
    for instrument in instruments:
        answers: dict[int, float | None] = {}
        for item in instrument.items:
            raw = (data.get(item_field(instrument, item.number)) or "").strip()
            if not raw:
                answers[item.number] = None
                continue
            try:
                answers[item.number] = parse_number(raw)
            except ValueError as exc:
                raise SubmissionError(
                    f"{instrument.name} question {item.number}: {raw[:20]!r} is not a number."
                ) from exc
        parsed.answers[instrument.code] = answers
        parsed.comments[instrument.code] = {
            q.key: data.get(text_field(instrument, q.key), "") for q in instrument.free_text
        }
    return parsed
