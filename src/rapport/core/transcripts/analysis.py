"""One session's analysis: every marker of a transcript in one result, and its JSON form.

:func:`analyse` is what the CLI, the web upload and the benchmarks call. Labels (therapist
behaviour, client talk type) come from a trained classifier when one is passed, from the
transcript's own annotations when it carries them (AnnoMI), and are otherwise absent: the
lexical markers never need a model.

The result holds talk balance and language style matching (:mod:`.markers`), the MI summary
scores when there are labels (:mod:`.mi`), the affect trajectory (:mod:`.affect`), rupture
markers (:mod:`.ruptures`), directive therapist wording (:mod:`.directives`) and a plain-words
summary for the therapist (:mod:`.summary`); each module's docstring gives the marker's
definition, source and how to read it.

``SessionAnalysis.to_dict()`` is the stored and exported form. Its layout is versioned by
``SCHEMA_VERSION``: change the number when a key changes meaning or disappears (adding keys, as
``mi``, ``affect``, ``ruptures``, ``directives`` and ``summary`` were added, keeps it; readers
of older analyses must tolerate their absence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapport.core.transcripts.affect import Affect, affect
from rapport.core.transcripts.directives import DirectiveUtterance, directive_language
from rapport.core.transcripts.labels import UtteranceLabels, labels_from_annotations
from rapport.core.transcripts.markers import (
    LsmWindow,
    TalkBalance,
    language_style_matching,
    lsm_rolling,
    talk_balance,
)
from rapport.core.transcripts.mi import MiSummary, mi_benchmarks, mi_summary
from rapport.core.transcripts.model import Conversation
from rapport.core.transcripts.ruptures import RuptureMarker, rupture_markers
from rapport.core.transcripts.summary import SummaryPoint, session_summary

__all__ = ["LSM_WINDOW", "SCHEMA_VERSION", "LabelSource", "SessionAnalysis", "analyse"]

SCHEMA_VERSION = 1
# Twenty utterances is about two to four minutes of talk: long enough for function-word rates
# to mean something, short enough to show where in the session matching fell away.
LSM_WINDOW = 20

# Anything that labels a conversation's utterances, e.g. a trained model's ``predict``.
LabelSource = Callable[[Conversation], Sequence[UtteranceLabels]]


@dataclass(frozen=True, slots=True)
class SessionAnalysis:
    """Every marker of one conversation. ``lsm`` is None when a role never spoke;
    ``labels`` is empty when no labels were available and ``labels_from`` says where they came
    from ("model", "annotations" or "none"); ``mi`` is None without labels."""

    conversation: Conversation
    balance: TalkBalance
    lsm: float | None
    lsm_windows: tuple[LsmWindow, ...]
    labels: tuple[UtteranceLabels, ...]
    labels_from: str
    mi: MiSummary | None
    affect: Affect
    ruptures: tuple[RuptureMarker, ...]
    directives: tuple[DirectiveUtterance, ...] = ()
    summary: tuple[SummaryPoint, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary of the markers (utterance texts included, for evidence)."""
        c = self.conversation
        by_index = {lab.index: lab for lab in self.labels}
        return {
            "schema": SCHEMA_VERSION,
            "conversation": {"id": c.id, "source": c.source, "meta": dict(c.meta)},
            "utterances": [
                {
                    "index": u.index,
                    "speaker": u.speaker,
                    "role": u.role.value,
                    "text": u.text,
                    "start": u.start,
                    **_label_dict(by_index.get(u.index)),
                }
                for u in c
            ],
            "talk_balance": {
                "total_words": self.balance.total_words,
                "by_role": {
                    r.value: {
                        "turns": b.turns,
                        "words": b.words,
                        "word_share": b.word_share,
                        "mean_turn_words": b.mean_turn_words,
                        "median_turn_words": b.median_turn_words,
                        "mean_latency": b.mean_latency,
                    }
                    for r, b in self.balance.by_role.items()
                },
            },
            "lsm": self.lsm,
            "lsm_windows": [
                {"first": w.first, "last": w.last, "lsm": w.lsm} for w in self.lsm_windows
            ],
            "labels_from": self.labels_from,
            "mi": _mi_dict(self.mi) if self.labels_from != "none" else None,
            "affect": {
                "by_role": {
                    r.value: {
                        "mean": a.mean,
                        "first_half": a.first_half,
                        "second_half": a.second_half,
                    }
                    for r, a in self.affect.by_role.items()
                },
                "points": [
                    {
                        "index": p.index,
                        "role": p.role.value,
                        "compound": p.compound,
                        "rolling": p.rolling,
                    }
                    for p in self.affect.points
                ],
            },
            "ruptures": [
                {
                    "kind": m.kind.value,
                    "marker": m.marker,
                    "index": m.index,
                    "trigger_index": m.trigger_index,
                    "evidence": m.evidence,
                    "explanation": m.explanation,
                }
                for m in self.ruptures
            ],
            "directives": [{"index": d.index, "evidence": d.evidence} for d in self.directives],
            "summary": [{"text": p.text, "evidence": list(p.evidence)} for p in self.summary],
        }


def _mi_dict(mi: MiSummary | None) -> dict[str, Any] | None:
    if mi is None:
        return None
    return {
        "counts": {
            "reflection": mi.reflections,
            "simple_reflection": mi.simple_reflections,
            "complex_reflection": mi.complex_reflections,
            "question": mi.questions,
            "open_question": mi.open_questions,
            "closed_question": mi.closed_questions,
            "therapist_input": mi.inputs,
            "other": mi.other,
            "change": mi.change,
            "neutral": mi.neutral,
            "sustain": mi.sustain,
        },
        "reflection_to_question": mi.reflection_to_question,
        "percent_open_questions": mi.percent_open_questions,
        "percent_complex_reflections": mi.percent_complex_reflections,
        "change_talk_share": mi.change_talk_share,
        "benchmarks": [
            {
                "name": b.benchmark.name,
                "value": b.value,
                "fair": b.benchmark.fair,
                "good": b.benchmark.good,
                "level": b.level,
            }
            for b in mi_benchmarks(mi)
        ],
    }


def _label_dict(lab: UtteranceLabels | None) -> dict[str, Any]:
    if lab is None:
        return {}
    found: dict[str, Any] = {
        "behaviour": lab.behaviour,
        "reflection": lab.reflection,
        "question": lab.question,
        "talk_type": lab.talk_type,
        "confidence": lab.confidence,
    }
    return {k: (str(v) if k != "confidence" else v) for k, v in found.items() if v is not None}


def analyse(conversation: Conversation, labeller: LabelSource | None = None) -> SessionAnalysis:
    """Compute every marker of ``conversation``.

    ``labeller`` (for example a trained model's ``predict``) labels the utterances; without one,
    annotations carried by the transcript are used if there are any.
    """
    if labeller is not None:
        labels, source = tuple(labeller(conversation)), "model"
    else:
        labels = labels_from_annotations(conversation)
        if any(lab.behaviour or lab.talk_type for lab in labels):
            source = "annotations"
        else:
            labels, source = (), "none"
    try:
        lsm: float | None = language_style_matching(conversation)
    except ValueError:  # a role said no words (never spoke, or only digits and punctuation)
        lsm = None
    analysis = SessionAnalysis(
        conversation=conversation,
        balance=talk_balance(conversation),
        lsm=lsm,
        lsm_windows=lsm_rolling(conversation, LSM_WINDOW) if len(conversation) >= 2 else (),
        labels=labels,
        labels_from=source,
        mi=mi_summary(labels) if labels else None,
        affect=affect(conversation),
        ruptures=rupture_markers(conversation, labels),
        directives=directive_language(conversation),
    )
    # The summary reads the finished markers, so it is added last.
    return replace(analysis, summary=session_summary(analysis))
