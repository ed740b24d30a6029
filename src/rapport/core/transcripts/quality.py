"""Session-level motivational-interviewing quality from conversational markers.

A session is described by a few numbers computed from its markers alone: the MI summary scores
of :func:`~.mi.mi_summary` (reflection-to-question ratio, % open questions, % complex
reflections, change-talk share; Moyers TB, Rowell LN, Manuel JK, Ernst D, Houck JM. The
Motivational Interviewing Treatment Integrity Code (MITI 4): rationale, preliminary reliability
and validity. J Subst Abuse Treat. 2016;65:36-42), the share of each therapist behaviour and
client talk type, talk balance, language style matching and mean turn lengths, and four lexical
markers that do not need labels: how many of every 100 client utterances carry a withdrawal or
a confrontation rupture marker (:mod:`.ruptures`; log1p-scaled), the share of therapist
utterances with directive wording (:mod:`.directives`) and question marks per therapist
utterance (stacked questions: "How much do you drink? Every day? Do you think that's a
problem?"). A regularised logistic regression on those numbers gives P(high-quality MI).

The labels feeding the numbers may be expert annotations or a classifier's predictions; a model
meant for predicted labels should be trained on predicted labels too (see
:func:`~.classifiers.train`, which trains it on labels predicted by models that never saw the
session). Trained and evaluated on AnnoMI's high/low-quality demonstrations (Wu Z, et al.
Anno-MI: A Dataset of Expert-Annotated Counselling Dialogues. ICASSP 2022,
doi:10.1109/ICASSP43922.2022.9746035; Wu Z, et al. Creation, Analysis and Evaluation of AnnoMI.
Future Internet. 2023;15(3):110, doi:10.3390/fi15030110), with scikit-learn (Pedregosa F, et
al. J Mach Learn Res. 2011;12:2825-2830). A probability, not a MITI score: AnnoMI's "low
quality" sessions are staged demonstrations of poor MI, more extreme than most real sessions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rapport.core.transcripts.directives import directive_share
from rapport.core.transcripts.labels import UtteranceLabels
from rapport.core.transcripts.markers import language_style_matching, talk_balance
from rapport.core.transcripts.mi import mi_summary
from rapport.core.transcripts.model import Conversation, Role
from rapport.core.transcripts.ruptures import RuptureKind, rupture_markers

__all__ = [
    "QUALITY_CS",
    "SESSION_FEATURES",
    "QualityModel",
    "auc_with_ci",
    "known_qualities",
    "session_features",
    "session_quality",
    "train_quality_model",
]

SESSION_FEATURES = (
    "log_reflection_to_question",
    "open_question_share",
    "complex_reflection_share",
    "change_talk_share",
    "reflection_share",
    "question_share",
    "input_share",
    "other_share",
    "change_share",
    "sustain_share",
    "therapist_word_share",
    "lsm",
    "log_therapist_mean_turn_words",
    "log_client_mean_turn_words",
    "log_withdrawal_per_100_client",
    "log_confrontation_per_100_client",
    "directive_share",
    "questions_per_therapist_utterance",
)

# L2 penalties tried by inner cross-validation: 18 correlated features and, in AnnoMI, only 17
# low-quality sessions call for a strong one, and the data choose how strong.
QUALITY_CS = (0.01, 0.03, 0.1, 0.3, 1.0)
_MAX_RQ = 10.0  # a session with one question and 30 reflections is not 30 times better
_NAN = float("nan")


def _share(part: int, total: int) -> float:
    return part / total if total else _NAN


def _opt(value: float | None, scale: float = 1.0) -> float:
    return _NAN if value is None else value / scale


def _log_rate(flagged: int, client_utterances: int) -> float:
    # A log, as rupture markers are rare and a few staged sessions are full of them.
    return math.log1p(100 * _share(flagged, client_utterances))


def session_features(
    conversation: Conversation, labels: Sequence[UtteranceLabels]
) -> dict[str, float]:
    """The :data:`SESSION_FEATURES` of one session (NaN where a score is undefined)."""
    summary = mi_summary(labels)
    balance = talk_balance(conversation)
    try:
        lsm: float = language_style_matching(conversation)
    except ValueError:  # a role without words
        lsm = _NAN
    therapist = balance.by_role[Role.THERAPIST]
    client = balance.by_role[Role.CLIENT]
    # Utterances, not markers: one complaint can be about the therapist and therapy at once.
    ruptures = Counter(
        kind for kind, _ in {(m.kind, m.index) for m in rupture_markers(conversation, labels)}
    )
    client_utterances = len(conversation.by_role(Role.CLIENT))
    therapist_texts = [u.text for u in conversation.by_role(Role.THERAPIST)]
    found = {
        "therapist_word_share": therapist.word_share if balance.total_words else _NAN,
        "lsm": lsm,
        "log_therapist_mean_turn_words": math.log1p(therapist.mean_turn_words or 0.0),
        "log_client_mean_turn_words": math.log1p(client.mean_turn_words or 0.0),
        "log_withdrawal_per_100_client": _log_rate(
            ruptures[RuptureKind.WITHDRAWAL], client_utterances
        ),
        "log_confrontation_per_100_client": _log_rate(
            ruptures[RuptureKind.CONFRONTATION], client_utterances
        ),
        "directive_share": _opt(directive_share(conversation)),
        "questions_per_therapist_utterance": _share(
            sum(t.count("?") for t in therapist_texts), len(therapist_texts)
        ),
    }
    if summary is None:
        return {name: found.get(name, _NAN) for name in SESSION_FEATURES}
    rq = summary.reflection_to_question
    behaviours = summary.reflections + summary.questions + summary.inputs + summary.other
    talk = summary.change + summary.neutral + summary.sustain
    found |= {
        "log_reflection_to_question": _NAN if rq is None else math.log1p(min(rq, _MAX_RQ)),
        "open_question_share": _opt(summary.percent_open_questions, 100.0),
        "complex_reflection_share": _opt(summary.percent_complex_reflections, 100.0),
        "change_talk_share": _opt(summary.change_talk_share),
        "reflection_share": _share(summary.reflections, behaviours),
        "question_share": _share(summary.questions, behaviours),
        "input_share": _share(summary.inputs, behaviours),
        "other_share": _share(summary.other, behaviours),
        "change_share": _share(summary.change, talk),
        "sustain_share": _share(summary.sustain, talk),
    }
    return {name: found[name] for name in SESSION_FEATURES}


def session_quality(conversation: Conversation) -> bool | None:
    """AnnoMI's session label: True for ``mi_quality`` "high", False for "low", else None."""
    value = conversation.meta.get("mi_quality", "").strip().casefold()
    return {"high": True, "low": False}.get(value)


def known_qualities(conversations: Iterable[Conversation]) -> list[bool] | None:
    """Each session's :func:`session_quality`, or None when a session has none or every
    session has the same one (a quality model then has nothing to learn)."""
    quality = [session_quality(c) for c in conversations]
    if any(q is None for q in quality) or len(set(quality)) < 2:
        return None
    return [bool(q) for q in quality]


@dataclass(frozen=True, slots=True)
class QualityModel:
    """A fitted P(high-quality MI) model over :data:`SESSION_FEATURES`."""

    pipeline: Any
    features: tuple[str, ...] = SESSION_FEATURES

    def _matrix(
        self, sessions: Sequence[tuple[Conversation, Sequence[UtteranceLabels]]]
    ) -> np.ndarray:
        rows = [session_features(c, labels) for c, labels in sessions]
        return np.array([[row[f] for f in self.features] for row in rows], dtype=float)

    def predict_quality(
        self, conversation: Conversation, labels: Sequence[UtteranceLabels]
    ) -> float:
        """P(high-quality MI) of one session, 0-1, from its markers and utterance labels."""
        return self.predict_many([(conversation, labels)])[0]

    def predict_many(
        self, sessions: Sequence[tuple[Conversation, Sequence[UtteranceLabels]]]
    ) -> list[float]:
        """P(high-quality MI) of each session."""
        if not sessions:
            return []
        probabilities = self.pipeline.predict_proba(self._matrix(sessions))
        high = list(self.pipeline.classes_).index(True)
        return [float(p) for p in probabilities[:, high]]

    @property
    def c(self) -> float:
        """The L2 penalty chosen by inner cross-validation."""
        return float(self.pipeline[-1].C_)

    def coefficients(self) -> dict[str, float]:
        """Each feature's weight on the standardised scale (positive = more like high quality)."""
        weights = self.pipeline[-1].coef_[0]
        sign = 1.0 if bool(self.pipeline.classes_[1]) else -1.0
        return {f: round(sign * float(w), 4) for f, w in zip(self.features, weights, strict=True)}


def train_quality_model(
    sessions: Sequence[tuple[Conversation, Sequence[UtteranceLabels]]],
    high: Sequence[bool],
    *,
    seed: int = 2026,
) -> QualityModel:
    """Fit P(high quality) on ``sessions`` (each a conversation and its utterance labels).

    Missing scores (e.g. no questions, so no R:Q) take the training median; features are
    standardised; the logistic regression is L2-penalised (strength from :data:`QUALITY_CS` by
    stratified inner cross-validation on ROC AUC) and weights the classes equally. Raises
    ValueError unless both qualities occur at least twice.
    """
    if len(sessions) != len(high):
        raise ValueError(f"{len(sessions)} sessions but {len(high)} quality labels.")
    n_high = sum(bool(h) for h in high)
    if min(n_high, len(high) - n_high) < 2:  # two per class: the least that can be fitted
        raise ValueError(
            "A quality model needs at least two high- and two low-quality sessions; "
            f"got {n_high} high and {len(high) - n_high} low."
        )
    model = QualityModel(
        make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegressionCV(
                Cs=list(QUALITY_CS),
                l1_ratios=(0.0,),
                cv=StratifiedKFold(
                    min(5, n_high, len(high) - n_high), shuffle=True, random_state=seed
                ),
                scoring="roc_auc",
                solver="newton-cholesky",
                class_weight="balanced",
                max_iter=2000,
                use_legacy_attributes=False,
            ),
        )
    )
    model.pipeline.fit(model._matrix(sessions), np.array([bool(h) for h in high]))
    return model


def auc_with_ci(
    y: Sequence[bool], scores: Sequence[float], *, boots: int = 2000, seed: int = 2026
) -> tuple[float, float, float]:
    """ROC AUC with a 95 % percentile bootstrap interval (resampling within each class, so
    every resample keeps the class balance; Efron B, Tibshirani RJ. An Introduction to the
    Bootstrap. Chapman & Hall; 1993)."""
    truth = np.array([bool(v) for v in y])
    s = np.array(scores, dtype=float)
    auc = float(roc_auc_score(truth, s))
    pos, neg = np.flatnonzero(truth), np.flatnonzero(~truth)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(boots):
        p = s[rng.choice(pos, pos.size)]
        n = s[rng.choice(neg, neg.size)]
        # AUC = P(score of a high session > score of a low one), ties counting one half.
        draws.append(float(((p[:, None] > n[None, :]) + 0.5 * (p[:, None] == n[None, :])).mean()))
    low, high = np.percentile(draws, [2.5, 97.5])
    return auc, float(low), float(high)
