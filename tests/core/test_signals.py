"""One client's signals, ranked for triage, with the questions to raise them."""

from __future__ import annotations

import pytest

from rapport.core.prompts import Theme, alliance_prompts, prompts_for, theme_of_item
from rapport.core.signals import (
    ClientData,
    RiskEndorsement,
    SignalKind,
    Urgency,
    evaluate_client,
)
from rapport.core.status import Colour
from rapport.core.trajectory import NotEnoughData, TrajectoryModel
from tests.core.helpers import measure

PHQ9 = measure("phq9")
CHECKIN = measure("checkin")
THERAPIST = measure("checkin_therapist")

# Expected PHQ-9 = 10 + 0.5 * (intake - 15) at every session; predictive SD = sqrt(1 + 3) = 2;
# boundary = expected + 1.5 * 2. For an intake of 18: expected 11.5, boundary 14.5.
MODEL = TrajectoryModel(
    instrument_code="phq9",
    better=PHQ9.better,
    total_range=PHQ9.total_range,
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
STEADY = [(1, 9.4), (2, 9.6), (3, 9.4)]


def client(**fields: object) -> ClientData:
    base: dict[str, object] = {
        "outcome": PHQ9,
        "alliance": CHECKIN,
        "therapist": THERAPIST,
        "trajectory": MODEL,
    }
    return ClientData(**{**base, **fields})  # type: ignore[arg-type]


def kinds(data: ClientData) -> list[SignalKind]:
    return [s.kind for s in evaluate_client(data).signals]


class TestProgress:
    @pytest.mark.parametrize(
        ("latest", "urgency", "kind"),
        [
            (11, Urgency.GREEN, None),  # better than the 11.5 expected
            (14, Urgency.AMBER, SignalKind.BELOW_EXPECTED),  # worse, inside the boundary
            (15, Urgency.RED, SignalKind.NOT_ON_TRACK),  # beyond 14.5
        ],
    )
    def test_it_ranks_the_latest_score_against_the_expected_course(
        self, latest: float, urgency: Urgency, kind: SignalKind | None
    ) -> None:
        result = evaluate_client(client(outcome_scores=[(1, 18), (2, latest)]))
        assert result.urgency is urgency
        assert kinds(client(outcome_scores=[(1, 18), (2, latest)])) == ([kind] if kind else [])

    def test_it_calls_reliable_deterioration_red_even_without_a_model(self) -> None:
        data = client(outcome_scores=[(1, 8), (2, 15)], trajectory=None)
        result = evaluate_client(data)
        assert result.urgency is Urgency.RED
        assert result.signals[0].kind is SignalKind.DETERIORATION
        assert "reliable deterioration of 7" in result.reason
        assert result.signals[0].prompts == prompts_for("deterioration")

    def test_it_says_there_is_no_curve_rather_than_inventing_one(self) -> None:
        few = NotEnoughData("PHQ-9: 12 episodes; the model needs 30.", 12, 80)
        result = evaluate_client(client(outcome_scores=[(1, 18), (2, 16)], trajectory=few))
        assert result.urgency is Urgency.GREEN
        assert "the model needs 30" in result.reason
        assert result.progress is not None
        assert result.progress.expected is None

    def test_it_is_grey_with_only_an_intake(self) -> None:
        result = evaluate_client(client(outcome_scores=[(1, 18)]))
        assert result.urgency is Urgency.GREY
        assert result.colour is Colour.GREY
        assert "needs at least two scores" in result.reason


class TestAlliance:
    def test_it_puts_an_open_rupture_above_red(self) -> None:
        data = client(
            outcome_scores=[(1, 8), (2, 8), (3, 8), (4, 15)],
            trajectory=None,
            alliance_scores=[*STEADY, (4, 6.0)],
            alliance_items={"heard": 4, "goals": 7, "approach": 7, "safety": 6, "overall": 6},
        )
        result = evaluate_client(data)
        assert [s.urgency for s in result.signals] == [Urgency.RUPTURE, Urgency.RED]
        rupture = result.signals[0]
        assert rupture.summary.startswith("Check-in fell from 9.4 to 6.0 at session 4")
        assert rupture.prompts == alliance_prompts("heard")  # lowest item picks the prompts

    def test_it_drops_the_signal_once_the_rupture_is_repaired(self) -> None:
        data = client(
            outcome_scores=[(1, 12), (2, 11)],
            trajectory=None,
            alliance_scores=[*STEADY, (4, 6.0), (5, 9.5)],
        )
        result = evaluate_client(data)
        assert SignalKind.RUPTURE not in kinds(data)
        assert result.alliance is not None
        assert result.alliance.ruptures[0].repaired_at == 5

    def test_it_calls_a_persistently_low_alliance_red(self) -> None:
        data = client(
            outcome_scores=[(1, 12), (2, 11)], trajectory=None, alliance_scores=[(1, 6.0), (2, 6.2)]
        )
        assert kinds(data) == [SignalKind.LOW_ALLIANCE]
        assert evaluate_client(data).urgency is Urgency.RED

    def test_it_calls_one_low_session_amber(self) -> None:
        data = client(
            outcome_scores=[(1, 12), (2, 11)], trajectory=None, alliance_scores=[(1, 8.4)]
        )
        assert kinds(data) == [SignalKind.ALLIANCE_CONCERN]
        assert evaluate_client(data).urgency is Urgency.AMBER

    def test_it_flags_a_gap_between_therapist_and_client_at_the_latest_session(self) -> None:
        data = client(
            outcome_scores=[(1, 12), (2, 11)],
            trajectory=None,
            alliance_scores=[(1, 9.2), (2, 9.4)],
            therapist_scores=[(1, 9.0), (2, 7.6)],
        )
        assert kinds(data) == [SignalKind.RATER_GAP]
        stale = client(
            outcome_scores=[(1, 12), (2, 11)],
            trajectory=None,
            alliance_scores=[(1, 9.2), (2, 9.4)],
            therapist_scores=[(1, 7.6)],  # the gap was at session 1 only: no longer open
        )
        assert kinds(stale) == []


class TestRisk:
    def test_it_ranks_an_unacknowledged_risk_item_first(self) -> None:
        risk = RiskEndorsement(2, "PHQ-9", "Thoughts of self-harm", "Several days")
        data = client(
            outcome_scores=[(1, 8), (2, 16)],
            alliance_scores=[*STEADY[:1], (2, 6.0)],
            risks=[risk],
        )
        result = evaluate_client(data)
        assert result.urgency is Urgency.RISK
        assert result.signals[0].kind is SignalKind.RISK
        assert "“Thoughts of self-harm” answered “Several days”" in result.reason
        assert result.colour is Colour.RED


class TestPrompts:
    @pytest.mark.parametrize(
        ("key", "theme"),
        [
            ("heard", Theme.BOND),
            ("relationship", Theme.BOND),
            ("goals", Theme.GOALS),
            ("agreed_priorities", Theme.GOALS),
            ("approach", Theme.TASKS),
            ("helpful_tasks", Theme.TASKS),
            ("safety", Theme.SAFETY),
            ("something_new", Theme.OVERALL),
        ],
    )
    def test_it_maps_items_to_parts_of_the_alliance(self, key: str, theme: Theme) -> None:
        assert theme_of_item(key) is theme

    def test_it_offers_the_approach_question_for_a_low_approach_item(self) -> None:
        assert alliance_prompts("approach")[0] == (
            "What could I do differently to make our sessions more useful to you?"
        )

    @pytest.mark.parametrize("kind", [k.value for k in SignalKind])
    def test_it_has_two_or_three_prompts_for_every_signal(self, kind: str) -> None:
        prompts = (
            alliance_prompts(None)
            if kind in ("rupture", "alliance_concern")
            else (prompts_for(kind))
        )
        assert 2 <= len(prompts) <= 3
