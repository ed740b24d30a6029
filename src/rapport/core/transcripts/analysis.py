"""One session's analysis: every marker of a transcript in one result, and its JSON form.

:func:`analyse` is what the CLI, the web upload and the benchmarks call. Labels (therapist
behaviour, client talk type) come from a trained classifier when one is passed, from the
transcript's own annotations when it carries them (AnnoMI), and are otherwise absent: the
lexical markers never need a model.

``SessionAnalysis.to_dict()`` is the stored and exported form. Its layout is versioned by
``SCHEMA_VERSION``: change the number when a key changes meaning or disappears.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rapport.core.transcripts.labels import UtteranceLabels, labels_from_annotations
from rapport.core.transcripts.markers import (
    LsmWindow,
    TalkBalance,
    language_style_matching,
    lsm_rolling,
    talk_balance,
)
from rapport.core.transcripts.model import Conversation, Role

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
    from ("model", "annotations" or "none")."""

    conversation: Conversation
    balance: TalkBalance
    lsm: float | None
    lsm_windows: tuple[LsmWindow, ...]
    labels: tuple[UtteranceLabels, ...]
    labels_from: str

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
    both_spoke = bool(conversation.by_role(Role.THERAPIST)) and bool(
        conversation.by_role(Role.CLIENT)
    )
    try:
        lsm = language_style_matching(conversation) if both_spoke else None
    except ValueError:  # a role spoke, but only words the tokenizer drops (e.g. "mm-hmm" digits)
        lsm = None
    return SessionAnalysis(
        conversation=conversation,
        balance=talk_balance(conversation),
        lsm=lsm,
        lsm_windows=lsm_rolling(conversation, LSM_WINDOW) if len(conversation) >= 2 else (),
        labels=labels,
        labels_from=source,
    )
