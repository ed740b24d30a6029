"""Score one completed measure: validate answers, reverse items, total, subscales, band, risk.

Scoring rules and where they come from:

* Totals are the sum or the mean of item scores, as each definition says: sums for PHQ-9
  (Kroenke, Spitzer & Williams 2001), GAD-7 (Spitzer et al. 2006), CORE-10 (Barkham et al. 2013,
  where the "clinical score" of a complete form is the item sum), SRS (Duncan et al. 2003) and
  ORS (Miller et al. 2003); means for WAI-SR (Hatcher & Gillaspy 2006), the SAI (Falkenström
  et al. 2015, composite of all six items) and Rapport's own check-ins.
* Reverse-scored items (CORE-10 items 2 and 3) count as ``minimum + maximum - answer``.
* Missing items: a total still stands when at most ``max_missing`` items are unanswered.
  A sum is then prorated, ``sum * n_items / n_answered``, i.e. the mean of the answered items
  scaled to the full form; this is the CORE System Trust's rule for CORE-10 with one item
  missing (CST, "What's in a name (1): scoring CORE measures") and Rapport's conservative
  policy for PHQ-9 and GAD-7. A mean is the mean of the answered items. With more missing the
  total is ``None``, but answered/missing/risk are still reported.
* Rounding (half-up, on exact decimal arithmetic so 0.1-step sliders do not pick up binary
  noise): a prorated sum of whole-number choice items is rounded to a whole number, so it sits
  on the same integer scale as the published bands and cutoffs (the CST would keep one decimal,
  e.g. 22.2; Rapport reports 22); a prorated slider sum is rounded to the measure's
  ``decimals``; a mean is kept to ``decimals + 1`` places so that later averaging does not
  compound display rounding. Band and cutoff are judged on the stored value.
* Subscales follow the same rules within their own items, with a stricter proration limit
  (Rapport's policy; the WAI-SR and SAI papers give none): at most ``max_missing`` of the
  subscale's items may be missing *and* at least three quarters of them must be answered,
  so a 4-item WAI-SR subscale survives one gap and a 3-item SAI subscale none.
* Risk items (PHQ-9 item 9, CORE-10 item 6) are flagged when the answer given is above the
  scale minimum, whether or not the total could be computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rapport.core.instruments.errors import AnswerError
from rapport.core.instruments.formatting import format_number, format_range
from rapport.core.instruments.model import Aggregation, Instrument, Item

# Answers within this fraction of a step of a slider position are snapped to it: browsers and
# JavaScript arithmetic can send 0.30000000000000004 for 0.3.
_SNAP = Decimal("1e-6")
_SUBSCALE_ANSWERED_SHARE = Decimal("0.75")

# Item number -> answer; JSON-decoded answers arrive with string keys ("3").
Answers = Mapping[int, float | int | None] | Mapping[str, float | int | None]


@dataclass(frozen=True)
class Score:
    """The scored result of one measure."""

    instrument: str  # registry code
    total: float | None  # None when too many items are missing
    subscales: dict[str, float | None]
    answered: int
    missing: tuple[int, ...]  # item numbers left unanswered
    prorated: bool  # the total was computed despite missing items
    band: str | None  # severity band label of the total
    clinical: bool | None  # total on the clinical side of the cutoff; None without either
    risk_items: tuple[int, ...]  # risk items answered above the scale minimum
    item_scores: dict[int, float]  # answered items after reverse scoring


def _item_number(instrument: Instrument, key: object) -> int:
    # JSON object keys are strings, so "3" is item 3; bool is excluded although it is an int.
    if isinstance(key, int) and not isinstance(key, bool):
        number = key
    elif isinstance(key, str) and key.isascii() and key.isdigit():
        number = int(key)
    else:
        raise AnswerError(f"{instrument.name}: {key!r} is not an item number")
    if number not in {item.number for item in instrument.items}:
        items = format_range(instrument.items[0].number, instrument.items[-1].number)
        raise AnswerError(f"{instrument.name} has no item {number} (its items are {items})")
    return number


def _answer_value(instrument: Instrument, item: Item, value: object) -> Decimal:
    """Check one answer against its item's scale and return it as an exact decimal."""
    where = f"{instrument.name} item {item.number}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerError(f"{where}: {value!r} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswerError(f"{where}: {value!r} is not a number")
    scale = item.scale
    if not scale.minimum <= value <= scale.maximum:
        bounds = format_range(scale.minimum, scale.maximum)
        raise AnswerError(f"{where}: {format_number(value)} is outside {bounds}")
    # str() gives the shortest repr, so 0.1 becomes Decimal("0.1"), not its binary expansion.
    exact = Decimal(str(value))
    if scale.kind == "choice":
        allowed = [c.value for c in scale.choices]
        if exact != exact.to_integral_value() or int(exact) not in allowed:
            listed = ", ".join(str(v) for v in allowed)
            raise AnswerError(f"{where}: {format_number(value)} is not one of the answers {listed}")
        return exact
    minimum, step = Decimal(str(scale.minimum)), Decimal(str(scale.step))
    positions = (exact - minimum) / step
    nearest = positions.to_integral_value()
    if abs(positions - nearest) > _SNAP:
        raise AnswerError(
            f"{where}: {format_number(value)} is not on the scale (steps of {format_number(step)})"
        )
    return minimum + nearest * step


def _validated_answers(instrument: Instrument, answers: Answers) -> dict[int, Decimal]:
    given: dict[int, Decimal] = {}
    seen: set[int] = set()
    for key, value in answers.items():
        number = _item_number(instrument, key)
        if number in seen:
            raise AnswerError(f"{instrument.name} item {number} was answered twice")
        seen.add(number)
        if value is None:
            continue
        given[number] = _answer_value(instrument, instrument.item(number), value)
    return given


def _item_score(item: Item, answer: Decimal) -> Decimal:
    if not item.reverse:
        return answer
    return Decimal(str(item.scale.minimum)) + Decimal(str(item.scale.maximum)) - answer


def _whole_number_items(instrument: Instrument, numbers: tuple[int, ...]) -> bool:
    scales = [instrument.item(n).scale for n in numbers]
    return all(
        s.kind == "choice" or (s.step.is_integer() and s.minimum.is_integer()) for s in scales
    )


def _risk_items(instrument: Instrument, given: Mapping[int, Decimal]) -> tuple[int, ...]:
    # Judged on the answer as given: the scale minimum is the "not at all" end.
    return tuple(
        item.number
        for item in instrument.items
        if item.risk
        and item.number in given
        and given[item.number] > Decimal(str(item.scale.minimum))
    )


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _aggregate(
    instrument: Instrument,
    numbers: tuple[int, ...],
    scores: Mapping[int, Decimal],
    aggregation: Aggregation,
    allowed_missing: int,
) -> Decimal | None:
    answered = [scores[n] for n in numbers if n in scores]
    missing = len(numbers) - len(answered)
    if not answered or missing > allowed_missing:
        return None
    total = sum(answered, Decimal(0))
    if aggregation is Aggregation.MEAN:
        mean = total / len(answered)
        return mean.quantize(_quantum(instrument.decimals + 1), rounding=ROUND_HALF_UP)
    if missing == 0:
        return total  # exact: item scores lie on their scale's decimal steps
    prorated = total * len(numbers) / len(answered)
    places = 0 if _whole_number_items(instrument, numbers) else instrument.decimals
    return prorated.quantize(_quantum(places), rounding=ROUND_HALF_UP)


def _subscale_allowed_missing(instrument: Instrument, size: int) -> int:
    must_answer = math.ceil(_SUBSCALE_ANSWERED_SHARE * size)
    return min(instrument.max_missing, size - must_answer)


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score(instrument: Instrument, answers: Answers) -> Score:
    """Score ``answers`` (item number -> answer, ``None`` or absent when skipped).

    Item numbers may be ints or digit strings (JSON keys). Raises :class:`AnswerError`, naming
    the measure and item, for unknown items, non-numbers (booleans included), answers outside
    the scale and answers between a scale's steps or choices.
    """
    given = _validated_answers(instrument, answers)
    scores = {n: _item_score(instrument.item(n), v) for n, v in sorted(given.items())}
    every_item = tuple(item.number for item in instrument.items)
    total = _aggregate(
        instrument, every_item, scores, instrument.aggregation, instrument.max_missing
    )
    missing = tuple(n for n in every_item if n not in given)
    subscales = {
        sub.key: _as_float(
            _aggregate(
                instrument,
                sub.items,
                scores,
                sub.aggregation,
                _subscale_allowed_missing(instrument, len(sub.items)),
            )
        )
        for sub in instrument.subscales
    }
    total_float = _as_float(total)
    band = instrument.band_for(total_float) if total_float is not None else None
    return Score(
        instrument=instrument.code,
        total=total_float,
        subscales=subscales,
        answered=len(given),
        missing=missing,
        prorated=total is not None and bool(missing),
        band=band.label if band is not None else None,
        clinical=instrument.is_clinical(total_float) if total_float is not None else None,
        risk_items=_risk_items(instrument, given),
        item_scores={n: float(v) for n, v in scores.items()},
    )
