"""Utterance classifiers: therapist behaviour and client talk type from lexical features.

Labels follow AnnoMI (Wu Z, et al. Anno-MI: A Dataset of Expert-Annotated Counselling
Dialogues. ICASSP 2022, doi:10.1109/ICASSP43922.2022.9746035; Wu Z, et al. Creation, Analysis
and Evaluation of AnnoMI. Future Internet. 2023;15(3):110, doi:10.3390/fi15030110), whose codes
follow MITI 4 (Moyers TB, Rowell LN, Manuel JK, Ernst D, Houck JM. J Subst Abuse Treat.
2016;65:36-42): therapist utterances are a reflection (simple/complex), a question
(open/closed), therapist input or other; client utterances are change, neutral or sustain talk.

**Method** (scikit-learn: Pedregosa F, et al. Scikit-learn: Machine Learning in Python. J Mach
Learn Res. 2011;12:2825-2830), in two stages, i.e. stacked sequential learning (Cohen WW,
Carvalho VR. Stacked sequential learning. IJCAI 2005:671-676; Wolpert DH. Stacked
generalization. Neural Netw. 1992;5(2):241-259):

1. For each role a class-balanced linear SVM over :class:`~.features.UtteranceFeatures` (the
   utterance's words and characters, the previous utterance's words, hand features and,
   optionally, its sentence embedding from :mod:`.embeddings`) scores each class. Subtype
   models (simple/complex reflection, open/closed question) are trained on the utterances
   whose main behaviour is that kind. The SVM's C comes from a two-value grid, chosen
   by transcript-grouped cross-validation on the training transcripts only.
2. A logistic regression reads the stage-1 scores of the utterance, of the same role's previous
   utterance and of the other role's previous utterance (for therapist utterances also the
   running mean of their scores, split-turn flags and the hand features; see
   :data:`~.stacking.RICH_CONTEXT`), so it can use how talk runs on (change talk tends to
   follow change talk; a question tends to follow an answer). It is trained on
   *cross-fitted* stage-1 scores: every score comes from a model that never saw that
   transcript, as scores of new transcripts will. Offsets on its log-probabilities are tuned to
   maximise macro-F1 on the training transcripts. Its probability is the label's
   ``confidence``.

Only earlier utterances are read, never later ones, so a label does not depend on how the
session went on. Training also fits the session-quality model of :mod:`.quality` on labels
predicted for each training transcript by models that did not see it, and bundles it.

**Artefacts** are written outside the repository (:func:`default_model_dir`) because models
trained on AnnoMI must not be redistributed. A folder holds ``classifier.joblib`` and
``manifest.json`` (format version, scikit-learn version, the embedding model if one was used,
the training data's file names and SHA-256, counts, time, cross-validated scores when known,
the artefact's SHA-256). The embedding model is not in the artefact: loading a model trained
with one loads the installed one and checks its weights' SHA-256 against the manifest. joblib
files are pickles, which can run code when loaded: :func:`load_classifier` only loads trusted
local artefacts, and checks the manifest and the artefact's SHA-256 before unpickling.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import sklearn

from rapport.core.digests import file_sha256
from rapport.core.transcripts.embeddings import EmbeddingsUnavailable, Encoder, load_encoder
from rapport.core.transcripts.features import UtteranceFeatures
from rapport.core.transcripts.labels import UtteranceLabels, labels_from_annotations
from rapport.core.transcripts.model import Conversation, Corpus, Role
from rapport.core.transcripts.quality import QualityModel, known_qualities, train_quality_model
from rapport.core.transcripts.stacking import (
    MAIN,
    QUESTION,
    REFLECTION,
    TASKS,
    Decider,
    Scorer,
    Session,
    Task,
    context_rows,
    label_session,
    macro_f1,
)

if TYPE_CHECKING:
    from rapport.core.transcripts.evaluation import EvaluationReport

__all__ = [
    "ARTEFACT_FILE",
    "FORMAT_VERSION",
    "MANIFEST_FILE",
    "TASKS",
    "ModelError",
    "Task",
    "UtteranceClassifier",
    "cross_validate",
    "default_model_dir",
    "load_classifier",
    "load_default_classifier",
    "train",
]

FORMAT_VERSION = 2  # 2: optional sentence embeddings
ARTEFACT_FILE = "classifier.joblib"
MANIFEST_FILE = "manifest.json"
C_GRID = (0.03, 0.1)  # SVM regularisation tried by inner cross-validation
INNER_FOLDS = 5


class ModelError(ValueError):
    """A model cannot be trained, found or loaded; the message says why and what to do."""


@dataclass(slots=True)
class _Bundle:
    """Everything the artefact holds (the manifest travels beside it as JSON)."""

    features: dict[str, UtteranceFeatures]
    scorers: dict[str, Scorer]
    deciders: dict[str, Decider]
    quality: QualityModel | None
    format_version: int = FORMAT_VERSION

    @property
    def embedding(self) -> dict[str, str] | None:
        """The encoder every role's features were fitted with (one per training run)."""
        return next(iter(self.features.values())).embedding


class UtteranceClassifier:
    """A trained set of utterance models; ``predict`` labels every utterance of a conversation.

    Pass ``classifier.predict`` as the ``labeller`` of :func:`~.analysis.analyse`.
    ``manifest`` describes the training run (see :data:`MANIFEST_FILE`).
    """

    def __init__(self, bundle: _Bundle, manifest: Mapping[str, Any]) -> None:
        self._bundle = bundle
        self.manifest: dict[str, Any] = dict(manifest)

    @property
    def embedding(self) -> dict[str, str] | None:
        """The sentence-embedding model the classifier reads (None: lexical features only)."""
        return self._bundle.embedding

    def _scores(self, session: Session) -> tuple[dict[Role, np.ndarray], dict[str, np.ndarray]]:
        n = len(session.roles)
        scores: dict[Role, np.ndarray] = {}
        subtypes: dict[str, np.ndarray] = {}
        for role, task in MAIN.items():
            scores[role] = np.zeros((n, len(task.classes)))
            positions = session.positions(role)
            if not positions:
                continue
            x = session.features(self._bundle.features[role.value], positions)
            scores[role][positions] = self._bundle.scorers[task.name].scores(x)
            if role is Role.THERAPIST:
                for sub in (REFLECTION, QUESTION):
                    if sub.name in self._bundle.scorers:
                        subtypes[sub.name] = np.zeros((n, len(sub.classes)))
                        subtypes[sub.name][positions] = self._bundle.scorers[sub.name].scores(x)
        return scores, subtypes

    def predict(self, conversation: Conversation) -> tuple[UtteranceLabels, ...]:
        """One :class:`UtteranceLabels` per utterance, in order. Therapist utterances get a
        behaviour (and a subtype for reflections and questions), client utterances a talk type,
        both with the model's probability as ``confidence``; other roles get no labels."""
        session = Session.of(conversation)
        scores, subtypes = self._scores(session)
        return label_session(session, scores, subtypes, self._bundle.deciders)

    def predict_with_subtypes(
        self, conversation: Conversation
    ) -> tuple[tuple[UtteranceLabels, ...], dict[str, list[str | None]]]:
        """:meth:`predict`'s labels, and each utterance's most likely reflection and question
        subtype whatever its predicted behaviour (None for client utterances), from one
        scoring pass: lets an evaluation score the subtype models on the annotated reflections
        and questions alone."""
        session = Session.of(conversation)
        scores, subtypes = self._scores(session)
        labels = label_session(session, scores, subtypes, self._bundle.deciders)
        therapist = set(session.positions(Role.THERAPIST))
        found: dict[str, list[str | None]] = {}
        for task in (REFLECTION, QUESTION):
            if task.name in subtypes:
                best = np.argmax(subtypes[task.name], axis=1)
                found[task.name] = [
                    task.classes[int(b)] if j in therapist else None for j, b in enumerate(best)
                ]
        return labels, found

    @property
    def quality_model(self) -> QualityModel | None:
        """The bundled session-quality model (None when the training data had no quality)."""
        return self._bundle.quality

    def predict_quality(
        self, conversation: Conversation, labels: Sequence[UtteranceLabels] | None = None
    ) -> float | None:
        """P(high-quality MI) of the session from its markers and predicted labels (or the
        ``labels`` given); None when no quality model was trained."""
        if self._bundle.quality is None:
            return None
        found = self.predict(conversation) if labels is None else labels
        return self._bundle.quality.predict_quality(conversation, found)

    def record_scores(self, scores: Mapping[str, float | int | None]) -> None:
        """Note cross-validated scores (e.g. from :func:`cross_validate`) in the manifest."""
        self.manifest["cv"] = dict(scores)

    def save(self, directory: Path) -> None:
        """Write the artefact and its manifest into ``directory`` (created if needed)."""
        directory.mkdir(parents=True, exist_ok=True)
        artefact = directory / ARTEFACT_FILE
        partial = directory / f"{ARTEFACT_FILE}.partial"
        joblib.dump(self._bundle, partial, compress=3)
        os.replace(partial, artefact)  # a crash mid-write never leaves a half artefact
        self.manifest |= {"artefact": ARTEFACT_FILE, "artefact_sha256": file_sha256(artefact)}
        text = json.dumps(self.manifest, indent=2, sort_keys=True)
        partial_manifest = directory / f"{MANIFEST_FILE}.partial"
        partial_manifest.write_text(text + "\n", encoding="utf-8")
        os.replace(partial_manifest, directory / MANIFEST_FILE)


def _corpus_digest(corpus: Corpus) -> str:
    digest = hashlib.sha256()
    for c in corpus:
        for u in c:
            record = [c.id, u.role.value, u.text, sorted(u.labels.items())]
            digest.update(json.dumps(record).encode("utf-8"))
    return digest.hexdigest()


def _inner_folds(n: int, seed: int) -> np.ndarray:
    k = min(INNER_FOLDS, n)
    fold = np.empty(n, dtype=int)
    fold[np.random.default_rng(seed).permutation(n)] = np.arange(n) % k
    return fold


def _cross_fit(
    task: Task, x: Any, y: list[str | None], groups: np.ndarray, seed: int
) -> tuple[np.ndarray, float]:
    """Out-of-fold stage-1 scores of every row, with the C that gave the best macro-F1."""
    labelled = np.array([v is not None for v in y])
    truth = np.array([task.classes.index(v) for v in y if v is not None])
    best: tuple[float, np.ndarray, float] | None = None
    for c in C_GRID:
        oof = np.zeros((x.shape[0], len(task.classes)))
        for f in np.unique(groups):
            fit_rows = np.flatnonzero(labelled & (groups != f))
            held = np.flatnonzero(groups == f)
            if fit_rows.size == 0:
                continue
            scorer = Scorer(task.classes, c, seed).fit(x[fit_rows], [str(y[i]) for i in fit_rows])
            oof[held] = scorer.scores(x[held])
        score = macro_f1(truth, np.argmax(oof[labelled], axis=1), len(task.classes))
        if best is None or score > best[0] + 1e-9:
            best = (score, oof, c)
    assert best is not None  # C_GRID is not empty
    return best[1], best[2]


def _fit_stage1(
    sessions: list[Session],
    gold: list[tuple[UtteranceLabels, ...]],
    bundle: _Bundle,
    seed: int,
    encoder: Encoder | None,
) -> tuple[dict[str, list[np.ndarray]], dict[str, Any]]:
    """Fit every stage-1 scorer into ``bundle``; return each task's cross-fitted scores (one
    full-length matrix per session, zeros on other roles' rows) and what was chosen."""
    session_fold = _inner_folds(len(sessions), seed)
    oof_scores: dict[str, list[np.ndarray]] = {}
    notes: dict[str, Any] = {"svm_c": {}, "labelled": {}}
    for role, main in MAIN.items():
        where = [(i, j) for i, s in enumerate(sessions) for j in s.positions(role)]
        if not where:
            raise ModelError(f"The corpus has no {role.value} utterances to learn from.")
        items = [sessions[i].items[j] for i, j in where]
        features = UtteranceFeatures(encoder).fit(items)
        x = features.transform(items, hand=np.array([sessions[i].hand[j] for i, j in where]))
        bundle.features[role.value] = features
        groups = session_fold[[i for i, _ in where]]
        for task in (main, REFLECTION, QUESTION) if role is Role.THERAPIST else (main,):
            y = [task.gold(gold[i][j]) for i, j in where]
            classes = {v for v in y if v is not None}
            if len(classes) < 2:
                if task is main:
                    raise ModelError(
                        f"Training needs at least two {task.name.replace('_', ' ')} classes "
                        f"among the annotated {role.value} utterances; found "
                        f"{sorted(classes) or 'none'}."
                    )
                continue  # no subtype annotations (e.g. AnnoMI-simple alone): no subtype model
            oof, c = _cross_fit(task, x, y, groups, seed)
            rows = [r for r, v in enumerate(y) if v is not None]
            bundle.scorers[task.name] = Scorer(task.classes, c, seed).fit(
                x[rows], [str(y[r]) for r in rows]
            )
            notes["svm_c"][task.name] = c
            notes["labelled"][task.name] = len(rows)
            full = [np.zeros((len(s.roles), len(task.classes))) for s in sessions]
            for (i, j), row in zip(where, oof, strict=True):
                full[i][j] = row
            oof_scores[task.name] = full
    return oof_scores, notes


def _fit_deciders(
    sessions: list[Session],
    gold: list[tuple[UtteranceLabels, ...]],
    oof_scores: dict[str, list[np.ndarray]],
    bundle: _Bundle,
    seed: int,
) -> None:
    for role, task in MAIN.items():
        xs: list[np.ndarray] = []
        ys: list[str] = []
        for i, s in enumerate(sessions):
            scores = {r: oof_scores[MAIN[r].name][i] for r in MAIN}
            positions, x_ctx = context_rows(s, scores, role)
            keep = [n for n, j in enumerate(positions) if task.gold(gold[i][j]) is not None]
            xs.append(x_ctx[keep])
            ys.extend(str(task.gold(gold[i][positions[n]])) for n in keep)
        bundle.deciders[task.name] = Decider(task.classes).fit(np.vstack(xs), ys, seed)


def _fit_quality(
    sessions: list[Session], oof_scores: dict[str, list[np.ndarray]], bundle: _Bundle, seed: int
) -> QualityModel | None:
    """The quality model, trained on labels predicted from cross-fitted scores (as labels of
    new sessions will be predicted); None without a high/low quality on every session."""
    high = known_qualities(s.conversation for s in sessions)
    if high is None:
        return None
    predicted = [
        label_session(
            s,
            {r: oof_scores[MAIN[r].name][i] for r in MAIN},
            {t: oof_scores[t][i] for t in (REFLECTION.name, QUESTION.name) if t in oof_scores},
            bundle.deciders,
        )
        for i, s in enumerate(sessions)
    ]
    try:
        return train_quality_model(
            [(s.conversation, p) for s, p in zip(sessions, predicted, strict=True)],
            high,
            seed=seed,
        )
    except ValueError:  # too few sessions of one quality
        return None


def _manifest(
    corpus: Corpus, bundle: _Bundle, dataset: Sequence[Path], seed: int, notes: dict[str, Any]
) -> dict[str, Any]:
    files = [{"name": p.name, "sha256": file_sha256(p)} for p in dataset]
    if not files:
        sources = sorted({c.source for c in corpus})
        files = [{"name": ", ".join(sources), "sha256": _corpus_digest(corpus), "of": "content"}]
    return {
        "format_version": FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "dataset_file": files[0]["name"],
        "dataset_sha256": files[0]["sha256"],
        "transcripts": len(corpus),
        "utterances": sum(len(c) for c in corpus),
        "subtypes": REFLECTION.name in bundle.scorers and QUESTION.name in bundle.scorers,
        "quality_model": bundle.quality is not None,
        "embedding": bundle.embedding,
        "trained_on": {"files": files, "labelled": notes["labelled"]},
        "settings": {"svm_c": notes["svm_c"]},
        "cv": None,
    }


def train(
    corpus: Corpus,
    *,
    seed: int = 2026,
    dataset: Sequence[Path] = (),
    encoder: Encoder | None = None,
) -> UtteranceClassifier:
    """Train the utterance models (and, when sessions carry ``mi_quality``, the quality model)
    on ``corpus``'s annotated utterances (AnnoMI label names; see :mod:`.labels`).

    With an ``encoder`` (:func:`.embeddings.load_encoder`) the utterance models also read each
    utterance's sentence embedding; the saved model then needs that encoder installed to load.

    ``dataset`` names the files the corpus was read from, for the manifest (their SHA-256 is
    recorded); without it the manifest records a digest of the corpus content. Raises
    :class:`ModelError` when there is too little to learn from.
    """
    sessions = [Session.of(c) for c in corpus]
    if len(sessions) < 2:  # cross-fitting needs a transcript to hold out
        raise ModelError(f"Training needs at least two transcripts; got {len(sessions)}.")
    gold = [labels_from_annotations(s.conversation) for s in sessions]
    bundle = _Bundle(features={}, scorers={}, deciders={}, quality=None)
    oof_scores, notes = _fit_stage1(sessions, gold, bundle, seed, encoder)
    _fit_deciders(sessions, gold, oof_scores, bundle, seed)
    bundle.quality = _fit_quality(sessions, oof_scores, bundle, seed)
    return UtteranceClassifier(bundle, _manifest(corpus, bundle, dataset, seed, notes))


def default_model_dir() -> Path:
    """Where models live: ``$RAPPORT_MODEL_DIR``, else ``$XDG_DATA_HOME/rapport/models``
    (``~/.local/share/rapport/models``): outside the repository, never shipped."""
    chosen = os.environ.get("RAPPORT_MODEL_DIR")
    if chosen:
        return Path(chosen).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home).expanduser() / "rapport" / "models"


def load_classifier(directory: Path) -> UtteranceClassifier:
    """Load the model saved in ``directory``.

    Only load artefacts you trained yourself or otherwise trust: the artefact is a joblib
    pickle. Before unpickling, the manifest's format and scikit-learn versions must match this
    installation and the artefact's SHA-256 must match the manifest. Raises
    :class:`ModelError` naming the problem otherwise.
    """
    retrain = "train a new one with `rapport model train`"
    if not directory.is_dir():
        raise ModelError(f"No model folder at {directory}; {retrain}.")
    manifest_path, artefact = directory / MANIFEST_FILE, directory / ARTEFACT_FILE
    for needed in (manifest_path, artefact):
        if not needed.is_file():
            raise ModelError(f"The model in {directory} is incomplete: {needed.name} is missing.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{manifest_path} cannot be read ({exc}).") from None
    if not isinstance(manifest, dict):
        raise ModelError(f"{manifest_path} is not a model manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"The model in {directory} has format {manifest.get('format_version')!r}; this "
            f"version of Rapport reads format {FORMAT_VERSION}: {retrain}."
        )
    if manifest.get("sklearn_version") != sklearn.__version__:
        raise ModelError(
            f"The model in {directory} was trained with scikit-learn "
            f"{manifest.get('sklearn_version')}; this installation has {sklearn.__version__}: "
            f"{retrain}."
        )
    if manifest.get("artefact_sha256") != file_sha256(artefact):
        raise ModelError(
            f"{artefact} fails its checksum (it changed after training); it was not loaded: "
            f"{retrain}."
        )
    try:
        bundle = joblib.load(artefact)
    except Exception as exc:
        raise ModelError(f"{artefact} cannot be loaded ({type(exc).__name__}: {exc}).") from None
    if not isinstance(bundle, _Bundle) or bundle.format_version != FORMAT_VERSION:
        raise ModelError(f"{artefact} does not hold a Rapport utterance classifier.")
    if manifest.get("embedding") is not None:
        _attach_encoder(bundle, directory)
    return UtteranceClassifier(bundle, manifest)


def _attach_encoder(bundle: _Bundle, directory: Path) -> None:
    try:
        encoder = load_encoder()
    except EmbeddingsUnavailable as exc:
        raise ModelError(f"The model in {directory} reads sentence embeddings. {exc}") from None
    try:
        for features in bundle.features.values():
            features.attach(encoder)
    except ValueError as exc:
        raise ModelError(f"The model in {directory} cannot be used here: {exc}") from None


# The default model, kept per folder with the stamp of the files it was loaded from: a web
# process labels every upload with it, and loading (unpickling, checksumming) takes a while.
_DEFAULT_MODELS: dict[Path, tuple[tuple[int, ...], UtteranceClassifier]] = {}
_DEFAULT_MODELS_LOCK = threading.Lock()


def _file_stamp(directory: Path) -> tuple[int, ...]:
    """Size and modification time of the model's two files: retraining changes them."""
    stats = [(directory / name).stat() for name in (MANIFEST_FILE, ARTEFACT_FILE)]
    return tuple(n for s in stats for n in (s.st_size, s.st_mtime_ns))


def load_default_classifier() -> UtteranceClassifier | None:
    """The model in :func:`default_model_dir`, or None when none has been trained there.

    Loaded once per process and reused while its files are unchanged; a retrained (or
    replaced) model is loaded, and checked, afresh. A folder that exists but holds a broken
    model raises :class:`ModelError`.
    """
    directory = default_model_dir()
    if not (directory / MANIFEST_FILE).exists() and not (directory / ARTEFACT_FILE).exists():
        return None
    try:
        stamp = _file_stamp(directory)
    except OSError:  # a file is missing: load_classifier names it
        return load_classifier(directory)
    with _DEFAULT_MODELS_LOCK:
        held = _DEFAULT_MODELS.get(directory)
        if held is not None and held[0] == stamp:
            return held[1]
        classifier = load_classifier(directory)
        _DEFAULT_MODELS[directory] = (stamp, classifier)
        return classifier


def cross_validate(
    corpus: Corpus, *, folds: int = 5, seed: int = 2026, encoder: Encoder | None = None
) -> EvaluationReport:
    """Transcript-level cross-validation; see :func:`.evaluation.cross_validate`."""
    # Imported here: the evaluation module builds on this one.
    from rapport.core.transcripts.evaluation import cross_validate as run  # noqa: PLC0415

    return run(corpus, folds=folds, seed=seed, encoder=encoder)
