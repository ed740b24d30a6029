"""Worked scoring examples for every bundled measure, and the answers scoring refuses."""

from __future__ import annotations

import dataclasses
import re

import pytest

from rapport.core.instruments import AnswerError, Score, score
from rapport.core.instruments.formatting import EN_DASH
from tests.core.helpers import answers_summing_to, every_item, measure


class TestPhq9:
    @pytest.mark.parametrize(
        ("total", "band"),
        [
            (0, "Minimal"),
            (4, "Minimal"),
            (5, "Mild"),
            (9, "Mild"),
            (10, "Moderate"),
            (14, "Moderate"),
            (15, "Moderately severe"),
            (19, "Moderately severe"),
            (20, "Severe"),
            (27, "Severe"),
        ],
    )
    def test_it_bands_totals_at_each_boundary(self, total: int, band: str) -> None:
        """Kroenke et al. (2001) bands: 0-4, 5-9, 10-14, 15-19, 20-27."""
        phq9 = measure("phq9")
        result = score(phq9, answers_summing_to(phq9, total))
        assert result.total == total
        assert result.band == band

    @pytest.mark.parametrize(("total", "clinical"), [(9, False), (10, True), (27, True)])
    def test_it_marks_ten_and_above_as_clinical(self, total: int, clinical: bool) -> None:
        """The PHQ-9 cutoff is 10 and lower is better."""
        phq9 = measure("phq9")
        assert score(phq9, answers_summing_to(phq9, total)).clinical is clinical

    @pytest.mark.parametrize("answer", [1, 2, 3])
    def test_it_flags_item_nine_answered_above_not_at_all(self, answer: int) -> None:
        """Any thought of self-harm is flagged, however low the total."""
        answers = every_item(measure("phq9"), 0) | {9: answer}
        result = score(measure("phq9"), answers)
        assert result.risk_items == (9,)
        assert result.band == "Minimal"

    def test_it_does_not_flag_item_nine_answered_not_at_all(self) -> None:
        """Not at all on item 9 is no risk, even with a severe total."""
        answers = every_item(measure("phq9"), 3) | {9: 0}
        assert score(measure("phq9"), answers).risk_items == ()

    def test_it_flags_risk_even_when_the_total_cannot_be_computed(self) -> None:
        """Too many gaps void the total, never the risk flag."""
        result = score(measure("phq9"), {1: 1, 9: 2})
        assert result.total is None
        assert result.risk_items == (9,)
        assert result.answered == 2

    def test_it_prorates_one_missing_item(self) -> None:
        """Eight answers of 2 sum to 16, prorated to 16 x 9 / 8 = 18."""
        answers = every_item(measure("phq9"), 2) | {5: None}
        result = score(measure("phq9"), answers)
        assert result.total == 18
        assert result.prorated is True
        assert result.missing == (5,)
        assert result.answered == 8

    def test_it_rounds_a_prorated_half_up(self) -> None:
        """4 x 9 / 8 = 4.5 rounds up to 5 (Mild), not to even."""
        answers = {1: 1, 2: 1, 3: 1, 4: 1, 5: 0, 6: 0, 7: 0, 8: 0}
        result = score(measure("phq9"), answers)
        assert result.total == 5
        assert result.band == "Mild"

    def test_it_gives_no_total_with_two_items_missing(self) -> None:
        """Rapport prorates at most one missing PHQ-9 item."""
        answers = every_item(measure("phq9"), 1)
        del answers[1], answers[2]
        result = score(measure("phq9"), answers)
        assert result.total is None
        assert result.band is None
        assert result.clinical is None
        assert result.prorated is False
        assert result.missing == (1, 2)

    def test_it_accepts_json_string_item_numbers(self) -> None:
        """JSON object keys arrive as strings."""
        answers = {str(n): v for n, v in answers_summing_to(measure("phq9"), 12).items()}
        assert score(measure("phq9"), answers).total == 12

    def test_it_accepts_whole_floats_from_forms(self) -> None:
        """Form parsing gives 2.0 for "2"."""
        assert score(measure("phq9"), every_item(measure("phq9"), 2.0)).total == 18


class TestGad7:
    @pytest.mark.parametrize(
        ("total", "band"),
        [
            (4, "Minimal"),
            (5, "Mild"),
            (9, "Mild"),
            (10, "Moderate"),
            (14, "Moderate"),
            (15, "Severe"),
            (21, "Severe"),
        ],
    )
    def test_it_bands_totals_at_each_boundary(self, total: int, band: str) -> None:
        """Spitzer et al. (2006) bands: 0-4, 5-9, 10-14, 15-21."""
        gad7 = measure("gad7")
        result = score(gad7, answers_summing_to(gad7, total))
        assert (result.total, result.band) == (total, band)

    def test_it_marks_ten_and_above_as_clinical(self) -> None:
        """The GAD-7 cutoff is 10."""
        gad7 = measure("gad7")
        assert score(gad7, answers_summing_to(gad7, 9)).clinical is False
        assert score(gad7, answers_summing_to(gad7, 10)).clinical is True

    def test_it_prorates_one_missing_item(self) -> None:
        """Six answers of 3 sum to 18, prorated to 18 x 7 / 6 = 21."""
        result = score(measure("gad7"), every_item(measure("gad7"), 3) | {7: None})
        assert result.total == 21
        assert result.prorated is True

    def test_it_has_no_risk_items(self) -> None:
        """The GAD-7 asks nothing about self-harm."""
        assert score(measure("gad7"), every_item(measure("gad7"), 3)).risk_items == ()


class TestCore10:
    def test_it_reverse_scores_items_two_and_three(self) -> None:
        """Answering 4 everywhere gives 4 x 8 + 0 x 2 = 32."""
        result = score(measure("core10"), every_item(measure("core10"), 4))
        assert result.total == 32
        assert result.item_scores[2] == 0
        assert result.item_scores[3] == 0
        assert result.item_scores[1] == 4

    def test_it_scores_not_at_all_everywhere_as_eight(self) -> None:
        """The two reversed items count 4 each when answered Not at all."""
        assert score(measure("core10"), every_item(measure("core10"), 0)).total == 8

    def test_it_prorates_one_missing_item(self) -> None:
        """Nine answers summing to 28 prorate to 28 x 10 / 9 = 31.1, reported as 31."""
        answers = every_item(measure("core10"), 4) | {10: None}
        result = score(measure("core10"), answers)
        assert result.total == 31
        assert result.prorated is True
        assert result.band == "Severe"

    def test_it_gives_no_total_with_two_items_missing(self) -> None:
        """The CORE System Trust allows prorating only one omitted item."""
        answers = every_item(measure("core10"), 1) | {1: None, 4: None}
        assert score(measure("core10"), answers).total is None

    @pytest.mark.parametrize(
        ("total", "band", "clinical"),
        [
            (5, "Healthy", False),
            (6, "Low level", False),
            (10, "Low level", False),
            (11, "Mild", True),
            (14, "Mild", True),
            (15, "Moderate", True),
            (19, "Moderate", True),
            (20, "Moderate-to-severe", True),
            (24, "Moderate-to-severe", True),
            (25, "Severe", True),
        ],
    )
    def test_it_bands_and_applies_the_cutoff_of_eleven(
        self, total: int, band: str, clinical: bool
    ) -> None:
        """Bands 0-5, 6-10, 11-14, 15-19, 20-24, 25-40; 11 and above is clinical."""
        # Items 2 and 3 reversed at 4 score 0, so the other eight carry the whole total.
        answers = {2: 4, 3: 4}
        left = total
        for number in (1, 4, 5, 6, 7, 8, 9, 10):
            answers[number] = min(4, left)
            left -= answers[number]
        result = score(measure("core10"), answers)
        assert (result.total, result.band, result.clinical) == (total, band, clinical)

    def test_it_flags_plans_to_end_life(self) -> None:
        """Item 6 above Not at all is a risk item."""
        answers = every_item(measure("core10"), 0) | {6: 1}
        assert score(measure("core10"), answers).risk_items == (6,)


class TestSrs:
    def test_it_marks_a_total_below_36_as_a_possible_alliance_problem(self) -> None:
        """35.9 is below the SRS cutoff of 36."""
        result = score(measure("srs"), {1: 9, 2: 9, 3: 9, 4: 8.9})
        assert result.total == 35.9
        assert result.clinical is True

    def test_it_does_not_flag_exactly_36(self) -> None:
        """36.0 is at the cutoff, not below it."""
        result = score(measure("srs"), {1: 9, 2: 9, 3: 9, 4: 9.0})
        assert result.total == 36.0
        assert result.clinical is False

    def test_it_sums_tenths_without_binary_noise(self) -> None:
        """0.1 steps add up exactly: 9.9 + 9.8 + 9.7 + 0.1 = 29.5."""
        assert score(measure("srs"), {1: 9.9, 2: 9.8, 3: 9.7, 4: 0.1}).total == 29.5

    def test_it_refuses_answers_between_tenths(self) -> None:
        """The visual-analogue line is read to one decimal."""
        with pytest.raises(AnswerError, match=r"SRS item 2: 3\.55 is not on the scale"):
            score(measure("srs"), {1: 5, 2: 3.55, 3: 5, 4: 5})

    def test_it_snaps_float_noise_to_the_nearest_tenth(self) -> None:
        """JavaScript's 0.1 + 0.2 is still 0.3."""
        result = score(measure("srs"), {1: 0.1 + 0.2, 2: 0, 3: 0, 4: 0})
        assert result.item_scores[1] == 0.3

    def test_it_does_not_prorate_a_four_item_scale(self) -> None:
        """With one line unmarked the SRS has no total."""
        result = score(measure("srs"), {1: 9, 2: 9, 3: 9, 4: None})
        assert result.total is None
        assert result.clinical is None

    def test_it_refuses_answers_above_ten(self) -> None:
        """The line runs 0-10."""
        with pytest.raises(
            AnswerError, match=re.escape(f"SRS item 1: 10.5 is outside 0{EN_DASH}10")
        ):
            score(measure("srs"), {1: 10.5})


class TestOrs:
    def test_it_marks_a_total_below_25_as_clinical(self) -> None:
        """24.9 is in the adult clinical range."""
        assert score(measure("ors"), {1: 6, 2: 6, 3: 6, 4: 6.9}).clinical is True

    def test_it_does_not_flag_exactly_25(self) -> None:
        """25.0 is at the adult cutoff, not below it."""
        result = score(measure("ors"), {1: 6, 2: 6, 3: 6, 4: 7})
        assert result.total == 25
        assert result.clinical is False

    def test_it_carries_a_reliable_change_of_five(self) -> None:
        """Miller et al. (2003): a change of 5 points is reliable."""
        assert measure("ors").reliable_change == 5


class TestWaiSr:
    ANSWERS = {1: 4, 2: 5, 10: 3, 12: 4, 3: 5, 5: 5, 7: 4, 9: 4, 4: 3, 6: 2, 8: 3, 11: 4}

    def test_it_scores_subscales_as_item_means(self) -> None:
        """Task (1, 2, 10, 12) = 4.0, Bond (3, 5, 7, 9) = 4.5, Goal (4, 6, 8, 11) = 3.0."""
        result = score(measure("wai_sr"), self.ANSWERS)
        assert result.subscales == {"task": 4.0, "bond": 4.5, "goal": 3.0}

    def test_it_scores_the_total_as_the_mean_of_all_twelve(self) -> None:
        """46 / 12 = 3.8333, kept to three decimals."""
        result = score(measure("wai_sr"), self.ANSWERS)
        assert result.total == 3.833
        assert result.clinical is None  # no published cutoff

    def test_it_scores_a_subscale_with_one_item_missing(self) -> None:
        """Without item 12, Task is (4 + 5 + 3) / 3 = 4.0 and the total 42 / 11 = 3.818."""
        result = score(measure("wai_sr"), self.ANSWERS | {12: None})
        assert result.subscales["task"] == 4.0
        assert result.total == 3.818
        assert result.prorated is True

    def test_it_drops_a_subscale_with_two_items_missing(self) -> None:
        """Two gaps in Task leave Task and the total unscored, Bond and Goal intact."""
        result = score(measure("wai_sr"), self.ANSWERS | {1: None, 2: None})
        assert result.subscales == {"task": None, "bond": 4.5, "goal": 3.0}
        assert result.total is None

    def test_it_refuses_zero_on_a_one_to_five_scale(self) -> None:
        """WAI-SR answers run 1-5."""
        with pytest.raises(AnswerError, match=f"WAI-SR item 4: 0 is outside 1{EN_DASH}5"):
            score(measure("wai_sr"), self.ANSWERS | {4: 0})


class TestSai:
    def test_it_scores_the_mean_of_six_items(self) -> None:
        """(6 + 5 + 5 + 4 + 6 + 4) / 6 = 5.0."""
        result = score(measure("sai"), {1: 6, 2: 5, 3: 5, 4: 4, 5: 6, 6: 4})
        assert result.total == 5.0
        assert result.subscales == {"goal_task": 4.667, "bond": 5.333}

    def test_it_needs_every_item_of_a_three_item_subscale(self) -> None:
        """One gap voids a three-item subscale but not the six-item total."""
        result = score(measure("sai"), {1: 6, 2: 5, 3: 5, 4: 4, 5: 6, 6: None})
        assert result.subscales["goal_task"] is None
        assert result.total == 5.2

    def test_it_refuses_seven(self) -> None:
        """The assumed scale runs 0-6."""
        with pytest.raises(AnswerError, match=f"SAI item 1: 7 is outside 0{EN_DASH}6"):
            score(measure("sai"), {1: 7})


class TestCheckin:
    def test_it_scores_the_mean_of_five_sliders(self) -> None:
        """(9 + 9 + 9 + 9 + 8) / 5 = 8.8, below the provisional cutoff of 9."""
        result = score(measure("checkin"), {1: 9, 2: 9, 3: 9, 4: 9, 5: 8})
        assert result.total == 8.8
        assert result.clinical is True

    def test_it_does_not_flag_a_mean_of_exactly_nine(self) -> None:
        """9.0 is at the cutoff."""
        result = score(measure("checkin"), every_item(measure("checkin"), 9))
        assert result.total == 9.0
        assert result.clinical is False

    def test_it_averages_the_four_answered_when_one_is_skipped(self) -> None:
        """(10 + 10 + 9 + 8) / 4 = 9.25, kept to two decimals."""
        result = score(measure("checkin"), {1: 10, 2: 10, 3: 9, 4: 8, 5: None})
        assert result.total == 9.25
        assert result.prorated is True

    def test_it_refuses_half_points(self) -> None:
        """Check-in sliders move in whole points."""
        with pytest.raises(AnswerError, match=r"Check-in item 3: 7\.5 is not on the scale"):
            score(measure("checkin"), {3: 7.5})

    def test_it_asks_the_therapist_the_same_dimensions(self) -> None:
        """Client and therapist views compare item by item on the same keys."""
        client = [item.key for item in measure("checkin").items]
        therapist = [item.key for item in measure("checkin_therapist").items]
        assert client == therapist == ["heard", "goals", "approach", "safety", "overall"]

    def test_it_asks_each_side_one_open_question(self) -> None:
        """The client is asked about next time, the therapist for a note."""
        assert [q.key for q in measure("checkin").free_text] == ["next_time"]
        assert [q.key for q in measure("checkin_therapist").free_text] == ["note"]


class TestRefusedAnswers:
    def test_it_names_the_measure_item_and_range_when_out_of_range(self) -> None:
        """The message reads like a sentence a clinician can act on."""
        with pytest.raises(AnswerError) as caught:
            score(measure("phq9"), {3: 4})
        assert str(caught.value) == f"PHQ-9 item 3: 4 is outside 0{EN_DASH}3"

    def test_it_refuses_an_unknown_item_number(self) -> None:
        """PHQ-9 has nine items."""
        with pytest.raises(
            AnswerError, match=re.escape(f"PHQ-9 has no item 10 (its items are 1{EN_DASH}9)")
        ):
            score(measure("phq9"), {10: 1})

    @pytest.mark.parametrize("key", ["three", "", "-1", "1.5", None, True, "²"])
    def test_it_refuses_keys_that_are_not_item_numbers(self, key: object) -> None:
        """Only ints and digit strings name items."""
        with pytest.raises(AnswerError, match="is not an item number"):
            score(measure("phq9"), {key: 1})  # type: ignore[arg-type]

    @pytest.mark.parametrize("value", ["2", True, False, float("nan"), float("inf"), [1]])
    def test_it_refuses_values_that_are_not_numbers(self, value: object) -> None:
        """Strings and booleans are not answers, even when they look like one."""
        with pytest.raises(AnswerError, match=r"PHQ-9 item 1: .* is not a number"):
            score(measure("phq9"), {1: value})  # type: ignore[arg-type]

    def test_it_refuses_a_value_between_choices(self) -> None:
        """Choice scales accept only their listed values."""
        with pytest.raises(AnswerError, match=r"PHQ-9 item 2: 1\.5 is not one of the answers"):
            score(measure("phq9"), {2: 1.5})

    def test_it_refuses_the_same_item_twice(self) -> None:
        """Item 3 given as 3 and as "3" is ambiguous."""
        with pytest.raises(AnswerError, match="item 3 was answered twice"):
            score(measure("phq9"), {3: 1, "3": 2})  # type: ignore[arg-type]


class TestScoreShape:
    def test_it_reports_every_field_for_an_empty_answer_set(self) -> None:
        """Nothing answered: nothing scored, everything missing."""
        result = score(measure("gad7"), {})
        assert result == Score(
            instrument="gad7",
            total=None,
            subscales={},
            answered=0,
            missing=(1, 2, 3, 4, 5, 6, 7),
            prorated=False,
            band=None,
            clinical=None,
            risk_items=(),
            item_scores={},
        )

    def test_it_is_immutable(self) -> None:
        """Scores are values; nobody edits a result after the fact."""
        result = score(measure("gad7"), {})
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.total = 3  # type: ignore[misc]

    def test_it_returns_floats_for_totals(self) -> None:
        """Totals are plain floats, ready for JSON and the database."""
        result = score(measure("phq9"), every_item(measure("phq9"), 1))
        assert type(result.total) is float
        assert all(type(v) is float for v in result.item_scores.values())
