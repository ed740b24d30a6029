"""Affect trajectory of a session: the tone of each utterance and how each speaker's tone moved.

**Definition.** Every therapist and client utterance gets VADER's *compound* score, -1 (most
negative) to +1 (most positive), 0 for neutral or no sentiment words. Per role: the mean over
the session, the mean in the first and in the second half (halves by position in the
transcript, so "second half" means the later half of the session), and, per utterance, a
*rolling* mean over that role's own last :data:`AFFECT_WINDOW` utterances (None until the role
has spoken that many times, because a mean of one or two scores is mostly noise). Utterances by
other people (an interpreter, a family member) are left out.

**Source.** Hutto CJ, Gilbert E. VADER: A Parsimonious Rule-based Model for Sentiment Analysis
of Social Media Text. Proceedings of the Eighth International AAAI Conference on Weblogs and
Social Media (ICWSM 2014). The lexicon and rules ship inside the ``vaderSentiment`` package;
Rapport adds no words to them.

**How to read it.** VADER was built and validated on social-media text, not therapy talk. It
scores the *words* (a client describing a painful week in a calm voice reads as negative; a
sarcastic "great, just great" reads as positive) and one utterance's score is noisy. Read the
trend — the rolling line, or the first-half against the second-half mean — not a single
point, and read it beside the transcript. A client's tone falling while they talk about
something hard can be good work, not a rupture.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from rapport.core.transcripts.model import Conversation, Role, straighten

__all__ = [
    "AFFECT_ROLES",
    "AFFECT_WINDOW",
    "Affect",
    "AffectPoint",
    "RoleAffect",
    "affect",
    "tone",
]

# Five of a speaker's own utterances is a minute or two of talk: enough that one "thank you" or
# one "terrible" does not swing the line, few enough to show a change within a session.
AFFECT_WINDOW = 5
AFFECT_ROLES = (Role.THERAPIST, Role.CLIENT)


@cache
def _analyzer() -> Any:
    # Importing VADER (~45 ms) and building its analyser from the lexicon files (~90 ms) happen
    # once per process, and only when affect is first asked for, so importing Rapport's
    # transcript package (the CLI, the web app) stays cheap.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: PLC0415

    return SentimentIntensityAnalyzer()


def tone(text: str) -> float:
    """VADER's compound score of ``text``, -1 to +1 (curly apostrophes read as straight)."""
    # Straightened, or VADER's negation list ("don't") would miss every curly "don\u2019t".
    return float(_analyzer().polarity_scores(straighten(text))["compound"])


@dataclass(frozen=True, slots=True)
class AffectPoint:
    """The tone of utterance ``index``; ``rolling`` is the mean over the speaker's role's last
    :data:`AFFECT_WINDOW` utterances up to and including this one; ``second_half`` says which
    half's mean (:class:`RoleAffect`) it counts in."""

    index: int
    role: Role
    compound: float
    rolling: float | None
    second_half: bool = False


@dataclass(frozen=True, slots=True)
class RoleAffect:
    """One role's mean tone, overall and per half of the session; None where it did not speak."""

    mean: float | None
    first_half: float | None
    second_half: float | None


@dataclass(frozen=True, slots=True)
class Affect:
    """Tone per utterance (therapist and client, in transcript order) and per role."""

    by_role: Mapping[Role, RoleAffect]
    points: tuple[AffectPoint, ...]


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def affect(conversation: Conversation, window: int = AFFECT_WINDOW) -> Affect:
    """The affect trajectory of ``conversation`` (see the module docstring)."""
    if window < 1:
        raise ValueError(f"An affect window needs at least 1 utterance, not {window}.")
    middle = len(conversation) / 2
    scores: dict[Role, list[float]] = {r: [] for r in AFFECT_ROLES}
    halves: dict[Role, tuple[list[float], list[float]]] = {r: ([], []) for r in AFFECT_ROLES}
    points: list[AffectPoint] = []
    for position, u in enumerate(conversation):
        if u.role not in scores:
            continue
        compound = tone(u.text)
        own = scores[u.role]
        own.append(compound)
        rolling = statistics.fmean(own[-window:]) if len(own) >= window else None
        # Position, not index: indices need not be contiguous; an odd middle utterance goes to
        # the first half.
        later = position >= middle
        points.append(AffectPoint(u.index, u.role, compound, rolling, later))
        halves[u.role][later].append(compound)
    by_role = {
        r: RoleAffect(_mean(scores[r]), _mean(halves[r][0]), _mean(halves[r][1]))
        for r in AFFECT_ROLES
    }
    return Affect(MappingProxyType(by_role), tuple(points))
