"""Is a client on track? Expected recovery curves fitted on a clinic's own episodes.

Pure Python at prediction time (no Django, no numpy per call); fitting uses numpy and statsmodels,
imported only when a model is fitted.

Routine outcome monitoring compares a client's score with the course that clients who started at
the same level usually take, and warns the therapist when the client falls well behind it: the
"expected recovery curves" of Lambert's early-warning system (Finch AE, Lambert MJ, Schaalje BG.
Psychotherapy quality control: the statistical generation of expected recovery curves for
integration into an early warning system. Clin Psychol Psychother. 2001;8:231-242; below,
"Finch et al. 2001"). Like their curves, ours are conditional on the intake score and estimated
with a hierarchical (multilevel) growth model; like Lutz and colleagues' expected treatment
response models (Lutz W, Martinovich Z, Howard KI. Patient profiling: an application of random
coefficient regression models to depicting the response of a patient to outpatient
psychotherapy. J Consult Clin Psychol. 1999;67(4):571-577) change is linear in the logarithm of
the session number, the negatively accelerated dose-response of psychotherapy (Howard KI, Kopta
SM, Krause MS, Orlinsky DE. The dose-effect relationship in psychotherapy. Am Psychol.
1986;41(2):159-164).

For episode *i* and session *s* (1-based; the first scored session is the intake) the model is::

    y_is = b0 + b1 log(s) + b2 x_i + b3 log(s) x_i + u0_i + u1_i log(s) + e_is

where ``x_i`` is the episode's intake score minus the mean intake of the fitted episodes,
``(u0, u1) ~ N(0, G)`` are the episode's random intercept and slope and ``e ~ N(0, sigma^2)``. It is
fitted by REML to the scores after the intake (the intake enters only as ``x``), with statsmodels'
``MixedLM``. When the random-slope model cannot be fitted, a random-intercept model is used instead
(``G[1][1] = 0``); when neither can, or there are too few episodes, no curve is made up and the
answer is :class:`NotEnoughData`. An episode whose first score comes after session 1 uses that
score as its intake and keeps its session numbers.

For a new client with intake ``x`` at session ``s >= 2`` the expected score is the fixed-effect
prediction, and its spread is the predictive SD ``sqrt(z' G z + sigma^2)`` with ``z = (1, log s)``.
The *not-on-track boundary* lies ``k`` SDs on the worse side of the expected score; with the
default ``k = 1.2816`` (the one-sided 90% point of the normal distribution) one client in ten whose
course is typical lies beyond it at any session; ``boundary_z`` sets another rate.
Expected scores and boundaries are clamped to the measure's range, and sessions past the last one
seen in fitting use that last session's curve rather than extrapolating it.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from numbers import Integral, Real
from typing import TYPE_CHECKING, NamedTuple

from rapport.core.instruments.formatting import format_number, format_range
from rapport.core.instruments.model import Better, Instrument

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_BOUNDARY_Z",
    "Assessment",
    "ExpectedBand",
    "NotEnoughData",
    "Progress",
    "TrajectoryModel",
    "assess_progress",
    "fit_trajectory",
]

DEFAULT_BOUNDARY_Z = 1.2816  # one-sided 90% normal quantile: 1 in 10 typical clients lies beyond
DICT_VERSION = 1  # layout of TrajectoryModel.to_dict(); bump when it changes

# Per-session logs and boundary offsets are tabulated up to this session; later ones (rare, very
# long episodes) are computed on each call instead, so a stored max_session cannot blow up memory.
_TABLE_SESSIONS = 512
_MEMO_SIZE = 20_000  # bands remembered per model (a few MB at most)


class Progress(StrEnum):
    """Where a client's latest score lies against the expected course for their intake."""

    ON_TRACK = "on_track"  # at or better than expected
    BELOW_EXPECTED = "below_expected"  # worse than expected, not beyond the boundary (amber)
    NOT_ON_TRACK = "not_on_track"  # beyond the not-on-track boundary (red)
    UNKNOWN = "unknown"  # no model, only the intake, or no score


@dataclass(frozen=True)
class ExpectedBand:
    """The expected score at one session and the not-on-track boundary beside it.

    ``boundary`` is None at session 1, the intake, which is not judged. ``extrapolated`` is True
    when the session lies past the last one in the fitting data; the band is then that last
    session's band.
    """

    session: int
    expected: float
    boundary: float | None
    extrapolated: bool


def _psd_2x2(g00: float, g01: float, g11: float) -> bool:
    """Whether the symmetric matrix [[g00, g01], [g01, g11]] is positive semi-definite.

    Allows rounding error relative to the matrix's size, so optimiser output on the edge passes.
    """
    size = max(1.0, abs(g00), abs(g11))
    tolerance = 1e-9 * size
    return g00 >= -tolerance and g11 >= -tolerance and g01 * g01 <= g00 * g11 + tolerance * size


@dataclass(frozen=True)
class TrajectoryModel:
    """A fitted expected-trajectory model for one measure (see the module docstring).

    ``coefficients`` are ``(b0, b1, b2, b3)``: intercept, log-session slope, intake and
    log-session x intake, with the intake centred on ``intake_mean``. ``random_effects_cov`` is
    ``G`` for ``(u0, u1)``; ``residual_variance`` is ``sigma^2``. ``max_session`` is the largest
    session number in the fitting data, ``n_episodes`` and ``n_scores`` the episodes and scores
    (intakes included) it was fitted on. ``converged`` records whether the optimiser reported
    convergence; ``random_slope`` is False when the random-intercept model was used.
    """

    instrument_code: str
    better: Better
    total_range: tuple[float, float]
    intake_mean: float
    coefficients: tuple[float, float, float, float]
    random_effects_cov: tuple[tuple[float, float], tuple[float, float]]
    residual_variance: float
    max_session: int
    n_episodes: int
    n_scores: int
    converged: bool
    random_slope: bool
    boundary_z: float = DEFAULT_BOUNDARY_Z
    # Index s holds log(s) and the signed boundary offset +-k*SD(s) (index 0 unused).
    _log_session: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _offset: tuple[float, ...] = field(init=False, repr=False, compare=False)
    # Bands already computed, by (intake, session): intakes are few distinct whole or one-decimal
    # numbers, so a clinic's dashboard asks for the same bands over and over. Bands are frozen.
    _memo: dict[tuple[float, int], ExpectedBand] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        self._check_form()
        self._check_counts()
        low, high = self.total_range  # stored as floats so clamped results are floats too
        object.__setattr__(self, "total_range", (float(low), float(high)))
        last = min(self.max_session, _TABLE_SESSIONS)
        logs = [0.0] + [math.log(s) for s in range(1, last + 1)]
        object.__setattr__(self, "_log_session", tuple(logs))
        object.__setattr__(self, "_offset", tuple(self._boundary_offset(v) for v in logs))
        object.__setattr__(self, "_memo", {})

    def _bad(self, what: str) -> ValueError:
        return ValueError(f"Trajectory model for {self.instrument_code!r}: {what}")

    def _check_form(self) -> None:
        """The measure's description, the coefficients and the covariance matrix."""
        bad = self._bad
        if not isinstance(self.instrument_code, str) or not self.instrument_code:
            raise ValueError(
                f"A trajectory model needs an instrument code, not {self.instrument_code!r}."
            )
        if not isinstance(self.better, Better):
            raise bad(f"better must be {Better.LOWER.value!r} or {Better.HIGHER.value!r}.")
        if len(self.total_range) != 2:
            raise bad(f"total_range must be two numbers, not {self.total_range}.")
        low, high = self.total_range
        if not (_finite(low) and _finite(high) and low < high):
            raise bad(f"total_range must be two finite numbers, low < high, not {low}, {high}.")
        if not _finite(self.intake_mean):
            raise bad(f"intake_mean must be a finite number, not {self.intake_mean}.")
        if len(self.coefficients) != 4 or not all(_finite(b) for b in self.coefficients):
            raise bad(f"coefficients must be four finite numbers, not {self.coefficients}.")
        g = self.random_effects_cov
        shape_ok = len(g) == 2 and all(len(row) == 2 for row in g)
        if not (shape_ok and all(_finite(v) for row in g for v in row)):
            raise bad(f"random_effects_cov must be a 2x2 matrix of finite numbers, not {g}.")
        if g[0][1] != g[1][0] or not _psd_2x2(g[0][0], g[0][1], g[1][1]):
            raise bad(f"random_effects_cov must be a symmetric covariance matrix, not {g}.")

    def _check_counts(self) -> None:
        """Variance, session and episode counts, flags and the boundary multiplier."""
        bad = self._bad
        if not (_finite(self.residual_variance) and self.residual_variance >= 0):
            raise bad(f"residual_variance must be at least 0, not {self.residual_variance}.")
        if not (_is_int(self.max_session) and self.max_session >= 2):
            raise bad(f"max_session must be a whole number of at least 2, not {self.max_session}.")
        for name, count in (("n_episodes", self.n_episodes), ("n_scores", self.n_scores)):
            if not (_is_int(count) and count >= 0):
                raise bad(f"{name} must be a whole number of at least 0, not {count}.")
        for name, flag in (("converged", self.converged), ("random_slope", self.random_slope)):
            if not isinstance(flag, bool):
                raise bad(f"{name} must be true or false, not {flag!r}.")
        if not (_finite(self.boundary_z) and self.boundary_z >= 0):
            raise bad(f"boundary_z must be a number of at least 0, not {self.boundary_z}.")

    def _boundary_offset(self, log_s: float) -> float:
        """Signed distance from expected to boundary: towards worse scores, k predictive SDs."""
        (g00, g01), (_, g11) = self.random_effects_cov
        variance = g00 + 2 * g01 * log_s + g11 * log_s * log_s + self.residual_variance
        offset = self.boundary_z * math.sqrt(max(variance, 0.0))  # rounding can dip below 0
        return offset if self.better is Better.LOWER else -offset

    def expected(self, intake: float, session: int) -> float:
        """The expected score at ``session`` for a client whose intake score was ``intake``."""
        return self.band(intake, session).expected

    def band(self, intake: float, session: int) -> ExpectedBand:
        """Expected score and not-on-track boundary at ``session`` for intake score ``intake``."""
        if type(session) is int:  # only exact ints share the memo (2.0 == 2 must still fail)
            known = self._memo.get((intake, session))
            if known is not None:
                return known
        else:
            session = _as_session(session, "")
        band = self._compute_band(intake, session)
        if len(self._memo) < _MEMO_SIZE:
            self._memo[(intake, session)] = band
        return band

    def _compute_band(self, intake: float, session: int) -> ExpectedBand:
        low, high = self.total_range
        if not low <= intake <= high:  # also rejects NaN
            raise ValueError(
                f"The intake score must lie within {format_range(low, high)}, not {intake}."
            )
        if session <= 1:
            if session < 1:
                raise ValueError(f"Session numbers start at 1, not {session}.")
            return ExpectedBand(
                session=1, expected=float(intake), boundary=None, extrapolated=False
            )
        extrapolated = session > self.max_session
        s = self.max_session if extrapolated else session
        if s <= _TABLE_SESSIONS:
            log_s, offset = self._log_session[s], self._offset[s]
        else:
            log_s = math.log(s)
            offset = self._boundary_offset(log_s)
        b0, b1, b2, b3 = self.coefficients
        raw = b0 + b1 * log_s + (b2 + b3 * log_s) * (intake - self.intake_mean)
        boundary = raw + offset
        return ExpectedBand(
            session=session,
            expected=low if raw < low else high if raw > high else raw,
            boundary=low if boundary < low else high if boundary > high else boundary,
            extrapolated=extrapolated,
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable form (plain lists, strings, numbers), read by :meth:`from_dict`."""
        (g00, g01), (g10, g11) = self.random_effects_cov
        return {
            "version": DICT_VERSION,
            "instrument_code": self.instrument_code,
            "better": self.better.value,
            "total_range": [float(self.total_range[0]), float(self.total_range[1])],
            "intake_mean": float(self.intake_mean),
            "coefficients": [float(b) for b in self.coefficients],
            "random_effects_cov": [[float(g00), float(g01)], [float(g10), float(g11)]],
            "residual_variance": float(self.residual_variance),
            "max_session": self.max_session,
            "n_episodes": self.n_episodes,
            "n_scores": self.n_scores,
            "converged": self.converged,
            "random_slope": self.random_slope,
            "boundary_z": float(self.boundary_z),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TrajectoryModel:
        """Rebuild a model from :meth:`to_dict` output; ValueError names any bad or missing key."""
        if not isinstance(data, Mapping):
            raise ValueError(f"A stored trajectory model must be a mapping, not {type(data)}.")
        version = data.get("version", DICT_VERSION)
        if version != DICT_VERSION:
            raise ValueError(
                f"Stored trajectory model has layout version {version!r}; "
                f"this Rapport reads version {DICT_VERSION}. Refit the model."
            )
        keys = set(_DICT_KEYS)
        missing = sorted(keys - data.keys())
        if missing:
            raise ValueError(f"Stored trajectory model is missing {', '.join(missing)}.")
        unknown = sorted(str(k) for k in data.keys() - keys - {"version"})
        if unknown:
            raise ValueError(f"Stored trajectory model has unknown keys {', '.join(unknown)}.")
        better = data["better"]
        if better not in (Better.LOWER.value, Better.HIGHER.value):
            raise ValueError(
                f"Stored trajectory model: better must be 'lower' or 'higher', not {better!r}."
            )
        rows = [
            _numbers(row, "random_effects_cov", 2)
            for row in _numbers(data["random_effects_cov"], "random_effects_cov", 2)
        ]
        code = data["instrument_code"]
        if not isinstance(code, str):
            raise ValueError(
                f"Stored trajectory model: instrument_code must be text, not {code!r}."
            )
        low, high = _numbers(data["total_range"], "total_range", 2)
        b0, b1, b2, b3 = _numbers(data["coefficients"], "coefficients", 4)
        return cls(
            instrument_code=code,
            better=Better(better),
            total_range=(_real(low, "total_range"), _real(high, "total_range")),
            intake_mean=_real(data["intake_mean"], "intake_mean"),
            coefficients=(
                _real(b0, "coefficients"),
                _real(b1, "coefficients"),
                _real(b2, "coefficients"),
                _real(b3, "coefficients"),
            ),
            random_effects_cov=(
                (_real(rows[0][0], "random_effects_cov"), _real(rows[0][1], "random_effects_cov")),
                (_real(rows[1][0], "random_effects_cov"), _real(rows[1][1], "random_effects_cov")),
            ),
            residual_variance=_real(data["residual_variance"], "residual_variance"),
            max_session=_whole(data["max_session"], "max_session"),
            n_episodes=_whole(data["n_episodes"], "n_episodes"),
            n_scores=_whole(data["n_scores"], "n_scores"),
            converged=_flag(data["converged"], "converged"),
            random_slope=_flag(data["random_slope"], "random_slope"),
            boundary_z=_real(data["boundary_z"], "boundary_z"),
        )


_DICT_KEYS = (
    "instrument_code",
    "better",
    "total_range",
    "intake_mean",
    "coefficients",
    "random_effects_cov",
    "residual_variance",
    "max_session",
    "n_episodes",
    "n_scores",
    "converged",
    "random_slope",
    "boundary_z",
)


def _finite(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _real(value: object, key: str) -> float:
    if not (isinstance(value, int | float) and not isinstance(value, bool)):
        raise ValueError(f"Stored trajectory model: {key} must hold numbers, not {value!r}.")
    return float(value)


def _whole(value: object, key: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"Stored trajectory model: {key} must be a whole number, not {value!r}.")


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"Stored trajectory model: {key} must be true or false, not {value!r}.")
    return value


def _numbers(value: object, key: str, length: int) -> list[object]:
    """A stored list of ``length`` entries (their types are checked by the caller)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != length:
        raise ValueError(
            f"Stored trajectory model: {key} must be a list of {length}, not {value!r}."
        )
    return list(value)


@dataclass(frozen=True)
class NotEnoughData:
    """Why no model was fitted, in plain words for a clinician.

    ``n_episodes`` counts the episodes with enough scores and ``n_scores`` the scores in them.
    """

    reason: str
    n_episodes: int
    n_scores: int


def _as_session(session: object, where: str) -> int:
    """A session number that is not a plain int: accept other integer types, reject the rest."""
    if isinstance(session, Integral) and not isinstance(session, bool):
        return int(session)
    raise ValueError(f"Session numbers must be whole numbers from 1 up, not {session!r}{where}.")


def _validated(
    instrument: Instrument, scores: Iterable[tuple[int, float]], where: str
) -> list[tuple[int, float]]:
    """Check one episode's (session, total) pairs; return them as (int, float) tuples, unsorted.

    ``where`` ends the error messages (e.g. " in episode 7"). The common case (int session, float
    total in range) takes one test per score: this runs for every score assess_progress sees.
    """
    low, high = instrument.total_range
    pairs: list[tuple[int, float]] = []
    append = pairs.append
    for pair in scores:
        session, total = pair
        if type(session) is int and type(total) is float and session >= 1 and low <= total <= high:
            append(pair if type(pair) is tuple else (session, total))
        else:
            append(_checked_pair(instrument, session, total, where))
    if len({session for session, _ in pairs}) != len(pairs):
        seen: set[int] = set()
        for session, _ in pairs:
            if session in seen:
                raise ValueError(
                    f"{instrument.name} has two scores for session {session}{where}; "
                    "a session can have only one."
                )
            seen.add(session)
    return pairs


def _checked_pair(
    instrument: Instrument, session: object, total: object, where: str
) -> tuple[int, float]:
    """The slow path of :func:`_validated`: convert other number types, or say what is wrong."""
    number = session if type(session) is int else _as_session(session, where)
    if number < 1:
        raise ValueError(f"{instrument.name} session numbers start at 1, not {number}{where}.")
    value = _as_score(instrument, total, number, where)
    low, high = instrument.total_range
    if math.isnan(value):
        raise ValueError(
            f"{instrument.name} score {total!r} at session {number}{where} is not a number."
        )
    if not low <= value <= high:
        raise ValueError(
            f"{instrument.name} score {total!r} at session {number}{where} is outside the "
            f"total range {format_range(low, high)}."
        )
    return number, value


def _as_score(instrument: Instrument, total: object, session: int, where: str) -> float:
    """A score as a float: ints and other real numbers convert; text, None and bools do not."""
    if isinstance(total, Real) and not isinstance(total, bool):
        return float(total)
    raise ValueError(
        f"{instrument.name} score {total!r} at session {session}{where} is not a number."
    )


class _Fit(NamedTuple):
    coefficients: tuple[float, float, float, float]
    cov: tuple[tuple[float, float], tuple[float, float]]
    residual_variance: float
    converged: bool


def _fit_mixed(
    endog: NDArray[np.float64],
    exog: NDArray[np.float64],
    groups: NDArray[np.int64],
    exog_re: NDArray[np.float64],
) -> _Fit | None:
    """REML fit of one mixed model; None when it fails or gives an unusable answer."""
    # statsmodels (and pandas under it) take over a second to import; load them only to fit.
    from statsmodels.regression.mixed_linear_model import (  # type: ignore[import-untyped]  # noqa: PLC0415
        MixedLM,
    )

    try:
        # Convergence and boundary warnings are expected on small clinics' data: record
        # convergence on the model instead of letting warnings (errors under pytest) escape.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = MixedLM(endog, exog, groups, exog_re=exog_re).fit(reml=True)
            fe = [float(b) for b in result.fe_params]
            cov = [[float(v) for v in row] for row in result.cov_re]
            scale = float(result.scale)
            converged = bool(result.converged)
    except Exception:  # any failure (singular matrices, optimiser errors) means: try simpler
        return None
    if len(cov) == 1:  # random intercept only
        cov = [[cov[0][0], 0.0], [0.0, 0.0]]
    g01 = (cov[0][1] + cov[1][0]) / 2  # symmetrise rounding error
    values = [*fe, cov[0][0], g01, cov[1][1], scale]
    if not all(math.isfinite(v) for v in values) or scale <= 0:
        return None
    if not _psd_2x2(cov[0][0], g01, cov[1][1]):
        return None
    return _Fit(
        coefficients=(fe[0], fe[1], fe[2], fe[3]),
        cov=((cov[0][0], g01), (g01, cov[1][1])),
        residual_variance=scale,
        converged=converged,
    )


def _episodes_phrase(count: int) -> str:
    if count == 0:
        return "no episodes"
    return f"{count} episode{'s' if count != 1 else ''}"


_FALLBACK = "Progress is judged by reliable change only."


def fit_trajectory(
    instrument: Instrument,
    episodes: Iterable[Sequence[tuple[int, float]]],
    *,
    min_episodes: int = 30,
    min_scores: int = 3,
    boundary_z: float = DEFAULT_BOUNDARY_Z,
) -> TrajectoryModel | NotEnoughData:
    """Fit the expected-trajectory model for ``instrument`` on a clinic's episodes.

    Each episode is a sequence of ``(session_number, total)`` pairs in any order, gaps allowed;
    its intake is the score at its smallest session number, and the scores after it are the data
    the curve is fitted on. Episodes with fewer than ``min_scores`` scores (intake included) are
    left out, and with fewer than ``min_episodes`` left no curve is invented: the answer is
    :class:`NotEnoughData`, as it is when the data cannot identify or fit the model.

    Raises ValueError for a score that is not a number or lies outside the measure's range, a
    session number that is not a whole number from 1 up, or two scores for one session.
    """
    if not (_is_int(min_episodes) and min_episodes >= 2):
        raise ValueError(f"min_episodes must be a whole number of at least 2, not {min_episodes}.")
    if not (_is_int(min_scores) and min_scores >= 2):
        raise ValueError(
            f"min_scores must be a whole number of at least 2 (the intake and one more), "
            f"not {min_scores}."
        )
    if not (_finite(boundary_z) and boundary_z >= 0):
        raise ValueError(f"boundary_z must be a number of at least 0, not {boundary_z}.")
    kept = []
    for number, episode in enumerate(episodes, start=1):
        pairs = _validated(instrument, episode, f" in episode {number}")
        if len(pairs) >= min_scores:
            pairs.sort()
            kept.append(pairs)
    n_episodes = len(kept)
    n_scores = sum(len(pairs) for pairs in kept)
    if n_episodes < min_episodes:
        return NotEnoughData(
            reason=f"{instrument.name}: {_episodes_phrase(n_episodes)} with at least {min_scores} "
            f"scores; the expected-trajectory model needs {min_episodes}. {_FALLBACK}",
            n_episodes=n_episodes,
            n_scores=n_scores,
        )

    import numpy as np  # noqa: PLC0415 - only fitting needs numpy; predictions are plain floats

    intakes = [pairs[0][1] for pairs in kept]
    intake_mean = math.fsum(intakes) / n_episodes
    rows = [
        (index, session, total, intake - intake_mean)
        for index, (pairs, intake) in enumerate(zip(kept, intakes, strict=True))
        for session, total in pairs[1:]
    ]
    group = np.array([r[0] for r in rows], dtype=np.int64)
    log_s = np.log(np.array([r[1] for r in rows], dtype=np.float64))
    endog = np.array([r[2] for r in rows], dtype=np.float64)
    centred = np.array([r[3] for r in rows], dtype=np.float64)
    ones = np.ones_like(log_s)
    exog = np.column_stack([ones, log_s, centred, log_s * centred])

    def not_fitted(problem: str) -> NotEnoughData:
        return NotEnoughData(
            reason=f"{instrument.name}: {problem} {_FALLBACK}",
            n_episodes=n_episodes,
            n_scores=n_scores,
        )

    # Degenerate designs make the fit fail or, worse, return arbitrary numbers.
    if len(set(intakes)) < 2:
        return not_fitted(
            f"all {n_episodes} episodes start at the same intake score, so the "
            "expected-trajectory model cannot tell how the course depends on it."
        )
    if len({r[1] for r in rows}) < 2:
        return not_fitted(
            "every score after the intake is at the same session number, so the "
            "expected-trajectory model cannot estimate a course over sessions."
        )
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        return not_fitted(
            "the scores do not vary enough in intake and session number to fit the "
            "expected-trajectory model."
        )

    fit = _fit_mixed(endog, exog, group, np.column_stack([ones, log_s]))
    random_slope = fit is not None
    if fit is None:  # the simpler random-intercept model is the documented fallback
        fit = _fit_mixed(endog, exog, group, ones[:, None])
    if fit is None:
        return not_fitted(
            f"the expected-trajectory model could not be fitted to {_episodes_phrase(n_episodes)}."
        )
    return TrajectoryModel(
        instrument_code=instrument.code,
        better=instrument.better,
        total_range=(float(instrument.total_range[0]), float(instrument.total_range[1])),
        intake_mean=intake_mean,
        coefficients=fit.coefficients,
        random_effects_cov=fit.cov,
        residual_variance=fit.residual_variance,
        max_session=max(r[1] for r in rows),
        n_episodes=n_episodes,
        n_scores=n_scores,
        converged=fit.converged,
        random_slope=random_slope,
        boundary_z=float(boundary_z),
    )


@dataclass(frozen=True)
class Assessment:
    """A client's latest score judged against the expected course for their intake.

    ``session`` and ``score`` are the latest score's (None without scores). ``expected`` and
    ``boundary`` are None whenever ``progress`` is UNKNOWN. ``reason`` is one plain sentence.
    """

    progress: Progress
    session: int | None
    score: float | None
    expected: float | None
    boundary: float | None
    reason: str


def _fmt(instrument: Instrument, value: float, extra: int = 0) -> str:
    return _formatted(value, instrument.decimals + extra)


@functools.lru_cache(maxsize=16_384)  # scores and memoised bands repeat across a caseload
def _formatted(value: float, decimals: int) -> str:
    """``format_number(round(value, decimals))``, as change.py words numbers."""
    return format_number(round(value, decimals))


def _no_model_reason(model: NotEnoughData | None, instrument: Instrument) -> str:
    if model is None:
        return (
            f"{instrument.name}: no expected-trajectory model has been fitted; "
            "progress is judged by reliable change only."
        )
    return model.reason


def assess_progress(
    model: TrajectoryModel | NotEnoughData | None,
    instrument: Instrument,
    scores: Sequence[tuple[int, float]],
) -> Assessment:
    """Judge the latest of one episode's ``(session_number, total)`` scores against the model.

    The intake is the score at the smallest session number. A score at or better than expected
    is ON_TRACK; worse than expected but not strictly beyond the boundary, BELOW_EXPECTED;
    strictly beyond it, NOT_ON_TRACK. Without a model, or with only an intake, the answer is
    UNKNOWN with the reason. Raises ValueError for a model of another measure or invalid scores.
    """
    if isinstance(model, TrajectoryModel) and model.instrument_code != instrument.code:
        raise ValueError(
            f"This expected-trajectory model is for {model.instrument_code!r}, "
            f"not {instrument.name} ({instrument.code!r})."
        )
    pairs = _validated(instrument, scores, "")
    pairs.sort()  # cheaper than min() and max(), above all when scores come in session order
    session, score = pairs[-1] if pairs else (None, None)
    if model is None or isinstance(model, NotEnoughData):
        reason = _no_model_reason(model, instrument)
        return Assessment(Progress.UNKNOWN, session, score, None, None, reason)
    if session is None or score is None:
        reason = f"{instrument.name} has no scores in this episode yet."
        return Assessment(Progress.UNKNOWN, None, None, None, None, reason)
    intake = pairs[0][1]
    if len(pairs) < 2:
        reason = (
            f"{instrument.name} has only the intake score (session {session}) so far; progress "
            "is judged from the next score."
        )
        return Assessment(Progress.UNKNOWN, session, score, None, None, reason)
    band = model.band(intake, session)
    expected, boundary = band.expected, band.boundary
    assert boundary is not None  # the latest session is after the intake, so at least 2
    lower = model.better is Better.LOWER
    if score <= expected if lower else score >= expected:
        progress = Progress.ON_TRACK
        verdict = "is at or better than"
    elif score > boundary if lower else score < boundary:
        progress = Progress.NOT_ON_TRACK
        verdict = "is worse than"
    else:
        progress = Progress.BELOW_EXPECTED
        verdict = "is worse than"
    # Expected scores are averages: one more decimal than the measure keeps 10.2 from reading
    # as a tie with a score of 10.
    reason = (
        f"{instrument.name} {_fmt(instrument, score)} at session {session} {verdict} the "
        f"{_fmt(instrument, expected, 1)} expected for clients who started at "
        f"{_fmt(instrument, intake)}"
    )
    if progress is Progress.NOT_ON_TRACK:
        reason += f", beyond the not-on-track boundary of {_fmt(instrument, boundary, 1)}"
    elif progress is Progress.BELOW_EXPECTED:
        reason += f", but not beyond the not-on-track boundary of {_fmt(instrument, boundary, 1)}"
    if band.extrapolated:
        reason += (
            f"; the clinic's data end at session {model.max_session}, so that session's "
            "expectation is used"
        )
    return Assessment(progress, session, score, expected, boundary, reason + ".")
