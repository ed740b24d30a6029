"""Motivational-interviewing summary scores of a session: R:Q, % open questions, % complex
reflections and the share of change talk, with the MITI benchmark levels.

**Definition.** From per-utterance labels (:class:`~.labels.UtteranceLabels`):

- *reflection-to-question ratio* (R:Q) = reflections / questions;
- *% complex reflections* = 100 x complex / (simple + complex reflections);
- *% open questions* = 100 x open / (open + closed questions);
- *change-talk share* = change / (change + sustain) client utterances, 0-1 (neutral talk is
  left out, as in the MISC "percent change talk" summary).

**Source.** Moyers TB, Manuel JK, Ernst D. Motivational Interviewing Treatment Integrity Coding
Manual 4.2.1. University of New Mexico, Center on Alcoholism, Substance Abuse and Addictions
(CASAA); 2014. Moyers TB, Rowell LN, Manuel JK, Ernst D, Houck JM. The Motivational
Interviewing Treatment Integrity Code (MITI 4): rationale, preliminary reliability and
validity. J Subst Abuse Treat. 2016;65:36-42. MITI 4 benchmarks: R:Q *fair* at 1:1, *good* at
2:1; % complex reflections *fair* at 40 %, *good* at 50 %. MITI 4 dropped % open questions as a
summary score; its benchmark here comes from the older MITI 3.1.1 (Moyers TB, Martin T, Manuel
JK, Miller WR, Ernst D. Revised Global Scales: Motivational Interviewing Treatment Integrity
3.1.1. CASAA; 2010): *fair* at 50 %, *good* at 70 %. Client talk categories follow the MISC
(Miller WR, Moyers TB, Ernst D, Amrhein P. Manual for the Motivational Interviewing Skill Code
(MISC) Version 2.1. CASAA; 2008).

**How to read it.** These are approximations of MITI scores, not MITI scores. The MITI counts
*behaviour codes* (an utterance can hold a question and a reflection; a long reflection can be
several codes) and is coded from 20-minute segments by trained coders; Rapport, like AnnoMI
(Wu et al. 2022), has one *main* behaviour per utterance, from annotations or a classifier.
Subtypes (simple/complex, open/closed) are counted only for utterances whose main behaviour is
that kind, so a question that also reflects counts as a question. Read the ratios as a
direction ("more reflecting than asking") rather than as a pass/fail on the benchmark; with
fewer than about ten questions or reflections a ratio swings on one utterance. A ratio is None
when its denominator is 0 (no questions, no subtyped reflections, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapport.core.transcripts.labels import (
    Behaviour,
    QuestionKind,
    ReflectionKind,
    TalkType,
    UtteranceLabels,
)

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "BenchmarkLevel",
    "BenchmarkResult",
    "MiSummary",
    "mi_benchmarks",
    "mi_summary",
]

BenchmarkLevel = Literal["below", "fair", "good"]


@dataclass(frozen=True, slots=True)
class MiSummary:
    """Counts of labelled utterances in one session and the MI summary ratios derived from them.

    Behaviour counts are of therapist utterances by main behaviour; ``simple_reflections`` +
    ``complex_reflections`` may be fewer than ``reflections`` when some reflections have no
    subtype (likewise for questions). Talk-type counts are of client utterances.
    """

    reflections: int
    simple_reflections: int
    complex_reflections: int
    questions: int
    open_questions: int
    closed_questions: int
    inputs: int
    other: int
    change: int
    neutral: int
    sustain: int

    @property
    def reflection_to_question(self) -> float | None:
        """Reflections per question (MITI R:Q); None without questions."""
        return self.reflections / self.questions if self.questions else None

    @property
    def percent_open_questions(self) -> float | None:
        """Open questions as a percentage (0-100) of questions with a subtype."""
        total = self.open_questions + self.closed_questions
        return 100 * self.open_questions / total if total else None

    @property
    def percent_complex_reflections(self) -> float | None:
        """Complex reflections as a percentage (0-100) of reflections with a subtype."""
        total = self.simple_reflections + self.complex_reflections
        return 100 * self.complex_reflections / total if total else None

    @property
    def change_talk_share(self) -> float | None:
        """Change talk as a share (0-1) of change plus sustain talk; None when there is neither."""
        total = self.change + self.sustain
        return self.change / total if total else None


def mi_summary(labels: Sequence[UtteranceLabels]) -> MiSummary | None:
    """Count behaviours and talk types in ``labels``; None when no utterance has either."""
    behaviours = dict.fromkeys(Behaviour, 0)
    talk = dict.fromkeys(TalkType, 0)
    reflection_kinds = dict.fromkeys(ReflectionKind, 0)
    question_kinds = dict.fromkeys(QuestionKind, 0)
    for lab in labels:
        if lab.behaviour is not None:
            behaviours[lab.behaviour] += 1
            # Subtypes only of the main behaviour: AnnoMI marks a reflection subtype on some
            # utterances whose main behaviour is a question, and counting those would let
            # %CR describe utterances that R:Q counts as questions.
            if lab.behaviour is Behaviour.REFLECTION and lab.reflection is not None:
                reflection_kinds[lab.reflection] += 1
            elif lab.behaviour is Behaviour.QUESTION and lab.question is not None:
                question_kinds[lab.question] += 1
        if lab.talk_type is not None:
            talk[lab.talk_type] += 1
    if not any(behaviours.values()) and not any(talk.values()):
        return None
    return MiSummary(
        reflections=behaviours[Behaviour.REFLECTION],
        simple_reflections=reflection_kinds[ReflectionKind.SIMPLE],
        complex_reflections=reflection_kinds[ReflectionKind.COMPLEX],
        questions=behaviours[Behaviour.QUESTION],
        open_questions=question_kinds[QuestionKind.OPEN],
        closed_questions=question_kinds[QuestionKind.CLOSED],
        inputs=behaviours[Behaviour.INPUT],
        other=behaviours[Behaviour.OTHER],
        change=talk[TalkType.CHANGE],
        neutral=talk[TalkType.NEUTRAL],
        sustain=talk[TalkType.SUSTAIN],
    )


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A published threshold pair for one summary score; ``name`` is a :class:`MiSummary`
    property."""

    name: str
    fair: float
    good: float
    source: str

    def level(self, value: float | None) -> BenchmarkLevel | None:
        """Where ``value`` falls: "good" at or above ``good``, "fair" at or above ``fair``,
        else "below"; None when there is no value."""
        if value is None:
            return None
        if value >= self.good:
            return "good"
        return "fair" if value >= self.fair else "below"


_MITI_4 = "MITI 4.2.1 (Moyers, Manuel & Ernst 2014; Moyers et al. 2016)"
_MITI_3 = "MITI 3.1.1 (Moyers, Martin, Manuel, Miller & Ernst 2010)"

BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("reflection_to_question", fair=1.0, good=2.0, source=_MITI_4),
    Benchmark("percent_complex_reflections", fair=40.0, good=50.0, source=_MITI_4),
    Benchmark("percent_open_questions", fair=50.0, good=70.0, source=_MITI_3),
)


@dataclass(frozen=True, slots=True)
class BenchmarkResult:
    """One summary score of a session against its benchmark."""

    benchmark: Benchmark
    value: float | None
    level: BenchmarkLevel | None


def mi_benchmarks(summary: MiSummary) -> tuple[BenchmarkResult, ...]:
    """Each score of :data:`BENCHMARKS` for ``summary`` with its level."""
    results = []
    for bench in BENCHMARKS:
        value: float | None = getattr(summary, bench.name)
        results.append(BenchmarkResult(bench, value, bench.level(value)))
    return tuple(results)
