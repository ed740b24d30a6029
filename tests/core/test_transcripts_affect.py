"""Affect trajectory: VADER compound per utterance, per-role halves, rolling means."""

from __future__ import annotations

import pytest

from rapport.core.transcripts.affect import AFFECT_WINDOW, affect, tone
from rapport.core.transcripts.model import Role
from tests.core.dialogue import dialogue

T, C, OTHER = Role.THERAPIST, Role.CLIENT, Role.OTHER


class TestTone:
    def test_it_scores_positive_negative_and_neutral_words(self) -> None:
        """Happy words score above 0, miserable ones below, plain facts 0."""
        assert tone("I feel great, this is wonderful and I am so happy.") > 0.5
        assert tone("I feel awful, everything is terrible and I hate it.") < -0.5
        assert tone("I went to the shop on Tuesday.") == 0.0

    def test_it_reads_curly_apostrophes_like_straight_ones(self) -> None:
        """Negation with a curly apostrophe flips the tone as with a straight one."""
        assert tone("I don\u2019t feel good") == pytest.approx(tone("I don't feel good"))
        assert tone("I don't feel good") < 0


class TestAffect:
    def test_it_scores_every_therapist_and_client_utterance_in_order(self) -> None:
        """One point per therapist/client utterance; the interpreter is left out."""
        a = affect(
            dialogue((T, "How are you?"), (OTHER, "She says fine."), (C, "I am good, thanks."))
        )
        assert [(p.index, p.role) for p in a.points] == [(0, T), (2, C)]
        assert a.points[1].compound == pytest.approx(tone("I am good, thanks."))
        assert set(a.by_role) == {T, C}

    def test_it_compares_the_halves_of_the_session(self) -> None:
        """A client who starts happy and ends miserable has a lower second-half mean."""
        a = affect(
            dialogue(
                (T, "How has the week been?"),
                (C, "Wonderful, I am really happy and proud."),
                (T, "And since then?"),
                (C, "Good, things are great."),
                (T, "What happened at the weekend?"),
                (C, "Terrible. I feel awful and hopeless."),
                (T, "Tell me more."),
                (C, "I hate everything, it is horrible."),
            )
        )
        client = a.by_role[C]
        assert client.first_half is not None
        assert client.second_half is not None
        assert client.first_half > 0 > client.second_half
        assert client.mean == pytest.approx((client.first_half + client.second_half) / 2)
        later = [p.compound for p in a.points if p.role is C and p.second_half]
        assert [p.index for p in a.points if p.second_half] == [4, 5, 6, 7]
        assert client.second_half == pytest.approx(sum(later) / len(later))

    def test_it_leaves_a_half_empty_when_the_role_did_not_speak_in_it(self) -> None:
        """A client who only speaks at the end has no first-half mean; a silent role no mean."""
        a = affect(dialogue((T, "Hello."), (T, "Welcome."), (T, "How are you?"), (C, "Sad.")))
        assert a.by_role[C].first_half is None
        assert a.by_role[C].second_half == pytest.approx(tone("Sad."))
        silent = affect(dialogue((T, "Hello."), (T, "Anyone there?")))
        assert silent.by_role[C].mean is None

    def test_it_rolls_over_each_roles_own_last_utterances(self) -> None:
        """Rolling means use only that role's utterances and start once the window is full."""
        client_texts = ["good", "bad", "great", "awful", "happy", "sad", "fine"]
        turns: list[tuple[Role, str]] = []
        for text in client_texts:
            turns += [(T, "wonderful wonderful"), (C, text)]
        a = affect(dialogue(*turns), window=3)
        client = [p for p in a.points if p.role is C]
        assert [p.rolling is None for p in client] == [True, True] + [False] * 5
        for k in range(2, len(client)):
            expected = sum(tone(t) for t in client_texts[k - 2 : k + 1]) / 3
            assert client[k].rolling == pytest.approx(expected)

    def test_it_uses_the_default_window(self) -> None:
        """With the default window, rolling starts at the role's AFFECT_WINDOW-th utterance."""
        a = affect(dialogue(*[(C, "ok")] * (AFFECT_WINDOW + 1)))
        assert [p.rolling is None for p in a.points].count(True) == AFFECT_WINDOW - 1

    def test_it_rejects_an_empty_window(self) -> None:
        """A window of 0 utterances is refused with a message naming it."""
        with pytest.raises(ValueError, match="at least 1"):
            affect(dialogue((C, "hi")), window=0)

    def test_it_handles_an_empty_conversation(self) -> None:
        """No utterances: no points, no means."""
        a = affect(dialogue())
        assert a.points == ()
        assert a.by_role[T].mean is None
