"""Small builders shared by the core tests."""

from __future__ import annotations

from rapport.core.instruments import Instrument, default_registry


def measure(code: str) -> Instrument:
    """A bundled measure, without clinic text."""
    return default_registry().get(code)


def answers_summing_to(instrument: Instrument, total: int) -> dict[int, int]:
    """Whole-number answers (no reverse items) whose sum is ``total``, filled greedily."""
    answers: dict[int, int] = {}
    left = total
    for item in instrument.items:
        value = min(int(item.scale.maximum), left)
        answers[item.number] = value
        left -= value
    assert left == 0, f"{instrument.name} cannot reach {total}"
    return answers


def every_item(instrument: Instrument, value: float) -> dict[int, float]:
    """The same answer to every item."""
    return {item.number: value for item in instrument.items}
