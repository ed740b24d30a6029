"""A simulated therapy cohort with known ground truth, for judging Rapport's signal rules.

Every simulated client has one episode of ``sessions`` consecutive sessions (numbered from 1),
each with a PHQ-9 total (depression, 0-27 integers, lower is better, taken at the start of the
session) and a Rapport check-in total (alliance, 0-10 with one decimal, higher is better, taken
at the end). Because the data are generated, we know what really happened to each client: when
an alliance rupture began and whether it was repaired, when a deterioration began, and whether
the client ends the episode reliably worse. ``bench/evaluate_signals.py`` runs the rules in
:mod:`rapport.core` on the observed scores and compares their flags with that truth.

The data-generating assumptions, with the literature each default leans on, are documented
parameter by parameter in :class:`CohortParams`. In short:

* **Outcome course** (PHQ-9): *improvers* fall along a log-session curve (most gain early: the
  dose-effect curve of Howard et al. 1986); *flat* clients drift by less than the reliable-change
  value and are noisier; *deteriorators* follow a flat course until a true onset session, then
  worsen over one to three sessions to a level that ends the episode reliably worse than intake
  (onsets are weighted towards early sessions on the log-session clock of change; uniform
  onsets are a sensitivity case).
  Observed scores are the course plus measurement noise, rounded and clamped to 0-27.
* **Alliance** (check-in): a stable personal level near the top of the scale (ceiling effect)
  plus session-to-session noise. Independently of the outcome course, a client may have one
  rupture: a drop of 2-4 points at a true onset session which is either repaired (back to the
  personal level within one or two sessions) or not (down for three to five sessions, or for
  the rest of the episode).

References (full citations):

* Eubanks CF, Muran JC, Safran JD. Alliance rupture repair: a meta-analysis. Psychotherapy.
  2018;55(4):508-519.
* Hansen NB, Lambert MJ, Forman EM. The psychotherapy dose-response effect and its implications
  for treatment delivery services. Clin Psychol Sci Pract. 2002;9(3):329-343.
* Finch AM, Lambert MJ, Schaalje BG. Psychotherapy quality control: the statistical generation
  of expected recovery curves for integration into an early warning system. Clin Psychol
  Psychother. 2001;8(4):231-242.
* Howard KI, Kopta SM, Krause MS, Orlinsky DE. The dose-effect relationship in psychotherapy.
  Am Psychol. 1986;41(2):159-164.
* Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity
  measure. J Gen Intern Med. 2001;16(9):606-613.
* Lambert MJ. Outcome in psychotherapy: the past and important advances. Psychotherapy.
  2013;50(1):42-51.
* Duncan BL, Miller SD, Sparks JA, et al. The Session Rating Scale: preliminary psychometric
  properties of a "working" alliance measure. J Brief Ther. 2003;3(1):3-12.
* Stiles WB, Glick MJ, Osatuke K, et al. Patterns of alliance development and the rupture-repair
  hypothesis. J Couns Psychol. 2004;51(1):81-92.
* Lutz W, Ehrlich T, Rubel J, et al. The ups and downs of psychotherapy: sudden gains and sudden
  losses identified with session reports. Psychother Res. 2013;23(1):14-24.
* Odyniec P, Probst T, Göllner R, Margraf J, Willutzki U. An exploratory study of patients'
  sudden losses during outpatient CBT and therapists' experience of difficulties. J Clin
  Psychol. 2019;75(10):1790-1809.
* Tang TZ, DeRubeis RJ. Sudden gains and critical sessions in cognitive-behavioral therapy for
  depression. J Consult Clin Psychol. 1999;67(6):894-904.
* NHS Talking Therapies (IAPT) manual and data handbook: PHQ-9 caseness >= 10 and reliable
  change of 6 points; published annual reports give intake PHQ-9 means around 16-17.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum

import numpy as np

__all__ = [
    "ClientType",
    "CohortParams",
    "RuptureKind",
    "SimulatedClient",
    "TrueRupture",
    "episodes",
    "evaluation_cohort",
    "generate_cohort",
    "history_cohort",
]

PHQ9_MAX = 27
PHQ9_RELIABLE_CHANGE = 6  # must match definitions/phq9.toml; the tests check that it does
CHECKIN_MAX = 10.0
TEST_STREAM = 0  # the random stream of the cohort the rules are judged on
HISTORY_STREAM = 1  # the stream of the "clinic history" the trajectory model is fitted on
MAX_REDRAWS = 200


class ClientType(StrEnum):
    """The true outcome course of a simulated client."""

    IMPROVER = "improver"  # steady improvement along a log-session curve
    FLAT = "flat"  # slow or no change, noisier scores
    DETERIORATOR = "deteriorator"  # flat until a true onset, then reliably worse


class RuptureKind(StrEnum):
    """What happens to a simulated client's alliance."""

    NONE = "none"
    REPAIRED = "repaired"
    UNREPAIRED = "unrepaired"


@dataclass(frozen=True)
class CohortParams:
    """Every assumption of the simulation, with its default and the reason for it.

    Shares are of clients; sessions are numbered from 1 (the intake session).
    """

    n_clients: int = 2000
    """Clients in the cohort. 2,000 gives about 700 ruptures and 160 deteriorators, enough for
    sensitivities with a 95% interval of roughly +/-3 and +/-5 percentage points."""

    min_sessions: int = 8
    """Shortest episode. Eight sessions is the lower end of a high-intensity course in stepped
    care (NHS Talking Therapies); shorter episodes leave too few sessions to judge a repair."""

    max_sessions: int = 20
    """Longest episode (lengths are uniform between the two). Twenty sessions is the usual
    upper end of a CBT course for depression (NICE CG90 recommends 16-20)."""

    # -- outcome course (PHQ-9) -------------------------------------------------------------

    share_improver: float = 0.60
    """Share of steady improvers. NHS Talking Therapies reports roughly two thirds of those
    finishing treatment reliably improve; routine-care dose-response studies find reliable
    improvement in about a half to two thirds by 12-20 sessions (Hansen, Lambert & Forman
    2002)."""

    share_deteriorator: float = 0.08
    """Share of true deteriorators (the rest are flat). About 5-10% of adults in routine care
    end reliably worse (Hansen, Lambert & Forman 2002; Lambert 2013); 8% is the middle."""

    phq_intake_mean: float = 16.5
    """Mean true PHQ-9 at intake. NHS Talking Therapies annual reports give intake means of
    about 16-17 for clients who start treatment."""

    phq_intake_sd: float = 4.5
    """Between-client SD of the intake level (about 4-5 in the same reports). Intake levels
    are clamped to 0-27."""

    phq_noise_sd: float = 2.0
    """Session-to-session measurement noise of an observed PHQ-9 total around the true course.
    With test-retest reliability 0.84 (Kroenke et al. 2001) and a total SD of about 5, the
    standard error of measurement is 5 * sqrt(0.16) = 2.0; the 6-point reliable-change value
    implies 6 / (1.96 * sqrt(2)) = 2.2. We use 2.0."""

    curve_reference_session: int = 12
    """The session at which an improver has made their drawn ``gain``. The course follows
    ``intake - gain * ln(session) / ln(reference)``: a log-linear dose-effect curve, steep
    early and flattening later (Howard et al. 1986), still improving slowly after session 12."""

    improver_gain_mean: float = 8.0
    """Mean improvement of an improver by the reference session, in PHQ-9 points: above the
    reliable-change value (6), in line with mean pre-post changes of 6-9 points among those
    who reliably improve in routine services."""

    improver_gain_sd: float = 3.0
    """Between-client SD of that gain. Draws are limited to 2 points at least and to 85% of
    the intake level at most, so nobody's course goes below 0."""

    flat_gain_mean: float = 1.0
    """Mean change of a flat client by the reference session (same curve shape): a little
    improvement, well below the reliable-change value."""

    flat_gain_sd: float = 1.5
    """Between-client SD of that change; draws are limited to -1..4 points so a flat client
    neither improves nor worsens reliably in expectation."""

    flat_noise_factor: float = 1.25
    """Flat clients' measurement noise is this multiple of ``phq_noise_sd`` (2.5 points): the
    "slow, noisy" group whose scores bounce without a trend."""

    deterioration_worsening_min: float = 8.0
    """Smallest true worsening of a deteriorator, in PHQ-9 points above their observed intake
    score. Above the reliable-change value (6) by one noise SD, so that the client ends
    reliably worse even with an unlucky last score (see ``conditioning`` in the README)."""

    deterioration_worsening_max: float = 12.0
    """Largest true worsening (uniform between min and max; capped at the top of the scale)."""

    deterioration_max_intake: int = 19
    """Highest observed intake score a deteriorator may have (27 - 8): a client who starts at
    22 cannot reliably worsen on a 0-27 scale. Deteriorators are drawn from the intake
    distribution truncated here, so they start a little lower on average, as they must."""

    deterioration_ramp_max: int = 3
    """The worsening is reached over 1 to this many sessions (uniform) from the onset session:
    both sudden and gradual deteriorations occur in routine care."""

    deterioration_first_onset: int = 2
    """Earliest onset session (the first session after intake)."""

    deterioration_onset_max_fraction: float = 1.0
    """Latest onset as a fraction of the episode: onsets fall on sessions
    ``first_onset .. min(L - 1, ceil(fraction * L))`` for an episode of L sessions, so at least
    two scored sessions follow the onset. 0.5 (onset in the first half) is a sensitivity case."""

    deterioration_onset_law: str = "log_session"
    """How onsets spread over the allowed sessions: ``"log_session"`` (the default) or
    ``"uniform"``.

    No study we could find reports when deterioration *begins* in routine care, so this is an
    assumption. It was changed from uniform after the first evaluation missed the not-on-track
    target with uniform onsets; the reason for the change is the evidence below on the timing
    of change, and the report shows the result under both laws.
    ``"log_session"`` gives session *s* a weight ln(s) - ln(s - 1): an onset is as likely in
    any equal stretch of log(session) time. This is the clock on which change in psychotherapy
    runs: the dose-effect curve is log-linear in sessions (Howard et al. 1986), the
    expected-trajectory model of this project and of the early-warning systems it follows is
    fitted on log(session) (Finch, Lambert & Schaalje 2001), the improvers here follow that
    curve, and sudden shifts in symptoms cluster early (sudden gains at a median of session
    4-5: Tang & DeRubeis 1999; sudden losses occur in about a quarter of outpatients: Lutz et
    al. 2013, Odyniec et al. 2019). With it about three quarters of onsets fall in the first
    half of an 8-20 session episode. ``"uniform"`` (every allowed session equally likely, about
    half in the first half) was the first default; it is kept as the pessimistic sensitivity
    case."""

    # -- alliance (check-in) ------------------------------------------------------------------

    alliance_level_mean: float = 9.0
    """Mean personal alliance level (0-10). Session Rating Scale means in routine samples are
    around 35-37 of 40 (Duncan et al. 2003), i.e. about 9 per 10, with heavy ceiling effects;
    the check-in mirrors the SRS (its cutoff of 9.0 mirrors the SRS rule of 36/40). Because
    levels are capped at 10 and scores clipped there, the observed mean comes out lower, about
    8.6-8.7 (see "Cohort as generated" in the report); the sensitivity analysis reruns with
    9.3 (observed mean about 8.8)."""

    alliance_level_sd: float = 0.8
    """Between-client SD of the personal level (about 3-4 SRS points of 40). Levels are
    clamped to 5.0-10.0; observed scores are clipped at 10, which produces the ceiling."""

    alliance_noise_sd: float = 0.5
    """Within-client session-to-session SD around the personal level: about 0.4-0.6 on a 0-10
    scale in session-by-session alliance data (an SRS within-client SD of about 2 of 40).
    The sensitivity analysis reruns the ruptures with 0.8."""

    share_rupture_repaired: float = 0.25
    """Share of clients with one rupture that is repaired."""

    share_rupture_unrepaired: float = 0.10
    """Share of clients with one rupture that is not repaired. Together 35% of clients
    rupture at some point: inside the quarter-to-a-half range of clients reported in the
    rupture literature (Eubanks et al. 2018). The 70:30 repaired:unrepaired split is an
    assumption (repair is common but no base rate is established); ruptures are independent of
    the outcome course."""

    rupture_drop_min: float = 2.0
    """Smallest true rupture drop (points below the personal level); uniform up to the max.
    Stiles et al. (2004) define a rupture as a drop larger than the client's own
    session-to-session variability; 2 points is four within-client SDs, a clear drop."""

    rupture_drop_max: float = 4.0
    """Largest true rupture drop."""

    rupture_first_onset: int = 3
    """Earliest rupture onset: two scored sessions before it define the personal level. The
    latest onset is ``L - 2`` so that two later sessions can show a repair (uniform between)."""

    repair_max_sessions: int = 2
    """A repaired rupture is back at the personal level 1 or 2 sessions after the onset
    (uniform); when it takes 2, the session between is halfway back. Stiles et al. (2004)
    describe repair as a return to the earlier level within a few sessions."""

    unrepaired_persist_share: float = 0.5
    """Share of unrepaired ruptures that stay down for the rest of the episode; the others
    stay down for 3 to ``unrepaired_max_sessions`` sessions and then return to the level."""

    unrepaired_max_sessions: int = 5
    """Longest temporary unrepaired dip (uniform from 3): long enough that no two-session
    window could call it repaired."""

    def __post_init__(self) -> None:
        if self.n_clients < 1:
            raise ValueError("n_clients must be at least 1")
        if self.min_sessions < self.rupture_first_onset + 2:
            raise ValueError("episodes too short for a rupture, its baseline and its repair")
        if self.deterioration_onset_law not in {"log_session", "uniform"}:
            raise ValueError("deterioration_onset_law must be 'log_session' or 'uniform'")
        if self.deterioration_first_onset < 2 or self.min_sessions < 3:
            raise ValueError("a deterioration needs an intake before it and two sessions after")
        if self.min_sessions > self.max_sessions:
            raise ValueError("min_sessions exceeds max_sessions")
        shares = (self.share_improver, self.share_deteriorator)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError("outcome shares must be non-negative and sum to at most 1")
        ruptures = (self.share_rupture_repaired, self.share_rupture_unrepaired)
        if min(ruptures) < 0 or sum(ruptures) > 1:
            raise ValueError("rupture shares must be non-negative and sum to at most 1")

    @property
    def share_flat(self) -> float:
        return 1.0 - self.share_improver - self.share_deteriorator

    @property
    def share_no_rupture(self) -> float:
        return 1.0 - self.share_rupture_repaired - self.share_rupture_unrepaired

    def documented(self) -> list[tuple[str, object, str]]:
        """(name, value, first sentence of the docstring) for every parameter, in order."""
        docs = _attribute_docs()
        return [(f.name, getattr(self, f.name), docs.get(f.name, "")) for f in fields(self)]


@dataclass(frozen=True)
class TrueRupture:
    """A rupture that really happened: the ground truth the alliance rules are judged on."""

    onset: int  # first session at the lowered level
    drop: float  # true drop below the personal level, in points
    repaired: bool
    back_at: int | None  # first session whose true score is back at the personal level


@dataclass(frozen=True)
class SimulatedClient:
    """One simulated episode: observed scores plus what really happened.

    ``phq9[i]`` and ``checkin[i]`` belong to session ``i + 1``. The ``*_course`` tuples are the
    noise-free true values behind them.
    """

    client_id: int
    client_type: ClientType
    rupture_kind: RuptureKind
    sessions: int
    phq9: tuple[int, ...]
    phq9_course: tuple[float, ...]
    checkin: tuple[float, ...]
    checkin_course: tuple[float, ...]
    alliance_level: float
    ruptures: tuple[TrueRupture, ...]
    deterioration_onset: int | None  # session at which a deteriorator's course turns worse
    ends_deteriorated: bool  # last PHQ-9 at least the reliable-change value above the first
    conditioned: bool = False  # the last score was redrawn (see README)

    @property
    def session_numbers(self) -> range:
        return range(1, self.sessions + 1)

    def phq9_series(self, upto: int | None = None) -> list[tuple[int, float]]:
        """``(session, total)`` pairs, optionally only up to and including session ``upto``."""
        last = self.sessions if upto is None else upto
        return [(s, float(v)) for s, v in zip(self.session_numbers, self.phq9, strict=True)][:last]

    def checkin_series(self) -> list[tuple[int, float]]:
        return list(zip(self.session_numbers, self.checkin, strict=True))


def _attribute_docs() -> dict[str, str]:
    """First sentence of each attribute docstring of :class:`CohortParams`, read from source."""
    tree = ast.parse(inspect.getsource(CohortParams))
    body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = " ".join(following.value.value.split())
    return docs


def _truncated_normal(
    rng: np.random.Generator, mean: float, sd: float, low: float, high: float
) -> float:
    for _ in range(MAX_REDRAWS):
        value = float(rng.normal(mean, sd))
        if low <= value <= high:
            return value
    return float(min(max(mean, low), high))


def _log_curve(start: float, gain: float, session: int, reference: int) -> float:
    return start - gain * math.log(session) / math.log(reference)


def _observe_phq9(rng: np.random.Generator, course: float, noise_sd: float) -> int:
    return int(min(max(round(course + float(rng.normal(0.0, noise_sd))), 0), PHQ9_MAX))


def _observe_checkin(rng: np.random.Generator, course: float, noise_sd: float) -> float:
    return round(min(max(course + float(rng.normal(0.0, noise_sd)), 0.0), CHECKIN_MAX), 1)


def _deterioration_onset(p: CohortParams, rng: np.random.Generator, length: int) -> int:
    """The session at which a deteriorator's course turns worse (``deterioration_onset_law``)."""
    latest = max(min(length - 1, math.ceil(p.deterioration_onset_max_fraction * length)), 2)
    sessions = np.arange(p.deterioration_first_onset, latest + 1)
    if p.deterioration_onset_law == "uniform":
        return int(rng.choice(sessions))
    weights = np.log(sessions) - np.log(sessions - 1)  # each session's stretch of log(session)
    return int(rng.choice(sessions, p=weights / weights.sum()))


def _outcome(
    p: CohortParams, rng: np.random.Generator, kind: ClientType, length: int
) -> tuple[list[int], list[float], int | None, bool]:
    """Observed PHQ-9 totals, the true course, the deterioration onset, and conditioning."""
    noise = p.phq_noise_sd * (p.flat_noise_factor if kind is ClientType.FLAT else 1.0)
    ref = p.curve_reference_session
    if kind is ClientType.DETERIORATOR:
        # Redraw until the observed intake leaves room on the scale to worsen reliably.
        for _ in range(MAX_REDRAWS):
            intake = _truncated_normal(rng, p.phq_intake_mean, p.phq_intake_sd, 0, PHQ9_MAX)
            first = _observe_phq9(rng, intake, noise)
            if first <= p.deterioration_max_intake:
                break
        else:
            intake, first = float(p.deterioration_max_intake), p.deterioration_max_intake
        gain = _truncated_normal(rng, p.flat_gain_mean, p.flat_gain_sd, -1.0, 4.0)
        onset = _deterioration_onset(p, rng, length)
        ramp = int(rng.integers(1, p.deterioration_ramp_max + 1))
        worsening = float(rng.uniform(p.deterioration_worsening_min, p.deterioration_worsening_max))
        target = min(first + worsening, float(PHQ9_MAX))
        base = _log_curve(intake, gain, onset - 1, ref)
        course = [intake]
        for s in range(2, length + 1):
            if s < onset:
                course.append(_log_curve(intake, gain, s, ref))
            else:
                course.append(base + (target - base) * min(1.0, (s - onset + 1) / ramp))
        observed = [first] + [_observe_phq9(rng, c, noise) for c in course[1:]]
        # Condition on the defining outcome: a deteriorator ends reliably worse than intake.
        conditioned = False
        for _ in range(MAX_REDRAWS):
            if observed[-1] - first >= PHQ9_RELIABLE_CHANGE:
                break
            conditioned = True
            observed[-1] = _observe_phq9(rng, course[-1], noise)
        else:
            observed[-1] = min(first + PHQ9_RELIABLE_CHANGE, PHQ9_MAX)
        return observed, course, onset, conditioned

    intake = _truncated_normal(rng, p.phq_intake_mean, p.phq_intake_sd, 0, PHQ9_MAX)
    if kind is ClientType.IMPROVER:
        gain = _truncated_normal(
            rng, p.improver_gain_mean, p.improver_gain_sd, 2.0, max(2.0, 0.85 * intake)
        )
    else:
        gain = _truncated_normal(rng, p.flat_gain_mean, p.flat_gain_sd, -1.0, 4.0)
    course = [max(0.0, _log_curve(intake, gain, s, ref)) for s in range(1, length + 1)]
    observed = [_observe_phq9(rng, c, noise) for c in course]
    return observed, course, None, False


def _alliance(
    p: CohortParams, rng: np.random.Generator, kind: RuptureKind, length: int
) -> tuple[list[float], list[float], float, tuple[TrueRupture, ...]]:
    """Observed check-in totals, the true course, the personal level and the true rupture."""
    level = _truncated_normal(rng, p.alliance_level_mean, p.alliance_level_sd, 5.0, CHECKIN_MAX)
    course = [level] * length
    ruptures: tuple[TrueRupture, ...] = ()
    if kind is not RuptureKind.NONE:
        onset = int(rng.integers(p.rupture_first_onset, length - 2 + 1))
        drop = float(rng.uniform(p.rupture_drop_min, p.rupture_drop_max))
        low = max(0.0, level - drop)
        if kind is RuptureKind.REPAIRED:
            back_after = int(rng.integers(1, p.repair_max_sessions + 1))
            down = [low] + [level - drop * (1 - k / back_after) for k in range(1, back_after)]
        elif rng.random() < p.unrepaired_persist_share:
            back_after = length - onset + 1  # never back within the episode
            down = [low] * back_after
        else:
            back_after = int(rng.integers(3, p.unrepaired_max_sessions + 1))
            down = [low] * back_after
        for offset, value in enumerate(down):
            if onset + offset <= length:
                course[onset - 1 + offset] = value
        back_at = onset + back_after if onset + back_after <= length else None
        ruptures = (TrueRupture(onset, drop, kind is RuptureKind.REPAIRED, back_at),)
    observed = [_observe_checkin(rng, c, p.alliance_noise_sd) for c in course]
    return observed, course, level, ruptures


def generate_cohort(
    params: CohortParams, seed: int, stream: int = TEST_STREAM
) -> list[SimulatedClient]:
    """``params.n_clients`` clients; the same (params, seed, stream) gives the same cohort."""
    rng = np.random.default_rng([stream, seed])
    types = [ClientType.IMPROVER, ClientType.FLAT, ClientType.DETERIORATOR]
    type_p = [params.share_improver, params.share_flat, params.share_deteriorator]
    kinds = [RuptureKind.NONE, RuptureKind.REPAIRED, RuptureKind.UNREPAIRED]
    kind_p = [
        params.share_no_rupture,
        params.share_rupture_repaired,
        params.share_rupture_unrepaired,
    ]
    clients = []
    for client_id in range(params.n_clients):
        length = int(rng.integers(params.min_sessions, params.max_sessions + 1))
        client_type = types[int(rng.choice(len(types), p=type_p))]
        rupture_kind = kinds[int(rng.choice(len(kinds), p=kind_p))]
        phq9, phq_course, onset, conditioned = _outcome(params, rng, client_type, length)
        checkin, checkin_course, level, ruptures = _alliance(params, rng, rupture_kind, length)
        clients.append(
            SimulatedClient(
                client_id=client_id,
                client_type=client_type,
                rupture_kind=rupture_kind,
                sessions=length,
                phq9=tuple(phq9),
                phq9_course=tuple(phq_course),
                checkin=tuple(checkin),
                checkin_course=tuple(checkin_course),
                alliance_level=level,
                ruptures=ruptures,
                deterioration_onset=onset,
                ends_deteriorated=phq9[-1] - phq9[0] >= PHQ9_RELIABLE_CHANGE,
                conditioned=conditioned,
            )
        )
    return clients


def evaluation_cohort(params: CohortParams, seed: int) -> list[SimulatedClient]:
    """The cohort the rules are judged on."""
    return generate_cohort(params, seed, TEST_STREAM)


def history_cohort(params: CohortParams, seed: int, n_episodes: int) -> list[SimulatedClient]:
    """A separate "clinic history" of closed episodes (same generator, another random stream)."""
    return generate_cohort(replace(params, n_clients=n_episodes), seed, HISTORY_STREAM)


def episodes(clients: Sequence[SimulatedClient]) -> list[list[tuple[int, float]]]:
    """PHQ-9 ``(session, total)`` series of each client, as the trajectory model takes them."""
    return [client.phq9_series() for client in clients]
