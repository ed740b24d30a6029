"""Alliance concerns, ruptures and repairs across a client's sessions, and rater gaps.

Pure Python (no Django). A *rupture* is a deterioration in the collaborative relationship
between client and therapist; ruptures that are noticed and repaired are followed by better
outcomes than alliances that never dipped, while unspoken ones predict drop-out (Safran JD,
Muran JC, Eubanks-Carter C. Repairing alliance ruptures. Psychotherapy. 2011;48(1):80-87;
Eubanks CF, Muran JC, Safran JD. Alliance rupture repair: a meta-analysis. Psychotherapy.
2018;55(4):508-519). Session-by-session alliance scores are the usual way to spot them
(Stiles WB et al. Patterns of alliance development and the rupture-repair hypothesis. J Couns
Psychol. 2004;51(1):81-92, who defined a rupture as a drop larger than the client's own
session-to-session variability and a repair as a return to the earlier level).

Rules, for one client's alliance scores in session order (each session compared with the
sessions before it):

* **concern**: the score is below the measure's cutoff (``below_cutoff``), or fell by at least
  the measure's minimal step since the previous session (``step_drop``), or lies more than
  ``max(client SD, reliable-change value)`` below the client's running mean (``mean_drop``);
* **rupture**: a mean drop, or a step drop that lands below the cutoff and at least a minimal
  step below the running mean. A concern that is only "below the cutoff" is not a rupture: a
  score that was never higher has not dropped;
* **repaired**: within the two sessions after the rupture the score comes back to the pre-drop
  level (the running mean before the drop), give or take the larger of half a minimal step and
  the client's own SD before the drop; otherwise
  **unrepaired**, and **open** while fewer than two later sessions exist. No new rupture starts
  until the last one is repaired or the scores have recovered;
* **persistently low**: two or more consecutive sessions below the cutoff that no rupture
  explains (e.g. a distrustful client whose alliance starts low and builds slowly).

A measure without a published reliable-change value uses twice its minimal step instead (see
docs/signals.md); the running SD needs three earlier scores and counts as 0 before that.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from rapport.core.instruments.formatting import format_number
from rapport.core.instruments.model import Better, Instrument, Kind

__all__ = [
    "AllianceReview",
    "Concern",
    "LowRun",
    "RaterGap",
    "Rupture",
    "RuptureState",
    "Trigger",
    "drop_threshold",
    "rater_gaps",
    "review_alliance",
]

REPAIR_WINDOW = 2  # sessions after a rupture in which a repair counts (Stiles et al. 2004)
MIN_SCORES_FOR_SD = 3  # an SD of fewer earlier scores says more about luck than the client
MIN_LOW_RUN = 2  # one low session is a concern; two in a row is a pattern
_PRECISION = 9  # decimals kept in reported levels: far finer than any measure
# Comparisons allow binary noise (8.2 - 7.2 = 0.9999999999999991) so boundaries hold exactly.
_EPSILON = 1e-9


class Trigger(StrEnum):
    """Why a session raised an alliance concern."""

    BELOW_CUTOFF = "below_cutoff"
    STEP_DROP = "step_drop"
    MEAN_DROP = "mean_drop"


class RuptureState(StrEnum):
    OPEN = "open"  # fewer than two later sessions: repair still possible in the window
    REPAIRED = "repaired"
    UNREPAIRED = "unrepaired"


class Concern(NamedTuple):
    """A session whose alliance score deserves a word with the client.

    A named tuple rather than a dataclass: one is built for most sessions of most clients, and
    tuples are several times cheaper to create.
    """

    session: int
    score: float
    triggers: frozenset[Trigger]
    previous: float | None  # the score of the session before
    running_mean: float | None  # mean of all earlier scores


@dataclass(frozen=True)
class Rupture:
    """A drop in the alliance and what became of it."""

    session: int
    score: float
    previous: float
    pre_drop_level: float  # running mean before the drop: the level a repair returns to
    state: RuptureState
    repaired_at: int | None  # session at which the score came back, within the window
    recovered_at: int | None  # first later session back at the level, window or not
    reason: str

    @property
    def is_open_signal(self) -> bool:
        """Still something to raise: awaiting repair, or unrepaired and not recovered since."""
        if self.state is RuptureState.OPEN:
            return True
        return self.state is RuptureState.UNREPAIRED and self.recovered_at is None


@dataclass(frozen=True)
class LowRun:
    """Consecutive sessions below the cutoff that no rupture explains."""

    first_session: int
    last_session: int
    sessions: int


@dataclass(frozen=True)
class AllianceReview:
    """Everything the alliance rules found in one client's series."""

    instrument_code: str
    concerns: tuple[Concern, ...]
    ruptures: tuple[Rupture, ...]
    low_runs: tuple[LowRun, ...]
    latest_session: int | None
    latest_score: float | None

    @property
    def open_ruptures(self) -> tuple[Rupture, ...]:
        return tuple(r for r in self.ruptures if r.is_open_signal)

    @property
    def persistently_low(self) -> LowRun | None:
        """The low run that includes the latest session, if there is one."""
        if self.low_runs and self.low_runs[-1].last_session == self.latest_session:
            return self.low_runs[-1]
        return None


@dataclass(frozen=True)
class RaterGap:
    """The therapist's and the client's alliance totals for the same session."""

    session: int
    client: float
    therapist: float
    threshold: float
    decimals: int = 1  # how the measure shows totals, for the reason

    @property
    def gap(self) -> float:
        """Therapist minus client: positive when the therapist rated the session higher."""
        return self.therapist - self.client

    @property
    def flagged(self) -> bool:
        return abs(self.gap) >= self.threshold - _EPSILON

    @property
    def reason(self) -> str:
        """One sentence for the therapist (built on demand: most gaps are never shown)."""
        gap = self.gap
        direction = (
            "higher than" if gap > _EPSILON else "lower than" if gap < -_EPSILON else "the same as"
        )
        return (
            f"At session {self.session} you rated the alliance "
            f"{self.therapist:.{self.decimals}f}, {direction} the client's "
            f"{self.client:.{self.decimals}f}"
        )


def drop_threshold(instrument: Instrument) -> float | None:
    """The reliable-change value, or twice the minimal step where none is published."""
    if instrument.reliable_change is not None:
        return instrument.reliable_change
    if instrument.minimal_step is not None:
        return 2 * instrument.minimal_step
    return None


def _checked_series(
    instrument: Instrument, scores: Sequence[tuple[int, float]]
) -> list[tuple[int, float]]:
    """Scores in session order; rejects what no measure could produce."""
    low, high = instrument.total_range
    ordered = sorted(scores)
    sessions = [session for session, _ in ordered]
    # Whole-list checks in C first (min, max, fsum); the slow search only names the culprit.
    if len(set(sessions)) != len(sessions):
        twice = next(s for s, n in itertools.pairwise(sessions) if s == n)
        raise ValueError(f"{instrument.name}: session {twice} has two scores.")
    if sessions and (set(map(type, sessions)) != {int} or sessions[0] < 1):
        bad = next(s for s in sessions if type(s) is not int or s < 1)
        raise ValueError(f"{instrument.name}: session numbers start at 1, not {bad!r}.")
    values = [score for _, score in ordered]
    if values and not (
        math.isfinite(math.fsum(values)) and min(values) >= low and max(values) <= high
    ):
        session, score = next((s, v) for s, v in ordered if not low <= v <= high)
        raise ValueError(
            f"{instrument.name}: {score} at session {session} is outside "
            f"{format_number(low)}–{format_number(high)}."
        )
    return ordered


# Every combination of triggers, built once: (below cutoff, step drop, mean drop).
_TRIGGERS = {
    flags: frozenset(
        t
        for t, on in zip(
            (Trigger.BELOW_CUTOFF, Trigger.STEP_DROP, Trigger.MEAN_DROP), flags, strict=True
        )
        if on
    )
    for flags in itertools.product((False, True), repeat=3)
}


def _rupture_reason(instrument: Instrument, session: int, previous: float, score: float) -> str:
    return (
        f"{instrument.name} fell from {instrument.format_total(previous)} to "
        f"{instrument.format_total(score)} at session {session}"
    )


def review_alliance(instrument: Instrument, scores: Sequence[tuple[int, float]]) -> AllianceReview:
    """Concerns, ruptures (with repair state) and low runs in ``(session, total)`` pairs.

    Rules and sources are in the module docstring. Sessions may have gaps; the "two sessions"
    of the repair window count scored sessions. Raises ValueError for a non-alliance measure,
    a duplicated session or a score outside the measure's range.
    """
    if instrument.kind is not Kind.ALLIANCE:
        raise ValueError(f"{instrument.name} is not an alliance measure.")
    series = _checked_series(instrument, scores)
    step = instrument.minimal_step
    reliable = drop_threshold(instrument)
    half_step = step / 2 if step is not None else 0.0

    concerns: list[Concern] = []
    ruptures: list[Rupture] = []
    low_sessions: list[int] = []
    higher = instrument.better is Better.HIGHER
    cutoff = instrument.cutoff  # below it is clinical when higher is better (is_clinical)
    # Plain floats and bools in the loop: it runs for every client on every caseload view
    # (10,000 clients x 30 sessions in bench/), and incremental sums keep it O(n).
    total = total_sq = 0.0
    for index, (session, score) in enumerate(series):
        below = cutoff is not None and (score < cutoff if higher else score >= cutoff)
        previous = series[index - 1][1] if index else None
        mean = total / index if index else None
        step_drop = mean_drop = False
        if previous is not None and step is not None:
            step_drop = (previous - score if higher else score - previous) >= step - _EPSILON
        below_mean = 0.0 if mean is None else (mean - score if higher else score - mean)
        sd = 0.0
        # The SD matters only for a score already past the reliable-change value (or for a
        # rupture's repair tolerance below), so most sessions skip the square root.
        if index >= MIN_SCORES_FOR_SD and (step_drop or reliable is None or below_mean > reliable):
            sd = math.sqrt(max(0.0, (total_sq - total * total / index) / (index - 1)))
        if mean is not None and reliable is not None:
            mean_drop = below_mean > (sd if sd > reliable else reliable) + _EPSILON
        if below:
            low_sessions.append(session)
        if below or step_drop or mean_drop:
            triggers = _TRIGGERS[below, step_drop, mean_drop]
            concerns.append(Concern(session, score, triggers, previous, mean))

        # A step drop into the clinical range is a rupture only if it also leaves the client's
        # usual level: 9.7 -> 8.4 for a client who averages 9.3 is noise, not a rupture.
        is_rupture = mean_drop or (
            step_drop and below and step is not None and below_mean >= step - _EPSILON
        )
        last = ruptures[-1] if ruptures else None
        unresolved = last is not None and (last.recovered_at is None or last.recovered_at > session)
        if is_rupture and previous is not None and mean is not None and not unresolved:
            later = series[index + 1 :]
            # "Back to the pre-drop level" allows the client's own session-to-session noise.
            tolerance = max(half_step, sd) + _EPSILON
            recovered_at = next(
                (s for s, v in later if (mean - v if higher else v - mean) <= tolerance), None
            )
            window = [s for s, _ in later[:REPAIR_WINDOW]]
            if recovered_at is not None and recovered_at in window:
                state, repaired_at = RuptureState.REPAIRED, recovered_at
            elif len(window) < REPAIR_WINDOW:
                state, repaired_at = RuptureState.OPEN, None
            else:
                state, repaired_at = RuptureState.UNREPAIRED, None
            ruptures.append(
                Rupture(
                    session=session,
                    score=score,
                    previous=previous,
                    pre_drop_level=round(mean, _PRECISION),
                    state=state,
                    repaired_at=repaired_at,
                    recovered_at=recovered_at,
                    reason=_rupture_reason(instrument, session, previous, score),
                )
            )
        total += score
        total_sq += score * score

    return AllianceReview(
        instrument_code=instrument.code,
        concerns=tuple(concerns),
        ruptures=tuple(ruptures),
        low_runs=_low_runs(low_sessions, series, ruptures),
        latest_session=series[-1][0] if series else None,
        latest_score=series[-1][1] if series else None,
    )


def _low_runs(
    low_sessions: list[int], series: list[tuple[int, float]], ruptures: list[Rupture]
) -> tuple[LowRun, ...]:
    """Runs of at least two sessions below the cutoff that do not follow a rupture.

    ``low_sessions`` are the sessions below the cutoff, in order (found by the main loop).
    """
    if len(low_sessions) < MIN_LOW_RUN:
        return ()
    explained: set[int] = set()
    for rupture in ruptures:  # a rupture explains low scores until the client recovers
        end = rupture.recovered_at if rupture.recovered_at is not None else math.inf
        explained.update(s for s, _ in series if rupture.session <= s < end)
    low = set(low_sessions).difference(explained)
    runs: list[LowRun] = []
    current: list[int] = []
    for session, _ in [*series, (-1, math.nan)]:  # sentinel closes the last run
        if session in low:
            current.append(session)
            continue
        if len(current) >= MIN_LOW_RUN:
            runs.append(LowRun(current[0], current[-1], len(current)))
        current = []
    return tuple(runs)


def rater_gaps(
    client_instrument: Instrument,
    therapist_instrument: Instrument,
    client_scores: Sequence[tuple[int, float]],
    therapist_scores: Sequence[tuple[int, float]],
) -> tuple[RaterGap, ...]:
    """Each session rated by both, with the gap flagged at the client measure's threshold.

    Therapists and clients rate the alliance differently, and therapists are poor judges of
    how their clients experience it (Tryon GS, Blackwell SC, Hammel EF. A meta-analytic
    examination of client-therapist perspectives of the working alliance. Psychother Res.
    2007;17(6):629-642); a gap of at least the reliable-change value (or twice the minimal
    step) is more than measurement noise. Both measures must share one total range.
    """
    if client_instrument.total_range != therapist_instrument.total_range:
        raise ValueError(
            f"{client_instrument.name} and {therapist_instrument.name} use different scales; "
            "their totals cannot be compared."
        )
    threshold = drop_threshold(client_instrument)
    if threshold is None:
        return ()
    therapist = dict(_checked_series(therapist_instrument, therapist_scores))
    gaps = []
    for session, client in _checked_series(client_instrument, client_scores):
        if session not in therapist:
            continue
        gaps.append(
            RaterGap(session, client, therapist[session], threshold, client_instrument.decimals)
        )
    return tuple(gaps)
