"""Transcript-level cross-validation of the utterance classifiers and the quality model.

Folds split *transcripts*, never utterances, so no session contributes to both training and
testing; they are stratified by AnnoMI's session quality (high/low) when every fold can hold a
low-quality session. Each outer fold runs the whole of :func:`~.classifiers.train` on the
training transcripts (its inner cross-validation, hyperparameter choice and quality model
included) and scores the held-out ones, so the scores are those of the shipped procedure.

Session quality is scored twice: from labels *predicted* by models that never saw the session
(nested: the quality model itself was trained on labels predicted for its training sessions by
models that never saw those), and from the expert annotations, an upper bound for what the
markers can tell. Data: AnnoMI (Wu Z, et al. ICASSP 2022, doi:10.1109/ICASSP43922.2022.9746035;
Future Internet. 2023;15(3):110, doi:10.3390/fi15030110); codes per MITI 4 (Moyers TB, et al.
J Subst Abuse Treat. 2016;65:36-42); scikit-learn (Pedregosa F, et al. J Mach Learn Res.
2011;12:2825-2830).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

from rapport.core.transcripts.agreement import ExpertAgreement, UtteranceKey, expert_agreement
from rapport.core.transcripts.classifiers import TASKS, train
from rapport.core.transcripts.embeddings import CachingEncoder, Encoder
from rapport.core.transcripts.labels import UtteranceLabels, labels_from_annotations
from rapport.core.transcripts.mi import mi_summary
from rapport.core.transcripts.model import Corpus
from rapport.core.transcripts.model_report import write_report
from rapport.core.transcripts.quality import (
    auc_with_ci,
    known_qualities,
    session_quality,
    train_quality_model,
)

__all__ = [
    "TARGETS",
    "VOTE_COLUMNS",
    "EvaluationReport",
    "ExpertVotes",
    "QualityResult",
    "TaskResult",
    "cross_validate",
    "transcript_folds",
    "write_report",
]

# Targets from the "Session analysis" issue; the published figures are for context only
# (text+audio models about 0.83 / 0.66, earlier text models about 0.72 / 0.55).
TARGETS = {"behaviour": 0.75, "talk_type": 0.60, "quality_auc": 0.90}
# Expert votes (:func:`.annomi.read_expert_votes`) of each main task, by AnnoMI column.
VOTE_COLUMNS = {"behaviour": "main_therapist_behaviour", "talk_type": "client_talk_type"}
ExpertVotes = Mapping[str, Mapping[UtteranceKey, Mapping[str, str]]]
_SUMMARY_SCORES = (
    "reflection_to_question",
    "percent_open_questions",
    "percent_complex_reflections",
    "change_talk_share",
)


def _can_stratify(qualities: Counter[str], folds: int) -> bool:
    """Whether folds can be stratified by quality (counts keyed ``str(session_quality)``):
    every session has one, both occur, and each fold can hold each."""
    return len(qualities) > 1 and "None" not in qualities and min(qualities.values()) >= folds


def transcript_folds(
    corpus: Corpus, folds: int = 5, seed: int = 2026
) -> tuple[tuple[str, ...], ...]:
    """The transcript ids held out in each fold (each id in exactly one fold).

    Stratified by session quality when every session has one and every fold can hold each
    quality; otherwise a plain shuffled split of transcripts.
    """
    ids = [c.id for c in corpus]
    if not 2 <= folds <= len(ids):
        raise ValueError(
            f"Cannot make {folds} folds from {len(ids)} transcripts (2 to {len(ids)})."
        )
    strata = [str(session_quality(c)) for c in corpus]
    counts = Counter(strata)
    splitter: Any
    if _can_stratify(counts, folds):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    return tuple(tuple(ids[i] for i in sorted(test)) for _, test in splitter.split(ids, strata))


@dataclass(frozen=True, slots=True)
class TaskResult:
    """Scores of one labelling task over the held-out transcripts."""

    task: str
    classes: tuple[str, ...]
    fold_macro_f1: tuple[float, ...]
    per_class: dict[str, dict[str, float]]  # precision, recall, f1, support (pooled)
    confusion: tuple[tuple[int, ...], ...]  # rows: annotated class; columns: predicted
    scope: str

    @property
    def mean(self) -> float:
        return statistics.fmean(self.fold_macro_f1)

    @property
    def sd(self) -> float:
        return statistics.stdev(self.fold_macro_f1) if len(self.fold_macro_f1) > 1 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "scope": self.scope,
            "classes": list(self.classes),
            "macro_f1": {
                "mean": round(self.mean, 4),
                "sd": round(self.sd, 4),
                "folds": [round(f, 4) for f in self.fold_macro_f1],
            },
            "per_class": self.per_class,
            "confusion": {"rows_annotated_columns_predicted": [list(r) for r in self.confusion]},
        }


@dataclass(frozen=True, slots=True)
class QualityResult:
    """ROC AUC of P(high quality) on held-out sessions, pooled over folds."""

    n_high: int
    n_low: int
    predicted: tuple[float, float, float]  # AUC, 95 % CI low, high (labels predicted)
    annotated: tuple[float, float, float]  # the same from expert annotations
    fold_predicted: tuple[float | None, ...]
    fold_annotated: tuple[float | None, ...]

    def to_dict(self) -> dict[str, Any]:
        def auc(v: tuple[float, float, float]) -> dict[str, Any]:
            return {"auc": round(v[0], 4), "ci95": [round(v[1], 4), round(v[2], 4)]}

        def folds(v: tuple[float | None, ...]) -> list[float | None]:
            return [None if a is None else round(a, 4) for a in v]

        return {
            "n_high": self.n_high,
            "n_low": self.n_low,
            "from_predicted_labels": auc(self.predicted) | {"folds": folds(self.fold_predicted)},
            "from_annotations": auc(self.annotated) | {"folds": folds(self.fold_annotated)},
        }


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Everything :func:`cross_validate` measured, with the split it used."""

    dataset: dict[str, Any]
    folds: int
    seed: int
    stratified: bool
    fold_transcripts: tuple[tuple[str, ...], ...]
    fold_low_quality: tuple[int, ...]
    tasks: dict[str, TaskResult]
    quality: QualityResult | None
    summary_agreement: dict[str, dict[str, float | int | None]]
    timing: dict[str, float]
    embedding: dict[str, str] | None = None
    expert_agreement: dict[str, ExpertAgreement] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def headline(self) -> dict[str, float | int | None]:
        """The few numbers worth printing (and keeping in a model's manifest)."""
        found: dict[str, float | int | None] = {"folds": self.folds}
        for name, result in self.tasks.items():
            found[f"{name}_macro_f1"] = round(result.mean, 4)
            found[f"{name}_macro_f1_sd"] = round(result.sd, 4)
        if self.quality is not None:
            found["quality_auc_predicted"] = round(self.quality.predicted[0], 4)
            found["quality_auc_annotated"] = round(self.quality.annotated[0], 4)
        return found

    def targets(self) -> dict[str, dict[str, Any]]:
        """Each target of the issue, the score reached and whether it is met."""
        reached: dict[str, float | None] = {
            "behaviour": self.tasks["behaviour"].mean if "behaviour" in self.tasks else None,
            "talk_type": self.tasks["talk_type"].mean if "talk_type" in self.tasks else None,
            "quality_auc": self.quality.predicted[0] if self.quality else None,
        }
        return {
            k: {
                "target": t,
                "score": None if reached[k] is None else round(float(reached[k] or 0), 4),
                "met": None if reached[k] is None else bool((reached[k] or 0) >= t),
            }
            for k, t in TARGETS.items()
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "sklearn_version": sklearn.__version__,
            "embedding": self.embedding,
            "dataset": self.dataset,
            "split": {
                "unit": "transcript",
                "folds": self.folds,
                "seed": self.seed,
                "stratified_by_mi_quality": self.stratified,
                "fold_transcripts": [list(f) for f in self.fold_transcripts],
                "fold_low_quality": list(self.fold_low_quality),
            },
            "targets": self.targets(),
            "tasks": {k: v.to_dict() for k, v in self.tasks.items()},
            "quality": None if self.quality is None else self.quality.to_dict(),
            "mi_summary_agreement": self.summary_agreement,
            "expert_agreement": {k: v.to_dict() for k, v in self.expert_agreement.items()},
            "timing": self.timing,
        }


_SCOPES = {
    "behaviour": "therapist utterances with an annotated behaviour",
    "talk_type": "client utterances with an annotated talk type",
    "reflection": "annotated reflections with an annotated subtype (behaviour given)",
    "question": "annotated questions with an annotated subtype (behaviour given)",
}


def _task_result(
    name: str, classes: tuple[str, ...], pairs: list[list[tuple[str, str]]]
) -> TaskResult:
    fold_f1 = []
    for fold in pairs:
        if fold:
            truth, predicted = zip(*fold, strict=True)
            present = sorted(set(truth) | set(predicted), key=classes.index)
            p, r, f, _ = precision_recall_fscore_support(
                truth, predicted, labels=present, average="macro", zero_division=0
            )
            fold_f1.append(float(f))
    pooled = [pair for fold in pairs for pair in fold]
    truth_all = [t for t, _ in pooled]
    predicted_all = [p for _, p in pooled]
    p, r, f, s = precision_recall_fscore_support(
        truth_all, predicted_all, labels=list(classes), zero_division=0
    )
    per_class = {
        c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4), "support": int(s[i])}
        for i, c in enumerate(classes)
    }  # fmt: skip
    cm = confusion_matrix(truth_all, predicted_all, labels=list(classes))
    return TaskResult(
        name,
        classes,
        tuple(fold_f1),
        per_class,
        tuple(tuple(int(v) for v in row) for row in cm),
        _SCOPES[name],
    )


def _fold_auc(y: list[bool], p: list[float]) -> float | None:
    return float(roc_auc_score(y, p)) if len(set(y)) == 2 else None


def _agreement(
    pairs: dict[str, list[tuple[float, float]]],
) -> dict[str, dict[str, float | int | None]]:
    found: dict[str, dict[str, float | int | None]] = {}
    for name, values in pairs.items():
        predicted = np.array([v[0] for v in values])
        annotated = np.array([v[1] for v in values])
        enough = len(values) > 2 and predicted.std() > 0 and annotated.std() > 0
        found[name] = {
            "sessions": len(values),
            "pearson_r": round(float(np.corrcoef(predicted, annotated)[0, 1]), 4)
            if enough
            else None,
            "mean_abs_difference": round(float(np.abs(predicted - annotated).mean()), 4)
            if values
            else None,
        }
    return found


def _embedded_once(encoder: Encoder | None, corpus: Corpus) -> tuple[Encoder | None, float]:
    """A caching wrapper of ``encoder`` that has embedded every utterance, and the seconds that
    took (None and 0 without an encoder)."""
    if encoder is None:
        return None, 0.0
    started = time.perf_counter()
    cached = encoder if isinstance(encoder, CachingEncoder) else CachingEncoder(encoder)
    cached.warm(u.text for c in corpus for u in c)
    return cached, time.perf_counter() - started


def cross_validate(
    corpus: Corpus,
    *,
    folds: int = 5,
    seed: int = 2026,
    dataset: Sequence[Path] = (),
    on_fold: Callable[[int], None] | None = None,
    encoder: Encoder | None = None,
    votes: ExpertVotes | None = None,
) -> EvaluationReport:
    """Cross-validate :func:`~.classifiers.train` on ``corpus`` over transcript-level folds.

    ``on_fold(k)`` is called after fold ``k`` (for a progress bar); ``dataset`` names the files
    for the report. With an ``encoder`` the models read sentence embeddings too; each text is
    embedded once for all folds (an embedding does not depend on the training data). With
    ``votes`` (AnnoMI column -> utterance -> expert -> label, from
    :func:`.annomi.read_expert_votes`) the held-out labels of the utterances several experts
    coded are set beside those experts (:mod:`.agreement`).
    """
    fold_ids = transcript_folds(corpus, folds, seed)
    encoder, embed_seconds = _embedded_once(encoder, corpus)
    counts = Counter(str(session_quality(c)) for c in corpus)
    stratified = _can_stratify(counts, folds)
    by_id = {c.id: c for c in corpus}
    pairs: dict[str, list[list[tuple[str, str]]]] = {t.name: [] for t in TASKS}
    quality_rows: list[tuple[bool, float, float, int]] = []  # truth, predicted, annotated, fold
    summaries: dict[str, list[tuple[float, float]]] = {n: [] for n in _SUMMARY_SCORES}
    train_seconds, predict_ms = [], []
    held_out: dict[str, dict[UtteranceKey, str]] = {name: {} for name in VOTE_COLUMNS}
    for k, held_ids in enumerate(fold_ids):
        held = [by_id[i] for i in held_ids]
        held_set = set(held_ids)
        train_corpus = Corpus(c for c in corpus if c.id not in held_set)
        started = time.perf_counter()
        model = train(train_corpus, seed=seed, encoder=encoder)
        train_seconds.append(time.perf_counter() - started)
        for task in TASKS:
            pairs[task.name].append([])
        annotated_model = _annotated_quality_model(train_corpus)
        for c in held:
            started = time.perf_counter()
            predicted, subtypes = model.predict_with_subtypes(c)
            predict_ms.append(1000 * (time.perf_counter() - started))
            gold = labels_from_annotations(c)
            for task in TASKS:
                for j, (g, p) in enumerate(zip(gold, predicted, strict=True)):
                    truth = task.gold(g)
                    if truth is None:
                        continue
                    if task.name in ("behaviour", "talk_type"):
                        guess = task.gold(p)
                    else:
                        guess = subtypes.get(task.name, [None] * len(gold))[j]
                    if guess is not None:
                        pairs[task.name][k].append((truth, guess))
                        if task.name in held_out:
                            held_out[task.name][(c.id, c.utterances[j].index)] = guess
            _add_summaries(summaries, predicted, gold)
            truth_quality = session_quality(c)
            if truth_quality is not None and model.quality_model and annotated_model:
                quality_rows.append(
                    (
                        truth_quality,
                        model.quality_model.predict_quality(c, predicted),
                        annotated_model.predict_quality(c, gold),
                        k,
                    )
                )
        if on_fold is not None:
            on_fold(k)
    tasks = {
        t.name: _task_result(t.name, t.classes, pairs[t.name]) for t in TASKS if any(pairs[t.name])
    }
    return EvaluationReport(
        dataset={
            "files": [p.name for p in dataset] or sorted({c.source for c in corpus}),
            "transcripts": len(corpus),
            "utterances": sum(len(c) for c in corpus),
            "quality": {
                name: counts[key]
                for key, name in (("True", "high"), ("False", "low"), ("None", "unknown"))
                if counts[key]
            },
        },
        folds=folds,
        seed=seed,
        stratified=stratified,
        fold_transcripts=fold_ids,
        fold_low_quality=tuple(
            sum(session_quality(by_id[i]) is False for i in ids) for ids in fold_ids
        ),
        tasks=tasks,
        quality=_quality_result(quality_rows, folds, seed),
        summary_agreement=_agreement(summaries),
        timing={
            "train_seconds_mean": round(statistics.fmean(train_seconds), 2),
            "predict_ms_per_transcript_mean": round(statistics.fmean(predict_ms), 2)
            if predict_ms
            else 0.0,
            # Embedding every text once, before the folds (their predict times exclude it).
            "embed_seconds_all_texts": round(embed_seconds, 2),
        },
        embedding=None if encoder is None else encoder.describe(),
        expert_agreement=_expert_agreement(votes or {}, held_out, seed),
    )


def _expert_agreement(
    votes: ExpertVotes, held_out: Mapping[str, Mapping[UtteranceKey, str]], seed: int
) -> dict[str, ExpertAgreement]:
    found = {}
    for task in TASKS:
        column = VOTE_COLUMNS.get(task.name)
        if column is None or column not in votes:
            continue
        known = {
            key: {e: label for e, label in by_expert.items() if label in task.classes}
            for key, by_expert in votes[column].items()
        }
        result = expert_agreement(task.name, known, held_out[task.name], seed=seed)
        if result is not None:
            found[task.name] = result
    return found


def _annotated_quality_model(corpus: Corpus) -> Any:
    high = known_qualities(corpus)
    if high is None:
        return None
    try:
        return train_quality_model([(c, labels_from_annotations(c)) for c in corpus], high)
    except ValueError:  # too few sessions of one quality
        return None


def _add_summaries(
    found: dict[str, list[tuple[float, float]]],
    predicted: Sequence[UtteranceLabels],
    gold: Sequence[UtteranceLabels],
) -> None:
    p, g = mi_summary(predicted), mi_summary(gold)
    if p is None or g is None:
        return
    for name in _SUMMARY_SCORES:
        a, b = getattr(p, name), getattr(g, name)
        if a is not None and b is not None:
            found[name].append((float(a), float(b)))


def _quality_result(
    rows: list[tuple[bool, float, float, int]], folds: int, seed: int
) -> QualityResult | None:
    truth = [r[0] for r in rows]
    if len(set(truth)) < 2:
        return None
    per_fold_p, per_fold_a = [], []
    for k in range(folds):
        mine = [r for r in rows if r[3] == k]
        per_fold_p.append(_fold_auc([r[0] for r in mine], [r[1] for r in mine]))
        per_fold_a.append(_fold_auc([r[0] for r in mine], [r[2] for r in mine]))
    return QualityResult(
        n_high=sum(truth),
        n_low=len(truth) - sum(truth),
        predicted=auc_with_ci(truth, [r[1] for r in rows], seed=seed),
        annotated=auc_with_ci(truth, [r[2] for r in rows], seed=seed),
        fold_predicted=tuple(per_fold_p),
        fold_annotated=tuple(per_fold_a),
    )
