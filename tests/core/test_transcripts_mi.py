"""MI summary scores: counts and ratios against hand-counted labels, MITI benchmark levels."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from rapport.core.transcripts.annomi import read_annomi
from rapport.core.transcripts.labels import (
    Behaviour,
    QuestionKind,
    ReflectionKind,
    TalkType,
    UtteranceLabels,
    labels_from_annotations,
)
from rapport.core.transcripts.mi import BENCHMARKS, Benchmark, MiSummary, mi_benchmarks, mi_summary

R, Q, IN, OT = Behaviour.REFLECTION, Behaviour.QUESTION, Behaviour.INPUT, Behaviour.OTHER


def _session() -> list[UtteranceLabels]:
    """A hand-coded session: 5 reflections (2 simple, 2 complex, 1 unsubtyped), 3 questions
    (2 open, 1 closed), 1 input, 1 other; client 3 change, 2 neutral, 1 sustain."""
    return [
        UtteranceLabels(0, behaviour=Q, question=QuestionKind.OPEN),
        UtteranceLabels(1, talk_type=TalkType.NEUTRAL),
        UtteranceLabels(2, behaviour=R, reflection=ReflectionKind.SIMPLE),
        UtteranceLabels(3, talk_type=TalkType.CHANGE),
        UtteranceLabels(4, behaviour=R, reflection=ReflectionKind.COMPLEX),
        UtteranceLabels(5, talk_type=TalkType.SUSTAIN),
        UtteranceLabels(6, behaviour=Q, question=QuestionKind.CLOSED),
        UtteranceLabels(7, talk_type=TalkType.CHANGE),
        UtteranceLabels(8, behaviour=R, reflection=ReflectionKind.COMPLEX),
        UtteranceLabels(9, behaviour=R, reflection=ReflectionKind.SIMPLE),
        UtteranceLabels(10, behaviour=R),
        UtteranceLabels(11, talk_type=TalkType.CHANGE),
        UtteranceLabels(12, behaviour=IN),
        UtteranceLabels(13, talk_type=TalkType.NEUTRAL),
        UtteranceLabels(14, behaviour=Q, question=QuestionKind.OPEN),
        UtteranceLabels(15, behaviour=OT),
        UtteranceLabels(16),  # an interpreter: no labels
    ]


class TestMiSummary:
    def test_it_counts_hand_coded_labels(self) -> None:
        """Every count equals the hand count of the coded session."""
        assert mi_summary(_session()) == MiSummary(
            reflections=5,
            simple_reflections=2,
            complex_reflections=2,
            questions=3,
            open_questions=2,
            closed_questions=1,
            inputs=1,
            other=1,
            change=3,
            neutral=2,
            sustain=1,
        )

    def test_it_derives_the_ratios_from_the_counts(self) -> None:
        """R:Q 5/3, %OQ 2/3, %CR 2/4 of subtyped reflections, change share 3/4."""
        s = mi_summary(_session())
        assert s is not None
        assert s.reflection_to_question == pytest.approx(5 / 3)
        assert s.percent_open_questions == pytest.approx(100 * 2 / 3)
        assert s.percent_complex_reflections == pytest.approx(50.0)
        assert s.change_talk_share == pytest.approx(0.75)

    def test_it_counts_subtypes_only_of_the_main_behaviour(self) -> None:
        """A question carrying a reflection subtype is a question, not a complex reflection."""
        s = mi_summary(
            [
                UtteranceLabels(0, behaviour=Q, reflection=ReflectionKind.COMPLEX),
                UtteranceLabels(1, behaviour=R, question=QuestionKind.OPEN),
            ]
        )
        assert s is not None
        assert (s.questions, s.reflections) == (1, 1)
        assert s.complex_reflections == 0
        assert s.open_questions == 0

    def test_it_gives_none_for_each_ratio_without_a_denominator(self) -> None:
        """Only client talk: no behaviour ratios; only neutral talk: no change share."""
        s = mi_summary([UtteranceLabels(0, talk_type=TalkType.NEUTRAL)])
        assert s is not None
        assert s.reflection_to_question is None
        assert s.percent_open_questions is None
        assert s.percent_complex_reflections is None
        assert s.change_talk_share is None

    def test_it_is_none_when_nothing_is_labelled(self) -> None:
        """No behaviour and no talk type anywhere (or no labels at all) gives None."""
        assert mi_summary([]) is None
        assert mi_summary([UtteranceLabels(0), UtteranceLabels(1, confidence=0.4)]) is None


class TestBenchmarks:
    def test_it_places_values_at_the_miti_thresholds(self) -> None:
        """At a threshold counts as reaching it; just under it does not."""
        rq = next(b for b in BENCHMARKS if b.name == "reflection_to_question")
        assert (rq.fair, rq.good) == (1.0, 2.0)
        assert [rq.level(v) for v in (0.99, 1.0, 1.99, 2.0, None)] == [
            "below",
            "fair",
            "fair",
            "good",
            None,
        ]
        cr = next(b for b in BENCHMARKS if b.name == "percent_complex_reflections")
        assert (cr.fair, cr.good) == (40.0, 50.0)

    def test_it_names_only_real_summary_properties(self) -> None:
        """Every benchmark names a MiSummary property, so getattr cannot fail."""
        assert all(isinstance(getattr(MiSummary, b.name), property) for b in BENCHMARKS)

    def test_it_scores_a_session(self) -> None:
        """The coded session: R:Q 1.67 fair, %CR 50 good, %OQ 66.7 fair."""
        s = mi_summary(_session())
        assert s is not None
        levels = {r.benchmark.name: r.level for r in mi_benchmarks(s)}
        assert levels == {
            "reflection_to_question": "fair",
            "percent_complex_reflections": "good",
            "percent_open_questions": "fair",
        }

    def test_it_has_no_level_without_a_value(self) -> None:
        """A session without questions has no R:Q level."""
        s = mi_summary([UtteranceLabels(0, behaviour=R)])
        assert s is not None
        rq = next(r for r in mi_benchmarks(s) if r.benchmark.name == "reflection_to_question")
        assert rq.value is None
        assert rq.level is None

    def test_a_benchmark_reports_its_source(self) -> None:
        """Benchmarks cite where they come from."""
        assert all("MITI" in b.source for b in BENCHMARKS)
        assert Benchmark("x", 1, 2, "s").level(3) == "good"


def test_it_finds_higher_miti_ratios_in_high_quality_annomi_sessions(annomi_dir: Path) -> None:
    """AnnoMI annotations: high-quality sessions have a higher mean R:Q and a higher mean
    % complex reflections than low-quality ones."""
    full = annomi_dir / "AnnoMI-full.csv"
    if not full.is_file():
        pytest.skip(f"AnnoMI-full.csv is not present at {annomi_dir}.")
    rq: dict[str, list[float]] = {"high": [], "low": []}
    complex_: dict[str, list[float]] = {"high": [], "low": []}
    # The full file adds the annotators' majority subtypes, which % complex reflections needs.
    for c in read_annomi(annomi_dir / "AnnoMI-simple.csv", full=full):
        s = mi_summary(labels_from_annotations(c))
        if s is None:
            continue
        if s.reflection_to_question is not None:
            rq[c.meta["mi_quality"]].append(s.reflection_to_question)
        if s.percent_complex_reflections is not None:
            complex_[c.meta["mi_quality"]].append(s.percent_complex_reflections)
    assert statistics.fmean(rq["high"]) > statistics.fmean(rq["low"])
    assert statistics.fmean(complex_["high"]) > statistics.fmean(complex_["low"])
