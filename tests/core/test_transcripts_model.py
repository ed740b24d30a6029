"""Transcript model: utterances, conversations and corpora."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from rapport.core.transcripts import Conversation, Corpus, Role, Utterance, model, tokenize
from rapport.core.transcripts.model import straighten


def make_conversation(cid: str = "s1") -> Conversation:
    return Conversation(
        cid,
        (
            Utterance(0, "Alice", Role.THERAPIST, "How are you, Dana?"),
            Utterance(1, "Dana", Role.CLIENT, "I'm fine. I don't know."),
            Utterance(2, "Alice", Role.THERAPIST, "You don't know."),
        ),
        source="test",
    )


class TestTokenize:
    def test_it_keeps_contractions_and_drops_punctuation_and_digits(self) -> None:
        """Contractions stay one word; curly apostrophes are straightened; numbers go."""
        assert tokenize("I’m sure we can't—42 times!") == ["i'm", "sure", "we", "can't", "times"]

    def test_straighten_keeps_the_length(self) -> None:
        """Curly and modifier-letter apostrophes become straight, one character for one."""
        text = "don\u2019t \u2018quote\u2019 can\u02bct"
        assert straighten(text) == "don't 'quote' can't"
        assert len(straighten(text)) == len(text)


class TestUtterance:
    def test_it_is_frozen(self) -> None:
        """Utterances cannot be changed after parsing."""
        u = Utterance(0, "T", Role.THERAPIST, "hi")
        with pytest.raises(dataclasses.FrozenInstanceError):
            u.text = "bye"  # type: ignore[misc]

    def test_it_rejects_an_end_before_its_start(self) -> None:
        """A negative duration is a clear error."""
        with pytest.raises(ValueError, match="ends"):
            Utterance(0, "T", Role.THERAPIST, "hi", start=5.0, end=4.0)

    def test_its_labels_are_read_only(self) -> None:
        """Labels are copied into a read-only mapping."""
        labels = {"talk": "change"}
        u = Utterance(0, "C", Role.CLIENT, "hi", labels=labels)
        labels["talk"] = "sustain"
        assert u.labels["talk"] == "change"
        with pytest.raises(TypeError):
            u.labels["talk"] = "x"  # type: ignore[index]

    def test_its_words_are_tokenised_once_and_handed_out_as_copies(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The markers read an utterance's words several times; the text is tokenised on the
        first read only, and changing a returned list does not change the utterance."""
        calls: list[str] = []

        def counting(text: str) -> list[str]:
            calls.append(text)
            return tokenize(text)

        monkeypatch.setattr(model, "tokenize", counting)
        u = Utterance(0, "C", Role.CLIENT, "I don\u2019t know")
        first = u.words
        first.append("extra")
        assert u.words == ["i", "don't", "know"]
        assert calls == ["I don\u2019t know"]
        back = pickle.loads(pickle.dumps(u))  # noqa: S301 - our own bytes
        assert back.words == ["i", "don't", "know"]
        # A changed copy tokenises its own text, not the original's kept words.
        assert dataclasses.replace(u, text="Something else").words == ["something", "else"]
        assert copy.deepcopy(u).words == ["i", "don't", "know"]


class TestConversation:
    def test_it_selects_by_role_and_lists_speakers_in_order(self) -> None:
        """by_role, speakers and roles follow the utterances."""
        c = make_conversation()
        assert [u.index for u in c.by_role(Role.THERAPIST)] == [0, 2]
        assert c.speakers == ("Alice", "Dana")
        assert c.roles == {"Alice": Role.THERAPIST, "Dana": Role.CLIENT}
        assert len(c) == 3

    def test_it_counts_words_by_role(self) -> None:
        """words(role) is the role's words; words() is everyone's."""
        c = make_conversation()
        assert c.words(Role.CLIENT) == ["i'm", "fine", "i", "don't", "know"]
        assert len(c.words()) == 4 + 5 + 3
        assert c.words(Role.OTHER) == []

    def test_it_pickles_with_its_labels_and_meta(self) -> None:
        """What a worker process receives: the same talk, labels and meta, still read-only."""
        u = Utterance(0, "Alice", Role.THERAPIST, "How was it?", 1.0, 2.5, {"behaviour": "q"})
        c = Conversation("s1", (u,), "a.vtt", {"mi_quality": "high"})
        back = pickle.loads(pickle.dumps(c))  # noqa: S301 - our own bytes
        assert back == c
        assert back.meta == {"mi_quality": "high"}
        assert back.utterances[0].labels == {"behaviour": "q"}
        assert (back.utterances[0].start, back.utterances[0].end) == (1.0, 2.5)
        with pytest.raises(TypeError):
            back.utterances[0].labels["behaviour"] = "r"  # type: ignore[index]
        assert copy.deepcopy(c).meta == c.meta


class TestCorpus:
    def test_it_looks_conversations_up_by_id(self) -> None:
        """A corpus iterates, counts and finds by id."""
        corpus = Corpus([make_conversation("a"), make_conversation("b")])
        assert len(corpus) == 2
        assert corpus["b"].id == "b"
        assert sum(1 for _ in corpus.utterances()) == 6
        with pytest.raises(KeyError):
            corpus["z"]

    def test_it_rejects_duplicate_ids(self) -> None:
        """Two conversations with one id is an error."""
        with pytest.raises(ValueError, match="'a'"):
            Corpus([make_conversation("a"), make_conversation("a")])
