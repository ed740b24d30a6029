"""Utterance labels: therapist behaviour and client talk type, as annotated or as predicted.

The label sets are those of AnnoMI (Wu et al. 2022, 2023; see :mod:`.annomi`), which follow the
Motivational Interviewing Treatment Integrity code (Moyers TB, Rowell LN, Manuel JK, Ernst D,
Houck JM. The Motivational Interviewing Treatment Integrity Code (MITI 4): rationale,
preliminary reliability and validity. J Subst Abuse Treat. 2016;65:36-42) and the client
language categories of MISC (change, sustain, neutral talk). One :class:`UtteranceLabels` per
utterance; therapist utterances carry a behaviour, client utterances a talk type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapport.core.transcripts.model import Conversation, Role

__all__ = [
    "Behaviour",
    "QuestionKind",
    "ReflectionKind",
    "TalkType",
    "UtteranceLabels",
    "labels_from_annotations",
    "majority_vote",
]


def majority_vote(votes: Iterable[str]) -> str | None:
    """The label most coders gave; None when there are no votes or the top two tie."""
    ranked = Counter(votes).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


class Behaviour(StrEnum):
    """A therapist utterance's main behaviour (AnnoMI ``main_therapist_behaviour``)."""

    REFLECTION = "reflection"
    QUESTION = "question"
    INPUT = "therapist_input"  # giving information, advice, options, negotiation
    OTHER = "other"


class ReflectionKind(StrEnum):
    SIMPLE = "simple"
    COMPLEX = "complex"


class QuestionKind(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class TalkType(StrEnum):
    """A client utterance's talk type (AnnoMI ``client_talk_type``)."""

    CHANGE = "change"
    NEUTRAL = "neutral"
    SUSTAIN = "sustain"


@dataclass(frozen=True, slots=True)
class UtteranceLabels:
    """Labels of utterance ``index``; fields that do not apply to its role are None.

    ``confidence`` is the classifier's probability for the main label (behaviour or talk type);
    None for human annotations.
    """

    index: int
    behaviour: Behaviour | None = None
    reflection: ReflectionKind | None = None
    question: QuestionKind | None = None
    talk_type: TalkType | None = None
    confidence: float | None = None


def _enum[E: StrEnum](kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def labels_from_annotations(conversation: Conversation) -> tuple[UtteranceLabels, ...]:
    """Labels carried by the utterances themselves (for example AnnoMI's expert annotations).

    Reads ``main_therapist_behaviour``, ``reflection_subtype``, ``question_subtype`` and
    ``client_talk_type`` from each utterance's ``labels``; unknown values are treated as absent.
    """
    found = []
    for u in conversation:
        if u.role is Role.THERAPIST:
            found.append(
                UtteranceLabels(
                    u.index,
                    behaviour=_enum(Behaviour, u.labels.get("main_therapist_behaviour")),
                    reflection=_enum(ReflectionKind, u.labels.get("reflection_subtype")),
                    question=_enum(QuestionKind, u.labels.get("question_subtype")),
                )
            )
        elif u.role is Role.CLIENT:
            found.append(
                UtteranceLabels(
                    u.index, talk_type=_enum(TalkType, u.labels.get("client_talk_type"))
                )
            )
        else:
            found.append(UtteranceLabels(u.index))
    return tuple(found)
