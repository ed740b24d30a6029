"""Alliance concerns, ruptures, repairs, low runs and rater gaps on hand-worked series."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rapport.core.alliance import (
    AllianceReview,
    LowRun,
    RuptureState,
    Trigger,
    drop_threshold,
    rater_gaps,
    review_alliance,
)
from rapport.core.instruments import Instrument
from rapport.core.instruments.model import Better
from tests.core.helpers import measure

CHECKIN = measure("checkin")  # 0-10, higher is better, cutoff 9.0, RC 1.5, step 1.0
CHECKIN_THERAPIST = measure("checkin_therapist")  # same scale, no cutoff
SRS = measure("srs")  # 0-40, cutoff 36, step 1, no RC: threshold 2 * 1 = 2
WAI_SR = measure("wai_sr")  # 1-5, no cutoff, step 0.5, no RC: threshold 1.0
PHQ9 = measure("phq9")  # an outcome measure
CHECKIN_HIGHER = dataclasses.replace(CHECKIN, cutoff=None)
CHECKIN_LOWER = dataclasses.replace(CHECKIN, better=Better.LOWER, cutoff=None)

PRIYA = [(1, 9.0), (2, 9.2), (3, 9.0), (4, 9.4), (5, 9.1), (6, 9.2)]
PRIYA += [(7, 6.4), (8, 8.4), (9, 9.4), (10, 9.3)]
DANIEL = [5.4, 6.0, 6.6, 7.3, 8.0, 8.6, 9.2]  # distrustful, builds slowly, no drop


def numbered(scores: list[float]) -> list[tuple[int, float]]:
    """Sessions 1, 2, 3, ... in order."""
    return list(enumerate(scores, start=1))


def review(scores: list[float], instrument: Instrument = CHECKIN) -> AllianceReview:
    return review_alliance(instrument, numbered(scores))


def rupture_sessions(scores: list[float], instrument: Instrument = CHECKIN) -> list[int]:
    return [r.session for r in review(scores, instrument).ruptures]


def triggers_at(result: AllianceReview, session: int) -> frozenset[Trigger]:
    """The triggers raised at ``session``; empty when it raised no concern."""
    for concern in result.concerns:
        if concern.session == session:
            return concern.triggers
    return frozenset()


class TestDropThreshold:
    def test_it_uses_the_reliable_change_value_when_published(self) -> None:
        assert drop_threshold(CHECKIN) == 1.5
        assert drop_threshold(PHQ9) == 6.0

    def test_it_uses_twice_the_minimal_step_otherwise(self) -> None:
        assert drop_threshold(SRS) == 2.0  # 2 * 1
        assert drop_threshold(WAI_SR) == 1.0  # 2 * 0.5

    def test_it_is_none_with_neither(self) -> None:
        assert drop_threshold(dataclasses.replace(SRS, minimal_step=None)) is None


class TestStableSeries:
    def test_it_raises_nothing_for_a_stable_high_alliance(self) -> None:
        # Largest fall 9.5 -> 9.3 = 0.2 < 1.0; every score >= 9.0; mean never 1.5 above.
        result = review([9.2, 9.4, 9.3, 9.5, 9.4, 9.3])
        assert (result.concerns, result.ruptures, result.low_runs) == ((), (), ())
        assert result.persistently_low is None
        assert result.open_ruptures == ()
        assert (result.latest_session, result.latest_score) == (6, 9.3)


class TestRuptureAndRepair:
    # Priya: running mean before session 7 = 54.9 / 6 = 9.15; SD of the six = sqrt(0.115 / 5)
    # = 0.15, so the threshold is max(0.15, 1.5) = 1.5. 9.15 - 6.4 = 2.75 > 1.5 (mean drop),
    # 9.2 - 6.4 = 2.8 >= 1.0 (step drop), 6.4 < 9.0 (below cutoff).
    # Repair: 9.15 - 8.4 = 0.75 > 0.5 at session 8; 9.15 - 9.4 < 0 at session 9: repaired.
    def test_it_finds_one_rupture_with_all_three_triggers(self) -> None:
        result = review_alliance(CHECKIN, PRIYA)
        assert len(result.ruptures) == 1
        rupture = result.ruptures[0]
        assert (rupture.session, rupture.score, rupture.previous) == (7, 6.4, 9.2)
        assert rupture.pre_drop_level == pytest.approx(9.15)
        assert triggers_at(result, 7) == {
            Trigger.BELOW_CUTOFF,
            Trigger.STEP_DROP,
            Trigger.MEAN_DROP,
        }

    def test_it_marks_the_rupture_repaired_at_session_9(self) -> None:
        rupture = review_alliance(CHECKIN, PRIYA).ruptures[0]
        assert rupture.state is RuptureState.REPAIRED
        assert (rupture.repaired_at, rupture.recovered_at) == (9, 9)
        assert not rupture.is_open_signal

    def test_it_explains_the_rupture_in_words(self) -> None:
        rupture = review_alliance(CHECKIN, PRIYA).ruptures[0]
        assert rupture.reason == "Check-in fell from 9.2 to 6.4 at session 7"

    def test_it_keeps_the_low_sessions_of_a_rupture_out_of_low_runs(self) -> None:
        """Sessions 7 and 8 are both below 9.0, but the rupture explains them."""
        result = review_alliance(CHECKIN, PRIYA)
        assert [c.session for c in result.concerns] == [7, 8]
        assert triggers_at(result, 8) == {Trigger.BELOW_CUTOFF}
        assert result.low_runs == ()
        assert result.open_ruptures == ()

    def test_it_measures_the_repair_against_the_running_mean_not_the_previous_score(
        self,
    ) -> None:
        # Mean before session 3 = (8 + 10) / 2 = 9.0; 9.0 - 6.0 = 3.0 > 1.5: rupture.
        # 9.0 - 8.6 = 0.4 <= 0.5: repaired, though 8.6 is 1.4 below the previous 10.0.
        rupture = review([8.0, 10.0, 6.0, 8.6]).ruptures[0]
        assert (rupture.previous, rupture.pre_drop_level) == (10.0, 9.0)
        assert rupture.state is RuptureState.REPAIRED
        assert rupture.repaired_at == 4


class TestUnrepairedRupture:
    # Session 3: mean (9.0 + 9.2) / 2 = 9.1, SD 0 (two earlier scores), 9.1 - 6.0 = 3.1 > 1.5.
    # Session 4: mean 24.2 / 3 = 8.067, SD of (9.0, 9.2, 6.0) = sqrt(6.4267 / 2) = 1.793;
    # 8.067 - 6.2 = 1.867 > 1.793: a mean drop too, but the first rupture is unresolved.
    # Neither 6.2 nor 6.0 is within 0.5 of 9.1: unrepaired.
    SCORES = [9.0, 9.2, 6.0, 6.2, 6.0]

    def test_it_marks_the_rupture_unrepaired(self) -> None:
        result = review(self.SCORES)
        assert len(result.ruptures) == 1
        rupture = result.ruptures[0]
        assert rupture.session == 3
        assert rupture.state is RuptureState.UNREPAIRED
        assert (rupture.repaired_at, rupture.recovered_at) == (None, None)
        assert rupture.is_open_signal
        assert result.open_ruptures == result.ruptures

    def test_it_starts_no_second_rupture_before_recovery(self) -> None:
        result = review(self.SCORES)
        assert Trigger.MEAN_DROP in triggers_at(result, 4)
        assert [r.session for r in result.ruptures] == [3]

    def test_it_does_not_call_the_low_scores_after_it_persistently_low(self) -> None:
        result = review(self.SCORES)
        assert result.low_runs == ()
        assert result.persistently_low is None


class TestOpenRupture:
    # Mean before session 3 = 9.1; 6.0 and 7.0 are not within 0.5 of it, 9.0 is (0.1).
    @pytest.mark.parametrize(
        ("scores", "state", "repaired_at"),
        [
            ([9.0, 9.2, 6.0], RuptureState.OPEN, None),  # rupture is the latest session
            ([9.0, 9.2, 6.0, 7.0], RuptureState.OPEN, None),  # second-latest
            ([9.0, 9.2, 6.0, 7.0, 7.5], RuptureState.UNREPAIRED, None),  # two later
            ([9.0, 9.2, 6.0, 7.0, 9.0], RuptureState.REPAIRED, 5),
            ([9.0, 9.2, 6.0, 9.0], RuptureState.REPAIRED, 4),  # one later is enough to repair
        ],
    )
    def test_it_waits_for_two_later_sessions(
        self, scores: list[float], state: RuptureState, repaired_at: int | None
    ) -> None:
        (rupture,) = review(scores).ruptures
        assert rupture.state is state
        assert rupture.repaired_at == repaired_at
        assert rupture.is_open_signal is (state is not RuptureState.REPAIRED)


class TestLateRecovery:
    # Rupture at 4: mean 9.0, 9.0 - 6.0 = 3.0 > 1.5. Sessions 5 and 6 (7.0) are 2.0 short of
    # 9.0; session 7 (9.0) is back, one session after the window closed.
    SCORES = [9.0, 9.0, 9.0, 6.0, 7.0, 7.0, 9.0]

    def test_it_is_unrepaired_but_recovered(self) -> None:
        result = review(self.SCORES)
        (rupture,) = result.ruptures
        assert rupture.state is RuptureState.UNREPAIRED
        assert (rupture.repaired_at, rupture.recovered_at) == (None, 7)
        assert not rupture.is_open_signal
        assert result.open_ruptures == ()
        assert result.low_runs == ()  # sessions 4-6 are explained by the rupture

    def test_it_allows_a_new_rupture_after_recovery(self) -> None:
        # Session 9: mean of the first eight = 65 / 8 = 8.125; SD = sqrt(10.875 / 7) = 1.246;
        # 8.125 - 6.0 = 2.125 > max(1.246, 1.5).
        result = review([*self.SCORES, 9.0, 6.0])
        assert [r.session for r in result.ruptures] == [4, 9]
        assert result.ruptures[1].state is RuptureState.OPEN
        assert result.ruptures[1].pre_drop_level == pytest.approx(8.125)
        assert result.open_ruptures == (result.ruptures[1],)


class TestRepairTolerance:
    # Mean before session 4 = 9.0; 9.0 - 7.0 = 2.0 > 1.5: rupture. Half a minimal step = 0.5.
    def test_it_counts_a_return_to_exactly_half_a_step_below(self) -> None:
        (rupture,) = review([9.0, 9.0, 9.0, 7.0, 8.5]).ruptures  # 9.0 - 8.5 = 0.5
        assert rupture.state is RuptureState.REPAIRED
        assert rupture.repaired_at == 5

    def test_it_does_not_count_a_return_just_short_of_it(self) -> None:
        (rupture,) = review([9.0, 9.0, 9.0, 7.0, 8.4, 8.4]).ruptures  # 9.0 - 8.4 = 0.6
        assert rupture.state is RuptureState.UNREPAIRED
        assert rupture.recovered_at is None

    def test_it_counts_a_half_step_return_on_any_grid_value(self) -> None:
        # Mean before session 2 = 8.3; 8.3 - 6.3 = 2.0 > 1.5; 8.3 - 7.8 = 0.5 on paper.
        (rupture,) = review([8.3, 6.3, 7.8]).ruptures
        assert rupture.state is RuptureState.REPAIRED


class TestStepDrop:
    def test_it_raises_a_step_drop_above_the_cutoff_without_a_rupture(self) -> None:
        # 10.0 - 9.0 = 1.0 >= 1.0 (step); mean 10.0 - 9.0 = 1.0 <= 1.5; 9.0 is not < 9.0.
        result = review([10.0, 9.0])
        assert triggers_at(result, 2) == {Trigger.STEP_DROP}
        assert result.ruptures == ()

    def test_it_calls_a_step_drop_below_the_cutoff_a_rupture(self) -> None:
        # 9.5 - 8.5 = 1.0 >= 1.0 and 8.5 < 9.0; mean 9.5 - 8.5 = 1.0 <= 1.5: no mean drop.
        result = review([9.5, 8.5])
        assert triggers_at(result, 2) == {Trigger.STEP_DROP, Trigger.BELOW_CUTOFF}
        (rupture,) = result.ruptures
        assert (rupture.session, rupture.pre_drop_level) == (2, 9.5)
        assert rupture.state is RuptureState.OPEN

    def test_it_ignores_a_fall_smaller_than_the_minimal_step(self) -> None:
        result = review([9.5, 8.6])  # 0.9 < 1.0: below the cutoff only
        assert triggers_at(result, 2) == {Trigger.BELOW_CUTOFF}
        assert result.ruptures == ()

    def test_it_counts_a_fall_of_exactly_one_step_on_any_grid_value(self) -> None:
        # 8.2 - 7.2 = 1.0 >= 1.0 and 7.2 < 9.0: a step drop landing below the cutoff.
        result = review([8.2, 7.2])
        assert Trigger.STEP_DROP in triggers_at(result, 2)
        assert [r.session for r in result.ruptures] == [2]


class TestMeanDrop:
    def test_it_lets_a_noisy_client_s_sd_raise_the_threshold(self) -> None:
        # Before session 5: mean (10 + 6 + 10 + 6) / 4 = 8.0; SD = sqrt(4 * 2^2 / 3) = 2.309.
        # 8.0 - 6.4 = 1.6 > 1.5 but < 2.309: no mean drop (6.0 -> 6.4 is no step drop).
        result = review([10.0, 6.0, 10.0, 6.0, 6.4])
        assert triggers_at(result, 5) == {Trigger.BELOW_CUTOFF}
        assert 5 not in [r.session for r in result.ruptures]

    def test_it_uses_the_reliable_change_value_for_a_steady_client(self) -> None:
        # Mean 8.0, SD 0: 8.0 - 6.4 = 1.6 > max(0, 1.5).
        result = review([8.0, 8.0, 8.0, 8.0, 6.4])
        assert Trigger.MEAN_DROP in triggers_at(result, 5)
        assert [r.session for r in result.ruptures] == [5]

    def test_it_counts_the_sd_as_zero_before_three_earlier_scores(self) -> None:
        # Mean (10 + 6) / 2 = 8.0; the SD of two scores (2.83) is ignored: 1.6 > 1.5.
        result = review([10.0, 6.0, 6.4])
        assert Trigger.MEAN_DROP in triggers_at(result, 3)

    def test_it_needs_more_than_the_threshold(self) -> None:
        # No cutoff, so only a mean drop makes a rupture: 9.0 - 7.5 = 1.5 is not > 1.5,
        # 9.0 - 7.4 = 1.6 is.
        exactly = review([9.0, 9.0, 9.0, 7.5], CHECKIN_HIGHER)
        assert Trigger.MEAN_DROP not in triggers_at(exactly, 4)
        assert exactly.ruptures == ()
        beyond = review([9.0, 9.0, 9.0, 7.4], CHECKIN_HIGHER)
        assert Trigger.MEAN_DROP in triggers_at(beyond, 4)
        assert [r.session for r in beyond.ruptures] == [4]

    def test_it_needs_more_than_the_threshold_on_any_grid_value(self) -> None:
        # The therapist's check-in has no cutoff: 9.3 - 7.8 = 1.5 is not > 1.5.
        assert rupture_sessions([9.3, 7.8], CHECKIN_THERAPIST) == []


class TestLowRuns:
    # Daniel rises every session: no step or mean drop; 5.4 ... 8.6 are below 9.0.
    def test_it_finds_no_rupture_in_a_slowly_building_alliance(self) -> None:
        result = review(DANIEL)
        assert result.ruptures == ()
        assert all(c.triggers == {Trigger.BELOW_CUTOFF} for c in result.concerns)

    def test_it_finds_a_low_run_over_the_early_sessions(self) -> None:
        result = review(DANIEL)
        assert result.low_runs == (LowRun(first_session=1, last_session=6, sessions=6),)
        assert result.persistently_low is None  # 9.2 at session 7 is above the cutoff

    def test_it_is_persistently_low_while_still_below_the_cutoff(self) -> None:
        result = review(DANIEL[:4])
        assert result.persistently_low == LowRun(first_session=1, last_session=4, sessions=4)

    def test_it_needs_two_consecutive_low_sessions(self) -> None:
        one = review([9.5, 8.8, 9.5])  # 0.7 < 1.0: no step drop
        assert triggers_at(one, 2) == {Trigger.BELOW_CUTOFF}
        assert one.low_runs == ()
        apart = review([8.8, 9.5, 8.8])
        assert apart.low_runs == ()
        assert apart.persistently_low is None

    def test_it_starts_a_run_at_two_low_sessions(self) -> None:
        assert review([9.5, 8.8, 8.8]).low_runs == (LowRun(2, 3, 2),)

    def test_it_splits_a_low_run_around_a_rupture(self) -> None:
        # Mean 5.0 before session 4, 5.0 - 3.0 = 2.0 > 1.5: rupture, recovered at 5 (5.0).
        result = review([5.0, 5.0, 5.0, 3.0, 5.0, 5.0])
        assert [r.session for r in result.ruptures] == [4]
        assert result.low_runs == (LowRun(1, 3, 3), LowRun(5, 6, 2))
        assert result.persistently_low == LowRun(5, 6, 2)


class TestOtherMeasures:
    def test_it_raises_no_cutoff_concern_without_a_cutoff(self) -> None:
        # WAI-SR threshold 2 * 0.5 = 1.0: 4.5 - 2.0 = 2.5 > 1.0 at session 3.
        result = review([4.5, 4.5, 2.0, 2.0, 2.0], WAI_SR)
        assert all(Trigger.BELOW_CUTOFF not in c.triggers for c in result.concerns)
        assert triggers_at(result, 3) == {Trigger.STEP_DROP, Trigger.MEAN_DROP}
        assert [r.session for r in result.ruptures] == [3]
        assert result.low_runs == ()

    def test_it_finds_no_low_run_without_a_cutoff(self) -> None:
        result = review([1.5, 1.5, 1.5, 1.5], WAI_SR)
        assert (result.concerns, result.ruptures, result.low_runs) == ((), (), ())

    def test_it_uses_twice_the_minimal_step_on_the_srs(self) -> None:
        # Threshold 2: 38 - 36.4 = 1.6 is a step drop but no mean drop (it is one on the
        # check-in, threshold 1.5); 36.4 >= 36 so no rupture. 38 - 35.9 = 2.1 > 2 is one.
        small = review([38.0, 38.0, 36.4], SRS)
        assert triggers_at(small, 3) == {Trigger.STEP_DROP}
        assert small.ruptures == ()
        large = review([38.0, 38.0, 35.9], SRS)
        assert Trigger.MEAN_DROP in triggers_at(large, 3)
        assert [r.session for r in large.ruptures] == [3]

    def test_it_raises_no_drops_without_any_threshold(self) -> None:
        srs = dataclasses.replace(SRS, minimal_step=None)
        result = review([38.0, 38.0, 20.0, 20.0], srs)
        assert [c.triggers for c in result.concerns] == [{Trigger.BELOW_CUTOFF}] * 2
        assert result.ruptures == ()
        assert result.low_runs == (LowRun(3, 4, 2),)


class TestSessionOrder:
    def test_it_sorts_sessions_given_out_of_order(self) -> None:
        shuffled = [PRIYA[i] for i in (6, 2, 9, 0, 4, 8, 1, 7, 3, 5)]
        assert review_alliance(CHECKIN, shuffled) == review_alliance(CHECKIN, PRIYA)

    def test_it_counts_the_repair_window_in_scored_sessions(self) -> None:
        # Mean before session 5 = 9.1; session 9 (8.0) is 1.1 short, session 20 (9.0) is
        # back, and is the second scored session after the rupture.
        scores = [(1, 9.0), (2, 9.2), (5, 6.0), (9, 8.0), (20, 9.0)]
        (rupture,) = review_alliance(CHECKIN, scores).ruptures
        assert (rupture.session, rupture.state, rupture.repaired_at) == (
            5,
            RuptureState.REPAIRED,
            20,
        )

    def test_it_closes_the_window_after_two_scored_sessions(self) -> None:
        scores = [(1, 9.0), (2, 9.2), (5, 6.0), (9, 8.0), (20, 8.0), (21, 9.0)]
        (rupture,) = review_alliance(CHECKIN, scores).ruptures
        assert rupture.state is RuptureState.UNREPAIRED
        assert rupture.recovered_at == 21


class TestValidation:
    def test_it_rejects_an_outcome_measure(self) -> None:
        with pytest.raises(ValueError, match=r"^PHQ-9 is not an alliance measure\.$"):
            review_alliance(PHQ9, [(1, 12.0)])

    def test_it_rejects_a_duplicated_session(self) -> None:
        with pytest.raises(ValueError, match=r"^Check-in: session 2 has two scores\.$"):
            review_alliance(CHECKIN, [(1, 9.0), (2, 8.0), (2, 9.0)])

    @pytest.mark.parametrize("score", [10.5, -0.1, math.inf])
    def test_it_rejects_a_score_outside_the_range(self, score: float) -> None:
        message = f"Check-in: {score} at session 2 is outside 0–10."
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            review_alliance(CHECKIN, [(1, 9.0), (2, score)])

    def test_it_rejects_nan(self) -> None:
        with pytest.raises(ValueError, match=r"^Check-in: nan at session 1 is outside 0–10\.$"):
            review_alliance(CHECKIN, [(1, math.nan)])


class TestShortSeries:
    def test_it_returns_an_empty_review_for_no_sessions(self) -> None:
        result = review_alliance(CHECKIN, [])
        assert result == AllianceReview("checkin", (), (), (), None, None)
        assert result.persistently_low is None
        assert result.open_ruptures == ()

    def test_it_raises_at_most_a_cutoff_concern_for_one_session(self) -> None:
        result = review_alliance(CHECKIN, [(3, 7.0)])
        (concern,) = result.concerns
        assert concern.triggers == {Trigger.BELOW_CUTOFF}
        assert (concern.session, concern.previous, concern.running_mean) == (3, None, None)
        assert (result.ruptures, result.low_runs) == ((), ())
        assert (result.latest_session, result.latest_score) == (3, 7.0)

    def test_it_raises_nothing_for_one_high_session(self) -> None:
        assert review_alliance(CHECKIN, [(1, 9.5)]).concerns == ()


class TestRaterGaps:
    CLIENT = [(1, 9.0), (2, 8.0), (3, 9.5)]
    THERAPIST = [(4, 9.0), (2, 9.5), (3, 9.0)]

    def test_it_pairs_only_sessions_rated_by_both(self) -> None:
        gaps = rater_gaps(CHECKIN, CHECKIN_THERAPIST, self.CLIENT, self.THERAPIST)
        assert [g.session for g in gaps] == [2, 3]
        assert [(g.client, g.therapist, g.threshold) for g in gaps] == [
            (8.0, 9.5, 1.5),
            (9.5, 9.0, 1.5),
        ]

    def test_it_signs_the_gap_therapist_minus_client(self) -> None:
        gaps = rater_gaps(CHECKIN, CHECKIN_THERAPIST, self.CLIENT, self.THERAPIST)
        assert [g.gap for g in gaps] == [1.5, -0.5]  # 9.5 - 8.0, 9.0 - 9.5

    def test_it_flags_a_gap_of_exactly_the_threshold(self) -> None:
        gaps = rater_gaps(CHECKIN, CHECKIN_THERAPIST, self.CLIENT, self.THERAPIST)
        assert [g.flagged for g in gaps] == [True, False]  # |1.5| >= 1.5, |-0.5| < 1.5

    @pytest.mark.parametrize(
        ("client", "therapist", "flagged"),
        [(8.0, 9.5, True), (8.1, 9.5, False), (9.5, 8.0, True), (9.5, 8.1, False)],
    )
    def test_it_flags_either_direction(
        self, client: float, therapist: float, flagged: bool
    ) -> None:
        # |9.5 - 8.0| = 1.5 >= 1.5; |9.5 - 8.1| = 1.4 < 1.5.
        (gap,) = rater_gaps(CHECKIN, CHECKIN_THERAPIST, [(1, client)], [(1, therapist)])
        assert gap.flagged is flagged

    def test_it_explains_the_gap_with_both_numbers(self) -> None:
        higher, lower = rater_gaps(CHECKIN, CHECKIN_THERAPIST, self.CLIENT, self.THERAPIST)
        assert (
            higher.reason == "At session 2 you rated the alliance 9.5, higher than the client's 8.0"
        )
        assert (
            lower.reason == "At session 3 you rated the alliance 9.0, lower than the client's 9.5"
        )

    def test_it_refuses_measures_on_different_scales(self) -> None:
        with pytest.raises(ValueError, match="use different scales"):
            rater_gaps(SRS, CHECKIN_THERAPIST, [(1, 38.0)], [(1, 9.0)])

    def test_it_returns_nothing_without_a_threshold(self) -> None:
        bare = dataclasses.replace(CHECKIN, reliable_change=None, minimal_step=None)
        assert rater_gaps(bare, CHECKIN_THERAPIST, self.CLIENT, self.THERAPIST) == ()

    def test_it_checks_the_therapist_s_scores(self) -> None:
        with pytest.raises(ValueError, match="outside 0–10"):
            rater_gaps(CHECKIN, CHECKIN_THERAPIST, self.CLIENT, [(2, 11.0)])

    def test_it_flags_a_gap_of_exactly_the_threshold_on_any_grid_value(self) -> None:
        (gap,) = rater_gaps(CHECKIN, CHECKIN_THERAPIST, [(1, 7.7)], [(1, 9.2)])
        assert gap.flagged

    def test_it_does_not_call_equal_ratings_lower(self) -> None:
        (gap,) = rater_gaps(CHECKIN, CHECKIN_THERAPIST, [(1, 9.0)], [(1, 9.0)])
        assert "lower than" not in gap.reason


# Property-based tests. Check-in scores on its 0.1 grid, as tenths (0-100).
tenths = st.lists(st.integers(0, 100), max_size=30)


def on_grid(values: list[int], denominator: int = 10) -> list[float]:
    return [v / denominator for v in values]


class TestProperties:
    @given(tenths)
    def test_it_keeps_its_structural_invariants(self, values: list[int]) -> None:
        scores = on_grid(values)
        result = review(scores)
        sessions = [s for s, _ in numbered(scores)]
        concerns = {c.session: c.triggers for c in result.concerns}
        ruptured = [r.session for r in result.ruptures]
        for rupture in result.ruptures:
            assert concerns[rupture.session] & {Trigger.STEP_DROP, Trigger.MEAN_DROP}
            if rupture.repaired_at is not None:
                assert rupture.state is RuptureState.REPAIRED
                later = sessions.index(rupture.repaired_at) - sessions.index(rupture.session)
                assert 1 <= later <= 2
        assert ruptured == sorted(set(ruptured))
        for earlier, later_rupture in zip(result.ruptures, result.ruptures[1:], strict=False):
            assert earlier.recovered_at is not None
            assert later_rupture.session >= earlier.recovered_at
        in_runs = [
            s for run in result.low_runs for s in range(run.first_session, run.last_session + 1)
        ]
        assert len(in_runs) == len(set(in_runs))  # no overlap
        assert not set(in_runs) & set(ruptured)
        for run in result.low_runs:
            assert run.sessions == run.last_session - run.first_session + 1 >= 2

    @given(st.integers(0, 100), st.integers(0, 30))
    def test_it_finds_no_rupture_in_a_constant_series(self, value: int, length: int) -> None:
        assert review([value / 10] * length).ruptures == ()

    @given(st.lists(st.integers(0, 16), max_size=30))
    def test_it_finds_the_same_ruptures_after_a_shift_on_a_binary_exact_grid(
        self, quarters: list[int]
    ) -> None:
        """Quarters add and subtract exactly in floating point, so only the rules are tested."""
        # 0-4 shifted by +4 to 4-8: every score stays below the 9.0 cutoff.
        shifted = [q + 16 for q in quarters]
        assert rupture_sessions(on_grid(quarters, 4)) == rupture_sessions(on_grid(shifted, 4))

    @given(st.lists(st.integers(0, 40), max_size=30))
    @example([14, 4])
    def test_it_finds_the_same_ruptures_after_a_shift(self, values: list[int]) -> None:
        shifted = [v + 40 for v in values]  # 0-4 -> 4-8, below the 9.0 cutoff throughout
        assert rupture_sessions(on_grid(values)) == rupture_sessions(on_grid(shifted))

    @given(st.lists(st.integers(0, 40), max_size=30))
    def test_it_mirrors_the_direction_on_a_binary_exact_grid(self, quarters: list[int]) -> None:
        mirrored = [40 - q for q in quarters]  # 10 - x, in quarters
        assert rupture_sessions(on_grid(quarters, 4), CHECKIN_HIGHER) == rupture_sessions(
            on_grid(mirrored, 4), CHECKIN_LOWER
        )

    @given(tenths)
    @example([44, 29])
    def test_it_mirrors_the_direction(self, values: list[int]) -> None:
        mirrored = [100 - v for v in values]  # 10 - x, in tenths
        assert rupture_sessions(on_grid(values), CHECKIN_HIGHER) == rupture_sessions(
            on_grid(mirrored), CHECKIN_LOWER
        )
