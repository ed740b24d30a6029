"""Template helpers for showing scores and item-level answers."""

from __future__ import annotations

from typing import Any

from django import template

from rapport.feedback.instruments import instrument_or_none
from rapport.feedback.models import Response
from rapport.signals.supervision import TherapistSummary

register = template.Library()


@register.filter
def item_answers(response: Response | None) -> list[dict[str, Any]]:
    """Each item of the response's measure with the answer given (None when skipped)."""
    if response is None:
        return []
    instrument = instrument_or_none(response.instrument)
    if instrument is None:
        return [{"label": f"Item {k}", "answer": v} for k, v in response.answers.items()]
    rows = []
    for item in instrument.items:
        answer = response.answer_for(item.number)
        label = next(
            (c.label for c in item.scale.choices if answer is not None and c.value == answer), None
        )
        rows.append(
            {
                "number": item.number,
                "label": item.label,
                "answer": answer,
                "answer_label": label,
                "risk": item.risk and answer is not None and answer > item.scale.minimum,
                "maximum": item.scale.maximum,
            }
        )
    return rows


@register.filter
def score(response: Response | None) -> str:
    """The total formatted with the measure's decimals, or a dash."""
    if response is None or response.total is None:
        return "–"
    instrument = instrument_or_none(response.instrument)
    decimals = instrument.decimals if instrument else 1
    return f"{response.total:.{decimals}f}"


@register.filter
def measure_name(code: str) -> str:
    instrument = instrument_or_none(code)
    return instrument.name if instrument else code


@register.filter
def urgency_count(summary: TherapistSummary, name: str) -> int:
    """How many of a therapist's clients sit at the named triage rank ("risk", "grey", …)."""
    return summary.urgency_count(name)


@register.filter
def dictget(mapping: dict[str, Any], key: str) -> Any:
    """``mapping[key]`` in a template, or None (templates cannot index by a variable)."""
    return mapping.get(key)
