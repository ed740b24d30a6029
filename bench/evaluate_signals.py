"""How well do Rapport's clinical signals find what really happened? Evidence on simulated data.

Runs the rules of :mod:`rapport.core` on a simulated cohort with known ground truth
(:mod:`bench.cohort`) and reports, per signal:

* **rupture** (:func:`rapport.core.alliance.review_alliance`, every entry of ``.ruptures``):
  sensitivity, false alerts per 100 sessions, median sessions from true onset to flag, and the
  accuracy of the REPAIRED/UNREPAIRED verdict;
* **reliable deterioration** (:func:`rapport.core.change.classify_change` over the PHQ-9 scores
  up to and including each session says DETERIORATED): the same detection metrics;
* **not on track** (:func:`rapport.core.trajectory.assess_progress` with a model fitted once on
  a separate simulated clinic history): the share of clients who end reliably deteriorated that
  were flagged by mid-episode, the false-alarm share among clients who end improved, and flags
  per 100 sessions among the rest.

Usage (from the repository root)::

    .venv/bin/python -m bench.evaluate_signals [--clients 2000] [--seed 2026]
        [--history 400] [--output bench/results/signals.md]

It writes a Markdown report to ``--output`` and a JSON twin beside it (same name, ``.json``).
The targets are the clinic's; nothing in the simulation was tuned to meet them.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Any

import rapport.core
from bench.cohort import (
    CohortParams,
    SimulatedClient,
    TrueRupture,
    episodes,
    evaluation_cohort,
    history_cohort,
)
from rapport.core.alliance import (
    AllianceReview,
    Rupture,
    RuptureState,
    Trigger,
    review_alliance,
)
from rapport.core.change import ChangeCategory, classify_change
from rapport.core.instruments import Better, Instrument, default_registry
from rapport.core.trajectory import (
    NotEnoughData,
    Progress,
    TrajectoryModel,
    assess_progress,
    fit_trajectory,
)

__all__ = [
    "Case",
    "CaseMatch",
    "DetectionMetrics",
    "EvaluationResult",
    "Matching",
    "detection_metrics",
    "main",
    "match_case",
    "run_evaluation",
    "write_report",
]

DEFAULT_CLIENTS = 2000
DEFAULT_SEED = 2026
DEFAULT_HISTORY = 400
DEFAULT_OUTPUT = Path("bench/results/signals.md")

RUPTURE_SENSITIVITY_TARGET = 0.90
RUPTURE_FALSE_ALERTS_TARGET = 5.0  # per 100 sessions, at most
DETERIORATION_SENSITIVITY_TARGET = 0.85
NOT_ON_TRACK_CATCH_TARGET = 0.70
REPAIR_WINDOW = 2  # later sessions a rupture needs before REPAIRED/UNREPAIRED can be judged
Z95 = 1.959964

REPORT_HEADINGS = (
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


# -- generic detection metrics ------------------------------------------------------------


class Matching(StrEnum):
    """How a flag is matched to a true event."""

    NEXT_SESSION = "next_session"  # at the onset or the next scored session (event signals)
    ONWARD = "onward"  # at any session from the onset on (a state that stays on)


@dataclass(frozen=True)
class Case:
    """One client's scored sessions, the sessions the rule flagged, and the true onsets."""

    scored_sessions: tuple[int, ...]
    flags: tuple[int, ...]
    onsets: tuple[int, ...] = ()


@dataclass(frozen=True)
class CaseMatch:
    """Which true onsets were detected (onset -> matched flag) and which flags were false."""

    detected: dict[int, int]
    false_flags: tuple[int, ...]


def match_case(case: Case, matching: Matching) -> CaseMatch:
    """Match flags to true onsets.

    NEXT_SESSION: an onset is detected by the earliest unused flag at the onset session or the
    next scored session after it; each flag detects at most one onset and every unused flag is a
    false alert. ONWARD: an onset is detected by its first flag at or after it, and every flag at
    or after the earliest onset is matched (the signal stays on while the event lasts); flags
    before it are false alerts.
    """
    flags = sorted(set(case.flags))
    sessions = sorted(case.scored_sessions)
    detected: dict[int, int] = {}
    if matching is Matching.ONWARD:
        first_onset = min(case.onsets, default=None)
        for onset in sorted(case.onsets):
            later = [f for f in flags if f >= onset]
            if later:
                detected[onset] = later[0]
        false = tuple(f for f in flags if first_onset is None or f < first_onset)
        return CaseMatch(detected, false)
    used: set[int] = set()
    for onset in sorted(case.onsets):
        following = [s for s in sessions if s > onset]
        window = (onset, following[0]) if following else (onset,)
        hit = next((f for f in flags if f in window and f not in used), None)
        if hit is not None:
            used.add(hit)
            detected[onset] = hit
    return CaseMatch(detected, tuple(f for f in flags if f not in used))


@dataclass(frozen=True)
class DetectionMetrics:
    """Sensitivity, false alerts and latency over a set of cases."""

    clients: int
    sessions: int
    events: int
    detected: int
    flags: int
    false_alerts: int
    clients_with_false_alert: int
    clients_without_event: int
    latencies: tuple[int, ...] = field(repr=False)

    @property
    def sensitivity(self) -> float | None:
        return self.detected / self.events if self.events else None

    @property
    def sensitivity_ci(self) -> tuple[float, float] | None:
        return wilson(self.detected, self.events)

    @property
    def false_alerts_per_100(self) -> float:
        return 100 * self.false_alerts / self.sessions if self.sessions else 0.0

    @property
    def median_latency(self) -> float | None:
        return float(statistics.median(self.latencies)) if self.latencies else None

    def detected_within(self, sessions: int) -> float | None:
        """Share of events flagged no more than ``sessions`` sessions after onset."""
        if not self.events:
            return None
        return sum(1 for lag in self.latencies if lag <= sessions) / self.events

    def as_dict(self) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "sessions": self.sessions,
            "events": self.events,
            "detected": self.detected,
            "sensitivity": self.sensitivity,
            "sensitivity_ci95": self.sensitivity_ci,
            "flags": self.flags,
            "false_alerts": self.false_alerts,
            "false_alerts_per_100_sessions": self.false_alerts_per_100,
            "clients_with_false_alert": self.clients_with_false_alert,
            "clients_without_event": self.clients_without_event,
            "median_sessions_onset_to_flag": self.median_latency,
            "detected_within_1_session": self.detected_within(1),
            "detected_within_2_sessions": self.detected_within(2),
        }


def detection_metrics(cases: Iterable[Case], matching: Matching) -> DetectionMetrics:
    """Aggregate :func:`match_case` over ``cases``.

    Sensitivity = detected onsets / true onsets; false alerts per 100 sessions = unmatched flags
    / scored sessions x 100; latency = matched flag session - onset session.
    """
    clients = sessions = events = detected = flags = false_alerts = 0
    with_false = without_event = 0
    latencies: list[int] = []
    for case in cases:
        match = match_case(case, matching)
        clients += 1
        sessions += len(case.scored_sessions)
        events += len(case.onsets)
        detected += len(match.detected)
        flags += len(set(case.flags))
        false_alerts += len(match.false_flags)
        with_false += bool(match.false_flags)
        without_event += not case.onsets
        latencies += [flag - onset for onset, flag in match.detected.items()]
    return DetectionMetrics(
        clients=clients,
        sessions=sessions,
        events=events,
        detected=detected,
        flags=flags,
        false_alerts=false_alerts,
        clients_with_false_alert=with_false,
        clients_without_event=without_event,
        latencies=tuple(sorted(latencies)),
    )


def wilson(successes: int, total: int) -> tuple[float, float] | None:
    """Wilson 95% interval for a proportion (None when ``total`` is 0)."""
    if total == 0:
        return None
    p = successes / total
    denom = 1 + Z95**2 / total
    centre = (p + Z95**2 / (2 * total)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / total + Z95**2 / (4 * total**2)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# -- the three signals --------------------------------------------------------------------


@dataclass(frozen=True)
class RuptureResult:
    detection: DetectionMetrics
    repair_judged: int
    repair_correct: int
    confusion: dict[str, int]  # "true_repaired->repaired" etc.
    false_by_trigger: dict[str, int]
    missed_masked: int  # true ruptures missed while an earlier flagged rupture was unresolved
    missed_by_drop: dict[str, tuple[int, int]]  # drop band -> (missed, total)
    step_falls_not_flagged: int  # falls of at least one minimal step (on the score grid)
    # that the rule did not mark as a step drop (binary floating point: 8.2 - 7.2 < 1.0)
    examples: dict[str, str]  # the first case of each kind of error, in words

    @property
    def repair_accuracy(self) -> float | None:
        return self.repair_correct / self.repair_judged if self.repair_judged else None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.detection.as_dict(),
            "repair_judged": self.repair_judged,
            "repair_correct": self.repair_correct,
            "repair_accuracy": self.repair_accuracy,
            "repair_accuracy_ci95": wilson(self.repair_correct, self.repair_judged),
            "repair_confusion": self.confusion,
            "false_alerts_by_trigger": self.false_by_trigger,
            "missed_while_earlier_rupture_unresolved": self.missed_masked,
            "missed_by_true_drop": {k: list(v) for k, v in self.missed_by_drop.items()},
            "step_falls_not_flagged_as_step_drop": self.step_falls_not_flagged,
            "examples": self.examples,
        }


def _step_falls_not_flagged(
    instrument: Instrument, series: Sequence[tuple[int, float]], review: AllianceReview
) -> int:
    """Falls of at least the minimal step, counted on the measure's grid (tenths for the
    check-in), at which the rule raised no STEP_DROP trigger. Non-zero means the comparison is
    made in binary floating point (8.2 - 7.2 = 0.9999999999999991 < 1.0)."""
    step = instrument.minimal_step
    if step is None:
        return 0
    grid = 10**instrument.decimals
    flagged = {c.session for c in review.concerns if Trigger.STEP_DROP in c.triggers}
    worse_down = instrument.better is Better.HIGHER
    return sum(
        1
        for (_, before), (session, after) in itertools.pairwise(series)
        if round(((before - after) if worse_down else (after - before)) * grid)
        >= round(step * grid)
        and session not in flagged
    )


def _drop_band(drop: float) -> str:
    return "2.0-2.5" if drop < 2.5 else "2.5-3.0" if drop < 3.0 else "3.0-4.0"


def _scores_text(client: SimulatedClient) -> str:
    return ", ".join(f"{v:.1f}" for v in client.checkin)


def _example_masked(client: SimulatedClient, truth: TrueRupture, review: AllianceReview) -> str:
    blocker = next(r for r in review.ruptures if r.session < truth.onset)
    return (
        f"client {client.client_id} (personal level {client.alliance_level:.2f}), check-in "
        f"{_scores_text(client)}: true rupture at session {truth.onset} (drop "
        f"{truth.drop:.1f}) not flagged, because the rule's rupture at session "
        f"{blocker.session} (pre-drop level {blocker.pre_drop_level:.2f}) had not recovered "
        f"by then (recovered at {blocker.recovered_at})"
    )


def _example_repair(
    instrument: Instrument, client: SimulatedClient, truth: TrueRupture, rupture: Rupture
) -> str:
    tolerance = (instrument.minimal_step or 0.0) / 2
    return (
        f"client {client.client_id} (personal level {client.alliance_level:.2f}), check-in "
        f"{_scores_text(client)}: true rupture at session {truth.onset}, truly back at the "
        f"personal level at session {truth.back_at}; the rule called it "
        f"{rupture.state.value.upper()} (a repair needs a score within {tolerance:g} of the "
        f"pre-drop level {rupture.pre_drop_level:.2f} within two sessions)"
    )


def _example_false(client: SimulatedClient, review: AllianceReview, flags: Sequence[int]) -> str:
    reasons = "; ".join(r.reason for r in review.ruptures if r.session in flags)
    return (
        f"client {client.client_id} (personal level {client.alliance_level:.2f}, no true "
        f"rupture), check-in {_scores_text(client)}: flagged {reasons}"
    )


def evaluate_ruptures(instrument: Instrument, clients: Sequence[SimulatedClient]) -> RuptureResult:
    """Run :func:`review_alliance` once per client and score its ruptures against the truth.

    The rule is causal (whether session t is a rupture depends only on sessions up to t), so one
    review of the whole series gives the same rupture sessions as reviewing it session by
    session; the tests check this.
    """
    cases: list[Case] = []
    judged = correct = masked = step_misses = 0
    confusion = {
        f"true_{t}->{r}": 0 for t in ("repaired", "unrepaired") for r in ("repaired", "unrepaired")
    }
    false_by_trigger: dict[str, int] = {}
    missed_by_drop: dict[str, list[int]] = {}
    examples: dict[str, str] = {}
    for client in clients:
        series = client.checkin_series()
        review = review_alliance(instrument, series)
        case = Case(
            scored_sessions=tuple(s for s, _ in series),
            flags=tuple(r.session for r in review.ruptures),
            onsets=tuple(t.onset for t in client.ruptures),
        )
        cases.append(case)
        match = match_case(case, Matching.NEXT_SESSION)
        step_misses += _step_falls_not_flagged(instrument, series, review)
        by_session = {r.session: r for r in review.ruptures}
        triggers = {c.session: c.triggers for c in review.concerns}
        for false_flag in match.false_flags:
            key = _trigger_key(triggers.get(false_flag, frozenset()))
            false_by_trigger[key] = false_by_trigger.get(key, 0) + 1
        if match.false_flags and not client.ruptures:
            examples.setdefault("false_alert", _example_false(client, review, match.false_flags))
        for truth in client.ruptures:
            band = missed_by_drop.setdefault(_drop_band(truth.drop), [0, 0])
            band[1] += 1
            hit = match.detected.get(truth.onset)
            if hit is None:
                band[0] += 1
                if _masked(review, truth.onset):
                    masked += 1
                    examples.setdefault("missed_masked", _example_masked(client, truth, review))
                continue
            rupture = by_session[hit]
            if rupture.state is RuptureState.OPEN:
                continue
            judged += 1
            said_repaired = rupture.state is RuptureState.REPAIRED
            correct += said_repaired == truth.repaired
            label = "repaired" if truth.repaired else "unrepaired"
            confusion[f"true_{label}->{'repaired' if said_repaired else 'unrepaired'}"] += 1
            if truth.repaired and not said_repaired:
                examples.setdefault(
                    "repaired_called_unrepaired",
                    _example_repair(instrument, client, truth, rupture),
                )
    return RuptureResult(
        detection=detection_metrics(cases, Matching.NEXT_SESSION),
        repair_judged=judged,
        repair_correct=correct,
        confusion=confusion,
        false_by_trigger=dict(sorted(false_by_trigger.items())),
        missed_masked=masked,
        missed_by_drop={k: (v[0], v[1]) for k, v in sorted(missed_by_drop.items())},
        step_falls_not_flagged=step_misses,
        examples=examples,
    )


def _trigger_key(triggers: frozenset[Trigger]) -> str:
    if Trigger.MEAN_DROP in triggers:
        return "mean_drop"
    return "step_drop_below_cutoff"


def _masked(review: AllianceReview, onset: int) -> bool:
    """Whether an earlier flagged rupture was still unresolved at ``onset`` (no new one starts)."""
    return any(
        r.session < onset and (r.recovered_at is None or r.recovered_at > onset)
        for r in review.ruptures
    )


@dataclass(frozen=True)
class DeteriorationResult:
    detection: DetectionMetrics
    designed_deteriorators: int
    ended_deteriorated: int
    ended_deteriorated_non_deteriorators: int  # flat/improver clients who end reliably worse
    flagged_before_onset: int  # deteriorators with a flag before their true onset

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.detection.as_dict(),
            "designed_deteriorators": self.designed_deteriorators,
            "clients_ending_reliably_deteriorated": self.ended_deteriorated,
            "of_which_not_designed_deteriorators": self.ended_deteriorated_non_deteriorators,
            "deteriorators_flagged_before_onset": self.flagged_before_onset,
        }


def deterioration_flags(instrument: Instrument, client: SimulatedClient) -> tuple[int, ...]:
    """Sessions at which classify_change over the scores so far says DETERIORATED."""
    scores = [float(v) for v in client.phq9]
    return tuple(
        session
        for session in client.session_numbers
        if classify_change(instrument, scores[:session]).category is ChangeCategory.DETERIORATED
    )


def evaluate_deterioration(
    instrument: Instrument, clients: Sequence[SimulatedClient]
) -> DeteriorationResult:
    cases = []
    before = ended = ended_other = designed = 0
    for client in clients:
        flags = deterioration_flags(instrument, client)
        onset = client.deterioration_onset
        cases.append(
            Case(tuple(client.session_numbers), flags, (onset,) if onset is not None else ())
        )
        if onset is not None:
            designed += 1
            before += any(f < onset for f in flags)
        final = classify_change(instrument, [float(v) for v in client.phq9]).category
        if final is ChangeCategory.DETERIORATED:
            ended += 1
            ended_other += onset is None
    return DeteriorationResult(
        detection=detection_metrics(cases, Matching.ONWARD),
        designed_deteriorators=designed,
        ended_deteriorated=ended,
        ended_deteriorated_non_deteriorators=ended_other,
        flagged_before_onset=before,
    )


@dataclass(frozen=True)
class NotOnTrackResult:
    model: dict[str, Any]
    ended_deteriorated: int
    caught_by_mid: int
    ended_improved: int
    improved_flagged_by_mid: int
    non_deteriorator_sessions: int
    non_deteriorator_flags: int
    change_rule_caught_by_mid: int  # the reliable-deterioration rule, for comparison
    designed_onset_by_mid: tuple[int, int]  # (caught, total) among designed onsets <= mid
    designed_onset_after_mid: tuple[int, int]  # (caught, total) among onsets > mid
    designed_flag_lag: tuple[int, ...]  # first NOT_ON_TRACK at/after onset, minus onset

    @property
    def catch_share(self) -> float | None:
        return self.caught_by_mid / self.ended_deteriorated if self.ended_deteriorated else None

    @property
    def false_alarm_share(self) -> float | None:
        return self.improved_flagged_by_mid / self.ended_improved if self.ended_improved else None

    @property
    def flags_per_100(self) -> float:
        if not self.non_deteriorator_sessions:
            return 0.0
        return 100 * self.non_deteriorator_flags / self.non_deteriorator_sessions

    def as_dict(self) -> dict[str, Any]:
        lag = statistics.median(self.designed_flag_lag) if self.designed_flag_lag else None
        return {
            "model": self.model,
            "clients_ending_reliably_deteriorated": self.ended_deteriorated,
            "caught_not_on_track_by_mid_episode": self.caught_by_mid,
            "catch_share": self.catch_share,
            "catch_share_ci95": wilson(self.caught_by_mid, self.ended_deteriorated),
            "clients_ending_recovered_or_improved": self.ended_improved,
            "of_which_flagged_by_mid_episode": self.improved_flagged_by_mid,
            "false_alarm_share": self.false_alarm_share,
            "non_deteriorator_sessions": self.non_deteriorator_sessions,
            "non_deteriorator_not_on_track_flags": self.non_deteriorator_flags,
            "non_deteriorator_flags_per_100_sessions": self.flags_per_100,
            "reliable_change_rule_caught_by_mid_episode": self.change_rule_caught_by_mid,
            "designed_deteriorators_onset_by_mid_caught": list(self.designed_onset_by_mid),
            "designed_deteriorators_onset_after_mid_caught": list(self.designed_onset_after_mid),
            "designed_median_sessions_onset_to_first_flag": lag,
        }


def fit_model(
    instrument: Instrument, history: Sequence[SimulatedClient]
) -> TrajectoryModel | NotEnoughData:
    return fit_trajectory(instrument, episodes(history))


def _model_summary(model: TrajectoryModel | NotEnoughData) -> dict[str, Any]:
    if isinstance(model, NotEnoughData):
        return {"fitted": False, "reason": model.reason}
    return {
        "fitted": True,
        "episodes": model.n_episodes,
        "scores": model.n_scores,
        "converged": model.converged,
        "random_slope": model.random_slope,
        "coefficients": list(model.coefficients),
        "intake_mean": model.intake_mean,
        "random_effects_cov": [list(row) for row in model.random_effects_cov],
        "residual_variance": model.residual_variance,
        "boundary_z": model.boundary_z,
        "max_session": model.max_session,
    }


def evaluate_not_on_track(
    instrument: Instrument,
    model: TrajectoryModel | NotEnoughData,
    clients: Sequence[SimulatedClient],
) -> NotOnTrackResult:
    ended = caught = improved = improved_flagged = sessions = flags_other = rc_caught = 0
    by_mid = [0, 0]
    after_mid = [0, 0]
    lags: list[int] = []
    rc = deterioration_flags
    for client in clients:
        series = client.phq9_series()
        mid = math.ceil(client.sessions / 2)
        flagged = [
            t
            for t in range(2, client.sessions + 1)
            if assess_progress(model, instrument, series[:t]).progress is Progress.NOT_ON_TRACK
        ]
        early = any(t <= mid for t in flagged)
        final = classify_change(instrument, [v for _, v in series]).category
        if final is ChangeCategory.DETERIORATED:
            ended += 1
            caught += early
            rc_caught += any(t <= mid for t in rc(instrument, client))
        else:
            sessions += client.sessions
            flags_other += len(flagged)
        if final in (ChangeCategory.RECOVERED, ChangeCategory.IMPROVED):
            improved += 1
            improved_flagged += early
        onset = client.deterioration_onset
        if onset is not None:
            bucket = by_mid if onset <= mid else after_mid
            bucket[0] += early
            bucket[1] += 1
            later = [t for t in flagged if t >= onset]
            if later:
                lags.append(later[0] - onset)
    return NotOnTrackResult(
        model=_model_summary(model),
        ended_deteriorated=ended,
        caught_by_mid=caught,
        ended_improved=improved,
        improved_flagged_by_mid=improved_flagged,
        non_deteriorator_sessions=sessions,
        non_deteriorator_flags=flags_other,
        change_rule_caught_by_mid=rc_caught,
        designed_onset_by_mid=(by_mid[0], by_mid[1]),
        designed_onset_after_mid=(after_mid[0], after_mid[1]),
        designed_flag_lag=tuple(lags),
    )


# -- the whole evaluation -----------------------------------------------------------------


@dataclass(frozen=True)
class CohortSummary:
    clients: int
    sessions: int
    by_type: dict[str, int]
    by_rupture: dict[str, int]
    conditioned: int
    phq9_intake_mean: float
    phq9_intake_sd: float
    phq9_final_mean: float
    checkin_mean: float
    checkin_within_sd: float
    checkin_at_ceiling: float
    checkin_below_cutoff: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarise(clients: Sequence[SimulatedClient], cutoff: float) -> CohortSummary:
    intakes = [c.phq9[0] for c in clients]
    alliance = [v for c in clients for v in c.checkin]
    within = [statistics.stdev(c.checkin) for c in clients if not c.ruptures and len(c.checkin) > 1]
    by_type: dict[str, int] = {}
    by_rupture: dict[str, int] = {}
    for c in clients:
        by_type[c.client_type.value] = by_type.get(c.client_type.value, 0) + 1
        by_rupture[c.rupture_kind.value] = by_rupture.get(c.rupture_kind.value, 0) + 1
    return CohortSummary(
        clients=len(clients),
        sessions=sum(c.sessions for c in clients),
        by_type=by_type,
        by_rupture=by_rupture,
        conditioned=sum(c.conditioned for c in clients),
        phq9_intake_mean=statistics.fmean(intakes),
        phq9_intake_sd=statistics.stdev(intakes),
        phq9_final_mean=statistics.fmean(c.phq9[-1] for c in clients),
        checkin_mean=statistics.fmean(alliance),
        checkin_within_sd=statistics.fmean(within) if within else 0.0,
        checkin_at_ceiling=sum(v >= 10.0 for v in alliance) / len(alliance),
        checkin_below_cutoff=sum(v < cutoff for v in alliance) / len(alliance),
    )


@dataclass(frozen=True)
class Variant:
    """A sensitivity-analysis rerun: which parameters changed and what came out."""

    name: str
    changes: dict[str, Any]
    ruptures: RuptureResult
    deterioration: DeteriorationResult
    not_on_track: NotOnTrackResult


@dataclass(frozen=True)
class EvaluationResult:
    params: CohortParams
    seed: int
    history_episodes: int
    command: str
    started: datetime
    wall_seconds: float
    cpu_seconds: float
    test_summary: CohortSummary
    history_summary: CohortSummary
    ruptures: dict[str, RuptureResult]  # cohort name -> result
    deterioration: dict[str, DeteriorationResult]
    not_on_track: dict[str, NotOnTrackResult]
    variants: tuple[Variant, ...]
    rupture_what_ifs: tuple[tuple[str, RuptureResult], ...]
    boundary_what_ifs: tuple[tuple[float, NotOnTrackResult], ...]
    versions: dict[str, str]

    def checks(self) -> list[tuple[str, str, float | None, str, bool]]:
        """(signal, metric, value, target text, passed) for the headline targets."""
        rupture = self.ruptures["test"].detection
        deterioration = self.deterioration["test"].detection
        not_on_track = self.not_on_track["test"]
        return [
            (
                "Rupture",
                "sensitivity",
                rupture.sensitivity,
                f">= {RUPTURE_SENSITIVITY_TARGET:.2f}",
                (rupture.sensitivity or 0.0) >= RUPTURE_SENSITIVITY_TARGET,
            ),
            (
                "Rupture",
                "false alerts per 100 sessions",
                rupture.false_alerts_per_100,
                f"<= {RUPTURE_FALSE_ALERTS_TARGET:.1f}",
                rupture.false_alerts_per_100 <= RUPTURE_FALSE_ALERTS_TARGET,
            ),
            (
                "Reliable deterioration",
                "sensitivity",
                deterioration.sensitivity,
                f">= {DETERIORATION_SENSITIVITY_TARGET:.2f}",
                (deterioration.sensitivity or 0.0) >= DETERIORATION_SENSITIVITY_TARGET,
            ),
            (
                "Not on track",
                "eventual deteriorations caught by mid-episode",
                not_on_track.catch_share,
                f">= {NOT_ON_TRACK_CATCH_TARGET:.2f}",
                (not_on_track.catch_share or 0.0) >= NOT_ON_TRACK_CATCH_TARGET,
            ),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "generated": self.started.isoformat(timespec="seconds"),
            "seed": self.seed,
            "history_episodes": self.history_episodes,
            "runtime": {"wall_seconds": self.wall_seconds, "cpu_seconds": self.cpu_seconds},
            "versions": self.versions,
            "parameters": {name: value for name, value, _ in self.params.documented()},
            "targets": [
                {"signal": s, "metric": m, "value": v, "target": t, "pass": ok}
                for s, m, v, t, ok in self.checks()
            ],
            "cohorts": {
                "test": self.test_summary.as_dict(),
                "history": self.history_summary.as_dict(),
            },
            "ruptures": {k: v.as_dict() for k, v in self.ruptures.items()},
            "deterioration": {k: v.as_dict() for k, v in self.deterioration.items()},
            "not_on_track": {k: v.as_dict() for k, v in self.not_on_track.items()},
            "sensitivity_analysis": [
                {
                    "name": v.name,
                    "changes": v.changes,
                    "ruptures": v.ruptures.as_dict(),
                    "deterioration": v.deterioration.as_dict(),
                    "not_on_track": v.not_on_track.as_dict(),
                }
                for v in self.variants
            ],
            "what_if_rule_settings": {
                "rupture": {name: r.as_dict() for name, r in self.rupture_what_ifs},
                "not_on_track_boundary_z": {str(z): n.as_dict() for z, n in self.boundary_what_ifs},
            },
        }


SENSITIVITY_VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Noisier alliance (within-client SD 0.6)", {"alliance_noise_sd": 0.6}),
    ("Noisier alliance (within-client SD 0.8)", {"alliance_noise_sd": 0.8}),
    ("Higher alliance levels (personal level mean 9.3)", {"alliance_level_mean": 9.3}),
    (
        "Deterioration onsets uniform over the whole episode",
        {"deterioration_onset_law": "uniform"},
    ),
    (
        "Deterioration onsets uniform over the first half only",
        {"deterioration_onset_law": "uniform", "deterioration_onset_max_fraction": 0.5},
    ),
)

# Other settings of the shipped rules, to show the owner of the rules what a change would buy.
# These are NOT the shipped settings; the headline results above use the shipped ones.
RUPTURE_WHAT_IFS: tuple[float, ...] = (1.2, 1.5)  # other minimal steps for the check-in
BOUNDARY_WHAT_IFS: tuple[float, ...] = (1.0, 0.8416)  # one-sided 84% and 80% points

RULE_FILES = (
    "alliance.py",
    "change.py",
    "trajectory.py",
    "instruments/definitions/checkin.toml",
    "instruments/definitions/phq9.toml",
)


def rule_fingerprints() -> dict[str, str]:
    """Short SHA-256 of each rule file evaluated, since the rules change while they are built."""
    core = Path(rapport.core.__file__).parent
    found = {}
    for name in RULE_FILES:
        path = core / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "missing"
        found[f"rapport/core/{name}"] = f"sha256 {digest}"
    return found


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "platform": platform.platform()}
    for package in ("rapport", "numpy", "statsmodels", "scipy", "pandas"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, fixed argv
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        found["git_commit"] = commit + (" (working tree has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        found["git_commit"] = "unknown"
    return found | rule_fingerprints()


def run_evaluation(
    params: CohortParams,
    seed: int,
    history_episodes: int,
    *,
    command: str = "",
    variants: Sequence[tuple[str, dict[str, Any]]] = SENSITIVITY_VARIANTS,
    rupture_what_ifs: Sequence[float] = RUPTURE_WHAT_IFS,
    boundary_what_ifs: Sequence[float] = BOUNDARY_WHAT_IFS,
) -> EvaluationResult:
    """Generate the cohorts, fit the trajectory model once, and score every signal."""
    started = datetime.now(UTC)
    wall, cpu = time.perf_counter(), time.process_time()
    registry = default_registry()
    phq9, checkin = registry.get("phq9"), registry.get("checkin")
    test = evaluation_cohort(params, seed)
    history = history_cohort(params, seed, history_episodes)
    model = fit_model(phq9, history)
    results_variants = []
    for name, changes in variants:
        varied = evaluation_cohort(replace(params, **changes), seed)
        results_variants.append(
            Variant(
                name=name,
                changes=changes,
                ruptures=evaluate_ruptures(checkin, varied),
                deterioration=evaluate_deterioration(phq9, varied),
                not_on_track=evaluate_not_on_track(phq9, model, varied),
            )
        )
    ruptures = {"test": evaluate_ruptures(checkin, test)}
    ruptures["history"] = evaluate_ruptures(checkin, history)
    deterioration = {"test": evaluate_deterioration(phq9, test)}
    deterioration["history"] = evaluate_deterioration(phq9, history)
    not_on_track = {"test": evaluate_not_on_track(phq9, model, test)}
    not_on_track["history (in-sample)"] = evaluate_not_on_track(phq9, model, history)
    what_ifs = tuple(
        (
            f"check-in minimal step {step:g}",
            evaluate_ruptures(replace(checkin, minimal_step=step), test),
        )
        for step in rupture_what_ifs
    )
    boundaries = tuple(
        (z, evaluate_not_on_track(phq9, replace(model, boundary_z=z), test))
        for z in boundary_what_ifs
        if isinstance(model, TrajectoryModel)
    )
    assert checkin.cutoff is not None
    return EvaluationResult(
        params=params,
        seed=seed,
        history_episodes=history_episodes,
        command=command,
        started=started,
        wall_seconds=time.perf_counter() - wall,
        cpu_seconds=time.process_time() - cpu,
        test_summary=summarise(test, checkin.cutoff),
        history_summary=summarise(history, checkin.cutoff),
        ruptures=ruptures,
        deterioration=deterioration,
        not_on_track=not_on_track,
        variants=tuple(results_variants),
        rupture_what_ifs=what_ifs,
        boundary_what_ifs=boundaries,
        versions=versions(),
    )


# -- the report ---------------------------------------------------------------------------


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _share(value: float | None, ci: tuple[float, float] | None = None) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.3f}"
    return text + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else "")


def _frac(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else f"{part}/0"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _rupture_rows(results: dict[str, RuptureResult]) -> list[list[object]]:
    rows = []
    for name, r in results.items():
        d = r.detection
        rows.append(
            [
                name,
                d.clients,
                d.sessions,
                d.events,
                _share(d.sensitivity, d.sensitivity_ci),
                f"{d.false_alerts} ({d.false_alerts_per_100:.2f})",
                _frac(d.clients_with_false_alert, d.clients),
                _num(d.median_latency, 1),
                _share(r.repair_accuracy, wilson(r.repair_correct, r.repair_judged))
                + f" of {r.repair_judged}",
            ]
        )
    return rows


RUPTURE_HEADER = (
    "Cohort",
    "Clients",
    "Sessions",
    "True ruptures",
    "Sensitivity (95% CI)",
    "False alerts (per 100 sessions)",
    "Clients with a false alert",
    "Median sessions onset→flag",
    "Repair accuracy (95% CI)",
)

DETERIORATION_HEADER = (
    "Cohort",
    "Clients",
    "Sessions",
    "True deteriorations",
    "Sensitivity (95% CI)",
    "Within 2 sessions of onset",
    "False alerts (per 100 sessions)",
    "Clients with a false alert",
    "Median sessions onset→flag",
)

NOT_ON_TRACK_HEADER = (
    "Cohort",
    "Ended reliably deteriorated",
    "Caught NOT_ON_TRACK by mid-episode (95% CI)",
    "Reliable-change rule by mid-episode",
    "Ended improved/recovered flagged by mid (false alarms)",
    "NOT_ON_TRACK flags per 100 sessions, non-deteriorators",
)


def _deterioration_rows(results: dict[str, DeteriorationResult]) -> list[list[object]]:
    rows = []
    for name, r in results.items():
        d = r.detection
        rows.append(
            [
                name,
                d.clients,
                d.sessions,
                d.events,
                _share(d.sensitivity, d.sensitivity_ci),
                _share(d.detected_within(2)),
                f"{d.false_alerts} ({d.false_alerts_per_100:.2f})",
                _frac(d.clients_with_false_alert, d.clients_without_event),
                _num(d.median_latency, 1),
            ]
        )
    return rows


def _not_on_track_rows(results: dict[str, NotOnTrackResult]) -> list[list[object]]:
    return [
        [
            name,
            r.ended_deteriorated,
            _share(r.catch_share, wilson(r.caught_by_mid, r.ended_deteriorated)),
            _frac(r.change_rule_caught_by_mid, r.ended_deteriorated),
            _frac(r.improved_flagged_by_mid, r.ended_improved),
            f"{r.flags_per_100:.2f}",
        ]
        for name, r in results.items()
    ]


def _format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _onset_caveat(result: EvaluationResult) -> list[str]:
    """The not-on-track result rests on an assumption about when deteriorations begin."""
    uniform = [
        v.not_on_track.catch_share
        for v in result.variants
        if v.changes == {"deterioration_onset_law": "uniform"}
    ]
    if not uniform:
        return []
    return [
        "The not-on-track result rests on an assumption about *when* deteriorations begin "
        f"(`deterioration_onset_law` = `{result.params.deterioration_onset_law}`; no study "
        "reports it, see the parameter table). With onsets uniform over the whole episode the "
        f"catch by mid-episode is {_num(uniform[0], 3)} (sensitivity analysis below).",
        "",
    ]


def render_markdown(result: EvaluationResult) -> str:
    """The Markdown report (the JSON twin holds the same numbers, unrounded)."""
    p = result.params
    test_r = result.ruptures["test"]
    test_d = result.deterioration["test"]
    test_n = result.not_on_track["test"]
    lines = [
        REPORT_HEADINGS[0],
        "",
        f"Generated {result.started:%Y-%m-%d %H:%M} UTC by `{result.command}` "
        f"(seed {result.seed}; {p.n_clients} test clients; {result.history_episodes} history "
        f"episodes; {result.wall_seconds:.1f} s wall, {result.cpu_seconds:.1f} s CPU).",
        "",
        "Simulated data with known ground truth (see `bench/README.md` and the parameter table "
        "below). The parameters were chosen from the literature before the rules were run and "
        "were not tuned to meet the targets. These numbers say how the rules behave *if* the "
        "data look like the simulation; they are not clinical validation.",
        "",
        REPORT_HEADINGS[1],
        "",
    ]
    lines += _table(
        ("Signal", "Metric", "Value", "Target", "Result"),
        [(s, m, _num(v, 3), t, "PASS" if ok else "**FAIL**") for s, m, v, t, ok in result.checks()],
    )
    d = test_r.detection
    lines += [
        f"Also: rupture median sessions onset→flag {_num(d.median_latency, 1)}, repair "
        f"classification accuracy {_share(test_r.repair_accuracy)} "
        f"({test_r.repair_correct}/{test_r.repair_judged}); deterioration false alerts "
        f"{test_d.detection.false_alerts_per_100:.2f} per 100 sessions, median onset→flag "
        f"{_num(test_d.detection.median_latency, 1)}; not-on-track false-alarm share among "
        f"clients ending improved/recovered {_share(test_n.false_alarm_share)}, "
        f"{test_n.flags_per_100:.2f} NOT_ON_TRACK flags per 100 sessions among "
        "non-deteriorators.",
        "",
        *_onset_caveat(result),
        REPORT_HEADINGS[2],
        "",
        "Flag = an entry of `review_alliance(checkin, scores).ruptures` at that session. A true "
        "rupture is detected when a rupture is flagged at its onset session or the next scored "
        "session; every other flag is a false alert. Repair accuracy compares REPAIRED/UNREPAIRED "
        "with the truth for detected ruptures with two later sessions.",
        "",
    ]
    lines += _table(RUPTURE_HEADER, _rupture_rows(result.ruptures))
    lines += [
        "Test cohort detail:",
        "",
        f"* repair verdicts (truth -> rule): {_pairs(test_r.confusion)};",
        f"* false alerts by what triggered them: {_pairs(test_r.false_by_trigger)};",
        f"* missed true ruptures by true drop size (missed/total): "
        f"{_pairs({k: f'{a}/{b}' for k, (a, b) in test_r.missed_by_drop.items()})}; of all "
        f"missed, {test_r.missed_masked} fell while an earlier flagged rupture was still "
        "unresolved;",
        f"* falls of at least one minimal step (on the 0.1 grid) that the rule did not mark as a "
        f"step drop: {test_r.step_falls_not_flagged}.",
        "",
        REPORT_HEADINGS[3],
        "",
        "Flag = `classify_change(phq9, scores up to session t).category is DETERIORATED`, "
        "evaluated at every session. The signal is a state: each session it is on counts as a "
        "flag. A designed deterioration is detected by any flag from its onset on; flags before "
        "the onset, and all flags of clients without a designed deterioration, are false alerts.",
        "",
    ]
    lines += _table(DETERIORATION_HEADER, _deterioration_rows(result.deterioration))
    lines += [
        f"Test cohort: {test_d.designed_deteriorators} designed deteriorators, "
        f"{test_d.ended_deteriorated} clients end reliably deteriorated, of whom "
        f"{test_d.ended_deteriorated_non_deteriorators} were not designed to deteriorate "
        f"(noise); {test_d.flagged_before_onset} deteriorators were flagged before their "
        "true onset. Sensitivity is close to 1 by construction (a deteriorator's last score is "
        "reliably worse, and the last session counts); the informative numbers are the latency "
        "and the false alerts.",
        "",
        REPORT_HEADINGS[4],
        "",
        "Model: `fit_trajectory(phq9, history episodes)` with its defaults, fitted once on the "
        f"clinic-history cohort: {_model_text(test_n.model)}. At each session t >= 2 the "
        "client's scores up to t go to `assess_progress`; mid-episode = ceil(length / 2). "
        "Eventual deteriorators are the clients whose whole-episode `classify_change` is "
        "DETERIORATED (whatever their designed type).",
        "",
    ]
    lines += _table(NOT_ON_TRACK_HEADER, _not_on_track_rows(result.not_on_track))
    by_mid, after_mid = test_n.designed_onset_by_mid, test_n.designed_onset_after_mid
    lag = statistics.median(test_n.designed_flag_lag) if test_n.designed_flag_lag else None
    lines += [
        f"Designed deteriorators (test cohort) caught by mid-episode: onset at or before mid "
        f"{_frac(*by_mid)}; onset after mid {_frac(*after_mid)} (a flag by mid-episode can only "
        f"come from the pre-onset course). Median sessions from onset to the first NOT_ON_TRACK "
        f"at or after it: {_num(lag, 1)}.",
        "",
        REPORT_HEADINGS[5],
        "",
        "Same seed and parameters except the change named; the trajectory model is the one fitted "
        "above.",
        "",
    ]
    sens_rows = []
    for v in result.variants:
        r, dt, n = v.ruptures.detection, v.deterioration.detection, v.not_on_track
        sens_rows.append(
            [
                v.name,
                _share(r.sensitivity, r.sensitivity_ci),
                f"{r.false_alerts_per_100:.2f}",
                _share(v.ruptures.repair_accuracy),
                _share(dt.sensitivity),
                f"{dt.false_alerts_per_100:.2f}",
                _share(n.catch_share, wilson(n.caught_by_mid, n.ended_deteriorated)),
                _share(n.false_alarm_share),
            ]
        )
    base_r, base_n = test_r.detection, test_n
    sens_rows.insert(
        0,
        [
            "Default (as above)",
            _share(base_r.sensitivity, base_r.sensitivity_ci),
            f"{base_r.false_alerts_per_100:.2f}",
            _share(test_r.repair_accuracy),
            _share(test_d.detection.sensitivity),
            f"{test_d.detection.false_alerts_per_100:.2f}",
            _share(base_n.catch_share, wilson(base_n.caught_by_mid, base_n.ended_deteriorated)),
            _share(base_n.false_alarm_share),
        ],
    )
    lines += _table(
        (
            "Variant",
            "Rupture sensitivity",
            "Rupture false alerts /100",
            "Repair accuracy",
            "Deterioration sensitivity",
            "Deterioration false alerts /100",
            "Not-on-track catch by mid",
            "Not-on-track false-alarm share",
        ),
        sens_rows,
    )
    lines += _what_if_lines(result)
    lines += [REPORT_HEADINGS[7], "", *_weaknesses(result), ""]
    lines += [REPORT_HEADINGS[8], ""]
    lines += _table(
        ("", "Test cohort", "History cohort"),
        [
            (key, _format_value(a), _format_value(b))
            for (key, a), b in zip(
                result.test_summary.as_dict().items(),
                result.history_summary.as_dict().values(),
                strict=True,
            )
        ],
    )
    lines += [
        REPORT_HEADINGS[9],
        "",
        "All parameters of `bench.cohort.CohortParams` (full rationale and citations in its "
        "docstrings and in `bench/README.md`):",
        "",
    ]
    lines += _table(
        ("Parameter", "Value", "Why"),
        [
            (f"`{name}`", _format_value(value), doc.replace("|", "/"))
            for name, value, doc in p.documented()
        ],
    )
    lines += [
        REPORT_HEADINGS[10],
        "",
        "* **Sensitivity** = true events detected / true events (Wilson 95% interval).",
        "* **False alerts per 100 sessions** = flags not matched to a true event / scored "
        "sessions x 100 (all clients, all sessions).",
        "* **Median sessions onset→flag** = median of (matched flag session - true onset) over "
        "detected events.",
        "* **Repair accuracy** = share of detected ruptures with at least two later sessions "
        "whose REPAIRED/UNREPAIRED state matches the truth (repaired = back at the personal level "
        "within two sessions).",
        "* **Not-on-track catch** = clients whose whole-episode change is DETERIORATED and who "
        "were NOT_ON_TRACK at some session <= ceil(length / 2), over all such clients.",
        "* **Not-on-track false-alarm share** = clients ending RECOVERED or IMPROVED who were "
        "NOT_ON_TRACK at some session <= mid-episode, over all such clients.",
        "",
        REPORT_HEADINGS[11],
        "",
        "```",
        result.command,
        "```",
        "",
    ]
    lines += _table(("Component", "Version"), sorted(result.versions.items()))
    return "\n".join(lines).rstrip() + "\n"


def _model_text(model: dict[str, Any]) -> str:
    if not model.get("fitted"):
        return f"not fitted ({model.get('reason')})"
    b = ", ".join(f"{v:.3f}" for v in model["coefficients"])
    return (
        f"{model['episodes']} episodes, {model['scores']} scores, "
        f"{'random slope' if model['random_slope'] else 'random intercept only'}, "
        f"converged {model['converged']}, coefficients (b0, b1, b2, b3) = ({b}), residual "
        f"variance {model['residual_variance']:.2f}, boundary z {model['boundary_z']}"
    )


def _pairs(mapping: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in mapping.items()) or "none"


def _what_if_lines(result: EvaluationResult) -> list[str]:
    """The what-if table: the same test cohort under other settings of the shipped rules."""
    lines = [
        REPORT_HEADINGS[6],
        "",
        "The same test cohort judged with other settings of the *shipped* rules (measure "
        "settings passed through `dataclasses.replace`; the boundary multiplier of the fitted "
        "model). Not the shipped settings: evidence for whoever owns the rules. Note that the "
        "check-in's minimal step also sets the repair tolerance (half a step).",
        "",
    ]
    base = result.ruptures["test"]
    rows = [
        [
            f"{name}{' (shipped)' if i == 0 else ''}",
            _share(r.detection.sensitivity, r.detection.sensitivity_ci),
            f"{r.detection.false_alerts_per_100:.2f}",
            _share(r.repair_accuracy),
            r.missed_masked,
        ]
        for i, (name, r) in enumerate(
            [("check-in minimal step 1.0", base), *result.rupture_what_ifs]
        )
    ]
    lines += _table(
        (
            "Rupture rule setting",
            "Sensitivity",
            "False alerts /100",
            "Repair accuracy",
            "Missed while earlier rupture unresolved",
        ),
        rows,
    )
    base_n = result.not_on_track["test"]
    z = base_n.model.get("boundary_z")
    rows = [
        [
            f"{_num(zz, 4)}{' (shipped)' if i == 0 else ''}",
            _share(n.catch_share, wilson(n.caught_by_mid, n.ended_deteriorated)),
            _share(n.false_alarm_share),
            f"{n.flags_per_100:.2f}",
            _frac(*n.designed_onset_by_mid),
            _frac(*n.designed_onset_after_mid),
        ]
        for i, (zz, n) in enumerate([(z, base_n), *result.boundary_what_ifs])
    ]
    lines += _table(
        (
            "Not-on-track boundary z",
            "Catch by mid",
            "False-alarm share",
            "Flags /100 (non-deteriorators)",
            "Designed, onset <= mid",
            "Designed, onset > mid",
        ),
        rows,
    )
    return lines


def _weaknesses(result: EvaluationResult) -> list[str]:
    """Observations computed from this run, with the first concrete case of each."""
    r = result.ruptures["test"]
    d = result.deterioration["test"]
    n = result.not_on_track["test"]
    step_false = r.false_by_trigger.get("step_drop_below_cutoff", 0)
    mean_false = r.false_by_trigger.get("mean_drop", 0)
    summary = result.test_summary
    lines = [
        f"* **Rupture false alerts** ({r.detection.false_alerts_per_100:.2f} per 100 sessions): "
        f"{step_false} of {r.detection.false_alerts} came from a step drop (>= the minimal step) "
        f"landing below the cutoff (and a minimal step below the running mean) without a mean "
        f"drop, {mean_false} from a mean drop. {summary.checkin_below_cutoff:.0%} of all "
        "check-in scores lie below the cutoff of 9.0, so for clients whose usual level is near "
        "or under it, noise alone can cross both lines.",
    ]
    if "false_alert" in r.examples:
        lines.append(f"  Example: {r.examples['false_alert']}.")
    lines.append(
        f"* **Ruptures masked by an earlier flag**: {r.missed_masked} true ruptures were missed "
        "because an earlier flagged rupture had not recovered (no new rupture starts until the "
        "last one recovers). An early rupture whose pre-drop level is one or two lucky high "
        "scores may never 'recover', which silences the rule for the rest of the episode."
    )
    if "missed_masked" in r.examples:
        lines.append(f"  Example: {r.examples['missed_masked']}.")
    wrong = r.confusion.get("true_repaired->unrepaired", 0)
    lines.append(
        f"* **Repairs called unrepaired**: {wrong} truly repaired ruptures were called "
        "UNREPAIRED: the repair tolerance (the larger of half a minimal step and the client's "
        "own SD before the drop) still misses some returns that land just under it."
    )
    if "repaired_called_unrepaired" in r.examples:
        lines.append(f"  Example: {r.examples['repaired_called_unrepaired']}.")
    if r.step_falls_not_flagged:
        lines.append(
            f"* **Floating point**: {r.step_falls_not_flagged} falls of exactly one minimal "
            "step on the 0.1 grid (e.g. 8.2 → 7.2 = 0.9999999999999991) were not marked as step "
            "drops; the comparison should be made on rounded values."
        )
    lines += [
        f"* **Reliable deterioration**: {d.detection.clients_with_false_alert} of "
        f"{d.detection.clients_without_event} clients without a designed deterioration were "
        f"flagged at least once, and {d.ended_deteriorated_non_deteriorators} of them end "
        "reliably worse by measurement noise alone: the rule compares every score with a "
        "single intake score, itself noisy.",
        f"* **Not on track by mid-episode**: designed deteriorators with onset at or before "
        f"mid-episode were caught {_frac(*n.designed_onset_by_mid)}, those with a later onset "
        f"{_frac(*n.designed_onset_after_mid)}. The target counts every client who *ends* "
        "deteriorated, including those whose worsening has not begun by mid-episode; before "
        "its onset a late deteriorator's course looks like a flat client's, so catching more "
        "of them by mid-episode means flagging more flat and slow courses.",
    ]
    for z, alt in result.boundary_what_ifs:
        lines.append(
            f"  With boundary z = {z:g}: catch {_share(alt.catch_share)}, false-alarm share "
            f"among clients ending improved {_share(alt.false_alarm_share)} (shipped "
            f"{_share(n.false_alarm_share)})."
        )
    return lines


def write_report(result: EvaluationResult, output: Path) -> tuple[Path, Path]:
    """Write the Markdown report and its JSON twin; return both paths."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_markdown(result), encoding="utf-8")
    twin = output.with_suffix(".json")
    twin.write_text(json.dumps(result.as_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    return output, twin


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.evaluate_signals",
        description="Evaluate Rapport's clinical signals on a simulated cohort.",
    )
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS, help="test clients")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--history", type=int, default=DEFAULT_HISTORY, help="clinic-history episodes"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report")
    args = parser.parse_args(argv)
    given = list(sys.argv[1:] if argv is None else argv)
    command = " ".join([".venv/bin/python -m bench.evaluate_signals", *given])
    result = run_evaluation(
        CohortParams(n_clients=args.clients), args.seed, args.history, command=command
    )
    markdown, twin = write_report(result, args.output)
    for signal, metric, value, target, ok in result.checks():
        print(
            f"{signal:<24} {metric:<46} {_num(value, 3):>7}  {target:<8} {'PASS' if ok else 'FAIL'}"
        )
    print(f"Wrote {markdown} and {twin} ({result.cpu_seconds:.1f} s CPU).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
