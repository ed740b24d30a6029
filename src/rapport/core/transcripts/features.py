"""Lexical features of an utterance in its context, for the utterance classifiers.

Each utterance is described by its own words (TF-IDF of word 1-2-grams and of character 2-5-grams
within word boundaries), the words of the utterance before it (the context a coder reads), and a
few hand features that carry what n-grams miss: whether it ends in a question mark, whether its
first or last sentence opens with a wh-word or an auxiliary (the surface form of a question),
its length, how far into the session it comes, and whether it is a fragment of a turn split by an
interruption (AnnoMI marks those with a leading or trailing dash).

Optionally each utterance's sentence embedding is added (:mod:`.embeddings`, all-MiniLM-L6-v2):
it carries meaning that a paraphrase keeps and n-grams lose ("so you're fed up" and "it sounds
like you've had enough" share no words), which lifts the therapist-behaviour model (see
``bench/results/transcript_models.md``).

The lexical part is the classic recipe of MI-code classifiers (Atkins DC, Steyvers M, Imel ZE,
Smyth P. Scaling up the evaluation of psychotherapy: evaluating motivational interviewing
fidelity via statistical text classification. Implement Sci. 2014;9:49), built with
scikit-learn (Pedregosa F, et al. Scikit-learn: Machine Learning in Python. J Mach Learn Res.
2011;12:2825-2830), and needs no embedding model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from rapport.core.transcripts.embeddings import DIMENSIONS, Encoder
from rapport.core.transcripts.model import Conversation, tokenize

__all__ = [
    "AUXILIARIES",
    "HAND_FEATURES",
    "WH_WORDS",
    "Context",
    "UtteranceFeatures",
    "contexts",
    "hand_features",
]

# Project-authored word lists: the words that open an English question. A wh-question starts
# with a wh-word; a yes/no question with an auxiliary or modal ("Do you...", "Would it...").
WH_WORDS = frozenset(["what", "why", "how", "when", "where", "who", "whom", "whose", "which"])
AUXILIARIES = frozenset({
    "do", "does", "did", "is", "are", "was", "were", "am", "have", "has", "had", "can", "could",
    "will", "would", "shall", "should", "may", "might", "must", "don't", "doesn't", "didn't",
    "isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't", "can't", "couldn't", "won't",
    "wouldn't", "shouldn't",
})  # fmt: skip

HAND_FEATURES = (
    "ends_with_question_mark",
    "has_question_mark",
    "question_marks",
    "starts_with_wh_word",
    "starts_with_auxiliary",
    "last_sentence_starts_with_wh_word",
    "last_sentence_starts_with_auxiliary",
    "log_words",
    "log_turns_before",
    "log_words_previous",
    "previous_ends_with_question_mark",
    "continues_a_split_turn",
    "is_cut_off",
)

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# Documents below this many: keep every n-gram (a tiny corpus has few repeats).
_MIN_DOCS_FOR_MIN_DF = 200


@dataclass(frozen=True, slots=True)
class Context:
    """What a classifier sees of one utterance: its text, the previous utterance's text (any
    speaker; empty for the first) and how many utterances came before it."""

    text: str
    previous: str
    position: int


def contexts(conversation: Conversation) -> list[Context]:
    """One :class:`Context` per utterance of ``conversation``, in order."""
    texts = [u.text for u in conversation]
    return [Context(text, texts[i - 1] if i else "", i) for i, text in enumerate(texts)]


def _opens_with(words: list[str], vocabulary: frozenset[str]) -> float:
    return float(bool(words) and words[0] in vocabulary)


def hand_features(context: Context) -> list[float]:
    """The :data:`HAND_FEATURES` of one utterance, each scaled to about 0-1."""
    text = context.text.strip()
    words = tokenize(text)
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    last = tokenize(sentences[-1]) if sentences else []
    previous = context.previous.strip()
    return [
        float(text.endswith("?")),
        float("?" in text),
        min(text.count("?"), 3) / 3,
        _opens_with(words, WH_WORDS),
        _opens_with(words, AUXILIARIES),
        _opens_with(last, WH_WORDS),
        _opens_with(last, AUXILIARIES),
        math.log1p(len(words)) / 5,
        # Turns so far, not the share of the session: a label never depends on later talk.
        math.log1p(context.position) / 7,
        math.log1p(len(tokenize(previous))) / 5,
        float(previous.endswith("?")),
        float(text.startswith(("-", "\u2014"))),
        float(text.endswith(("-", "\u2014"))),
    ]


def _vectoriser(analyzer: str, ngrams: tuple[int, int], documents: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        sublinear_tf=True,
        min_df=2 if documents >= _MIN_DOCS_FOR_MIN_DF else 1,
        lowercase=True,
        dtype=np.float32,
    )


class UtteranceFeatures:
    """Fits the TF-IDF vocabularies on training utterances; turns contexts into a sparse matrix.

    Columns: word 1-2-grams of the utterance, character 2-5-grams of the utterance, word
    1-2-grams of the previous utterance, :data:`HAND_FEATURES`, then, when built with an
    ``encoder``, the utterance's embedding. The encoder is not pickled with the features (it
    is a 90 MB model that its own package ships): after loading, :meth:`attach` it again.
    """

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._blocks: list[tuple[str, Any]] = []
        self.encoder = encoder
        self.embedding: dict[str, str] | None = None if encoder is None else encoder.describe()

    def __getstate__(self) -> dict[str, Any]:
        return {"_blocks": self._blocks, "embedding": self.embedding}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._blocks, self.embedding, self.encoder = state["_blocks"], state["embedding"], None

    def attach(self, encoder: Encoder) -> None:
        """Give loaded features their encoder back; it must be the one they were fitted with."""
        if encoder.describe() != self.embedding:
            raise ValueError(
                f"These features were fitted with the embedding model {self.embedding}, "
                f"not {encoder.describe()}."
            )
        self.encoder = encoder

    def fit(self, items: Sequence[Context]) -> UtteranceFeatures:
        """Learn the vocabularies of ``items`` (a block whose vocabulary is empty is left out)."""
        n = len(items)
        specs = (
            ("text", _vectoriser("word", (1, 2), n)),
            ("text", _vectoriser("char_wb", (2, 5), n)),
            ("previous", _vectoriser("word", (1, 2), n)),
        )
        self._blocks = []
        for field, vectoriser in specs:
            try:
                vectoriser.fit([getattr(c, field) for c in items])
            except ValueError:  # no words at all (e.g. every previous utterance is empty)
                continue
            self._blocks.append((field, vectoriser))
        return self

    def transform(
        self, items: Sequence[Context], hand: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """The feature matrix of ``items``, one row each; ``hand`` passes their
        :func:`hand_features` rows when the caller has them already."""
        parts = [v.transform([getattr(c, field) for c in items]) for field, v in self._blocks]
        if hand is None:
            hand = np.array([hand_features(c) for c in items])
        rows = np.asarray(hand, dtype=np.float32).reshape(len(items), len(HAND_FEATURES))
        parts.append(sparse.csr_matrix(rows))
        if self.embedding is not None:
            if self.encoder is None:
                raise ValueError("These features need their embedding model: attach() it first.")
            parts.append(sparse.csr_matrix(self.encoder.encode([c.text for c in items])))
        return sparse.csr_matrix(sparse.hstack(parts, format="csr"))

    @property
    def size(self) -> int:
        """Number of columns :meth:`transform` returns."""
        lexical = sum(len(v.vocabulary_) for _, v in self._blocks) + len(HAND_FEATURES)
        return lexical + (DIMENSIONS if self.embedding is not None else 0)
