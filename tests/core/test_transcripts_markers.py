"""Conversational markers: talk balance, latency and language style matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.core.transcripts import (
    LSM_EPSILON,
    Conversation,
    Role,
    Utterance,
    language_style_matching,
    lsm_by_category,
    lsm_rolling,
    response_latencies,
    talk_balance,
)
from rapport.core.transcripts.function_words import CATEGORIES, FUNCTION_WORDS
from rapport.core.transcripts.markers import category_percentages
from rapport.core.transcripts.model import tokenize


def convo(*turns: tuple[str, str, float | None, float | None]) -> Conversation:
    """Utterances from (speaker T/C, text, start, end)."""
    role = {"T": Role.THERAPIST, "C": Role.CLIENT}
    return Conversation(
        "s",
        tuple(Utterance(i, s, role[s], text, a, b) for i, (s, text, a, b) in enumerate(turns)),
        "test",
    )


class TestFunctionWords:
    def test_there_are_nine_lower_case_categories_the_tokenizer_can_match(self) -> None:
        """Nine categories; every entry is one token as tokenize() would produce it."""
        assert len(CATEGORIES) == 9
        for words in FUNCTION_WORDS.values():
            for w in words:
                assert tokenize(w) == [w], w

    def test_only_negated_auxiliaries_count_twice(self) -> None:
        """Categories are disjoint except "don't"-style words (auxiliary and negation)."""
        for a in CATEGORIES:
            for b in CATEGORIES:
                if a < b:
                    shared = FUNCTION_WORDS[a] & FUNCTION_WORDS[b]
                    assert not shared or {a, b} == {"auxiliary_verbs", "negations"}, shared


class TestTalkBalance:
    def test_it_counts_words_turns_and_lengths_per_role(self) -> None:
        """Consecutive utterances by one speaker are one turn."""
        c = convo(
            ("T", "one two three", None, None),
            ("T", "four", None, None),
            ("C", "a b", None, None),
            ("T", "x y z w", None, None),
        )
        tb = talk_balance(c)
        t, cl = tb.by_role[Role.THERAPIST], tb.by_role[Role.CLIENT]
        assert tb.total_words == 10
        assert (t.turns, t.words, t.word_share) == (2, 8, 0.8)
        assert (t.mean_turn_words, t.median_turn_words) == (4.0, 4.0)
        assert (cl.turns, cl.words, cl.mean_turn_words) == (1, 2, 2.0)
        assert tb.by_role[Role.OTHER].mean_turn_words is None
        assert t.mean_latency is None

    def test_it_measures_response_latency_from_timestamps(self) -> None:
        """Latency runs from the end of a turn to the next speaker's start, per responder."""
        c = convo(
            ("T", "hi", 0.0, 2.0),
            ("C", "hello", 3.5, 5.0),
            ("T", "so", 4.5, 6.0),  # overlaps: negative latency
            ("C", "well", None, None),  # no timestamp: skipped
        )
        assert response_latencies(c) == {
            Role.THERAPIST: (-0.5,),
            Role.CLIENT: (1.5,),
            Role.OTHER: (),
        }
        assert talk_balance(c).by_role[Role.CLIENT].mean_latency == 1.5


class TestLanguageStyleMatching:
    def test_identical_texts_match_perfectly(self) -> None:
        """Identical words give 1.0 in every category, used or not."""
        words = tokenize("I think the dog and I were not in the garden")
        assert all(v == 1.0 for v in lsm_by_category(words, words).values())

    def test_a_category_neither_uses_scores_one_thanks_to_the_guard(self) -> None:
        """p1 = p2 = 0 gives 1 - 0 / 0.0001 = 1."""
        scores = lsm_by_category(["dog"], ["cat"])
        assert scores["articles"] == 1.0
        assert language_style_matching(convo(("T", "dog", None, None), ("C", "cat", None, None)))

    def test_it_matches_a_hand_computed_example(self) -> None:
        """Articles 50% vs 25%: 1 - 25 / (75 + 0.0001); one-sided use scores near 0."""
        a = tokenize("the dog")  # articles 50%
        b = tokenize("a big red cat")  # articles 25%
        scores = lsm_by_category(a, b)
        assert scores["articles"] == pytest.approx(1 - 25 / (75 + LSM_EPSILON))
        c = tokenize("I run")  # personal pronouns 50%
        d = tokenize("dogs run")  # personal pronouns 0%
        assert lsm_by_category(c, d)["personal_pronouns"] == pytest.approx(
            1 - 50 / (50 + LSM_EPSILON)
        )

    def test_session_lsm_is_the_mean_over_nine_categories(self) -> None:
        """Only articles differ (disjointly): LSM = (8 + ~0) / 9."""
        c = convo(("T", "the dog", None, None), ("C", "big dog", None, None))
        expected = (8 + (1 - 50 / (50 + LSM_EPSILON))) / 9
        assert language_style_matching(c) == pytest.approx(expected)

    def test_disjoint_styles_score_lower_than_shared_ones(self) -> None:
        """Function-word-disjoint speakers match less than ones who share a style."""
        t = "I think that we could talk about it and see"
        same = convo(
            ("T", t, None, None), ("C", "I feel that we should look at it and try", None, None)
        )
        apart = convo(("T", t, None, None), ("C", "nope never no nothing", None, None))
        assert language_style_matching(same) > language_style_matching(apart)

    def test_it_needs_words_from_both_roles(self) -> None:
        """A silent role is a clear error."""
        c = convo(("T", "hello there", None, None), ("C", "...", None, None))
        with pytest.raises(ValueError, match="client has none"):
            language_style_matching(c)
        with pytest.raises(ValueError, match="no words"):
            category_percentages([])

    def test_rolling_windows_cover_the_session(self) -> None:
        """One window per run of N utterances; a window with one role silent is None."""
        c = convo(
            ("T", "the dog", None, None),
            ("T", "a cat", None, None),
            ("C", "the dog", None, None),
            ("T", "the dog", None, None),
        )
        windows = lsm_rolling(c, 2)
        assert [(w.first, w.last) for w in windows] == [(0, 1), (1, 2), (2, 3)]
        assert windows[0].lsm is None
        assert windows[2].lsm == 1.0
        assert len(lsm_rolling(c, 10)) == 1
        with pytest.raises(ValueError, match="at least 2"):
            lsm_rolling(c, 1)


word = st.sampled_from([*sorted(set().union(*FUNCTION_WORDS.values())), "dog", "garden", "run"])
words = st.lists(word, min_size=1, max_size=30)


class TestLsmProperties:
    @given(words, words)
    def test_it_is_symmetric_and_within_zero_and_one(self, a: list[str], b: list[str]) -> None:
        """Swapping speakers changes nothing; every score lies in [0, 1]."""
        ab, ba = lsm_by_category(a, b), lsm_by_category(b, a)
        assert ab == ba
        assert all(0.0 <= v <= 1.0 for v in ab.values())

    @given(words)
    def test_a_speaker_matches_themself(self, a: list[str]) -> None:
        """Anyone's words match their own perfectly."""
        assert all(v == 1.0 for v in lsm_by_category(a, a).values())
