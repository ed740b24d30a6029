"""The plain-words session summary: what it says, what it links, and words for absent data."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapport.core.transcripts.analysis import LabelSource, analyse
from rapport.core.transcripts.labels import (
    Behaviour,
    ReflectionKind,
    TalkType,
    UtteranceLabels,
)
from rapport.core.transcripts.model import Role
from rapport.core.transcripts.summary import SummaryPoint, session_summary
from tests.core.dialogue import dialogue

T, C = Role.THERAPIST, Role.CLIENT


def _labeller(labels: Sequence[UtteranceLabels]) -> LabelSource:
    return lambda conversation: labels


def _point(points: Sequence[SummaryPoint], pattern: str) -> SummaryPoint:
    (found,) = [p for p in points if re.search(pattern, p.text)]
    return found


# A therapist who talks a lot, then a client whose tone falls and who withdraws and complains.
SESSION = dialogue(
    (T, "Welcome back. What would you like to focus on today, given everything from last week?"),
    (C, "I had a wonderful week, I feel great and really proud of myself."),
    (T, "It sounds like you're proud of the changes you've been making with the drinking."),
    (C, "Yes, it has been good, my family is happy."),
    (T, "I'd like to give you some information about safe drinking limits and what they mean."),
    (C, "Okay."),
    (
        T,
        "The guidelines say no more than fourteen units a week, spread over three days or more, "
        "and several drink-free days, because the risks rise steeply above that level.",
    ),
    (C, "This is a waste of time. I feel awful and hopeless about it."),
    (T, "How do you feel about trying a drink diary?"),
    (C, "I don't know."),
    (T, "What would make it easier?"),
    (C, "Whatever you think."),
)


class TestSessionSummary:
    def test_it_says_who_did_the_talking_and_links_the_longest_turns(self) -> None:
        """The therapist spoke most: the share is stated and their longest utterances linked."""
        analysis = analyse(SESSION)
        point = _point(analysis.summary, r"^You spoke")
        share = analysis.balance.by_role[T].word_share
        assert f"{share:.0%}" in point.text
        assert 6 in point.evidence
        assert all(SESSION.utterances[i].role is T for i in point.evidence)

    def test_it_says_the_client_did_the_talking_when_they_did(self) -> None:
        """A client who speaks most is named first, without a warning."""
        points = analyse(
            dialogue((T, "What brings you?"), (C, "My drinking has got out of hand at weekends."))
        ).summary
        assert points[0].text.startswith("The client spoke")
        even = analyse(dialogue((T, "What brings you here?"), (C, "My drinking, my wife.")))
        assert even.summary[0].text == "You and the client spoke about equally (50% each)."

    def test_it_explains_how_to_get_mi_ratios_without_labels(self) -> None:
        """No labels: a sentence says how to get them, and no ratio is invented."""
        points = analyse(SESSION).summary
        assert "rapport model train" in _point(points, "No behaviour labels").text
        assert not any("MITI" in p.text for p in points)

    def test_it_reports_the_ratios_against_miti_from_labels(self) -> None:
        """Three reflections (two complex) and two questions: 1.5 to 1, 67% complex."""
        labels = [
            UtteranceLabels(0, behaviour=Behaviour.QUESTION),
            UtteranceLabels(2, behaviour=Behaviour.REFLECTION, reflection=ReflectionKind.COMPLEX),
            UtteranceLabels(4, behaviour=Behaviour.REFLECTION, reflection=ReflectionKind.SIMPLE),
            UtteranceLabels(6, behaviour=Behaviour.REFLECTION, reflection=ReflectionKind.COMPLEX),
            UtteranceLabels(8, behaviour=Behaviour.QUESTION),
            UtteranceLabels(1, talk_type=TalkType.CHANGE),
            UtteranceLabels(3, talk_type=TalkType.CHANGE),
            UtteranceLabels(7, talk_type=TalkType.SUSTAIN),
        ]
        points = analyse(SESSION, _labeller(labels)).summary
        rq = _point(points, "outnumbered questions")
        assert "1.5 to 1" in rq.text
        assert "can be wrong" in rq.text  # labels from a model are flagged as such
        cr = _point(points, "complex")
        assert cr.text.startswith("67%")
        assert cr.evidence == (2, 6)
        change = _point(points, "change talk")
        assert "outweighed sustain talk (2 to 1" in change.text
        assert change.evidence == (1, 3)

    def test_it_says_when_questions_outnumber_reflections(self) -> None:
        """One reflection to four questions reads as more asking than reflecting."""
        labels = [UtteranceLabels(i, behaviour=Behaviour.QUESTION) for i in (0, 4, 8, 10)]
        labels.append(UtteranceLabels(2, behaviour=Behaviour.REFLECTION))
        points = analyse(SESSION, _labeller(labels)).summary
        assert "0.2 reflections per question" in _point(points, "more questions").text

    def test_it_describes_the_clients_tone_falling(self) -> None:
        """The client turns from proud to hopeless: the tone fell, with numbers and a minus."""
        analysis = analyse(SESSION)
        point = _point(analysis.summary, "tone")
        client = analysis.affect.by_role[C]
        assert client.first_half is not None
        assert client.second_half is not None
        assert "fell" in point.text
        assert f"\u2212{abs(client.second_half):.2f}" in point.text
        assert point.evidence
        assert all(i >= len(SESSION) / 2 for i in point.evidence)

    def test_it_lists_possible_ruptures_by_kind(self) -> None:
        """Withdrawal and confrontation each get a sentence naming the utterances."""
        analysis = analyse(SESSION)
        withdrawal = _point(analysis.summary, "withdrawal")
        confrontation = _point(analysis.summary, "confrontation")
        assert withdrawal.text.startswith(
            "Two possible withdrawal moments (minimal response, deferring)"
        )
        assert withdrawal.evidence == (9, 11)
        assert "utterances 9 and 11" in withdrawal.text
        assert confrontation.evidence == (7,)
        assert "utterance 7." in confrontation.text

    def test_it_says_when_no_rupture_markers_were_found(self) -> None:
        """Without markers, the summary says so and says what the lists can miss."""
        points = analyse(dialogue((T, "What brings you?"), (C, "My drinking, mostly."))).summary
        assert "No rupture markers" in _point(points, "rupture").text

    def test_it_links_directive_wording(self) -> None:
        """Therapist utterances that direct are counted against all of theirs and linked, with
        the phrases that matched; a session without them gets no such sentence."""
        points = analyse(
            dialogue(
                (T, "What brings you in?"),
                (C, "My wife says I drink too much."),
                (T, "You need to listen to her."),
                (C, "Maybe."),
                (T, "You NEED  to stop. The problem is you won\u2019t."),
            )
        ).summary
        point = _point(points, "told the client what to do")
        assert point.text.startswith("2 of your 3 utterances told")
        assert '("you need to")' in point.text  # one spelling of the phrase
        assert point.evidence == (2, 4)
        assert not any("told the client" in p.text for p in analyse(SESSION).summary)

    def test_it_stays_between_three_and_nine_sentences(self) -> None:
        """Bare, labelled and empty sessions give 3-9 points (one for an empty transcript)."""
        labels = [UtteranceLabels(2, behaviour=Behaviour.REFLECTION)]
        for points in (analyse(SESSION).summary, analyse(SESSION, _labeller(labels)).summary):
            assert 3 <= len(points) <= 9
            assert all(p.text.endswith((".", ")")) for p in points)
        # Everything at once: labels with complex reflections and change talk, a directive, a
        # falling tone, both kinds of rupture and LSM give the most, nine.
        full = dialogue(*((u.role, u.text) for u in SESSION), (T, "You should keep the diary."))
        labels = [
            UtteranceLabels(0, behaviour=Behaviour.QUESTION),
            UtteranceLabels(2, behaviour=Behaviour.REFLECTION, reflection=ReflectionKind.COMPLEX),
            UtteranceLabels(1, talk_type=TalkType.CHANGE),
        ]
        assert len(analyse(full, _labeller(labels)).summary) == 9
        (empty,) = session_summary(analyse(dialogue()))
        assert "no therapist or client words" in empty.text
