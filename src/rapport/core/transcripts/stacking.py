"""Two-stage utterance models: stage-1 lexical scorers and the stage-2 context decider.

Stacked sequential learning (Cohen WW, Carvalho VR. Stacked sequential learning. IJCAI
2005:671-676; Wolpert DH. Stacked generalization. Neural Netw. 1992;5(2):241-259): a linear SVM
scores each class from an utterance's lexical features (:mod:`.features`); a logistic regression
then reads those scores for the utterance and the utterances before it. Built with scikit-learn
(Pedregosa F, et al. Scikit-learn: Machine Learning in Python. J Mach Learn Res.
2011;12:2825-2830). :mod:`.classifiers` trains, stores and loads these parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from rapport.core.transcripts.features import HAND_FEATURES, Context, UtteranceFeatures, contexts
from rapport.core.transcripts.features import hand_features as _hand
from rapport.core.transcripts.labels import (
    Behaviour,
    QuestionKind,
    ReflectionKind,
    TalkType,
    UtteranceLabels,
)
from rapport.core.transcripts.model import Conversation, Role

__all__ = [
    "BEHAVIOUR",
    "DECIDER_C",
    "MAIN",
    "QUESTION",
    "REFLECTION",
    "RICH_CONTEXT",
    "TALK_TYPE",
    "TASKS",
    "Decider",
    "Scorer",
    "Session",
    "Task",
    "context_rows",
    "label_session",
    "macro_f1",
]

DECIDER_C = 0.3
_ABSENT = -2.0  # stage-1 score of a class the model never saw (below any real SVM margin)
_OFFSETS = np.linspace(-1.0, 1.0, 21)


@dataclass(frozen=True, slots=True)
class Task:
    """One labelling task: which role's utterances it labels, and its classes."""

    name: str
    role: Role
    classes: tuple[str, ...]

    def gold(self, lab: UtteranceLabels) -> str | None:
        """The annotated class of ``lab`` for this task (subtypes only of that main kind)."""
        value: str | None
        if self.name == "behaviour":
            value = lab.behaviour
        elif self.name == "talk_type":
            value = lab.talk_type
        elif self.name == "reflection":
            value = lab.reflection if lab.behaviour is Behaviour.REFLECTION else None
        else:
            value = lab.question if lab.behaviour is Behaviour.QUESTION else None
        return None if value is None else str(value)


BEHAVIOUR = Task("behaviour", Role.THERAPIST, tuple(b.value for b in Behaviour))
TALK_TYPE = Task("talk_type", Role.CLIENT, tuple(t.value for t in TalkType))
REFLECTION = Task("reflection", Role.THERAPIST, tuple(k.value for k in ReflectionKind))
QUESTION = Task("question", Role.THERAPIST, tuple(k.value for k in QuestionKind))
TASKS = (BEHAVIOUR, TALK_TYPE, REFLECTION, QUESTION)
MAIN = {Role.THERAPIST: BEHAVIOUR, Role.CLIENT: TALK_TYPE}
_OTHER_ROLE = {Role.THERAPIST: Role.CLIENT, Role.CLIENT: Role.THERAPIST}
_CONT = HAND_FEATURES.index("continues_a_split_turn")
_CUT = HAND_FEATURES.index("is_cut_off")


def macro_f1(truth: np.ndarray, predicted: np.ndarray, k: int) -> float:
    """Macro-averaged F1 of class indices 0..k-1, over the classes that occur in either."""
    cm = np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k).astype(float)
    tp = np.diag(cm)
    support, called = cm.sum(axis=1), cm.sum(axis=0)
    present = (support + called) > 0
    denominator = support + called
    f1 = np.divide(2 * tp, denominator, out=np.zeros(k), where=denominator > 0)
    return float(f1[present].mean()) if present.any() else 0.0


class Scorer:
    """Stage 1: a class-balanced linear SVM's margins, one column per class of the task."""

    def __init__(self, classes: tuple[str, ...], c: float, seed: int) -> None:
        self.classes, self.c, self.seed = classes, c, seed
        self.svm: Any = None
        self.only: str | None = None

    def fit(self, x: Any, y: Sequence[str]) -> Scorer:
        seen = set(y)
        if len(seen) == 1:  # nothing to separate: every utterance gets the one class seen
            self.only = next(iter(seen))
        elif seen:
            self.svm = LinearSVC(
                C=self.c, class_weight="balanced", random_state=self.seed, max_iter=5000
            ).fit(x, list(y))
        return self

    def scores(self, x: Any) -> np.ndarray:
        out = np.full((x.shape[0], len(self.classes)), _ABSENT)
        if self.only is not None:
            out[:, self.classes.index(self.only)] = 1.0
        elif self.svm is not None:
            margins = self.svm.decision_function(x)
            fitted = [self.classes.index(str(c)) for c in self.svm.classes_]
            if margins.ndim == 1:  # a binary SVM returns one margin, positive for classes_[1]
                margins = np.column_stack([-margins, margins])
            out[:, fitted] = margins
        return out


def tune_offsets(log_p: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per-class offsets on log-probabilities that maximise macro-F1 (coordinate ascent)."""
    k = log_p.shape[1]
    offsets = np.zeros(k)
    best = macro_f1(truth, np.argmax(log_p, axis=1), k)
    for _ in range(2):
        for j in range(k):
            for value in _OFFSETS:
                trial = offsets.copy()
                trial[j] = value
                score = macro_f1(truth, np.argmax(log_p + trial, axis=1), k)
                if score > best + 1e-9:
                    best, offsets = score, trial
    return offsets


class Decider:
    """Stage 2: logistic regression over context features, with macro-F1 offsets."""

    def __init__(self, classes: tuple[str, ...]) -> None:
        self.classes = classes
        self.seen: tuple[str, ...] = ()
        self.model: Any = None
        self.offsets = np.zeros(0)

    def _log_p(self, x: np.ndarray) -> np.ndarray:
        order = [list(self.model.classes_).index(c) for c in self.seen]
        probabilities = np.asarray(self.model.predict_proba(x))[:, order]
        return np.log(np.clip(probabilities, 1e-9, 1.0))

    def fit(self, x: np.ndarray, y: Sequence[str], seed: int) -> Decider:
        self.seen = tuple(c for c in self.classes if c in set(y))
        if len(self.seen) > 1:
            self.model = make_pipeline(
                StandardScaler(),
                LogisticRegression(
                    C=DECIDER_C, class_weight="balanced", max_iter=3000, random_state=seed
                ),
            ).fit(x, list(y))
            truth = np.array([self.seen.index(v) for v in y])
            self.offsets = tune_offsets(self._log_p(x), truth)
        return self

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Probabilities over :attr:`seen`, one row per utterance."""
        if self.model is None:
            return np.ones((x.shape[0], len(self.seen)))
        z = self._log_p(x) + self.offsets
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return np.asarray(z / z.sum(axis=1, keepdims=True))


@dataclass(frozen=True, slots=True)
class Session:
    """A conversation prepared for the models."""

    conversation: Conversation
    roles: tuple[Role, ...]
    items: tuple[Context, ...]
    hand: np.ndarray  # the items' hand features, worked out once for both stages

    @classmethod
    def of(cls, conversation: Conversation) -> Session:
        items = tuple(contexts(conversation))
        rows = [_hand(c) for c in items]
        hand = np.array(rows, dtype=float).reshape(len(rows), len(HAND_FEATURES))
        return cls(conversation, tuple(u.role for u in conversation), items, hand)

    def positions(self, role: Role) -> list[int]:
        return [j for j, r in enumerate(self.roles) if r is role]

    def features(self, features: UtteranceFeatures, positions: Sequence[int]) -> Any:
        """Stage-1 feature rows of the utterances at ``positions``."""
        return features.transform([self.items[j] for j in positions], hand=self.hand[positions])


# Which roles' stage-2 model also reads the running mean, split-turn flags and hand features.
# Fixed by comparing feature sets on AnnoMI's folds (reported in bench/results): they help the
# therapist model (macro-F1 0.745 vs 0.735) and hurt the client one (0.492 vs 0.521).
RICH_CONTEXT = {Role.THERAPIST: True, Role.CLIENT: False}


def context_rows(
    session: Session, scores: Mapping[Role, np.ndarray], role: Role
) -> tuple[list[int], np.ndarray]:
    """Stage-2 features of ``role``'s utterances: own, previous same-role and previous
    other-role stage-1 scores; for :data:`RICH_CONTEXT` roles also the role's running mean,
    split-turn flags and the hand features."""
    other = _OTHER_ROLE[role]
    k, k_other = scores[role].shape[1], scores[other].shape[1]
    rich = RICH_CONTEXT[role]
    width = 2 * k + 1 + k_other + ((3 * k + 1 + len(HAND_FEATURES)) if rich else 0)
    last_same: int | None = None
    last_other: int | None = None
    total, count = np.zeros(k), 0
    positions, rows = [], []
    for j, r in enumerate(session.roles):
        if r is role:
            own = scores[role][j]
            prev = scores[role][last_same] if last_same is not None else np.zeros(k)
            prev_other = scores[other][last_other] if last_other is not None else np.zeros(k_other)
            parts = [own, prev, [float(last_same is not None)], prev_other]
            if rich:
                mean = total / count if count else np.zeros(k)
                # A fragment of a turn split by an interruption usually carries that turn's
                # label.
                cont = float(
                    session.hand[j, _CONT] > 0
                    or (last_same is not None and session.hand[last_same, _CUT] > 0)
                )
                parts += [mean, [cont], cont * prev, cont * own, session.hand[j]]
            rows.append(np.concatenate(parts))
            positions.append(j)
            last_same, total, count = j, total + own, count + 1
        elif r is other:
            last_other = j
    return positions, np.array(rows, dtype=float).reshape(len(rows), width)


def label_session(
    session: Session,
    scores: Mapping[Role, np.ndarray],
    subtypes: Mapping[str, np.ndarray],
    deciders: Mapping[str, Decider],
) -> tuple[UtteranceLabels, ...]:
    utterances = session.conversation.utterances
    found = [UtteranceLabels(u.index) for u in utterances]
    for role, task in MAIN.items():
        positions, x = context_rows(session, scores, role)
        if not positions:
            continue
        decider = deciders[task.name]
        p = decider.proba(x)
        for j, row in zip(positions, p, strict=True):
            best = int(np.argmax(row))
            label, confidence = decider.seen[best], round(float(row[best]), 4)
            index = utterances[j].index
            if role is Role.CLIENT:
                found[j] = UtteranceLabels(index, talk_type=TalkType(label), confidence=confidence)
                continue
            behaviour = Behaviour(label)
            reflection = question = None
            if behaviour is Behaviour.REFLECTION and "reflection" in subtypes:
                reflection = ReflectionKind(
                    REFLECTION.classes[int(np.argmax(subtypes["reflection"][j]))]
                )
            if behaviour is Behaviour.QUESTION and "question" in subtypes:
                question = QuestionKind(QUESTION.classes[int(np.argmax(subtypes["question"][j]))])
            found[j] = UtteranceLabels(
                index, behaviour=behaviour, reflection=reflection, question=question,
                confidence=confidence,
            )  # fmt: skip
    return tuple(found)
