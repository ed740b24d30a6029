"""Turn one latent number per session into plausible item-level answers.

A story only decides the *total* a client should score at each session (how distressed they
are, how good the alliance feels). Real forms are not flat, though: a client tends to score
some items higher than others, consistently, with a little session-to-session wobble. So each
client gets a fixed item "profile" and every session's total is spread across the items along
that profile, then nudged so the integers add up to the intended total exactly. That keeps the
story's key numbers (a drop of 2 points, a rise of 6) exact while the items look human.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PHQ9 = "phq9"
GAD7 = "gad7"
CORE10 = "core10"
CHECKIN = "checkin"
CHECKIN_THERAPIST = "checkin_therapist"

OUTCOME_MEASURES = (PHQ9, GAD7, CORE10)

# Check-in dimensions in item order: heard, goals, approach, safety, overall.
CHECKIN_ITEMS = 5
CHECKIN_MAX = 10
HEARD = 1


@dataclass(frozen=True)
class Layout:
    """Just enough of an instrument's shape to fill it in: item count, range, special items."""

    n_items: int
    low: int
    high: int
    reverse: frozenset[int] = frozenset()  # answered low by a distressed client
    risk_item: int | None = None  # must stay 0 unless the story says otherwise

    @property
    def top(self) -> int:
        """Highest possible scored total."""
        return self.n_items * self.high


LAYOUTS: dict[str, Layout] = {
    PHQ9: Layout(n_items=9, low=0, high=3, risk_item=9),
    GAD7: Layout(n_items=7, low=0, high=3),
    CORE10: Layout(n_items=10, low=0, high=4, reverse=frozenset({2, 3}), risk_item=6),
    CHECKIN: Layout(n_items=CHECKIN_ITEMS, low=0, high=CHECKIN_MAX),
    CHECKIN_THERAPIST: Layout(n_items=CHECKIN_ITEMS, low=0, high=CHECKIN_MAX),
}

# Clients typically feel safest and least sure about goals; therapists doubt their approach.
_CLIENT_CHECKIN_SHAPE = (0.2, -0.35, -0.15, 0.35, -0.05)
_THERAPIST_CHECKIN_SHAPE = (0.15, -0.2, -0.3, 0.25, 0.1)


def make_profile(rng: random.Random, n_items: int, sd: float) -> tuple[float, ...]:
    """Draw per-item offsets (centred on zero) that make one client's answers consistent."""
    raw = [rng.gauss(0.0, sd) for _ in range(n_items)]
    centre = sum(raw) / n_items
    return tuple(value - centre for value in raw)


def checkin_profile(rng: random.Random, *, therapist: bool) -> tuple[float, ...]:
    """A check-in profile: a common shape (safety high, goals low) plus personal variation."""
    shape = _THERAPIST_CHECKIN_SHAPE if therapist else _CLIENT_CHECKIN_SHAPE
    personal = make_profile(rng, CHECKIN_ITEMS, 0.25)
    return tuple(s + p for s, p in zip(shape, personal, strict=True))


def spread_total(
    rng: random.Random,
    total: int,
    *,
    n_items: int,
    low: int,
    high: int,
    profile: tuple[float, ...],
    jitter: float,
) -> list[int]:
    """Split an integer total into ``n_items`` integers in [low, high] following ``profile``.

    The result always sums to ``total`` (clamped to what the items can hold), so a story's
    totals survive the trip through the items unchanged.
    """
    total = max(n_items * low, min(n_items * high, total))
    base = total / n_items
    wanted = [base + profile[i] + rng.gauss(0.0, jitter) for i in range(n_items)]
    values = [max(low, min(high, round(w))) for w in wanted]
    gap = total - sum(values)
    while gap:
        step = 1 if gap > 0 else -1
        movable = [i for i in range(n_items) if low <= values[i] + step <= high]
        # Move the item that most "wanted" to go that way, so the profile is respected.
        pick = max(movable, key=lambda i: (wanted[i] - values[i]) * step)
        values[pick] += step
        gap -= step
    return values


def outcome_answers(
    rng: random.Random,
    code: str,
    total: int,
    profile: tuple[float, ...],
    risk_answer: int = 0,
) -> dict[int, float]:
    """Raw answers for an outcome measure whose scored total is ``total``.

    The risk item (PHQ-9 item 9, CORE-10 item 6) is set to ``risk_answer`` and the rest of the
    total goes to the other items. Reverse-scored items (CORE-10 items 2 and 3) are flipped
    back to the raw scale, so a distressed client answers them low, as on paper.
    """
    layout = LAYOUTS[code]
    risk = layout.risk_item
    numbers = [n for n in range(1, layout.n_items + 1) if n != risk]
    shares = spread_total(
        rng,
        total - (risk_answer if risk else 0),
        n_items=len(numbers),
        low=layout.low,
        high=layout.high,
        profile=tuple(profile[n - 1] for n in numbers),
        jitter=0.35,
    )
    scored = dict(zip(numbers, shares, strict=True))
    if risk is not None:
        scored[risk] = risk_answer
    answers: dict[int, float] = {}
    for number in range(1, layout.n_items + 1):
        value = scored[number]
        if number in layout.reverse:
            value = layout.low + layout.high - value
        answers[number] = float(value)
    return answers


def checkin_answers(
    rng: random.Random, mean: float, profile: tuple[float, ...], *, heard_dip: float = 0.0
) -> dict[int, float]:
    """Five 0-10 slider answers whose mean is ``mean`` rounded to the nearest 0.2.

    ``heard_dip`` pulls the "felt heard" item down (and the others up to compensate): in a
    rupture it is feeling unheard that drives the drop.
    """
    shaped = list(profile)
    shaped[HEARD - 1] -= heard_dip
    for i in range(CHECKIN_ITEMS):
        if i != HEARD - 1:
            shaped[i] += heard_dip / (CHECKIN_ITEMS - 1)
    total = round(max(0.0, min(float(CHECKIN_MAX), mean)) * CHECKIN_ITEMS)
    values = spread_total(
        rng,
        total,
        n_items=CHECKIN_ITEMS,
        low=0,
        high=CHECKIN_MAX,
        profile=tuple(shaped),
        jitter=0.3,
    )
    if heard_dip > 0:  # make sure "felt heard" is the lowest item, keeping the total
        lowest = values.index(min(values))
        values[HEARD - 1], values[lowest] = values[lowest], values[HEARD - 1]
    return {number: float(value) for number, value in enumerate(values, start=1)}
