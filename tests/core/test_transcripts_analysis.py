"""SessionAnalysis: MI scores, affect, ruptures and summary computed by analyse() and laid out
in to_dict() as agreed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rapport.core.transcripts.analysis import SCHEMA_VERSION, analyse
from rapport.core.transcripts.annomi import read_annomi
from rapport.core.transcripts.labels import Behaviour, QuestionKind, TalkType, UtteranceLabels
from rapport.core.transcripts.model import Conversation, Role, Utterance

T, C = Role.THERAPIST, Role.CLIENT

SESSION = Conversation(
    "s1",
    tuple(
        Utterance(i, r.value, r, text)
        for i, (r, text) in enumerate(
            [
                (T, "What would you like to talk about today?"),
                (C, "I don\u2019t know."),
                (T, "It sounds like coming here was not your idea."),
                (C, "My wife thinks I drink too much. This is a waste of time."),
                (T, "Did you drink this week?"),
                (C, "Yeah."),
            ]
        )
    ),
    "test",
)
LABELS = (
    UtteranceLabels(0, behaviour=Behaviour.QUESTION, question=QuestionKind.OPEN, confidence=0.9),
    UtteranceLabels(1, talk_type=TalkType.NEUTRAL, confidence=0.8),
    UtteranceLabels(2, behaviour=Behaviour.REFLECTION, confidence=0.7),
    UtteranceLabels(3, talk_type=TalkType.SUSTAIN, confidence=0.6),
    UtteranceLabels(4, behaviour=Behaviour.QUESTION, question=QuestionKind.CLOSED),
    UtteranceLabels(5, talk_type=TalkType.NEUTRAL),
)


def _model(conversation: Conversation) -> Sequence[UtteranceLabels]:
    return LABELS


class TestAnalyse:
    def test_it_computes_every_marker(self) -> None:
        """analyse() fills mi (from labels), affect, ruptures and summary."""
        a = analyse(SESSION, _model)
        assert a.mi is not None
        assert (a.mi.questions, a.mi.reflections, a.mi.sustain) == (2, 1, 1)
        assert [p.index for p in a.affect.points] == list(range(6))
        assert [(m.marker, m.index) for m in a.ruptures] == [
            ("minimal_response", 1),
            ("complaint_about_therapy", 3),
        ]
        assert 3 <= len(a.summary) <= 8

    def test_it_has_no_mi_without_labels(self) -> None:
        """A plain transcript: labels_from "none", mi None, everything else still there."""
        a = analyse(SESSION)
        assert a.labels_from == "none"
        assert a.mi is None
        assert a.ruptures
        assert a.affect.points


class TestToDict:
    def test_it_lays_out_the_new_keys_as_agreed(self) -> None:
        """mi, affect, ruptures and summary have exactly the agreed keys, and the dict is JSON."""
        d = json.loads(json.dumps(analyse(SESSION, _model).to_dict()))
        assert d["schema"] == SCHEMA_VERSION == 1
        assert set(d) >= {"mi", "affect", "ruptures", "summary", "labels_from", "lsm"}
        mi = d["mi"]
        assert set(mi) == {
            "counts",
            "reflection_to_question",
            "percent_open_questions",
            "percent_complex_reflections",
            "change_talk_share",
            "benchmarks",
        }
        assert mi["counts"] == {
            "reflection": 1,
            "simple_reflection": 0,
            "complex_reflection": 0,
            "question": 2,
            "open_question": 1,
            "closed_question": 1,
            "therapist_input": 0,
            "other": 0,
            "change": 0,
            "neutral": 2,
            "sustain": 1,
        }
        assert mi["reflection_to_question"] == 0.5
        assert mi["percent_open_questions"] == 50.0
        assert mi["percent_complex_reflections"] is None
        assert mi["change_talk_share"] == 0.0
        rq = next(b for b in mi["benchmarks"] if b["name"] == "reflection_to_question")
        assert rq == {
            "name": "reflection_to_question",
            "value": 0.5,
            "fair": 1.0,
            "good": 2.0,
            "level": "below",
        }
        assert set(d["affect"]) == {"by_role", "points"}
        assert set(d["affect"]["by_role"]) == {"therapist", "client"}
        assert set(d["affect"]["by_role"]["client"]) == {"mean", "first_half", "second_half"}
        assert set(d["affect"]["points"][0]) == {"index", "role", "compound", "rolling"}
        assert d["affect"]["points"][1]["role"] == "client"
        first = d["ruptures"][0]
        assert first == {
            "kind": "withdrawal",
            "marker": "minimal_response",
            "index": 1,
            "trigger_index": 0,
            "evidence": "I don\u2019t know.",
            "explanation": first["explanation"],
        }
        assert first["explanation"]
        assert all(set(p) == {"text", "evidence"} for p in d["summary"])
        assert all(isinstance(i, int) for p in d["summary"] for i in p["evidence"])

    def test_directives_list_the_therapist_utterance_and_its_words(self) -> None:
        """Each directive utterance appears once with the words that matched, as written."""
        conv = Conversation(
            "d",
            (
                Utterance(0, "T", Role.THERAPIST, "Why don\u2019t you try walking instead?"),
                Utterance(1, "C", Role.CLIENT, "You should try my knees."),
            ),
            "test",
        )
        d = json.loads(json.dumps(analyse(conv).to_dict()))
        assert d["directives"] == [{"index": 0, "evidence": "Why don\u2019t you"}]
        assert analyse(SESSION).to_dict()["directives"] == []

    def test_mi_is_null_without_labels(self) -> None:
        """labels_from "none" gives "mi": null; the other new keys are still present."""
        d = analyse(SESSION).to_dict()
        assert d["labels_from"] == "none"
        assert d["mi"] is None
        assert d["ruptures"]
        assert d["summary"]

    def test_it_keeps_the_utterance_labels(self) -> None:
        """Per-utterance labels and confidences stay on the utterances as before."""
        d = analyse(SESSION, _model).to_dict()
        assert d["utterances"][0]["behaviour"] == "question"
        assert d["utterances"][0]["question"] == "open"
        assert d["utterances"][0]["confidence"] == 0.9


def test_it_analyses_every_annomi_session(annomi_path: Path) -> None:
    """Every AnnoMI transcript analyses to JSON with annotation labels and an MI summary."""
    for c in read_annomi(annomi_path):
        a = analyse(c)
        assert a.labels_from == "annotations"
        assert a.mi is not None
        assert 3 <= len(a.summary) <= 8
        json.dumps(a.to_dict())
