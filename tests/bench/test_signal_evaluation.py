"""The signal-evaluation harness in bench/: its simulated truth, its metrics and its report.

The headline targets are not asserted here: on a few hundred clients they are statistically
fragile, and the evidence is the full report (``python -m bench.evaluate_signals``).
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import pytest
from bench.cohort import (
    PHQ9_RELIABLE_CHANGE,
    ClientType,
    CohortParams,
    RuptureKind,
    SimulatedClient,
    TrueRupture,
    evaluation_cohort,
    generate_cohort,
    history_cohort,
)
from bench.evaluate_signals import (
    Case,
    Matching,
    detection_metrics,
    evaluate_deterioration,
    evaluate_ruptures,
    main,
    match_case,
    wilson,
)

from rapport.core.alliance import review_alliance
from rapport.core.change import ChangeCategory, classify_change
from rapport.core.instruments import Instrument, default_registry

SEED = 7
SMALL = CohortParams(n_clients=300)


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """Override the project-wide autouse fixture: nothing here needs Django."""


@pytest.fixture(scope="module")
def cohort() -> list[SimulatedClient]:
    return evaluation_cohort(SMALL, SEED)


@pytest.fixture(scope="module")
def phq9() -> Instrument:
    return default_registry().get("phq9")


@pytest.fixture(scope="module")
def checkin() -> Instrument:
    return default_registry().get("checkin")


def _client(
    *,
    phq9: tuple[int, ...] = (),
    checkin: tuple[float, ...] = (),
    ruptures: tuple[TrueRupture, ...] = (),
    onset: int | None = None,
) -> SimulatedClient:
    """A hand-built client; only the fields the evaluation reads matter."""
    length = max(len(phq9), len(checkin))
    phq9 = phq9 or (10,) * length
    checkin = checkin or (9.5,) * length
    return SimulatedClient(
        client_id=0,
        client_type=ClientType.DETERIORATOR if onset else ClientType.FLAT,
        rupture_kind=RuptureKind.REPAIRED if ruptures else RuptureKind.NONE,
        sessions=length,
        phq9=phq9,
        phq9_course=tuple(float(v) for v in phq9),
        checkin=checkin,
        checkin_course=checkin,
        alliance_level=9.0,
        ruptures=ruptures,
        deterioration_onset=onset,
        ends_deteriorated=phq9[-1] - phq9[0] >= PHQ9_RELIABLE_CHANGE,
    )


class TestGeneratorGroundTruth:
    def test_the_same_seed_gives_the_same_cohort_and_the_history_differs(
        self, cohort: list[SimulatedClient]
    ) -> None:
        assert evaluation_cohort(SMALL, SEED) == cohort
        history = history_cohort(SMALL, SEED, 50)
        assert len(history) == 50
        assert [c.phq9 for c in history] != [c.phq9 for c in cohort[:50]]

    def test_scores_lie_on_each_measure_s_scale(self, cohort: list[SimulatedClient]) -> None:
        for client in cohort:
            assert SMALL.min_sessions <= client.sessions <= SMALL.max_sessions
            assert len(client.phq9) == len(client.checkin) == client.sessions
            assert all(isinstance(v, int) and 0 <= v <= 27 for v in client.phq9)
            assert all(0.0 <= v <= 10.0 and round(v, 1) == v for v in client.checkin)

    def test_the_reliable_change_value_matches_the_phq9_definition(self, phq9: Instrument) -> None:
        assert phq9.reliable_change == PHQ9_RELIABLE_CHANGE

    def test_every_type_and_rupture_kind_occurs(self, cohort: list[SimulatedClient]) -> None:
        types = {c.client_type for c in cohort}
        kinds = {c.rupture_kind for c in cohort}
        assert types == set(ClientType)
        assert kinds == set(RuptureKind)
        deteriorators = sum(c.client_type is ClientType.DETERIORATOR for c in cohort)
        assert 0.03 <= deteriorators / len(cohort) <= 0.14  # 8% expected; +-4 SD at n = 300

    def test_deteriorators_turn_worse_at_onset_and_end_reliably_worse(
        self, cohort: list[SimulatedClient], phq9: Instrument
    ) -> None:
        deteriorators = [c for c in cohort if c.client_type is ClientType.DETERIORATOR]
        assert deteriorators
        for client in deteriorators:
            onset = client.deterioration_onset
            assert onset is not None
            assert 2 <= onset <= client.sessions - 1
            course = client.phq9_course
            assert course[onset - 1] > course[onset - 2]  # the course turns worse at onset
            assert course[-1] >= min(client.phq9[0] + 8.0, 27.0) - 1e-9
            assert client.phq9[0] <= SMALL.deterioration_max_intake
            assert client.ends_deteriorated
            change = classify_change(phq9, [float(v) for v in client.phq9])
            assert change.category is ChangeCategory.DETERIORATED
        others = [c for c in cohort if c.client_type is not ClientType.DETERIORATOR]
        assert all(c.deterioration_onset is None for c in others)

    def test_log_session_onsets_come_earlier_than_uniform_ones(self) -> None:
        """Log-session onsets fall in the first half about 3 times in 4; uniform ones about
        half the time, and both stay between session 2 and the episode's second-last."""
        shares = {}
        for law in ("log_session", "uniform"):
            params = CohortParams(n_clients=1500, deterioration_onset_law=law)
            deteriorators = [
                c for c in generate_cohort(params, SEED) if c.deterioration_onset is not None
            ]
            onsets = [(c.deterioration_onset or 0, c.sessions) for c in deteriorators]
            assert all(2 <= onset <= length - 1 for onset, length in onsets)
            early = sum(onset <= math.ceil(length / 2) for onset, length in onsets)
            shares[law] = early / len(onsets)
        assert 0.68 <= shares["log_session"] <= 0.85, shares
        assert 0.42 <= shares["uniform"] <= 0.62, shares

    def test_it_rejects_an_unknown_onset_law(self) -> None:
        with pytest.raises(ValueError, match="deterioration_onset_law"):
            CohortParams(deterioration_onset_law="exponential")

    def test_ruptured_alliance_drops_at_onset_and_repairs_as_recorded(
        self, cohort: list[SimulatedClient]
    ) -> None:
        drops = []
        for client in cohort:
            course = client.checkin_course
            if client.rupture_kind is RuptureKind.NONE:
                assert client.ruptures == ()
                assert set(course) == {client.alliance_level}
                continue
            (truth,) = client.ruptures
            onset, level = truth.onset, client.alliance_level
            assert SMALL.rupture_first_onset <= onset <= client.sessions - 2
            assert 2.0 <= truth.drop <= 4.0
            assert all(v == level for v in course[: onset - 1])  # stable before the onset
            assert course[onset - 1] == pytest.approx(max(0.0, level - truth.drop))
            assert truth.repaired is (client.rupture_kind is RuptureKind.REPAIRED)
            if truth.repaired:
                assert truth.back_at is not None
                assert 1 <= truth.back_at - onset <= 2
                assert all(v == level for v in course[truth.back_at - 1 :])
            else:
                assert truth.back_at is None or truth.back_at - onset >= 3
                assert all(v < level for v in course[onset - 1 : onset + 2])
            before = statistics.fmean(client.checkin[: onset - 1])
            observed_drop = before - client.checkin[onset - 1]
            assert observed_drop > 0  # the observed score really falls at the onset
            drops.append(observed_drop)
        assert statistics.fmean(drops) >= 2.0

    def test_invalid_parameters_are_refused(self) -> None:
        with pytest.raises(ValueError, match="outcome shares"):
            CohortParams(share_improver=0.9, share_deteriorator=0.2)
        with pytest.raises(ValueError, match="too short"):
            CohortParams(min_sessions=4)
        assert len(generate_cohort(CohortParams(n_clients=3), 1)) == 3


class TestMetricsOnHandBuiltCases:
    def test_next_session_matching(self) -> None:
        cases = [
            Case(tuple(range(1, 7)), flags=(4, 6), onsets=(3,)),  # caught 1 late; 6 is false
            Case(tuple(range(1, 6)), flags=(), onsets=(2,)),  # missed
            Case(tuple(range(1, 5)), flags=(2,)),  # no event: one false alert
            Case((1, 2, 5, 7), flags=(5,), onsets=(2,)),  # gap: 5 is the next scored session
            Case(tuple(range(1, 9)), flags=(5,), onsets=(3,)),  # two sessions late: missed
        ]
        metrics = detection_metrics(cases, Matching.NEXT_SESSION)
        assert metrics.events == 4
        assert metrics.detected == 2
        assert metrics.sensitivity == pytest.approx(0.5)
        assert metrics.sessions == 6 + 5 + 4 + 4 + 8
        assert metrics.false_alerts == 3  # 6 in case 1, 2 in case 3, 5 in case 5
        assert metrics.false_alerts_per_100 == pytest.approx(300 / 27)
        assert metrics.latencies == (1, 3)
        assert metrics.median_latency == pytest.approx(2.0)
        assert metrics.clients_with_false_alert == 3
        assert metrics.detected_within(1) == pytest.approx(0.25)

    def test_one_flag_detects_one_event(self) -> None:
        match = match_case(
            Case(tuple(range(1, 8)), flags=(3,), onsets=(2, 3)), Matching.NEXT_SESSION
        )
        assert match.detected == {2: 3}
        assert match.false_flags == ()

    def test_onward_matching_for_a_signal_that_stays_on(self) -> None:
        cases = [
            Case(tuple(range(1, 7)), flags=(2, 4, 5), onsets=(3,)),  # 2 is before the onset
            Case(tuple(range(1, 5)), flags=(3, 4)),  # no event: both flags false
        ]
        metrics = detection_metrics(cases, Matching.ONWARD)
        assert metrics.sensitivity == pytest.approx(1.0)
        assert metrics.false_alerts == 3
        assert metrics.false_alerts_per_100 == pytest.approx(30.0)
        assert metrics.latencies == (1,)
        assert metrics.flags == 5

    def test_no_events_gives_no_sensitivity(self) -> None:
        metrics = detection_metrics([Case((1, 2), flags=())], Matching.ONWARD)
        assert metrics.sensitivity is None
        assert metrics.median_latency is None
        assert metrics.false_alerts_per_100 == 0.0

    def test_wilson_interval(self) -> None:
        low, high = wilson(5, 10) or (math.nan, math.nan)
        assert low == pytest.approx(0.2366, abs=1e-4)
        assert high == pytest.approx(0.7634, abs=1e-4)
        assert wilson(0, 0) is None

    def test_rupture_evaluation_with_the_real_rule(self, checkin: Instrument) -> None:
        repaired = _client(
            checkin=(9.0, 9.0, 9.0, 6.0, 9.0, 9.0),  # 3 below the mean of 9: a rupture
            ruptures=(TrueRupture(onset=4, drop=3.0, repaired=True, back_at=5),),
        )
        wobble = _client(checkin=(9.0, 8.0, 9.0, 9.0))  # a step of 1.0 to below the cutoff
        result = evaluate_ruptures(checkin, [repaired, wobble])
        assert result.detection.sensitivity == pytest.approx(1.0)
        assert result.detection.false_alerts == 1
        assert result.detection.false_alerts_per_100 == pytest.approx(10.0)
        assert result.detection.latencies == (0,)
        assert (result.repair_judged, result.repair_correct) == (1, 1)
        assert result.false_by_trigger == {"step_drop_below_cutoff": 1}

    def test_deterioration_evaluation_with_the_real_rule(self, phq9: Instrument) -> None:
        worse = _client(phq9=(10, 12, 16, 17), onset=3)  # 16 - 10 = 6: reliable at session 3
        noisy = _client(phq9=(8, 14, 9, 8))  # +6 at session 2 only: a false alert
        result = evaluate_deterioration(phq9, [worse, noisy])
        metrics = result.detection
        assert metrics.sensitivity == pytest.approx(1.0)
        assert metrics.latencies == (0,)
        assert metrics.false_alerts == 1
        assert metrics.false_alerts_per_100 == pytest.approx(12.5)
        assert result.ended_deteriorated == 1


def test_the_rupture_rule_is_causal(cohort: list[SimulatedClient], checkin: Instrument) -> None:
    """One review of a whole series flags the same sessions as reviewing it session by session,
    which is what lets the evaluation review each client once."""
    for client in cohort[:60]:
        series = client.checkin_series()
        whole = [r.session for r in review_alliance(checkin, series).ruptures]
        stepwise = [
            t
            for t in range(1, len(series) + 1)
            if any(r.session == t for r in review_alliance(checkin, series[:t]).ruptures)
        ]
        assert whole == stepwise


EXPECTED_HEADINGS = (
    "# Clinical-signal evaluation on a simulated cohort",
    "## Headline results",
    "## Rupture detection",
    "## Reliable deterioration",
    "## Not on track",
    "## Sensitivity analysis",
    "## What-if: other rule settings",
    "## Rule weaknesses observed",
    "## Cohort as generated",
    "## Parameters",
    "## Definitions",
    "## Reproducing this report",
)


def test_the_command_writes_the_report_and_its_json_twin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "results" / "signals.md"
    args = ["--clients", "300", "--history", "150", "--seed", str(SEED), "--output", str(output)]
    assert main(args) == 0

    text = output.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert tuple(h for h in headings if h in EXPECTED_HEADINGS) == EXPECTED_HEADINGS
    assert "python -m bench.evaluate_signals --clients 300 --history 150" in text
    assert "| `alliance_noise_sd` | 0.5 |" in text
    assert "statsmodels" in text
    assert text.count("PASS") + text.count("FAIL") >= 4

    data = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["seed"] == SEED
    assert data["parameters"]["n_clients"] == 300
    assert data["cohorts"]["test"]["clients"] == 300
    assert data["cohorts"]["history"]["clients"] == 150
    assert data["not_on_track"]["test"]["model"]["fitted"] is True
    assert [t["signal"] for t in data["targets"]] == [
        "Rupture",
        "Rupture",
        "Reliable deterioration",
        "Not on track",
    ]
    assert all(isinstance(t["pass"], bool) for t in data["targets"])
    rupture = data["ruptures"]["test"]
    assert 0.0 <= rupture["sensitivity"] <= 1.0
    assert rupture["events"] == sum(1 for c in evaluation_cohort(SMALL, SEED) if c.ruptures)
    assert "PASS" in capsys.readouterr().out
