"""The demo clinic's history: past clients whose episodes have closed.

An expected-trajectory model is fitted on a clinic's own closed episodes, and a supervisor
wants to know what share of them reached reliable improvement, so the demo needs a believable
history as well as a current caseload. Past clients reuse the stories of
:mod:`rapport.demo.trajectories` in a routine-care mix: mostly steady and slow improvers and
early recoveries, some who never moved, some ruptures that were repaired, and a few who got
reliably worse. Roughly 5-10% of clients deteriorate reliably in routine care (Hansen NB,
Lambert MJ, Forman EM. The psychotherapy dose-response effect and its implications for
treatment delivery services. Clin Psychol Sci Pract. 2002;9(3):329-343).

This module decides *who* the past clients were (therapist, measure, story); the stories
module builds their sessions with the same machinery as current clients.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from .answers import OUTCOME_MEASURES
from .trajectories import STORIES, Beat

# Relative weights of the stories among past clients; each measure is dealt the stories that
# suit it. That is 4 deteriorating clients in 45 per measure (~9%); about 60% reliably improve.
PAST_MIX: dict[str, int] = {
    "steady_improver": 26,
    "slow_improver": 18,
    "early_recovery": 15,
    "flat": 13,
    "rupture_repair": 10,
    "deteriorating": 8,
    "distrustful_then_trusting": 5,
    "anxious_first_timer": 5,
}

# Measures each story may use in the history, where they differ from the story's own list.
# The current deteriorating story is about a late risk endorsement, so it needs a measure with
# a risk item; past clients carry no risk answer (see ``without_risk``), so deterioration can
# show on any outcome measure, and each measure gets its share of it.
PAST_MEASURES: dict[str, tuple[str, ...]] = {"deteriorating": OUTCOME_MEASURES}

# Story sentences that would be wrong for a past client.
PAST_TEXT: dict[str, str] = {
    "deteriorating": "Deteriorating: symptoms rose reliably over the episode and the alliance "
    "stayed lukewarm.",
}

ENDED_DAYS_AGO = (91, 730)  # a past episode closed between 3 and 24 months before today
# Days from the last session to the episode's closing date: usually closed at the last
# session, sometimes a week or two later (a planned session that did not happen).
CLOSING_GAPS = (0, 0, 0, 0, 7, 14)


@dataclass(frozen=True)
class PastSlot:
    """One past client to build: who saw them, on which measure, and their story."""

    therapist: str
    measure: str
    story: str


def past_measures(story: str) -> tuple[str, ...]:
    """The outcome measures a past client of ``story`` may have been followed on."""
    return PAST_MEASURES.get(story, STORIES[story].measures)


def apportion(weights: dict[str, int], count: int) -> dict[str, int]:
    """Split ``count`` in proportion to ``weights`` (largest remainder; ties in dict order)."""
    whole = sum(weights.values())
    exact = {key: count * weight / whole for key, weight in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    order = sorted(weights, key=lambda key: shares[key] - exact[key])  # stable: dict order
    for key in order[: count - sum(shares.values())]:
        shares[key] += 1
    return shares


def past_roster(rng: random.Random, count: int, therapists: tuple[str, ...]) -> list[PastSlot]:
    """``count`` past clients: therapists in turn, measures in rotation, stories by the mix.

    Each measure gets the same number of clients (give or take one) and, among the stories that
    suit it, the mix of :data:`PAST_MIX`, dealt in a shuffled order.
    """
    slots = [
        (therapists[i % len(therapists)], OUTCOME_MEASURES[i % len(OUTCOME_MEASURES)])
        for i in range(count)
    ]
    decks: dict[str, list[str]] = {}
    for measure in OUTCOME_MEASURES:
        n = sum(m == measure for _, m in slots)
        weights = {k: w for k, w in PAST_MIX.items() if measure in past_measures(k)}
        deck = [story for story, k in apportion(weights, n).items() for _ in range(k)]
        rng.shuffle(deck)
        decks[measure] = deck
    return [PastSlot(therapist, measure, decks[measure].pop()) for therapist, measure in slots]


def without_risk(beats: list[Beat]) -> list[Beat]:
    """The beats with any risk endorsement removed (the session keeps a "low" comment tag).

    A risk item endorsed in a closed episode would still read as an open emergency: the client
    page evaluates a past client's latest episode, and a risk answer that no clinician has
    acknowledged is its most urgent signal. The demo cannot honestly invent acknowledgements,
    so past clients' deterioration shows in their scores alone.
    """
    return [
        replace(beat, risk=False, tag="low" if beat.tag == "risk" else beat.tag)
        if beat.risk
        else beat
        for beat in beats
    ]
