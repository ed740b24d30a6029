"""Utterance classifiers, the session-quality model and transcript-level cross-validation.

Mechanics run on a synthetic corpus of project-written utterances (tests/core/mi_corpus.py);
the AnnoMI checks read the shared data beside the repository and skip when it is absent.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from rapport.core.transcripts import Conversation, Corpus, Role, Utterance, evaluation
from rapport.core.transcripts import classifiers as clf_module
from rapport.core.transcripts.analysis import analyse
from rapport.core.transcripts.annomi import find_annomi, read_annomi, read_expert_votes
from rapport.core.transcripts.classifiers import (
    ARTEFACT_FILE,
    MANIFEST_FILE,
    ModelError,
    UtteranceClassifier,
    default_model_dir,
    load_classifier,
    load_default_classifier,
    train,
)
from rapport.core.transcripts.embeddings import SentenceEncoder
from rapport.core.transcripts.evaluation import (
    EvaluationReport,
    cross_validate,
    transcript_folds,
    write_report,
)
from rapport.core.transcripts.labels import Behaviour, TalkType, labels_from_annotations
from rapport.core.transcripts.quality import (
    QUALITY_CS,
    SESSION_FEATURES,
    auc_with_ci,
    known_qualities,
    session_features,
    session_quality,
    train_quality_model,
)
from rapport.core.transcripts.stacking import macro_f1
from tests.core.dialogue import dialogue
from tests.core.mi_corpus import synthetic_corpus


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return synthetic_corpus()


@pytest.fixture(scope="module")
def model(corpus: Corpus) -> UtteranceClassifier:
    return train(corpus, seed=2026)


def _new_session() -> Conversation:
    """Unseen combinations of the synthetic pools, plus an interpreter (role OTHER)."""
    lines = [
        (Role.THERAPIST, "What brings you here today?"),
        (Role.CLIENT, "I really want to quit smoking."),
        (Role.OTHER, "She says she wants to quit."),
        (Role.THERAPIST, "So you feel torn about drinking."),
        (Role.CLIENT, "I don't think my drinking is a problem."),
        (Role.THERAPIST, "You should try to cut down."),
        (Role.CLIENT, "My sister lives nearby."),
    ]
    return Conversation(
        "new",
        tuple(Utterance(i, r.value, r, text) for i, (r, text) in enumerate(lines)),
        "new.txt",
    )


class TestPredict:
    def test_it_labels_every_utterance_by_role(self, model: UtteranceClassifier) -> None:
        """One label per utterance in order; behaviour for therapist, talk type for client,
        nothing for other roles; confidences are probabilities."""
        conversation = _new_session()
        labels = model.predict(conversation)
        assert [lab.index for lab in labels] == [u.index for u in conversation]
        for u, lab in zip(conversation, labels, strict=True):
            if u.role is Role.THERAPIST:
                assert lab.behaviour is not None
                assert lab.talk_type is None
            elif u.role is Role.CLIENT:
                assert lab.talk_type is not None
                assert lab.behaviour is None
            else:
                assert (lab.behaviour, lab.talk_type, lab.confidence) == (None, None, None)
                continue
            assert lab.confidence is not None
            assert 0 < lab.confidence <= 1

    def test_it_gives_subtypes_only_to_reflections_and_questions(
        self, model: UtteranceClassifier
    ) -> None:
        """A subtype comes with its own behaviour and never with another."""
        for lab in model.predict(_new_session()):
            assert (lab.reflection is not None) == (lab.behaviour is Behaviour.REFLECTION)
            assert (lab.question is not None) == (lab.behaviour is Behaviour.QUESTION)

    def test_it_learns_the_lexical_signal(self, model: UtteranceClassifier) -> None:
        """The synthetic pools are separable: a new session's clear utterances come out right."""
        labels = model.predict(_new_session())
        assert labels[0].behaviour is Behaviour.QUESTION
        assert labels[1].talk_type is TalkType.CHANGE
        assert labels[3].behaviour is Behaviour.REFLECTION
        assert labels[4].talk_type is TalkType.SUSTAIN
        assert labels[5].behaviour is Behaviour.INPUT

    def test_it_serves_as_the_labeller_of_analyse(self, model: UtteranceClassifier) -> None:
        """analyse(conversation, labeller=model.predict) carries the model's labels."""
        result = analyse(_new_session(), labeller=model.predict).to_dict()
        assert result["labels_from"] == "model"
        assert result["utterances"][0]["behaviour"] == "question"
        assert "behaviour" not in result["utterances"][2]

    def test_it_bundles_a_quality_probability(self, model: UtteranceClassifier) -> None:
        """Sessions with high/low quality train a bundled quality model giving P in 0-1."""
        assert model.manifest["quality_model"] is True
        p = model.predict_quality(_new_session())
        assert p is not None
        assert 0 <= p <= 1

    def test_it_does_not_need_the_previous_session_order(self, model: UtteranceClassifier) -> None:
        """Only earlier utterances matter: cutting a session after utterance k leaves the labels
        of utterances 0..k unchanged."""
        conversation = _new_session()
        full = model.predict(conversation)
        head = Conversation("head", conversation.utterances[:4], "new.txt")
        assert model.predict(head) == full[:4]


class TestTraining:
    def test_it_refuses_a_single_transcript(self, corpus: Corpus) -> None:
        """Cross-fitting needs a transcript to hold out."""
        with pytest.raises(ModelError, match="at least two transcripts"):
            train(Corpus(corpus.conversations[:1]))

    def test_it_refuses_a_corpus_without_labels(self, corpus: Corpus) -> None:
        """Unlabelled transcripts name the missing labels."""
        bare = Corpus(
            Conversation(
                c.id, tuple(Utterance(u.index, u.speaker, u.role, u.text) for u in c), c.source
            )
            for c in corpus
        )
        with pytest.raises(ModelError, match="two behaviour classes"):
            train(bare)

    def test_it_records_what_it_was_trained_on(self, corpus: Corpus, tmp_path: Path) -> None:
        """The manifest names the data file and its SHA-256, counts and versions."""
        data = tmp_path / "data.csv"
        data.write_text("x", encoding="utf-8")
        model = train(corpus, dataset=[data])
        m = model.manifest
        assert m["dataset_file"] == "data.csv"
        # sha256 of b"x"
        assert m["dataset_sha256"].startswith("2d711642b726b044")
        assert (m["transcripts"], m["utterances"]) == (len(corpus), sum(len(c) for c in corpus))
        assert m["subtypes"] is True
        assert set(m["settings"]["svm_c"]) == {"behaviour", "talk_type", "reflection", "question"}


class TestStorage:
    def test_it_round_trips_through_save_and_load(
        self, model: UtteranceClassifier, tmp_path: Path
    ) -> None:
        """A loaded model predicts exactly what the saved one did; the manifest has the
        artefact's checksum and scikit-learn version."""
        model.save(tmp_path / "m")
        loaded = load_classifier(tmp_path / "m")
        conversation = _new_session()
        assert loaded.predict(conversation) == model.predict(conversation)
        manifest = json.loads((tmp_path / "m" / MANIFEST_FILE).read_text(encoding="utf-8"))
        assert len(manifest["artefact_sha256"]) == 64
        assert manifest["sklearn_version"] == loaded.manifest["sklearn_version"]

    def test_it_refuses_a_tampered_artefact(
        self, model: UtteranceClassifier, tmp_path: Path
    ) -> None:
        """One changed byte fails the checksum before anything is unpickled."""
        model.save(tmp_path)
        artefact = tmp_path / ARTEFACT_FILE
        data = bytearray(artefact.read_bytes())
        data[len(data) // 2] ^= 0xFF
        artefact.write_bytes(bytes(data))
        with pytest.raises(ModelError, match="fails its checksum"):
            load_classifier(tmp_path)

    def test_it_names_a_missing_folder(self, tmp_path: Path) -> None:
        """No folder: a ModelError (a ValueError) saying how to get a model."""
        with pytest.raises(ModelError, match=r"No model folder.*rapport model train"):
            load_classifier(tmp_path / "absent")
        assert issubclass(ModelError, ValueError)

    def test_it_names_a_missing_part(self, model: UtteranceClassifier, tmp_path: Path) -> None:
        """A folder without its manifest (or artefact) is incomplete."""
        model.save(tmp_path)
        (tmp_path / MANIFEST_FILE).unlink()
        with pytest.raises(ModelError, match=r"incomplete: manifest\.json is missing"):
            load_classifier(tmp_path)

    def test_it_refuses_another_scikit_learn_version(
        self, model: UtteranceClassifier, tmp_path: Path
    ) -> None:
        """A model from another scikit-learn version is not unpickled."""
        model.save(tmp_path)
        path = tmp_path / MANIFEST_FILE
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["sklearn_version"] = "0.1.0"
        path.write_text(json.dumps(manifest), encoding="utf-8")
        with pytest.raises(ModelError, match=r"scikit-learn 0\.1\.0"):
            load_classifier(tmp_path)

    def test_it_finds_the_default_folder_outside_the_repo(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """RAPPORT_MODEL_DIR wins; else XDG_DATA_HOME/rapport/models."""
        monkeypatch.delenv("RAPPORT_MODEL_DIR", raising=False)
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
        assert default_model_dir() == tmp_path / "xdg" / "rapport" / "models"
        monkeypatch.setenv("RAPPORT_MODEL_DIR", str(tmp_path / "chosen"))
        assert default_model_dir() == tmp_path / "chosen"

    def test_it_loads_the_default_model_or_none(
        self, model: UtteranceClassifier, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """None before any training; the saved model after."""
        monkeypatch.setenv("RAPPORT_MODEL_DIR", str(tmp_path / "models"))
        assert load_default_classifier() is None
        model.save(tmp_path / "models")
        loaded = load_default_classifier()
        assert loaded is not None
        assert loaded.predict(_new_session()) == model.predict(_new_session())

    def test_it_reuses_the_default_model_until_its_files_change(
        self, model: UtteranceClassifier, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A web process loads the model once; a retrained one is loaded and checked afresh."""
        folder = tmp_path / "models"
        monkeypatch.setenv("RAPPORT_MODEL_DIR", str(folder))
        model.save(folder)
        first = load_default_classifier()
        assert first is not None
        assert load_default_classifier() is first
        model.save(folder)  # retrained: new files, written later
        for name in (MANIFEST_FILE, ARTEFACT_FILE):
            written = (folder / name).stat().st_mtime_ns
            os.utime(folder / name, ns=(written, written + 1_000_000_000))
        second = load_default_classifier()
        assert second is not None
        assert second is not first
        artefact = folder / ARTEFACT_FILE
        stamp = artefact.stat()
        artefact.write_bytes(artefact.read_bytes() + b"tampered")
        os.utime(artefact, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1))
        with pytest.raises(ModelError, match="checksum"):
            load_default_classifier()


class TestCrossValidation:
    def test_it_holds_out_each_transcript_exactly_once(self, corpus: Corpus) -> None:
        """Folds partition the transcripts; stratified, each fold holds a low-quality one."""
        folds = transcript_folds(corpus, folds=3, seed=2026)
        ids = [i for fold in folds for i in fold]
        assert sorted(ids) == sorted(c.id for c in corpus)
        low = {c.id for c in corpus if c.meta["mi_quality"] == "low"}
        assert all(set(fold) & low for fold in folds)

    def test_it_never_trains_on_a_held_out_transcript(
        self, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every outer fold trains on transcripts disjoint from the ones it scores."""
        seen: list[set[str]] = []

        def spy(train_corpus: Corpus, **kwargs: object) -> UtteranceClassifier:
            seen.append({c.id for c in train_corpus})
            return train(train_corpus, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(evaluation, "train", spy)
        report = cross_validate(corpus, folds=3, seed=2026)
        assert len(seen) == 3
        for trained_on, held in zip(seen, report.fold_transcripts, strict=True):
            assert not trained_on & set(held)
            assert trained_on | set(held) == {c.id for c in corpus}

    def test_it_writes_scores_matrices_and_split(self, corpus: Corpus, tmp_path: Path) -> None:
        """The Markdown and JSON carry per-fold macro-F1, confusion matrices and fold ids."""
        report = cross_validate(corpus, folds=3, seed=2026)
        md, js = write_report(report, tmp_path / "out" / "models.md")
        data = json.loads(js.read_text(encoding="utf-8"))
        assert data["split"]["fold_transcripts"] == [list(f) for f in report.fold_transcripts]
        behaviour = data["tasks"]["behaviour"]
        assert len(behaviour["macro_f1"]["folds"]) == 3
        matrix = behaviour["confusion"]["rows_annotated_columns_predicted"]
        therapist = sum(1 for c in corpus for u in c if u.role is Role.THERAPIST)
        assert sum(map(sum, matrix)) == therapist
        assert "## Split" in md.read_text(encoding="utf-8")
        assert report.quality is not None
        assert report.quality.n_low == sum(c.meta["mi_quality"] == "low" for c in corpus)

    def test_it_refuses_more_folds_than_transcripts(self, corpus: Corpus) -> None:
        """Asking for too many folds names both numbers."""
        with pytest.raises(ValueError, match=f"Cannot make 99 folds from {len(corpus)}"):
            transcript_folds(corpus, folds=99)

    def test_the_contract_name_delegates(self, corpus: Corpus) -> None:
        """classifiers.cross_validate is the evaluation's cross-validation."""
        report = clf_module.cross_validate(corpus, folds=2, seed=1)
        assert isinstance(report, EvaluationReport)
        assert report.folds == 2


class TestHelpers:
    def test_macro_f1_matches_scikit_learn(self) -> None:
        """The fast macro-F1 used for tuning equals scikit-learn's on random labels."""
        rng = np.random.default_rng(0)
        truth, predicted = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
        assert macro_f1(truth, predicted, 4) == pytest.approx(
            f1_score(truth, predicted, average="macro")
        )

    def test_auc_interval_brackets_the_estimate(self) -> None:
        """The bootstrap interval contains the AUC, and perfect separation gives 1."""
        rng = np.random.default_rng(1)
        y = [True] * 30 + [False] * 8
        scores = list(rng.normal(size=38) + np.array(y) * 1.0)
        auc, low, high = auc_with_ci(y, scores, boots=300)
        assert low <= auc <= high
        assert auc_with_ci([True, True, False], [0.9, 0.8, 0.1], boots=50) == (1.0, 1.0, 1.0)

    def test_session_features_come_from_the_markers(self, corpus: Corpus) -> None:
        """A session's shares add up and follow its labels; R:Q is log1p(reflections/questions)."""
        c = corpus.conversations[0]
        labels = labels_from_annotations(c)
        f = session_features(c, labels)
        assert set(f) == set(SESSION_FEATURES)
        shares = f["reflection_share"] + f["question_share"] + f["input_share"] + f["other_share"]
        assert shares == pytest.approx(1.0)
        counts = Counter(lab.behaviour for lab in labels if lab.behaviour)
        assert f["log_reflection_to_question"] == pytest.approx(
            np.log1p(counts[Behaviour.REFLECTION] / counts[Behaviour.QUESTION])
        )

    def test_session_features_count_lexical_markers_without_labels(self) -> None:
        """Rupture rates per 100 client utterances (log1p), the directive share and question
        marks per therapist utterance come from the words alone, labels or not."""
        c = dialogue(
            (Role.THERAPIST, "How much do you drink? Every day? Is that a problem?"),
            (Role.CLIENT, "You don't understand, this is a waste of time."),
            (Role.THERAPIST, "You need to cut down."),
            (Role.CLIENT, "Fine, I'll think about it."),
            (Role.THERAPIST, "It sounds like you're fed up with being told."),
            (Role.CLIENT, "Yes, that's it."),
        )
        f = session_features(c, ())
        # Two confrontation markers (about the therapist, about therapy) on one of 3 client
        # utterances: one utterance flagged, and none for withdrawal.
        kinds = Counter(m.kind.value for m in analyse(c).ruptures)
        assert kinds == {"confrontation": 2}
        assert f["log_confrontation_per_100_client"] == pytest.approx(np.log1p(100 / 3))
        assert f["log_withdrawal_per_100_client"] == 0.0
        assert f["directive_share"] == pytest.approx(1 / 3)
        assert f["questions_per_therapist_utterance"] == pytest.approx(3 / 3)
        assert np.isnan(f["reflection_share"])  # label-based shares need labels

    def test_quality_coefficients_name_every_feature_and_point_the_right_way(self) -> None:
        """The synthetic low-quality sessions give more advice: the therapist-input share gets
        the most negative weight (negative = more like low quality), and C is from the grid."""
        bigger = synthetic_corpus(transcripts=30)
        sessions = [(c, labels_from_annotations(c)) for c in bigger]
        high = [session_quality(c) is True for c in bigger]
        model = train_quality_model(sessions, high)
        weights = model.coefficients()
        assert list(weights) == list(SESSION_FEATURES)
        assert min(weights, key=lambda f: weights[f]) == "input_share"
        assert weights["input_share"] < 0
        assert model.c in QUALITY_CS

    def test_quality_model_needs_two_of_each(self, corpus: Corpus) -> None:
        """Fewer than two sessions of a quality is refused with the counts."""
        sessions = [(c, labels_from_annotations(c)) for c in corpus]
        with pytest.raises(ValueError, match="got 9 high and 1 low"):
            train_quality_model(sessions, [True] * 9 + [False])

    def test_known_qualities_need_a_quality_on_every_session_and_both_kinds(self) -> None:
        """High/low from each session's mi_quality; None when one is missing or all agree."""
        high, low, unknown = (
            Conversation(q, (), "x.txt", {"mi_quality": q} if q else {})
            for q in ("high", " Low ", "")
        )
        assert known_qualities([high, low, high]) == [True, False, True]
        assert known_qualities([high, low, unknown]) is None
        assert known_qualities([high, high]) is None

    def test_annomi_subtypes_are_the_annotators_majority(self, tmp_path: Path) -> None:
        """AnnoMI-full votes: 2 of 3 complex -> complex; a 1-1 split -> no subtype."""
        simple = tmp_path / "AnnoMI-simple.csv"
        simple.write_text(
            "transcript_id,mi_quality,utterance_id,interlocutor,utterance_text,"
            "main_therapist_behaviour,client_talk_type\n"
            "1,high,0,therapist,So you feel stuck.,reflection,n/a\n"
            "1,high,1,therapist,What happened?,question,n/a\n",
            encoding="utf-8",
        )
        (tmp_path / "AnnoMI-full.csv").write_text(
            "transcript_id,utterance_id,annotator_id,reflection_subtype,question_subtype\n"
            "1,0,1,complex,n/a\n1,0,2,complex,n/a\n1,0,3,simple,n/a\n"
            "1,1,1,n/a,open\n1,1,2,n/a,closed\n",
            encoding="utf-8",
        )
        files = find_annomi(simple)
        assert files.full == tmp_path / "AnnoMI-full.csv"
        (c,) = read_annomi(files.simple, full=files.full)
        assert c.utterances[0].labels["reflection_subtype"] == "complex"
        assert "question_subtype" not in c.utterances[1].labels


# --- AnnoMI: the real check ------------------------------------------------------------------


@pytest.fixture(scope="module")
def annomi_report(annomi_dir: Path) -> EvaluationReport:
    """One 5-fold evaluation on AnnoMI, shared by the checks below (about a minute)."""
    files = find_annomi(annomi_dir)
    assert files.full is not None
    corpus = read_annomi(files.simple, full=files.full)
    votes = read_expert_votes(files.full, corpus)
    return cross_validate(corpus, folds=5, seed=2026, votes=votes)


class TestAnnomi:
    def test_it_splits_by_transcript_with_low_quality_in_every_fold(
        self, annomi_report: EvaluationReport
    ) -> None:
        """99 transcripts in 5 disjoint folds, each with 3 or 4 of the 17 low-quality ones."""
        ids = [i for fold in annomi_report.fold_transcripts for i in fold]
        assert len(ids) == len(set(ids)) == 99
        assert sum(annomi_report.fold_low_quality) == 17
        assert set(annomi_report.fold_low_quality) <= {3, 4}

    def test_it_reaches_the_lexical_baseline(self, annomi_report: EvaluationReport) -> None:
        """Lexical models stay at or above what they reach now (behaviour 0.74, talk type 0.50,
        with fold-to-fold SD about 0.03): a floor a little below, so a regression fails."""
        assert annomi_report.tasks["behaviour"].mean >= 0.72
        assert annomi_report.tasks["talk_type"].mean >= 0.48
        assert annomi_report.tasks["question"].mean >= 0.68

    def test_it_separates_session_quality_from_annotations(
        self, annomi_report: EvaluationReport
    ) -> None:
        """From expert-annotated labels the markers separate high from low MI: AUC >= 0.92
        (0.943 on these folds)."""
        assert annomi_report.quality is not None
        assert annomi_report.quality.annotated[0] >= 0.92

    def test_it_separates_session_quality_from_predicted_labels(
        self, annomi_report: EvaluationReport
    ) -> None:
        """Nested (no model saw the session): AUC at least 0.88 (0.917 on these folds; 0.86-0.90
        on seeds 1-3)."""
        assert annomi_report.quality is not None
        assert annomi_report.quality.predicted[0] >= 0.88

    def test_it_sets_the_model_beside_the_ten_expert_coders(
        self, annomi_report: EvaluationReport
    ) -> None:
        """Four AnnoMI transcripts were coded by ten experts each. The experts agree with one
        another far less on client talk type (Fleiss' kappa 0.43) than on therapist behaviour
        (0.73); against one expert, the held-out talk-type labels score 0.586 where experts
        score 0.605 against each other (floors a little below)."""
        talk = annomi_report.expert_agreement["talk_type"]
        behaviour = annomi_report.expert_agreement["behaviour"]
        assert (talk.transcripts, talk.utterances, talk.experts) == (4, 145, 10)
        assert (behaviour.utterances, behaviour.experts) == (148, 10)
        assert talk.fleiss_kappa == pytest.approx(0.427, abs=0.001)
        assert behaviour.fleiss_kappa == pytest.approx(0.727, abs=0.001)
        assert talk.expert_vs_expert == pytest.approx(0.605, abs=0.001)
        assert talk.model_vs_expert >= 0.55
        assert behaviour.model_vs_expert >= 0.72
        assert annomi_report.to_dict()["expert_agreement"]["talk_type"]["experts"] == 10


@pytest.fixture(scope="module")
def annomi_embedding_report(
    annomi_dir: Path, sentence_encoder: SentenceEncoder
) -> EvaluationReport:
    """The same evaluation with sentence embeddings added (about two minutes: every utterance
    is embedded once, on the CPU)."""
    files = find_annomi(annomi_dir)
    corpus = read_annomi(files.simple, full=files.full)
    return cross_validate(corpus, folds=5, seed=2026, encoder=sentence_encoder)


class TestAnnomiWithEmbeddings:
    def test_embeddings_lift_therapist_behaviour_to_the_target(
        self, annomi_report: EvaluationReport, annomi_embedding_report: EvaluationReport
    ) -> None:
        """Behaviour macro-F1 reaches the issue's 0.75 with embeddings (0.756 when written),
        above the lexical model's on the same folds; the report names the encoder."""
        behaviour = annomi_embedding_report.tasks["behaviour"].mean
        assert behaviour >= 0.75
        assert behaviour > annomi_report.tasks["behaviour"].mean
        assert annomi_embedding_report.embedding is not None
        assert annomi_embedding_report.to_dict()["embedding"]["model"] == "all-MiniLM-L6-v2"

    def test_the_other_tasks_hold_their_lexical_level(
        self, annomi_embedding_report: EvaluationReport
    ) -> None:
        """Talk type and the subtypes do not fall below the lexical floors."""
        assert annomi_embedding_report.tasks["talk_type"].mean >= 0.48
        assert annomi_embedding_report.tasks["question"].mean >= 0.68
        assert annomi_embedding_report.tasks["reflection"].mean >= 0.55

    @pytest.mark.xfail(
        strict=True,
        reason="Client talk type (macro-F1 target 0.60) falls short even with embeddings; see "
        "bench/results/transcript_models.md",
    )
    def test_it_meets_the_issue_targets(self, annomi_embedding_report: EvaluationReport) -> None:
        """The targets of the Session analysis issue, all three, for the best model (strict
        xfail: when a better model meets them, this starts passing and the marker must go)."""
        assert all(t["met"] for t in annomi_embedding_report.targets().values())
