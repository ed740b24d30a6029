"""Has a client changed? Reliable and clinically significant change between two scores.

Pure Python (no Django). The statistics follow Jacobson NS, Truax P. Clinical significance: a
statistical approach to defining meaningful change in psychotherapy research. J Consult Clin
Psychol. 1991;59(1):12-19 (below, "Jacobson & Truax 1991"):

* the standard error of measurement ``SE = SD * sqrt(1 - r)``;
* the standard error of a difference ``S_diff = sqrt(2 * SE**2)``;
* the reliable change index ``RCI = (x2 - x1) / S_diff``, reliable when ``|RCI| > 1.96``;
* cutoff criterion *c*, the point between the clinical and functional distributions, used as
  the recovery cutoff where a measure's definition carries norms (otherwise its published
  clinical cutoff).

Many services publish a *reliable change value* instead (e.g. 6 points on the PHQ-9): a change in
the total at least that large is reliable. Such a value is ``1.96 * S_diff`` worked out in advance
(often rounded), so a measure without ``sd`` and ``reliability`` uses ``|difference| >= RC``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapport.core.instruments.formatting import format_number
from rapport.core.instruments.model import Better, Instrument

__all__ = [
    "RCI_THRESHOLD",
    "Change",
    "ChangeCategory",
    "classify_change",
    "clinical_cutoff_c",
    "recovery_cutoff",
    "reliable_change_index",
    "s_diff",
    "standard_error",
]

RCI_THRESHOLD = 1.96  # two-tailed p < .05 (Jacobson & Truax 1991)


class ChangeCategory(StrEnum):
    """Where a client ended up, in Jacobson & Truax's (1991) terms."""

    RECOVERED = "recovered"  # reliable improvement, from clinical to non-clinical range
    IMPROVED = "improved"  # reliable improvement without crossing the cutoff
    UNCHANGED = "unchanged"  # no reliable change either way
    DETERIORATED = "deteriorated"  # reliable worsening
    INSUFFICIENT = "insufficient"  # fewer than two scores: change cannot be judged


def _check_sd_and_reliability(sd: float, reliability: float) -> None:
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"The standard deviation must be a positive number, not {sd}.")
    if not (math.isfinite(reliability) and 0 <= reliability < 1):
        raise ValueError(
            "The reliability coefficient must be at least 0 and below 1 "
            f"(e.g. 0.85 for test-retest reliability), not {reliability}."
        )


def standard_error(sd: float, reliability: float) -> float:
    """Standard error of measurement, ``SD * sqrt(1 - r)`` (Jacobson & Truax 1991)."""
    _check_sd_and_reliability(sd, reliability)
    return sd * math.sqrt(1 - reliability)


def s_diff(sd: float, reliability: float) -> float:
    """Standard error of the difference of two scores, ``sqrt(2) * SE`` (Jacobson & Truax 1991)."""
    return math.sqrt(2) * standard_error(sd, reliability)


def reliable_change_index(x1: float, x2: float, sd: float, reliability: float) -> float:
    """Reliable change index ``(x2 - x1) / S_diff`` (Jacobson & Truax 1991).

    Its sign follows the raw difference; ``|RCI| > 1.96`` is reliable change.
    """
    return (x2 - x1) / s_diff(sd, reliability)


def clinical_cutoff_c(
    mean_clinical: float, sd_clinical: float, mean_functional: float, sd_functional: float
) -> float:
    """Cutoff criterion *c*: ``(s0 * M1 + s1 * M0) / (s0 + s1)`` (Jacobson & Truax 1991).

    M0, s0 describe the functional (non-clinical) population and M1, s1 the clinical one. The
    result is the point equally far, in SD units, from both means.
    """
    for label, value in (("clinical", sd_clinical), ("functional", sd_functional)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(
                f"The {label} group's standard deviation must be positive, not {value}."
            )
    return (sd_functional * mean_clinical + sd_clinical * mean_functional) / (
        sd_functional + sd_clinical
    )


def recovery_cutoff(instrument: Instrument) -> float | None:
    """The score a client must cross to count as recovered (Jacobson & Truax 1991).

    Criterion *c* from the measure's clinical and functional norms where the definition has
    them, otherwise the measure's published clinical cutoff (None if it has neither).
    """
    norms = instrument.norms
    if norms is None:
        return instrument.cutoff
    return clinical_cutoff_c(
        norms.clinical_mean, norms.clinical_sd, norms.functional_mean, norms.functional_sd
    )


def _is_clinical(instrument: Instrument, total: float, cutoff: float | None) -> bool | None:
    if cutoff is None:
        return None
    return total >= cutoff if instrument.better is Better.LOWER else total < cutoff


@dataclass(frozen=True)
class Change:
    """Change between a client's first and last scores on one measure.

    ``first``, ``last``, ``difference`` and ``improvement`` are None only when the category is
    INSUFFICIENT. ``improvement`` is signed so that positive is better whichever way the measure
    runs. ``rci`` is None unless an SD and reliability were available. ``crossed_cutoff`` is True
    when first and last lie on different sides of the clinical cutoff (either direction) and None
    when the measure has no cutoff or there are too few scores.
    """

    first: float | None
    last: float | None
    difference: float | None
    improvement: float | None
    rci: float | None
    reliable: bool
    crossed_cutoff: bool | None
    category: ChangeCategory
    explanation: str


def _reliability(
    instrument: Instrument, first: float, last: float, sd: float | None, r: float | None
) -> tuple[float | None, bool, str]:
    """The RCI (if computable), whether the change is reliable, and the threshold in words."""
    if sd is not None and r is not None:
        rci = reliable_change_index(first, last, sd, r)
        return rci, abs(rci) > RCI_THRESHOLD, f"RCI {abs(rci):.2f}; threshold {RCI_THRESHOLD}"
    if instrument.reliable_change is not None:
        reliable = abs(last - first) >= instrument.reliable_change
        return None, reliable, f"threshold {_fmt(instrument, instrument.reliable_change)}"
    return None, False, ""


def _fmt(instrument: Instrument, value: float) -> str:
    return format_number(round(value, instrument.decimals))


def _explain(
    instrument: Instrument,
    first: float,
    last: float,
    *,
    reliable: bool,
    basis: str,
    cutoff: float | None,
) -> str:
    """One plain sentence: the movement, whether it is reliable, and the side of the cutoff."""
    difference = last - first
    if difference == 0:
        movement = f"{instrument.name} stayed at {_fmt(instrument, first)}"
    else:
        verb = "rose" if difference > 0 else "fell"
        movement = (
            f"{instrument.name} {verb} from {_fmt(instrument, first)} to {_fmt(instrument, last)}"
        )
    size = _fmt(instrument, abs(difference))
    if not basis:
        detail = f"change of {size}; no reliable-change value is defined for this measure"
    elif reliable:
        better = difference > 0 if instrument.better is Better.HIGHER else difference < 0
        detail = f"reliable {'improvement' if better else 'deterioration'} of {size}; {basis}"
    else:
        detail = f"change of {size} is not reliable; {basis}"
    sentence = f"{movement} ({detail})"
    if cutoff is not None:
        side = "below" if last < cutoff else "at or above"
        crossed = _is_clinical(instrument, first, cutoff) != _is_clinical(instrument, last, cutoff)
        sentence += f" and is {'now' if crossed else 'still'} {side} the clinical cutoff of "
        # Criterion c is rarely a whole number: one more decimal keeps 9.5 from reading as 10.
        sentence += format_number(round(cutoff, instrument.decimals + 1))
    return sentence + "."


def classify_change(
    instrument: Instrument,
    scores: Sequence[float | None],
    *,
    sd: float | None = None,
    reliability: float | None = None,
) -> Change:
    """Classify change from the first to the last non-None score (Jacobson & Truax 1991).

    Reliability: with an SD and reliability (``sd``/``reliability`` override the instrument's),
    ``|RCI| > 1.96``; otherwise, with a published reliable change value, ``|difference| >= RC``;
    otherwise change is never reliable. Fewer than two scores give INSUFFICIENT, not an error.
    """
    present = [s for s in scores if s is not None]
    for s in present:
        if not math.isfinite(s):
            raise ValueError(f"{instrument.name} scores must be numbers, not {s}.")
    if len(present) < 2:  # change needs a first and a last score
        count = "none" if not present else str(len(present))
        return Change(
            first=None,
            last=None,
            difference=None,
            improvement=None,
            rci=None,
            reliable=False,
            crossed_cutoff=None,
            category=ChangeCategory.INSUFFICIENT,
            explanation=f"{instrument.name} needs at least two scores to judge change; "
            f"there {'is' if len(present) == 1 else 'are'} {count}.",
        )
    first, last = present[0], present[-1]
    difference = last - first
    improvement = difference if instrument.better is Better.HIGHER else -difference
    rci, reliable, basis = _reliability(
        instrument,
        first,
        last,
        instrument.sd if sd is None else sd,
        instrument.reliability if reliability is None else reliability,
    )
    cutoff = recovery_cutoff(instrument)
    was_clinical = _is_clinical(instrument, first, cutoff)
    is_clinical = _is_clinical(instrument, last, cutoff)
    if reliable and improvement > 0:
        recovered = was_clinical is True and is_clinical is False
        category = ChangeCategory.RECOVERED if recovered else ChangeCategory.IMPROVED
    elif reliable and improvement < 0:
        category = ChangeCategory.DETERIORATED
    else:
        category = ChangeCategory.UNCHANGED
    return Change(
        first=first,
        last=last,
        difference=difference,
        improvement=improvement,
        rci=rci,
        reliable=reliable,
        crossed_cutoff=None if was_clinical is None else was_clinical != is_clinical,
        category=category,
        explanation=_explain(
            instrument, first, last, reliable=reliable, basis=basis, cutoff=cutoff
        ),
    )
