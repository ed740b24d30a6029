"""Rupture markers on project-written dialogues: true positives, and look-alikes that must not
fire."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from rapport.core.transcripts.annomi import read_annomi
from rapport.core.transcripts.labels import (
    Behaviour,
    QuestionKind,
    UtteranceLabels,
    labels_from_annotations,
)
from rapport.core.transcripts.model import Role, Utterance
from rapport.core.transcripts.ruptures import (
    DETECTORS,
    MinimalResponse,
    RuptureKind,
    any_client_utterance,
    invites_elaboration,
    opens_turn,
    rupture_markers,
)
from tests.core.dialogue import dialogue

T, C = Role.THERAPIST, Role.CLIENT


def _found(*turns: tuple[Role, str]) -> list[tuple[str, int, int | None]]:
    return [(m.marker, m.index, m.trigger_index) for m in rupture_markers(dialogue(*turns))]


class TestMinimalResponse:
    @pytest.mark.parametrize(
        "reply",
        ["I don't know.", "I guess.", "Fine.", "Whatever.", "Um, I dunno.", "Not sure, I guess."],
    )
    def test_it_flags_a_noncommittal_reply_to_an_open_question(self, reply: str) -> None:
        """A noncommittal reply to "what ...?" is a minimal response, triggered by the question."""
        assert _found(
            (T, "What do you make of what your doctor said?"), (C, reply), (T, "Okay.")
        ) == [("minimal_response", 1, 0)]

    def test_it_flags_a_noncommittal_reply_to_a_reflection(self) -> None:
        """A reflection invites more; "I suppose" in reply is flagged."""
        assert _found(
            (T, "It sounds like part of you is tired of the arguments at home."),
            (C, "I suppose."),
        ) == [("minimal_response", 1, 0)]

    def test_it_reads_curly_apostrophes(self) -> None:
        """ "I don\u2019t know" with a curly apostrophe is the same minimal response."""
        assert _found((T, "How do you feel about that?"), (C, "I don\u2019t know.")) == [
            ("minimal_response", 1, 0)
        ]

    def test_it_does_not_flag_a_short_answer_to_a_closed_question(self) -> None:
        """ "Yeah" or "I don't know" after "Did you drink this week?" is an answer."""
        assert _found((T, "Did you drink this week?"), (C, "Yeah.")) == []
        assert _found((T, "Did you drink this week?"), (C, "I don't know.")) == []
        assert _found((T, "How many drinks was that?"), (C, "I don't know.")) == []

    def test_it_does_not_flag_a_short_reply_to_advice_worded_as_a_question(self) -> None:
        """ "Why don't you ...?" suggests rather than asks; "why do you ...?" still asks."""
        for advice in ("Why don't you just tell them you're driving?", "Why not try a diary?"):
            assert _found((T, advice), (C, "Maybe. I don't know.")) == []
        for question in (
            "Why do you think that is?",
            "Why not?",
            "Why don't you think it is a problem?",
        ):
            assert _found((T, question), (C, "I don't know.")) == [("minimal_response", 1, 0)]

    def test_it_does_not_flag_agreement_with_a_reflection(self) -> None:
        """A bare "yeah" or "mm-hmm" after a reflection is taking it in, not withdrawing."""
        assert _found((T, "You're worried about your health."), (C, "Yeah.")) == []
        assert _found((T, "You're worried about your health."), (C, "Mm-hmm.")) == []

    def test_it_does_not_flag_a_reply_that_goes_on(self) -> None:
        """A reply that starts "I don't know" and then says something is not minimal."""
        assert (
            _found(
                (T, "What would you like to change?"),
                (C, "I don't know if that's right, but I think I want to stop drinking."),
            )
            == []
        )

    def test_it_reads_the_clients_whole_turn(self) -> None:
        """ "I don't know." followed by a second client utterance that elaborates is not minimal."""
        assert (
            _found(
                (T, "What would you like to change?"),
                (C, "I don't know."),
                (C, "Maybe the drinking at weekends, that gets out of hand."),
            )
            == []
        )

    def test_it_does_not_flag_fine_after_a_greeting(self) -> None:
        """ "How are you?" at the start is a greeting and "Fine." its answer."""
        assert _found((T, "Hi Sam, how are you?"), (C, "Fine.")) == []

    def test_labels_decide_whether_the_therapist_invited_more(self) -> None:
        """A labelled closed question gets no marker even if worded openly; a labelled
        reflection does even without a reflection stem."""
        conv = dialogue(
            (T, "What, twice?"), (C, "I guess."), (T, "Your wife noticed."), (C, "Fine.")
        )
        labels = [
            UtteranceLabels(0, behaviour=Behaviour.QUESTION, question=QuestionKind.CLOSED),
            UtteranceLabels(2, behaviour=Behaviour.REFLECTION),
        ]
        assert [(m.marker, m.index) for m in rupture_markers(conv, labels)] == [
            ("minimal_response", 3)
        ]
        assert [m.index for m in rupture_markers(conv)] == [1]

    def test_a_selector_widens_where_it_looks(self) -> None:
        """Given a selector of every client utterance, minimal replies after closed questions
        are flagged too."""
        everywhere = MinimalResponse(selector=any_client_utterance)
        conv = dialogue((T, "Did you drink?"), (C, "Whatever."))
        assert rupture_markers(conv) == ()
        assert [m.index for m in rupture_markers(conv, detectors=[everywhere])] == [1]

    def test_opens_turn_keeps_only_the_first_reply_after_the_therapist(self) -> None:
        """With opens_turn, a minimal reply counts only where it opens the client's turn: the
        second of two client utterances in a row is passed over."""
        first_only = MinimalResponse(selector=opens_turn)
        everywhere = MinimalResponse(selector=any_client_utterance)
        conv = dialogue((T, "Did you drink?"), (C, "Whatever."), (C, "I don't know."))
        assert [m.index for m in rupture_markers(conv, detectors=[everywhere])] == [1, 2]
        assert [m.index for m in rupture_markers(conv, detectors=[first_only])] == [1]


class TestInvitesElaboration:
    @pytest.mark.parametrize(
        ("text", "invites"),
        [
            ("What brings you in today?", True),
            ("So, how has the week been?", True),
            ("You mentioned your sister, what does she think?", True),
            ("Tell me more about that.", True),
            ("It sounds like you're exhausted.", True),
            ("How often do you drink?", False),
            ("Is that something you'd want?", False),
            ("So what I'd suggest is a diary.", False),
            ("Did it help?", False),
        ],
    )
    def test_it_reads_the_therapists_wording_without_labels(self, text: str, invites: bool) -> None:
        """Open stems and reflection stems invite more; closed and numeric questions do not."""
        assert invites_elaboration(Utterance(0, "t", T, text)) is invites

    def test_advice_never_invites_by_its_labels(self) -> None:
        """An utterance labelled as giving information does not invite more, whatever it says."""
        u = Utterance(0, "t", T, "What I'd say is, tell me more later.")
        assert not invites_elaboration(u, UtteranceLabels(0, behaviour=Behaviour.INPUT))


class TestWithdrawalPhrases:
    def test_it_flags_deferring(self) -> None:
        """ "Whatever you think", "you're the expert", "if you say so" are deferring."""
        for reply in ("Whatever you think is best.", "Well, you're the expert.", "If you say so."):
            found = _found((T, "One option is a diary of when you drink."), (C, reply))
            assert found == [("deferring", 1, 0)], reply

    def test_it_does_not_flag_deferring_look_alikes(self) -> None:
        """A question that contains "you tell me", or "you know best" mid-phrase, is not."""
        assert _found((T, "Okay."), (C, "Can you tell me what the results mean?")) == []
        assert _found((T, "Okay."), (C, "You know best friends are hard to find.")) == []

    def test_it_flags_an_explicit_request_to_change_topic(self) -> None:
        """ "Can we talk about something else?" anywhere in the reply is a topic shift."""
        found = _found(
            (T, "What happened the night your brother left?"),
            (C, "Hmm. Can we talk about something else?"),
        )
        assert found == [("topic_shift", 1, 0)]

    def test_it_flags_a_cued_shift_that_ignores_the_therapists_words(self) -> None:
        """ "Anyway, ..." taking up none of the therapist's content words is a topic shift."""
        found = _found(
            (T, "You said the drinking worries your daughter."),
            (C, "Anyway, my car failed its inspection on Monday."),
        )
        assert found == [("topic_shift", 1, 0)]

    def test_it_does_not_flag_a_cued_reply_on_the_same_topic(self) -> None:
        """ "Anyway, ..." that picks up the therapist's topic ("drinks" ~ "drinking") is not."""
        assert (
            _found(
                (T, "You said the drinking worries your daughter."),
                (C, "Anyway, she drinks too, so she can hardly talk."),
            )
            == []
        )

    def test_it_does_not_flag_a_cued_reply_to_a_backchannel(self) -> None:
        """After "Mm-hmm" the therapist raised nothing to shift away from."""
        assert _found((T, "Mm-hmm."), (C, "Anyway, my car failed its inspection.")) == []


class TestConfrontation:
    @pytest.mark.parametrize(
        ("reply", "marker"),
        [
            ("You're not listening to me.", "complaint_about_therapist"),
            ("You don't understand.", "complaint_about_therapist"),
            ("You keep telling me to cut down.", "complaint_about_therapist"),
            ("Honestly, this isn\u2019t helping.", "complaint_about_therapy"),
            ("This is a waste of time.", "complaint_about_therapy"),
            ("What's the point of coming here every week?", "complaint_about_therapy"),
            ("That won't work for me.", "rejecting_intervention"),
            ("I've tried that already.", "rejecting_intervention"),
            ("No, that's not it at all.", "rejecting_intervention"),
            ("That's not what I said.", "rejecting_intervention"),
            # Softeners between a phrase's words ("really", "just") do not hide it.
            ("Can I just say, this isn't really helping today.", "complaint_about_therapy"),
            ("That's just not going to work.", "rejecting_intervention"),
        ],
    )
    def test_it_flags_confrontation(self, reply: str, marker: str) -> None:
        """Each listed complaint or rejection is a confrontation marker after the therapist."""
        (m,) = rupture_markers(dialogue((T, "Maybe you could try a diary."), (C, reply)))
        assert (m.kind, m.marker, m.index, m.trigger_index) == (
            RuptureKind.CONFRONTATION,
            marker,
            1,
            0,
        )
        assert m.evidence.lower() in reply.lower()
        assert m.explanation

    @pytest.mark.parametrize(
        "reply",
        [
            "My wife keeps telling me I drink too much.",
            "The new diet isn't helping my sleep.",
            "Smoking is a waste of money, I know.",
            "I don't know what the point of drinking is any more.",
            "I've tried that diet and I lost six pounds.",
            "My boss cut my hours, that's not right.",
            "When you're drunk you don't understand what you're doing.",
        ],
    )
    def test_it_does_not_flag_confrontation_look_alikes(self, reply: str) -> None:
        """Complaints about other people or things, and generic "you", are not ruptures."""
        assert _found((T, "Tell me about your week."), (C, reply)) == []


class TestRuptureMarkers:
    def test_it_returns_markers_in_transcript_order_with_their_triggers(self) -> None:
        """A session with three markers gives them in order, each after its own therapist turn."""
        found = _found(
            (T, "What would you like to talk about today?"),
            (C, "I don't know."),
            (T, "Maybe we could look at the drinking diary."),
            (C, "I've tried that. This is a waste of time."),
            (C, "And you keep telling me the same thing."),
            (T, "It sounds like you're fed up with me."),
            (C, "Yeah."),
        )
        assert found == [
            ("minimal_response", 1, 0),
            ("complaint_about_therapy", 3, 2),
            ("rejecting_intervention", 3, 2),
            ("complaint_about_therapist", 4, 2),
        ]

    def test_it_ignores_therapist_words_and_has_no_trigger_before_the_therapist(self) -> None:
        """The therapist saying "this isn't helping" is no marker; a client complaint before
        the therapist has spoken has no trigger."""
        assert _found((C, "This is a waste of time."), (T, "This isn't helping, is it?")) == [
            ("complaint_about_therapy", 0, None)
        ]

    def test_every_default_detector_is_named_and_explained(self) -> None:
        """Markers carry a kind, a distinct name and a plain explanation."""
        names = [d.marker for d in DETECTORS]
        assert len(set(names)) == len(names) == 6
        assert all(d.explanation.endswith(".") for d in DETECTORS)
        assert {d.kind for d in DETECTORS} == set(RuptureKind)

    def test_it_reads_any_case_and_missing_apostrophes(self) -> None:
        """Shouted or apostrophe-less phrases (speech recognition drops them) still match."""
        for reply in ("YOU'RE NOT LISTENING!", "youre not listening", "You\u2019re not listening."):
            (m,) = rupture_markers(dialogue((T, "Maybe a diary?"), (C, reply)))
            assert m.marker == "complaint_about_therapist"
            assert m.evidence == reply.rstrip(".!")

    def test_its_evidence_is_the_original_text_when_lower_case_is_longer(self) -> None:
        """A character whose lower case is two characters does not shift the evidence."""
        (m,) = rupture_markers(
            dialogue((T, "Tell me."), (C, "\u0130stanbul was fine. This is a waste of time."))
        )
        assert m.evidence == "This is a waste of time"

    def test_it_finds_nothing_in_an_empty_conversation(self) -> None:
        """No utterances, no markers."""
        assert rupture_markers(dialogue()) == ()


def test_it_reports_rupture_rates_in_annomi_by_quality(annomi_path: Path) -> None:
    """AnnoMI: markers are rare (under 5 per 100 client utterances) in every quality group.

    Whether low-quality sessions have more is reported by the markers helper, not asserted:
    the phrase lists were written from the 3RS descriptions, not fitted to AnnoMI.
    """
    rates: dict[str, list[float]] = {"high": [], "low": []}
    for c in read_annomi(annomi_path):
        found = rupture_markers(c, labels_from_annotations(c))
        rates[c.meta["mi_quality"]].append(100 * len(found) / len(c.by_role(C)))
        assert all(c.utterances[m.index].role is C for m in found)
    assert all(statistics.fmean(r) < 5 for r in rates.values())
