"""Expected-trajectory ("not on track") model: fitting, bands, storage and progress signals."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.core import trajectory
from rapport.core.instruments import Better, Instrument
from rapport.core.trajectory import (
    Assessment,
    NotEnoughData,
    Progress,
    TrajectoryModel,
    assess_progress,
    fit_trajectory,
)
from tests.core.helpers import measure

PHQ9 = measure("phq9")  # lower is better, 0-27, whole numbers
ORS = measure("ors")  # higher is better, 0-40, one decimal

Episode = list[tuple[int, float]]

# The true PHQ-9 course the synthetic clinic follows (intake not centred):
# y = 2 - 3 log(s) + 0.8 intake + u0 + u1 log(s) + e, SD(u0) = 2, SD(u1) = 1, SD(e) = 2.
TRUE_B0, TRUE_B1, TRUE_INTAKE = 2.0, -3.0, 0.8
TRUE_SD_U0, TRUE_SD_U1, TRUE_SD_E = 2.0, 1.0, 2.0


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def phq9_score(rng: random.Random, intake: float, session: int, u0: float, u1: float) -> float:
    """One PHQ-9 total from the true model, clamped to 0-27 and rounded as the form would be."""
    log_s = math.log(session)
    mean = TRUE_B0 + TRUE_B1 * log_s + TRUE_INTAKE * intake + u0 + u1 * log_s
    return float(round(clamp(mean + rng.gauss(0, TRUE_SD_E), 0, 27)))


def phq9_intake(rng: random.Random) -> float:
    return float(round(clamp(rng.gauss(17, 4), 5, 27)))


def simulate_phq9(seed: int, episodes: int) -> list[Episode]:
    """Episodes of 6-16 sessions from the true model, some with a missed session."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    out = []
    for _ in range(episodes):
        intake = phq9_intake(rng)
        u0, u1 = rng.gauss(0, TRUE_SD_U0), rng.gauss(0, TRUE_SD_U1)
        last = rng.randint(6, 16)
        missed = rng.randint(2, last - 1) if rng.random() < 0.2 else None  # gaps happen
        episode = [(1, intake)] + [
            (s, phq9_score(rng, intake, s, u0, u1)) for s in range(2, last + 1) if s != missed
        ]
        rng.shuffle(episode)  # any order is accepted
        out.append(episode)
    return out


def simulate_ors(seed: int, episodes: int) -> list[Episode]:
    """ORS (higher is better): y = 10 + 4 log(s) + 0.6 intake + u0 + u1 log(s) + e."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    out = []
    for _ in range(episodes):
        intake = round(clamp(rng.gauss(20, 6), 2, 38), 1)
        u0, u1 = rng.gauss(0, 2), rng.gauss(0, 1)
        episode = [(1, intake)]
        for s in range(2, rng.randint(5, 12) + 1):
            mean = 10 + 4 * math.log(s) + 0.6 * intake + u0 + u1 * math.log(s)
            episode.append((s, round(clamp(mean + rng.gauss(0, 2.5), 0, 40), 1)))
        out.append(episode)
    return out


SHORT_EPISODES: list[Episode] = [[(1, 20.0), (2, 19.0)] for _ in range(15)]  # below min_scores


@pytest.fixture(scope="module")
def phq9_model() -> TrajectoryModel:
    """One fit shared by the recovery tests (fitting is the slow part of this file)."""
    model = fit_trajectory(PHQ9, simulate_phq9(seed=20240501, episodes=120) + SHORT_EPISODES)
    assert isinstance(model, TrajectoryModel)
    return model


@pytest.fixture(scope="module")
def ors_model() -> TrajectoryModel:
    model = fit_trajectory(ORS, simulate_ors(seed=8, episodes=40))
    assert isinstance(model, TrajectoryModel)
    return model


def hand_model(instrument: Instrument = PHQ9, **changes: object) -> TrajectoryModel:
    """Known numbers: expected = 10 + 0.5 (intake - 15), SD = sqrt(1 + 3) = 2, boundary 1.5 SD.

    Every number is exact in binary floating point, so ties with the boundary are exact too.
    """
    model = TrajectoryModel(
        instrument_code=instrument.code,
        better=instrument.better,
        total_range=instrument.total_range,
        intake_mean=15.0,
        coefficients=(10.0, 0.0, 0.5, 0.0),
        random_effects_cov=((1.0, 0.0), (0.0, 0.0)),
        residual_variance=3.0,
        max_session=12,
        n_episodes=40,
        n_scores=400,
        converged=True,
        random_slope=False,
        boundary_z=1.5,
    )
    return dataclasses.replace(model, **changes)  # type: ignore[arg-type]


def sloped_model() -> TrajectoryModel:
    """A PHQ-9 model with every term non-zero, for hand-computed bands."""
    return hand_model(
        coefficients=(10.0, -2.0, 0.5, 0.25),
        random_effects_cov=((1.0, 0.5), (0.5, 1.0)),
        residual_variance=2.0,
        random_slope=True,
        boundary_z=1.2816,
    )


class TestFitRecoversTheTrueModel:
    def test_it_recovers_the_log_session_slope(self, phq9_model: TrajectoryModel) -> None:
        """b1 (slope at the mean intake) is near the true -3; the interaction near 0."""
        _, b1, _, b3 = phq9_model.coefficients
        assert b1 == pytest.approx(TRUE_B1, abs=0.7)
        assert b3 == pytest.approx(0, abs=0.15)

    def test_it_recovers_the_intake_effect_and_intercept(self, phq9_model: TrajectoryModel) -> None:
        """b2 near 0.8; b0 (centred) near 2 + 0.8 x the mean intake."""
        b0, _, b2, _ = phq9_model.coefficients
        assert b2 == pytest.approx(TRUE_INTAKE, abs=0.2)
        assert b0 == pytest.approx(TRUE_B0 + TRUE_INTAKE * phq9_model.intake_mean, abs=1.5)

    def test_it_recovers_the_variance_components(self, phq9_model: TrajectoryModel) -> None:
        """Residual variance near 4 (plus rounding); random-effect variances in the right range."""
        assert phq9_model.residual_variance == pytest.approx(TRUE_SD_E**2, abs=1.0)
        (g00, _), (_, g11) = phq9_model.random_effects_cov
        assert 1.5 < g00 < 8
        assert 0.3 < g11 < 2.5

    def test_it_records_what_it_was_fitted_on(self, phq9_model: TrajectoryModel) -> None:
        """Short episodes are left out of the counts; the measure's details are kept."""
        assert phq9_model.n_episodes == 120
        assert phq9_model.n_scores == sum(
            len(e) for e in simulate_phq9(seed=20240501, episodes=120)
        )
        assert phq9_model.max_session == 16
        assert phq9_model.instrument_code == "phq9"
        assert phq9_model.better is Better.LOWER
        assert phq9_model.total_range == (0.0, 27.0)
        assert phq9_model.random_slope is True
        assert phq9_model.converged is True
        assert phq9_model.boundary_z == 1.2816

    def test_one_in_ten_typical_clients_lies_beyond_the_boundary(
        self, phq9_model: TrajectoryModel
    ) -> None:
        """New clients on the true course: about 10% of session-8 scores are beyond the line."""
        rng = random.Random(99)  # noqa: S311 - reproducible synthetic data, not secrets
        beyond = 0
        clients = 3000
        for _ in range(clients):
            intake = phq9_intake(rng)
            u0, u1 = rng.gauss(0, TRUE_SD_U0), rng.gauss(0, TRUE_SD_U1)
            boundary = phq9_model.band(intake, 8).boundary
            assert boundary is not None
            beyond += phq9_score(rng, intake, 8, u0, u1) > boundary
        assert 0.05 <= beyond / clients <= 0.15

    def test_the_fitted_expected_course_improves_over_sessions(
        self, phq9_model: TrajectoryModel
    ) -> None:
        """For PHQ-9 the expected score falls and the boundary sits above it."""
        courses = [phq9_model.band(18, s) for s in range(2, 17)]
        assert all(a.expected > b.expected for a, b in itertools.pairwise(courses))
        assert all(b.boundary is not None and b.boundary > b.expected for b in courses)


class TestHigherIsBetter:
    def test_the_boundary_lies_below_expected_for_the_ors(self, ors_model: TrajectoryModel) -> None:
        """ORS improves upwards, so falling behind means scoring below the expected line."""
        assert ors_model.better is Better.HIGHER
        assert ors_model.coefficients[1] > 0
        for session in range(2, ors_model.max_session + 1):
            band = ors_model.band(20.0, session)
            assert band.boundary is not None
            assert band.boundary < band.expected

    def test_a_low_ors_score_is_not_on_track(self, ors_model: TrajectoryModel) -> None:
        """A client still at their intake of 15 by session 8 is beyond the lower boundary."""
        result = assess_progress(ors_model, ORS, [(1, 15.0), (4, 14.0), (8, 12.0)])
        assert result.progress is Progress.NOT_ON_TRACK


class TestNotEnoughData:
    def test_it_fits_nothing_with_ten_episodes(self) -> None:
        """Ten episodes are too few: no curve, and a reason a clinician can read."""
        result = fit_trajectory(PHQ9, simulate_phq9(seed=1, episodes=10))
        assert isinstance(result, NotEnoughData)
        assert result.reason == (
            "PHQ-9: 10 episodes with at least 3 scores; the expected-trajectory model needs 30. "
            "Progress is judged by reliable change only."
        )
        assert result.n_episodes == 10
        assert result.n_scores == sum(len(e) for e in simulate_phq9(seed=1, episodes=10))

    def test_it_ignores_episodes_with_too_few_scores(self) -> None:
        """29 full episodes and many two-score ones: still one short of 30."""
        episodes = simulate_phq9(seed=2, episodes=29) + SHORT_EPISODES
        result = fit_trajectory(PHQ9, episodes)
        assert isinstance(result, NotEnoughData)
        assert result.n_episodes == 29
        assert "29 episodes with at least 3 scores" in result.reason

    def test_min_scores_decides_which_episodes_count(self) -> None:
        """With min_scores=2 the two-score episodes count too (and the check passes)."""
        result = fit_trajectory(PHQ9, SHORT_EPISODES, min_episodes=16, min_scores=2)
        assert isinstance(result, NotEnoughData)
        assert result.n_episodes == 15
        assert result.n_scores == 30
        assert "15 episodes with at least 2 scores" in result.reason
        assert "needs 16" in result.reason

    def test_it_words_an_empty_history(self) -> None:
        """No episodes at all reads as words, not '0 episodes'."""
        result = fit_trajectory(ORS, [])
        assert isinstance(result, NotEnoughData)
        assert result.reason.startswith("ORS: no episodes with at least 3 scores;")

    def test_it_refuses_when_every_intake_is_the_same(self) -> None:
        """Without spread in intake the intake effect cannot be estimated."""
        episodes = [[(1, 20.0), (2, 18.0 - i % 3), (3, 15.0 + i % 4)] for i in range(30)]
        result = fit_trajectory(PHQ9, episodes)
        assert isinstance(result, NotEnoughData)
        assert "start at the same intake score" in result.reason

    def test_it_refuses_when_every_later_score_is_at_one_session(self) -> None:
        """Only session 2 after the intake: no course over sessions can be estimated."""
        episodes = [[(1, 10.0 + i % 9), (2, 9.0 + i % 5)] for i in range(30)]
        result = fit_trajectory(PHQ9, episodes, min_scores=2)
        assert isinstance(result, NotEnoughData)
        assert "same session number" in result.reason


class TestFallbackToRandomIntercept:
    def test_it_refits_with_a_random_intercept_when_the_slope_model_fails(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failed random-slope fit falls back; G then has only the intercept variance."""
        real = trajectory._fit_mixed
        calls: list[int] = []

        def slope_fails(*args: object) -> object:
            exog_re = args[3]
            calls.append(exog_re.shape[1])  # type: ignore[attr-defined]
            return None if exog_re.shape[1] == 2 else real(*args)  # type: ignore[arg-type,attr-defined]

        monkeypatch.setattr(trajectory, "_fit_mixed", slope_fails)
        model = fit_trajectory(ORS, simulate_ors(seed=8, episodes=40))
        assert isinstance(model, TrajectoryModel)
        assert calls == [2, 1]
        assert model.random_slope is False
        (g00, g01), (g10, g11) = model.random_effects_cov
        assert g00 > 0
        assert g01 == g10 == g11 == 0

    def test_it_gives_up_plainly_when_both_fits_fail(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """No invented curve: NotEnoughData says the model could not be fitted."""

        def failing(*args: object) -> None:
            return None

        monkeypatch.setattr(trajectory, "_fit_mixed", failing)
        result = fit_trajectory(ORS, simulate_ors(seed=8, episodes=40))
        assert isinstance(result, NotEnoughData)
        assert result.reason == (
            "ORS: the expected-trajectory model could not be fitted to 40 episodes. "
            "Progress is judged by reliable change only."
        )
        assert result.n_episodes == 40


class TestFitValidation:
    @pytest.mark.parametrize(
        ("bad", "message"),
        [
            (
                (3, 28.0),
                "PHQ-9 score 28.0 at session 3 in episode 2 is outside the total range 0–27",
            ),
            ((3, -1), "PHQ-9 score -1 at session 3 in episode 2 is outside the total range"),
            ((3, math.nan), "PHQ-9 score nan at session 3 in episode 2 is not a number"),
            ((3, math.inf), "PHQ-9 score inf at session 3 in episode 2 is outside"),
            ((3, "12"), "PHQ-9 score '12' at session 3 in episode 2 is not a number"),
            ((0, 12.0), "PHQ-9 session numbers start at 1, not 0 in episode 2"),
            ((2.5, 12.0), "whole numbers from 1 up, not 2.5 in episode 2"),
            ((True, 12.0), "whole numbers from 1 up, not True in episode 2"),
            ((2, 12.0), "PHQ-9 has two scores for session 2 in episode 2"),
        ],
    )
    def test_it_names_the_bad_value(self, bad: tuple[object, object], message: str) -> None:
        """Invalid data is an error naming the value, session and episode, never skipped."""
        episodes = [[(1, 20.0), (2, 18.0)], [(1, 20.0), (2, 18.0), bad]]
        with pytest.raises(ValueError, match=message):
            fit_trajectory(PHQ9, episodes)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"min_episodes": 1}, "min_episodes must be a whole number of at least 2"),
            ({"min_scores": 1}, "min_scores must be a whole number of at least 2"),
            ({"boundary_z": -1.0}, "boundary_z must be a number of at least 0"),
            ({"boundary_z": math.nan}, "boundary_z must be a number of at least 0"),
        ],
    )
    def test_it_rejects_bad_options(self, options: dict[str, float], message: str) -> None:
        """Options that cannot describe a model are errors."""
        with pytest.raises(ValueError, match=message):
            fit_trajectory(PHQ9, [], **options)  # type: ignore[arg-type]


class TestBand:
    def test_it_computes_the_expected_score_and_boundary_by_hand(self) -> None:
        """Intake 19 at session 4, L = log 4 = 1.386294, centred intake 4:

        expected = 10 - 2L + (0.5 + 0.25L) * 4 = 10.613706;
        variance = 1 + 2 * 0.5 * L + 1 * L**2 + 2 = 6.308106, SD = 2.511594;
        boundary = expected + 1.2816 * SD = 13.832565 (PHQ-9: worse is higher).
        """
        band = sloped_model().band(19, 4)
        assert band.session == 4
        assert band.expected == pytest.approx(10.613706, abs=1e-6)
        assert band.boundary == pytest.approx(13.832565, abs=1e-6)
        assert band.extrapolated is False
        assert sloped_model().expected(19, 4) == band.expected

    def test_it_puts_the_boundary_below_expected_when_higher_is_better(self) -> None:
        """The same numbers for the ORS mirror the boundary: 12 - 1.5 * 2 = 9."""
        band = hand_model(ORS).band(19, 5)
        assert (band.expected, band.boundary) == (12.0, 9.0)

    def test_the_intake_session_has_no_boundary(self) -> None:
        """Session 1 is the intake itself: expected equals the intake, nothing to judge."""
        band = sloped_model().band(19, 1)
        assert band == trajectory.ExpectedBand(
            session=1, expected=19, boundary=None, extrapolated=False
        )

    def test_it_clamps_to_the_measure_range(self) -> None:
        """Intake 10 at session 12: raw expected -0.576 is shown as 0, boundary 3.800 stays."""
        band = sloped_model().band(10, 12)
        assert band.expected == 0
        assert band.boundary == pytest.approx(3.800238, abs=1e-6)
        high = hand_model(coefficients=(30.0, 0.0, 0.5, 0.0)).band(20, 3)
        assert (high.expected, high.boundary) == (27.0, 27.0)  # raw 32.5 and 35.5

    def test_it_does_not_extrapolate_past_the_last_fitted_session(self) -> None:
        """Session 40 of a model fitted up to session 12 uses session 12's band, flagged."""
        model = sloped_model()
        late, last = model.band(19, 40), model.band(19, 12)
        assert (late.expected, late.boundary) == (last.expected, last.boundary)
        assert late.session == 40
        assert late.extrapolated is True
        assert last.extrapolated is False

    def test_it_handles_models_fitted_on_very_long_episodes(self) -> None:
        """Sessions past the precomputed table give the same numbers as the formula."""
        model = dataclasses.replace(sloped_model(), max_session=2000)
        log_s = math.log(1500)
        expected = 10 - 2 * log_s + (0.5 + 0.25 * log_s) * 4
        sd = math.sqrt(1 + log_s + log_s**2 + 2)
        band = model.band(19, 1500)
        assert band.expected == pytest.approx(min(expected, 27))
        assert band.boundary == pytest.approx(min(expected + 1.2816 * sd, 27))

    def test_a_remembered_band_is_the_same_band(self) -> None:
        """Repeated questions are answered from memory, with the same numbers and errors."""
        model = sloped_model()
        first = model.band(19, 4)
        assert model.band(19.0, 4) is first
        assert dataclasses.replace(model).band(19, 4) == first  # a copy starts afresh
        with pytest.raises(ValueError, match=r"whole numbers from 1 up, not 4\.0"):
            model.band(19, 4.0)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("intake", "session", "message"),
        [
            (28.0, 3, "intake score must lie within 0–27, not 28.0"),
            (math.nan, 3, "intake score must lie within 0–27, not nan"),
            (12.0, 0, "Session numbers start at 1, not 0"),
            (12.0, 2.0, "whole numbers from 1 up, not 2.0"),
        ],
    )
    def test_it_rejects_bad_arguments(self, intake: float, session: int, message: str) -> None:
        """An out-of-range intake or a non-session is an error, not a silent clamp."""
        with pytest.raises(ValueError, match=message):
            sloped_model().band(intake, session)


class TestAssessProgress:
    # hand_model(): intake 19 -> expected 12, boundary 12 + 3 = 15 (PHQ-9), 12 - 3 = 9 (ORS).
    @pytest.mark.parametrize(
        ("score", "progress"),
        [
            (11.0, Progress.ON_TRACK),
            (12.0, Progress.ON_TRACK),  # exactly expected
            (13.0, Progress.BELOW_EXPECTED),
            (15.0, Progress.BELOW_EXPECTED),  # exactly on the boundary is not beyond it
            (16.0, Progress.NOT_ON_TRACK),
        ],
    )
    def test_it_grades_phq9_scores_against_the_band(self, score: float, progress: Progress) -> None:
        """Lower is better: above expected is worse, above the boundary is not on track."""
        result = assess_progress(hand_model(), PHQ9, [(1, 19.0), (3, 16.0), (5, score)])
        assert result.progress is progress
        assert (result.session, result.score, result.expected, result.boundary) == (
            5,
            score,
            12.0,
            15.0,
        )

    @pytest.mark.parametrize(
        ("score", "progress"),
        [
            (13.0, Progress.ON_TRACK),
            (12.0, Progress.ON_TRACK),
            (11.9, Progress.BELOW_EXPECTED),
            (9.0, Progress.BELOW_EXPECTED),
            (8.9, Progress.NOT_ON_TRACK),
        ],
    )
    def test_it_grades_ors_scores_against_the_band(self, score: float, progress: Progress) -> None:
        """Higher is better: the grades mirror the PHQ-9's."""
        result = assess_progress(hand_model(ORS), ORS, [(5, score), (1, 19.0)])
        assert result.progress is progress

    def test_it_explains_a_not_on_track_score(self) -> None:
        """One sentence with the score, session, expectation, intake and boundary."""
        result = assess_progress(hand_model(), PHQ9, [(1, 19), (5, 16)])
        assert result.reason == (
            "PHQ-9 16 at session 5 is worse than the 12 expected for clients who started at 19, "
            "beyond the not-on-track boundary of 15."
        )

    def test_it_explains_a_below_expected_score(self) -> None:
        """Expected scores get one decimal more than the measure shows."""
        result = assess_progress(sloped_model(), PHQ9, [(1, 19), (4, 13)])
        assert result.progress is Progress.BELOW_EXPECTED
        assert result.reason == (
            "PHQ-9 13 at session 4 is worse than the 10.6 expected for clients who started at "
            "19, but not beyond the not-on-track boundary of 13.8."
        )

    def test_it_explains_an_on_track_score(self) -> None:
        """ORS keeps its one decimal for scores and adds one for the expectation."""
        result = assess_progress(hand_model(ORS), ORS, [(1, 19.5), (2, 14.25)])
        assert result.progress is Progress.ON_TRACK
        assert result.reason == (
            "ORS 14.2 at session 2 is at or better than the 12.25 expected for clients who "
            "started at 19.5."
        )

    def test_it_says_when_the_band_is_held_at_the_last_fitted_session(self) -> None:
        """Past the data the reason says which session's expectation was used."""
        result = assess_progress(hand_model(), PHQ9, [(1, 19), (30, 11)])
        assert result.progress is Progress.ON_TRACK
        assert result.reason.endswith(
            "; the clinic's data end at session 12, so that session's expectation is used."
        )

    def test_it_takes_the_smallest_session_as_the_intake(self) -> None:
        """Scores in any order; intake at session 2 when session 1 was not scored."""
        result = assess_progress(hand_model(), PHQ9, [(6, 12.0), (2, 19.0), (4, 20.0)])
        assert (result.session, result.score, result.expected) == (6, 12.0, 12.0)

    def test_it_accepts_whole_numbers_and_numpy_numbers(self) -> None:
        """Totals as ints and numpy scalars (from a database or a data frame) are converted."""
        np = pytest.importorskip("numpy")
        plain = assess_progress(hand_model(), PHQ9, [(1, 19), (5, 16)])
        numpy = assess_progress(
            hand_model(), PHQ9, [(np.int64(1), np.float64(19)), (np.int64(5), np.int32(16))]
        )
        assert plain == numpy
        assert type(numpy.score) is float
        assert type(numpy.session) is int

    def test_a_score_equal_to_a_fitted_band_is_graded_by_the_tie_rules(
        self, phq9_model: TrajectoryModel
    ) -> None:
        """Exactly expected is on track, exactly the boundary is below expected (fitted floats)."""
        band = phq9_model.band(18, 6)
        assert band.boundary is not None
        at_expected = assess_progress(phq9_model, PHQ9, [(1, 18), (6, band.expected)])
        at_boundary = assess_progress(phq9_model, PHQ9, [(1, 18), (6, band.boundary)])
        assert at_expected.progress is Progress.ON_TRACK
        assert at_boundary.progress is Progress.BELOW_EXPECTED

    def test_the_intake_alone_is_unknown(self) -> None:
        """Only the intake: nothing to judge yet."""
        result = assess_progress(hand_model(), PHQ9, [(1, 19.0)])
        assert result == Assessment(
            progress=Progress.UNKNOWN,
            session=1,
            score=19.0,
            expected=None,
            boundary=None,
            reason="PHQ-9 has only the intake score (session 1) so far; progress is judged from "
            "the next score.",
        )

    def test_no_scores_is_unknown(self) -> None:
        """An episode without scores is UNKNOWN with nothing filled in."""
        result = assess_progress(hand_model(), PHQ9, [])
        assert result.progress is Progress.UNKNOWN
        assert (result.session, result.score) == (None, None)
        assert result.reason == "PHQ-9 has no scores in this episode yet."

    def test_no_model_is_unknown(self) -> None:
        """Without a fitted model nothing is invented."""
        result = assess_progress(None, PHQ9, [(1, 19.0), (5, 26.0)])
        assert result.progress is Progress.UNKNOWN
        assert (result.session, result.score, result.expected) == (5, 26.0, None)
        assert "no expected-trajectory model has been fitted" in result.reason

    def test_not_enough_data_passes_its_reason_on(self) -> None:
        """The clinician sees why there is no curve."""
        missing = NotEnoughData(reason="PHQ-9: 12 episodes ...", n_episodes=12, n_scores=50)
        result = assess_progress(missing, PHQ9, [(1, 19.0), (5, 26.0)])
        assert result.progress is Progress.UNKNOWN
        assert result.reason == "PHQ-9: 12 episodes ..."

    def test_it_refuses_a_model_of_another_measure(self) -> None:
        """A GAD-7 model must never grade PHQ-9 scores."""
        with pytest.raises(ValueError, match="model is for 'gad7', not PHQ-9"):
            assess_progress(hand_model(instrument_code="gad7"), PHQ9, [(1, 19.0)])

    @pytest.mark.parametrize(
        ("scores", "message"),
        [
            ([(1, 19.0), (2, 30.0)], "PHQ-9 score 30.0 at session 2 is outside the total range"),
            ([(1, 19.0), (1, 18.0)], "PHQ-9 has two scores for session 1;"),
            ([(0, 19.0)], "session numbers start at 1, not 0"),
        ],
    )
    def test_it_rejects_invalid_scores(self, scores: list[tuple[int, float]], message: str) -> None:
        """Invalid scores are errors, also without a model."""
        for model in (hand_model(), None):
            with pytest.raises(ValueError, match=message):
                assess_progress(model, PHQ9, scores)


class TestStorage:
    def test_it_round_trips_through_json(self, phq9_model: TrajectoryModel) -> None:
        """to_dict -> JSON -> from_dict gives an equal model with equal bands."""
        stored = json.loads(json.dumps(phq9_model.to_dict()))
        loaded = TrajectoryModel.from_dict(stored)
        assert loaded == phq9_model
        assert loaded.band(20, 7) == phq9_model.band(20, 7)
        assert stored["version"] == 1
        assert stored["better"] == "lower"

    def test_it_round_trips_a_hand_built_ors_model(self) -> None:
        """Higher-is-better survives storage too."""
        model = hand_model(ORS)
        assert TrajectoryModel.from_dict(json.loads(json.dumps(model.to_dict()))) == model

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"coefficients": None}, "coefficients must be a list of 4"),
            ({"coefficients": [1, 2, 3]}, "coefficients must be a list of 4"),
            ({"coefficients": [1, 2, 3, "4"]}, "coefficients must hold numbers, not '4'"),
            ({"random_effects_cov": [[1, 0], [0]]}, "random_effects_cov must be a list of 2"),
            ({"random_effects_cov": [[1, 0.5], [0.4, 1]]}, "must be a symmetric covariance"),
            ({"random_effects_cov": [[1, 2], [2, 1]]}, "must be a symmetric covariance"),
            ({"better": "up"}, "better must be 'lower' or 'higher', not 'up'"),
            ({"residual_variance": -1}, "residual_variance must be at least 0"),
            ({"residual_variance": True}, "residual_variance must hold numbers, not True"),
            ({"max_session": 1}, "max_session must be a whole number of at least 2"),
            ({"max_session": 12.0}, "max_session must be a whole number, not 12.0"),
            ({"converged": "yes"}, "converged must be true or false, not 'yes'"),
            ({"instrument_code": 9}, "instrument_code must be text, not 9"),
            ({"instrument_code": ""}, "needs an instrument code"),
            ({"total_range": [27, 0]}, "total_range must be two finite numbers, low < high"),
            ({"boundary_z": -0.5}, "boundary_z must be a number of at least 0"),
            ({"version": 2}, "layout version 2; this Rapport reads version 1"),
            ({"colour": "red"}, "unknown keys colour"),
        ],
    )
    def test_it_rejects_bad_values(self, change: dict[str, object], message: str) -> None:
        """Each bad value is named in the error."""
        data = hand_model().to_dict() | change
        with pytest.raises(ValueError, match=message):
            TrajectoryModel.from_dict(data)

    def test_it_names_missing_keys(self) -> None:
        """A truncated record lists what is missing."""
        data = hand_model().to_dict()
        del data["coefficients"], data["n_scores"]
        with pytest.raises(ValueError, match="missing coefficients, n_scores"):
            TrajectoryModel.from_dict(data)

    def test_it_rejects_something_that_is_not_a_mapping(self) -> None:
        """A list (or anything else) stored by mistake is an error."""
        with pytest.raises(ValueError, match="must be a mapping"):
            TrajectoryModel.from_dict([1, 2])  # type: ignore[arg-type]


@st.composite
def models(draw: st.DrawFn) -> tuple[Instrument, TrajectoryModel]:
    """Any valid model for the PHQ-9 or the ORS, G built as L L' so it is a covariance."""
    instrument = draw(st.sampled_from([PHQ9, ORS]))
    low, high = instrument.total_range
    coefficient = st.floats(-30, 30, allow_nan=False)
    a, b, c = (draw(st.floats(0, 3, allow_nan=False)) for _ in range(3))
    model = TrajectoryModel(
        instrument_code=instrument.code,
        better=instrument.better,
        total_range=instrument.total_range,
        intake_mean=draw(st.floats(low, high)),
        coefficients=(draw(coefficient), draw(coefficient), draw(coefficient), draw(coefficient)),
        random_effects_cov=((a * a, a * b), (a * b, b * b + c * c)),
        residual_variance=draw(st.floats(0, 30, allow_nan=False)),
        max_session=draw(st.integers(2, 60)),
        n_episodes=30,
        n_scores=300,
        converged=draw(st.booleans()),
        random_slope=True,
        boundary_z=draw(st.floats(0, 3, allow_nan=False)),
    )
    return instrument, model


def scores_for(instrument: Instrument) -> st.SearchStrategy[float]:
    low, high = instrument.total_range
    return st.floats(low, high, allow_nan=False)


class TestProperties:
    @settings(max_examples=60)
    @given(st.data())
    def test_the_boundary_is_never_on_the_better_side(self, data: st.DataObject) -> None:
        """Boundary worse than or equal to expected, both within the measure's range."""
        instrument, model = data.draw(models())
        intake = data.draw(scores_for(instrument))
        band = model.band(intake, data.draw(st.integers(2, 100)))
        low, high = instrument.total_range
        assert band.boundary is not None
        assert low <= band.expected <= high
        assert low <= band.boundary <= high
        if instrument.better is Better.LOWER:
            assert band.boundary >= band.expected
        else:
            assert band.boundary <= band.expected

    @settings(max_examples=60)
    @given(st.data())
    def test_assess_progress_never_raises_for_valid_scores(self, data: st.DataObject) -> None:
        """Any in-range scores on distinct sessions give an answer, and a known one from two."""
        instrument, model = data.draw(models())
        sessions = data.draw(st.lists(st.integers(1, 80), unique=True, max_size=12))
        scores = [(s, data.draw(scores_for(instrument))) for s in sessions]
        result = assess_progress(model, instrument, scores)
        assert (result.progress is Progress.UNKNOWN) == (len(scores) < 2)
        assert result.reason.endswith(".")

    @settings(max_examples=60)
    @given(st.data())
    def test_scores_on_the_band_follow_the_tie_rules(self, data: st.DataObject) -> None:
        """A score equal to the expected value is on track; one equal to the boundary is not red."""
        instrument, model = data.draw(models())
        intake = data.draw(scores_for(instrument))
        session = data.draw(st.integers(2, 80))
        band = model.band(intake, session)
        assert band.boundary is not None
        on_expected = assess_progress(model, instrument, [(1, intake), (session, band.expected)])
        on_boundary = assess_progress(model, instrument, [(1, intake), (session, band.boundary)])
        assert on_expected.progress is Progress.ON_TRACK
        assert on_boundary.progress in {Progress.ON_TRACK, Progress.BELOW_EXPECTED}


class TestImports:
    def test_importing_the_module_loads_neither_django_nor_statsmodels(self) -> None:
        """Predictions are plain Python; the heavy fitting libraries load only to fit."""
        probe = (
            "import sys, rapport.core.trajectory; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'statsmodels'}))"
        )
        result = subprocess.run(  # noqa: S603 - fixed argv: this interpreter and a literal probe
            [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"
