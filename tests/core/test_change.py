"""Reliable and clinically significant change (Jacobson & Truax 1991) on bundled measures."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.core.change import (
    ChangeCategory,
    classify_change,
    clinical_cutoff_c,
    recovery_cutoff,
    reliable_change_index,
    s_diff,
    standard_error,
)
from rapport.core.instruments import Instrument, Norms, default_registry

PHQ9 = default_registry().get("phq9")
ORS = default_registry().get("ors")  # higher is better, cutoff 25, reliable change 5

SWAPPED = {
    ChangeCategory.RECOVERED: ChangeCategory.DETERIORATED,
    ChangeCategory.IMPROVED: ChangeCategory.DETERIORATED,
    ChangeCategory.UNCHANGED: ChangeCategory.UNCHANGED,
    ChangeCategory.INSUFFICIENT: ChangeCategory.INSUFFICIENT,
}


def scores_within(instrument: Instrument) -> st.SearchStrategy[float]:
    low, high = instrument.total_range
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


class TestFormulas:
    # Expected values are computed by hand from the formulas (sd 10, r 0.8), not quoted from
    # a publication: SE = 10 * sqrt(0.2) = 4.4721; S_diff = sqrt(2) * SE = 6.3246;
    # a change of 13 gives RCI = 13 / 6.3246 = 2.0555.
    def test_it_computes_the_standard_error_of_measurement(self) -> None:
        """SE is SD times the square root of one minus the reliability."""
        assert standard_error(10, 0.8) == pytest.approx(4.4721, abs=1e-4)

    def test_it_computes_the_standard_error_of_a_difference(self) -> None:
        """S_diff is the square root of two times SE."""
        assert s_diff(10, 0.8) == pytest.approx(6.3246, abs=1e-4)

    def test_it_computes_the_reliable_change_index(self) -> None:
        """RCI is the raw difference divided by S_diff."""
        assert reliable_change_index(50, 63, 10, 0.8) == pytest.approx(2.0555, abs=1e-4)
        assert reliable_change_index(63, 50, 10, 0.8) == pytest.approx(-2.0555, abs=1e-4)

    def test_it_gives_se_equal_to_sd_when_reliability_is_zero(self) -> None:
        """With no reliability at all the measurement error is the whole SD."""
        assert standard_error(7.5, 0) == 7.5

    @pytest.mark.parametrize(("sd", "reliability"), [(0, 0.8), (-1, 0.8), (math.nan, 0.8)])
    def test_it_rejects_a_non_positive_sd(self, sd: float, reliability: float) -> None:
        """A standard deviation must be positive."""
        with pytest.raises(ValueError, match="standard deviation must be a positive"):
            standard_error(sd, reliability)

    @pytest.mark.parametrize("reliability", [1, 1.2, -0.1, math.nan])
    def test_it_rejects_a_reliability_outside_zero_to_one(self, reliability: float) -> None:
        """Reliability must be at least 0 and below 1."""
        with pytest.raises(ValueError, match="reliability coefficient must be at least 0"):
            reliable_change_index(1, 2, 10, reliability)


class TestClinicalCutoffC:
    def test_it_gives_the_midpoint_when_sds_are_equal(self) -> None:
        """Equal SDs put criterion c halfway between the means."""
        assert clinical_cutoff_c(20, 5, 6, 5) == pytest.approx(13)

    def test_it_leans_towards_the_mean_of_the_tighter_group(self) -> None:
        """Hand-computed: (2 * 20 + 6 * 6) / (2 + 6) = 9.5, nearer the functional mean."""
        assert clinical_cutoff_c(20, 6, 6, 2) == pytest.approx(9.5)

    @given(
        st.floats(-100, 100),
        st.floats(0.1, 50),
        st.floats(-100, 100),
        st.floats(0.1, 50),
    )
    def test_it_lies_between_the_two_means(
        self, m_clinical: float, s_clinical: float, m_functional: float, s_functional: float
    ) -> None:
        """Criterion c is never outside the interval spanned by the means."""
        c = clinical_cutoff_c(m_clinical, s_clinical, m_functional, s_functional)
        low, high = sorted((m_clinical, m_functional))
        assert low - 1e-9 <= c <= high + 1e-9

    def test_it_rejects_a_zero_sd(self) -> None:
        """A group SD of zero is refused with a plain message."""
        with pytest.raises(ValueError, match="functional group's standard deviation"):
            clinical_cutoff_c(20, 5, 6, 0)


class TestClassifyChangePhq9:
    def test_it_calls_18_to_7_recovered(self) -> None:
        """A reliable fall from the clinical range to below the cutoff is recovery."""
        change = classify_change(PHQ9, [18, 12, 7])
        assert change.category is ChangeCategory.RECOVERED
        assert (change.first, change.last, change.difference) == (18, 7, -11)
        assert change.improvement == 11
        assert change.reliable
        assert change.crossed_cutoff is True
        assert change.rci is None
        assert change.explanation == (
            "PHQ-9 fell from 18 to 7 (reliable improvement of 11; threshold 6) "
            "and is now below the clinical cutoff of 10."
        )

    def test_it_calls_18_to_11_improved(self) -> None:
        """A reliable fall that stays in the clinical range is improvement."""
        change = classify_change(PHQ9, [18, 11])
        assert change.category is ChangeCategory.IMPROVED
        assert change.reliable
        assert change.crossed_cutoff is False
        assert "still at or above the clinical cutoff of 10" in change.explanation

    def test_it_calls_12_to_8_unchanged(self) -> None:
        """A fall of 4 is below the reliable change of 6, even though it crosses the cutoff."""
        change = classify_change(PHQ9, [12, 8])
        assert change.category is ChangeCategory.UNCHANGED
        assert not change.reliable
        assert change.crossed_cutoff is True
        assert "change of 4 is not reliable; threshold 6" in change.explanation

    def test_it_calls_8_to_15_deteriorated(self) -> None:
        """A reliable rise is deterioration."""
        change = classify_change(PHQ9, [8, 15])
        assert change.category is ChangeCategory.DETERIORATED
        assert change.improvement == -7
        assert "reliable deterioration of 7" in change.explanation

    def test_it_counts_a_change_of_exactly_the_reliable_change_as_reliable(self) -> None:
        """Published RC values are thresholds: a change equal to RC is reliable."""
        assert classify_change(PHQ9, [18, 12]).category is ChangeCategory.IMPROVED

    def test_it_uses_the_first_and_last_scores_present(self) -> None:
        """Missing scores at either end are skipped."""
        change = classify_change(PHQ9, [None, 18, None, 20, 7, None])
        assert (change.first, change.last) == (18, 7)

    @pytest.mark.parametrize("scores", [[None, 12, None], [], [12], [None]])
    def test_it_calls_fewer_than_two_scores_insufficient(self, scores: list[float | None]) -> None:
        """Too few scores is a category, never an exception."""
        change = classify_change(PHQ9, scores)
        assert change.category is ChangeCategory.INSUFFICIENT
        assert change.first is None
        assert not change.reliable
        assert "at least two scores" in change.explanation

    def test_it_uses_the_rci_when_sd_and_reliability_are_given(self) -> None:
        """Overrides switch to Jacobson & Truax's RCI with the 1.96 threshold."""
        # Hand-computed: sd 5, r 0.84 -> S_diff = sqrt(2) * 5 * 0.4 = 2.8284; 6 / 2.8284 = 2.12.
        change = classify_change(PHQ9, [18, 12], sd=5, reliability=0.84)
        assert change.rci == pytest.approx(-2.1213, abs=1e-4)
        assert change.category is ChangeCategory.IMPROVED
        assert "RCI 2.12; threshold 1.96" in change.explanation

    def test_it_rejects_a_non_finite_score(self) -> None:
        """NaN is not a score."""
        with pytest.raises(ValueError, match="must be numbers"):
            classify_change(PHQ9, [18, math.nan])


class TestClassifyChangeHigherIsBetter:
    def test_it_calls_ors_18_to_28_recovered(self) -> None:
        """On the ORS a reliable rise from below 25 to above it is recovery."""
        change = classify_change(ORS, [18, 28])
        assert change.category is ChangeCategory.RECOVERED
        assert change.improvement == 10
        assert change.explanation == (
            "ORS rose from 18 to 28 (reliable improvement of 10; threshold 5) "
            "and is now at or above the clinical cutoff of 25."
        )

    def test_it_calls_ors_30_to_24_deteriorated(self) -> None:
        """On the ORS a reliable fall is deterioration."""
        change = classify_change(ORS, [30, 24])
        assert change.category is ChangeCategory.DETERIORATED
        assert change.improvement == -6

    def test_it_never_calls_change_reliable_without_a_reliable_change_value(self) -> None:
        """A measure with no RC, SD or reliability explains that none is defined."""
        bare = dataclasses.replace(ORS, reliable_change=None)
        change = classify_change(bare, [5, 35])
        assert change.category is ChangeCategory.UNCHANGED
        assert not change.reliable
        assert "no reliable-change value is defined" in change.explanation

    def test_it_leaves_crossed_cutoff_none_without_a_cutoff(self) -> None:
        """Without a cutoff there is no recovery, only improvement."""
        no_cutoff = dataclasses.replace(ORS, cutoff=None)
        change = classify_change(no_cutoff, [18, 28])
        assert change.crossed_cutoff is None
        assert change.category is ChangeCategory.IMPROVED


class TestClassifyChangeProperties:
    @given(st.sampled_from([PHQ9, ORS]), st.data())
    def test_it_mirrors_when_first_and_last_are_swapped(
        self, instrument: Instrument, data: st.DataObject
    ) -> None:
        """Reversing the scores negates improvement and swaps improvement and deterioration."""
        a, b = data.draw(scores_within(instrument)), data.draw(scores_within(instrument))
        forward, backward = classify_change(instrument, [a, b]), classify_change(instrument, [b, a])
        assert forward.improvement is not None
        assert backward.improvement == -forward.improvement
        assert forward.reliable == backward.reliable
        if forward.category is ChangeCategory.DETERIORATED:
            assert backward.category in {ChangeCategory.IMPROVED, ChangeCategory.RECOVERED}
        else:
            assert backward.category is SWAPPED[forward.category]

    @given(st.floats(0, 27), st.floats(0, 27))
    def test_it_gives_the_rci_the_sign_of_the_difference(self, a: float, b: float) -> None:
        """RCI is positive when scores rise and negative when they fall."""
        change = classify_change(PHQ9, [a, b], sd=5, reliability=0.84)
        assert change.rci is not None
        assert change.difference is not None
        assert math.copysign(1, change.rci) == math.copysign(1, change.difference) or (
            change.rci == 0 and change.difference == 0
        )

    @given(st.sampled_from(list(default_registry().all())), st.data())
    def test_it_never_raises_for_scores_within_range(
        self, instrument: Instrument, data: st.DataObject
    ) -> None:
        """Any list of in-range scores and gaps, of any length up to 30, is classified."""
        scores = data.draw(st.lists(st.none() | scores_within(instrument), max_size=30))
        change = classify_change(instrument, scores)
        assert isinstance(change.category, ChangeCategory)
        assert change.explanation.endswith(".")


class TestPublishedExamples:
    """Worked values printed in publications, not recomputed by us."""

    @pytest.mark.parametrize(
        ("sd", "alpha", "sem", "s_difference", "rci"),
        [
            # Table 1 of PMC8944273 (CDRS-R, CGAS, YMRS): SEM, SEDiff and the 95% reliable
            # change value 1.96 * SEDiff, each printed to two decimals.
            (7.30, 0.79, 3.35, 4.73, 9.27),
            (12.90, 0.91, 3.87, 5.47, 10.73),
            (7.19, 0.73, 3.74, 5.28, 10.36),
        ],
    )
    def test_it_matches_a_published_reliable_change_table(
        self, sd: float, alpha: float, sem: float, s_difference: float, rci: float
    ) -> None:
        assert standard_error(sd, alpha) == pytest.approx(sem, abs=0.005)
        assert s_diff(sd, alpha) == pytest.approx(s_difference, abs=0.005)
        assert 1.96 * s_diff(sd, alpha) == pytest.approx(rci, abs=0.01)

    def test_it_matches_the_clinicalsignificance_vignette(self) -> None:
        """Claus (2022), R package clinicalsignificance, "Clinical Significance Cutoffs":
        clinical M = 32, SD = 7; functional M = 10, SD = 7 (so a = 18, b = 24) and c = 21."""
        assert clinical_cutoff_c(32, 7, 10, 7) == pytest.approx(21)


class TestRecoveryCutoff:
    def test_it_uses_the_published_cutoff_without_norms(self) -> None:
        assert recovery_cutoff(PHQ9) == 10

    def test_it_uses_criterion_c_when_the_definition_has_norms(self) -> None:
        """With norms, recovery means crossing c, not the screening cutoff."""
        normed = dataclasses.replace(
            PHQ9, norms=Norms(20.0, 6.0, 6.0, 2.0, source="hand-made for this test")
        )
        assert recovery_cutoff(normed) == pytest.approx(9.5)  # (2*20 + 6*6) / 8
        # 18 -> 9 is reliable (9 >= 6) and crosses c = 9.5 but not the cutoff of 10 ...
        assert classify_change(normed, [18, 9]).category is ChangeCategory.RECOVERED
        assert classify_change(PHQ9, [18, 9]).category is ChangeCategory.RECOVERED
        # ... while 18 -> 10 crosses neither c = 9.5 nor (10 is clinical) the PHQ-9 cutoff.
        assert classify_change(normed, [18, 10]).category is ChangeCategory.IMPROVED
        assert "clinical cutoff of 9.5" in classify_change(normed, [18, 12]).explanation
