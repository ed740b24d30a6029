"""Every open signal for one client, ranked for triage, with questions to raise each one.

Pure Python (no Django). The web pages, the API and the benchmarks all call
:func:`evaluate_client`, so a signal means the same thing everywhere. Triage order follows the
issue the clinic agreed: an unacknowledged risk item, then an open alliance rupture, then red
(reliable deterioration, not on track, a persistently low alliance), amber (below the expected
course while still in the clinical range, a therapist-client gap, a single low alliance score),
green, and grey when there are too few scores to judge.

Progress uses the clinic's expected-trajectory model where one could be fitted
(:mod:`rapport.core.trajectory`); without one, only the reliable-change rules of
:mod:`rapport.core.change` apply, and the reason says so rather than inventing a curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from rapport.core.alliance import AllianceReview, RaterGap, Trigger, rater_gaps, review_alliance
from rapport.core.change import Change, ChangeCategory, classify_change
from rapport.core.instruments.model import Instrument
from rapport.core.prompts import alliance_prompts, prompts_for
from rapport.core.status import Colour
from rapport.core.trajectory import (
    Assessment,
    NotEnoughData,
    Progress,
    TrajectoryModel,
    assess_progress,
)

__all__ = [
    "ClientData",
    "ClientSignals",
    "RiskEndorsement",
    "Signal",
    "SignalKind",
    "Urgency",
    "evaluate_client",
]

MIN_OUTCOME_SCORES = 2  # change and progress need an intake and at least one more score


class Urgency(IntEnum):
    """Triage rank: lower sorts first on the caseload."""

    RISK = 0
    RUPTURE = 1
    RED = 2
    AMBER = 3
    GREEN = 4
    GREY = 5

    @property
    def colour(self) -> Colour:
        if self <= Urgency.RED:
            return Colour.RED
        return {Urgency.AMBER: Colour.AMBER, Urgency.GREEN: Colour.GREEN}.get(self, Colour.GREY)

    @property
    def label(self) -> str:
        return {
            Urgency.RISK: "Risk",
            Urgency.RUPTURE: "Rupture",
            Urgency.RED: "Red",
            Urgency.AMBER: "Amber",
            Urgency.GREEN: "Green",
            Urgency.GREY: "Too few scores",
        }[self]


class SignalKind(StrEnum):
    RISK = "risk"
    RUPTURE = "rupture"
    DETERIORATION = "deterioration"
    NOT_ON_TRACK = "not_on_track"
    LOW_ALLIANCE = "low_alliance"  # persistently below the cutoff, no rupture to explain it
    BELOW_EXPECTED = "below_expected"
    RATER_GAP = "rater_gap"
    ALLIANCE_CONCERN = "alliance_concern"  # one low or lower score, not (yet) a pattern


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    urgency: Urgency
    session: int | None  # the session that raised it
    summary: str  # one plain sentence for the caseload and the client page
    prompts: tuple[str, ...] = ()  # questions to raise it with the client


@dataclass(frozen=True)
class RiskEndorsement:
    """A risk item answered above the scale minimum and not yet acknowledged by a clinician."""

    session: int
    measure: str  # display name, e.g. "PHQ-9"
    item: str  # short label, e.g. "Thoughts of being better off dead or of self-harm"
    answer: str  # the answer as shown to the client, e.g. "Several days"


@dataclass(frozen=True)
class ClientData:
    """One client's current episode: totals per session, newest last, and what is known of risk.

    ``alliance_items`` are the item answers of the latest alliance response (item key ->
    value); they choose which repair questions to suggest.
    """

    outcome: Instrument | None = None
    outcome_scores: Sequence[tuple[int, float]] = ()
    alliance: Instrument | None = None
    alliance_scores: Sequence[tuple[int, float]] = ()
    alliance_items: Mapping[str, float] = field(default_factory=dict)
    therapist: Instrument | None = None
    therapist_scores: Sequence[tuple[int, float]] = ()
    risks: Sequence[RiskEndorsement] = ()
    trajectory: TrajectoryModel | NotEnoughData | None = None


@dataclass(frozen=True)
class ClientSignals:
    """What the caseload row, the client page and the "before the next session" card show."""

    signals: tuple[Signal, ...]  # most urgent first
    urgency: Urgency
    reason: str
    change: Change | None
    progress: Assessment | None
    alliance: AllianceReview | None
    gap: RaterGap | None  # therapist minus client at the latest alliance session

    @property
    def colour(self) -> Colour:
        return self.urgency.colour


def _lowest_item(items: Mapping[str, float]) -> str | None:
    return min(items, key=lambda key: items[key]) if items else None


def _alliance_signals(data: ClientData, review: AllianceReview) -> list[Signal]:
    assert data.alliance is not None
    alliance = data.alliance
    prompts = alliance_prompts(_lowest_item(data.alliance_items))
    signals = []
    for rupture in review.open_ruptures:
        after = "awaiting repair" if rupture.state == "open" else "not repaired since"
        signals.append(
            Signal(
                SignalKind.RUPTURE,
                Urgency.RUPTURE,
                rupture.session,
                f"{rupture.reason} ({after}; usual level "
                f"{alliance.format_total(rupture.pre_drop_level)}).",
                prompts,
            )
        )
    low = review.persistently_low
    if low is not None and not signals:
        signals.append(
            Signal(
                SignalKind.LOW_ALLIANCE,
                Urgency.RED,
                low.last_session,
                f"{alliance.name} has been below its cutoff of "
                f"{alliance.format_total(alliance.cutoff or 0)} for {low.sessions} sessions "
                f"in a row (since session {low.first_session}).",
                prompts_for("low_alliance"),
            )
        )
    latest = review.concerns[-1] if review.concerns else None
    if not signals and latest is not None and latest.session == review.latest_session:
        if Trigger.BELOW_CUTOFF in latest.triggers:
            what = f"is below its cutoff of {alliance.format_total(alliance.cutoff or 0)}"
        elif latest.previous is not None:
            what = f"fell from {alliance.format_total(latest.previous)}"
        else:
            what = "is lower than usual"
        signals.append(
            Signal(
                SignalKind.ALLIANCE_CONCERN,
                Urgency.AMBER,
                latest.session,
                f"{alliance.name} {alliance.format_total(latest.score)} at session "
                f"{latest.session} {what}.",
                prompts,
            )
        )
    return signals


def _latest_gap(data: ClientData, review: AllianceReview | None) -> RaterGap | None:
    """The therapist-client gap at the client's latest alliance session, if both rated it."""
    if (
        review is None
        or data.alliance is None
        or data.therapist is None
        or data.alliance.total_range != data.therapist.total_range  # not comparable
    ):
        return None
    latest = review.latest_session
    rated = [(s, v) for s, v in data.therapist_scores if s == latest]
    client = [(latest, review.latest_score)] if review.latest_score is not None else []
    gaps = rater_gaps(data.alliance, data.therapist, client, rated)  # type: ignore[arg-type]
    return gaps[0] if gaps else None


def _gap_signal(latest_gap: RaterGap | None) -> list[Signal]:
    if latest_gap is None or not latest_gap.flagged:
        return []
    return [
        Signal(
            SignalKind.RATER_GAP,
            Urgency.AMBER,
            latest_gap.session,
            latest_gap.reason + ".",
            prompts_for("rater_gap"),
        )
    ]


def _outcome_signals(data: ClientData) -> tuple[list[Signal], Change | None, Assessment | None]:
    outcome = data.outcome
    if outcome is None or not data.outcome_scores:
        return [], None, None
    ordered = sorted(data.outcome_scores)
    change = classify_change(outcome, [score for _, score in ordered])
    progress = assess_progress(data.trajectory, outcome, ordered)
    signals = []
    latest_session = ordered[-1][0]
    if change.category is ChangeCategory.DETERIORATED:
        signals.append(
            Signal(
                SignalKind.DETERIORATION,
                Urgency.RED,
                latest_session,
                change.explanation,
                prompts_for("deterioration"),
            )
        )
    if progress.progress is Progress.NOT_ON_TRACK:
        signals.append(
            Signal(
                SignalKind.NOT_ON_TRACK,
                Urgency.RED,
                progress.session,
                progress.reason,
                prompts_for("not_on_track"),
            )
        )
    elif progress.progress is Progress.BELOW_EXPECTED and outcome.is_clinical(ordered[-1][1]):
        # Slower than the average course but outside the clinical range is not a concern: a
        # GAD-7 of 3 where 1.6 was expected would only add noise to the caseload.
        signals.append(
            Signal(
                SignalKind.BELOW_EXPECTED,
                Urgency.AMBER,
                progress.session,
                progress.reason,
                prompts_for("below_expected"),
            )
        )
    return signals, change, progress


def _risk_signals(data: ClientData) -> list[Signal]:
    return [
        Signal(
            SignalKind.RISK,
            Urgency.RISK,
            risk.session,
            f"{risk.measure} at session {risk.session}: “{risk.item}” answered “{risk.answer}”. "
            "Not yet acknowledged.",
            prompts_for("risk"),
        )
        for risk in data.risks
    ]


def _quiet_reason(change: Change | None, progress: Assessment | None) -> str:
    """The reason shown when nothing is flagged: what was checked, in words."""
    if change is None or change.category is ChangeCategory.INSUFFICIENT:
        return change.explanation if change else "No outcome scores yet."
    if progress is not None and progress.progress is Progress.ON_TRACK:
        return progress.reason
    if progress is not None and progress.progress is Progress.UNKNOWN:
        return f"{change.explanation} {progress.reason}"
    return change.explanation


def evaluate_client(data: ClientData) -> ClientSignals:
    """All open signals for one client, most urgent first, with the triage rank and reason."""
    review = (
        review_alliance(data.alliance, data.alliance_scores)
        if data.alliance is not None and data.alliance_scores
        else None
    )
    # Only the latest session's gap is a signal; earlier gaps are on the chart already.
    gap = _latest_gap(data, review)
    outcome_signals, change, progress = _outcome_signals(data)
    signals = _risk_signals(data) + outcome_signals + _gap_signal(gap)
    if review is not None:
        signals += _alliance_signals(data, review)
    signals.sort(key=lambda s: s.urgency)  # stable: keeps risk, outcome, alliance order in ties

    if signals:
        urgency, reason = signals[0].urgency, signals[0].summary
    elif len(data.outcome_scores) < MIN_OUTCOME_SCORES:
        urgency, reason = Urgency.GREY, _quiet_reason(change, progress)
    else:
        urgency, reason = Urgency.GREEN, _quiet_reason(change, progress)
    return ClientSignals(
        signals=tuple(signals),
        urgency=urgency,
        reason=reason,
        change=change,
        progress=progress,
        alliance=review,
        gap=gap,
    )
